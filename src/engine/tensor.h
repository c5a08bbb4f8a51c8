/*
 * tensor.h: the public API of llmlab's tensor engine: float32 tensors
 * (int32/int64 for indices) of up to 8 dimensions over refcounted storage,
 * views without copies, broadcasting ops, reductions, BLAS matrix products,
 * and reverse-mode autograd (a tape of nodes recorded by differentiable ops).
 *
 * Conventions (the C API; the Lua API in src/lua/l_tensor.c is 1-based):
 *   - dims are 0-based here; a negative dim counts from the end (-1: last).
 *     Error messages, written for the Lua user, count dims and positions
 *     from 1 (index values such as token ids stay 0-based).
 *   - every function returning `tensor *` returns a NEW reference (free it
 *     with tensor_free) or NULL with the message in llm_last_error();
 *     arguments are borrowed, never consumed.
 *   - index tensors (embedding ids, gather/index_select indices, class
 *     targets, argmax results) hold 0-based int64 (or int32) values.
 *   - arithmetic is float32: int tensors given to arithmetic ops are
 *     converted to float32 first; comparisons give float32 0/1.
 *   - ops record autograd nodes when grad mode is on and an input requires
 *     grad; tensor_backward runs the tape; leaves accumulate into ->grad.
 */
#ifndef LLM_TENSOR_H
#define LLM_TENSOR_H

#include <stdint.h>
#include <stddef.h>
#include "core.h"

#define TENSOR_MAX_DIMS 8

typedef enum tensor_dtype {
    TENSOR_F32 = 0,
    TENSOR_I32,
    TENSOR_I64,
    TENSOR_DTYPE_COUNT
} tensor_dtype;

typedef struct tensor_storage {
    void *data;
    size_t nbytes;
    size_t capacity; /* bytes of the block (a size class of the allocator's cache) */
    int refcount;
    uint32_t version; /* bumped by every in-place write: autograd's check */
} tensor_storage;

struct tensor_node;

typedef struct tensor {
    int refcount;
    tensor_dtype dtype;
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    int64_t stride[TENSOR_MAX_DIMS]; /* in elements */
    int64_t offset;                  /* in elements, into storage */
    tensor_storage *storage;
    int requires_grad;               /* a leaf that wants .grad, or an op output on the tape */
    struct tensor *grad;             /* accumulated gradient of a leaf (NULL until backward) */
    struct tensor_node *node;        /* the op that made it (NULL for leaves) */
} tensor;

/* ---- dtype ---- */
const char *tensor_dtype_name(tensor_dtype d);
int tensor_dtype_parse(const char *name, tensor_dtype *out); /* 0 on success */
size_t tensor_dtype_size(tensor_dtype d);

/* ---- lifetime ---- */
tensor *tensor_ref(tensor *t);          /* +1 reference, returns t */
void tensor_free(tensor *t);            /* -1 reference (NULL is fine) */
size_t tensor_live_bytes(void);         /* bytes of storage alive now */
size_t tensor_total_allocated(void);    /* bytes of storage ever allocated */
size_t tensor_cached_bytes(void);       /* freed blocks kept for reuse */
void tensor_cache_trim(void);           /* give cached blocks back to the system */

/* ---- creation ---- */
tensor *tensor_empty(int ndim, const int64_t *shape, tensor_dtype dtype);
tensor *tensor_zeros(int ndim, const int64_t *shape, tensor_dtype dtype);
tensor *tensor_full(int ndim, const int64_t *shape, double value, tensor_dtype dtype);
tensor *tensor_from_data(int ndim, const int64_t *shape, tensor_dtype dtype, const void *data);
tensor *tensor_scalar(double value);    /* 0-dim float32 */
tensor *tensor_arange(double start, double stop, double step, tensor_dtype dtype);
tensor *tensor_linspace(double start, double stop, int64_t steps);
tensor *tensor_eye(int64_t n, int64_t m);
tensor *tensor_rand(int ndim, const int64_t *shape);             /* U[0,1) */
tensor *tensor_randn(int ndim, const int64_t *shape);            /* N(0,1) */
tensor *tensor_uniform_(tensor *t, double lo, double hi);        /* in place */
tensor *tensor_normal_(tensor *t, double mean, double std);      /* in place */
/* in place; values beyond [a, b] (absolute bounds) are redrawn */
tensor *tensor_trunc_normal_(tensor *t, double mean, double std, double a, double b);

/* ---- element access ---- */
int64_t tensor_numel(const tensor *t);
int tensor_is_contiguous(const tensor *t);
double tensor_get(const tensor *t, const int64_t *idx);       /* idx has ndim entries, 0-based */
void tensor_set(tensor *t, const int64_t *idx, double v);      /* bumps the version */
double tensor_get_flat(const tensor *t, int64_t i);            /* i-th element in row-major order */
llm_status tensor_item(const tensor *t, double *out);          /* one-element tensor -> number */
/* Pointer to element 0 (storage data + offset) of a float32 tensor. */
float *tensor_f32(const tensor *t);
/* Copy the elements in row-major order into buf (as double). */
void tensor_copy_to_double(const tensor *t, double *buf);
/* "{2,3}" into buf (for messages). */
const char *tensor_shape_str(const tensor *t, char *buf, size_t n);
void tensor_bump_version(tensor *t);
/* LLM_OK, or an error when t requires grad while grad mode is on (in-place writes are refused). */
llm_status tensor_check_writable(const tensor *t, const char *op);

