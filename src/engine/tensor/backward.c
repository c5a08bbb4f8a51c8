/*
 * backward.c: the backward rule of every op on the tape, in one place (one
 * switch over the op table). Given a node and the gradient g of its output,
 * a rule writes grads[i] for each input i that wants one. Rules run with
 * grad mode off (tensor_backward turns it off), so the ops they call record
 * nothing. Broadcasting inputs get their gradient summed back to their
 * shape with tensor_sum_to_shape.
 */
#include <math.h>
#include <stdlib.h>
#include "internal.h"
#include "nn.h"

/* A small arena of temporaries freed when the rule returns. */
typedef struct { tensor *t[32]; int n; int oom; } temps;

static tensor *keep(temps *tp, tensor *t)
{
    if (!t) { tp->oom = 1; return NULL; }
    if (tp->n < 32) tp->t[tp->n++] = t;
    return t;
}

static void temps_free(temps *tp)
{
    for (int i = 0; i < tp->n; i++) tensor_free(tp->t[i]);
}

#define WANT(i) (n->in[i].node || n->in[i].leaf)
#define SAVED(i) (n->saved[i])
#define IN_SHAPE(i) n->in[i].ndim, n->in[i].shape
#define K(x) keep(&tp, (x))
#define FAILED() (tp.oom)

/* Reshape g to the keepdim shape of a reduction over mask, then expand to the input shape. */
static tensor *unreduce(temps *tpp, const tensor *g, const tensor_edge *in, uint32_t mask)
{
    int64_t ks[TENSOR_MAX_DIMS];
    for (int d = 0; d < in->ndim; d++) ks[d] = (mask & (1u << d)) ? 1 : in->shape[d];
    tensor *r = keep(tpp, tensor_reshape(g, in->ndim, ks));
    if (!r) return NULL;
    return keep(tpp, tensor_expand(r, in->ndim, in->shape));
}

/* The part of a buffer of the input's shape that a slice or select node's
 * output views (grad mode is off in backward, so this records nothing). */
static tensor *view_region(const tensor_node *n, tensor *z)
{
    if (n->op == OP_SELECT) return tensor_select(z, (int)n->ip[0], n->ip[1]);
    return tensor_slice(z, (int)n->ip[0], n->ip[1], n->ip[1] + n->ip[2] * (n->ip[3] - 1) + 1, n->ip[2]);
}

/* The backward of a slice or select straight into *acc, the gradient being
 * accumulated for the input: q, k, v = qkv:select(...) x 3 give three
 * gradients that each cover a third of qkv's. When *acc is a contiguous
 * buffer no one else can see, g is added into its region in place, instead
 * of a zero tensor of the input's full shape per view and a full-size
 * addition per view; the first gradient makes the zero buffer. */
llm_status backward_view_into(tensor_node *n, const tensor *g, tensor **acc)
{
    tensor *a = *acc;
    int own = a && tensor_exclusive(a) && a->ndim == n->in[0].ndim &&
              !memcmp(a->shape, n->in[0].shape, sizeof(int64_t) * (size_t)a->ndim);
    if (own) {
        tensor *v = view_region(n, a);
        if (!v) return LLM_ERR_NOMEM;
        llm_status st = tensor_add_(v, g, 1.0); /* bumps a's version: it is no saved tensor (refcount 1) */
        tensor_free(v);
        return st;
    }
    tensor *z = tensor_zeros(IN_SHAPE(0), TENSOR_F32);
    tensor *v = z ? view_region(n, z) : NULL;
    if (!v) { tensor_free(z); return LLM_ERR_NOMEM; }
    strided_copy(v, g);
    tensor_free(v);
    if (!a) {
        *acc = z;
        return LLM_OK;
    }
    tensor *s = tensor_add(a, z); /* a is shared or strided: a new sum */
    tensor_free(z);
    if (!s) return LLM_ERR_NOMEM;
    tensor_free(a);
    *acc = s;
    return LLM_OK;
}

