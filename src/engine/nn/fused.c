/*
 * fused.c: the tensor-level fused ops (softmax, log_softmax, layer_norm,
 * rms_norm, cross_entropy, attention, dropout): argument and shape checks,
 * contiguous inputs for the kernels of nn.h, and the autograd node with
 * what each backward rule (tensor/backward.c) needs saved.
 */
#include <math.h>
#include <stdlib.h>
#include "tensor/internal.h"
#include "nn.h"

static llm_status need_f32(const tensor *t, const char *op, const char *what)
{
    if (t->dtype != TENSOR_F32)
        return llm_fail(LLM_ERR_ARG, "%s: %s must be float32, not %s", op, what, tensor_dtype_name(t->dtype));
    return LLM_OK;
}

static tensor *softmax_common(const tensor *t, int dim, int logsm)
{
    const char *op = logsm ? "log_softmax" : "softmax";
    if (need_f32(t, op, "the input")) return NULL;
    if (t->ndim == 0) {
        tensor *o = tensor_full(0, NULL, logsm ? 0.0 : 1.0, TENSOR_F32);
        return o;
    }
    int d = tensor_norm_dim(t, dim, op);
    if (d < 0) return NULL;
    int last = t->ndim - 1;
    GRAD_OFF_BEGIN;
    tensor *x = d == last ? tensor_contiguous(t) : NULL;
    if (d != last) {
        tensor *tr = tensor_transpose(t, d, last);
        x = tr ? tensor_contiguous(tr) : NULL;
        tensor_free(tr);
    }
    tensor *y = x ? tensor_empty(x->ndim, x->shape, TENSOR_F32) : NULL;
    tensor *out = NULL;
    if (y) {
        int64_t C = x->shape[last], N = C ? tensor_numel(x) / C : 0;
        if (logsm) nn_log_softmax_forward(tensor_f32(y), tensor_f32(x), N, C);
        else nn_softmax_forward(tensor_f32(y), tensor_f32(x), N, C);
        out = d == last ? tensor_ref(y) : tensor_transpose(y, d, last);
    }
    GRAD_OFF_END;
    tensor_free(x);
    const tensor *in[1] = {t};
    if (out && autograd_needed(1, in)) {
        tensor_node *n = autograd_record(out, logsm ? OP_LOG_SOFTMAX : OP_SOFTMAX, 1, in);
        if (!n) { tensor_free(out); out = NULL; }
        else { n->ip[0] = d; autograd_save(n, y); }
    }
    tensor_free(y);
    return out;
}

tensor *tensor_softmax(const tensor *t, int dim) { return softmax_common(t, dim, 0); }
tensor *tensor_log_softmax(const tensor *t, int dim) { return softmax_common(t, dim, 1); }

