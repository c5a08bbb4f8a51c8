/*
 * recurrent_op.c: tensor_recurrent (recurrent.h), the fused RNN/LSTM/GRU
 * layer as an op of the tensor engine: argument and shape checks,
 * contiguous operands for the kernels of recurrent.c, the autograd node
 * (OP_RNN, OP_LSTM or OP_GRU) and its backward rule, which backward.c's
 * switch calls. Inputs on the tape, in order: x, h0, c0, w_ih, w_hh, b_ih,
 * b_hh (absent ones are NULL edges).
 */
#include <stdlib.h>
#include "tensor/internal.h"
#include "recurrent.h"

/* ip[] of the node: mode, then the saved slot of each optional tensor (-1: none) */
enum { IP_MODE = 0, IP_H0, IP_C0, IP_LEN, IP_WS };
/* fixed saved slots */
enum { SV_X = 0, SV_WIH, SV_WHH, SV_OUT };

static tensor_op op_of(tensor_rnn_mode mode)
{
    return mode == TENSOR_RNN_LSTM ? OP_LSTM : mode == TENSOR_RNN_GRU ? OP_GRU : OP_RNN;
}

static int check_f32(const tensor *t, const char *op, const char *what)
{
    if (t && t->dtype != TENSOR_F32) {
        llm_fail(LLM_ERR_ARG, "%s: %s must be float32, not %s", op, what, tensor_dtype_name(t->dtype));
        return -1;
    }
    return 0;
}

static int check_shape(const tensor *t, int ndim, int64_t a, int64_t b, const char *op, const char *what)
{
    char s[96];
    if (!t) return 0;
    if (t->ndim != ndim || t->shape[0] != a || (ndim > 1 && t->shape[1] != b)) {
        if (ndim == 1)
            llm_fail(LLM_ERR_SHAPE, "%s: %s has shape %s, expected {%lld}", op, what, tensor_shape_str(t, s, sizeof s),
                     (long long)a);
        else
            llm_fail(LLM_ERR_SHAPE, "%s: %s has shape %s, expected {%lld,%lld}", op, what,
                     tensor_shape_str(t, s, sizeof s), (long long)a, (long long)b);
        return -1;
    }
    return 0;
}

