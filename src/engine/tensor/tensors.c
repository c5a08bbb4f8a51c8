/*
 * tensors.c: tensor headers and their refcounted storage: allocation (with
 * the byte counters the Lua layer uses to pace its garbage collector),
 * creation (zeros, full, from data, arange, linspace, eye), dtypes, element
 * access and the small helpers every op uses (dim normalisation, shape text).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "internal.h"

static size_t live_bytes, total_bytes;

size_t tensor_live_bytes(void) { return live_bytes; }
size_t tensor_total_allocated(void) { return total_bytes; }

/* A cache of freed storage blocks by size class, so that a training loop,
 * which frees and allocates the same sizes every step, reuses memory that
 * is already mapped instead of paying page faults on fresh pages. Classes
 * are powers of two split in four (a block is at most 25% larger than
 * asked; the untouched tail never becomes resident). Blocks under
 * CACHE_MIN go straight to malloc; the cache holds at most CACHE_MAX. */
#define CACHE_MIN ((size_t)32 << 10)
#define CACHE_MAX ((size_t)2 << 30)
#define CLASSES (64 * 4)

typedef struct block { struct block *next; } block;
static block *cache[CLASSES];
static size_t cached_bytes;

static int size_class(size_t n, size_t *rounded)
{
    int k = 63 - __builtin_clzll((unsigned long long)n); /* 2^k <= n < 2^(k+1) */
    size_t base = (size_t)1 << k, quarter = base >> 2;
    int sub = 0;
    size_t r = base;
    while (r < n) { r += quarter; sub++; }
    if (sub == 4) { k++; sub = 0; }
    *rounded = r;
    return k * 4 + sub;
}

static void *block_alloc(size_t n, size_t *cap)
{
    if (n < CACHE_MIN) {
        void *p = NULL;
        *cap = n;
        return posix_memalign(&p, 64, n ? n : 8) == 0 ? p : NULL;
    }
    size_t r;
    int c = size_class(n, &r);
    *cap = r;
    if (cache[c]) {
        block *b = cache[c];
        cache[c] = b->next;
        cached_bytes -= r;
        return b;
    }
    void *p = NULL;
    if (posix_memalign(&p, 64, r) != 0) {
        tensor_cache_trim(); /* give the cache back and try once more */
        if (posix_memalign(&p, 64, r) != 0) return NULL;
    }
    return p;
}

static void block_free(void *p, size_t cap)
{
    /* keep at most as much as is live (plus a floor), so RSS stays near the working set */
    size_t limit = live_bytes + ((size_t)256 << 20);
    if (limit > CACHE_MAX) limit = CACHE_MAX;
    if (cap < CACHE_MIN || cached_bytes + cap > limit) {
        free(p);
        return;
    }
    size_t r;
    int c = size_class(cap, &r);
    block *b = p;
    b->next = cache[c];
    cache[c] = b;
    cached_bytes += cap;
}

size_t tensor_cached_bytes(void) { return cached_bytes; }

void *tensor_scratch_alloc(size_t nbytes, size_t *cap) { return block_alloc(nbytes, cap); }

void tensor_scratch_free(void *p, size_t cap)
{
    if (p) block_free(p, cap);
}

void tensor_cache_trim(void)
{
    for (int c = 0; c < CLASSES; c++) {
        while (cache[c]) {
            block *b = cache[c];
            cache[c] = b->next;
            free(b);
        }
    }
    cached_bytes = 0;
}

static const char *const dtype_names[TENSOR_DTYPE_COUNT] = {"float32", "int32", "int64"};
static const size_t dtype_sizes[TENSOR_DTYPE_COUNT] = {4, 4, 8};
static_assert(sizeof dtype_names / sizeof dtype_names[0] == TENSOR_DTYPE_COUNT, "dtype table");

const char *tensor_dtype_name(tensor_dtype d) { return d < TENSOR_DTYPE_COUNT ? dtype_names[d] : "?"; }
size_t tensor_dtype_size(tensor_dtype d) { return dtype_sizes[d]; }

