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
    tensor *lse = tensor_empty(1, &N, TENSOR_F32);
    GRAD_OFF_END;
    tensor *out = NULL;
    if (!xc || !tcc || !losses || !lse) goto done;
    const int64_t *tg = (const int64_t *)tcc->storage->data + tcc->offset;
    for (int64_t i = 0; i < N; i++) {
        if (tg[i] != ignore_index && (tg[i] < 0 || tg[i] >= C)) {
            llm_fail(LLM_ERR_ARG, "cross_entropy: target %lld at position %lld is out of range 0..%lld",
                     (long long)tg[i], (long long)i, (long long)C - 1);
            goto done;
        }
    }
    int64_t count = nn_crossentropy_forward(tensor_f32(losses), tensor_f32(lse), tensor_f32(xc), tg, N, C,
                                            ignore_index, (float)smoothing);
    if (reduction == TENSOR_REDUCE_NONE) {
        out = tensor_ref(losses);
    } else {
        double s = 0;
        const float *pl = tensor_f32(losses);
        for (int64_t i = 0; i < N; i++) s += pl[i];
        if (reduction == TENSOR_REDUCE_MEAN) s = count ? s / (double)count : NAN;
        out = tensor_scalar(s);
    }
    const tensor *in[1] = {logits};
    if (out && autograd_needed(1, in)) {
        tensor_node *n = autograd_record(out, OP_CROSS_ENTROPY, 1, in);
        if (!n) { tensor_free(out); out = NULL; goto done; }
        autograd_save(n, xc);
        autograd_save(n, lse);
        autograd_save(n, tcc);
        n->ip[0] = ignore_index;
        n->ip[1] = reduction;
        n->ip[2] = count;
        n->fp[0] = smoothing;
    }
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
    int64_t BH = (T * D != 0) ? tensor_numel(q) / (T * D) : 0;
    if (mask) {
        int ok = mask->ndim >= 1 && mask->ndim <= 2 && mask->shape[mask->ndim - 1] == T &&
                 (mask->ndim == 1 || mask->shape[0] == T || mask->shape[0] == 1);
        if (!ok) {
            llm_fail(LLM_ERR_SHAPE, "attention: mask %s does not fit (T, T) = {%lld,%lld}",
                     tensor_shape_str(mask, s1, sizeof s1), (long long)T, (long long)T);
            return NULL;
        }
    }
    float sc = scale > 0 ? (float)scale : (float)(1.0 / sqrt((double)(D ? D : 1)));
    int64_t lshape[1] = {BH * T}, mshape[2] = {T, T};
    GRAD_OFF_BEGIN;
    tensor *qc = tensor_contiguous(q), *kc = tensor_contiguous(k), *vc = tensor_contiguous(v);
    tensor *mc = NULL;
    if (mask) {
        tensor *mf = tensor_to_dtype(mask, TENSOR_F32);
        tensor *me = mf ? tensor_expand(mf, 2, mshape) : NULL;
        mc = me ? tensor_contiguous(me) : NULL;
        tensor_free(mf);
        tensor_free(me);
    }
    tensor *out = tensor_empty(q->ndim, q->shape, TENSOR_F32);
    tensor *lse = tensor_empty(1, lshape, TENSOR_F32);
    GRAD_OFF_END;
    if (!qc || !kc || !vc || (mask && !mc) || !out || !lse) { tensor_free(out); out = NULL; goto done; }
    if (nn_attention_forward(tensor_f32(out), tensor_f32(lse), tensor_f32(qc), tensor_f32(kc), tensor_f32(vc),
                             mc ? tensor_f32(mc) : NULL, BH, T, D, sc, causal)) {
        llm_fail(LLM_ERR_NOMEM, "attention: out of memory for scratch blocks");
        tensor_free(out);
        out = NULL;
        goto done;
    }
    const tensor *in[3] = {q, k, v};
    if (autograd_needed(3, in)) {
        tensor_node *n = autograd_record(out, OP_ATTENTION, 3, in);
        if (!n) { tensor_free(out); out = NULL; goto done; }
        autograd_save(n, qc);
        autograd_save(n, kc);
        autograd_save(n, vc);
        autograd_save(n, out);
        autograd_save(n, lse);
        if (mc) autograd_save(n, mc);
        n->ip[0] = causal;
        n->ip[1] = mc != NULL;
        n->fp[0] = sc;
    }
done:
    tensor_free(qc);
    tensor_free(kc);
    tensor_free(vc);
    tensor_free(mc);
    tensor_free(lse);
    return out;
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
