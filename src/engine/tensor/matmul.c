/*
 * matmul.c: matrix products through cblas_sgemm. A strided operand whose
 * rows or columns are unit-stride goes to BLAS as it is, with the
 * transpose flag and leading dimension read off its strides, so x:t() and
 * k:transpose(-2,-1) cost no copy. Batched products broadcast their batch
 * dims; a batch of rows against one matrix (x @ W with x (B,T,K)) folds
 * into a single call, and many small products run in parallel. linear()
 * folds its bias into the product: each thread fills its own rows of the
 * output with the bias and sgemm adds onto them (beta = 1), so there is no
 * separate pass (and no serial one) over the output.
 *
 * Threads: the engine runs OpenBLAS on one thread (and puts back the count
 * others set) and splits big products into row (or column) blocks over
 * OpenMP threads itself. Two thread pools
 * (OpenBLAS's pthreads and OpenMP's) spinning for the same cores made two
 * threads slower than one; with one pool, elementwise kernels, attention
 * (which calls small GEMMs from OpenMP threads) and products share it.
 */
#include <stdlib.h>
#include <cblas.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "internal.h"

int tensor_blas_enter(void)
{
    int prev = openblas_get_num_threads();
    if (prev != 1) openblas_set_num_threads(1);
    return prev;
}

void tensor_blas_leave(int prev)
{
    if (prev != 1) openblas_set_num_threads(prev);
}

typedef struct {
    CBLAS_TRANSPOSE tr;
    int ld;
} mat_layout;

/* How BLAS can read the (rows, cols) matrix with strides (rs, cs); 0 if it cannot. */
static int layout_of(int64_t rows, int64_t cols, int64_t rs, int64_t cs, mat_layout *l)
{
    int64_t r1 = rows > 1 ? rows : 1, c1 = cols > 1 ? cols : 1;
    if ((cs == 1 || cols == 1) && (rows == 1 || rs >= c1)) {
        l->tr = CblasNoTrans;
        l->ld = (int)(rows == 1 ? c1 : rs);
        if (l->ld < c1) l->ld = (int)c1;
        return 1;
    }
    if ((rs == 1 || rows == 1) && (cols == 1 || cs >= r1)) {
        l->tr = CblasTrans;
        l->ld = (int)(cols == 1 ? r1 : cs);
        if (l->ld < r1) l->ld = (int)r1;
        return 1;
    }
    return 0;
}

/* Rows [i0, i0 + m) of C (N columns, row stride ldc) set to the bias row. */
static void fill_rows(float *C, int ldc, int64_t i0, int64_t m, int64_t N, const float *bias)
{
    for (int64_t i = i0; i < i0 + m; i++) memcpy(C + i * ldc, bias, sizeof(float) * (size_t)N);
}

/* C (M,N; ldc) = A (M,K) B (K,N) + beta C; with a bias (N), C = A B + bias
 * (each thread fills its own rows with the bias, then accumulates onto them). */
