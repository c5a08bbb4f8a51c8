/* fuzzy.c: Levenshtein edit distance over code points (two rows of the
 * dynamic-programming table) and the normalised similarity
 * 1 - d / max(len), the measure used to drop near-identical instruction
 * examples. */
#include <stdlib.h>
#include "text.h"

static llm_status decode_all(const char *s, size_t n, uint32_t **out, size_t *len)
{
    uint32_t *v = llm_malloc((n ? n : 1) * sizeof *v);
    if (!v) return LLM_ERR_NOMEM;
    size_t i = 0, m = 0;
    while (i < n) {
        uint32_t cp;
        int l = text_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        i += (size_t)(l > 0 ? l : -l);
        v[m++] = cp;
    }
    *out = v;
    *len = m;
    return LLM_OK;
}

llm_status text_edit_distance(const char *a, size_t na, const char *b, size_t nb, size_t *dist)
{
    uint32_t *x = NULL, *y = NULL;
    size_t *row = NULL;
    size_t lx, ly;
    llm_status st = decode_all(a, na, &x, &lx);
    if (!st) st = decode_all(b, nb, &y, &ly);
    if (!st && (lx > 100000 || ly > 100000)) st = llm_fail(LLM_ERR_ARG, "edit distance: strings over 100,000 characters");
    if (!st && !(row = llm_malloc((ly + 1) * sizeof *row))) st = LLM_ERR_NOMEM;
    if (!st) {
        for (size_t j = 0; j <= ly; j++) row[j] = j;
        for (size_t i = 1; i <= lx; i++) {
            size_t diag = row[0];
            row[0] = i;
            for (size_t j = 1; j <= ly; j++) {
                size_t up = row[j];
                size_t best = diag + (x[i - 1] != y[j - 1]);
                if (up + 1 < best) best = up + 1;
                if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
                row[j] = best;
                diag = up;
            }
        }
        *dist = row[ly];
    }
    free(x);
    free(y);
    free(row);
    return st;
}

llm_status text_similarity(const char *a, size_t na, const char *b, size_t nb, double *sim)
{
    size_t d;
    llm_status st = text_edit_distance(a, na, b, nb, &d);
    if (st) return st;
    size_t la = text_utf8_length(a, na), lb = text_utf8_length(b, nb);
    size_t m = la > lb ? la : lb;
    *sim = m == 0 ? 1.0 : 1.0 - (double)d / (double)m;
    return LLM_OK;
}
