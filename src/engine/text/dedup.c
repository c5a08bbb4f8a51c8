/* dedup.c: exact and near-duplicate detection over a document collection.
 *
 *   1. exact: documents with the same 64-bit hash of their bytes (and equal
 *      bytes) are duplicates outright;
 *   2. near: each document's shingle set is signed with MinHash (perms
 *      hash functions h_p(x) = (a_p * x + b_p) >> 32 with random odd a_p,
 *      one 64-bit shingle hash x, the minimum over the set), signatures
 *      are cut into `bands` bands of rows = perms / bands values, and
 *      documents sharing any band bucket become candidate pairs (LSH);
 *   3. every candidate pair is verified with the exact Jaccard similarity
 *      of the shingle sets; pairs at or above the threshold are kept;
 *   4. union-find groups duplicates into clusters represented by their
 *      smallest document id.
 * Shingling, signing and verification run on OpenMP threads. */
#include <stdlib.h>
#include <string.h>
#include "text.h"

struct text_dedup {
    text_dedup_opts o;
    text_buf arena;      /* all document bytes */
    size_t *off, *len;   /* per document */
    size_t n, cap;
    uint64_t *a, *b;     /* hash family */
    uint32_t *sig;       /* (n, perms) */
    uint32_t *cluster;   /* (n) */
    text_dup_pair *pairs;
    size_t npairs;
    uint64_t candidates, exact;
};

void text_dedup_defaults(text_dedup_opts *o)
{
    o->kind = TEXT_SHINGLE_WORD;
    o->shingle = 3;
    o->perms = 128;
    o->bands = 32;
    o->threshold = 0.8;
    o->seed = 0;
}

text_dedup *text_dedup_new(const text_dedup_opts *opt)
{
    text_dedup_opts o;
    if (opt) o = *opt;
    else text_dedup_defaults(&o);
    if (o.shingle < 1 || o.shingle > 64) { llm_fail(LLM_ERR_ARG, "dedup: shingle size %d is not between 1 and 64", o.shingle); return NULL; }
    if (o.perms < 1 || o.perms > 1024) { llm_fail(LLM_ERR_ARG, "dedup: perms %d is not between 1 and 1024", o.perms); return NULL; }
    if (o.bands < 1 || o.perms % o.bands != 0) {
        llm_fail(LLM_ERR_ARG, "dedup: bands %d must divide perms %d", o.bands, o.perms);
        return NULL;
    }
    if (!(o.threshold >= 0 && o.threshold <= 1)) { llm_fail(LLM_ERR_ARG, "dedup: threshold %g is not in [0, 1]", o.threshold); return NULL; }
    if (o.kind != TEXT_SHINGLE_WORD && o.kind != TEXT_SHINGLE_CHAR) { llm_fail(LLM_ERR_ARG, "dedup: unknown shingle kind"); return NULL; }
    text_dedup *d = llm_calloc(1, sizeof *d);
    if (!d) return NULL;
    d->o = o;
    text_buf_init(&d->arena);
    d->a = llm_malloc((size_t)o.perms * sizeof *d->a);
    d->b = llm_malloc((size_t)o.perms * sizeof *d->b);
    if (!d->a || !d->b) { text_dedup_free(d); return NULL; }
    /* The hash family comes from the engine PRNG unless a seed is given. */
    uint64_t s = o.seed ? o.seed : ((uint64_t)llm_rand_u32() << 32 | llm_rand_u32());
    for (int p = 0; p < o.perms; p++) {
        s += 0x9E3779B97F4A7C15ULL;
        uint64_t z = s;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        d->a[p] = (z ^ (z >> 31)) | 1;
        s += 0x9E3779B97F4A7C15ULL;
        z = s;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        d->b[p] = z ^ (z >> 31);
    }
    return d;
}

void text_dedup_free(text_dedup *d)
{
    if (!d) return;
    text_buf_free(&d->arena);
    free(d->off);
    free(d->len);
    free(d->a);
    free(d->b);
    free(d->sig);
    free(d->cluster);
    free(d->pairs);
    free(d);
}

llm_status text_dedup_add(text_dedup *d, const char *s, size_t n)
{
    if (d->n >= UINT32_MAX - 1) return llm_fail(LLM_ERR_ARG, "dedup: too many documents");
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 1024;
        size_t *o = llm_realloc(d->off, cap * sizeof *o);
        if (!o) return LLM_ERR_NOMEM;
        d->off = o;
        size_t *l = llm_realloc(d->len, cap * sizeof *l);
        if (!l) return LLM_ERR_NOMEM;
        d->len = l;
        d->cap = cap;
    }
    d->off[d->n] = d->arena.len;
    d->len[d->n] = n;
    llm_status st = text_buf_append(&d->arena, s, n);
    if (st) return st;
    d->n++;
    return LLM_OK;
}