tensor *tensor_recurrent(tensor_rnn_mode mode, const tensor *x, const tensor *h0, const tensor *c0,
                         const tensor *w_ih, const tensor *w_hh, const tensor *b_ih, const tensor *b_hh,
                         const tensor *lengths)
{
    char s1[96], s2[96];
    if ((unsigned)mode >= TENSOR_RNN_MODE_COUNT) {
        llm_fail(LLM_ERR_ARG, "recurrent: unknown mode %d", (int)mode);
        return NULL;
    }
    const char *op = tensor_rnn_mode_name(mode);
    if (!x || !w_ih || !w_hh) {
        llm_fail(LLM_ERR_ARG, "%s: the input and both weight matrices are required", op);
        return NULL;
    }
    if (check_f32(x, op, "the input") || check_f32(h0, op, "h0") || check_f32(c0, op, "c0") ||
        check_f32(w_ih, op, "weight_ih") || check_f32(w_hh, op, "weight_hh") || check_f32(b_ih, op, "bias_ih") ||
        check_f32(b_hh, op, "bias_hh"))
        return NULL;
    if (c0 && mode != TENSOR_RNN_LSTM) {
        llm_fail(LLM_ERR_ARG, "%s: a cell state c0 is only for the LSTM", op);
        return NULL;
    }
    if (x->ndim != 3) {
        llm_fail(LLM_ERR_SHAPE, "%s: the input has shape %s; expected (T, B, input_size), time first", op,
                 tensor_shape_str(x, s1, sizeof s1));
        return NULL;
    }
    const int64_t G = tensor_rnn_gates(mode), T = x->shape[0], B = x->shape[1], In = x->shape[2];
    if (T < 1 || B < 1) {
        llm_fail(LLM_ERR_SHAPE, "%s: the input %s has no steps or no sequences", op, tensor_shape_str(x, s1, sizeof s1));
        return NULL;
    }
    if (w_ih->ndim != 2 || w_ih->shape[1] != In || w_ih->shape[0] % G || w_ih->shape[0] == 0) {
        llm_fail(LLM_ERR_SHAPE, "%s: weight_ih has shape %s; expected {%lld*hidden,%lld} for input %s", op,
                 tensor_shape_str(w_ih, s1, sizeof s1), (long long)G, (long long)In, tensor_shape_str(x, s2, sizeof s2));
        return NULL;
    }
    const int64_t H = w_ih->shape[0] / G, GH = G * H;
    if (check_shape(w_hh, 2, GH, H, op, "weight_hh") || check_shape(b_ih, 1, GH, 0, op, "bias_ih") ||
        check_shape(b_hh, 1, GH, 0, op, "bias_hh") || check_shape(h0, 2, B, H, op, "h0") ||
        check_shape(c0, 2, B, H, op, "c0"))
        return NULL;
    if (lengths) {
        if (lengths->dtype == TENSOR_F32 || lengths->ndim != 1 || lengths->shape[0] != B) {
            llm_fail(LLM_ERR_ARG, "%s: lengths must be an int tensor of %lld entries (one per sequence)", op,
                     (long long)B);
            return NULL;
        }
        for (int64_t b = 0; b < B; b++) {
            int64_t l = tensor_index_at(lengths, b);
            if (l < 1 || l > T) {
                llm_fail(LLM_ERR_ARG, "%s: length %lld of sequence %lld is outside 1..%lld", op, (long long)l,
                         (long long)b + 1, (long long)T);
                return NULL;
            }
        }
    }

    GRAD_OFF_BEGIN;
    tensor *xc = tensor_contiguous(x), *wi = tensor_contiguous(w_ih), *wh = tensor_contiguous(w_hh);
    tensor *bi = b_ih ? tensor_contiguous(b_ih) : NULL, *bh = b_hh ? tensor_contiguous(b_hh) : NULL;
    tensor *hc = h0 ? tensor_contiguous(h0) : NULL, *cc = c0 ? tensor_contiguous(c0) : NULL;
    tensor *lc = NULL;
    if (lengths) {
        tensor *l64 = tensor_to_dtype(lengths, TENSOR_I64);
        lc = l64 ? tensor_contiguous(l64) : NULL;
        tensor_free(l64);
    }
    int64_t oshape[4] = {2, T, B, H};
    int lstm = mode == TENSOR_RNN_LSTM;
    tensor *out = lstm ? tensor_empty(4, oshape, TENSOR_F32) : tensor_empty(3, oshape + 1, TENSOR_F32);
    int64_t wshape[3] = {T, B, 4 * H};
    tensor *ws = (lstm || mode == TENSOR_RNN_GRU) ? tensor_empty(3, wshape, TENSOR_F32) : NULL;
    GRAD_OFF_END;
    tensor *res = NULL;
    if (!xc || !wi || !wh || (b_ih && !bi) || (b_hh && !bh) || (h0 && !hc) || (c0 && !cc) || (lengths && !lc) ||
        !out || ((lstm || mode == TENSOR_RNN_GRU) && !ws))
        goto done;
    rnn_dims d = {T, B, In, H};
    const int64_t *len = lc ? (const int64_t *)lc->storage->data + lc->offset : NULL;
    if (rnn_forward(mode, &d, tensor_f32(out), ws ? tensor_f32(ws) : NULL, tensor_f32(xc), hc ? tensor_f32(hc) : NULL,
                    cc ? tensor_f32(cc) : NULL, tensor_f32(wi), tensor_f32(wh), bi ? tensor_f32(bi) : NULL,
                    bh ? tensor_f32(bh) : NULL, len)) {
        llm_fail(LLM_ERR_NOMEM, "%s: out of memory for the step buffers", op);
        goto done;
    }
    const tensor *in[7] = {x, h0, c0, w_ih, w_hh, b_ih, b_hh};
    if (autograd_needed(7, in)) {
        tensor_node *n = autograd_record(out, op_of(mode), 7, in);
        if (!n) goto done;
        autograd_save(n, xc);  /* SV_X */
        autograd_save(n, wi);  /* SV_WIH */
        autograd_save(n, wh);  /* SV_WHH */
        autograd_save(n, out); /* SV_OUT */
        n->ip[IP_MODE] = mode;
        n->ip[IP_H0] = n->ip[IP_C0] = n->ip[IP_LEN] = n->ip[IP_WS] = -1;
        if (hc) { n->ip[IP_H0] = n->n_saved; autograd_save(n, hc); }
        if (cc) { n->ip[IP_C0] = n->n_saved; autograd_save(n, cc); }
        if (lc) { n->ip[IP_LEN] = n->n_saved; autograd_save(n, lc); }
        if (ws) { n->ip[IP_WS] = n->n_saved; autograd_save(n, ws); }
    }
    res = out;
    out = NULL;
done:
    tensor_free(xc);
    tensor_free(wi);
    tensor_free(wh);
    tensor_free(bi);
    tensor_free(bh);
    tensor_free(hc);
    tensor_free(cc);
    tensor_free(lc);
    tensor_free(ws);
    tensor_free(out);
    return res;
}

