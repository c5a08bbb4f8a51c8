/*
 * reduce.c: reductions over any set of dims (sum, mean, var/std) and over
 * one dim or all (max/min with their indices, argmax/argmin), and
 * sum_to_shape, the backward of broadcasting.
 *
 * The input is presented as a (K, R) matrix: kept dims first, reduced dims
 * last (a permuted copy when the layout needs it). Reducing the leading
 * dims of a contiguous tensor (a bias gradient) adds rows instead, without
 * the copy.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include "internal.h"
#include "nn/vmath.h"

enum { R_SUM, R_MEAN, R_VAR, R_MAX, R_MIN };

static void out_shape(const tensor *t, uint32_t mask, int keepdim, int *nd, int64_t *shape)
{
    int k = 0;
    for (int d = 0; d < t->ndim; d++) {
        if (mask & (1u << d)) { if (keepdim) shape[k++] = 1; }
        else shape[k++] = t->shape[d];
    }
    *nd = k;
}

static uint32_t full_mask(const tensor *t) { return t->ndim ? (uint32_t)((1u << t->ndim) - 1) : 0; }

/* Arrange t (float32) as a contiguous (K, R) buffer; returns a new ref. */
static tensor *as_rows(const tensor *t, uint32_t mask, int64_t *K, int64_t *R)
{
    int perm[TENSOR_MAX_DIMS], k = 0;
    *K = 1;
    *R = 1;
    for (int d = 0; d < t->ndim; d++)
        if (!(mask & (1u << d))) { perm[k++] = d; *K *= t->shape[d]; }
    for (int d = 0; d < t->ndim; d++)
        if (mask & (1u << d)) { perm[k++] = d; *R *= t->shape[d]; }
    tensor *p = tensor_permute(t, perm);
    if (!p) return NULL;
    tensor *c = tensor_contiguous(p);
    tensor_free(p);
    return c;
}

/* Core: reduce t (float32) over mask into out (contiguous, K elements); idx (int64, K) for max/min. */
static llm_status reduce_into(int kind, const tensor *t, uint32_t mask, int correction, float *out, int64_t *idx)
{
    int64_t K, R;
    /* Fast path: leading dims reduced, contiguous input, sum/mean: add rows. */
    int lead = 1, seen_kept = 0;
    for (int d = 0; d < t->ndim; d++) {
        if (mask & (1u << d)) { if (seen_kept) { lead = 0; break; } }
        else seen_kept = 1;
    }
    if ((kind == R_SUM || kind == R_MEAN) && lead && tensor_is_contiguous(t) && t->dtype == TENSOR_F32 && seen_kept) {
        R = 1;
        K = 1; /* from the kept dims: numel / R is 0 when a reduced dim is empty */
        for (int d = 0; d < t->ndim; d++)
            if (mask & (1u << d)) R *= t->shape[d];
            else K *= t->shape[d];
        const float *p = tensor_f32(t);
        float scale = kind == R_MEAN ? 1.0f / (float)R : 1.0f;
        /* column blocks of 256 in parallel; rows added with a vector loop */
#pragma omp parallel for if (K * R > TENSOR_OMP_MIN && K >= 512)
        for (int64_t kb = 0; kb < K; kb += 256) {
            int64_t len = K - kb < 256 ? K - kb : 256;
            float *o = out + kb;
            memset(o, 0, sizeof(float) * (size_t)len);
            for (int64_t r = 0; r < R; r++) vm_axpy(o, p + r * K + kb, len, 1.0f);
            if (scale != 1.0f) vm_scale(o, len, scale);
        }
        return LLM_OK;
    }
    GRAD_OFF_BEGIN;
    tensor *f = tensor_to_dtype(t, TENSOR_F32);
    tensor *c = f ? as_rows(f, mask, &K, &R) : NULL;
    tensor_free(f);
    GRAD_OFF_END;
    if (!c) return LLM_ERR_NOMEM;
    const float *p = tensor_f32(c);
#pragma omp parallel for if (K * R > TENSOR_OMP_MIN)
    for (int64_t k = 0; k < K; k++) {
        const float *row = p + k * R;
        if (kind == R_SUM || kind == R_MEAN) {
            double s = 0;
            for (int64_t r = 0; r < R; r++) s += row[r];
            out[k] = (float)(kind == R_MEAN ? s / (double)R : s);
        } else if (kind == R_VAR) {
            double s = 0;
            for (int64_t r = 0; r < R; r++) s += row[r];
            double m = s / (double)R, q = 0;
            for (int64_t r = 0; r < R; r++) q += (row[r] - m) * (row[r] - m);
            double den = (double)(R - correction);
            out[k] = (float)(den > 0 ? q / den : NAN);
        } else {
            int64_t best = 0;
            float bv = R > 0 ? row[0] : 0.0f;
            for (int64_t r = 1; r < R; r++) {
                float v = row[r];
                if (v != v) { if (bv == bv) { bv = v; best = r; } continue; } /* NaN wins, like torch */
                if (kind == R_MAX ? v > bv : v < bv) { bv = v; best = r; }
            }
            out[k] = bv;
            if (idx) idx[k] = best;
        }
    }
    tensor_free(c);
    return LLM_OK;
}