static tensor *norm_common(int rms, const tensor *x, const tensor *w, const tensor *b, double eps)
{
    const char *op = rms ? "rms_norm" : "layer_norm";
    char s1[96], s2[96];
    if (need_f32(x, op, "the input") || (w && need_f32(w, op, "the weight")) || (b && need_f32(b, op, "the bias")))
        return NULL;
    if (x->ndim < 1) { llm_fail(LLM_ERR_SHAPE, "%s: the input needs at least one dim", op); return NULL; }
    int64_t C = x->shape[x->ndim - 1], N = C ? tensor_numel(x) / C : 0;
    if ((w && (w->ndim != 1 || w->shape[0] != C)) || (b && (b->ndim != 1 || b->shape[0] != C))) {
        llm_fail(LLM_ERR_SHAPE, "%s: input %s and weight/bias %s do not fit (weight must be {%lld})", op,
                 tensor_shape_str(x, s1, sizeof s1), tensor_shape_str(w ? w : b, s2, sizeof s2), (long long)C);
        return NULL;
    }
    if (!(eps >= 0)) { llm_fail(LLM_ERR_ARG, "%s: eps must be >= 0", op); return NULL; }
    GRAD_OFF_BEGIN;
    tensor *xc = tensor_contiguous(x), *wc = w ? tensor_contiguous(w) : NULL, *bc = b ? tensor_contiguous(b) : NULL;
    tensor *out = tensor_empty(x->ndim, x->shape, TENSOR_F32);
    tensor *mean = tensor_empty(1, &N, TENSOR_F32), *rstd = tensor_empty(1, &N, TENSOR_F32);
    GRAD_OFF_END;
    if (!xc || (w && !wc) || (b && !bc) || !out || !mean || !rstd) { tensor_free(out); out = NULL; goto done; }
    if (rms)
        nn_rmsnorm_forward(tensor_f32(out), tensor_f32(rstd), tensor_f32(xc), wc ? tensor_f32(wc) : NULL, N, C, (float)eps);
    else
        nn_layernorm_forward(tensor_f32(out), tensor_f32(mean), tensor_f32(rstd), tensor_f32(xc),
                             wc ? tensor_f32(wc) : NULL, bc ? tensor_f32(bc) : NULL, N, C, (float)eps);
    const tensor *in[3] = {x, w, b};
    if (autograd_needed(3, in)) {
        tensor_node *n = autograd_record(out, rms ? OP_RMS_NORM : OP_LAYER_NORM, 3, in);
        if (!n) { tensor_free(out); out = NULL; goto done; }
        autograd_save(n, xc);     /* 0 */
        autograd_save(n, mean);   /* 1 */
        autograd_save(n, rstd);   /* 2 */
        if (wc) autograd_save(n, wc); /* 3 */
        n->ip[0] = wc != NULL;
        n->ip[1] = bc != NULL;
    }
done:
    tensor_free(xc);
    tensor_free(wc);
    tensor_free(bc);
    tensor_free(mean);
    tensor_free(rstd);
    return out;
}

tensor *tensor_layer_norm(const tensor *x, const tensor *w, const tensor *b, double eps) { return norm_common(0, x, w, b, eps); }
tensor *tensor_rms_norm(const tensor *x, const tensor *w, double eps) { return norm_common(1, x, w, NULL, eps); }

