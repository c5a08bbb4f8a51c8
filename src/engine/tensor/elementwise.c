/*
 * elementwise.c: broadcasting elementwise ops (binary, scalar, unary,
 * where, comparisons) over strided float32 tensors, and the strided copy.
 *
 * One iterator serves them all: the output shape with each operand's
 * strides (0 on broadcast dims), size-1 dims dropped and mergeable dims
 * coalesced, then cut into rows x chunks that OpenMP shares out above
 * TENSOR_OMP_MIN elements. Inner loops have a unit-stride fast path the
 * compiler vectorises.
 */
#include <math.h>
#include <stdlib.h>
#include "internal.h"
#include "nn/vmath.h"

/* The kernels below are plain loops over unit-stride rows: -O2 leaves them
 * scalar (their pointers may alias, e.g. in-place adds), O3 vectorises them
 * with a run-time overlap check, and VM_CLONES builds them for AVX-512 and
 * AVX2 too. Nothing here relies on FP traps (see vmath.c). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3", "no-trapping-math")
#endif

#define CHUNK 8192

typedef struct {
    int nd;
    int64_t shape[TENSOR_MAX_DIMS];
    int64_t st[3][TENSOR_MAX_DIMS];
    int nops;
} iter_t;

static void iter_build(iter_t *it, int nd, const int64_t *shape, int nops, const int64_t (*st)[TENSOR_MAX_DIMS])
{
    int k = 0;
    it->nops = nops;
    for (int d = 0; d < nd; d++) {
        if (shape[d] == 1) continue;
        if (k > 0) {
            int merge = 1;
            for (int o = 0; o < nops; o++)
                if (it->st[o][k - 1] != st[o][d] * shape[d]) { merge = 0; break; }
            if (merge) {
                it->shape[k - 1] *= shape[d];
                for (int o = 0; o < nops; o++) it->st[o][k - 1] = st[o][d];
                continue;
            }
        }
        it->shape[k] = shape[d];
        for (int o = 0; o < nops; o++) it->st[o][k] = st[o][d];
        k++;
    }
    if (k == 0) {
        it->shape[0] = 1;
        for (int o = 0; o < nops; o++) it->st[o][0] = 0;
        k = 1;
    }
    it->nd = k;
}

/* Broadcast strides of t against an output of nd dims and shape. */
static void bstrides(const tensor *t, int nd, const int64_t *shape, int64_t *st)
{
    int lead = nd - t->ndim;
    for (int d = 0; d < nd; d++) {
        int td = d - lead;
        st[d] = (td < 0 || t->shape[td] != shape[d]) ? 0 : t->stride[td];
    }
}

int broadcast_shapes(int na, const int64_t *sa, int nb, const int64_t *sb, int *nout, int64_t *out)
{
    int n = na > nb ? na : nb;
    for (int d = 0; d < n; d++) {
        int da = d - (n - na), db = d - (n - nb);
        int64_t x = da < 0 ? 1 : sa[da], y = db < 0 ? 1 : sb[db];
        if (x == y || y == 1) out[d] = x;
        else if (x == 1) out[d] = y;
        else return -1;
    }
    *nout = n;
    return 0;
}

/* ---- kernels: p0 is the output; p1, p2, p3 inputs ---- */

typedef struct { int op; float s0, s1; } kparams;

static inline float gelu_tanh_f(float x)
{
    const float c = 0.7978845608028654f; /* sqrt(2/pi) */
    return 0.5f * x * (1.0f + tanhf(c * (x + 0.044715f * x * x * x)));
}
static inline float gelu_erf_f(float x) { return 0.5f * x * (1.0f + erff(x * 0.7071067811865476f)); }
static inline float sigmoid_f(float x) { return 1.0f / (1.0f + expf(-x)); }

#define BIN_LOOP(EXPR)                                                                 \
    do {                                                                               \
        if (s0 == 1 && s1 == 1 && s2 == 1) {                                           \
            for (int64_t i = 0; i < n; i++) { float a = p1[i], b = p2[i]; p0[i] = (EXPR); } \
        } else if (s0 == 1 && s1 == 1 && s2 == 0) {                                    \
            float b = p2[0];                                                           \
            for (int64_t i = 0; i < n; i++) { float a = p1[i]; p0[i] = (EXPR); }        \
        } else if (s0 == 1 && s1 == 0 && s2 == 1) {                                    \
            float a = p1[0];                                                           \
            for (int64_t i = 0; i < n; i++) { float b = p2[i]; p0[i] = (EXPR); }        \
        } else {                                                                       \
            for (int64_t i = 0; i < n; i++) {                                          \
                float a = p1[i * s1], b = p2[i * s2];                                  \
                p0[i * s0] = (EXPR);                                                   \
            }                                                                          \
        }                                                                              \
    } while (0)