static void gemm_bias(const float *A, mat_layout la, const float *B, mat_layout lb, float *C, int ldc, int64_t M,
                      int64_t N, int64_t K, float beta, const float *bias)
{
    if (bias) beta = 1.0f;
    if (M == 0 || N == 0) return;
    if (K == 0) {
        if (bias) { fill_rows(C, ldc, 0, M, N, bias); return; }
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
        return;
    }
    int nt = 1, inside = 0;
#ifdef _OPENMP
    inside = omp_in_parallel(); /* then the caller has set BLAS to one thread */
    if (!inside && M * N * K >= ((int64_t)1 << 21)) nt = omp_get_max_threads();
#endif
    int prev = inside ? 1 : tensor_blas_enter();
    if (nt > 1 && M >= 32 * nt) { /* split the rows of op(A) and C */
        int64_t step = (M + nt - 1) / nt;
#pragma omp parallel for num_threads(nt) schedule(static)
        for (int t = 0; t < nt; t++) {
            int64_t i0 = t * step, m = M - i0 < step ? M - i0 : step;
            if (m <= 0) continue;
            const float *a = A + (la.tr == CblasNoTrans ? i0 * la.ld : i0);
            if (bias) fill_rows(C, ldc, i0, m, N, bias);
            cblas_sgemm(CblasRowMajor, la.tr, lb.tr, (int)m, (int)N, (int)K, 1.0f, a, la.ld, B, lb.ld, beta, C + i0 * ldc, ldc);
        }
    } else if (nt > 1 && N >= 32 * nt) { /* split the columns of op(B) and C */
        int64_t step = (N + nt - 1) / nt;
        step = (step + 15) / 16 * 16;
#pragma omp parallel for num_threads(nt) schedule(static)
        for (int t = 0; t < nt; t++) {
            int64_t j0 = t * step, n = N - j0 < step ? N - j0 : step;
            if (n <= 0) continue;
            const float *b = B + (lb.tr == CblasNoTrans ? j0 : j0 * lb.ld);
            if (bias) fill_rows(C + j0, ldc, 0, M, n, bias + j0);
            cblas_sgemm(CblasRowMajor, la.tr, lb.tr, (int)M, (int)n, (int)K, 1.0f, A, la.ld, b, lb.ld, beta, C + j0, ldc);
        }
    } else {
        if (bias) fill_rows(C, ldc, 0, M, N, bias);
        cblas_sgemm(CblasRowMajor, la.tr, lb.tr, (int)M, (int)N, (int)K, 1.0f, A, la.ld, B, lb.ld, beta, C, ldc);
    }
    tensor_blas_leave(prev);
}

static void gemm(const float *A, mat_layout la, const float *B, mat_layout lb, float *C, int ldc, int64_t M,
                 int64_t N, int64_t K, float beta)
{
    gemm_bias(A, la, B, lb, C, ldc, M, N, K, beta, NULL);
}

/* Offsets into a and b of batch entry i (row-major over bshape, broadcast strides sa, sb). */
static void batch_offsets(int64_t i, int nbatch, const int64_t *bshape, const int64_t *sa, const int64_t *sb,
                          int64_t *oa, int64_t *ob)
{
    int64_t r = i;
    *oa = *ob = 0;
    for (int d = nbatch - 1; d >= 0; d--) {
        int64_t k = r % bshape[d];
        r /= bshape[d];
        *oa += k * sa[d];
        *ob += k * sb[d];
    }
}

