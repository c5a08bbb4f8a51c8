/*
 * internal.h: what the files of src/engine/tensor/ and src/engine/nn/ share
 * and the outside does not: the op table (one enum, one name table, a
 * static_assert keeping them in step), the autograd node, the strided
 * iteration helpers and the thresholds for OpenMP.
 */
#ifndef LLM_TENSOR_INTERNAL_H
#define LLM_TENSOR_INTERNAL_H

#include <assert.h>
#include <string.h>
#include "tensor.h"

/* Messages count dims and positions from 1, as the Lua API does (index
 * values such as token ids stay 0-based): LBL(d) is what a message shows. */
#define LBL(x) ((x) >= 0 ? (long long)(x) + 1 : (long long)(x))

/* Elementwise loops and reductions go parallel above this many elements:
 * each OpenMP region costs a wake-up of the team (microseconds when idle,
 * much more on a busy machine), which small memory-bound loops do not repay
 * (measured on GPT config S at 2 threads: 32K 484 ms/step, 256K 430, 1M 640). */
#define TENSOR_OMP_MIN 262144

/* The op table: every op that can appear on the autograd tape. Add an op:
 * a line here, its name in ops.c, its backward rule in backward.c, and one
 * entry in the gradient-check table of tests/lua/test_tensor_grad.lua. */
typedef enum tensor_op {
    OP_NONE = 0,
    /* views */
    OP_RESHAPE, OP_PERMUTE, OP_SLICE, OP_SELECT, OP_EXPAND, OP_CONTIGUOUS,
    /* elementwise binary */
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_POW, OP_MAXIMUM, OP_MINIMUM, OP_WHERE,
    /* elementwise with a scalar */
    OP_ADD_SCALAR, OP_MUL_SCALAR, OP_POW_SCALAR, OP_RSUB_SCALAR, OP_RDIV_SCALAR,
    OP_MASKED_FILL, OP_CLAMP,
    /* unary */
    OP_NEG, OP_ABS, OP_EXP, OP_LOG, OP_SQRT, OP_RSQRT, OP_TANH, OP_SIGMOID,
    OP_RELU, OP_GELU_TANH, OP_GELU_ERF, OP_SILU,
    /* reductions */
    OP_SUM, OP_MEAN, OP_VAR, OP_MAX, OP_MIN,
    /* linear algebra */
    OP_MATMUL, OP_LINEAR, OP_LINEAR_ACT, OP_MLP,
    /* indexing and joining */
    OP_CAT, OP_INDEX_SELECT, OP_GATHER, OP_SCATTER_ADD, OP_EMBEDDING,
    /* fused nn */
    OP_SOFTMAX, OP_LOG_SOFTMAX, OP_LAYER_NORM, OP_RMS_NORM, OP_CROSS_ENTROPY,
    OP_ATTENTION, OP_DROPOUT,
    /* fused recurrent layers (nn/recurrent_op.c) */
    OP_RNN, OP_LSTM, OP_GRU,
    OP_COUNT
} tensor_op;

extern const char *const tensor_op_names[OP_COUNT];

#define NODE_MAX_SAVED 8 /* the LSTM keeps x, 2 weights, out, h0, c0, lengths, gates */

/* One entry of the tape: made by an op whose output needs a gradient.
 * Edges point at the producers of the inputs (a node) or at the leaf
 * tensor that collects the gradient; a node never points at its own
 * output, so there are no reference cycles. */
typedef struct tensor_edge {
    struct tensor_node *node; /* producer of this input (owned ref), or NULL */
    tensor *leaf;             /* leaf requiring grad (owned ref), or NULL */
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS]; /* the input's shape (for broadcasting back) */
} tensor_edge;

typedef struct tensor_node {
    int refcount;
    tensor_op op;
    int n_in;
    tensor_edge *in;                   /* n_in edges (some may lead nowhere) */
    int n_saved;
    tensor *saved[NODE_MAX_SAVED];     /* tensors the backward rule needs */
    uint32_t saved_version[NODE_MAX_SAVED];
    int64_t ip[TENSOR_MAX_DIMS + 4];   /* integer parameters (dims, sizes) */
    double fp[4];                      /* float parameters (eps, p, scale) */
    int out_ndim;
    int64_t out_shape[TENSOR_MAX_DIMS];
    tensor *grad;                      /* gradient accumulated for the output during backward */
    int freed;                         /* saved tensors released by an earlier backward */
    int mark;                          /* topological sort scratch */
} tensor_node;