static uint32_t uf_find(uint32_t *p, uint32_t x)
{
    while (p[x] != x) { p[x] = p[p[x]]; x = p[x]; }
    return x;
}

static void uf_union(uint32_t *p, uint32_t x, uint32_t y)
{
    x = uf_find(p, x);
    y = uf_find(p, y);
    if (x == y) return;
    if (x < y) p[y] = x; else p[x] = y; /* the smaller id represents */
}

typedef struct keyed { uint64_t key; uint32_t doc; } keyed;

static int cmp_keyed(const void *x, const void *y)
{
    const keyed *a = x, *b = y;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return a->doc < b->doc ? -1 : a->doc > b->doc;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

typedef struct pair_list { uint64_t *v; size_t n, cap; } pair_list;

static llm_status pair_push(pair_list *l, uint32_t a, uint32_t b)
{
    if (a > b) { uint32_t t = a; a = b; b = t; }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4096;
        uint64_t *p = llm_realloc(l->v, cap * sizeof *p);
        if (!p) return LLM_ERR_NOMEM;
        l->v = p;
        l->cap = cap;
    }
    l->v[l->n++] = (uint64_t)a << 32 | b;
    return LLM_OK;
}

/* Candidate pairs from one sorted run of documents sharing a key: all pairs
 * for small runs; for big runs (many copies of one text) each member pairs
 * with the first and its neighbour, which is enough for union-find. */
static llm_status run_pairs(pair_list *l, const keyed *k, size_t i, size_t j)
{
    llm_status st = LLM_OK;
    size_t m = j - i;
    if (m <= 32) {
        for (size_t x = i; x < j && !st; x++)
            for (size_t y = x + 1; y < j && !st; y++) st = pair_push(l, k[x].doc, k[y].doc);
    } else {
        for (size_t x = i + 1; x < j && !st; x++) {
            st = pair_push(l, k[i].doc, k[x].doc);
            if (!st && x > i + 1) st = pair_push(l, k[x - 1].doc, k[x].doc);
        }
    }
    return st;
}

/* Sort keys[0..n) and pair up the documents of every run of equal keys. */
static llm_status pair_equal_keys(pair_list *l, keyed *keys, size_t n)
{
    qsort(keys, n, sizeof *keys, cmp_keyed);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && keys[j].key == keys[i].key) j++;
        if (j - i > 1) {
            llm_status st = run_pairs(l, keys, i, j);
            if (st) return st;
        }
        i = j;
    }
    return LLM_OK;
}