int tensor_dtype_parse(const char *name, tensor_dtype *out)
{
    for (int i = 0; i < TENSOR_DTYPE_COUNT; i++)
        if (strcmp(name, dtype_names[i]) == 0) { *out = (tensor_dtype)i; return 0; }
    if (!strcmp(name, "float")) { *out = TENSOR_F32; return 0; }
    if (!strcmp(name, "int") || !strcmp(name, "long")) { *out = TENSOR_I64; return 0; }
    return -1;
}

static tensor_storage *storage_new(size_t nbytes, int zero)
{
    tensor_storage *s = llm_malloc(sizeof *s);
    if (!s) return NULL;
    size_t cap;
    void *p = block_alloc(nbytes, &cap);
    if (!p) {
        free(s);
        llm_fail(LLM_ERR_NOMEM, "out of memory allocating a tensor of %zu bytes", nbytes);
        return NULL;
    }
    if (zero) memset(p, 0, nbytes);
    s->data = p;
    s->nbytes = nbytes;
    s->capacity = cap;
    s->refcount = 1;
    s->version = 0;
    live_bytes += nbytes;
    total_bytes += nbytes;
    return s;
}

static void storage_release(tensor_storage *s)
{
    if (!s || --s->refcount > 0) return;
    live_bytes -= s->nbytes;
    block_free(s->data, s->capacity);
    free(s);
}

tensor *tensor_alloc_header(void)
{
    tensor *t = llm_calloc(1, sizeof *t);
    if (t) t->refcount = 1;
    return t;
}

tensor *tensor_ref(tensor *t)
{
    if (t) t->refcount++;
    return t;
}

void tensor_free(tensor *t)
{
    if (!t || --t->refcount > 0) return;
    storage_release(t->storage);
    tensor_free(t->grad);
    if (t->node) node_release(t->node);
    free(t);
}

void tensor_set_contiguous_strides(tensor *t)
{
    int64_t s = 1;
    for (int d = t->ndim - 1; d >= 0; d--) {
        t->stride[d] = s;
        s *= t->shape[d];
    }
}

int64_t tensor_numel(const tensor *t)
{
    int64_t n = 1;
    for (int d = 0; d < t->ndim; d++) n *= t->shape[d];
    return n;
}

int tensor_is_contiguous(const tensor *t)
{
    int64_t s = 1;
    for (int d = t->ndim - 1; d >= 0; d--) {
        if (t->shape[d] != 1 && t->stride[d] != s) return 0;
        s *= t->shape[d];
    }
    return 1;
}

const char *shape_str(int ndim, const int64_t *shape, char *buf, size_t n)
{
    size_t k = 0;
    k += (size_t)snprintf(buf + k, n - k, "{");
    for (int d = 0; d < ndim && k < n; d++)
        k += (size_t)snprintf(buf + k, n - k, d ? ",%lld" : "%lld", (long long)shape[d]);
    if (k < n) snprintf(buf + k, n - k, "}");
    return buf;
}

const char *tensor_shape_str(const tensor *t, char *buf, size_t n)
{
    return shape_str(t->ndim, t->shape, buf, n);
}

int tensor_same_shape(const tensor *a, const tensor *b)
{
    if (a->ndim != b->ndim) return 0;
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] != b->shape[d]) return 0;
    return 1;
}

int tensor_norm_dim(const tensor *t, int dim, const char *op)
{
    int nd = t->ndim;
    int d = dim < 0 ? dim + nd : dim;
    if (d < 0 || d >= nd) {
        char b[96];
        llm_fail(LLM_ERR_ARG, "%s: dim %lld is out of range for a tensor of shape %s", op, LBL(dim),
                 tensor_shape_str(t, b, sizeof b));
        return -1;
    }
    return d;
}

static llm_status check_shape(int ndim, const int64_t *shape, const char *op)
{
    if (ndim < 0 || ndim > TENSOR_MAX_DIMS)
        return llm_fail(LLM_ERR_SHAPE, "%s: %d dims (at most %d)", op, ndim, TENSOR_MAX_DIMS);
    int64_t n = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 0) return llm_fail(LLM_ERR_SHAPE, "%s: negative size %lld", op, (long long)shape[d]);
        if (shape[d] > 0 && n > INT64_MAX / 16 / shape[d])
            return llm_fail(LLM_ERR_SHAPE, "%s: tensor too large", op);
        n *= shape[d];
    }
    return LLM_OK;
}