#define UN_LOOP(EXPR)                                                                  \
    do {                                                                               \
        if (s0 == 1 && s1 == 1) {                                                      \
            for (int64_t i = 0; i < n; i++) { float a = p1[i]; p0[i] = (EXPR); }       \
        } else {                                                                       \
            for (int64_t i = 0; i < n; i++) { float a = p1[i * s1]; p0[i * s0] = (EXPR); } \
        }                                                                              \
    } while (0)

VM_CLONES static void kern_binary(const kparams *kp, int64_t n, float *p0, int64_t s0, const float *p1, int64_t s1,
                        const float *p2, int64_t s2, const float *p3, int64_t s3)
{
    float s = kp->s0;
    (void)s;
    switch (kp->op) {
    case OP_ADD: BIN_LOOP(a + b); break;
    case OP_SUB: BIN_LOOP(a - b); break;
    case OP_MUL: BIN_LOOP(a * b); break;
    case OP_DIV: BIN_LOOP(a / b); break;
    case OP_POW: BIN_LOOP(powf(a, b)); break;
    case OP_MAXIMUM: BIN_LOOP(a >= b ? a : b); break;
    case OP_MINIMUM: BIN_LOOP(a <= b ? a : b); break;
    case OP_MASKED_FILL: BIN_LOOP(b != 0.0f ? s : a); break;
    case -1: BIN_LOOP((float)(a == b)); break;
    case -2: BIN_LOOP((float)(a != b)); break;
    case -3: BIN_LOOP((float)(a < b)); break;
    case -4: BIN_LOOP((float)(a <= b)); break;
    case -5: BIN_LOOP((float)(a > b)); break;
    case -6: BIN_LOOP((float)(a >= b)); break;
    case OP_WHERE:
        for (int64_t i = 0; i < n; i++) p0[i * s0] = p1[i * s1] != 0.0f ? p2[i * s2] : p3[i * s3];
        break;
    default: break;
    }
}

VM_CLONES static void kern_unary(const kparams *kp, int64_t n, float *p0, int64_t s0, const float *p1, int64_t s1,
                       const float *p2, int64_t s2, const float *p3, int64_t s3)
{
    (void)p2; (void)s2; (void)p3; (void)s3;
    float s = kp->s0, t = kp->s1;
    if (s0 == 1 && s1 == 1) { /* vectorised transcendental functions */
        int vk = 0;
        switch (kp->op) {
        case OP_EXP: vk = VM_EXP; break;
        case OP_TANH: vk = VM_TANH; break;
        case OP_SIGMOID: vk = VM_SIGMOID; break;
        case OP_SILU: vk = VM_SILU; break;
        case OP_GELU_TANH: vk = VM_GELU_TANH; break;
        case OP_GELU_ERF: vk = VM_GELU_ERF; break;
        default: break;
        }
        if (vk) { vm_unary(vk, p0, p1, n); return; }
    }
    switch (kp->op) {
    case OP_ADD_SCALAR: UN_LOOP(a + s); break;
    case OP_MUL_SCALAR: UN_LOOP(a * s); break;
    case OP_POW_SCALAR:
        if (s == 2.0f) UN_LOOP(a * a);
        else if (s == 0.5f) UN_LOOP(sqrtf(a));
        else UN_LOOP(powf(a, s));
        break;
    case OP_RSUB_SCALAR: UN_LOOP(s - a); break;
    case OP_RDIV_SCALAR: UN_LOOP(s / a); break;
    case OP_CLAMP: UN_LOOP(a < s ? s : (a > t ? t : a)); break;
    case OP_NEG: UN_LOOP(-a); break;
    case OP_ABS: UN_LOOP(fabsf(a)); break;
    case OP_EXP: UN_LOOP(expf(a)); break;
    case OP_LOG: UN_LOOP(logf(a)); break;
    case OP_SQRT: UN_LOOP(sqrtf(a)); break;
    case OP_RSQRT: UN_LOOP(1.0f / sqrtf(a)); break;
    case OP_TANH: UN_LOOP(tanhf(a)); break;
    case OP_SIGMOID: UN_LOOP(sigmoid_f(a)); break;
    case OP_RELU: UN_LOOP(a > 0.0f ? a : 0.0f); break;
    case OP_GELU_TANH: UN_LOOP(gelu_tanh_f(a)); break;
    case OP_GELU_ERF: UN_LOOP(gelu_erf_f(a)); break;
    case OP_SILU: UN_LOOP(a * sigmoid_f(a)); break;
    case OP_CONTIGUOUS: UN_LOOP(a); break; /* copy */
    default: break;
    }
}