tensor *tensor_cross_entropy(const tensor *logits, const tensor *targets, int64_t ignore_index, double smoothing,
                             tensor_reduction reduction)
{
    char s1[96], s2[96];
    if (need_f32(logits, "cross_entropy", "the logits")) return NULL;
    if (targets->dtype == TENSOR_F32) {
        llm_fail(LLM_ERR_ARG, "cross_entropy: targets must be an int64 or int32 tensor of class ids (0-based)");
        return NULL;
    }
    if (logits->ndim < 1 || targets->ndim != logits->ndim - 1) goto bad;
    for (int d = 0; d < targets->ndim; d++)
        if (targets->shape[d] != logits->shape[d]) goto bad;
    if (!(smoothing >= 0 && smoothing <= 1)) {
        llm_fail(LLM_ERR_ARG, "cross_entropy: label_smoothing must be in [0, 1], got %g", smoothing);
        return NULL;
    }
    int64_t C = logits->shape[logits->ndim - 1], N = tensor_numel(targets);
    GRAD_OFF_BEGIN;
    tensor *xc = tensor_contiguous(logits);
    tensor *tc = tensor_to_dtype(targets, TENSOR_I64);
    tensor *tcc = tc ? tensor_contiguous(tc) : NULL;
    tensor_free(tc);
    tensor *losses = tensor_empty(targets->ndim, targets->shape, TENSOR_F32);
    GRAD_OFF_END;
    tensor *out = NULL, *lse = NULL;
    if (!xc || !tcc || !losses) goto done;
    const int64_t *tg = (const int64_t *)tcc->storage->data + tcc->offset;
    for (int64_t i = 0; i < N; i++) {
        if (tg[i] != ignore_index && (tg[i] < 0 || tg[i] >= C)) {
            llm_fail(LLM_ERR_ARG, "cross_entropy: target %lld at position %lld is out of range 0..%lld",
                     (long long)tg[i], (long long)i, (long long)C - 1);
            goto done;
        }
    }
    const tensor *in[1] = {logits};
    int want_grad = autograd_needed(1, in);
    int64_t count = 0;
    tensor *dx = NULL;
    if (want_grad) { /* the gradient of the reduced loss, written in the same pass */
        for (int64_t i = 0; i < N; i++) count += tg[i] != ignore_index;
        float w = reduction == TENSOR_REDUCE_MEAN ? (count ? 1.0f / (float)count : 0.0f) : 1.0f;
        GRAD_OFF_BEGIN;
        dx = tensor_empty(xc->ndim, xc->shape, TENSOR_F32);
        GRAD_OFF_END;
        if (!dx) goto done;
        nn_crossentropy_forward_grad(tensor_f32(losses), tensor_f32(dx), tensor_f32(xc), tg, N, C, ignore_index,
                                     (float)smoothing, w);
    } else { /* the per-row log-sum-exp it writes is not kept */
        GRAD_OFF_BEGIN;
        lse = tensor_empty(1, &N, TENSOR_F32);
        GRAD_OFF_END;
        if (!lse) goto done;
        count = nn_crossentropy_forward(tensor_f32(losses), tensor_f32(lse), tensor_f32(xc), tg, N, C, ignore_index,
                                        (float)smoothing);
    }
    if (reduction == TENSOR_REDUCE_NONE) {
        out = tensor_ref(losses);
    } else {
        double s = 0;
        const float *pl = tensor_f32(losses);
        for (int64_t i = 0; i < N; i++) s += pl[i];
        if (reduction == TENSOR_REDUCE_MEAN) s = count ? s / (double)count : NAN;
        out = tensor_scalar(s);
    }
    if (out && want_grad) {
        tensor_node *n = autograd_record(out, OP_CROSS_ENTROPY, 1, in);
        if (!n) { tensor_free(out); out = NULL; tensor_free(dx); goto done; }
        autograd_save(n, dx);
        n->ip[0] = ignore_index;
        n->ip[1] = reduction;
        n->ip[2] = count;
        n->fp[0] = smoothing;
    }
    tensor_free(dx);
done:
    tensor_free(xc);
    tensor_free(tcc);
    tensor_free(losses);
    tensor_free(lse);
    return out;
bad:
    llm_fail(LLM_ERR_SHAPE, "cross_entropy: logits %s and targets %s do not fit (want (..., C) and (...))",
             tensor_shape_str(logits, s1, sizeof s1), tensor_shape_str(targets, s2, sizeof s2));
    return NULL;
}

/* dlogits = g * the gradient the forward saved: handed over as it is when g
 * is 1 (a loss's own backward), scaled otherwise; row by row for reduction none. */
llm_status cross_entropy_saved_backward(const tensor *g, tensor *const *saved, int reduction, tensor **dlogits)
{
    tensor *d = saved[0];
    *dlogits = NULL;
    if (reduction != TENSOR_REDUCE_NONE) {
        double gs = tensor_get_flat(g, 0);
        *dlogits = gs == 1.0 ? tensor_ref(d) : tensor_mul_scalar(d, gs);
        return *dlogits ? LLM_OK : LLM_ERR_NOMEM;
    }
    int64_t C = d->shape[d->ndim - 1], N = C ? tensor_numel(d) / C : 0;
    tensor *gc = tensor_contiguous(g);
    tensor *out = gc ? tensor_empty(d->ndim, d->shape, TENSOR_F32) : NULL;
    if (!out) { tensor_free(gc); return LLM_ERR_NOMEM; }
    const float *pg = tensor_f32(gc), *pd = tensor_f32(d);
    float *po = tensor_f32(out);
#pragma omp parallel for if (N * C > 32768)
    for (int64_t i = 0; i < N; i++)
        for (int64_t j = 0; j < C; j++) po[i * C + j] = pd[i * C + j] * pg[i];
    tensor_free(gc);
    *dlogits = out;
    return LLM_OK;
}

