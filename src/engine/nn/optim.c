/*
 * optim.c: the optimizer update kernels of optim.h (SGD with momentum and
 * Nesterov, Adam, AdamW) and the sum of squares behind global-norm
 * gradient clipping. Plain loops the compiler vectorises; OpenMP splits
 * them above a size where threads pay off.
 */
#include "optim.h"

#include <math.h>

#define OPTIM_PAR_MIN 32768

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

void optim_adam_step(float *p, const float *g, float *m, float *v, int64_t n, float lr, float beta1,
                     float beta2, float eps, float weight_decay, int decoupled, int64_t t)
{
    /* Bias corrections as PyTorch applies them: step = lr / bc1 and
     * denominator sqrt(v) / sqrt(bc2) + eps. */
    double bc1 = 1.0 - pow((double)beta1, (double)t);
    double bc2 = 1.0 - pow((double)beta2, (double)t);
    float step = (float)(lr / bc1);
    float rbc2 = (float)(1.0 / sqrt(bc2));
    float shrink = decoupled ? 1.0f - lr * weight_decay : 1.0f;
    float l2 = decoupled ? 0.0f : weight_decay;
#pragma omp parallel for schedule(static) if (n > OPTIM_PAR_MIN)
    for (int64_t i = 0; i < n; i++) {
        float pi = p[i] * shrink;
        float gi = g[i] + l2 * pi;
        float mi = beta1 * m[i] + (1.0f - beta1) * gi;
        float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = pi - step * mi / (sqrtf(vi) * rbc2 + eps);
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