static llm_status softmax_back(tensor_node *n, const tensor *g, tensor **grads, int logsm)
{
    temps tp = {0};
    int d = (int)n->ip[0], last = n->in[0].ndim - 1;
    tensor *gm = d == last ? K(tensor_contiguous(g)) : NULL;
    if (d != last) { tensor *tr = K(tensor_transpose(g, d, last)); gm = tr ? K(tensor_contiguous(tr)) : NULL; }
    const tensor *y = SAVED(0);
    tensor *dx = gm ? K(tensor_empty(y->ndim, y->shape, TENSOR_F32)) : NULL;
    if (dx) {
        int64_t C = y->shape[last], N = C ? tensor_numel(y) / C : 0;
        if (logsm) nn_log_softmax_backward(tensor_f32(dx), tensor_f32(gm), tensor_f32(y), N, C);
        else nn_softmax_backward(tensor_f32(dx), tensor_f32(gm), tensor_f32(y), N, C);
        grads[0] = d == last ? tensor_ref(dx) : tensor_transpose(dx, d, last);
    }
    temps_free(&tp);
    return grads[0] ? LLM_OK : LLM_ERR_NOMEM;
}

static llm_status matmul_back(tensor_node *n, const tensor *g, tensor **grads)
{
    temps tp = {0};
    const tensor *a0 = SAVED(0), *b0 = SAVED(1);
    /* promote 1-D operands as the forward did */
    tensor *a = a0->ndim == 1 ? K(tensor_unsqueeze(a0, 0)) : (tensor *)a0;
    tensor *b = b0->ndim == 1 ? K(tensor_unsqueeze(b0, 1)) : (tensor *)b0;
    tensor *g2 = (tensor *)g;
    if (a0->ndim == 1) g2 = K(tensor_unsqueeze(g2, g2->ndim - 1));
    if (b0->ndim == 1 && g2) g2 = K(tensor_unsqueeze(g2, g2->ndim));
    if (FAILED()) goto out;
    if (WANT(0)) {
        tensor *bt = K(tensor_transpose(b, -2, -1));
        tensor *da = bt ? K(tensor_matmul(g2, bt)) : NULL;
        tensor *ds = da ? K(tensor_sum_to_shape(da, a->ndim, a->shape)) : NULL;
        if (ds) grads[0] = tensor_reshape(ds, IN_SHAPE(0));
    }
    if (WANT(1)) {
        tensor *db = NULL;
        if (b->ndim == 2 && a->ndim > 2) {
            /* fold the batch: dB (K,N) = A2^T (K, B*M) @ G2 (B*M, N) */
            int64_t s1[2] = {-1, a->shape[a->ndim - 1]}, s2[2] = {-1, g2->shape[g2->ndim - 1]};
            tensor *a2 = K(tensor_reshape(a, 2, s1)), *gg = K(tensor_reshape(g2, 2, s2));
            tensor *a2t = a2 ? K(tensor_transpose(a2, 0, 1)) : NULL;
            db = (a2t && gg) ? K(tensor_matmul(a2t, gg)) : NULL;
        } else {
            tensor *at = K(tensor_transpose(a, -2, -1));
            tensor *dbf = at ? K(tensor_matmul(at, g2)) : NULL;
            db = dbf ? K(tensor_sum_to_shape(dbf, b->ndim, b->shape)) : NULL;
        }
        if (db) grads[1] = tensor_reshape(db, IN_SHAPE(1));
    }
out:
    temps_free(&tp);
    return ((WANT(0) && !grads[0]) || (WANT(1) && !grads[1])) ? LLM_ERR_NOMEM : LLM_OK;
}

static llm_status linear_back(tensor_node *n, const tensor *g, tensor **grads)
{
    temps tp = {0};
    const tensor *x = SAVED(0), *w = SAVED(1);
    int64_t N = w->shape[0], Kd = w->shape[1], M = 1; /* M: the rows, explicit (-1 is ambiguous when N or K is 0) */
    for (int d = 0; d < x->ndim - 1; d++) M *= x->shape[d];
    int64_t s2[2] = {M, N}, sx[2] = {M, Kd};
    tensor *g2 = K(tensor_reshape(g, 2, s2));
    /* the bias first: g was just written by the rule before, and may still be in cache */
    if (g2 && WANT(2)) grads[2] = tensor_sum_to_shape(g2, IN_SHAPE(2));
    if (g2 && WANT(0)) {
        tensor *dx = K(tensor_matmul(g2, w)); /* (M, N) @ (N, K) */
        if (dx) grads[0] = tensor_reshape(dx, IN_SHAPE(0));
    }
    if (g2 && WANT(1)) {
        tensor *x2 = K(tensor_reshape(x, 2, sx));
        tensor *g2t = K(tensor_transpose(g2, 0, 1));
        if (x2 && g2t) grads[1] = tensor_matmul(g2t, x2); /* (N, M) @ (M, K) */
    }
    temps_free(&tp);
    for (int i = 0; i < 3; i++)
        if (WANT(i) && !grads[i]) return LLM_ERR_NOMEM;
    return LLM_OK;
}

