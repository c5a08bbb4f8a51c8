/*
 * random.c: random tensors from the engine's one PRNG (llm_rand_*), so that
 * llm.seed(n) reproduces every initialisation: uniform, normal and
 * truncated normal (values outside the bounds are redrawn).
 */
#include <math.h>
#include "internal.h"

static llm_status check_f32(tensor *t, const char *op)
{
    if (t->dtype != TENSOR_F32) return llm_fail(LLM_ERR_ARG, "%s: the tensor must be float32", op);
    return tensor_check_writable(t, op);
}

/* Fill through a contiguous scratch so that views fill in row-major order. */
static tensor *fill_with(tensor *t, int kind, double a, double b, double lo, double hi)
{
    tensor *c = tensor_empty(t->ndim, t->shape, TENSOR_F32);
    if (!c) return NULL;
    float *p = tensor_f32(c);
    int64_t n = tensor_numel(c);
    for (int64_t i = 0; i < n; i++) {
        double v;
        if (kind == 0) v = a + (b - a) * llm_rand_uniform();
        else if (kind == 1) v = a + b * llm_rand_normal();
        else {
            int tries = 0;
            do { v = a + b * llm_rand_normal(); } while ((v < lo || v > hi) && ++tries < 1000);
            if (v < lo) v = lo;
            if (v > hi) v = hi;
        }
        p[i] = (float)v;
    }
    strided_copy(t, c);
    tensor_free(c);
    t->storage->version++;
    return t;
}

tensor *tensor_uniform_(tensor *t, double lo, double hi)
{
    if (check_f32(t, "uniform_")) return NULL;
    return fill_with(t, 0, lo, hi, 0, 0);
}

tensor *tensor_normal_(tensor *t, double mean, double std)
{
    if (check_f32(t, "normal_")) return NULL;
    return fill_with(t, 1, mean, std, 0, 0);
}

tensor *tensor_trunc_normal_(tensor *t, double mean, double std, double a, double b)
{
    if (check_f32(t, "trunc_normal_")) return NULL;
    if (!(a < b)) { llm_fail(LLM_ERR_ARG, "trunc_normal_: bounds a < b needed"); return NULL; }
    return fill_with(t, 2, mean, std, a, b);
}

tensor *tensor_rand(int ndim, const int64_t *shape)
{
    tensor *t = tensor_empty(ndim, shape, TENSOR_F32);
    if (t && !fill_with(t, 0, 0.0, 1.0, 0, 0)) { tensor_free(t); return NULL; }
    return t;
}

tensor *tensor_randn(int ndim, const int64_t *shape)
{
    tensor *t = tensor_empty(ndim, shape, TENSOR_F32);
    if (t && !fill_with(t, 1, 0.0, 1.0, 0, 0)) { tensor_free(t); return NULL; }
    return t;
}
