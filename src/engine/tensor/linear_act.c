/*
 * linear_act.c: act(x @ w^T + b), the first half of a transformer's MLP, and
 * the whole MLP act(x @ w1^T + b1) @ w2^T + b2, each as one op over blocks
 * of rows (act: GELU in its tanh or erf form, or SiLU).
 *
 * Why: at small widths (GPT config S: 2048 rows x 512) the products are
 * fast and the elementwise passes around them are bound by memory traffic.
 * Written as linear then gelu, the (rows, N) pre-activation goes out to
 * memory and comes back for the activation; in the backward its gradient
 * goes out and comes back three times (for dx, for dw, for the bias). Here
 * each block of rows (512 to 1024 rows, see block_rows; at small widths it
 * stays in cache) runs bias, product and activation in one go; the backward
 * computes a block's pre-activation gradient into a scratch block and feeds
 * it, still warm, to the bias sum and to both products (dw accumulates over
 * blocks with beta = 1). Blocks run in parallel over OpenMP threads, each
 * with its own scratch and partial dw, db (BLAS on one thread inside).
 *
 * Saved for the backward: x, w and the pre-activation (the activation's
 * derivative needs it); the output is the caller's.
 */
#include <stdlib.h>
#include <cblas.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "internal.h"
#include "nn/vmath.h"

static int vm_kind(int act)
{
    switch (act) {
    case TENSOR_ACT_GELU_TANH: return VM_GELU_TANH;
    case TENSOR_ACT_GELU_ERF: return VM_GELU_ERF;
    case TENSOR_ACT_SILU: return VM_SILU;
    default: return 0;
    }
}

/* Rows per block: about 1 MB of (rows, N) floats, a multiple of 8, at least
 * 512 rows: each block's product packs the whole weight (N, K) again, which
 * at fewer rows costs more than the cache saves. When the weight is itself
 * over 1 MB, short blocks make slow products (GPT config M, 1536 x 384:
 * 168-row blocks ran them ~20% below 2048-row ones): then 1024 rows. */
static int64_t block_rows(int64_t N, int64_t K)
{
    int64_t r = ((int64_t)262144 / (N > 0 ? N : 1)) / 8 * 8;
    if (r < 512) r = 512;
    if (N * K > (int64_t)262144) r = 1024;
    if (r > 1024) r = 1024;
    return r;
}

/* Rows of x: the product of its leading dimensions (numel / K fails when K is 0). */
static int64_t lead_rows(const tensor *x)
{
    int64_t M = 1;
    for (int d = 0; d < x->ndim - 1; d++) M *= x->shape[d];
    return M;
}

/* Threads for nblocks blocks of work worth flops multiply-adds. */
static int team_size(int64_t nblocks, int64_t flops)
{
    int nt = 1;
#ifdef _OPENMP
    if (!omp_in_parallel() && flops >= ((int64_t)1 << 21)) nt = omp_get_max_threads();
#endif
    if (nt > nblocks) nt = (int)nblocks;
    return nt < 1 ? 1 : nt;
}

/* This thread's number and the size of the team OpenMP gave, which may be
 * smaller than the num_threads asked for (OMP_THREAD_LIMIT, OMP_DYNAMIC). */
static int thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

static int team_given(void)
{
#ifdef _OPENMP
    return omp_get_num_threads();
#else
    return 1;
#endif
}

/* dst[0, len) += the same range of the partials of threads 1 .. team-1
 * (thread t's at scratch + t * per + off), split over the team: called by
 * every thread of the region after a barrier, so the sum is not left to one
 * thread. team is the size OpenMP gave (omp_get_num_threads), not the one
 * asked for: under OMP_THREAD_LIMIT or OMP_DYNAMIC it can be smaller, and
 * the partials of threads that never ran hold stale cache memory. */
static void add_partials(float *dst, const float *scratch, size_t per, size_t off, int nt, int64_t len)
{
    const int64_t chunk = 16384;
    int64_t nch = (len + chunk - 1) / chunk;
#pragma omp for schedule(static)
    for (int64_t c = 0; c < nch; c++) {
        int64_t i0 = c * chunk, n = len - i0 < chunk ? len - i0 : chunk;
        for (int t = 1; t < nt; t++) vm_axpy(dst + i0, scratch + per * (size_t)t + off + (size_t)i0, n, 1.0f);
    }
}