#define WANTS(i) (n->in[i].node || n->in[i].leaf)

static tensor *zeros_for(const tensor_node *n, int i, int *oom)
{
    if (!WANTS(i)) return NULL;
    tensor *z = tensor_zeros(n->in[i].ndim, n->in[i].shape, TENSOR_F32);
    if (!z) *oom = 1;
    return z;
}

llm_status recurrent_backward_tensors(tensor_node *n, const tensor *g, tensor **grads)
{
    tensor_rnn_mode mode = (tensor_rnn_mode)n->ip[IP_MODE];
    const char *op = tensor_rnn_mode_name(mode);
    const tensor *x = n->saved[SV_X], *wi = n->saved[SV_WIH], *wh = n->saved[SV_WHH], *out = n->saved[SV_OUT];
    const tensor *h0 = n->ip[IP_H0] >= 0 ? n->saved[n->ip[IP_H0]] : NULL;
    const tensor *c0 = n->ip[IP_C0] >= 0 ? n->saved[n->ip[IP_C0]] : NULL;
    const tensor *lc = n->ip[IP_LEN] >= 0 ? n->saved[n->ip[IP_LEN]] : NULL;
    const tensor *ws = n->ip[IP_WS] >= 0 ? n->saved[n->ip[IP_WS]] : NULL;
    const int64_t G = tensor_rnn_gates(mode);
    rnn_dims d = {x->shape[0], x->shape[1], x->shape[2], wi->shape[0] / G};
    int oom = 0;
    tensor *gc = tensor_contiguous(g);
    if (!gc) return LLM_ERR_NOMEM;
    /* every wanted gradient starts at zero: the kernel adds into weights and biases */
    tensor *gr[7];
    for (int i = 0; i < 7; i++) gr[i] = zeros_for(n, i, &oom);
    if (!oom) {
        const int64_t *len = lc ? (const int64_t *)lc->storage->data + lc->offset : NULL;
#define P(t) ((t) ? tensor_f32(t) : NULL)
        if (rnn_backward(mode, &d, P(gr[0]), P(gr[1]), P(gr[2]), P(gr[3]), P(gr[4]), P(gr[5]), P(gr[6]),
                         tensor_f32(gc), tensor_f32(out), P(ws), tensor_f32(x), P(h0), P(c0), tensor_f32(wi),
                         tensor_f32(wh), len))
            oom = 1;
#undef P
    }
    tensor_free(gc);
    if (oom) {
        for (int i = 0; i < 7; i++) tensor_free(gr[i]);
        return llm_fail(LLM_ERR_NOMEM, "%s backward: out of memory", op);
    }
    for (int i = 0; i < 7; i++) grads[i] = gr[i];
    return LLM_OK;
}