/* A (..., T, D) tensor as attention reads it: (B, H) leading dims and the
 * strides of the layout. Copies (into *hold) only when the last dim is not
 * unit-stride or there are more than two leading dims. */
static const float *attn_operand(const tensor *t, tensor **hold, nn_attn_layout *l, int64_t *B, int64_t *H)
{
    *hold = NULL;
    int nd = t->ndim;
    int64_t T = t->shape[nd - 2], D = t->shape[nd - 1];
    int ok = (t->stride[nd - 1] == 1 || D == 1) && (T == 1 || t->stride[nd - 2] >= D) && nd <= 4;
    if (!ok) {
        tensor *c = tensor_contiguous(t);
        if (!c) return NULL;
        if (nd > 4) {
            int64_t sh[4] = {-1, t->shape[nd - 3], T, D};
            tensor *r = tensor_reshape(c, 4, sh);
            tensor_free(c);
            c = r;
            if (!c) return NULL;
        }
        *hold = c;
        t = c;
        nd = t->ndim;
    }
    l->st = T == 1 ? (D > 0 ? D : 1) : t->stride[nd - 2];
    if (l->st < D) l->st = D;
    *B = nd == 4 ? t->shape[0] : 1;
    *H = nd >= 3 ? t->shape[nd - 3] : 1;
    l->sb = nd == 4 ? t->stride[0] : 0;
    l->sh = nd >= 3 ? t->stride[nd - 3] : 0;
    return tensor_f32(t);
}

/* An empty (..., T, D) tensor laid out in memory as (B, T, H, D), so that
 * transposing heads back to (B, T, H*D) costs no copy. */
static tensor *attn_empty(int nd, const int64_t *shape)
{
    int64_t ms[TENSOR_MAX_DIMS];
    memcpy(ms, shape, sizeof(int64_t) * (size_t)nd);
    if (nd < 3 || nd > 4) return tensor_empty(nd, shape, TENSOR_F32);
    ms[nd - 3] = shape[nd - 2];
    ms[nd - 2] = shape[nd - 3];
    tensor *buf = tensor_empty(nd, ms, TENSOR_F32);
    if (!buf) return NULL;
    tensor *v = tensor_transpose(buf, nd - 3, nd - 2);
    tensor_free(buf);
    return v;
}

/* A (T, T) float mask from a (T, T), (1, T) or (T) mask of any dtype; NULL and no error when mask is NULL. */
static llm_status attn_mask(const tensor *mask, int64_t T, tensor **out)
{
    char s1[96];
    *out = NULL;
    if (!mask) return LLM_OK;
    int ok = mask->ndim >= 1 && mask->ndim <= 2 && mask->shape[mask->ndim - 1] == T &&
             (mask->ndim == 1 || mask->shape[0] == T || mask->shape[0] == 1);
    if (!ok)
        return llm_fail(LLM_ERR_SHAPE, "attention: mask %s does not fit (T, T) = {%lld,%lld}",
                        tensor_shape_str(mask, s1, sizeof s1), (long long)T, (long long)T);
    int64_t mshape[2] = {T, T};
    GRAD_OFF_BEGIN;
    tensor *mf = tensor_to_dtype(mask, TENSOR_F32);
    tensor *me = mf ? tensor_expand(mf, 2, mshape) : NULL;
    *out = me ? tensor_contiguous(me) : NULL;
    GRAD_OFF_END;
    tensor_free(mf);
    tensor_free(me);
    return *out ? LLM_OK : LLM_ERR_NOMEM;
}