typedef void (*kern_fn)(const kparams *, int64_t, float *, int64_t, const float *, int64_t, const float *,
                        int64_t, const float *, int64_t);

/* Run kern over out (operand 0) and up to 3 inputs, all float32. */
static void run_iter(kern_fn kern, const kparams *kp, tensor *out, int nin, const tensor *const *in)
{
    int64_t st[4][TENSOR_MAX_DIMS];
    memcpy(st[0], out->stride, sizeof st[0]);
    for (int i = 0; i < nin; i++) bstrides(in[i], out->ndim, out->shape, st[i + 1]);
    iter_t it = {0};
    /* iter_t holds 3 operands; a fourth (where) is handled by a wider copy */
    int64_t shape[TENSOR_MAX_DIMS];
    memcpy(shape, out->shape, sizeof shape);
    int nops = nin + 1;
    int64_t st3[TENSOR_MAX_DIMS] = {0};
    if (nops == 4) {
        /* coalesce with the first three, then fall back to no merge for the 4th */
        it.nops = 3;
        it.nd = out->ndim ? out->ndim : 1;
        for (int d = 0; d < out->ndim; d++) {
            it.shape[d] = shape[d];
            for (int o = 0; o < 3; o++) it.st[o][d] = st[o][d];
            st3[d] = st[3][d];
        }
        if (out->ndim == 0) { it.shape[0] = 1; it.st[0][0] = it.st[1][0] = it.st[2][0] = 0; st3[0] = 0; }
    } else {
        iter_build(&it, out->ndim, shape, nops, (const int64_t(*)[TENSOR_MAX_DIMS])st);
    }
    int nd = it.nd;
    int64_t inner = it.shape[nd - 1];
    int64_t rows = 1;
    for (int d = 0; d < nd - 1; d++) rows *= it.shape[d];
    int64_t chunks = (inner + CHUNK - 1) / CHUNK;
    if (chunks < 1) chunks = 1;
    int64_t work = rows * chunks;
    int64_t total = rows * inner;
    float *b0 = (float *)out->storage->data + out->offset;
    const float *b1 = nin > 0 ? (const float *)in[0]->storage->data + in[0]->offset : NULL;
    const float *b2 = nin > 1 ? (const float *)in[1]->storage->data + in[1]->offset : NULL;
    const float *b3 = nin > 2 ? (const float *)in[2]->storage->data + in[2]->offset : NULL;
    if (total == 0) return;
#pragma omp parallel for schedule(static) if (total > TENSOR_OMP_MIN && work > 1)
    for (int64_t w = 0; w < work; w++) {
        int64_t r = w / chunks, c = w % chunks;
        int64_t o0 = 0, o1 = 0, o2 = 0, o3 = 0, rr = r;
        for (int d = nd - 2; d >= 0; d--) {
            int64_t k = rr % it.shape[d];
            rr /= it.shape[d];
            o0 += k * it.st[0][d];
            if (nin > 0) o1 += k * it.st[1][d];
            if (nin > 1) o2 += k * it.st[2][d];
            if (nin > 2) o3 += k * st3[d];
        }
        int64_t start = c * CHUNK;
        int64_t n = inner - start < CHUNK ? inner - start : CHUNK;
        int64_t s0 = it.st[0][nd - 1], s1 = nin > 0 ? it.st[1][nd - 1] : 0, s2 = nin > 1 ? it.st[2][nd - 1] : 0;
        int64_t s3 = nin > 2 ? st3[nd - 1] : 0;
        kern(kp, n, b0 + o0 + start * s0, s0, b1 ? b1 + o1 + start * s1 : NULL, s1, b2 ? b2 + o2 + start * s2 : NULL,
             s2, b3 ? b3 + o3 + start * s3 : NULL, s3);
    }
}

