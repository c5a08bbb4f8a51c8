/*
 * term_sort.c: sorting for the vectorizer (vectorize_impl.h).
 *  - text_sort_terms: many terms in byte order (the vocabulary of a large
 *    corpus: ~10^5 terms). Each term gets a key of its first 8 bytes read
 *    big-endian (zero padded), so integer order is byte order on those
 *    bytes; a radix sort orders the keys, and only runs of equal keys (terms
 *    sharing their first 8 bytes, or shorter terms padded alike) are sorted
 *    again by comparing the whole strings.
 *  - text_sort_keyed: ids by 64-bit integer keys (the same radix sort).
 *  - text_sort_u64: the small per-row sorts (column << 32 | count).
 */
#define _GNU_SOURCE /* qsort_r */
#include <stdlib.h>
#include <string.h>
#include "vectorize_impl.h"

typedef struct keyed { uint64_t key; uint32_t id; uint32_t pad; } keyed;

typedef struct term_src { const char *arena; const size_t *off; const uint32_t *len; } term_src;

static int cmp_full(const void *a, const void *b, void *ctx)
{
    const term_src *t = ctx;
    uint32_t x = ((const keyed *)a)->id, y = ((const keyed *)b)->id;
    uint32_t lx = t->len[x], ly = t->len[y];
    int c = memcmp(t->arena + t->off[x], t->arena + t->off[y], lx < ly ? lx : ly);
    if (c) return c;
    return (lx > ly) - (lx < ly);
}

/* LSD radix sort of a[0..n) by key, a byte at a time (b: scratch of n);
 * returns the buffer that holds the result. Stable. */
static keyed *radix_keyed(keyed *a, keyed *b, size_t n, size_t (*hist)[256])
{
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < 8; d++) hist[d][(a[i].key >> (8 * d)) & 0xff]++;
    /* a byte all keys share needs no pass */
    for (int d = 0; d < 8; d++) {
        size_t *h = hist[d];
        if (h[(a[0].key >> (8 * d)) & 0xff] == n) continue;
        size_t pos = 0;
        for (int c = 0; c < 256; c++) {
            size_t k = h[c];
            h[c] = pos;
            pos += k;
        }
        for (size_t i = 0; i < n; i++) b[h[(a[i].key >> (8 * d)) & 0xff]++] = a[i];
        keyed *t = a;
        a = b;
        b = t;
    }
    return a;
}

/* ids[i] with key keys[i] (or, keys NULL, the 8-byte prefix of its term),
 * sorted by key; runs of equal keys then by whole terms when src is set. */
static llm_status sort_ids(uint32_t *ids, const uint64_t *keys, size_t n, const term_src *src)
{
    if (n < 2) return LLM_OK;
    keyed *a = llm_malloc(n * sizeof *a), *b = llm_malloc(n * sizeof *b);
    size_t (*hist)[256] = llm_calloc(8, sizeof *hist);
    if (!a || !b || !hist) {
        free(a);
        free(b);
        free(hist);
        return LLM_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t k = 0;
        if (keys) k = keys[i];
        else {
            const unsigned char *s = (const unsigned char *)src->arena + src->off[ids[i]];
            uint32_t l = src->len[ids[i]];
            for (uint32_t j = 0; j < 8; j++) k = k << 8 | (j < l ? s[j] : 0);
        }
        a[i] = (keyed){k, ids[i], 0};
    }
    keyed *r = radix_keyed(a, b, n, hist);
    if (src)
        for (size_t i = 0; i < n;) {
            size_t j = i + 1;
            while (j < n && r[j].key == r[i].key) j++;
            if (j - i > 1) qsort_r(r + i, j - i, sizeof *r, cmp_full, (void *)src);
            i = j;
        }
    for (size_t i = 0; i < n; i++) ids[i] = r[i].id;
    free(a);
    free(b);
    free(hist);
    return LLM_OK;
}

llm_status text_sort_terms(uint32_t *ids, size_t n, const char *arena, const size_t *off, const uint32_t *len)
{
    term_src src = {arena, off, len};
    return sort_ids(ids, NULL, n, &src);
}

llm_status text_sort_keyed(uint32_t *ids, const uint64_t *keys, size_t n)
{
    return sort_ids(ids, keys, n, NULL);
}

static void insertion_u64(uint64_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t x = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1] > x) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

void text_sort_u64(uint64_t *a, size_t n)
{
    /* quicksort (median of three) on the larger rows, recursing on the
     * smaller side so the depth stays O(log n) */
    while (n > 32) {
        uint64_t x = a[0], y = a[n / 2], z = a[n - 1];
        uint64_t p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i >= j) break;
            uint64_t t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        /* [0, j] <= p <= [j + 1, n) */
        size_t left = j + 1;
        if (left < n - left) {
            text_sort_u64(a, left);
            a += left;
            n -= left;
        } else {
            text_sort_u64(a + left, n - left);
            n = left;
        }
    }
    insertion_u64(a, n);
}
