/*
 * linear_act.c: act(x @ w^T + b), the first half of a transformer's MLP, as
 * one op over blocks of rows (act: GELU in its tanh or erf form, or SiLU).
 *
 * Why: at small widths (GPT config S: 2048 rows x 512) the products are
 * fast and the elementwise passes around them are bound by memory traffic.
 * Written as linear then gelu, the (rows, N) pre-activation goes out to
 * memory and comes back for the activation; in the backward its gradient
 * goes out and comes back three times (for dx, for dw, for the bias). Here
 * each block of rows (about 1 MB of pre-activation, so it stays in the
 * core's cache) runs bias, product and activation in one go; the backward
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

/* Rows per block: about 1 MB of (rows, N) floats, a multiple of 8. When the
 * weight (N, K) is itself over 1 MB, every block re-reads and re-packs it, and
 * short blocks make slow products (GPT config M, 1536 x 384: 168-row blocks
 * ran them ~20% below 2048-row ones): then at least 1024 rows. */
static int64_t block_rows(int64_t N, int64_t K)
{
    int64_t r = ((int64_t)262144 / (N > 0 ? N : 1)) / 8 * 8;
    if (N * K > (int64_t)262144 && r < 1024) r = 1024;
    if (r < 8) r = 8;
    if (r > 1024) r = 1024;
    return r;
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
    int64_t M = K ? tensor_numel(x) / K : 0;
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
    tensor *dw = want_w ? tensor_zeros(2, wshape, TENSOR_F32) : NULL;
    tensor *db = want_b ? tensor_zeros(1, &N, TENSOR_F32) : NULL;
    int64_t br = block_rows(N, K), nblocks = M > 0 ? (M + br - 1) / br : 0;
    int nt = team_size(nblocks, M * N * K);
    /* per thread: a scratch block (br, N), and for threads past the first a partial dw (N, K) and db (N) */
    size_t per = (size_t)(br * N) + (size_t)(N * K) + (size_t)N;
    float *scratch = nblocks ? malloc(sizeof(float) * per * (size_t)nt) : NULL;
    if (!g || (want_x && !dx) || (want_w && !dw) || (want_b && !db) || (nblocks && !scratch)) {
        tensor_free(g); tensor_free(dx); tensor_free(dw); tensor_free(db);
        free(scratch);
        return llm_fail(LLM_ERR_NOMEM, "linear_act: out of memory in backward");
    }
    const float *pg = tensor_f32(g), *px = tensor_f32(x), *pw = tensor_f32(w), *pp = tensor_f32(pre);
    float *pdx = dx ? tensor_f32(dx) : NULL;
    int prev = tensor_blas_enter();
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        float *d = scratch + per * (size_t)tid;
        float *dw_t = tid == 0 ? (dw ? tensor_f32(dw) : NULL) : d + br * N;
        float *db_t = tid == 0 ? (db ? tensor_f32(db) : NULL) : d + br * N + N * K;
        int first = tid != 0; /* the partials start unset: the first block writes them (beta 0) */
        if (first && db_t) memset(db_t, 0, sizeof(float) * (size_t)N);
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
    }
    tensor_blas_leave(prev);
    for (int t = 1; t < nt; t++) {
        const float *d = scratch + per * (size_t)t;
        if (dw) vm_axpy(tensor_f32(dw), d + br * N, N * K, 1.0f);
        if (db) vm_axpy(tensor_f32(db), d + br * N + N * K, N, 1.0f);
    }
    if (K == 0 && pdx) memset(pdx, 0, sizeof(float) * (size_t)tensor_numel(dx));
    free(scratch);
    tensor_free(g);
    grads[0] = dx;
    grads[1] = dw;
    grads[2] = db;
    return LLM_OK;
}
