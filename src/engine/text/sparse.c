/*
 * sparse.c: CSR matrices (see sparse.h). Plain loops; cosine search keeps a
 * dense accumulator per query so each query costs one pass over the
 * nonzeros of m that share a column with it (through a transposed index).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sparse.h"

llm_status csr_new(llm_csr **out, int64_t nrows, int64_t ncols, int64_t nnz)
{
    *out = NULL;
    if (nrows < 0 || ncols < 0 || nnz < 0)
        return llm_fail(LLM_ERR_ARG, "sparse: negative size (%lld x %lld, %lld values)",
                        (long long)nrows, (long long)ncols, (long long)nnz);
    if (ncols > INT32_MAX) return llm_fail(LLM_ERR_ARG, "sparse: %lld columns exceed int32", (long long)ncols);
    llm_csr *m = llm_calloc(1, sizeof *m);
    if (!m) return LLM_ERR_NOMEM;
    m->nrows = nrows;
    m->ncols = ncols;
    m->nnz = nnz;
    m->indptr = llm_calloc((size_t)nrows + 1, sizeof *m->indptr);
    m->indices = llm_malloc((size_t)(nnz ? nnz : 1) * sizeof *m->indices);
    m->values = llm_malloc((size_t)(nnz ? nnz : 1) * sizeof *m->values);
    if (!m->indptr || !m->indices || !m->values) {
        csr_free(m);
        return LLM_ERR_NOMEM;
    }
    *out = m;
    return LLM_OK;
}

void csr_free(llm_csr *m)
{
    if (!m) return;
    free(m->indptr);
    free(m->indices);
    free(m->values);
    free(m);
}

llm_status csr_clone(const llm_csr *m, llm_csr **out)
{
    llm_status s = csr_new(out, m->nrows, m->ncols, m->nnz);
    if (s) return s;
    memcpy((*out)->indptr, m->indptr, (size_t)(m->nrows + 1) * sizeof *m->indptr);
    memcpy((*out)->indices, m->indices, (size_t)m->nnz * sizeof *m->indices);
    memcpy((*out)->values, m->values, (size_t)m->nnz * sizeof *m->values);
    return LLM_OK;
}

/* Sort one row's (index, value) pairs by index: insertion sort for short
 * rows, which are the common case for documents. */
typedef struct { int32_t c; float v; } pair;
static int pair_cmp(const void *a, const void *b)
{
    int32_t x = ((const pair *)a)->c, y = ((const pair *)b)->c;
    return (x > y) - (x < y);
}

llm_status csr_canonicalize(llm_csr *m)
{
    int64_t maxlen = 0;
    for (int64_t r = 0; r < m->nrows; r++) {
        int64_t len = m->indptr[r + 1] - m->indptr[r];
        if (len > maxlen) maxlen = len;
    }
    pair *buf = llm_malloc((size_t)(maxlen ? maxlen : 1) * sizeof *buf);
    if (!buf) return LLM_ERR_NOMEM;
    int64_t w = 0;
    for (int64_t r = 0; r < m->nrows; r++) {
        int64_t a = m->indptr[r], b = m->indptr[r + 1], n = b - a;
        for (int64_t i = 0; i < n; i++) {
            buf[i].c = m->indices[a + i];
            buf[i].v = m->values[a + i];
        }
        if (n <= 24) { /* short rows, the common case: insertion sort */
            for (int64_t i = 1; i < n; i++) {
                pair x = buf[i];
                int64_t j = i;
                while (j > 0 && buf[j - 1].c > x.c) {
                    buf[j] = buf[j - 1];
                    j--;
                }
                buf[j] = x;
            }
        } else {
            qsort(buf, (size_t)n, sizeof *buf, pair_cmp);
        }
        m->indptr[r] = w;
        for (int64_t i = 0; i < n; i++) {
            if (w > m->indptr[r] && m->indices[w - 1] == buf[i].c) {
                m->values[w - 1] += buf[i].v;
            } else {
                m->indices[w] = buf[i].c;
                m->values[w] = buf[i].v;
                w++;
            }
        }
    }
    m->indptr[m->nrows] = w;
    m->nnz = w;
    free(buf);
    return LLM_OK;
}