/* Copy any dtype to any dtype, broadcasting src to dst's shape. */
void strided_copy(tensor *dst, const tensor *src)
{
    if (dst->dtype == TENSOR_F32 && src->dtype == TENSOR_F32) {
        kparams kp = {OP_CONTIGUOUS, 0, 0};
        const tensor *in[1] = {src};
        run_iter(kern_unary, &kp, dst, 1, in);
        return;
    }
    int64_t n = tensor_numel(dst);
    int64_t st[TENSOR_MAX_DIMS];
    bstrides(src, dst->ndim, dst->shape, st);
    int64_t idx[TENSOR_MAX_DIMS] = {0};
    for (int64_t i = 0; i < n; i++) {
        int64_t os = src->offset, od = dst->offset;
        for (int d = 0; d < dst->ndim; d++) { os += idx[d] * st[d]; od += idx[d] * dst->stride[d]; }
        double v;
        switch (src->dtype) {
        case TENSOR_F32: v = ((const float *)src->storage->data)[os]; break;
        case TENSOR_I32: v = ((const int32_t *)src->storage->data)[os]; break;
        default: v = (double)((const int64_t *)src->storage->data)[os]; break;
        }
        switch (dst->dtype) {
        case TENSOR_F32: ((float *)dst->storage->data)[od] = (float)v; break;
        case TENSOR_I32: ((int32_t *)dst->storage->data)[od] = (int32_t)v; break;
        default: ((int64_t *)dst->storage->data)[od] = (int64_t)v; break;
        }
        for (int d = dst->ndim - 1; d >= 0; d--) {
            if (++idx[d] < dst->shape[d]) break;
            idx[d] = 0;
        }
    }
}

static const char *cmp_name(int op)
{
    switch (op) {
    case -1: return "eq";
    case -2: return "ne";
    case -3: return "lt";
    case -4: return "le";
    case -5: return "gt";
    case -6: return "ge";
    default: return tensor_op_names[op];
    }
}

/* Binary op (tensor_op, or -1..-6 for comparisons); s is masked_fill's value. */
tensor *elementwise_binary(tensor_op op, const tensor *a0, const tensor *b0, double s)
{
    int cmp = (int)op < 0;
    const char *name = cmp_name((int)op);
    int64_t shape[TENSOR_MAX_DIMS];
    int nd;
    if (broadcast_shapes(a0->ndim, a0->shape, b0->ndim, b0->shape, &nd, shape)) {
        char b1[96], b2[96];
        llm_fail(LLM_ERR_SHAPE, "%s: shapes %s and %s do not broadcast", name, tensor_shape_str(a0, b1, sizeof b1),
                 tensor_shape_str(b0, b2, sizeof b2));
        return NULL;
    }
    tensor *a = tensor_to_dtype(a0, TENSOR_F32), *b = tensor_to_dtype(b0, TENSOR_F32);
    tensor *out = (a && b) ? tensor_empty(nd, shape, TENSOR_F32) : NULL;
    if (!out) goto fail;
    kparams kp = {(int)op, (float)s, 0};
    const tensor *in[2] = {a, b};
    run_iter(kern_binary, &kp, out, 2, in);
    if (!cmp) {
        const tensor *ins[2] = {a0, op == OP_MASKED_FILL ? NULL : b0};
        if (autograd_needed(2, ins)) {
            tensor_node *n = autograd_record(out, op, 2, ins);
            if (!n) goto fail;
            switch (op) {
            case OP_MUL: case OP_DIV: case OP_MAXIMUM: case OP_MINIMUM:
                autograd_save(n, a0); autograd_save(n, b0); break;
            case OP_POW:
                autograd_save(n, a0); autograd_save(n, b0); autograd_save(n, out); break;
            case OP_MASKED_FILL:
                autograd_save(n, b); break;
            default: break;
            }
        }
    }
    tensor_free(a);
    tensor_free(b);
    return out;
fail:
    tensor_free(a);
    tensor_free(b);
    tensor_free(out);
    return NULL;
}

