/*
 * ops.c: the names of the op table in internal.h, as errors and grad_fn
 * show them. The static_assert keeps the table and the enum in step.
 */
#include "internal.h"

const char *const tensor_op_names[OP_COUNT] = {
    "none",
    "reshape", "permute", "slice", "select", "expand", "contiguous",
    "add", "sub", "mul", "div", "pow", "maximum", "minimum", "where",
    "add_scalar", "mul_scalar", "pow_scalar", "rsub_scalar", "rdiv_scalar",
    "masked_fill", "clamp",
    "neg", "abs", "exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid",
    "relu", "gelu_tanh", "gelu", "silu",
    "sum", "mean", "var", "max", "min",
    "matmul", "linear", "linear_act", "mlp",
    "cat", "index_select", "gather", "scatter_add", "embedding",
    "softmax", "log_softmax", "layer_norm", "rms_norm", "cross_entropy",
    "attention", "dropout",
    "rnn", "lstm", "gru",
};

static_assert(sizeof tensor_op_names / sizeof tensor_op_names[0] == OP_COUNT,
              "tensor_op_names must list every op of tensor_op");

const char *tensor_op_name(int op) { return op >= 0 && op < OP_COUNT ? tensor_op_names[op] : NULL; }
