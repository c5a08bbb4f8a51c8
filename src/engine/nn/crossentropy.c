/*
 * crossentropy.c: cross entropy fused with log-softmax, so the (N, C)
 * probabilities are never stored: the forward keeps one log-sum-exp per row
 * and the backward rebuilds softmax from it. Label smoothing mixes the
 * one-hot target with the uniform distribution: q = (1-s) onehot + s/C.
 */
#include <math.h>
#include "nn.h"
#include "vmath.h"

#define OMP_MIN 32768

int64_t nn_crossentropy_forward(float *losses, float *lse, const float *logits, const int64_t *targets, int64_t N,
                                int64_t C, int64_t ignore_index, float smoothing)
{
    // logits (N, C); targets, losses, lse (N)
    int64_t count = 0;
#pragma omp parallel for reduction(+ : count) if (N * C > OMP_MIN)
    for (int64_t i = 0; i < N; i++) {
        const float *x = logits + i * C;
        int64_t t = targets[i];
        if (t == ignore_index) { losses[i] = 0.0f; lse[i] = 0.0f; continue; }
        float m = vm_max(x, C);
        float l = m + logf(vm_sum_exp_sub(x, C, m));
        float sx = smoothing > 0.0f ? vm_sum(x, C) : 0.0f;
        lse[i] = l;
        // -sum_j q_j (x_j - l)
        float nll = l - x[t];
        float smooth = l - sx / (float)C;
        losses[i] = (1.0f - smoothing) * nll + smoothing * smooth;
        count++;
    }
    return count;
}

void nn_crossentropy_backward(float *dlogits, const float *dlosses, const float *logits, const float *lse,
                              const int64_t *targets, int64_t N, int64_t C, int64_t ignore_index, float smoothing)
{
#pragma omp parallel for if (N * C > OMP_MIN)
    for (int64_t i = 0; i < N; i++) {
        const float *x = logits + i * C;
        float *dx = dlogits + i * C;
        int64_t t = targets[i];
        if (t == ignore_index) {
            for (int64_t j = 0; j < C; j++) dx[j] = 0.0f;
            continue;
        }
        float g = dlosses[i], l = lse[i], u = smoothing / (float)C;
        vm_exp_sub(dx, x, C, l);
        for (int64_t j = 0; j < C; j++) dx[j] = g * (dx[j] - u);
        dx[t] -= g * (1.0f - smoothing);
    }
}