tensor *tensor_attention(const tensor *q, const tensor *k, const tensor *v, const tensor *mask, int causal, double scale)
{
    char s1[96], s2[96], s3[96];
    if (need_f32(q, "attention", "q") || need_f32(k, "attention", "k") || need_f32(v, "attention", "v")) return NULL;
    if (q->ndim < 2 || !tensor_same_shape(q, k) || !tensor_same_shape(q, v)) {
        llm_fail(LLM_ERR_SHAPE, "attention: q %s, k %s and v %s must have one shape (..., T, D)",
                 tensor_shape_str(q, s1, sizeof s1), tensor_shape_str(k, s2, sizeof s2), tensor_shape_str(v, s3, sizeof s3));
        return NULL;
    }
    int64_t T = q->shape[q->ndim - 2], D = q->shape[q->ndim - 1];
    tensor *hq, *hk, *hv, *ho = NULL, *mc = NULL, *out = NULL, *lse = NULL;
    if (attn_mask(mask, T, &mc)) return NULL;
    float sc = scale > 0 ? (float)scale : (float)(1.0 / sqrt((double)(D ? D : 1)));
    nn_attn_layout lq, lk, lv, lo;
    int64_t B, H, B2, H2;
    GRAD_OFF_BEGIN;
    const float *pq = attn_operand(q, &hq, &lq, &B, &H);
    const float *pk = attn_operand(k, &hk, &lk, &B2, &H2);
    const float *pv = attn_operand(v, &hv, &lv, &B2, &H2);
    out = attn_empty(q->ndim, q->shape);
    int64_t lshape[1] = {B * H * T};
    lse = tensor_empty(1, lshape, TENSOR_F32);
    const float *po = out ? attn_operand(out, &ho, &lo, &B2, &H2) : NULL;
    GRAD_OFF_END;
    if (!pq || !pk || !pv || !po || !lse) { tensor_free(out); out = NULL; goto done; }
    if (nn_attention_forward((float *)po, tensor_f32(lse), pq, pk, pv, mc ? tensor_f32(mc) : NULL, B, H, T, D, &lq, &lk,
                             &lv, &lo, sc, causal)) {
        llm_fail(LLM_ERR_NOMEM, "attention: out of memory for scratch blocks");
        tensor_free(out);
        out = NULL;
        goto done;
    }
    tensor_bump_version(out);
    const tensor *in[3] = {q, k, v};
    if (autograd_needed(3, in)) {
        tensor_node *n = autograd_record(out, OP_ATTENTION, 3, in);
        if (!n) { tensor_free(out); out = NULL; goto done; }
        autograd_save(n, hq ? hq : q);
        autograd_save(n, hk ? hk : k);
        autograd_save(n, hv ? hv : v);
        autograd_save(n, out);
        autograd_save(n, lse);
        if (mc) autograd_save(n, mc);
        n->ip[0] = causal;
        n->ip[1] = mc != NULL;
        n->fp[0] = sc;
    }
done:
    tensor_free(hq);
    tensor_free(hk);
    tensor_free(hv);
    tensor_free(ho);
    tensor_free(mc);
    tensor_free(lse);
    return out;
}