static tensor *reduce_op(int kind, const tensor *t, uint32_t mask, int keepdim, int correction, const char *name)
{
    if (mask == 0) mask = full_mask(t);
    if (mask & ~full_mask(t)) {
        char b[96];
        llm_fail(LLM_ERR_ARG, "%s: a dim is out of range for shape %s", name, tensor_shape_str(t, b, sizeof b));
        return NULL;
    }
    int64_t R = 1;
    for (int d = 0; d < t->ndim; d++)
        if (mask & (1u << d)) R *= t->shape[d];
    if (R == 0 && kind != R_SUM) {
        llm_fail(LLM_ERR_SHAPE, "%s: reduction over an empty dim", name);
        return NULL;
    }
    int nd;
    int64_t shape[TENSOR_MAX_DIMS];
    out_shape(t, mask, keepdim, &nd, shape);
    tensor *out = tensor_empty(nd, shape, TENSOR_F32);
    if (!out) return NULL;
    if (reduce_into(kind, t, mask, correction, tensor_f32(out), NULL) != LLM_OK) { tensor_free(out); return NULL; }
    const tensor *in[1] = {t};
    if (autograd_needed(1, in)) {
        static const tensor_op ops[] = {OP_SUM, OP_MEAN, OP_VAR};
        tensor_node *n = autograd_record(out, ops[kind], 1, in);
        if (!n) { tensor_free(out); return NULL; }
        n->ip[0] = mask;
        n->ip[1] = keepdim;
        n->ip[2] = correction;
        n->fp[0] = (double)R;
        if (kind == R_VAR) autograd_save(n, t);
    }
    return out;
}

tensor *reduce_sum_dims(const tensor *t, uint32_t dims, int keepdim) { return reduce_op(R_SUM, t, dims, keepdim, 0, "sum"); }
tensor *tensor_sum(const tensor *t, uint32_t dims, int keepdim) { return reduce_op(R_SUM, t, dims, keepdim, 0, "sum"); }
tensor *tensor_mean(const tensor *t, uint32_t dims, int keepdim) { return reduce_op(R_MEAN, t, dims, keepdim, 0, "mean"); }
tensor *tensor_var(const tensor *t, uint32_t dims, int keepdim, int correction)
{
    return reduce_op(R_VAR, t, dims, keepdim, correction, "var");
}
tensor *tensor_std(const tensor *t, uint32_t dims, int keepdim, int correction)
{
    tensor *v = tensor_var(t, dims, keepdim, correction);
    if (!v) return NULL;
    tensor *s = tensor_sqrt(v);
    tensor_free(v);
    return s;
}

