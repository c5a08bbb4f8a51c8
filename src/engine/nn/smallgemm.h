/*
 * smallgemm.h: the small matrix products inside the fused attention kernel
 * (blocks of at most a few hundred rows and columns, inner dim = head dim).
 * See smallgemm.c for why they do not go to cblas_sgemm.
 */
#ifndef LLM_SMALLGEMM_H
#define LLM_SMALLGEMM_H

#include <stdint.h>

/*
 * C (m, n; row stride ldc) = alpha * A B  (+ C when accumulate), where
 *   A (m, k) is read at A[i * ars + p * acs] (so A or A^T of a row-major
 *     block: acs = 1 for A, ars = 1 for A^T),
 *   B (k, n) is row-major with row stride ldb.
 * Causal trimming (a negative limit turns it off):
 *   lim_n >= 0: row i needs only the columns j < i + lim_n; the others may
 *               be left unwritten (callers mask them);
 *   lim_k >= 0: row i needs only p < i + lim_k (A is zero past that).
 */
void sg_gemm(int64_t m, int64_t n, int64_t k, float alpha, const float *A, int64_t ars, int64_t acs, const float *B,
             int64_t ldb, int accumulate, float *C, int64_t ldc, int64_t lim_n, int64_t lim_k);

/* dst (cols, rows; row stride ldd) = src^T, src (rows, cols; row stride lds) */
void sg_transpose(float *dst, int64_t ldd, const float *src, int64_t rows, int64_t cols, int64_t lds);

#endif