/* Unary or scalar op; p0, p1 are its parameters (scalar, clamp bounds). */
tensor *elementwise_unary(tensor_op op, const tensor *a0, double p0, double p1)
{
    tensor *a = tensor_to_dtype(a0, TENSOR_F32);
    if (!a) return NULL;
    tensor *out = tensor_empty(a->ndim, a->shape, TENSOR_F32);
    if (!out) { tensor_free(a); return NULL; }
    kparams kp = {(int)op, (float)p0, (float)p1};
    const tensor *in[1] = {a};
    run_iter(kern_unary, &kp, out, 1, in);
    const tensor *ins[1] = {a0};
    if (autograd_needed(1, ins)) {
        tensor_node *n = autograd_record(out, op, 1, ins);
        if (!n) { tensor_free(a); tensor_free(out); return NULL; }
        n->fp[0] = p0;
        n->fp[1] = p1;
        switch (op) {
        case OP_EXP: case OP_SQRT: case OP_RSQRT: case OP_TANH: case OP_SIGMOID:
            autograd_save(n, out); break;
        case OP_POW_SCALAR: case OP_RDIV_SCALAR: case OP_CLAMP: case OP_ABS: case OP_LOG:
        case OP_RELU: case OP_GELU_TANH: case OP_GELU_ERF: case OP_SILU:
            autograd_save(n, a0); break;
        default: break;
        }
    }
    tensor_free(a);
    return out;
}

/* g * f'(x) for unary op; x is the saved input, y the saved output (either may be NULL
 * when the rule does not need it). All of g's shape. When g is exclusive
 * (only the caller, tensor_backward, holds it) the result is written over
 * it: every loop below reads g[i] before writing out[i] at the same i. */
tensor *unary_grad(tensor_op op, const tensor *x, const tensor *y, const tensor *g0, double p0)
{
    const tensor *src = x ? x : y;
    int inplace = tensor_exclusive(g0);
    tensor *g = tensor_contiguous(g0);
    tensor *v = src ? tensor_contiguous(src) : NULL;
    tensor *out = !g ? NULL : inplace ? tensor_ref(g) : tensor_empty(g->ndim, g->shape, TENSOR_F32);
    if (inplace && out) out->storage->version++;
    if (!out || !v) { tensor_free(g); tensor_free(v); tensor_free(out); return NULL; }
    const float *pg = tensor_f32(g), *pv = tensor_f32(v);
    float *po = tensor_f32(out);
    float s = (float)p0;
    int64_t n = tensor_numel(g);
    int vk = op == OP_EXP ? VM_EXP : op == OP_TANH ? VM_TANH : op == OP_SIGMOID ? VM_SIGMOID
           : op == OP_SILU ? VM_SILU : op == OP_GELU_TANH ? VM_GELU_TANH : op == OP_GELU_ERF ? VM_GELU_ERF : 0;
    if (vk) {
        int64_t chunks = (n + CHUNK - 1) / CHUNK;
#pragma omp parallel for if (n > TENSOR_OMP_MIN)
        for (int64_t c = 0; c < chunks; c++) {
            int64_t a = c * CHUNK, len = n - a < CHUNK ? n - a : CHUNK;
            vm_unary_grad(vk, po + a, pg + a, pv + a, len);
        }
        tensor_free(g);
        tensor_free(v);
        return out;
    }
#define GLOOP(EXPR) _Pragma("omp parallel for if (n > TENSOR_OMP_MIN)") \
    for (int64_t i = 0; i < n; i++) { float gg = pg[i], v_ = pv[i]; (void)v_; po[i] = (EXPR); }
    switch (op) {
    case OP_EXP: GLOOP(gg * v_); break;                              /* y */
    case OP_SQRT: GLOOP(gg * 0.5f / v_); break;                      /* y */
    case OP_RSQRT: GLOOP(gg * -0.5f * v_ * v_ * v_); break;          /* y */
    case OP_TANH: GLOOP(gg * (1.0f - v_ * v_)); break;               /* y */
    case OP_SIGMOID: GLOOP(gg * v_ * (1.0f - v_)); break;            /* y */
    case OP_LOG: GLOOP(gg / v_); break;                              /* x */
    case OP_ABS: GLOOP(v_ > 0 ? gg : (v_ < 0 ? -gg : 0.0f)); break;
    case OP_RELU: GLOOP(v_ > 0 ? gg : 0.0f); break;
    case OP_POW_SCALAR: GLOOP(s == 0.0f ? 0.0f : gg * s * powf(v_, s - 1.0f)); break;
    case OP_RDIV_SCALAR: GLOOP(-gg * s / (v_ * v_)); break;
    case OP_SILU: GLOOP(gg * (sigmoid_f(v_) * (1.0f + v_ * (1.0f - sigmoid_f(v_))))); break;
    case OP_GELU_ERF:
        GLOOP(gg * (0.5f * (1.0f + erff(v_ * 0.7071067811865476f)) + v_ * 0.3989422804014327f * expf(-0.5f * v_ * v_)));
        break;
    case OP_GELU_TANH: {
        const float c = 0.7978845608028654f;
        GLOOP(({
            float u = c * (v_ + 0.044715f * v_ * v_ * v_);
            float th = tanhf(u);
            gg * (0.5f * (1.0f + th) + 0.5f * v_ * (1.0f - th * th) * c * (1.0f + 3.0f * 0.044715f * v_ * v_));
        }));
        break;
    }
    default: GLOOP(gg); break;
    }
#undef GLOOP
    tensor_free(g);
    tensor_free(v);
    return out;
}