/* The attention backward (called by backward.c): grads in the (B, T, H, D) layout. */
llm_status attention_backward_tensors(const tensor *g, tensor *const *saved, int has_mask, int causal, float scale,
                                      tensor **dq, tensor **dk, tensor **dv)
{
    const tensor *q = saved[0], *k = saved[1], *v = saved[2], *o = saved[3], *lse = saved[4];
    const tensor *mask = has_mask ? saved[5] : NULL;
    int64_t T = q->shape[q->ndim - 2], D = q->shape[q->ndim - 1], B, H, B2, H2;
    nn_attn_layout lq, lk, lv, lo, lg, ldq, ldk, ldv;
    tensor *h[8] = {0};
    llm_status st = LLM_ERR_NOMEM;
    const float *pq = attn_operand(q, &h[0], &lq, &B, &H);
    const float *pk = attn_operand(k, &h[1], &lk, &B2, &H2);
    const float *pv = attn_operand(v, &h[2], &lv, &B2, &H2);
    const float *po = attn_operand(o, &h[3], &lo, &B2, &H2);
    const float *pg = attn_operand(g, &h[4], &lg, &B2, &H2);
    *dq = attn_empty(q->ndim, q->shape);
    *dk = attn_empty(q->ndim, q->shape);
    *dv = attn_empty(q->ndim, q->shape);
    const float *pdq = *dq ? attn_operand(*dq, &h[5], &ldq, &B2, &H2) : NULL;
    const float *pdk = *dk ? attn_operand(*dk, &h[6], &ldk, &B2, &H2) : NULL;
    const float *pdv = *dv ? attn_operand(*dv, &h[7], &ldv, &B2, &H2) : NULL;
    if (pq && pk && pv && po && pg && pdq && pdk && pdv &&
        nn_attention_backward((float *)pdq, (float *)pdk, (float *)pdv, pg, pq, pk, pv, po, tensor_f32(lse),
                              mask ? tensor_f32(mask) : NULL, B, H, T, D, &lq, &lk, &lv, &lo, &lg, &ldq, &ldk, &ldv,
                              scale, causal) == 0)
        st = LLM_OK;
    for (int i = 0; i < 8; i++) tensor_free(h[i]);
    if (st != LLM_OK) {
        tensor_free(*dq); tensor_free(*dk); tensor_free(*dv);
        *dq = *dk = *dv = NULL;
        return llm_fail(LLM_ERR_NOMEM, "attention: out of memory in backward");
    }
    return LLM_OK;
}

/* The (B, H, T, D) layouts of q, k, v inside a contiguous (B, T, 3, H, D) block and of a (B, T, H, D) one. */
static void packed_layouts(int64_t T, int64_t H, int64_t D, nn_attn_layout *lqkv, nn_attn_layout *lout)
{
    lqkv->sb = T * 3 * H * D;
    lqkv->sh = D;
    lqkv->st = 3 * H * D;
    lout->sb = T * H * D;
    lout->sh = D;
    lout->st = H * D;
}

tensor *tensor_attention_packed(const tensor *qkv, int64_t heads, const tensor *mask, int causal, double scale)
{
    char s1[96];
    if (need_f32(qkv, "attention", "qkv")) return NULL;
    int nd = qkv->ndim;
    if (nd < 2 || nd > 3 || heads < 1 || heads > qkv->shape[nd - 1] / 3 || qkv->shape[nd - 1] % (3 * heads) != 0) {
        llm_fail(LLM_ERR_SHAPE, "attention: packed qkv %s must be (B, T, 3C) or (T, 3C) with C a multiple of "
                 "heads = %lld", tensor_shape_str(qkv, s1, sizeof s1), (long long)heads);
        return NULL;
    }
    int64_t B = nd == 3 ? qkv->shape[0] : 1, T = qkv->shape[nd - 2], C = qkv->shape[nd - 1] / 3, D = C / heads;
    float sc = scale > 0 ? (float)scale : (float)(1.0 / sqrt((double)(D ? D : 1)));
    tensor *mc = NULL, *x = NULL, *lse = NULL, *out = NULL;
    if (attn_mask(mask, T, &mc)) return NULL;
    int64_t oshape[3] = {B, T, C};
    int64_t lshape[1] = {B * heads * T};
    GRAD_OFF_BEGIN;
    x = tensor_contiguous(qkv);
    out = tensor_empty(nd, nd == 3 ? oshape : oshape + 1, TENSOR_F32);
    lse = tensor_empty(1, lshape, TENSOR_F32);
    GRAD_OFF_END;
    if (!x || !out || !lse) { tensor_free(out); out = NULL; goto done; }
    nn_attn_layout lq, lo;
    packed_layouts(T, heads, D, &lq, &lo);
    const float *px = tensor_f32(x);
    if (nn_attention_forward(tensor_f32(out), tensor_f32(lse), px, px + C, px + 2 * C, mc ? tensor_f32(mc) : NULL, B,
                             heads, T, D, &lq, &lq, &lq, &lo, sc, causal)) {
        llm_fail(LLM_ERR_NOMEM, "attention: out of memory for scratch blocks");
        tensor_free(out);
        out = NULL;
        goto done;
    }
    const tensor *in[1] = {qkv};
    if (autograd_needed(1, in)) {
        tensor_node *n = autograd_record(out, OP_ATTENTION, 1, in);
        if (!n) { tensor_free(out); out = NULL; goto done; }
        autograd_save(n, x);
        autograd_save(n, out);
        autograd_save(n, lse);
        if (mc) autograd_save(n, mc);
        n->ip[0] = causal;
        n->ip[1] = mc != NULL;
        n->ip[2] = heads;
        n->fp[0] = sc;
    }
done:
    tensor_free(x);
    tensor_free(mc);
    tensor_free(lse);
    return out;
}

