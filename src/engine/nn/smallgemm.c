/*
 * smallgemm.c: register-blocked small matrix products for the fused
 * attention kernel. Attention multiplies blocks like (64 x 256) by
 * (256 x 64) thousands of times per step; cblas_sgemm packs both operands
 * into its own layout on every call, and at these sizes the packing and the
 * call cost about as much as the arithmetic (the M config's attention ran
 * at ~35 GFLOP/s against ~140 for big products). Here the block of B stays
 * where it is (row-major, in L1/L2), and an AVX-512 micro-kernel keeps a
 * 6 x 64 tile of C in 24 registers: per step of the inner dim it loads four
 * vectors of B, broadcasts six values of A and does 24 FMAs. A is read
 * through two strides, so A^T costs no copy. Causal trimming skips the
 * tiles of a block that lie wholly in the future.
 *
 * CPUs without AVX-512 (and non-GCC compilers) go to cblas_sgemm; building
 * with -DLLM_NO_AVX512 forces that path (to test it on any machine).
 */
#include <string.h>
#include <cblas.h>
#include "smallgemm.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(LLM_NO_AVX512)
#define SG_AVX512 1
#include <immintrin.h>
#endif

#define MR 6
#define NVMAX 4 /* vectors of 16 floats per tile row: 64 columns */

#ifdef SG_AVX512
typedef void (*tile_fn)(int64_t k, float alpha, const float *A, int64_t ars, int64_t acs, const float *B, int64_t ldb,
                        int acc, float *C, int64_t ldc, __mmask16 last);

/* One tile of R rows and V vectors: C = alpha A B (+ C); the last vector's
 * columns are masked by `last`. */
#define TILE(R, V)                                                                                                     \
    __attribute__((target("avx512f"))) static void tile_##R##_##V(int64_t k, float alpha, const float *A,             \
                                                                  int64_t ars, int64_t acs, const float *B,            \
                                                                  int64_t ldb, int acc, float *C, int64_t ldc,         \
                                                                  __mmask16 last)                                      \
    {                                                                                                                  \
        __m512 c[R][V];                                                                                                \
        _Pragma("GCC unroll 8") for (int i = 0; i < R; i++)                                                            \
            _Pragma("GCC unroll 4") for (int v = 0; v < V; v++) c[i][v] = _mm512_setzero_ps();                         \
        for (int64_t p = 0; p < k; p++) {                                                                              \
            __m512 b[V];                                                                                               \
            const float *bp = B + p * ldb;                                                                             \
            _Pragma("GCC unroll 4") for (int v = 0; v < V; v++) b[v] =                                                 \
                v == V - 1 ? _mm512_maskz_loadu_ps(last, bp + 16 * v) : _mm512_loadu_ps(bp + 16 * v);                  \
            const float *ap = A + p * acs;                                                                             \
            _Pragma("GCC unroll 8") for (int i = 0; i < R; i++)                                                        \
            {                                                                                                          \
                __m512 a = _mm512_set1_ps(ap[i * ars]);                                                                \
                _Pragma("GCC unroll 4") for (int v = 0; v < V; v++) c[i][v] = _mm512_fmadd_ps(a, b[v], c[i][v]);       \
            }                                                                                                          \
        }                                                                                                              \
        __m512 al = _mm512_set1_ps(alpha);                                                                             \
        _Pragma("GCC unroll 8") for (int i = 0; i < R; i++)                                                            \
        {                                                                                                              \
            float *cp = C + i * ldc;                                                                                   \
            _Pragma("GCC unroll 4") for (int v = 0; v < V; v++)                                                        \
            {                                                                                                          \
                __mmask16 mk = v == V - 1 ? last : (__mmask16)0xFFFF;                                                  \
                __m512 r = _mm512_mul_ps(c[i][v], al);                                                                 \
                if (acc) r = _mm512_add_ps(r, _mm512_maskz_loadu_ps(mk, cp + 16 * v));                                 \
                _mm512_mask_storeu_ps(cp + 16 * v, mk, r);                                                             \
            }                                                                                                          \
        }                                                                                                              \
    }

#define TILES(R) TILE(R, 1) TILE(R, 2) TILE(R, 3) TILE(R, 4)
TILES(1)
TILES(2)
TILES(3)
TILES(4)
TILES(5)
TILES(6)

static const tile_fn tiles[MR][NVMAX] = {
    {tile_1_1, tile_1_2, tile_1_3, tile_1_4}, {tile_2_1, tile_2_2, tile_2_3, tile_2_4},
    {tile_3_1, tile_3_2, tile_3_3, tile_3_4}, {tile_4_1, tile_4_2, tile_4_3, tile_4_4},
    {tile_5_1, tile_5_2, tile_5_3, tile_5_4}, {tile_6_1, tile_6_2, tile_6_3, tile_6_4},
};