tensor *tensor_linear_act(const tensor *x, const tensor *w, const tensor *b, int act)
{
    char s1[96], s2[96], s3[96];
    int kind = vm_kind(act);
    if (!kind) {
        llm_fail(LLM_ERR_ARG, "linear_act: unknown activation %d (gelu_tanh, gelu or silu)", act);
        return NULL;
    }
    if (x->dtype != TENSOR_F32 || w->dtype != TENSOR_F32 || (b && b->dtype != TENSOR_F32)) {
        llm_fail(LLM_ERR_ARG, "linear_act: needs float32 tensors");
        return NULL;
    }
    if (x->ndim < 1 || w->ndim != 2 || x->shape[x->ndim - 1] != w->shape[1] ||
        (b && (b->ndim != 1 || b->shape[0] != w->shape[0]))) {
        llm_fail(LLM_ERR_SHAPE, "linear_act: input %s, weight %s and bias %s do not fit (weight is (out, in))",
                 tensor_shape_str(x, s1, sizeof s1), tensor_shape_str(w, s2, sizeof s2),
                 b ? tensor_shape_str(b, s3, sizeof s3) : "none");
        return NULL;
    }
    int64_t K = w->shape[1], N = w->shape[0];
    int64_t M = lead_rows(x);
    int64_t oshape[TENSOR_MAX_DIMS];
    memcpy(oshape, x->shape, sizeof oshape);
    oshape[x->ndim - 1] = N;
    GRAD_OFF_BEGIN;
    tensor *xc = tensor_contiguous(x), *wc = tensor_contiguous(w), *bc = b ? tensor_contiguous(b) : NULL;
    tensor *pre = tensor_empty(x->ndim, oshape, TENSOR_F32), *out = tensor_empty(x->ndim, oshape, TENSOR_F32);
    GRAD_OFF_END;
    if (!xc || !wc || (b && !bc) || !pre || !out) goto fail;
    if (M > 0 && N > 0) {
        const float *px = tensor_f32(xc), *pw = tensor_f32(wc), *pb = bc ? tensor_f32(bc) : NULL;
        float *pp = tensor_f32(pre), *po = tensor_f32(out);
        int64_t br = block_rows(N, K), nblocks = (M + br - 1) / br;
        int nt = team_size(nblocks, M * N * K);
        int prev = tensor_blas_enter();
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
        for (int64_t blk = 0; blk < nblocks; blk++) {
            int64_t r0 = blk * br, m = M - r0 < br ? M - r0 : br;
            float *p = pp + r0 * N;
            if (pb)
                for (int64_t i = 0; i < m; i++) memcpy(p + i * N, pb, sizeof(float) * (size_t)N);
            if (K > 0)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)N, (int)K, 1.0f, px + r0 * K, (int)K,
                            pw, (int)K, pb ? 1.0f : 0.0f, p, (int)N);
            else if (!pb)
                memset(p, 0, sizeof(float) * (size_t)(m * N));
            vm_unary(kind, po + r0 * N, p, m * N);
        }
        tensor_blas_leave(prev);
    }
    const tensor *in[3] = {x, w, b};
    if (autograd_needed(3, in)) {
        tensor_node *n = autograd_record(out, OP_LINEAR_ACT, 3, in);
        if (!n) goto fail;
        autograd_save(n, xc);
        autograd_save(n, wc);
        autograd_save(n, pre);
        n->ip[0] = act;
    }
    tensor_free(xc);
    tensor_free(wc);
    tensor_free(bc);
    tensor_free(pre);
    return out;
fail:
    tensor_free(xc);
    tensor_free(wc);
    tensor_free(bc);
    tensor_free(pre);
    tensor_free(out);
    return NULL;
}

