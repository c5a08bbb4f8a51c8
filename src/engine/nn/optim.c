/*
 * optim.c: the optimizer update kernels of optim.h (SGD with momentum and
 * Nesterov, Adam, AdamW) and the sum of squares behind global-norm
 * gradient clipping. Plain loops the compiler vectorises; OpenMP splits
 * them above a size where threads pay off.
 */
#include "optim.h"

#include <math.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Plain loops vectorise at O3 (the -O2 build leaves them scalar). Adam's
 * sqrtf does not (gcc keeps errno for it unless the whole file is built
 * with -fno-math-errno), so its loop is written with SSE (baseline on
 * x86-64; sqrt and division exact as sqrtf and / are) in the same order of
 * operations as the scalar tail. Nothing here relies on FP traps. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3", "no-trapping-math")
#endif

#define OPTIM_PAR_MIN 32768
#define CHUNK 16384

void optim_sgd_step(float *p, const float *g, float *buf, int64_t n, float lr, float momentum,
                    float dampening, float weight_decay, int nesterov, int first)
{
    if (momentum == 0.0f || !buf) {
#pragma omp parallel for schedule(static) if (n > OPTIM_PAR_MIN)
        for (int64_t i = 0; i < n; i++) p[i] -= lr * (g[i] + weight_decay * p[i]);
        return;
    }
#pragma omp parallel for schedule(static) if (n > OPTIM_PAR_MIN)
    for (int64_t i = 0; i < n; i++) {
        float d = g[i] + weight_decay * p[i];
        float b = first ? d : momentum * buf[i] + (1.0f - dampening) * d;
        buf[i] = b;
        p[i] -= lr * (nesterov ? d + momentum * b : b);
    }
}

typedef struct {
    float beta1, beta2, step, rbc2, shrink, l2, eps;
} adam_consts;

static void adam_chunk(float *p, const float *g, float *m, float *v, int64_t n, const adam_consts *c)
{
    const float beta1 = c->beta1, beta2 = c->beta2, step = c->step, rbc2 = c->rbc2, shrink = c->shrink,
                l2 = c->l2, eps = c->eps;
    int64_t i = 0;
#if defined(__SSE2__)
    const __m128 b1 = _mm_set1_ps(beta1), nb1 = _mm_set1_ps(1.0f - beta1), b2 = _mm_set1_ps(beta2),
                 nb2 = _mm_set1_ps(1.0f - beta2), vstep = _mm_set1_ps(step), vrbc2 = _mm_set1_ps(rbc2),
                 vshrink = _mm_set1_ps(shrink), vl2 = _mm_set1_ps(l2), veps = _mm_set1_ps(eps);
    for (; i + 4 <= n; i += 4) {
        __m128 pi = _mm_mul_ps(_mm_loadu_ps(p + i), vshrink);
        __m128 gi = _mm_add_ps(_mm_loadu_ps(g + i), _mm_mul_ps(vl2, pi));
        __m128 mi = _mm_add_ps(_mm_mul_ps(b1, _mm_loadu_ps(m + i)), _mm_mul_ps(nb1, gi));
        __m128 vi = _mm_add_ps(_mm_mul_ps(b2, _mm_loadu_ps(v + i)), _mm_mul_ps(_mm_mul_ps(nb2, gi), gi));
        _mm_storeu_ps(m + i, mi);
        _mm_storeu_ps(v + i, vi);
        __m128 den = _mm_add_ps(_mm_mul_ps(_mm_sqrt_ps(vi), vrbc2), veps);
        _mm_storeu_ps(p + i, _mm_sub_ps(pi, _mm_div_ps(_mm_mul_ps(vstep, mi), den)));
    }
#endif
    for (; i < n; i++) {
        float pi = p[i] * shrink;
        float gi = g[i] + l2 * pi;
        float mi = beta1 * m[i] + (1.0f - beta1) * gi;
        float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = pi - step * mi / (sqrtf(vi) * rbc2 + eps);
    }
}

void optim_adam_step(float *p, const float *g, float *m, float *v, int64_t n, float lr, float beta1,
                     float beta2, float eps, float weight_decay, int decoupled, int64_t t)
{
    /* Bias corrections as PyTorch applies them: step = lr / bc1 and
     * denominator sqrt(v) / sqrt(bc2) + eps. */
    double bc1 = 1.0 - pow((double)beta1, (double)t);
    double bc2 = 1.0 - pow((double)beta2, (double)t);
    adam_consts c = {
        .beta1 = beta1, .beta2 = beta2, .eps = eps,
        .step = (float)(lr / bc1),
        .rbc2 = (float)(1.0 / sqrt(bc2)),
        .shrink = decoupled ? 1.0f - lr * weight_decay : 1.0f,
        .l2 = decoupled ? 0.0f : weight_decay,
    };
    int64_t chunks = (n + CHUNK - 1) / CHUNK;
#pragma omp parallel for schedule(static) if (n > OPTIM_PAR_MIN)
    for (int64_t k = 0; k < chunks; k++) {
        int64_t a = k * CHUNK, len = n - a < CHUNK ? n - a : CHUNK;
        adam_chunk(p + a, g + a, m + a, v + a, len, &c);
    }
}

double optim_sum_squares(const float *g, int64_t n)
{
    double s = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : s) if (n > OPTIM_PAR_MIN)
    for (int64_t i = 0; i < n; i++) s += (double)g[i] * g[i];
    return s;
}

void optim_scale(float *x, int64_t n, float s)
{
#pragma omp parallel for schedule(static) if (n > OPTIM_PAR_MIN)
    for (int64_t i = 0; i < n; i++) x[i] *= s;
}
