/*
 * vmath.c: the inner loops of the fused kernels, on one row of floats:
 * exp/max/sum for softmax and cross-entropy, tanh, sigmoid, GELU and SiLU
 * with their derivatives. libm's expf/tanhf are scalar and cost 10-20 ns
 * each, which made exponentials, not matrix products, the bottleneck of
 * attention and of the cross-entropy over a large vocabulary. Here exp is a
 * Cephes-style polynomial (about 2 ulp) written branch-free so that the
 * compiler vectorises it, and each function is built three times (AVX-512,
 * AVX2+FMA, baseline x86-64), picked at load time by the CPU (gcc target_clones).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "vmath.h"

/* Branch-free selects in these loops need -fno-trapping-math to be
 * if-converted (and so vectorised); nothing here relies on FP traps. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3", "no-trapping-math")
#endif

#define CLONES VM_CLONES

/* exp(x) for x in float range; exp(-inf) = 0, large x saturate at FLT_MAX-ish. */
static inline float vexp(float x)
{
    float xc = x < -87.0f ? -87.0f : x;
    xc = xc > 88.3f ? 88.3f : xc;
    float n = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f; /* round to nearest */
    float r = xc - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    union { int32_t i; float f; } u;
    u.i = ((int32_t)n + 127) << 23;
    float y = p * u.f;
    return x < -87.0f ? 0.0f : y;
}

/* tanh through exp: 1 - 2 / (exp(2x) + 1); odd, so use |x| for accuracy near 0 */
static inline float vtanh(float x)
{
    float a = fabsf(x);
    float t;
    if (a < 0.004f) t = a * (1.0f - a * a * (1.0f / 3.0f)); /* series: avoids 1 - (1 - tiny) */
    else t = 1.0f - 2.0f / (vexp(2.0f * a) + 1.0f);
    return x < 0 ? -t : t;
}

static inline float vsigmoid(float x) { return 1.0f / (1.0f + vexp(-x)); }

/* erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7), odd */
static inline float verf(float x)
{
    float a = fabsf(x);
    float t = 1.0f / (1.0f + 0.3275911f * a);
    float p = 1.061405429f;
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    float r = 1.0f - p * t * vexp(-a * a);
    return x < 0 ? -r : r;
}

/* The derivatives vm_unary_grad and vm_unary_and_grad share, times g (g = 1
 * in vm_unary_and_grad: 1 * a is a, exactly, so both give the same bits as
 * when each spelt the formula out). Inline, so that both loops still vectorise. */
#define GELU_C2 1.5957691216057308f /* 2 sqrt(2 / pi) */
/* GELU(tanh) x = x sg, sg = sigmoid(2u), u = sqrt(2 / pi) (x + 0.044715 x^3);
 * d/dx x sg = sg + 2 x sg (1 - sg) u'. (Each caller computes sg its own way:
 * -c2 * t and -(c2 * t) are the same number, but each spelling gives its
 * loop the shorter code.) */
static inline float gelu_tanh_grad(float g, float x, float sg)
{
    return g * (sg + x * sg * (1.0f - sg) * GELU_C2 * (1.0f + 3.0f * 0.044715f * x * x));
}
/* d/dx x Phi(x) = Phi(x) + x phi(x), r = erf(x / sqrt 2) */
static inline float gelu_erf_grad(float g, float x, float r)
{
    return g * (0.5f * (1.0f + r) + x * 0.3989422804014327f * vexp(-0.5f * x * x));
}
/* d/dx x s(x) = s (1 + x (1 - s)), s = sigmoid(x) */
static inline float silu_grad(float g, float x, float s) { return g * s * (1.0f + x * (1.0f - s)); }

CLONES float vm_max(const float *x, int64_t n)
{
    float m = -INFINITY;
#pragma omp simd reduction(max : m)
    for (int64_t i = 0; i < n; i++) m = x[i] > m ? x[i] : m;
    return m;
}

CLONES float vm_sum(const float *x, int64_t n)
{
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; i++) s += x[i];
    return s;
}

CLONES float vm_dot(const float *x, const float *y, int64_t n)
{
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; i++) s += x[i] * y[i];
    return s;
}

CLONES float vm_exp_sub(float *y, const float *x, int64_t n, float m)
{
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; i++) {
        float e = vexp(x[i] - m);
        y[i] = e;
        s += e;
    }
    return s;
}

CLONES float vm_sum_exp_sub(const float *x, int64_t n, float m)
{
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; i++) s += vexp(x[i] - m);
    return s;
}

CLONES void vm_scale(float *y, int64_t n, float s)
{
#pragma omp simd
    for (int64_t i = 0; i < n; i++) y[i] *= s;
}

CLONES void vm_mul_sub(float *y, const float *p, int64_t n, float d)
{
#pragma omp simd
    for (int64_t i = 0; i < n; i++) y[i] = p[i] * (y[i] - d);
}

CLONES void vm_axpy(float *y, const float *x, int64_t n, float a)
{
#pragma omp simd
    for (int64_t i = 0; i < n; i++) y[i] += a * x[i];
}

CLONES void vm_unary(int kind, float *y, const float *x, int64_t n)
{
    switch (kind) {
    case VM_EXP:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) y[i] = vexp(x[i]);
        break;
    case VM_TANH:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) y[i] = vtanh(x[i]);
        break;
    case VM_SIGMOID:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) y[i] = vsigmoid(x[i]);
        break;
    case VM_SILU:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) y[i] = x[i] * vsigmoid(x[i]);
        break;
    case VM_GELU_TANH:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) { /* 0.5 x (1 + tanh u) = x sigmoid(2u) */
            float v = x[i];
            float u2 = GELU_C2 * (v + 0.044715f * v * v * v);
            y[i] = v / (1.0f + vexp(-u2));
        }
        break;
    case VM_GELU_ERF:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + verf(x[i] * 0.7071067811865476f));
        break;
    default:
        break;
    }
}

