/*
 * index.c: ops that move elements by index or join tensors: cat, stack,
 * index_select, gather, scatter_add, embedding lookup, one_hot. Index
 * tensors are int32/int64 with 0-based values, checked against the size
 * of the dim they index (an out-of-range id is an error, not a crash).
 */
#include <stdlib.h>
#include "internal.h"
#include "nn/vmath.h"

static llm_status check_index_tensor(const tensor *idx, const char *op)
{
    if (idx->dtype != TENSOR_I64 && idx->dtype != TENSOR_I32)
        return llm_fail(LLM_ERR_ARG, "%s: indices must be an int64 or int32 tensor, not %s", op,
                        tensor_dtype_name(idx->dtype));
    return LLM_OK;
}

/* Copy the indices (row-major) into a fresh int64 array, checking the range. */
static int64_t *read_indices(const tensor *idx, int64_t limit, const char *op)
{
    if (check_index_tensor(idx, op) != LLM_OK) return NULL;
    int64_t n = tensor_numel(idx);
    int64_t *v = llm_malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
    if (!v) return NULL;
    if (tensor_is_contiguous(idx) && idx->dtype == TENSOR_I64) {
        memcpy(v, (int64_t *)idx->storage->data + idx->offset, sizeof(int64_t) * (size_t)n);
    } else {
        for (int64_t i = 0; i < n; i++) v[i] = tensor_index_at(idx, i);
    }
    for (int64_t i = 0; i < n; i++) {
        if (v[i] < 0 || v[i] >= limit) {
            llm_fail(LLM_ERR_ARG, "%s: index %lld is out of range 0..%lld", op, (long long)v[i], (long long)limit - 1);
            free(v);
            return NULL;
        }
    }
    return v;
}

tensor *tensor_cat(int n, tensor *const *ts, int dim)
{
    char b1[96], b2[96];
    if (n < 1) { llm_fail(LLM_ERR_ARG, "cat: needs at least one tensor"); return NULL; }
    const tensor *t0 = ts[0];
    int d = tensor_norm_dim(t0, dim, "cat");
    if (d < 0) return NULL;
    int64_t shape[TENSOR_MAX_DIMS];
    memcpy(shape, t0->shape, sizeof shape);
    shape[d] = 0;
    for (int i = 0; i < n; i++) {
        const tensor *t = ts[i];
        int ok = t->ndim == t0->ndim && t->dtype == t0->dtype;
        for (int k = 0; ok && k < t->ndim; k++)
            if (k != d && t->shape[k] != t0->shape[k]) ok = 0;
        if (!ok) {
            llm_fail(LLM_ERR_SHAPE, "cat: shapes %s and %s do not fit along dim %lld (or dtypes differ)",
                     tensor_shape_str(t0, b1, sizeof b1), tensor_shape_str(t, b2, sizeof b2), LBL(dim));
            return NULL;
        }
        shape[d] += t->shape[d];
    }
    tensor *out = tensor_empty(t0->ndim, shape, t0->dtype);
    if (!out) return NULL;
    GRAD_OFF_BEGIN;
    int64_t at = 0;
    for (int i = 0; i < n && out; i++) {
        tensor *v = tensor_narrow(out, d, at, ts[i]->shape[d]);
        if (!v) { tensor_free(out); out = NULL; break; }
        strided_copy(v, ts[i]);
        tensor_free(v);
        at += ts[i]->shape[d];
    }
    GRAD_OFF_END;
    if (out && autograd_needed(n, (const tensor *const *)ts)) {
        tensor_node *nd = autograd_record(out, OP_CAT, n, (const tensor *const *)ts);
        if (!nd) { tensor_free(out); return NULL; }
        nd->ip[0] = d;
    }
    return out;
}

tensor *tensor_stack(int n, tensor *const *ts, int dim)
{
    if (n < 1) { llm_fail(LLM_ERR_ARG, "stack: needs at least one tensor"); return NULL; }
    int d = dim < 0 ? dim + ts[0]->ndim + 1 : dim;
    if (d < 0 || d > ts[0]->ndim) { llm_fail(LLM_ERR_ARG, "stack: dim %lld is out of range", LBL(dim)); return NULL; }
    tensor **u = llm_calloc((size_t)n, sizeof *u);
    if (!u) return NULL;
    tensor *out = NULL;
    for (int i = 0; i < n; i++) {
        if (!tensor_same_shape(ts[i], ts[0])) {
            char b1[96], b2[96];
            llm_fail(LLM_ERR_SHAPE, "stack: shapes %s and %s differ", tensor_shape_str(ts[0], b1, sizeof b1),
                     tensor_shape_str(ts[i], b2, sizeof b2));
            goto done;
        }
        if (!(u[i] = tensor_unsqueeze(ts[i], d))) goto done;
    }
    out = tensor_cat(n, u, d);
done:
    for (int i = 0; i < n; i++) tensor_free(u[i]);
    free(u);
    return out;
}