llm_status csr_from_triplets(llm_csr **out, int64_t nrows, int64_t ncols, int64_t n,
                             const int64_t *rows, const int64_t *cols, const float *vals)
{
    *out = NULL;
    for (int64_t i = 0; i < n; i++) {
        if (rows[i] < 0 || rows[i] >= nrows || cols[i] < 0 || cols[i] >= ncols)
            return llm_fail(LLM_ERR_ARG, "sparse: triplet %lld at (%lld, %lld) is outside the %lld x %lld shape",
                            (long long)i + 1, (long long)rows[i], (long long)cols[i],
                            (long long)nrows, (long long)ncols);
        if (!isfinite(vals[i]))
            return llm_fail(LLM_ERR_ARG, "sparse: triplet %lld has a value that is not finite", (long long)i + 1);
    }
    llm_csr *m;
    llm_status s = csr_new(&m, nrows, ncols, n);
    if (s) return s;
    for (int64_t i = 0; i < n; i++) m->indptr[rows[i] + 1]++;
    for (int64_t r = 0; r < nrows; r++) m->indptr[r + 1] += m->indptr[r];
    int64_t *fill = llm_malloc((size_t)(nrows ? nrows : 1) * sizeof *fill);
    if (!fill) {
        csr_free(m);
        return LLM_ERR_NOMEM;
    }
    memcpy(fill, m->indptr, (size_t)nrows * sizeof *fill);
    for (int64_t i = 0; i < n; i++) {
        int64_t p = fill[rows[i]]++;
        m->indices[p] = (int32_t)cols[i];
        m->values[p] = vals[i];
    }
    free(fill);
    if ((s = csr_canonicalize(m))) {
        csr_free(m);
        return s;
    }
    /* drop explicit zeros (including sums that cancel) */
    int64_t w = 0;
    for (int64_t r = 0; r < nrows; r++) {
        int64_t a = m->indptr[r], b = m->indptr[r + 1];
        m->indptr[r] = w;
        for (int64_t p = a; p < b; p++)
            if (m->values[p] != 0.0f) {
                m->indices[w] = m->indices[p];
                m->values[w++] = m->values[p];
            }
    }
    m->indptr[nrows] = w;
    m->nnz = w;
    *out = m;
    return LLM_OK;
}

llm_status csr_from_dense(llm_csr **out, const float *dense, int64_t nrows, int64_t ncols)
{
    int64_t nnz = 0;
    for (int64_t i = 0; i < nrows * ncols; i++) nnz += dense[i] != 0.0f;
    llm_status s = csr_new(out, nrows, ncols, nnz);
    if (s) return s;
    llm_csr *m = *out;
    int64_t w = 0;
    for (int64_t r = 0; r < nrows; r++) {
        for (int64_t c = 0; c < ncols; c++) {
            float v = dense[r * ncols + c];
            if (v != 0.0f) {
                m->indices[w] = (int32_t)c;
                m->values[w++] = v;
            }
        }
        m->indptr[r + 1] = w;
    }
    return LLM_OK;
}

llm_status csr_to_dense(const llm_csr *m, float *dense)
{
    memset(dense, 0, (size_t)(m->nrows * m->ncols) * sizeof *dense);
    for (int64_t r = 0; r < m->nrows; r++)
        for (int64_t p = m->indptr[r]; p < m->indptr[r + 1]; p++) dense[r * m->ncols + m->indices[p]] += m->values[p];
    return LLM_OK;
}

llm_status csr_slice_rows(const llm_csr *m, int64_t r0, int64_t r1, llm_csr **out)
{
    *out = NULL;
    if (r0 < 0 || r1 > m->nrows || r0 > r1)
        return llm_fail(LLM_ERR_ARG, "sparse: rows %lld..%lld are outside 0..%lld", (long long)r0,
                        (long long)r1, (long long)m->nrows);
    int64_t a = m->indptr[r0], b = m->indptr[r1];
    llm_status s = csr_new(out, r1 - r0, m->ncols, b - a);
    if (s) return s;
    for (int64_t r = r0; r <= r1; r++) (*out)->indptr[r - r0] = m->indptr[r] - a;
    memcpy((*out)->indices, m->indices + a, (size_t)(b - a) * sizeof *m->indices);
    memcpy((*out)->values, m->values + a, (size_t)(b - a) * sizeof *m->values);
    return LLM_OK;
}

llm_status csr_matmul_dense(const llm_csr *m, const float *b, int64_t k, float *out)
{
    if (k < 0) return llm_fail(LLM_ERR_ARG, "sparse matmul: negative width %lld", (long long)k);
    for (int64_t r = 0; r < m->nrows; r++) {
        float *o = out + r * k;
        for (int64_t j = 0; j < k; j++) o[j] = 0.0f;
        for (int64_t p = m->indptr[r]; p < m->indptr[r + 1]; p++) {
            float v = m->values[p];
            const float *row = b + (int64_t)m->indices[p] * k;
            for (int64_t j = 0; j < k; j++) o[j] += v * row[j];
        }
    }
    return LLM_OK;
}