/* ---- public entry points ---- */

tensor *tensor_add(const tensor *a, const tensor *b) { return elementwise_binary(OP_ADD, a, b, 0); }
tensor *tensor_sub(const tensor *a, const tensor *b) { return elementwise_binary(OP_SUB, a, b, 0); }
tensor *tensor_mul(const tensor *a, const tensor *b) { return elementwise_binary(OP_MUL, a, b, 0); }
tensor *tensor_div(const tensor *a, const tensor *b) { return elementwise_binary(OP_DIV, a, b, 0); }
tensor *tensor_pow(const tensor *a, const tensor *b) { return elementwise_binary(OP_POW, a, b, 0); }
tensor *tensor_maximum(const tensor *a, const tensor *b) { return elementwise_binary(OP_MAXIMUM, a, b, 0); }
tensor *tensor_minimum(const tensor *a, const tensor *b) { return elementwise_binary(OP_MINIMUM, a, b, 0); }
tensor *tensor_eq(const tensor *a, const tensor *b) { return elementwise_binary((tensor_op)-1, a, b, 0); }
tensor *tensor_ne(const tensor *a, const tensor *b) { return elementwise_binary((tensor_op)-2, a, b, 0); }
tensor *tensor_lt(const tensor *a, const tensor *b) { return elementwise_binary((tensor_op)-3, a, b, 0); }
tensor *tensor_le(const tensor *a, const tensor *b) { return elementwise_binary((tensor_op)-4, a, b, 0); }
tensor *tensor_gt(const tensor *a, const tensor *b) { return elementwise_binary((tensor_op)-5, a, b, 0); }
tensor *tensor_ge(const tensor *a, const tensor *b) { return elementwise_binary((tensor_op)-6, a, b, 0); }
tensor *tensor_masked_fill(const tensor *a, const tensor *mask, double v)
{
    return elementwise_binary(OP_MASKED_FILL, a, mask, v);
}

tensor *tensor_add_scalar(const tensor *a, double s) { return elementwise_unary(OP_ADD_SCALAR, a, s, 0); }
tensor *tensor_mul_scalar(const tensor *a, double s) { return elementwise_unary(OP_MUL_SCALAR, a, s, 0); }
tensor *tensor_pow_scalar(const tensor *a, double s) { return elementwise_unary(OP_POW_SCALAR, a, s, 0); }
tensor *tensor_rsub_scalar(const tensor *a, double s) { return elementwise_unary(OP_RSUB_SCALAR, a, s, 0); }
tensor *tensor_rdiv_scalar(const tensor *a, double s) { return elementwise_unary(OP_RDIV_SCALAR, a, s, 0); }
tensor *tensor_clamp(const tensor *a, double lo, double hi) { return elementwise_unary(OP_CLAMP, a, lo, hi); }
tensor *tensor_neg(const tensor *a) { return elementwise_unary(OP_NEG, a, 0, 0); }
tensor *tensor_abs(const tensor *a) { return elementwise_unary(OP_ABS, a, 0, 0); }
tensor *tensor_exp(const tensor *a) { return elementwise_unary(OP_EXP, a, 0, 0); }
tensor *tensor_log(const tensor *a) { return elementwise_unary(OP_LOG, a, 0, 0); }
tensor *tensor_sqrt(const tensor *a) { return elementwise_unary(OP_SQRT, a, 0, 0); }
tensor *tensor_rsqrt(const tensor *a) { return elementwise_unary(OP_RSQRT, a, 0, 0); }
tensor *tensor_tanh(const tensor *a) { return elementwise_unary(OP_TANH, a, 0, 0); }
tensor *tensor_sigmoid(const tensor *a) { return elementwise_unary(OP_SIGMOID, a, 0, 0); }
tensor *tensor_relu(const tensor *a) { return elementwise_unary(OP_RELU, a, 0, 0); }
tensor *tensor_silu(const tensor *a) { return elementwise_unary(OP_SILU, a, 0, 0); }
tensor *tensor_gelu(const tensor *a, int tanh_approx)
{
    return elementwise_unary(tanh_approx ? OP_GELU_TANH : OP_GELU_ERF, a, 0, 0);
}