/* acc: NULL, or the exclusive gradient buffer of the input (of x's shape)
 * that dx is added into (then grads[0] stays NULL). */
static llm_status norm_back(tensor_node *n, const tensor *g, tensor **grads, int rms, tensor *acc)
{
    temps tp = {0};
    const tensor *x = SAVED(0), *mean = SAVED(1), *rstd = SAVED(2);
    const tensor *w = n->ip[0] ? SAVED(3) : NULL;
    int64_t C = x->shape[x->ndim - 1], N = C ? tensor_numel(x) / C : 0;
    /* an exclusive g (see unary_grad) becomes dx: the row kernels read each row of dy before writing it */
    int inplace = !acc && tensor_exclusive(g);
    tensor *gc = K(tensor_contiguous(g));
    tensor *dx = K(acc ? tensor_ref(acc) : inplace ? tensor_ref((tensor *)g) : tensor_empty(x->ndim, x->shape, TENSOR_F32));
    tensor *dw = (n->ip[0] && WANT(1)) ? K(tensor_zeros(1, &C, TENSOR_F32)) : NULL;
    tensor *db = (n->ip[1] && WANT(2)) ? K(tensor_zeros(1, &C, TENSOR_F32)) : NULL;
    if (!FAILED()) {
        if (rms)
            nn_rmsnorm_backward(tensor_f32(dx), dw ? tensor_f32(dw) : NULL, tensor_f32(gc), tensor_f32(x),
                                w ? tensor_f32(w) : NULL, tensor_f32(rstd), N, C, acc != NULL);
        else
            nn_layernorm_backward(tensor_f32(dx), dw ? tensor_f32(dw) : NULL, db ? tensor_f32(db) : NULL, tensor_f32(gc),
                                  tensor_f32(x), w ? tensor_f32(w) : NULL, tensor_f32(mean), tensor_f32(rstd), N, C,
                                  acc != NULL);
        dx->storage->version++;
        if (!acc) grads[0] = tensor_ref(dx);
        if (dw) grads[1] = tensor_ref(dw);
        if (db) grads[2] = tensor_ref(db);
    }
    llm_status st = FAILED() ? LLM_ERR_NOMEM : LLM_OK;
    temps_free(&tp);
    return st;
}

/* A norm's backward with dx added straight into acc, its input's gradient
 * so far when that is an exclusive buffer of the input's shape (the
 * residual stream of a pre-norm transformer: x feeds the norm and a sum):
 * no dx tensor, no separate addition. grads[1], grads[2] as norm_back. */
llm_status backward_norm_into(tensor_node *n, const tensor *g, tensor *acc, tensor **grads)
{
    for (int i = 0; i < n->n_saved; i++)
        if (!n->saved[i]) return llm_fail(LLM_ERR_NOMEM, "backward: %s lost a saved tensor", tensor_op_names[n->op]);
    return norm_back(n, g, grads, n->op == OP_RMS_NORM, acc);
}

/* The forward wrote the gradient for an upstream gradient of 1 (saved[0]). */
static llm_status xent_back(tensor_node *n, const tensor *g, tensor **grads)
{
    return cross_entropy_saved_backward(g, n->saved, (int)n->ip[1], &grads[0]);
}

static llm_status attention_back(tensor_node *n, const tensor *g, tensor **grads)
{
    if (n->ip[2] > 0) /* packed qkv */
        return attention_packed_backward(g, n->saved, n->ip[2], (int)n->ip[1], (int)n->ip[0], (float)n->fp[0],
                                         &grads[0]);
    return attention_backward_tensors(g, n->saved, (int)n->ip[1], (int)n->ip[0], (float)n->fp[0], &grads[0], &grads[1],
                                      &grads[2]);
}