llm_status attention_packed_backward(const tensor *g, tensor *const *saved, int64_t heads, int has_mask, int causal,
                                     float scale, tensor **dqkv)
{
    const tensor *x = saved[0], *o = saved[1], *lse = saved[2];
    const tensor *mask = has_mask ? saved[3] : NULL;
    int nd = x->ndim;
    int64_t B = nd == 3 ? x->shape[0] : 1, T = x->shape[nd - 2], C = x->shape[nd - 1] / 3, D = C / heads;
    tensor *gc = tensor_contiguous(g);
    *dqkv = tensor_empty(nd, x->shape, TENSOR_F32); /* every entry is written by the kernel */
    if (!gc || !*dqkv) goto fail;
    nn_attn_layout lq, lo;
    packed_layouts(T, heads, D, &lq, &lo);
    const float *px = tensor_f32(x);
    float *pd = tensor_f32(*dqkv);
    if (nn_attention_backward(pd, pd + C, pd + 2 * C, tensor_f32(gc), px, px + C, px + 2 * C, tensor_f32(o),
                              tensor_f32(lse), mask ? tensor_f32(mask) : NULL, B, heads, T, D, &lq, &lq, &lq, &lo, &lo,
                              &lq, &lq, &lq, scale, causal))
        goto fail;
    tensor_free(gc);
    return LLM_OK;
fail:
    tensor_free(gc);
    tensor_free(*dqkv);
    *dqkv = NULL;
    return llm_fail(LLM_ERR_NOMEM, "attention: out of memory in backward");
}

tensor *tensor_dropout(const tensor *t, double p, int training)
{
    if (!(p >= 0 && p <= 1)) { llm_fail(LLM_ERR_ARG, "dropout: p must be in [0, 1], got %g", p); return NULL; }
    if (need_f32(t, "dropout", "the input")) return NULL;
    if (!training || p == 0) return tensor_ref((tensor *)t);
    tensor *mask = tensor_empty(t->ndim, t->shape, TENSOR_F32);
    if (!mask) return NULL;
    float *pm = tensor_f32(mask);
    int64_t n = tensor_numel(t);
    float keep = p >= 1 ? 0.0f : (float)(1.0 / (1.0 - p));
    uint32_t thr = (uint32_t)(p * 4294967296.0 > 4294967295.0 ? 4294967295.0 : p * 4294967296.0);
    for (int64_t i = 0; i < n; i++) pm[i] = (p >= 1 || llm_rand_u32() < thr) ? 0.0f : keep;
    GRAD_OFF_BEGIN;
    tensor *out = tensor_mul(t, mask);
    GRAD_OFF_END;
    const tensor *in[1] = {t};
    if (out && autograd_needed(1, in)) {
        tensor_node *nd = autograd_record(out, OP_DROPOUT, 1, in);
        if (!nd) { tensor_free(out); out = NULL; }
        else autograd_save(nd, mask);
    }
    tensor_free(mask);
    return out;
}