tensor *tensor_where(const tensor *cond0, const tensor *a0, const tensor *b0)
{
    int64_t s1[TENSOR_MAX_DIMS], shape[TENSOR_MAX_DIMS];
    int n1, nd;
    char x[96], y[96], z[96];
    if (broadcast_shapes(a0->ndim, a0->shape, b0->ndim, b0->shape, &n1, s1) ||
        broadcast_shapes(cond0->ndim, cond0->shape, n1, s1, &nd, shape)) {
        llm_fail(LLM_ERR_SHAPE, "where: shapes %s, %s and %s do not broadcast", tensor_shape_str(cond0, x, sizeof x),
                 tensor_shape_str(a0, y, sizeof y), tensor_shape_str(b0, z, sizeof z));
        return NULL;
    }
    tensor *c = tensor_to_dtype(cond0, TENSOR_F32), *a = tensor_to_dtype(a0, TENSOR_F32),
           *b = tensor_to_dtype(b0, TENSOR_F32);
    tensor *out = (c && a && b) ? tensor_empty(nd, shape, TENSOR_F32) : NULL;
    if (out) {
        kparams kp = {OP_WHERE, 0, 0};
        const tensor *in[3] = {c, a, b};
        run_iter(kern_binary, &kp, out, 3, in);
        const tensor *ins[3] = {NULL, a0, b0};
        if (autograd_needed(3, ins)) {
            tensor_node *n = autograd_record(out, OP_WHERE, 3, ins);
            if (!n) { tensor_free(out); out = NULL; }
            else autograd_save(n, c);
        }
    }
    tensor_free(c);
    tensor_free(a);
    tensor_free(b);
    return out;
}

/* ---- in place ---- */

llm_status tensor_fill_(tensor *t, double v)
{
    llm_status st = tensor_check_writable(t, "fill_");
    if (st) return st;
    tensor *s = tensor_full(0, NULL, v, t->dtype);
    if (!s) return LLM_ERR_NOMEM;
    strided_copy(t, s);
    tensor_free(s);
    t->storage->version++;
    return LLM_OK;
}

llm_status tensor_copy_(tensor *dst, const tensor *src)
{
    char b1[96], b2[96];
    llm_status st = tensor_check_writable(dst, "copy_");
    if (st) return st;
    int nd;
    int64_t shape[TENSOR_MAX_DIMS];
    if (broadcast_shapes(dst->ndim, dst->shape, src->ndim, src->shape, &nd, shape) || nd != dst->ndim ||
        memcmp(shape, dst->shape, sizeof(int64_t) * (size_t)nd))
        return llm_fail(LLM_ERR_SHAPE, "copy_: shape %s does not broadcast to %s", tensor_shape_str(src, b1, sizeof b1),
                        tensor_shape_str(dst, b2, sizeof b2));
    if (src->storage == dst->storage) {
        tensor *c = tensor_clone(src);
        if (!c) return LLM_ERR_NOMEM;
        strided_copy(dst, c);
        tensor_free(c);
    } else {
        strided_copy(dst, src);
    }
    dst->storage->version++;
    return LLM_OK;
}