llm_status text_dedup_run(text_dedup *d)
{
    size_t n = d->n, P = (size_t)d->o.perms, B = (size_t)d->o.bands, R = P / B;
    free(d->sig);
    free(d->cluster);
    free(d->pairs);
    d->sig = NULL;
    d->cluster = NULL;
    d->pairs = NULL;
    d->npairs = 0;
    d->candidates = d->exact = 0;
    uint64_t **sh = llm_calloc(n ? n : 1, sizeof *sh);
    size_t *shn = llm_calloc(n ? n : 1, sizeof *shn);
    d->sig = llm_malloc((n ? n : 1) * P * sizeof *d->sig);
    d->cluster = llm_malloc((n ? n : 1) * sizeof *d->cluster);
    keyed *keys = llm_malloc((n ? n : 1) * sizeof *keys);
    pair_list cand = {NULL, 0, 0};
    uint8_t *ok = NULL;
    float *jac = NULL;
    llm_status st = LLM_OK;
    if (!sh || !shn || !d->sig || !d->cluster || !keys) { st = LLM_ERR_NOMEM; goto done; }

    /* shingles and signatures */
    volatile int failed = 0;
    llm_status fail_status = LLM_OK;
#pragma omp parallel for schedule(dynamic, 64)
    for (size_t i = 0; i < n; i++) {
        if (failed) continue;
        if (llm_interrupted()) { failed = 1; continue; }
        llm_status s = text_shingles(d->arena.data + d->off[i], d->len[i], d->o.kind, d->o.shingle, &sh[i], &shn[i]);
        if (s) {
#pragma omp critical
            { failed = 1; fail_status = s; }
            continue;
        }
        uint32_t *g = d->sig + i * P;
        for (size_t p = 0; p < P; p++) g[p] = UINT32_MAX;
        for (size_t k = 0; k < shn[i]; k++) {
            uint64_t x = sh[i][k];
            for (size_t p = 0; p < P; p++) {
                uint32_t h = (uint32_t)((d->a[p] * x + d->b[p]) >> 32);
                if (h < g[p]) g[p] = h;
            }
        }
    }
    if (failed) {
        st = fail_status ? llm_fail(fail_status, "dedup: shingling failed (%s)", llm_status_name(fail_status))
                         : llm_fail(LLM_ERR_INTERRUPTED, "dedup: interrupted");
        goto done;
    }
    llm_progress("dedup: signatures", (double)n, (double)n);

    /* exact duplicates by hash of the bytes */
    for (size_t i = 0; i < n; i++) {
        keys[i].key = text_hash64(d->arena.data + d->off[i], d->len[i]);
        keys[i].doc = (uint32_t)i;
    }
    if ((st = pair_equal_keys(&cand, keys, n))) goto done;

    /* LSH bands */
    for (size_t band = 0; band < B; band++) {
        for (size_t i = 0; i < n; i++) {
            keys[i].key = text_hash64((const char *)(d->sig + i * P + band * R), R * sizeof(uint32_t)) ^ (band * 0x9E3779B97F4A7C15ULL);
            keys[i].doc = (uint32_t)i;
        }
        if ((st = pair_equal_keys(&cand, keys, n))) goto done;
        llm_progress("dedup: bands", (double)(band + 1), (double)B);
        if (llm_interrupted()) { st = llm_fail(LLM_ERR_INTERRUPTED, "dedup: interrupted"); goto done; }
    }
    qsort(cand.v, cand.n, sizeof *cand.v, cmp_u64);
    size_t w = 0;
    for (size_t i = 0; i < cand.n; i++)
        if (w == 0 || cand.v[i] != cand.v[w - 1]) cand.v[w++] = cand.v[i];
    cand.n = w;
    d->candidates = w;

    /* verify */
    ok = llm_calloc(w ? w : 1, 1);
    jac = llm_malloc((w ? w : 1) * sizeof *jac);
    if (!ok || !jac) { st = LLM_ERR_NOMEM; goto done; }
#pragma omp parallel for schedule(dynamic, 256)
    for (size_t i = 0; i < w; i++) {
        uint32_t x = (uint32_t)(cand.v[i] >> 32), y = (uint32_t)cand.v[i];
        double jj;
        if (d->len[x] == d->len[y] && memcmp(d->arena.data + d->off[x], d->arena.data + d->off[y], d->len[x]) == 0)
            jj = 1.0;
        else
            jj = text_jaccard(sh[x], shn[x], sh[y], shn[y]);
        jac[i] = (float)jj;
        ok[i] = jj >= d->o.threshold;
    }
    size_t kept = 0;
    for (size_t i = 0; i < w; i++) kept += ok[i];
    d->pairs = llm_malloc((kept ? kept : 1) * sizeof *d->pairs);
    if (!d->pairs) { st = LLM_ERR_NOMEM; goto done; }
    for (size_t i = 0; i < n; i++) d->cluster[i] = (uint32_t)i;
    for (size_t i = 0; i < w; i++) {
        if (!ok[i]) continue;
        uint32_t x = (uint32_t)(cand.v[i] >> 32), y = (uint32_t)cand.v[i];
        d->pairs[d->npairs].a = x;
        d->pairs[d->npairs].b = y;
        d->pairs[d->npairs].jaccard = jac[i];
        d->npairs++;
        if (d->len[x] == d->len[y] && jac[i] == 1.0f &&
            memcmp(d->arena.data + d->off[x], d->arena.data + d->off[y], d->len[x]) == 0)
            d->exact++;
        uf_union(d->cluster, x, y);
    }
    for (size_t i = 0; i < n; i++) d->cluster[i] = uf_find(d->cluster, (uint32_t)i);

done:
    if (sh) for (size_t i = 0; i < n; i++) free(sh[i]);
    free(sh);
    free(shn);
    free(keys);
    free(cand.v);
    free(ok);
    free(jac);
    if (st) {
        free(d->cluster);
        d->cluster = NULL;
        d->npairs = 0;
    }
    return st;
}

size_t text_dedup_count(const text_dedup *d) { return d->n; }
const uint32_t *text_dedup_clusters(const text_dedup *d) { return d->cluster; }

const text_dup_pair *text_dedup_pairs(const text_dedup *d, size_t *count)
{
    *count = d->npairs;
    return d->pairs;
}

void text_dedup_counters(const text_dedup *d, uint64_t *candidates, uint64_t *exact)
{
    if (candidates) *candidates = d->candidates;
    if (exact) *exact = d->exact;
}

const uint32_t *text_dedup_signature(const text_dedup *d, size_t i)
{
    if (!d->sig || !d->cluster || i >= d->n) return NULL;
    return d->sig + i * (size_t)d->o.perms;
}