static void gemm_avx512(int64_t m, int64_t n, int64_t k, float alpha, const float *A, int64_t ars, int64_t acs,
                        const float *B, int64_t ldb, int acc, float *C, int64_t ldc, int64_t lim_n, int64_t lim_k)
{
    for (int64_t j0 = 0; j0 < n; j0 += 16 * NVMAX) {
        for (int64_t i0 = 0; i0 < m; i0 += MR) {
            int64_t r = m - i0 < MR ? m - i0 : MR;
            int64_t ncols = n - j0, kk = k;
            if (lim_n >= 0) { /* the tile's last row needs the columns < i0 + r - 1 + lim_n */
                int64_t end = i0 + r - 1 + lim_n;
                if (end - j0 < ncols) ncols = end - j0;
                if (ncols <= 0) continue;
            }
            if (lim_k >= 0 && i0 + r - 1 + lim_k < kk) kk = i0 + r - 1 + lim_k;
            if (kk < 0) kk = 0;
            if (ncols > 16 * NVMAX) ncols = 16 * NVMAX;
            int64_t nv = (ncols + 15) / 16, rem = ncols - 16 * (nv - 1);
            __mmask16 last = (__mmask16)(rem >= 16 ? 0xFFFF : (1u << rem) - 1);
            tiles[r - 1][nv - 1](kk, alpha, A + i0 * ars, ars, acs, B + j0, ldb, acc, C + i0 * ldc + j0, ldc, last);
        }
    }
}
#endif

void sg_gemm(int64_t m, int64_t n, int64_t k, float alpha, const float *A, int64_t ars, int64_t acs, const float *B,
             int64_t ldb, int accumulate, float *C, int64_t ldc, int64_t lim_n, int64_t lim_k)
{
    if (m <= 0 || n <= 0) return;
#ifdef SG_AVX512
    if (__builtin_cpu_supports("avx512f")) {
        gemm_avx512(m, n, k, alpha, A, ars, acs, B, ldb, accumulate, C, ldc, lim_n, lim_k);
        return;
    }
#endif
    (void)lim_n;
    (void)lim_k;
    if (k <= 0) {
        if (!accumulate)
            for (int64_t i = 0; i < m; i++) memset(C + i * ldc, 0, sizeof(float) * (size_t)n);
        return;
    }
    /* A row-major with row stride ars, else A^T row-major with row stride acs. When ars == acs == 1 (a single
     * row or column of a transposed block: attention's dK, dV with one key) the stride of a one-row layout is
     * never used, but cblas still wants it at least the row length, or it rejects the call and computes
     * nothing: then pass that length. */
    int a_rows = acs == 1;
    int64_t lda = a_rows ? ars : acs;
    if (a_rows && m == 1 && lda < k) lda = k;
    if (!a_rows && k == 1 && lda < m) lda = m;
    cblas_sgemm(CblasRowMajor, a_rows ? CblasNoTrans : CblasTrans, CblasNoTrans, (int)m, (int)n, (int)k, alpha, A,
                (int)lda, B, (int)ldb, accumulate ? 1.0f : 0.0f, C, (int)ldc);
}

#ifdef SG_AVX512
/* 16 rows at a time: each column of those rows is one gather, one store. */
__attribute__((target("avx512f"))) static void transpose_avx512(float *dst, int64_t ldd, const float *src,
                                                                 int64_t rows, int64_t cols, int64_t lds)
{
    __m512i idx = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                     _mm512_set1_epi32((int)lds));
    int64_t i0 = 0;
    for (; i0 + 16 <= rows; i0 += 16)
        for (int64_t j = 0; j < cols; j++)
            _mm512_storeu_ps(dst + j * ldd + i0, _mm512_i32gather_ps(idx, src + i0 * lds + j, 4));
    for (; i0 < rows; i0++)
        for (int64_t j = 0; j < cols; j++) dst[j * ldd + i0] = src[i0 * lds + j];
}
#endif

void sg_transpose(float *dst, int64_t ldd, const float *src, int64_t rows, int64_t cols, int64_t lds)
{
#ifdef SG_AVX512
    if (__builtin_cpu_supports("avx512f") && 16 * lds < ((int64_t)1 << 31)) {
        transpose_avx512(dst, ldd, src, rows, cols, lds);
        return;
    }
#endif
    for (int64_t i0 = 0; i0 < rows; i0 += 16)
        for (int64_t j = 0; j < cols; j++)
            for (int64_t i = i0; i < i0 + 16 && i < rows; i++) dst[j * ldd + i] = src[i * lds + j];
}