tensor *tensor_index_select(const tensor *t, int dim, const tensor *index)
{
    int d = tensor_norm_dim(t, dim, "index_select");
    if (d < 0) return NULL;
    if (index->ndim > 1) { llm_fail(LLM_ERR_SHAPE, "index_select: the index must be 1-D"); return NULL; }
    int64_t *ix = read_indices(index, t->shape[d], "index_select");
    if (!ix) return NULL;
    int64_t n = tensor_numel(index);
    int64_t shape[TENSOR_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    shape[d] = n;
    tensor *out = tensor_empty(t->ndim, shape, t->dtype);
    GRAD_OFF_BEGIN;
    for (int64_t j = 0; j < n && out; j++) {
        tensor *dst = tensor_select(out, d, j), *src = tensor_select(t, d, ix[j]);
        if (dst && src) strided_copy(dst, src);
        tensor_free(dst);
        tensor_free(src);
    }
    GRAD_OFF_END;
    free(ix);
    const tensor *in[2] = {t, NULL};
    if (out && autograd_needed(1, in)) {
        tensor_node *nd = autograd_record(out, OP_INDEX_SELECT, 1, in);
        if (!nd) { tensor_free(out); return NULL; }
        nd->ip[0] = d;
        autograd_save(nd, index);
    }
    return out;
}

/* Visit every element of idx: callback with the flat position in idx, the
 * offset of the matching element (dim replaced by the index) in `other`. */
static llm_status gather_scatter(int scatter, float *dst, const tensor *dt, const float *src, const tensor *st,
                                 const tensor *idx, int d, const char *op)
{
    /* gather: dst (idx shape, contiguous) <- src (st) at [.., idx, ..] along d
     * scatter: dst (dt) at [.., idx, ..] += src (idx shape, via st strides) */
    const tensor *big = scatter ? dt : st;
    int64_t *ix = read_indices(idx, big->shape[d], op);
    if (!ix) return LLM_ERR_ARG;
    int64_t n = tensor_numel(idx);
    int64_t pos[TENSOR_MAX_DIMS] = {0};
    for (int64_t i = 0; i < n; i++) {
        int64_t ob = big->offset, os = 0;
        for (int k = 0; k < idx->ndim; k++) ob += (k == d ? ix[i] : pos[k]) * big->stride[k];
        if (scatter) {
            for (int k = 0; k < idx->ndim; k++) os += pos[k] * st->stride[k];
            dst[ob] += src[st->offset + os];
        } else {
            dst[i] = src[ob];
        }
        for (int k = idx->ndim - 1; k >= 0; k--) {
            if (++pos[k] < idx->shape[k]) break;
            pos[k] = 0;
        }
    }
    free(ix);
    return LLM_OK;
}

static llm_status check_gather_shapes(const tensor *t, int d, const tensor *idx, const char *op)
{
    char b1[96], b2[96];
    if (idx->ndim != t->ndim) goto bad;
    for (int k = 0; k < t->ndim; k++)
        if (k != d && idx->shape[k] > t->shape[k]) goto bad;
    return LLM_OK;
bad:
    return llm_fail(LLM_ERR_SHAPE, "%s: index of shape %s does not fit a tensor of shape %s along dim %lld", op,
                    tensor_shape_str(idx, b1, sizeof b1), tensor_shape_str(t, b2, sizeof b2), LBL(d));
}

tensor *tensor_gather(const tensor *t, int dim, const tensor *index)
{
    int d = tensor_norm_dim(t, dim, "gather");
    if (d < 0 || check_index_tensor(index, "gather") || check_gather_shapes(t, d, index, "gather")) return NULL;
    if (t->dtype != TENSOR_F32) { llm_fail(LLM_ERR_ARG, "gather: needs a float32 tensor"); return NULL; }
    tensor *out = tensor_empty(index->ndim, index->shape, TENSOR_F32);
    if (!out) return NULL;
    if (gather_scatter(0, tensor_f32(out), NULL, t->storage->data, t, index, d, "gather")) { tensor_free(out); return NULL; }
    const tensor *in[1] = {t};
    if (autograd_needed(1, in)) {
        tensor_node *nd = autograd_record(out, OP_GATHER, 1, in);
        if (!nd) { tensor_free(out); return NULL; }
        nd->ip[0] = d;
        autograd_save(nd, index);
    }
    return out;
}

tensor *tensor_scatter_add(const tensor *t, int dim, const tensor *index, const tensor *src)
{
    char b1[96], b2[96];
    int d = tensor_norm_dim(t, dim, "scatter_add");
    if (d < 0 || check_index_tensor(index, "scatter_add") || check_gather_shapes(t, d, index, "scatter_add")) return NULL;
    if (t->dtype != TENSOR_F32 || src->dtype != TENSOR_F32) { llm_fail(LLM_ERR_ARG, "scatter_add: needs float32 tensors"); return NULL; }
    int ok = src->ndim == index->ndim;
    for (int k = 0; ok && k < src->ndim; k++)
        if (src->shape[k] < index->shape[k]) ok = 0;
    if (!ok) {
        llm_fail(LLM_ERR_SHAPE, "scatter_add: source of shape %s is smaller than the index %s",
                 tensor_shape_str(src, b1, sizeof b1), tensor_shape_str(index, b2, sizeof b2));
        return NULL;
    }
    GRAD_OFF_BEGIN;
    tensor *out = tensor_clone(t);
    GRAD_OFF_END;
    if (!out) return NULL;
    if (gather_scatter(1, out->storage->data, out, src->storage->data, src, index, d, "scatter_add")) {
        tensor_free(out);
        return NULL;
    }
    const tensor *in[2] = {t, src};
    if (autograd_needed(2, in)) {
        tensor_node *nd = autograd_record(out, OP_SCATTER_ADD, 2, in);
        if (!nd) { tensor_free(out); return NULL; }
        nd->ip[0] = d;
        autograd_save(nd, index);
    }
    return out;
}

tensor *tensor_embedding(const tensor *weight, const tensor *ids)
{
    char b1[96];
    if (weight->ndim != 2 || weight->dtype != TENSOR_F32) {
        llm_fail(LLM_ERR_SHAPE, "embedding: the weight must be a float32 (vocab, dim) matrix, got %s",
                 tensor_shape_str(weight, b1, sizeof b1));
        return NULL;
    }
    if (ids->ndim >= TENSOR_MAX_DIMS) { llm_fail(LLM_ERR_SHAPE, "embedding: too many dims in ids"); return NULL; }
    int64_t V = weight->shape[0], C = weight->shape[1];
    int64_t *ix = read_indices(ids, V, "embedding");
    if (!ix) return NULL;
    int64_t shape[TENSOR_MAX_DIMS];
    memcpy(shape, ids->shape, sizeof(int64_t) * (size_t)ids->ndim);
    shape[ids->ndim] = C;
    tensor *out = tensor_empty(ids->ndim + 1, shape, TENSOR_F32);
    GRAD_OFF_BEGIN;
    tensor *w = tensor_contiguous(weight);
    GRAD_OFF_END;
    if (out && w) {
        int64_t n = tensor_numel(ids);
        const float *pw = tensor_f32(w);
        float *po = tensor_f32(out);
        for (int64_t i = 0; i < n; i++) memcpy(po + i * C, pw + ix[i] * C, sizeof(float) * (size_t)C);
    }
    free(ix);
    tensor_free(w);
    if (!w) { tensor_free(out); return NULL; }
    const tensor *in[2] = {weight, NULL};
    if (out && autograd_needed(1, in)) {
        tensor_node *nd = autograd_record(out, OP_EMBEDDING, 1, in);
        if (!nd) { tensor_free(out); return NULL; }
        autograd_save(nd, ids);
    }
    return out;
}

/* The embedding backward: dweight (V, C) gets each row of g added at its id. */
tensor *embedding_backward(const tensor *g0, const tensor *ids, int64_t V)
{
    int64_t C = g0->shape[g0->ndim - 1];
    int64_t shape[2] = {V, C};
    tensor *dw = tensor_zeros(2, shape, TENSOR_F32);
    tensor *g = tensor_contiguous(g0);
    int64_t *ix = dw && g ? read_indices(ids, V, "embedding") : NULL;
    if (!ix) { tensor_free(dw); tensor_free(g); return NULL; }
    int64_t n = tensor_numel(ids);
    const float *pg = tensor_f32(g);
    float *pw = tensor_f32(dw);
    for (int64_t i = 0; i < n; i++) vm_axpy(pw + ix[i] * C, pg + i * C, C, 1.0f); /* a vector loop per row */
    free(ix);
    tensor_free(g);
    return dw;
}

tensor *tensor_one_hot(const tensor *ids, int64_t classes)
{
    if (classes < 1) { llm_fail(LLM_ERR_ARG, "one_hot: classes must be >= 1"); return NULL; }
    int64_t *ix = read_indices(ids, classes, "one_hot");
    if (!ix) return NULL;
    int64_t shape[TENSOR_MAX_DIMS];
    memcpy(shape, ids->shape, sizeof(int64_t) * (size_t)ids->ndim);
    shape[ids->ndim] = classes;
    tensor *out = ids->ndim < TENSOR_MAX_DIMS ? tensor_zeros(ids->ndim + 1, shape, TENSOR_F32) : NULL;
    if (out) {
        int64_t n = tensor_numel(ids);
        for (int64_t i = 0; i < n; i++) tensor_f32(out)[i * classes + ix[i]] = 1.0f;
    }
    free(ix);
    return out;
}