/* grads[0] dx (x's shape), grads[1] dw (N, K), grads[2] db (N), each when wanted. */
llm_status linear_act_backward(tensor_node *n, const tensor *g0, tensor **grads)
{
    const tensor *x = n->saved[0], *w = n->saved[1], *pre = n->saved[2];
    int kind = vm_kind((int)n->ip[0]);
    int want_x = n->in[0].node || n->in[0].leaf, want_w = n->in[1].node || n->in[1].leaf,
        want_b = n->in[2].node || n->in[2].leaf;
    int64_t N = w->shape[0], K = w->shape[1];
    int64_t M = N ? tensor_numel(pre) / N : 0;
    int64_t wshape[2] = {N, K};
    tensor *g = tensor_contiguous(g0);
    tensor *dx = want_x ? tensor_empty(x->ndim, x->shape, TENSOR_F32) : NULL;
    tensor *dw = want_w ? tensor_empty(2, wshape, TENSOR_F32) : NULL;
    tensor *db = want_b ? tensor_empty(1, &N, TENSOR_F32) : NULL;
    int64_t br = block_rows(N, K), nblocks = M > 0 ? (M + br - 1) / br : 0;
    int nt = team_size(nblocks, M * N * K);
    /* per thread: a scratch block (br, N), and for threads past the first a partial dw (N, K) and db (N) */
    size_t per = (size_t)(br * N) + (size_t)(N * K) + (size_t)N;
    size_t cap = 0;
    float *scratch = nblocks ? tensor_scratch_alloc(sizeof(float) * per * (size_t)nt, &cap) : NULL;
    if (!g || (want_x && !dx) || (want_w && !dw) || (want_b && !db) || (nblocks && !scratch)) {
        tensor_free(g); tensor_free(dx); tensor_free(dw); tensor_free(db);
        tensor_scratch_free(scratch, cap);
        return llm_fail(LLM_ERR_NOMEM, "linear_act: out of memory in backward");
    }
    const float *pg = tensor_f32(g), *px = tensor_f32(x), *pw = tensor_f32(w), *pp = tensor_f32(pre);
    float *pdx = dx ? tensor_f32(dx) : NULL;
    int prev = tensor_blas_enter();
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        int tid = thread_id(), team = team_given();
        float *d = scratch + per * (size_t)tid;
        float *dw_t = dw ? (tid == 0 ? tensor_f32(dw) : d + br * N) : NULL;
        float *db_t = db ? (tid == 0 ? tensor_f32(db) : d + br * N + N * K) : NULL;
        int first = 1; /* dw, db and the partials start unset: the first block writes them (beta 0) */
        if (db_t) memset(db_t, 0, sizeof(float) * (size_t)N);
#pragma omp for schedule(static)
        for (int64_t blk = 0; blk < nblocks; blk++) {
            int64_t r0 = blk * br, m = M - r0 < br ? M - r0 : br;
            vm_unary_grad(kind, d, pg + r0 * N, pp + r0 * N, m * N); /* d = g * act'(pre) */
            if (db_t)
                for (int64_t i = 0; i < m; i++) vm_axpy(db_t, d + i * N, N, 1.0f);
            if (K > 0 && pdx) /* dx (m, K) = d (m, N) @ w (N, K) */
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)K, (int)N, 1.0f, d, (int)N, pw,
                            (int)K, 0.0f, pdx + r0 * K, (int)K);
            if (K > 0 && dw_t) { /* dw (N, K) += d^T (N, m) @ x (m, K) */
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)N, (int)K, (int)m, 1.0f, d, (int)N,
                            px + r0 * K, (int)K, first ? 0.0f : 1.0f, dw_t, (int)K);
                first = 0;
            }
        }
        if (first && dw_t) memset(dw_t, 0, sizeof(float) * (size_t)(N * K)); /* a thread that got no block */
        if (team > 1) {
#pragma omp barrier
            if (dw) add_partials(tensor_f32(dw), scratch, per, (size_t)(br * N), team, N * K);
            if (db) add_partials(tensor_f32(db), scratch, per, (size_t)(br * N + N * K), team, N);
        }
    }
    tensor_blas_leave(prev);
    if ((K == 0 || !nblocks) && pdx) memset(pdx, 0, sizeof(float) * (size_t)tensor_numel(dx));
    tensor_scratch_free(scratch, cap);
    tensor_free(g);
    grads[0] = dx;
    grads[1] = dw;
    grads[2] = db;
    return LLM_OK;
}

/* ---- the whole MLP: act(x W1^T + b1) W2^T + b2 ----
 *
 * Per block of rows the hidden activation lives only in a scratch block:
 * the forward keeps x and the pre-activation for the backward, not the
 * (rows, hidden) activation, which the backward recomputes block by block
 * from the pre-activation (cheap next to the products). The backward of a
 * block: a = act(pre) for dw2, then the hidden gradient (dy w2, times
 * act'(pre)) into the same scratch for db1, dx and dw1. */