/* ---- tensors.c ---- */
tensor *tensor_alloc_header(void);
tensor *tensor_new_like_shape(int ndim, const int64_t *shape, tensor_dtype dtype, int zero);
tensor *tensor_alias(const tensor *t); /* a new header on the same storage, off the tape */
void tensor_set_contiguous_strides(tensor *t);
int tensor_norm_dim(const tensor *t, int dim, const char *op); /* -1 after llm_fail */
int tensor_same_shape(const tensor *a, const tensor *b);
const char *shape_str(int ndim, const int64_t *shape, char *buf, size_t n);
int64_t tensor_index_at(const tensor *t, int64_t i); /* int tensor element (row-major i) */
/* Scratch buffers for ops (64-byte aligned), from the same cache of freed
 * blocks as tensor storage: a kernel that takes tens of MB of scratch every
 * step would otherwise get fresh pages (and their faults) from malloc each
 * time. Master thread only, like tensor allocation. */
void *tensor_scratch_alloc(size_t nbytes, size_t *cap);
void tensor_scratch_free(void *p, size_t cap);

/* A contiguous float32 tensor that no one else can see (one reference to
 * the header, one to the storage, off the tape): backward may write into it
 * in place. Gradients that tensor_backward hands to a rule often are. */
static inline int tensor_exclusive(const tensor *t)
{
    return t->refcount == 1 && t->storage->refcount == 1 && !t->node && t->dtype == TENSOR_F32 &&
           tensor_is_contiguous(t);
}

/* ---- autograd.c ---- */
/* Whether an op with these inputs must record a node. */
int autograd_needed(int n, const tensor *const *inputs);
/* Make a node for out: edges to inputs (NULL entries allowed), sets out->node. */
tensor_node *autograd_record(tensor *out, tensor_op op, int n, const tensor *const *inputs);
void autograd_save(tensor_node *node, const tensor *t); /* saves an alias (with its version) */
void node_release(tensor_node *n);
/* Backward rule of one node (backward.c): grads[i] for each input (NULL: none). */
llm_status backward_rule(tensor_node *node, const tensor *g, tensor **grads);
/* The backward of a slice/select node added into *acc, its input's gradient
 * so far (NULL: none yet; replaced by a new tensor unless it can be written in place). */
llm_status backward_view_into(tensor_node *node, const tensor *g, tensor **acc);
/* The backward of a layer/RMS norm node with dx added into acc (exclusive, the input's shape);
 * grads[0] stays NULL, grads[1], grads[2] as backward_rule. */
llm_status backward_norm_into(tensor_node *node, const tensor *g, tensor *acc, tensor **grads);

/* ---- elementwise.c ---- */
int broadcast_shapes(int na, const int64_t *sa, int nb, const int64_t *sb, int *nout, int64_t *out);
tensor *elementwise_binary(tensor_op op, const tensor *a, const tensor *b, double s);
tensor *elementwise_unary(tensor_op op, const tensor *a, double p0, double p1);
/* out[i] = a[i] (strided/broadcast copy into a tensor of out's shape) */
void strided_copy(tensor *dst, const tensor *src);
/* The derivative factor of a unary op, given its input x and output y. */
tensor *unary_grad(tensor_op op, const tensor *x, const tensor *y, const tensor *g, double p0);

/* ---- view.c ---- */
tensor *view_make(const tensor *t, int ndim, const int64_t *shape, const int64_t *stride, int64_t offset);

/* ---- linear_act.c ---- */
llm_status linear_act_backward(tensor_node *node, const tensor *g, tensor **grads);
llm_status mlp_backward(tensor_node *node, const tensor *g, tensor **grads);

/* ---- index.c ---- */
tensor *embedding_backward(const tensor *g, const tensor *ids, int64_t V);

/* ---- nn/fused.c ---- */
llm_status attention_backward_tensors(const tensor *g, tensor *const *saved, int has_mask, int causal, float scale,
                                      tensor **dq, tensor **dk, tensor **dv);
/* the backward of a cross entropy: the forward wrote the gradient for an upstream 1 (saved[0]) */
llm_status cross_entropy_saved_backward(const tensor *g, tensor *const *saved, int reduction, tensor **dlogits);
/* the backward of tensor_attention_packed: ip[2] = heads on its node */
llm_status attention_packed_backward(const tensor *g, tensor *const *saved, int64_t heads, int has_mask, int causal,
                                     float scale, tensor **dqkv);

/* ---- nn/recurrent_op.c ---- */
llm_status recurrent_backward_tensors(tensor_node *n, const tensor *g, tensor **grads);

/* ---- reduce.c ---- */
tensor *reduce_sum_dims(const tensor *t, uint32_t dims, int keepdim);

/* Guard used by every op entry point: run the body with grad mode off. */
#define GRAD_OFF_BEGIN int grad_was_ = tensor_grad_enabled(); tensor_set_grad_enabled(0)
#define GRAD_OFF_END tensor_set_grad_enabled(grad_was_)

#endif
