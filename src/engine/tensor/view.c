/*
 * view.c: views share their input's storage and change only shape, strides
 * and offset: reshape/view, permute/transpose, narrow/slice/select, expand,
 * squeeze/unsqueeze/flatten; plus contiguous/clone/to_dtype, the copies.
 * Each view records a node so gradients flow back through it.
 */
#include <stdlib.h>
#include "internal.h"

tensor *view_make(const tensor *t, int ndim, const int64_t *shape, const int64_t *stride, int64_t offset)
{
    tensor *v = tensor_alloc_header();
    if (!v) return NULL;
    v->dtype = t->dtype;
    v->ndim = ndim;
    for (int d = 0; d < ndim; d++) {
        v->shape[d] = shape[d];
        v->stride[d] = stride[d];
    }
    v->offset = offset;
    v->storage = t->storage;
    t->storage->refcount++;
    return v;
}

/* Record the view's node; on failure frees v. */
static tensor *view_record(tensor *v, const tensor *t, tensor_op op, const int64_t *ip, int nip)
{
    if (!v) return NULL;
    const tensor *in[1] = {t};
    if (autograd_needed(1, in)) {
        tensor_node *n = autograd_record(v, op, 1, in);
        if (!n) { tensor_free(v); return NULL; }
        for (int i = 0; i < nip; i++) n->ip[i] = ip[i];
    }
    return v;
}

/* Resolve one -1 in a requested shape and check the element count. */
static llm_status infer_shape(const tensor *t, int ndim, const int64_t *shape, int64_t *out, const char *op)
{
    char b1[96], b2[96];
    if (ndim < 0 || ndim > TENSOR_MAX_DIMS) return llm_fail(LLM_ERR_SHAPE, "%s: %d dims (at most %d)", op, ndim, TENSOR_MAX_DIMS);
    int neg = -1;
    int64_t known = 1;
    for (int d = 0; d < ndim; d++) {
        out[d] = shape[d];
        if (shape[d] == -1) {
            if (neg >= 0) return llm_fail(LLM_ERR_SHAPE, "%s: only one size may be -1", op);
            neg = d;
        } else if (shape[d] < 0) {
            return llm_fail(LLM_ERR_SHAPE, "%s: negative size %lld", op, (long long)shape[d]);
        } else {
            known *= shape[d];
        }
    }
    int64_t n = tensor_numel(t);
    if (neg >= 0) {
        if (known == 0 || n % known != 0)
            return llm_fail(LLM_ERR_SHAPE, "%s: shape %s is invalid for a tensor of shape %s", op,
                            shape_str(ndim, shape, b1, sizeof b1), tensor_shape_str(t, b2, sizeof b2));
        out[neg] = n / known;
        known *= out[neg];
    }
    if (known != n)
        return llm_fail(LLM_ERR_SHAPE, "%s: shape %s is invalid for a tensor of shape %s (%lld elements)", op,
                        shape_str(ndim, shape, b1, sizeof b1), tensor_shape_str(t, b2, sizeof b2), (long long)n);
    return LLM_OK;
}

/* Strides that present t's elements with a new shape without copying, if any. */
static int view_strides(const tensor *t, int ndim, const int64_t *shape, int64_t *stride)
{
    int64_t n = tensor_numel(t);
    if (t->ndim == 0 || n == 0 || tensor_is_contiguous(t)) {
        int64_t s = 1;
        for (int d = ndim - 1; d >= 0; d--) { stride[d] = s; s *= shape[d] ? shape[d] : 1; }
        return 1;
    }
    int view_d = ndim - 1;
    int64_t chunk = t->stride[t->ndim - 1], tn = 1, vn = 1;
    for (int td = t->ndim - 1; td >= 0; td--) {
        tn *= t->shape[td];
        if (td == 0 || (t->shape[td - 1] != 1 && t->stride[td - 1] != tn * chunk)) {
            while (view_d >= 0 && (vn < tn || shape[view_d] == 1)) {
                stride[view_d] = vn * chunk;
                vn *= shape[view_d];
                view_d--;
            }
            if (vn != tn) return 0;
            if (td > 0) { chunk = t->stride[td - 1]; tn = 1; vn = 1; }
        }
    }
    return view_d == -1;
}