tensor *tensor_new_like_shape(int ndim, const int64_t *shape, tensor_dtype dtype, int zero)
{
    if (check_shape(ndim, shape, "tensor") != LLM_OK) return NULL;
    tensor *t = tensor_alloc_header();
    if (!t) return NULL;
    t->dtype = dtype;
    t->ndim = ndim;
    for (int d = 0; d < ndim; d++) t->shape[d] = shape[d];
    tensor_set_contiguous_strides(t);
    t->storage = storage_new((size_t)tensor_numel(t) * dtype_sizes[dtype], zero);
    if (!t->storage) { free(t); return NULL; }
    return t;
}

tensor *tensor_empty(int ndim, const int64_t *shape, tensor_dtype dtype)
{
    return tensor_new_like_shape(ndim, shape, dtype, 0);
}

tensor *tensor_zeros(int ndim, const int64_t *shape, tensor_dtype dtype)
{
    return tensor_new_like_shape(ndim, shape, dtype, 1);
}

static void fill_raw(tensor *t, double v)
{
    int64_t n = tensor_numel(t);
    void *p = t->storage->data;
    if (t->dtype == TENSOR_F32) { float f = (float)v; float *q = p; for (int64_t i = 0; i < n; i++) q[i] = f; }
    else if (t->dtype == TENSOR_I32) { int32_t f = (int32_t)v; int32_t *q = p; for (int64_t i = 0; i < n; i++) q[i] = f; }
    else { int64_t f = (int64_t)v; int64_t *q = p; for (int64_t i = 0; i < n; i++) q[i] = f; }
}

tensor *tensor_full(int ndim, const int64_t *shape, double value, tensor_dtype dtype)
{
    tensor *t = tensor_empty(ndim, shape, dtype);
    if (t) fill_raw(t, value);
    return t;
}

tensor *tensor_from_data(int ndim, const int64_t *shape, tensor_dtype dtype, const void *data)
{
    tensor *t = tensor_empty(ndim, shape, dtype);
    if (t && data) memcpy(t->storage->data, data, t->storage->nbytes);
    return t;
}

tensor *tensor_scalar(double value)
{
    return tensor_full(0, NULL, value, TENSOR_F32);
}

tensor *tensor_arange(double start, double stop, double step, tensor_dtype dtype)
{
    if (step == 0 || !isfinite(start) || !isfinite(stop) || !isfinite(step)) {
        llm_fail(LLM_ERR_ARG, "arange: step must be non-zero and bounds finite");
        return NULL;
    }
    double span = (stop - start) / step;
    int64_t n = span > 0 ? (int64_t)ceil(span - 1e-9) : 0;
    tensor *t = tensor_empty(1, &n, dtype);
    if (!t) return NULL;
    for (int64_t i = 0; i < n; i++) {
        double v = start + (double)i * step;
        if (dtype == TENSOR_F32) ((float *)t->storage->data)[i] = (float)v;
        else if (dtype == TENSOR_I32) ((int32_t *)t->storage->data)[i] = (int32_t)v;
        else ((int64_t *)t->storage->data)[i] = (int64_t)v;
    }
    return t;
}

tensor *tensor_linspace(double start, double stop, int64_t steps)
{
    if (steps < 0) {
        llm_fail(LLM_ERR_ARG, "linspace: steps must be >= 0, got %lld", (long long)steps);
        return NULL;
    }
    tensor *t = tensor_empty(1, &steps, TENSOR_F32);
    if (!t) return NULL;
    float *p = t->storage->data;
    for (int64_t i = 0; i < steps; i++)
        p[i] = steps == 1 ? (float)start : (float)(start + (stop - start) * (double)i / (double)(steps - 1));
    return t;
}