/* ---- views (share storage; differentiable) ---- */
tensor *tensor_reshape(const tensor *t, int ndim, const int64_t *shape); /* one -1 allowed; copies if needed */
tensor *tensor_view(const tensor *t, int ndim, const int64_t *shape);    /* never copies: error if impossible */
tensor *tensor_permute(const tensor *t, const int *perm);
tensor *tensor_transpose(const tensor *t, int d0, int d1);
tensor *tensor_narrow(const tensor *t, int dim, int64_t start, int64_t length);
tensor *tensor_slice(const tensor *t, int dim, int64_t start, int64_t stop, int64_t step); /* [start, stop) */
tensor *tensor_select(const tensor *t, int dim, int64_t index);            /* drops dim */
tensor *tensor_expand(const tensor *t, int ndim, const int64_t *shape);   /* -1 keeps a size */
tensor *tensor_squeeze(const tensor *t, int dim);                         /* dim = TENSOR_ALL_DIMS: all size-1 */
tensor *tensor_unsqueeze(const tensor *t, int dim);
tensor *tensor_flatten(const tensor *t, int start, int end);
tensor *tensor_contiguous(const tensor *t);  /* t itself (+1 ref) when already contiguous */
tensor *tensor_clone(const tensor *t);       /* always a fresh contiguous copy */
tensor *tensor_detach(const tensor *t);      /* shares storage, off the tape */
tensor *tensor_to_dtype(const tensor *t, tensor_dtype dtype); /* not differentiable */
#define TENSOR_ALL_DIMS 1000

/* ---- elementwise (broadcasting) ---- */
tensor *tensor_add(const tensor *a, const tensor *b);
tensor *tensor_sub(const tensor *a, const tensor *b);
tensor *tensor_mul(const tensor *a, const tensor *b);
tensor *tensor_div(const tensor *a, const tensor *b);
tensor *tensor_pow(const tensor *a, const tensor *b);
tensor *tensor_maximum(const tensor *a, const tensor *b);
tensor *tensor_minimum(const tensor *a, const tensor *b);
tensor *tensor_add_scalar(const tensor *a, double s);
tensor *tensor_mul_scalar(const tensor *a, double s);
tensor *tensor_pow_scalar(const tensor *a, double s);
tensor *tensor_rsub_scalar(const tensor *a, double s);   /* s - a */
tensor *tensor_rdiv_scalar(const tensor *a, double s);   /* s / a */
/* comparisons: float32 0/1, never differentiable */
tensor *tensor_eq(const tensor *a, const tensor *b);
tensor *tensor_ne(const tensor *a, const tensor *b);
tensor *tensor_lt(const tensor *a, const tensor *b);
tensor *tensor_le(const tensor *a, const tensor *b);
tensor *tensor_gt(const tensor *a, const tensor *b);
tensor *tensor_ge(const tensor *a, const tensor *b);
tensor *tensor_where(const tensor *cond, const tensor *a, const tensor *b); /* cond != 0 ? a : b */
tensor *tensor_masked_fill(const tensor *a, const tensor *mask, double value);
tensor *tensor_clamp(const tensor *a, double lo, double hi);

tensor *tensor_neg(const tensor *a);
tensor *tensor_abs(const tensor *a);
tensor *tensor_exp(const tensor *a);
tensor *tensor_log(const tensor *a);
tensor *tensor_sqrt(const tensor *a);
tensor *tensor_rsqrt(const tensor *a);
tensor *tensor_tanh(const tensor *a);
tensor *tensor_sigmoid(const tensor *a);
tensor *tensor_relu(const tensor *a);
tensor *tensor_gelu(const tensor *a, int tanh_approx);
tensor *tensor_silu(const tensor *a);

/* ---- in place (bump the version; refused on a tensor that requires grad
 *      while grad mode is on, since the tape could not follow them) ---- */
llm_status tensor_fill_(tensor *t, double v);
llm_status tensor_copy_(tensor *dst, const tensor *src);          /* src broadcasts to dst */
llm_status tensor_add_(tensor *dst, const tensor *src, double alpha); /* dst += alpha*src */
llm_status tensor_mul_(tensor *dst, const tensor *src);           /* dst *= src */
llm_status tensor_scale_(tensor *dst, double s);                  /* dst *= s */
/* AdamW on contiguous float32 tensors of one shape (param, grad, m, v). */
llm_status tensor_adamw_(tensor *param, const tensor *grad, tensor *m, tensor *v,
                         double lr, double beta1, double beta2, double eps,
                         double weight_decay, int64_t step);