static tensor *reshape_impl(const tensor *t, int ndim, const int64_t *shape, int may_copy, const char *op)
{
    int64_t sh[TENSOR_MAX_DIMS], st[TENSOR_MAX_DIMS];
    if (infer_shape(t, ndim, shape, sh, op) != LLM_OK) return NULL;
    if (!view_strides(t, ndim, sh, st)) {
        if (!may_copy) {
            char b1[96], b2[96];
            llm_fail(LLM_ERR_SHAPE, "%s: cannot view a non-contiguous tensor of shape %s as %s; use reshape or contiguous",
                     op, tensor_shape_str(t, b1, sizeof b1), shape_str(ndim, sh, b2, sizeof b2));
            return NULL;
        }
        tensor *c = tensor_contiguous(t);
        if (!c) return NULL;
        tensor *r = reshape_impl(c, ndim, sh, 0, op);
        tensor_free(c);
        return r;
    }
    return view_record(view_make(t, ndim, sh, st, t->offset), t, OP_RESHAPE, NULL, 0);
}

tensor *tensor_reshape(const tensor *t, int ndim, const int64_t *shape) { return reshape_impl(t, ndim, shape, 1, "reshape"); }
tensor *tensor_view(const tensor *t, int ndim, const int64_t *shape) { return reshape_impl(t, ndim, shape, 0, "view"); }

tensor *tensor_permute(const tensor *t, const int *perm)
{
    int64_t sh[TENSOR_MAX_DIMS], st[TENSOR_MAX_DIMS], ip[TENSOR_MAX_DIMS];
    int seen[TENSOR_MAX_DIMS] = {0};
    for (int d = 0; d < t->ndim; d++) {
        int p = perm[d] < 0 ? perm[d] + t->ndim : perm[d];
        if (p < 0 || p >= t->ndim || seen[p]) {
            char b[96];
            llm_fail(LLM_ERR_ARG, "permute: the dims are not a permutation of 1..%d for shape %s", t->ndim,
                     tensor_shape_str(t, b, sizeof b));
            return NULL;
        }
        seen[p] = 1;
        sh[d] = t->shape[p];
        st[d] = t->stride[p];
        ip[d] = p;
    }
    return view_record(view_make(t, t->ndim, sh, st, t->offset), t, OP_PERMUTE, ip, t->ndim);
}

tensor *tensor_transpose(const tensor *t, int d0, int d1)
{
    int a = tensor_norm_dim(t, d0, "transpose"), b = tensor_norm_dim(t, d1, "transpose");
    if (a < 0 || b < 0) return NULL;
    int perm[TENSOR_MAX_DIMS];
    for (int d = 0; d < t->ndim; d++) perm[d] = d;
    perm[a] = b;
    perm[b] = a;
    return tensor_permute(t, perm);
}

tensor *tensor_slice(const tensor *t, int dim, int64_t start, int64_t stop, int64_t step)
{
    int d = tensor_norm_dim(t, dim, "slice");
    if (d < 0) return NULL;
    int64_t n = t->shape[d];
    if (step <= 0) { llm_fail(LLM_ERR_ARG, "slice: step must be positive, got %lld", (long long)step); return NULL; }
    if (start < 0) start += n;
    if (stop < 0) stop += n;
    if (start < 0) start = 0;
    if (stop > n) stop = n;
    if (start > n) start = n;
    int64_t len = stop > start ? (stop - start + step - 1) / step : 0;
    int64_t sh[TENSOR_MAX_DIMS], st[TENSOR_MAX_DIMS];
    memcpy(sh, t->shape, sizeof sh);
    memcpy(st, t->stride, sizeof st);
    sh[d] = len;
    st[d] = t->stride[d] * step;
    int64_t ip[4] = {d, start, step, len};
    return view_record(view_make(t, t->ndim, sh, st, t->offset + start * t->stride[d]), t, OP_SLICE, ip, 4);
}

tensor *tensor_narrow(const tensor *t, int dim, int64_t start, int64_t length)
{
    int d = tensor_norm_dim(t, dim, "narrow");
    if (d < 0) return NULL;
    if (start < 0) start += t->shape[d];
    if (start < 0 || length < 0 || start + length > t->shape[d]) {
        char b[96];
        llm_fail(LLM_ERR_ARG, "narrow: start %lld length %lld do not fit dim %lld of shape %s", LBL(start),
                 (long long)length, LBL(dim), tensor_shape_str(t, b, sizeof b));
        return NULL;
    }
    return tensor_slice(t, d, start, start + length, 1);
}

tensor *tensor_select(const tensor *t, int dim, int64_t index)
{
    int d = tensor_norm_dim(t, dim, "select");
    if (d < 0) return NULL;
    int64_t n = t->shape[d];
    if (index < 0) index += n;
    if (index < 0 || index >= n) {
        char b[96];
        llm_fail(LLM_ERR_ARG, "select: position %lld is out of range for dim %lld of shape %s", LBL(index), LBL(dim),
                 tensor_shape_str(t, b, sizeof b));
        return NULL;
    }
    int64_t sh[TENSOR_MAX_DIMS], st[TENSOR_MAX_DIMS];
    int k = 0;
    for (int i = 0; i < t->ndim; i++) {
        if (i == d) continue;
        sh[k] = t->shape[i];
        st[k++] = t->stride[i];
    }
    int64_t ip[2] = {d, index};
    return view_record(view_make(t, t->ndim - 1, sh, st, t->offset + index * t->stride[d]), t, OP_SELECT, ip, 2);
}

