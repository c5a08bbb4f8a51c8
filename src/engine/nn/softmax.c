/*
 * softmax.c: softmax and log_softmax over the last dim of (N, C) rows, with
 * their backward passes. Rows are independent: OpenMP shares them out.
 */
#include <math.h>
#include "nn.h"
#include "vmath.h"

#define OMP_MIN 32768

void nn_softmax_forward(float *out, const float *inp, int64_t N, int64_t C)
{
    // inp, out (N, C)
#pragma omp parallel for if (N * C > OMP_MIN)
    for (int64_t i = 0; i < N; i++) {
        const float *x = inp + i * C;
        float *y = out + i * C;
        float m = vm_max(x, C);
        if (m == -INFINITY) m = 0.0f;
        float s = vm_exp_sub(y, x, C, m);
        vm_scale(y, C, s > 0.0f ? 1.0f / s : 0.0f);
    }
}

void nn_softmax_backward(float *dinp, const float *dout, const float *out, int64_t N, int64_t C)
{
    // dinp = y * (dy - sum(dy * y))
#pragma omp parallel for if (N * C > OMP_MIN)
    for (int64_t i = 0; i < N; i++) {
        const float *y = out + i * C, *dy = dout + i * C;
        float *dx = dinp + i * C;
        float s = vm_dot(dy, y, C);
        for (int64_t j = 0; j < C; j++) dx[j] = y[j] * (dy[j] - s);
    }
}

void nn_log_softmax_forward(float *out, const float *inp, int64_t N, int64_t C)
{
#pragma omp parallel for if (N * C > OMP_MIN)
    for (int64_t i = 0; i < N; i++) {
        const float *x = inp + i * C;
        float *y = out + i * C;
        float m = vm_max(x, C);
        if (m == -INFINITY) m = 0.0f;
        float lse = m + logf(vm_sum_exp_sub(x, C, m));
        for (int64_t j = 0; j < C; j++) y[j] = x[j] - lse;
    }
}

void nn_log_softmax_backward(float *dinp, const float *dout, const float *out, int64_t N, int64_t C)
{
    // dinp = dy - exp(y) * sum(dy)
#pragma omp parallel for if (N * C > OMP_MIN)
    for (int64_t i = 0; i < N; i++) {
        const float *y = out + i * C, *dy = dout + i * C;
        float *dx = dinp + i * C;
        float s = vm_sum(dy, C);
        vm_unary(VM_EXP, dx, y, C);
        for (int64_t j = 0; j < C; j++) dx[j] = dy[j] - dx[j] * s;
    }
}