/* ---- reductions: dims is a bitmask of dims (bit d = dim d); 0 = all ---- */
tensor *tensor_sum(const tensor *t, uint32_t dims, int keepdim);
tensor *tensor_mean(const tensor *t, uint32_t dims, int keepdim);
tensor *tensor_var(const tensor *t, uint32_t dims, int keepdim, int correction);
tensor *tensor_std(const tensor *t, uint32_t dims, int keepdim, int correction);
/* max/min over one dim (dim = TENSOR_ALL_DIMS: over all); indices may be NULL */
tensor *tensor_max(const tensor *t, int dim, int keepdim, tensor **indices);
tensor *tensor_min(const tensor *t, int dim, int keepdim, tensor **indices);
tensor *tensor_argmax(const tensor *t, int dim, int keepdim);
tensor *tensor_argmin(const tensor *t, int dim, int keepdim);
/* sum a broadcast result back to `shape` (the backward of broadcasting) */
tensor *tensor_sum_to_shape(const tensor *t, int ndim, const int64_t *shape);

/* ---- linear algebra ---- */
tensor *tensor_matmul(const tensor *a, const tensor *b);           /* batched, broadcasting */
tensor *tensor_linear(const tensor *x, const tensor *w, const tensor *b); /* x @ w^T + b; b may be NULL */
/* act(x @ w^T + b) in one pass over blocks of rows (the first half of an MLP;
 * tensor/linear_act.c); the same values as tensor_linear then the activation */
enum { TENSOR_ACT_GELU_TANH = 1, TENSOR_ACT_GELU_ERF, TENSOR_ACT_SILU };
tensor *tensor_linear_act(const tensor *x, const tensor *w, const tensor *b, int act);
/* act(x @ w1^T + b1) @ w2^T + b2, a transformer's MLP, in one pass over blocks of rows
 * (the hidden activation is never stored: the backward recomputes it); biases may be NULL */
tensor *tensor_mlp(const tensor *x, const tensor *w1, const tensor *b1, const tensor *w2, const tensor *b2, int act);
/* The engine runs BLAS on one thread and splits work over OpenMP itself:
 * kernels that call BLAS call enter first (it returns the count to put
 * back) and leave after, outside any parallel region. */
int tensor_blas_enter(void);
void tensor_blas_leave(int prev);

/* ---- indexing / joining ---- */
tensor *tensor_cat(int n, tensor *const *ts, int dim);
tensor *tensor_stack(int n, tensor *const *ts, int dim);
tensor *tensor_index_select(const tensor *t, int dim, const tensor *index);
tensor *tensor_gather(const tensor *t, int dim, const tensor *index);
tensor *tensor_scatter_add(const tensor *t, int dim, const tensor *index, const tensor *src);
tensor *tensor_embedding(const tensor *weight, const tensor *ids);   /* (V, C), (...) -> (..., C) */
tensor *tensor_one_hot(const tensor *ids, int64_t classes);

/* ---- fused nn ops (kernels in src/engine/nn/, see nn.h) ---- */
tensor *tensor_softmax(const tensor *t, int dim);
tensor *tensor_log_softmax(const tensor *t, int dim);
tensor *tensor_layer_norm(const tensor *x, const tensor *w, const tensor *b, double eps); /* w, b may be NULL */
tensor *tensor_rms_norm(const tensor *x, const tensor *w, double eps);
typedef enum tensor_reduction { TENSOR_REDUCE_MEAN = 0, TENSOR_REDUCE_SUM, TENSOR_REDUCE_NONE } tensor_reduction;
/* logits (N, C) or (..., C), targets (N) or (...) int: 0-based classes */
tensor *tensor_cross_entropy(const tensor *logits, const tensor *targets, int64_t ignore_index,
                             double label_smoothing, tensor_reduction reduction);
/* q, k, v: (B, H, T, D) (or (H,T,D), (T,D)); mask (T, T) broadcastable float: 0 keep / nonzero drop; scale <= 0: 1/sqrt(D) */
tensor *tensor_attention(const tensor *q, const tensor *k, const tensor *v, const tensor *mask,
                         int causal, double scale);
/* The same on a packed projection: qkv (B, T, 3C) or (T, 3C) holding q | k | v, each C = heads x D with
 * the heads side by side; returns (B, T, C) (heads side by side again). No copies either way: the
 * kernel reads the heads in place and the backward writes one (B, T, 3C) gradient. */
tensor *tensor_attention_packed(const tensor *qkv, int64_t heads, const tensor *mask, int causal, double scale);
tensor *tensor_dropout(const tensor *t, double p, int training);

/* ---- autograd ---- */
void tensor_set_grad_enabled(int on);
int tensor_grad_enabled(void);
llm_status tensor_set_requires_grad(tensor *t, int on);
/* grad may be NULL for a one-element tensor; retain keeps the graph for another backward */
llm_status tensor_backward(tensor *t, const tensor *grad, int retain_graph);
void tensor_zero_grad(tensor *t);      /* drops t->grad */
const char *tensor_grad_fn_name(const tensor *t); /* op that made t, or NULL */
const char *tensor_op_name(int op);               /* name of op i of the op table, NULL past the end */

#endif