tensor *tensor_mlp(const tensor *x, const tensor *w1, const tensor *b1, const tensor *w2, const tensor *b2, int act)
{
    char s1[96], s2[96], s3[96];
    int kind = vm_kind(act);
    if (!kind) {
        llm_fail(LLM_ERR_ARG, "mlp: unknown activation %d (gelu_tanh, gelu or silu)", act);
        return NULL;
    }
    if (x->dtype != TENSOR_F32 || w1->dtype != TENSOR_F32 || w2->dtype != TENSOR_F32 ||
        (b1 && b1->dtype != TENSOR_F32) || (b2 && b2->dtype != TENSOR_F32)) {
        llm_fail(LLM_ERR_ARG, "mlp: needs float32 tensors");
        return NULL;
    }
    if (x->ndim < 1 || w1->ndim != 2 || w2->ndim != 2 || x->shape[x->ndim - 1] != w1->shape[1] ||
        w2->shape[1] != w1->shape[0] || (b1 && (b1->ndim != 1 || b1->shape[0] != w1->shape[0])) ||
        (b2 && (b2->ndim != 1 || b2->shape[0] != w2->shape[0]))) {
        llm_fail(LLM_ERR_SHAPE, "mlp: input %s, w1 %s and w2 %s (or the biases) do not fit (weights are (out, in))",
                 tensor_shape_str(x, s1, sizeof s1), tensor_shape_str(w1, s2, sizeof s2),
                 tensor_shape_str(w2, s3, sizeof s3));
        return NULL;
    }
    int64_t K = w1->shape[1], H = w1->shape[0], N = w2->shape[0];
    int64_t M = lead_rows(x);
    int64_t pshape[TENSOR_MAX_DIMS], oshape[TENSOR_MAX_DIMS];
    memcpy(pshape, x->shape, sizeof pshape);
    memcpy(oshape, x->shape, sizeof oshape);
    pshape[x->ndim - 1] = H;
    oshape[x->ndim - 1] = N;
    int64_t br = block_rows(H, K), nblocks = M > 0 ? (M + br - 1) / br : 0;
    int nt = team_size(nblocks, M * H * (K + N));
    GRAD_OFF_BEGIN;
    tensor *xc = tensor_contiguous(x), *w1c = tensor_contiguous(w1), *w2c = tensor_contiguous(w2);
    tensor *b1c = b1 ? tensor_contiguous(b1) : NULL, *b2c = b2 ? tensor_contiguous(b2) : NULL;
    tensor *pre = tensor_empty(x->ndim, pshape, TENSOR_F32), *out = tensor_empty(x->ndim, oshape, TENSOR_F32);
    GRAD_OFF_END;
    size_t cap = 0;
    float *scratch = nblocks ? tensor_scratch_alloc(sizeof(float) * (size_t)(br * H) * (size_t)nt, &cap) : NULL;
    if (!xc || !w1c || !w2c || (b1 && !b1c) || (b2 && !b2c) || !pre || !out || (nblocks && !scratch)) {
        if (nblocks && !scratch) llm_fail(LLM_ERR_NOMEM, "mlp: out of memory for scratch blocks");
        goto fail;
    }
    if (nblocks) {
        const float *px = tensor_f32(xc), *pw1 = tensor_f32(w1c), *pw2 = tensor_f32(w2c);
        const float *pb1 = b1c ? tensor_f32(b1c) : NULL, *pb2 = b2c ? tensor_f32(b2c) : NULL;
        float *pp = tensor_f32(pre), *po = tensor_f32(out);
        int prev = tensor_blas_enter();
#pragma omp parallel num_threads(nt) if (nt > 1)
        {
            float *a = scratch + (size_t)(br * H) * (size_t)thread_id();
#pragma omp for schedule(static)
            for (int64_t blk = 0; blk < nblocks; blk++) {
                int64_t r0 = blk * br, m = M - r0 < br ? M - r0 : br;
                float *p = pp + r0 * H, *y = po + r0 * N;
                if (pb1)
                    for (int64_t i = 0; i < m; i++) memcpy(p + i * H, pb1, sizeof(float) * (size_t)H);
                if (K > 0)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)H, (int)K, 1.0f, px + r0 * K,
                                (int)K, pw1, (int)K, pb1 ? 1.0f : 0.0f, p, (int)H);
                else if (!pb1)
                    memset(p, 0, sizeof(float) * (size_t)(m * H));
                vm_unary(kind, a, p, m * H);
                if (pb2)
                    for (int64_t i = 0; i < m; i++) memcpy(y + i * N, pb2, sizeof(float) * (size_t)N);
                if (H > 0)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)N, (int)H, 1.0f, a, (int)H, pw2,
                                (int)H, pb2 ? 1.0f : 0.0f, y, (int)N);
                else if (!pb2)
                    memset(y, 0, sizeof(float) * (size_t)(m * N));
            }
        }
        tensor_blas_leave(prev);
    }
    tensor_scratch_free(scratch, cap);
    scratch = NULL;
    const tensor *in[5] = {x, w1, b1, w2, b2};
    if (autograd_needed(5, in)) {
        tensor_node *n = autograd_record(out, OP_MLP, 5, in);
        if (!n) goto fail;
        autograd_save(n, xc);
        autograd_save(n, w1c);
        autograd_save(n, w2c);
        autograd_save(n, pre);
        n->ip[0] = act;
    }
    tensor_free(xc); tensor_free(w1c); tensor_free(w2c); tensor_free(b1c); tensor_free(b2c);
    tensor_free(pre);
    return out;