/* dx = g * f'(x) (or from y = f(x) where that is cheaper) */
CLONES void vm_unary_grad(int kind, float *dx, const float *g, const float *v, int64_t n)
{
    switch (kind) {
    case VM_EXP: /* v = y */
#pragma omp simd
        for (int64_t i = 0; i < n; i++) dx[i] = g[i] * v[i];
        break;
    case VM_TANH: /* v = y */
#pragma omp simd
        for (int64_t i = 0; i < n; i++) dx[i] = g[i] * (1.0f - v[i] * v[i]);
        break;
    case VM_SIGMOID: /* v = y */
#pragma omp simd
        for (int64_t i = 0; i < n; i++) dx[i] = g[i] * v[i] * (1.0f - v[i]);
        break;
    case VM_SILU: /* v = x */
#pragma omp simd
        for (int64_t i = 0; i < n; i++) dx[i] = silu_grad(g[i], v[i], vsigmoid(v[i]));
        break;
    case VM_GELU_TANH: /* v = x */
#pragma omp simd
        for (int64_t i = 0; i < n; i++) {
            float x = v[i];
            float sg = 1.0f / (1.0f + vexp(-GELU_C2 * (x + 0.044715f * x * x * x)));
            dx[i] = gelu_tanh_grad(g[i], x, sg);
        }
        break;
    case VM_GELU_ERF: /* v = x */
#pragma omp simd
        for (int64_t i = 0; i < n; i++) dx[i] = gelu_erf_grad(g[i], v[i], verf(v[i] * 0.7071067811865476f));
        break;
    default:
        break;
    }
}

/* The value and the derivative at once: the formulas of vm_unary and
 * vm_unary_grad (g * d is vm_unary_grad's dx; y within an ulp of vm_unary's),
 * sharing the exponential and the division. */
CLONES void vm_unary_and_grad(int kind, float *y, float *d, const float *x, int64_t n)
{
    switch (kind) {
    case VM_SILU:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) {
            float v = x[i], s = vsigmoid(v);
            y[i] = v * s;
            d[i] = silu_grad(1.0f, v, s);
        }
        break;
    case VM_GELU_TANH:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) {
            float v = x[i];
            float e = vexp(-(GELU_C2 * (v + 0.044715f * v * v * v)));
            float sg = 1.0f / (1.0f + e);
            y[i] = v * sg; /* within an ulp of vm_unary's v / (1 + e), one division fewer */
            d[i] = gelu_tanh_grad(1.0f, v, sg);
        }
        break;
    case VM_GELU_ERF:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) {
            float v = x[i], r = verf(v * 0.7071067811865476f);
            y[i] = 0.5f * v * (1.0f + r);
            d[i] = gelu_erf_grad(1.0f, v, r);
        }
        break;
    default:
        break;
    }
}

CLONES void vm_mul(float *y, const float *x, int64_t n)
{
#pragma omp simd
    for (int64_t i = 0; i < n; i++) y[i] *= x[i];
}

/* Layer norm of one row of C: y = (x - mean) * rstd * w + b (w, b may be NULL). */
CLONES void vm_layernorm_row(float *y, float *mean, float *rstd, const float *x, const float *w, const float *b,
                             int64_t C, float eps)
{
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int64_t j = 0; j < C; j++) s += x[j];
    float m = s / (float)C, v = 0.0f;
#pragma omp simd reduction(+ : v)
    for (int64_t j = 0; j < C; j++) v += (x[j] - m) * (x[j] - m);
    float r = 1.0f / sqrtf(v / (float)C + eps);
    if (w && b) {
#pragma omp simd
        for (int64_t j = 0; j < C; j++) y[j] = (x[j] - m) * r * w[j] + b[j];
    } else {
#pragma omp simd
        for (int64_t j = 0; j < C; j++) y[j] = (x[j] - m) * r * (w ? w[j] : 1.0f) + (b ? b[j] : 0.0f);
    }
    *mean = m;
    *rstd = r;
}

/* Layer norm backward of one row: dx written (added to when accumulate),
 * dw/db accumulated (may be NULL); dx may be dy when not accumulating. */
CLONES void vm_layernorm_row_backward(float *dx, float *dw, float *db, const float *dy, const float *x, const float *w,
                                      float m, float r, int64_t C, int accumulate)
{
    float s1 = 0.0f, s2 = 0.0f;
#pragma omp simd reduction(+ : s1, s2)
    for (int64_t j = 0; j < C; j++) {
        float n = (x[j] - m) * r;
        float dn = dy[j] * (w ? w[j] : 1.0f);
        s1 += dn;
        s2 += dn * n;
    }
    s1 /= (float)C;
    s2 /= (float)C;
    /* dw, db before dx, so that dx may be dy (written in place) */
    if (dw) {
#pragma omp simd
        for (int64_t j = 0; j < C; j++) dw[j] += dy[j] * (x[j] - m) * r;
    }
    if (db) {
#pragma omp simd
        for (int64_t j = 0; j < C; j++) db[j] += dy[j];
    }
    if (accumulate) {
#pragma omp simd
        for (int64_t j = 0; j < C; j++) {
            float n = (x[j] - m) * r;
            float dn = dy[j] * (w ? w[j] : 1.0f);
            dx[j] += (dn - s1 - n * s2) * r;
        }
        return;
    }
#pragma omp simd
    for (int64_t j = 0; j < C; j++) {
        float n = (x[j] - m) * r;
        float dn = dy[j] * (w ? w[j] : 1.0f);
        dx[j] = (dn - s1 - n * s2) * r;
    }
}