/* max/min over one dim (or all): values, and indices along that dim (flat for all). */
static tensor *extreme(int kind, const tensor *t, int dim, int keepdim, tensor **indices, int want_values)
{
    const char *name = kind == R_MAX ? "max" : "min";
    uint32_t mask;
    if (dim == TENSOR_ALL_DIMS) {
        mask = full_mask(t);
        keepdim = 0;
    } else {
        int d = tensor_norm_dim(t, dim, name);
        if (d < 0) return NULL;
        mask = 1u << d;
    }
    if (tensor_numel(t) == 0) {
        llm_fail(LLM_ERR_SHAPE, "%s: reduction over an empty tensor", name);
        return NULL;
    }
    int nd;
    int64_t shape[TENSOR_MAX_DIMS];
    if (mask == 0) { nd = t->ndim; memcpy(shape, t->shape, sizeof shape); }
    else out_shape(t, mask, keepdim, &nd, shape);
    tensor *out = tensor_empty(nd, shape, TENSOR_F32);
    tensor *idx = tensor_empty(nd, shape, TENSOR_I64);
    if (!out || !idx) goto fail;
    if (mask == 0) { /* 0-dim input */
        tensor_f32(out)[0] = (float)tensor_get_flat(t, 0);
        ((int64_t *)idx->storage->data)[0] = 0;
    } else if (reduce_into(kind, t, mask, 0, tensor_f32(out), (int64_t *)idx->storage->data) != LLM_OK) {
        goto fail;
    }
    if (want_values) {
        const tensor *in[1] = {t};
        if (autograd_needed(1, in)) {
            tensor_node *n = autograd_record(out, kind == R_MAX ? OP_MAX : OP_MIN, 1, in);
            if (!n) goto fail;
            n->ip[0] = dim == TENSOR_ALL_DIMS ? -1 : (int64_t)__builtin_ctz(mask);
            n->ip[1] = keepdim;
            autograd_save(n, idx);
        }
    }
    if (indices) *indices = idx;
    else tensor_free(idx);
    return out;
fail:
    tensor_free(out);
    tensor_free(idx);
    return NULL;
}

tensor *tensor_max(const tensor *t, int dim, int keepdim, tensor **indices) { return extreme(R_MAX, t, dim, keepdim, indices, 1); }
tensor *tensor_min(const tensor *t, int dim, int keepdim, tensor **indices) { return extreme(R_MIN, t, dim, keepdim, indices, 1); }

tensor *tensor_argmax(const tensor *t, int dim, int keepdim)
{
    tensor *idx = NULL;
    tensor *v = extreme(R_MAX, t, dim, keepdim, &idx, 0);
    tensor_free(v);
    return v ? idx : NULL;
}

tensor *tensor_argmin(const tensor *t, int dim, int keepdim)
{
    tensor *idx = NULL;
    tensor *v = extreme(R_MIN, t, dim, keepdim, &idx, 0);
    tensor_free(v);
    return v ? idx : NULL;
}

tensor *tensor_sum_to_shape(const tensor *t, int ndim, const int64_t *shape)
{
    uint32_t mask = 0;
    int lead = t->ndim - ndim;
    if (lead < 0) goto bad;
    for (int d = 0; d < t->ndim; d++) {
        int sd = d - lead;
        if (sd < 0) mask |= 1u << d;
        else if (shape[sd] == 1 && t->shape[d] != 1) mask |= 1u << d;
        else if (shape[sd] != t->shape[d]) goto bad;
    }
    if (!mask) return tensor_ref((tensor *)t);
    tensor *s = reduce_op(R_SUM, t, mask, 1, 0, "sum_to_shape");
    if (!s) return NULL;
    tensor *r = tensor_reshape(s, ndim, shape);
    tensor_free(s);
    return r;
bad:;
    char b1[96], b2[96];
    llm_fail(LLM_ERR_SHAPE, "sum_to_shape: %s cannot be summed to %s", tensor_shape_str(t, b1, sizeof b1),
             shape_str(ndim, shape, b2, sizeof b2));
    return NULL;
}