llm_status csr_transpose(const llm_csr *m, llm_csr **out)
{
    if (m->nrows > INT32_MAX) return llm_fail(LLM_ERR_ARG, "sparse transpose: %lld rows exceed int32 columns", (long long)m->nrows);
    llm_status s = csr_new(out, m->ncols, m->nrows, m->nnz);
    if (s) return s;
    llm_csr *t = *out;
    for (int64_t p = 0; p < m->nnz; p++) t->indptr[m->indices[p] + 1]++;
    for (int64_t c = 0; c < m->ncols; c++) t->indptr[c + 1] += t->indptr[c];
    int64_t *fill = llm_malloc((size_t)(m->ncols ? m->ncols : 1) * sizeof *fill);
    if (!fill) {
        csr_free(t);
        *out = NULL;
        return LLM_ERR_NOMEM;
    }
    memcpy(fill, t->indptr, (size_t)m->ncols * sizeof *fill);
    /* rows are visited in order, so each transposed row comes out sorted */
    for (int64_t r = 0; r < m->nrows; r++)
        for (int64_t p = m->indptr[r]; p < m->indptr[r + 1]; p++) {
            int64_t q = fill[m->indices[p]]++;
            t->indices[q] = (int32_t)r;
            t->values[q] = m->values[p];
        }
    free(fill);
    return LLM_OK;
}

llm_status csr_sum(const llm_csr *m, int axis, double *out)
{
    if (axis != 0 && axis != 1) return llm_fail(LLM_ERR_ARG, "sparse sum: axis must be 0 (columns) or 1 (rows), got %d", axis);
    if (axis == 0) {
        memset(out, 0, (size_t)m->ncols * sizeof *out);
        for (int64_t p = 0; p < m->nnz; p++) out[m->indices[p]] += m->values[p];
    } else {
        for (int64_t r = 0; r < m->nrows; r++) {
            double s = 0;
            for (int64_t p = m->indptr[r]; p < m->indptr[r + 1]; p++) s += m->values[p];
            out[r] = s;
        }
    }
    return LLM_OK;
}

/* The L1 (p = 1) or L2 (p = 2) norm of row r. */
static double row_norm(const llm_csr *m, int64_t r, int p)
{
    double s = 0;
    for (int64_t q = m->indptr[r]; q < m->indptr[r + 1]; q++) {
        double v = m->values[q];
        s += p == 1 ? fabs(v) : v * v;
    }
    return p == 1 ? s : sqrt(s);
}

llm_status csr_row_norms(const llm_csr *m, int p, double *out)
{
    if (p != 1 && p != 2) return llm_fail(LLM_ERR_ARG, "sparse norms: p must be 1 or 2, got %d", p);
    for (int64_t r = 0; r < m->nrows; r++) out[r] = row_norm(m, r, p);
    return LLM_OK;
}

llm_status csr_normalize_rows(llm_csr *m, int p)
{
    if (p != 1 && p != 2) return llm_fail(LLM_ERR_ARG, "sparse normalize: p must be 1 or 2, got %d", p);
    for (int64_t r = 0; r < m->nrows; r++) {
        double s = row_norm(m, r, p);
        if (s == 0) continue;
        for (int64_t q = m->indptr[r]; q < m->indptr[r + 1]; q++) m->values[q] = (float)(m->values[q] / s);
    }
    return LLM_OK;
}

/* Keep the k best (value desc, id asc) in a small sorted array. */
static void topk_push(int64_t *ids, float *vals, int64_t *n, int64_t k, int64_t id, float v)
{
    int64_t i = *n;
    if (i == k) {
        if (!(v > vals[k - 1] || (v == vals[k - 1] && id < ids[k - 1]))) return;
        i = k - 1;
    } else {
        (*n)++;
    }
    while (i > 0 && (v > vals[i - 1] || (v == vals[i - 1] && id < ids[i - 1]))) {
        ids[i] = ids[i - 1];
        vals[i] = vals[i - 1];
        i--;
    }
    ids[i] = id;
    vals[i] = v;
}

llm_status csr_row_topk(const llm_csr *m, int64_t r, int64_t k, int64_t *cols, float *vals, int64_t *n_out)
{
    if (r < 0 || r >= m->nrows) return llm_fail(LLM_ERR_ARG, "sparse topk: row %lld is outside 0..%lld", (long long)r, (long long)m->nrows - 1);
    if (k < 1) return llm_fail(LLM_ERR_ARG, "sparse topk: k must be at least 1, got %lld", (long long)k);
    int64_t n = 0;
    for (int64_t p = m->indptr[r]; p < m->indptr[r + 1]; p++) topk_push(cols, vals, &n, k, m->indices[p], m->values[p]);
    *n_out = n;
    return LLM_OK;
}