static llm_status inplace_binary(tensor *dst, const tensor *src, int op, double alpha, const char *name)
{
    char b1[96], b2[96];
    llm_status st = tensor_check_writable(dst, name);
    if (st) return st;
    if (dst->dtype != TENSOR_F32) return llm_fail(LLM_ERR_ARG, "%s: the destination must be float32", name);
    int nd;
    int64_t shape[TENSOR_MAX_DIMS];
    if (broadcast_shapes(dst->ndim, dst->shape, src->ndim, src->shape, &nd, shape) || nd != dst->ndim ||
        memcmp(shape, dst->shape, sizeof(int64_t) * (size_t)nd))
        return llm_fail(LLM_ERR_SHAPE, "%s: shape %s does not broadcast to %s", name, tensor_shape_str(src, b1, sizeof b1),
                        tensor_shape_str(dst, b2, sizeof b2));
    tensor *s = tensor_to_dtype(src, TENSOR_F32);
    if (!s) return LLM_ERR_NOMEM;
    if (op == OP_ADD && alpha != 1.0) {
        GRAD_OFF_BEGIN;
        tensor *t = tensor_mul_scalar(s, alpha);
        GRAD_OFF_END;
        tensor_free(s);
        s = t;
        if (!s) return LLM_ERR_NOMEM;
    }
    kparams kp = {op, 0, 0};
    const tensor *in[2] = {dst, s};
    run_iter(kern_binary, &kp, dst, 2, in);
    tensor_free(s);
    dst->storage->version++;
    return LLM_OK;
}

llm_status tensor_add_(tensor *dst, const tensor *src, double alpha) { return inplace_binary(dst, src, OP_ADD, alpha, "add_"); }
llm_status tensor_mul_(tensor *dst, const tensor *src) { return inplace_binary(dst, src, OP_MUL, 1.0, "mul_"); }

llm_status tensor_scale_(tensor *dst, double s)
{
    llm_status st = tensor_check_writable(dst, "scale_");
    if (st) return st;
    if (dst->dtype != TENSOR_F32) return llm_fail(LLM_ERR_ARG, "scale_: the tensor must be float32");
    kparams kp = {OP_MUL_SCALAR, (float)s, 0};
    const tensor *in[1] = {dst};
    run_iter(kern_unary, &kp, dst, 1, in);
    dst->storage->version++;
    return LLM_OK;
}

llm_status tensor_adamw_(tensor *param, const tensor *grad, tensor *m, tensor *v, double lr, double beta1,
                         double beta2, double eps, double weight_decay, int64_t step)
{
    char b1[96], b2[96];
    const tensor *all[4] = {param, grad, m, v};
    for (int i = 0; i < 4; i++) {
        if (all[i]->dtype != TENSOR_F32 || !tensor_is_contiguous(all[i]))
            return llm_fail(LLM_ERR_ARG, "adamw: param, grad and moments must be contiguous float32");
        if (!tensor_same_shape(all[i], param))
            return llm_fail(LLM_ERR_SHAPE, "adamw: shape %s does not match the parameter's %s",
                            tensor_shape_str(all[i], b1, sizeof b1), tensor_shape_str(param, b2, sizeof b2));
    }
    if (step < 1) return llm_fail(LLM_ERR_ARG, "adamw: step must be >= 1");
    float *p = tensor_f32(param), *pm = tensor_f32(m), *pv = tensor_f32(v);
    const float *g = tensor_f32(grad);
    int64_t n = tensor_numel(param);
    float b1c = (float)(1.0 - pow(beta1, (double)step)), b2c = (float)(1.0 - pow(beta2, (double)step));
    float fb1 = (float)beta1, fb2 = (float)beta2, flr = (float)lr, feps = (float)eps;
    float decay = (float)(1.0 - lr * weight_decay);
#pragma omp parallel for if (n > TENSOR_OMP_MIN)
    for (int64_t i = 0; i < n; i++) {
        float gi = g[i];
        float mi = fb1 * pm[i] + (1.0f - fb1) * gi;
        float vi = fb2 * pv[i] + (1.0f - fb2) * gi * gi;
        pm[i] = mi;
        pv[i] = vi;
        float mh = mi / b1c, vh = vi / b2c;
        p[i] = p[i] * decay - flr * mh / (sqrtf(vh) + feps);
    }
    param->storage->version++;
    m->storage->version++;
    v->storage->version++;
    return LLM_OK;
}
