/*
 * norm.c: layer norm and RMS norm over the last dim, forward and backward.
 * The forward keeps per-row mean and reciprocal std so the backward does not
 * recompute them. Parameter gradients are summed over rows per thread and
 * added once, so rows can run in parallel without atomics.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "nn.h"
#include "vmath.h"

/* RMS norm's row loops are plain C: O3 vectorises them (-O2 does not). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3", "no-trapping-math")
#endif

#define OMP_MIN 32768

void nn_layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *weight,
                          const float *bias, int64_t N, int64_t C, float eps)
{
    // inp, out (N, C); mean, rstd (N); weight, bias (C)
#pragma omp parallel for if (N * C > OMP_MIN)
    for (int64_t i = 0; i < N; i++)
        vm_layernorm_row(out + i * C, mean + i, rstd + i, inp + i * C, weight, bias, C, eps);
}

void nn_layernorm_backward(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                           const float *weight, const float *mean, const float *rstd, int64_t N, int64_t C,
                           int accumulate)
{
    // dinp (N, C) written (or added to); dweight, dbias (C) accumulated
    int nt = 1;
#ifdef _OPENMP
    if (N * C > OMP_MIN) nt = omp_get_max_threads();
#endif
    float *acc = (dweight || dbias) && nt > 1 ? calloc((size_t)nt * 2 * (size_t)C, sizeof(float)) : NULL;
    if (!acc && (dweight || dbias)) nt = 1; /* one thread accumulates straight into dweight/dbias */
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        float *dw = acc ? acc + (size_t)tid * 2 * (size_t)C : dweight, *db = acc ? dw + C : dbias;
#pragma omp for
        for (int64_t i = 0; i < N; i++)
            vm_layernorm_row_backward(dinp + i * C, dw, db, dout + i * C, inp + i * C, weight, mean[i], rstd[i], C,
                                      accumulate);
    }
    if (acc) {
        for (int t = 0; t < nt; t++) {
            const float *dw = acc + (size_t)t * 2 * (size_t)C, *db = dw + C;
            for (int64_t j = 0; j < C; j++) {
                if (dweight) dweight[j] += dw[j];
                if (dbias) dbias[j] += db[j];
            }
        }
        free(acc);
    }
}

void nn_rmsnorm_forward(float *out, float *rstd, const float *inp, const float *weight, int64_t N, int64_t C, float eps)
{
    // inp, out (N, C); rstd (N); weight (C)
#pragma omp parallel for if (N * C > OMP_MIN)
    for (int64_t i = 0; i < N; i++) {
        const float *x = inp + i * C;
        float *y = out + i * C;
        float ss = 0.0f;
        for (int64_t j = 0; j < C; j++) ss += x[j] * x[j];
        float r = 1.0f / sqrtf(ss / (float)C + eps);
        for (int64_t j = 0; j < C; j++) y[j] = x[j] * r * (weight ? weight[j] : 1.0f);
        rstd[i] = r;
    }
}

void nn_rmsnorm_backward(float *dinp, float *dweight, const float *dout, const float *inp, const float *weight,
                         const float *rstd, int64_t N, int64_t C, int accumulate)
{
    int nt = 1;
#ifdef _OPENMP
    if (N * C > OMP_MIN) nt = omp_get_max_threads();
#endif
    float *acc = dweight && nt > 1 ? calloc((size_t)nt * (size_t)C, sizeof(float)) : NULL;
    if (!acc && dweight) nt = 1;
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        float *dw = acc ? acc + (size_t)tid * (size_t)C : dweight;
#pragma omp for
        for (int64_t i = 0; i < N; i++) {
            const float *x = inp + i * C, *dy = dout + i * C;
            float *dx = dinp + i * C;
            float r = rstd[i];
            float s = 0.0f; // mean(dn * n)
            for (int64_t j = 0; j < C; j++) {
                float n = x[j] * r;
                float dn = dy[j] * (weight ? weight[j] : 1.0f);
                s += dn * n;
                if (dw) dw[j] += dy[j] * n;
            }
            s /= (float)C;
            for (int64_t j = 0; j < C; j++) {
                float n = x[j] * r;
                float dn = dy[j] * (weight ? weight[j] : 1.0f);
                dx[j] = (accumulate ? dx[j] : 0.0f) + (dn - n * s) * r;
            }
        }
    }
    if (acc) {
        for (int t = 0; t < nt; t++)
            for (int64_t j = 0; j < C; j++) dweight[j] += acc[(size_t)t * (size_t)C + (size_t)j];
        free(acc);
    }
}
