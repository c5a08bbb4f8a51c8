/*
 * vmath.h: vectorised row kernels (see vmath.c) shared by the fused nn
 * kernels and the elementwise ops: max, sum, dot, exp with a shift, and
 * exp/tanh/sigmoid/SiLU/GELU(tanh) with their derivatives.
 */
#ifndef LLM_VMATH_H
#define LLM_VMATH_H

#include <stdint.h>

/* VM_CLONES: build a hot loop three times (AVX-512, AVX2+FMA, baseline
 * x86-64) and let the loader pick the one the CPU runs (gcc target_clones).
 * The -O2 build does not vectorise loops whose pointers may alias, so the
 * files with elementwise loops also ask for O3 (see vmath.c). Off under the
 * sanitizers, whose runtime does not follow the clones. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define VM_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VM_CLONES
#endif

enum { VM_EXP = 1, VM_TANH, VM_SIGMOID, VM_SILU, VM_GELU_TANH, VM_GELU_ERF };

float vm_max(const float *x, int64_t n);
float vm_sum(const float *x, int64_t n);
float vm_dot(const float *x, const float *y, int64_t n);
/* y[i] = exp(x[i] - m); returns the sum (y may be x) */
float vm_exp_sub(float *y, const float *x, int64_t n, float m);
/* sum of exp(x[i] - m) */
float vm_sum_exp_sub(const float *x, int64_t n, float m);
void vm_scale(float *y, int64_t n, float s);
/* y[i] = p[i] * (y[i] - d): the softmax backward of one row */
void vm_mul_sub(float *y, const float *p, int64_t n, float d);
void vm_axpy(float *y, const float *x, int64_t n, float a);
/* y = f(x) for f in VM_* (y may be x) */
void vm_unary(int kind, float *y, const float *x, int64_t n);
/* dx = g * f'(.): v is y for EXP/TANH/SIGMOID, x for SILU/GELU_TANH/GELU_ERF */
void vm_unary_grad(int kind, float *dx, const float *g, const float *v, int64_t n);
/* y = f(x) and d = f'(x) in one pass, for SILU/GELU_TANH/GELU_ERF (SILU, GELU_TANH: one exponential for both;
 * GELU_ERF: an erf for both and one exponential for d) */
void vm_unary_and_grad(int kind, float *y, float *d, const float *x, int64_t n);
/* y[i] *= x[i] */
void vm_mul(float *y, const float *x, int64_t n);

/* one row of layer norm, forward and backward (dw, db accumulate; may be NULL;
 * dx is written, or added to when accumulate; it may be dy when not) */
void vm_layernorm_row(float *y, float *mean, float *rstd, const float *x, const float *w, const float *b, int64_t C,
                      float eps);
void vm_layernorm_row_backward(float *dx, float *dw, float *db, const float *dy, const float *x, const float *w,
                               float m, float r, int64_t C, int accumulate);

#endif