fail:
    tensor_scratch_free(scratch, cap);
    tensor_free(xc); tensor_free(w1c); tensor_free(w2c); tensor_free(b1c); tensor_free(b2c);
    tensor_free(pre);
    tensor_free(out);
    return NULL;
}

/* grads: dx, dw1, db1, dw2, db2 (each when wanted). */
llm_status mlp_backward(tensor_node *n, const tensor *g0, tensor **grads)
{
    const tensor *x = n->saved[0], *w1 = n->saved[1], *w2 = n->saved[2], *pre = n->saved[3];
    int kind = vm_kind((int)n->ip[0]);
    int want[5];
    for (int i = 0; i < 5; i++) want[i] = n->in[i].node || n->in[i].leaf;
    int64_t K = w1->shape[1], H = w1->shape[0], N = w2->shape[0];
    int64_t M = lead_rows(x);
    int64_t s1[2] = {H, K}, s2[2] = {N, H};
    tensor *g = tensor_contiguous(g0);
    tensor *dx = want[0] ? tensor_empty(x->ndim, x->shape, TENSOR_F32) : NULL;
    tensor *dw1 = want[1] ? tensor_empty(2, s1, TENSOR_F32) : NULL;
    tensor *db1 = want[2] ? tensor_empty(1, &H, TENSOR_F32) : NULL;
    tensor *dw2 = want[3] ? tensor_empty(2, s2, TENSOR_F32) : NULL;
    tensor *db2 = want[4] ? tensor_empty(1, &N, TENSOR_F32) : NULL;
    int64_t br = block_rows(H, K), nblocks = M > 0 ? (M + br - 1) / br : 0;
    int nt = team_size(nblocks, M * H * (K + N));
    /* per thread: two scratch blocks (br, H); threads past the first also partial dw1, db1, dw2, db2 */
    size_t per = (size_t)(2 * br * H) + (size_t)(H * K) + (size_t)H + (size_t)(N * H) + (size_t)N;
    size_t cap = 0;
    float *scratch = nblocks ? tensor_scratch_alloc(sizeof(float) * per * (size_t)nt, &cap) : NULL;
    if (!g || (want[0] && !dx) || (want[1] && !dw1) || (want[2] && !db1) || (want[3] && !dw2) || (want[4] && !db2) ||
        (nblocks && !scratch)) {
        tensor_free(g); tensor_free(dx); tensor_free(dw1); tensor_free(db1); tensor_free(dw2); tensor_free(db2);
        tensor_scratch_free(scratch, cap);
        return llm_fail(LLM_ERR_NOMEM, "mlp: out of memory in backward");
    }
    const float *pg = tensor_f32(g), *px = tensor_f32(x), *pw1 = tensor_f32(w1), *pw2 = tensor_f32(w2),
                *pp = tensor_f32(pre);
    float *pdx = dx ? tensor_f32(dx) : NULL;
    int need_hidden = want[0] || want[1] || want[2]; /* the hidden gradient is needed for these */
    int prev = tensor_blas_enter();
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        int tid = thread_id(), team = team_given();
        float *d = scratch + per * (size_t)tid, *e = d + br * H; /* e: act'(pre) when dw2 computed act(pre) */
        float *part = e + br * H;
        float *dw1_t = dw1 ? (tid == 0 ? tensor_f32(dw1) : part) : NULL;
        float *db1_t = db1 ? (tid == 0 ? tensor_f32(db1) : part + H * K) : NULL;
        float *dw2_t = dw2 ? (tid == 0 ? tensor_f32(dw2) : part + H * K + H) : NULL;
        float *db2_t = db2 ? (tid == 0 ? tensor_f32(db2) : part + H * K + H + N * H) : NULL;
        int first = 1; /* the gradients and partials start unset: the first block writes them (beta 0) */
        if (db1_t) memset(db1_t, 0, sizeof(float) * (size_t)H);
        if (db2_t) memset(db2_t, 0, sizeof(float) * (size_t)N);
#pragma omp for schedule(static)
        for (int64_t blk = 0; blk < nblocks; blk++) {
            int64_t r0 = blk * br, m = M - r0 < br ? M - r0 : br;
            const float *dy = pg + r0 * N, *p = pp + r0 * H;
            if (db2_t)
                for (int64_t i = 0; i < m; i++) vm_axpy(db2_t, dy + i * N, N, 1.0f);
            int have_e = 0;
            if (dw2_t && N > 0 && H > 0) { /* dw2 (N, H) += dy^T (N, m) @ act(pre) (m, H) */
                vm_unary_and_grad(kind, d, e, p, m * H); /* act(pre) and act'(pre), one exponential */
                have_e = 1;
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)N, (int)H, (int)m, 1.0f, dy, (int)N, d,
                            (int)H, first ? 0.0f : 1.0f, dw2_t, (int)H);
            }
            if (need_hidden && H > 0) {
                if (N > 0) /* d (m, H) = dy (m, N) @ w2 (N, H), then times act'(pre) */
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)H, (int)N, 1.0f, dy, (int)N,
                                pw2, (int)H, 0.0f, d, (int)H);
                else
                    memset(d, 0, sizeof(float) * (size_t)(m * H));
                if (have_e) vm_mul(d, e, m * H);
                else vm_unary_grad(kind, d, d, p, m * H);
                if (db1_t)
                    for (int64_t i = 0; i < m; i++) vm_axpy(db1_t, d + i * H, H, 1.0f);
                if (pdx && K > 0) /* dx (m, K) = d (m, H) @ w1 (H, K) */
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)K, (int)H, 1.0f, d, (int)H,
                                pw1, (int)K, 0.0f, pdx + r0 * K, (int)K);
                if (dw1_t && K > 0) /* dw1 (H, K) += d^T (H, m) @ x (m, K) */
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)H, (int)K, (int)m, 1.0f, d, (int)H,
                                px + r0 * K, (int)K, first ? 0.0f : 1.0f, dw1_t, (int)K);
            }
            first = 0;
        }
        if (first) { /* a thread that got no block: its partials count for nothing */
            if (dw1_t) memset(dw1_t, 0, sizeof(float) * (size_t)(H * K));
            if (dw2_t) memset(dw2_t, 0, sizeof(float) * (size_t)(N * H));
        }
        if (team > 1) {
            size_t off = (size_t)(2 * br * H);
#pragma omp barrier
            if (dw1) add_partials(tensor_f32(dw1), scratch, per, off, team, H * K);
            if (db1) add_partials(tensor_f32(db1), scratch, per, off + (size_t)(H * K), team, H);
            if (dw2) add_partials(tensor_f32(dw2), scratch, per, off + (size_t)(H * K + H), team, N * H);
            if (db2) add_partials(tensor_f32(db2), scratch, per, off + (size_t)(H * K + H + N * H), team, N);
        }
    }
    tensor_blas_leave(prev);
    if (pdx && (K == 0 || H == 0 || !nblocks)) memset(pdx, 0, sizeof(float) * (size_t)tensor_numel(dx));
    tensor_scratch_free(scratch, cap);
    tensor_free(g);
    grads[0] = dx;
    grads[1] = dw1;
    grads[2] = db1;
    grads[3] = dw2;
    grads[4] = db2;
    return LLM_OK;
}