static tensor *matmul_impl(const tensor *a0, const tensor *b0)
{
    char s1[96], s2[96];
    if (a0->dtype != TENSOR_F32 || b0->dtype != TENSOR_F32) {
        llm_fail(LLM_ERR_ARG, "matmul: needs float32 tensors (got %s and %s)", tensor_dtype_name(a0->dtype),
                 tensor_dtype_name(b0->dtype));
        return NULL;
    }
    if (a0->ndim == 0 || b0->ndim == 0) {
        llm_fail(LLM_ERR_SHAPE, "matmul: shapes %s and %s do not fit (0-dim operand)",
                 tensor_shape_str(a0, s1, sizeof s1), tensor_shape_str(b0, s2, sizeof s2));
        return NULL;
    }
    tensor *a = a0->ndim == 1 ? tensor_unsqueeze(a0, 0) : tensor_ref((tensor *)a0);
    tensor *b = b0->ndim == 1 ? tensor_unsqueeze(b0, 1) : tensor_ref((tensor *)b0);
    tensor *out = NULL, *ac = NULL, *bc = NULL;
    if (!a || !b) goto done;
    int64_t M = a->shape[a->ndim - 2], K = a->shape[a->ndim - 1];
    int64_t K2 = b->shape[b->ndim - 2], N = b->shape[b->ndim - 1];
    int nbatch;
    int64_t bshape[TENSOR_MAX_DIMS];
    if (K != K2 || broadcast_shapes(a->ndim - 2, a->shape, b->ndim - 2, b->shape, &nbatch, bshape)) {
        llm_fail(LLM_ERR_SHAPE, "matmul: shapes %s and %s do not fit", tensor_shape_str(a0, s1, sizeof s1),
                 tensor_shape_str(b0, s2, sizeof s2));
        goto done;
    }
    int64_t oshape[TENSOR_MAX_DIMS];
    memcpy(oshape, bshape, sizeof(int64_t) * (size_t)nbatch);
    oshape[nbatch] = M;
    oshape[nbatch + 1] = N;
    out = tensor_empty(nbatch + 2, oshape, TENSOR_F32);
    if (!out) goto done;
    mat_layout la, lb;
    ac = layout_of(M, K, a->stride[a->ndim - 2], a->stride[a->ndim - 1], &la) ? tensor_ref(a) : tensor_contiguous(a);
    bc = layout_of(K, N, b->stride[b->ndim - 2], b->stride[b->ndim - 1], &lb) ? tensor_ref(b) : tensor_contiguous(b);
    if (!ac || !bc) goto fail;
    layout_of(M, K, ac->stride[ac->ndim - 2], ac->stride[ac->ndim - 1], &la);
    layout_of(K, N, bc->stride[bc->ndim - 2], bc->stride[bc->ndim - 1], &lb);
    /* broadcast batch strides */
    int64_t sa[TENSOR_MAX_DIMS], sb[TENSOR_MAX_DIMS];
    int64_t nb = 1;
    int b_is_matrix = 1, a_full = 1;
    for (int d = 0; d < nbatch; d++) {
        int da = d - (nbatch - (ac->ndim - 2)), db = d - (nbatch - (bc->ndim - 2));
        sa[d] = (da < 0 || ac->shape[da] != bshape[d]) ? 0 : ac->stride[da];
        sb[d] = (db < 0 || bc->shape[db] != bshape[d]) ? 0 : bc->stride[db];
        if (bshape[d] != 1 && sb[d] != 0) b_is_matrix = 0;
        if (bshape[d] != 1 && sa[d] == 0) a_full = 0;
        nb *= bshape[d];
    }
    const float *pa = tensor_f32(ac), *pb = tensor_f32(bc);
    float *po = tensor_f32(out);
    /* Fold (batch..., M) into one M when a's rows run on with one stride. */
    if (nb > 1 && b_is_matrix && a_full && la.tr == CblasNoTrans) {
        int ok = 1;
        int64_t expect = (int64_t)la.ld * M;
        for (int d = nbatch - 1; d >= 0; d--) {
            if (bshape[d] == 1) continue;
            if (sa[d] != expect) { ok = 0; break; }
            expect *= bshape[d];
        }
        if (ok) {
            gemm(pa, la, pb, lb, po, (int)N, M * nb, N, K, 0.0f);
            goto done_ok;
        }
    }
    int small = M * N * K < 64 * 64 * 64;
    int prev = tensor_blas_enter();
    /* Many small products: one per thread. Otherwise one after the other,
     * each split over the threads by gemm(). (Not an `omp parallel if(...)`
     * region that comes out inactive: gemm's own parallel region inside it
     * would be a nested one, and libgomp starts and ends fresh threads for
     * every nested region.) */
    if (nb > 1 && small) {
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < nb; i++) {
            int64_t oa, ob;
            batch_offsets(i, nbatch, bshape, sa, sb, &oa, &ob);
            gemm(pa + oa, la, pb + ob, lb, po + i * M * N, (int)N, M, N, K, 0.0f);
        }
    } else {
        for (int64_t i = 0; i < nb; i++) {
            int64_t oa, ob;
            batch_offsets(i, nbatch, bshape, sa, sb, &oa, &ob);
            gemm(pa + oa, la, pb + ob, lb, po + i * M * N, (int)N, M, N, K, 0.0f);
        }
    }
    tensor_blas_leave(prev);