llm_status backward_rule(tensor_node *n, const tensor *g, tensor **grads)
{
    temps tp = {0};
    for (int i = 0; i < n->n_saved; i++)
        if (!n->saved[i]) return llm_fail(LLM_ERR_NOMEM, "backward: %s lost a saved tensor", tensor_op_names[n->op]);
    switch (n->op) {
    /* ---- views ---- */
    case OP_RESHAPE:
        grads[0] = tensor_reshape(g, IN_SHAPE(0));
        break;
    case OP_PERMUTE: {
        int inv[TENSOR_MAX_DIMS];
        for (int d = 0; d < n->in[0].ndim; d++) inv[n->ip[d]] = d;
        grads[0] = tensor_permute(g, inv);
        break;
    }
    case OP_SLICE: case OP_SELECT: {
        tensor *z = tensor_zeros(IN_SHAPE(0), TENSOR_F32);
        tensor *v = z ? view_region(n, z) : NULL;
        if (v) strided_copy(v, g);
        tensor_free(v);
        if (v) grads[0] = z;
        else tensor_free(z);
        break;
    }
    case OP_EXPAND:
        grads[0] = tensor_sum_to_shape(g, IN_SHAPE(0));
        break;
    case OP_CONTIGUOUS:
        grads[0] = tensor_ref((tensor *)g);
        break;

    /* ---- binary ---- */
    case OP_ADD: case OP_SUB:
        if (WANT(0)) grads[0] = tensor_sum_to_shape(g, IN_SHAPE(0));
        if (WANT(1)) {
            tensor *s = n->op == OP_SUB ? K(tensor_neg(g)) : (tensor *)g;
            if (s) grads[1] = tensor_sum_to_shape(s, IN_SHAPE(1));
        }
        break;
    case OP_MUL:
        if (WANT(0)) { tensor *p = K(tensor_mul(g, SAVED(1))); if (p) grads[0] = tensor_sum_to_shape(p, IN_SHAPE(0)); }
        if (WANT(1)) { tensor *p = K(tensor_mul(g, SAVED(0))); if (p) grads[1] = tensor_sum_to_shape(p, IN_SHAPE(1)); }
        break;
    case OP_DIV:
        if (WANT(0)) { tensor *p = K(tensor_div(g, SAVED(1))); if (p) grads[0] = tensor_sum_to_shape(p, IN_SHAPE(0)); }
        if (WANT(1)) { /* -g a / b^2 */
            tensor *p = K(tensor_mul(g, SAVED(0)));
            tensor *b2 = K(tensor_mul(SAVED(1), SAVED(1)));
            tensor *q = p && b2 ? K(tensor_div(p, b2)) : NULL;
            tensor *m = q ? K(tensor_neg(q)) : NULL;
            if (m) grads[1] = tensor_sum_to_shape(m, IN_SHAPE(1));
        }
        break;
    case OP_POW: {
        const tensor *a = SAVED(0), *b = SAVED(1), *y = SAVED(2);
        if (WANT(0)) { /* g b a^(b-1) */
            tensor *bm = K(tensor_add_scalar(b, -1.0));
            tensor *p = bm ? K(tensor_pow(a, bm)) : NULL;
            tensor *q = p ? K(tensor_mul(p, b)) : NULL;
            tensor *r = q ? K(tensor_mul(q, g)) : NULL;
            if (r) grads[0] = tensor_sum_to_shape(r, IN_SHAPE(0));
        }
        if (WANT(1)) { /* g y log a */
            tensor *la = K(tensor_log(a));
            tensor *p = la ? K(tensor_mul(y, la)) : NULL;
            tensor *r = p ? K(tensor_mul(p, g)) : NULL;
            if (r) grads[1] = tensor_sum_to_shape(r, IN_SHAPE(1));
        }
        break;
    }
    case OP_MAXIMUM: case OP_MINIMUM: {
        tensor *m = K(n->op == OP_MAXIMUM ? tensor_ge(SAVED(0), SAVED(1)) : tensor_le(SAVED(0), SAVED(1)));
        if (!m) break;
        if (WANT(0)) { tensor *p = K(tensor_mul(g, m)); if (p) grads[0] = tensor_sum_to_shape(p, IN_SHAPE(0)); }
        if (WANT(1)) {
            tensor *nm = K(tensor_rsub_scalar(m, 1.0));
            tensor *p = nm ? K(tensor_mul(g, nm)) : NULL;
            if (p) grads[1] = tensor_sum_to_shape(p, IN_SHAPE(1));
        }
        break;
    }
    case OP_WHERE: {
        tensor *zero = K(tensor_scalar(0.0));
        tensor *c = zero ? K(tensor_ne(SAVED(0), zero)) : NULL;
        if (!c) break;
        if (WANT(1)) { tensor *p = K(tensor_mul(g, c)); if (p) grads[1] = tensor_sum_to_shape(p, IN_SHAPE(1)); }
        if (WANT(2)) {
            tensor *nc = K(tensor_rsub_scalar(c, 1.0));
            tensor *p = nc ? K(tensor_mul(g, nc)) : NULL;
            if (p) grads[2] = tensor_sum_to_shape(p, IN_SHAPE(2));
        }
        break;
    }

    /* ---- with a scalar ---- */
    case OP_ADD_SCALAR:
        grads[0] = tensor_ref((tensor *)g);
        break;
    case OP_RSUB_SCALAR: case OP_NEG:
        grads[0] = tensor_neg(g);
        break;
    case OP_MUL_SCALAR:
        grads[0] = tensor_mul_scalar(g, n->fp[0]);
        break;
    case OP_MASKED_FILL: {
        tensor *p = K(tensor_masked_fill(g, SAVED(0), 0.0));
        if (p) grads[0] = tensor_sum_to_shape(p, IN_SHAPE(0));
        break;
    }
    case OP_CLAMP: {
        const tensor *x = SAVED(0);
        tensor *lo = K(tensor_scalar(n->fp[0])), *hi = K(tensor_scalar(n->fp[1]));
        tensor *m1 = lo ? K(tensor_ge(x, lo)) : NULL, *m2 = hi ? K(tensor_le(x, hi)) : NULL;
        tensor *m = m1 && m2 ? K(tensor_mul(m1, m2)) : NULL;
        if (m) grads[0] = tensor_mul(g, m);
        break;
    }

    /* ---- unary: derivative from the saved input (x) or output (y) ---- */
    case OP_POW_SCALAR: case OP_RDIV_SCALAR: case OP_ABS: case OP_LOG: case OP_RELU:
    case OP_GELU_TANH: case OP_GELU_ERF: case OP_SILU:
        grads[0] = unary_grad(n->op, SAVED(0), NULL, g, n->fp[0]);
        break;
    case OP_EXP: case OP_SQRT: case OP_RSQRT: case OP_TANH: case OP_SIGMOID:
        grads[0] = unary_grad(n->op, NULL, SAVED(0), g, n->fp[0]);
        break;

    /* ---- reductions ---- */
    case OP_SUM: case OP_MEAN: {
        tensor *e = unreduce(&tp, g, &n->in[0], (uint32_t)n->ip[0]);
        if (e) grads[0] = n->op == OP_MEAN ? tensor_mul_scalar(e, 1.0 / n->fp[0]) : tensor_ref(e);
        break;
    }
    case OP_VAR: {
        const tensor *x = SAVED(0);
        uint32_t mask = (uint32_t)n->ip[0];
        tensor *m = K(tensor_mean(x, mask, 1));
        tensor *dxm = m ? K(tensor_sub(x, m)) : NULL;
        tensor *e = unreduce(&tp, g, &n->in[0], mask);
        tensor *p = dxm && e ? K(tensor_mul(dxm, e)) : NULL;
        double den = n->fp[0] - (double)n->ip[2];
        if (p) grads[0] = tensor_mul_scalar(p, 2.0 / den);
        break;
    }
    case OP_MAX: case OP_MIN: {
        const tensor *idx = SAVED(0);
        tensor *z = tensor_zeros(IN_SHAPE(0), TENSOR_F32);
        if (!z) break;
        if (n->ip[0] < 0) {
            tensor_f32(z)[tensor_index_at(idx, 0)] = (float)tensor_get_flat(g, 0);
            grads[0] = z;
        } else {
            int d = (int)n->ip[0];
            tensor *ik = n->ip[1] ? (tensor *)idx : K(tensor_unsqueeze(idx, d));
            tensor *gk = n->ip[1] ? (tensor *)g : K(tensor_unsqueeze(g, d));
            if (ik && gk) grads[0] = tensor_scatter_add(z, d, ik, gk);
            tensor_free(z);
        }
        break;
    }

    /* ---- linear algebra ---- */
    case OP_MATMUL:
        temps_free(&tp);
        return matmul_back(n, g, grads);
    case OP_LINEAR:
        temps_free(&tp);
        return linear_back(n, g, grads);
    case OP_LINEAR_ACT:
        temps_free(&tp);
        return linear_act_backward(n, g, grads);
    case OP_MLP:
        temps_free(&tp);
        return mlp_backward(n, g, grads);

    /* ---- indexing ---- */
    case OP_CAT: {
        int d = (int)n->ip[0];
        int64_t at = 0;
        for (int i = 0; i < n->n_in; i++) {
            int64_t len = n->in[i].shape[d];
            if (WANT(i)) {
                grads[i] = tensor_narrow(g, d, at, len);
                if (!grads[i]) { tp.oom = 1; break; }
            }
            at += len;
        }
        break;
    }
    case OP_INDEX_SELECT: {
        int d = (int)n->ip[0];
        const tensor *idx = SAVED(0);
        tensor *z = tensor_zeros(IN_SHAPE(0), TENSOR_F32);
        if (!z) break;
        int64_t cnt = tensor_numel(idx);
        llm_status st = LLM_OK;
        for (int64_t j = 0; j < cnt && st == LLM_OK; j++) {
            tensor *dst = tensor_select(z, d, tensor_index_at(idx, j)), *src = tensor_select(g, d, j);
            st = dst && src ? tensor_add_(dst, src, 1.0) : LLM_ERR_NOMEM;
            tensor_free(dst);
            tensor_free(src);
        }
        if (st == LLM_OK) grads[0] = z;
        else tensor_free(z);
        break;
    }
    case OP_GATHER: {
        tensor *z = K(tensor_zeros(IN_SHAPE(0), TENSOR_F32));
        if (z) grads[0] = tensor_scatter_add(z, (int)n->ip[0], SAVED(0), g);
        break;
    }
    case OP_SCATTER_ADD: {
        const tensor *idx = SAVED(0);
        if (WANT(0)) grads[0] = tensor_ref((tensor *)g);
        if (WANT(1)) {
            tensor *gv = K(tensor_gather(g, (int)n->ip[0], idx));
            tensor *z = gv ? tensor_zeros(IN_SHAPE(1), TENSOR_F32) : NULL;
            if (z) {
                tensor *v = tensor_ref(z);
                for (int d = 0; d < idx->ndim && v; d++) {
                    tensor *w = tensor_narrow(v, d, 0, idx->shape[d]);
                    tensor_free(v);
                    v = w;
                }
                if (v) { strided_copy(v, gv); grads[1] = z; tensor_free(v); }
                else tensor_free(z);
            }
        }
        break;
    }
    case OP_EMBEDDING:
        grads[0] = embedding_backward(g, SAVED(0), n->in[0].shape[0]);
        break;

    /* ---- fused nn ---- */
    case OP_SOFTMAX: temps_free(&tp); return softmax_back(n, g, grads, 0);
    case OP_LOG_SOFTMAX: temps_free(&tp); return softmax_back(n, g, grads, 1);
    case OP_LAYER_NORM: temps_free(&tp); return norm_back(n, g, grads, 0, NULL);
    case OP_RMS_NORM: temps_free(&tp); return norm_back(n, g, grads, 1, NULL);
    case OP_CROSS_ENTROPY: temps_free(&tp); return xent_back(n, g, grads);
    case OP_ATTENTION: temps_free(&tp); return attention_back(n, g, grads);
    case OP_RNN: case OP_LSTM: case OP_GRU: temps_free(&tp); return recurrent_backward_tensors(n, g, grads);
    case OP_DROPOUT:
        grads[0] = tensor_mul(g, SAVED(0));
        break;

    case OP_NONE: case OP_COUNT:
        break;
    }
    temps_free(&tp);
    for (int i = 0; i < n->n_in; i++)
        if (WANT(i) && !grads[i]) {
            const char *m = llm_last_error();
            return *m ? LLM_ERR_NOMEM : llm_fail(LLM_ERR_NOMEM, "backward: %s failed", tensor_op_names[n->op]);
        }
    return LLM_OK;
}
