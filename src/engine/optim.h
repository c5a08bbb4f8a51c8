/*
 * optim.h: optimizer update kernels on raw float32 buffers, one call per
 * parameter tensor, so that a Lua optimizer step costs one C call per
 * parameter instead of a chain of temporary tensors. The formulas are
 * PyTorch's (torch.optim.SGD / Adam / AdamW), checked against fixtures made
 * with PyTorch (tests/fixtures/make_optim_fixtures.py).
 *
 * Buffers: p (param), g (grad), state buffers all hold n floats.
 */
#ifndef LLM_OPTIM_H
#define LLM_OPTIM_H

#include <stdint.h>

/* SGD: g' = g + wd*p; with momentum: buf = first ? g' : momentum*buf +
 * (1-dampening)*g', then the step direction is g' + momentum*buf (Nesterov)
 * or buf; p -= lr * direction. buf may be NULL when momentum is 0. */
void optim_sgd_step(float *p, const float *g, float *buf, int64_t n, float lr, float momentum,
                    float dampening, float weight_decay, int nesterov, int first);

/* Adam / AdamW at step t (1 for the first): decoupled = 1 shrinks p by
 * lr*wd first (AdamW); decoupled = 0 adds wd*p to the gradient (Adam's L2).
 * m, v: first and second moment buffers (zero before the first step). */
void optim_adam_step(float *p, const float *g, float *m, float *v, int64_t n, float lr, float beta1,
                     float beta2, float eps, float weight_decay, int decoupled, int64_t t);

/* Sum of squares of n floats (accumulated in double): for global-norm clipping. */
double optim_sum_squares(const float *g, int64_t n);

/* x *= s */
void optim_scale(float *x, int64_t n, float s);

#endif
