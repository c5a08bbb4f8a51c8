/*
 * crossentropy.c: cross entropy fused with log-softmax, so the (N, C)
 * probabilities are never stored. Label smoothing eps mixes the one-hot
 * target with the uniform distribution: q = (1 - eps) onehot + eps / C.
 *
 * When the loss will be differentiated, nn_crossentropy_forward_grad writes
 * the gradient during the forward pass: each row's exponentials are computed
 * once, while the row is in cache, and the backward pass has only to scale
 * (or hand over) the result. Over a GPT's (B*T, vocab) logits this saves a
 * second pass of exp and a full read of the logits. Without a gradient,
 * nn_crossentropy_forward computes the losses alone (it also writes each
 * row's log-sum-exp, which the caller does not keep).
 */
#include <math.h>
#include <string.h>
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

void nn_crossentropy_forward_grad(float *losses, float *dlogits, const float *logits, const int64_t *targets, int64_t N,
                                  int64_t C, int64_t ignore_index, float smoothing, float w)
{
#pragma omp parallel for if (N * C > OMP_MIN)
    for (int64_t i = 0; i < N; i++) {
        const float *x = logits + i * C;
        float *dx = dlogits + i * C;
        int64_t t = targets[i];
        if (t == ignore_index) {
            losses[i] = 0.0f;
            memset(dx, 0, sizeof(float) * (size_t)C);
            continue;
        }
        float m = vm_max(x, C);
        float s = vm_exp_sub(dx, x, C, m); /* dx = exp(x - m) */
        float l = m + logf(s);
        float sx = smoothing > 0.0f ? vm_sum(x, C) : 0.0f;
        losses[i] = (1.0f - smoothing) * (l - x[t]) + smoothing * (l - sx / (float)C);
        /* dx = w (exp(x - l) - eps/C), and -w (1 - eps) at the target (eps: smoothing; s here: the sum of
         * exponentials, so exp(x - l) = dx / s) */
        float a = w / s, u = w * smoothing / (float)C;
        for (int64_t j = 0; j < C; j++) dx[j] = dx[j] * a - u;
        dx[t] -= w * (1.0f - smoothing);
    }
}