done_ok:
    /* drop the dims that 1-D operands added */
    if (a0->ndim == 1 || b0->ndim == 1) {
        int64_t fs[TENSOR_MAX_DIMS];
        int k = 0;
        for (int d = 0; d < nbatch; d++) fs[k++] = bshape[d];
        if (a0->ndim != 1) fs[k++] = M;
        if (b0->ndim != 1) fs[k++] = N;
        tensor *r = tensor_view(out, k, fs);
        tensor_free(out);
        out = r;
    }
    goto done;
fail:
    tensor_free(out);
    out = NULL;
done:
    tensor_free(ac);
    tensor_free(bc);
    tensor_free(a);
    tensor_free(b);
    return out;
}

tensor *tensor_matmul(const tensor *a, const tensor *b)
{
    GRAD_OFF_BEGIN;
    tensor *out = matmul_impl(a, b);
    GRAD_OFF_END;
    if (!out) return NULL;
    const tensor *in[2] = {a, b};
    if (autograd_needed(2, in)) {
        tensor_node *n = autograd_record(out, OP_MATMUL, 2, in);
        if (!n) { tensor_free(out); return NULL; }
        autograd_save(n, a);
        autograd_save(n, b);
    }
    return out;
}

/* y (..., N) = x (..., K) @ w^T (w: (N, K)) + b (N) */
tensor *tensor_linear(const tensor *x, const tensor *w, const tensor *b)
{
    char s1[96], s2[96], s3[96];
    if (x->dtype != TENSOR_F32 || w->dtype != TENSOR_F32 || (b && b->dtype != TENSOR_F32)) {
        llm_fail(LLM_ERR_ARG, "linear: needs float32 tensors");
        return NULL;
    }
    if (x->ndim < 1 || w->ndim != 2 || x->shape[x->ndim - 1] != w->shape[1] ||
        (b && (b->ndim != 1 || b->shape[0] != w->shape[0]))) {
        llm_fail(LLM_ERR_SHAPE, "linear: input %s, weight %s and bias %s do not fit (weight is (out, in))",
                 tensor_shape_str(x, s1, sizeof s1), tensor_shape_str(w, s2, sizeof s2),
                 b ? tensor_shape_str(b, s3, sizeof s3) : "none");
        return NULL;
    }
    int64_t K = w->shape[1], N = w->shape[0];
    int64_t M = 1; /* rows: the leading dimensions (numel / K fails when K is 0) */
    for (int d = 0; d < x->ndim - 1; d++) M *= x->shape[d];
    int64_t oshape[TENSOR_MAX_DIMS];
    memcpy(oshape, x->shape, sizeof oshape);
    oshape[x->ndim - 1] = N;
    GRAD_OFF_BEGIN;
    tensor *xc = tensor_contiguous(x);
    mat_layout lw;
    tensor *wc = layout_of(K, N, w->stride[1], w->stride[0], &lw) ? tensor_ref((tensor *)w) : tensor_contiguous(w);
    tensor *bc = b ? tensor_contiguous(b) : NULL;
    tensor *out = tensor_empty(x->ndim, oshape, TENSOR_F32);
    GRAD_OFF_END;
    if (!xc || !wc || (b && !bc) || !out) {
        tensor_free(xc); tensor_free(wc); tensor_free(bc); tensor_free(out);
        return NULL;
    }
    /* w^T as a (K, N) matrix: strides (w.stride[1], w.stride[0]) */
    layout_of(K, N, wc->stride[1], wc->stride[0], &lw);
    float *po = tensor_f32(out);
    mat_layout lx = {CblasNoTrans, (int)(K > 0 ? K : 1)};
    gemm_bias(tensor_f32(xc), lx, tensor_f32(wc), lw, po, (int)(N > 0 ? N : 1), M, N, K, 0.0f,
              bc ? tensor_f32(bc) : NULL);
    tensor_free(xc);
    tensor_free(wc);
    tensor_free(bc);
    const tensor *in[3] = {x, w, b};
    if (autograd_needed(3, in)) {
        tensor_node *n = autograd_record(out, OP_LINEAR, 3, in);
        if (!n) { tensor_free(out); return NULL; }
        autograd_save(n, x);
        autograd_save(n, w);
    }
    return out;
}
