/*
 * sparse.h: compressed sparse row (CSR) matrices with float32 values,
 * int32 column indices and int64 row pointers. Enough for text features
 * (bag-of-words, TF-IDF), cosine search, and later LDA/NMF.
 *
 * Within a row, column indices are kept sorted and unique (duplicates are
 * summed when a matrix is built from triplets), as scipy's canonical CSR.
 */
#ifndef LLM_SPARSE_H
#define LLM_SPARSE_H

#include <stdint.h>
#include "core.h"

typedef struct llm_csr {
    int64_t nrows, ncols;
    int64_t nnz;
    int64_t *indptr;  /* (nrows + 1) */
    int32_t *indices; /* (nnz) column of each stored value */
    float *values;    /* (nnz) */
} llm_csr;

/* An empty nrows x ncols matrix with room for nnz values (indptr zeroed). */
llm_status csr_new(llm_csr **out, int64_t nrows, int64_t ncols, int64_t nnz);
void csr_free(llm_csr *m);
llm_status csr_clone(const llm_csr *m, llm_csr **out);

/* Build from (row, col, value) triplets, 0-based; duplicates are summed,
 * explicit zeros kept out. */
llm_status csr_from_triplets(llm_csr **out, int64_t nrows, int64_t ncols, int64_t n,
                             const int64_t *rows, const int64_t *cols, const float *vals);
/* Dense row-major (nrows, ncols) to CSR and back. */
llm_status csr_from_dense(llm_csr **out, const float *dense, int64_t nrows, int64_t ncols);
llm_status csr_to_dense(const llm_csr *m, float *dense /* (nrows, ncols) */);

/* Rows r0 .. r1-1 as a new matrix. */
llm_status csr_slice_rows(const llm_csr *m, int64_t r0, int64_t r1, llm_csr **out);
/* out (nrows, k) = m (nrows, ncols) x b (ncols, k), all dense row-major. */
llm_status csr_matmul_dense(const llm_csr *m, const float *b, int64_t k, float *out);
/* The transpose (ncols x nrows), rows sorted: X^T B is then a plain matmul. */
llm_status csr_transpose(const llm_csr *m, llm_csr **out);
/* Sums: axis 0 = per column (ncols values), axis 1 = per row (nrows values). */
llm_status csr_sum(const llm_csr *m, int axis, double *out);
/* Row norms: p = 1 (sum of |v|) or 2 (Euclidean). out has nrows entries. */
llm_status csr_row_norms(const llm_csr *m, int p, double *out);
/* Divide each row by its p-norm (rows of norm 0 stay 0). */
llm_status csr_normalize_rows(llm_csr *m, int p);
/* Sort each row's indices and sum duplicates (after hand-building a matrix). */
llm_status csr_canonicalize(llm_csr *m);
/* The k largest values of row r: cols and vals get up to k entries, best
 * first (ties by lower column); *n_out says how many. */
llm_status csr_row_topk(const llm_csr *m, int64_t r, int64_t k, int64_t *cols, float *vals, int64_t *n_out);
/* Cosine similarity search: for each row q of `queries`, the k rows of `m`
 * most similar to it (best first, ties by lower row). idx and sim are
 * (queries->nrows, k); slots past the number of rows of m get -1 / 0.
 * Both matrices must have the same number of columns. */
llm_status csr_cosine_topk(const llm_csr *m, const llm_csr *queries, int64_t k, int64_t *idx, float *sim);

#endif