tensor *tensor_eye(int64_t n, int64_t m)
{
    int64_t shape[2] = {n, m};
    tensor *t = tensor_zeros(2, shape, TENSOR_F32);
    if (!t) return NULL;
    float *p = t->storage->data;
    for (int64_t i = 0; i < n && i < m; i++) p[i * m + i] = 1.0f;
    return t;
}

/* ---- element access ---- */

static int64_t offset_of(const tensor *t, const int64_t *idx)
{
    int64_t o = t->offset;
    for (int d = 0; d < t->ndim; d++) o += idx[d] * t->stride[d];
    return o;
}

static double read_at(const tensor *t, int64_t o)
{
    switch (t->dtype) {
    case TENSOR_F32: return ((const float *)t->storage->data)[o];
    case TENSOR_I32: return ((const int32_t *)t->storage->data)[o];
    default: return (double)((const int64_t *)t->storage->data)[o];
    }
}

double tensor_get(const tensor *t, const int64_t *idx) { return read_at(t, offset_of(t, idx)); }

void tensor_set(tensor *t, const int64_t *idx, double v)
{
    int64_t o = offset_of(t, idx);
    switch (t->dtype) {
    case TENSOR_F32: ((float *)t->storage->data)[o] = (float)v; break;
    case TENSOR_I32: ((int32_t *)t->storage->data)[o] = (int32_t)v; break;
    default: ((int64_t *)t->storage->data)[o] = (int64_t)v; break;
    }
    t->storage->version++;
}

static int64_t flat_offset(const tensor *t, int64_t i)
{
    int64_t o = t->offset;
    for (int d = t->ndim - 1; d >= 0; d--) {
        int64_t k = i % t->shape[d];
        i /= t->shape[d];
        o += k * t->stride[d];
    }
    return o;
}

double tensor_get_flat(const tensor *t, int64_t i) { return read_at(t, flat_offset(t, i)); }

int64_t tensor_index_at(const tensor *t, int64_t i)
{
    int64_t o = flat_offset(t, i);
    if (t->dtype == TENSOR_I64) return ((const int64_t *)t->storage->data)[o];
    if (t->dtype == TENSOR_I32) return ((const int32_t *)t->storage->data)[o];
    return (int64_t)((const float *)t->storage->data)[o];
}

void tensor_copy_to_double(const tensor *t, double *buf)
{
    int64_t n = tensor_numel(t);
    if (n == 0) return;
    int64_t idx[TENSOR_MAX_DIMS] = {0};
    for (int64_t i = 0; i < n; i++) {
        buf[i] = read_at(t, offset_of(t, idx));
        for (int d = t->ndim - 1; d >= 0; d--) {
            if (++idx[d] < t->shape[d]) break;
            idx[d] = 0;
        }
    }
}

llm_status tensor_item(const tensor *t, double *out)
{
    if (tensor_numel(t) != 1) {
        char b[96];
        return llm_fail(LLM_ERR_SHAPE, "item: tensor of shape %s has %lld elements, not one",
                        tensor_shape_str(t, b, sizeof b), (long long)tensor_numel(t));
    }
    *out = read_at(t, t->offset);
    return LLM_OK;
}

float *tensor_f32(const tensor *t) { return (float *)t->storage->data + t->offset; }

void tensor_bump_version(tensor *t) { t->storage->version++; }

tensor *tensor_alias(const tensor *t)
{
    tensor *a = tensor_alloc_header();
    if (!a) return NULL;
    a->dtype = t->dtype;
    a->ndim = t->ndim;
    memcpy(a->shape, t->shape, sizeof t->shape);
    memcpy(a->stride, t->stride, sizeof t->stride);
    a->offset = t->offset;
    a->storage = t->storage;
    t->storage->refcount++;
    return a;
}

tensor *tensor_detach(const tensor *t) { return tensor_alias(t); }

llm_status tensor_check_writable(const tensor *t, const char *op)
{
    if (tensor_grad_enabled() && t->requires_grad)
        return llm_fail(LLM_ERR_STATE,
                        "%s: in-place change of a tensor that requires grad; "
                        "do it inside llm.no_grad or on :detach()", op);
    return LLM_OK;
}
