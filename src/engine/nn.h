/*
 * nn.h: the fused kernels of llmlab's nn blocks on raw float32 buffers,
 * llm.c style: *_forward / *_backward pairs, gradients first in the
 * argument list, a shape comment on each buffer. Backward functions ADD
 * into parameter gradients (dweight, dbias) and WRITE input gradients.
 * The tensor-level ops with autograd (tensor_softmax, tensor_layer_norm,
 * tensor_attention, ...) in tensor.h call these.
 */
#ifndef LLM_NN_H
#define LLM_NN_H

#include <stdint.h>

/* softmax / log_softmax over the last dim of (N, C) rows */
void nn_softmax_forward(float *out, const float *inp, int64_t N, int64_t C);
void nn_softmax_backward(float *dinp, const float *dout, const float *out, int64_t N, int64_t C);
void nn_log_softmax_forward(float *out, const float *inp, int64_t N, int64_t C);
void nn_log_softmax_backward(float *dinp, const float *dout, const float *out, int64_t N, int64_t C);

/* layer norm over C: out (N, C), mean (N), rstd (N); weight, bias (C) may be NULL */
void nn_layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *weight,
                          const float *bias, int64_t N, int64_t C, float eps);
/* dinp (N, C) written (may be dout), or added to when accumulate; dweight, dbias (C)
 * accumulated (either may be NULL) */
void nn_layernorm_backward(float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                           const float *weight, const float *mean, const float *rstd, int64_t N, int64_t C,
                           int accumulate);

/* RMS norm over C: out (N, C), rstd (N); weight (C) may be NULL */
void nn_rmsnorm_forward(float *out, float *rstd, const float *inp, const float *weight, int64_t N, int64_t C,
                        float eps);
void nn_rmsnorm_backward(float *dinp, float *dweight, const float *dout, const float *inp, const float *weight,
                         const float *rstd, int64_t N, int64_t C, int accumulate);

/* cross entropy of logits (N, C) against targets (N, 0-based; ignore_index skipped):
 * losses (N), lse (N) each row's log-sum-exp; returns the count of non-ignored rows */
int64_t nn_crossentropy_forward(float *losses, float *lse, const float *logits, const int64_t *targets, int64_t N,
                                int64_t C, int64_t ignore_index, float smoothing);
/* The forward and, in the same pass over each row, the gradient of the loss
 * w * sum_n losses[n]: dlogits = w (softmax - smoothed one-hot), 0 on ignored rows. */
void nn_crossentropy_forward_grad(float *losses, float *dlogits, const float *logits, const int64_t *targets, int64_t N,
                                  int64_t C, int64_t ignore_index, float smoothing, float w);

/* scaled dot-product attention over (B, H, T, D) tensors whose last dim is
 * unit-stride; each has its own batch, head and row strides (in floats), so
 * q/k/v can be views of a (B, T, H, D) or packed (B, T, 3C) buffer without copies.
 * lse (B*H, T) contiguous is kept for backward; mask (T, T) or NULL: nonzero
 * drops the pair; causal drops j > i.
 * Both return 0, or -1 when scratch memory could not be allocated. */
typedef struct nn_attn_layout { int64_t sb, sh, st; } nn_attn_layout;
int nn_attention_forward(float *out, float *lse, const float *q, const float *k, const float *v, const float *mask,
                         int64_t B, int64_t H, int64_t T, int64_t D, const nn_attn_layout *lq,
                         const nn_attn_layout *lk, const nn_attn_layout *lv, const nn_attn_layout *lo, float scale,
                         int causal);
/* dq, dk, dv written (in their layouts); dout read in its layout lg */
int nn_attention_backward(float *dq, float *dk, float *dv, const float *dout, const float *q, const float *k,
                          const float *v, const float *out, const float *lse, const float *mask, int64_t B, int64_t H,
                          int64_t T, int64_t D, const nn_attn_layout *lq, const nn_attn_layout *lk,
                          const nn_attn_layout *lv, const nn_attn_layout *lo, const nn_attn_layout *lg,
                          const nn_attn_layout *ldq, const nn_attn_layout *ldk, const nn_attn_layout *ldv, float scale,
                          int causal);

#endif
