/*
 * softmax.c: softmax and log_softmax over the last dim of (N, C) rows, with
 * their backward passes. Rows are independent: OpenMP shares them out.
 */
#include <math.h>
#include "nn.h"

#define OMP_MIN 32768

void nn_softmax_forward(float *out, const float *inp, int64_t N, int64_t C)
{
    // inp, out (N, C)
#pragma omp parallel for if (N * C > OMP_MIN)
    for (int64_t i = 0; i < N; i++) {
        const float *x = inp + i * C;
        float *y = out + i * C;
        float m = -INFINITY;
        for (int64_t j = 0; j < C; j++) m = x[j] > m ? x[j] : m;
        if (m == -INFINITY) m = 0.0f;
        float s = 0.0f;
        for (int64_t j = 0; j < C; j++) { y[j] = expf(x[j] - m); s += y[j]; }
        float inv = s > 0.0f ? 1.0f / s : 0.0f;
        for (int64_t j = 0; j < C; j++) y[j] *= inv;
    }
}

void nn_softmax_backward(float *dinp, const float *dout, const float *out, int64_t N, int64_t C)
{
    // dinp = y * (dy - sum(dy * y))
#pragma omp parallel for if (N * C > OMP_MIN)
    for (int64_t i = 0; i < N; i++) {
        const float *y = out + i * C, *dy = dout + i * C;
        float *dx = dinp + i * C;
        float s = 0.0f;
        for (int64_t j = 0; j < C; j++) s += dy[j] * y[j];
        for (int64_t j = 0; j < C; j++) dx[j] = y[j] * (dy[j] - s);
    }
}

void nn_log_softmax_forward(float *out, const float *inp, int64_t N, int64_t C)
{
#pragma omp parallel for if (N * C > OMP_MIN)
    for (int64_t i = 0; i < N; i++) {
        const float *x = inp + i * C;
        float *y = out + i * C;
        float m = -INFINITY;
        for (int64_t j = 0; j < C; j++) m = x[j] > m ? x[j] : m;
        if (m == -INFINITY) m = 0.0f;
        float s = 0.0f;
        for (int64_t j = 0; j < C; j++) s += expf(x[j] - m);
        float lse = m + logf(s);
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
        float s = 0.0f;
        for (int64_t j = 0; j < C; j++) s += dy[j];
        for (int64_t j = 0; j < C; j++) dx[j] = dy[j] - expf(y[j]) * s;
    }
}