tensor *tensor_expand(const tensor *t, int ndim, const int64_t *shape)
{
    char b1[96], b2[96];
    if (ndim < t->ndim || ndim > TENSOR_MAX_DIMS) goto bad;
    int64_t sh[TENSOR_MAX_DIMS], st[TENSOR_MAX_DIMS];
    int lead = ndim - t->ndim;
    for (int d = 0; d < ndim; d++) {
        int td = d - lead;
        int64_t want = shape[d];
        if (td < 0) {
            if (want < 0) goto bad;
            sh[d] = want;
            st[d] = 0;
        } else {
            int64_t have = t->shape[td];
            if (want == -1) want = have;
            if (have == want) { sh[d] = have; st[d] = t->stride[td]; }
            else if (have == 1 && want >= 0) { sh[d] = want; st[d] = 0; }
            else goto bad;
        }
    }
    return view_record(view_make(t, ndim, sh, st, t->offset), t, OP_EXPAND, NULL, 0);
bad:
    llm_fail(LLM_ERR_SHAPE, "expand: shape %s cannot expand to %s", tensor_shape_str(t, b1, sizeof b1),
             shape_str(ndim, shape, b2, sizeof b2));
    return NULL;
}

tensor *tensor_squeeze(const tensor *t, int dim)
{
    int64_t sh[TENSOR_MAX_DIMS];
    int k = 0;
    if (dim == TENSOR_ALL_DIMS) {
        for (int d = 0; d < t->ndim; d++)
            if (t->shape[d] != 1) sh[k++] = t->shape[d];
    } else {
        int dd = tensor_norm_dim(t, dim, "squeeze");
        if (dd < 0) return NULL;
        for (int d = 0; d < t->ndim; d++)
            if (d != dd || t->shape[d] != 1) sh[k++] = t->shape[d];
    }
    return tensor_view(t, k, sh);
}

tensor *tensor_unsqueeze(const tensor *t, int dim)
{
    int d = dim < 0 ? dim + t->ndim + 1 : dim;
    if (d < 0 || d > t->ndim || t->ndim >= TENSOR_MAX_DIMS) {
        char b[96];
        llm_fail(LLM_ERR_ARG, "unsqueeze: dim %lld is out of range for shape %s", LBL(dim), tensor_shape_str(t, b, sizeof b));
        return NULL;
    }
    int64_t sh[TENSOR_MAX_DIMS];
    int k = 0;
    for (int i = 0; i < t->ndim; i++) {
        if (i == d) sh[k++] = 1;
        sh[k++] = t->shape[i];
    }
    if (d == t->ndim) sh[k++] = 1;
    return tensor_view(t, k, sh);
}

tensor *tensor_flatten(const tensor *t, int start, int end)
{
    if (t->ndim == 0) return tensor_reshape(t, 1, (int64_t[]){1});
    int s = tensor_norm_dim(t, start, "flatten"), e = tensor_norm_dim(t, end, "flatten");
    if (s < 0 || e < 0) return NULL;
    if (e < s) { llm_fail(LLM_ERR_ARG, "flatten: end dim before start dim"); return NULL; }
    int64_t sh[TENSOR_MAX_DIMS];
    int k = 0;
    for (int d = 0; d < s; d++) sh[k++] = t->shape[d];
    int64_t m = 1;
    for (int d = s; d <= e; d++) m *= t->shape[d];
    sh[k++] = m;
    for (int d = e + 1; d < t->ndim; d++) sh[k++] = t->shape[d];
    return tensor_reshape(t, k, sh);
}

tensor *tensor_clone(const tensor *t)
{
    tensor *c = tensor_empty(t->ndim, t->shape, t->dtype);
    if (!c) return NULL;
    strided_copy(c, t);
    const tensor *in[1] = {t};
    if (autograd_needed(1, in) && !autograd_record(c, OP_CONTIGUOUS, 1, in)) { tensor_free(c); return NULL; }
    return c;
}

tensor *tensor_contiguous(const tensor *t)
{
    if (tensor_is_contiguous(t)) return tensor_ref((tensor *)t);
    return tensor_clone(t);
}

tensor *tensor_to_dtype(const tensor *t, tensor_dtype dtype)
{
    if (t->dtype == dtype) return tensor_ref((tensor *)t);
    tensor *c = tensor_empty(t->ndim, t->shape, dtype);
    if (c) strided_copy(c, t);
    return c;
}