llm_status csr_cosine_topk(const llm_csr *m, const llm_csr *queries, int64_t k, int64_t *idx, float *sim)
{
    if (m->ncols != queries->ncols)
        return llm_fail(LLM_ERR_SHAPE, "cosine search: the matrix has %lld columns but the queries have %lld",
                        (long long)m->ncols, (long long)queries->ncols);
    if (k < 1) return llm_fail(LLM_ERR_ARG, "cosine search: k must be at least 1, got %lld", (long long)k);
    llm_status s = LLM_OK;
    double *norms = llm_malloc((size_t)(m->nrows ? m->nrows : 1) * sizeof *norms);
    double *acc = llm_calloc((size_t)(m->nrows ? m->nrows : 1), sizeof *acc);
    int64_t *touched = llm_malloc((size_t)(m->nrows ? m->nrows : 1) * sizeof *touched);
    unsigned char *mark = llm_calloc((size_t)(m->nrows ? m->nrows : 1), 1);
    /* transposed index: for each column, the rows (and values) that use it */
    int64_t *cptr = llm_calloc((size_t)m->ncols + 1, sizeof *cptr);
    int64_t *crow = llm_malloc((size_t)(m->nnz ? m->nnz : 1) * sizeof *crow);
    float *cval = llm_malloc((size_t)(m->nnz ? m->nnz : 1) * sizeof *cval);
    if (!norms || !acc || !touched || !mark || !cptr || !crow || !cval) {
        s = LLM_ERR_NOMEM;
        goto done;
    }
    csr_row_norms(m, 2, norms);
    for (int64_t p = 0; p < m->nnz; p++) cptr[m->indices[p] + 1]++;
    for (int64_t c = 0; c < m->ncols; c++) cptr[c + 1] += cptr[c];
    {
        int64_t *fill = llm_malloc((size_t)(m->ncols ? m->ncols : 1) * sizeof *fill);
        if (!fill) {
            s = LLM_ERR_NOMEM;
            goto done;
        }
        memcpy(fill, cptr, (size_t)m->ncols * sizeof *fill);
        for (int64_t r = 0; r < m->nrows; r++)
            for (int64_t p = m->indptr[r]; p < m->indptr[r + 1]; p++) {
                int64_t q = fill[m->indices[p]]++;
                crow[q] = r;
                cval[q] = m->values[p];
            }
        free(fill);
    }
    for (int64_t qi = 0; qi < queries->nrows; qi++) {
        if ((qi & 255) == 0 && llm_interrupted()) {
            s = llm_fail(LLM_ERR_INTERRUPTED, "cosine search: interrupted");
            goto done;
        }
        double qn = 0;
        int64_t ntouched = 0;
        for (int64_t p = queries->indptr[qi]; p < queries->indptr[qi + 1]; p++) {
            double qv = queries->values[p];
            qn += qv * qv;
            int32_t c = queries->indices[p];
            for (int64_t t = cptr[c]; t < cptr[c + 1]; t++) {
                if (acc[crow[t]] == 0.0) touched[ntouched++] = crow[t];
                acc[crow[t]] += qv * cval[t];
                if (acc[crow[t]] == 0.0) acc[crow[t]] = 1e-300; /* stay marked as touched */
            }
        }
        qn = sqrt(qn);
        int64_t *oi = idx + qi * k;
        float *os = sim + qi * k;
        int64_t n = 0;
        /* rows sharing no column have similarity 0: they fill in after the others */
        for (int64_t t = 0; t < ntouched; t++) {
            int64_t r = touched[t];
            double d = acc[r] == 1e-300 ? 0.0 : acc[r];
            acc[r] = 0.0;
            double c = (qn > 0 && norms[r] > 0) ? d / (qn * norms[r]) : 0.0;
            topk_push(oi, os, &n, k, r, (float)c);
        }
        if (n < k || os[k - 1] <= 0.0f) {
            for (int64_t t = 0; t < ntouched; t++) mark[touched[t]] = 1;
            for (int64_t r = 0; r < m->nrows; r++) {
                if (mark[r]) continue;
                if (n == k && !(os[k - 1] < 0.0f || (os[k - 1] == 0.0f && r < oi[k - 1]))) continue;
                topk_push(oi, os, &n, k, r, 0.0f);
            }
            for (int64_t t = 0; t < ntouched; t++) mark[touched[t]] = 0;
        }
        for (int64_t j = n; j < k; j++) {
            oi[j] = -1;
            os[j] = 0.0f;
        }
    }
done:
    free(norms);
    free(acc);
    free(touched);
    free(mark);
    free(cptr);
    free(crow);
    free(cval);
    return s;
}
