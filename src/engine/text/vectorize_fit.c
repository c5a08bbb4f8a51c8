/*
 * vectorize_fit.c: fitting a CountVectorizer / TfidfVectorizer
 * (vectorize_impl.h) and the tf-idf weighting.
 *
 * The documents are cut into parts of about equal bytes, one per thread.
 * Each part interns its terms in tables of its own and keeps, per
 * document, its distinct terms and their counts. Word n-grams are interned
 * as nodes: a word is a node (found by its string), an n-gram is the node
 * (n-1-gram node, word node), found by that pair of integers, so the string
 * of an n-gram is built once per distinct n-gram, when the vocabulary is
 * sorted, and never per occurrence. (Tokens holding a space could make two
 * different pairs spell the same string; a pattern that yields such tokens
 * falls back to interning the strings themselves, as the char analyzers do.)
 * The parts are then merged into the first one's tables in part order, the
 * vocabulary is pruned by document frequency (and max_features), sorted by
 * bytes (term_sort.c) and numbered, and each part renumbers and sorts its
 * rows. The result does not depend on the number of parts: terms are
 * numbered by their sorted strings, and every row is computed alone.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "vectorize_impl.h"

#define NO_LEFT UINT32_MAX
#define PART_SPACE 1000 /* internal status: a token holds a space */

/* A word (left = NO_LEFT, right = its entry in words) or an n-gram
 * (left = the n-1-gram's node, right = the last word's node). */
typedef struct fit_node { uint32_t left, right; } fit_node;

/* Where a term was last seen: local document + 1, and its place in ids. */
typedef struct term_seen { uint32_t doc, slot; } term_seen;

typedef struct fit_part {
    size_t d0, d1;       /* documents [d0, d1) */
    size_t bytes;        /* the length of its documents */
    size_t table_bytes;  /* the text its tables will hold (all of it for part 0) */
    int generic;         /* terms interned by string in `terms` */
    vec_scratch sc;
    tok_map words;       /* word -> node (val) */
    tok_pairmap pairs;   /* (left, right) -> node */
    fit_node *nodes;
    size_t nn, ncap;
    tok_map terms;       /* generic: term -> id (entry index) */
    uint32_t *ids;       /* distinct terms of each document... */
    uint32_t *cnt;       /* ...and their counts */
    size_t nids, idcap;
    size_t *end;         /* (d1 - d0) end of each document in ids */
    term_seen *seen;     /* per term */
    size_t scap;
    uint32_t doc;        /* local document + 1 */
    llm_status st;
    char msg[256];
} fit_part;

static void part_free(fit_part *p)
{
    vec_scratch_free(&p->sc);
    tok_map_free(&p->words);
    tok_map_free(&p->terms);
    tok_pairmap_free(&p->pairs);
    free(p->nodes);
    free(p->ids);
    free(p->cnt);
    free(p->end);
    free(p->seen);
}

static llm_status part_reserve(fit_part *p, size_t need);

/* Room for terms [0, n) in seen. */
static llm_status stamp_reserve(fit_part *p, size_t n)
{
    if (n <= p->scap) return LLM_OK;
    size_t old = p->scap, nc = old ? old : 4096;
    while (nc < n) nc *= 2;
    term_seen *a = llm_realloc(p->seen, nc * sizeof *a);
    if (!a) return LLM_ERR_NOMEM;
    p->seen = a;
    memset(a + old, 0, (nc - old) * sizeof *a);
    p->scap = nc;
    return LLM_OK;
}

/* One more occurrence of term id in the current document (room reserved). */
static inline void part_add(fit_part *p, uint32_t id)
{
    term_seen *t = &p->seen[id];
    if (t->doc == p->doc) {
        p->cnt[t->slot]++;
        return;
    }
    t->doc = p->doc;
    t->slot = (uint32_t)p->nids;
    p->ids[p->nids] = id;
    p->cnt[p->nids++] = 1;
}

/* The node helpers below return the new or found node id (>= 0), or
 * -(llm_status) on failure, so that callers report the right code. */
static int64_t new_node(fit_part *p, uint32_t left, uint32_t right)
{
    if (p->nn >= (size_t)INT32_MAX) return -(int64_t)llm_fail(LLM_ERR_ARG, "vectorizer: too many distinct terms");
    llm_status s = vec_ensure((void **)&p->nodes, &p->ncap, p->nn + 1, sizeof *p->nodes);
    if (!s) s = stamp_reserve(p, p->ncap);
    if (s) return -(int64_t)s;
    p->nodes[p->nn] = (fit_node){left, right};
    return (int64_t)p->nn++;
}

/* The node of word s (n bytes, hash h = tok_hash_bytes(s, n)), added when new. */
static inline int64_t word_node(fit_part *p, const char *s, size_t n, uint64_t h)
{
    size_t idx;
    int added;
    llm_status st = tok_map_add_hashed(&p->words, s, n, h, 0, &idx, &added);
    if (st) return -(int64_t)st;
    if (!added) return p->words.ent[idx].val;
    int64_t k = new_node(p, NO_LEFT, (uint32_t)idx);
    p->words.ent[idx].val = k;
    return k;
}

/* The node of (left, right), added when new; h = tok_pair_hash(its key). */
static inline int64_t pair_node_h(fit_part *p, uint32_t left, uint32_t right, size_t h)
{
    int64_t *node;
    int added;
    llm_status s = tok_pairmap_put_hashed(&p->pairs, left, right, h, 0, &node, &added);
    if (s) return -(int64_t)s;
    /* node ids fit in 32 bits (new_node stops at INT32_MAX): saying so lets
     * the compiler drop the caller's error test on a found pair */
    if (!added) return (uint32_t)*node;
    int64_t n = new_node(p, left, right);
    if (n >= 0) *node = n;
    return n;
}

static inline int64_t pair_node(fit_part *p, uint32_t left, uint32_t right)
{
    return pair_node_h(p, left, right, tok_pair_hash(tok_pair_key(left, right)));
}

/* Generic path: the analyzer's terms of one document, by string. */
typedef struct generic_ctx { fit_part *p; llm_status err; } generic_ctx;

static void collect_generic(void *ud, const char *term, size_t len)
{
    generic_ctx *g = ud;
    fit_part *p = g->p;
    if (g->err) return;
    size_t idx;
    if (len > UINT32_MAX || p->terms.n >= (size_t)INT32_MAX) {
        g->err = llm_fail(LLM_ERR_ARG, "vectorizer: too many or too long terms");
        return;
    }
    if (tok_map_add(&p->terms, term, len, 0, &idx, NULL) || stamp_reserve(p, idx + 1) ||
        part_reserve(p, p->nids + 1)) {
        g->err = LLM_ERR_NOMEM;
        return;
    }
    part_add(p, (uint32_t)idx);
}

static inline int ascii_word(unsigned char b)
{
    return (unsigned)((b | 0x20) - 'a') < 26 || (unsigned)(b - '0') < 10 || b == '_';
}

/* The default pattern (\b\w\w+\b) on an all-ASCII document: the tokens are
 * the runs of two or more of [A-Za-z0-9_] (what \w is on ASCII, for Python
 * and for PCRE2 with UCP), lowercased when asked, into sc->low and sc->tok,
 * their hashes into sc->row. *ok = 0 when the document holds a byte >= 0x80:
 * the general path (UTF-8, Unicode lowercase, PCRE2) takes it then. */
static llm_status ascii_tokens(const features_vectorizer *v, vec_scratch *sc, const char *doc, size_t len,
                               size_t *out_ntok, int *ok)
{
    *ok = 0;
    size_t cap = len / 2 + 2;
    if (vec_ensure((void **)&sc->low, &sc->low_cap, len + 8, 1) ||
        vec_ensure((void **)&sc->tok, &sc->tok_cap, 2 * cap, sizeof *sc->tok) ||
        vec_ensure((void **)&sc->row, &sc->row_cap, cap, sizeof *sc->row))
        return LLM_ERR_NOMEM;
    const unsigned char *s = (const unsigned char *)doc;
    unsigned char *low = (unsigned char *)sc->low;
    unsigned char up = v->o.lowercase ? 26 : 0; /* letters to lowercase: A..Z or none */
    size_t n = 0, i = 0;
    while (i < len) {
        unsigned char b = s[i];
        if (b >= 0x80) return LLM_OK;
        if (!ascii_word(b)) {
            i++;
            continue;
        }
        size_t start = i;
        uint64_t h = TOK_FNV_OFFSET;
        do {
            unsigned char c = (unsigned char)(b - 'A') < up ? b + 32 : b;
            low[i] = c;
            h = (h ^ c) * TOK_FNV_PRIME;
            b = ++i < len ? s[i] : 0;
        } while (ascii_word(b));
        size_t tl = i - start;
        if (tl < 2 || (v->stop.n && tok_map_find(&v->stop, (const char *)low + start, tl) >= 0)) continue;
        sc->tok[2 * n] = start;
        sc->tok[2 * n + 1] = tl;
        sc->row[n++] = h ^ h >> 31;
    }
    *out_ntok = n;
    *ok = 1;
    return LLM_OK;
}

/* Count the terms of one document (n-grams as nodes). */
static llm_status doc_terms(const features_vectorizer *v, fit_part *p, const char *doc, size_t len, size_t docno)
{
    vec_scratch *sc = &p->sc;
    size_t ntok;
    int lo = v->o.ngram_min, hi = v->o.ngram_max;
    int ascii = 0;
    if (!v->custom_pattern) {
        llm_status s = ascii_tokens(v, sc, doc, len, &ntok, &ascii);
        if (s) return s;
    }
    if (!ascii) {
        size_t tl;
        llm_status s = vec_preprocess(v, sc, doc, len, docno, &tl);
        if (!s) s = vec_tokenize(v, sc, sc->low, tl, &ntok);
        if (s) return s;
        if (hi >= 2 && v->custom_pattern)
            for (size_t i = 0; i < ntok; i++)
                if (memchr(sc->low + sc->tok[2 * i], ' ', sc->tok[2 * i + 1])) return PART_SPACE;
        if (vec_ensure((void **)&sc->row, &sc->row_cap, ntok + 1, sizeof *sc->row)) return LLM_ERR_NOMEM;
        for (size_t i = 0; i < ntok; i++) sc->row[i] = tok_hash_bytes(sc->low + sc->tok[2 * i], sc->tok[2 * i + 1]);
    }
    size_t total = 0;
    for (int g = lo; g <= hi && (size_t)g <= ntok; g++) total += ntok - (size_t)g + 1;
    /* sc->row has room for ntok + 1 hashes already (ascii_tokens or above) */
    if (vec_ensure((void **)&sc->ids, &sc->ids_cap, 2 * ntok + 1, sizeof *sc->ids) || part_reserve(p, p->nids + total))
        return LLM_ERR_NOMEM;
    uint32_t *word = sc->ids, *cur = sc->ids + ntok;
    for (size_t i = 0; i < ntok; i++) {
        int64_t k = word_node(p, sc->low + sc->tok[2 * i], sc->tok[2 * i + 1], sc->row[i]);
        if (k < 0) return (llm_status)-k;
        word[i] = (uint32_t)k;
    }
    for (int g = 1; g <= hi && (size_t)g <= ntok; g++) {
        size_t m = ntok - (size_t)g + 1;
        if (g == 1) memcpy(cur, word, ntok * sizeof *cur);
        else {
            /* the table is larger than the caches: fetch the document's
             * slots together, then look them up */
            uint64_t *h = sc->row;
            for (size_t i = 0; i < m; i++) {
                h[i] = tok_pair_hash(tok_pair_key(cur[i], word[i + (size_t)g - 1]));
                tok_pairmap_prefetch(&p->pairs, h[i]);
            }
            for (size_t i = 0; i < m; i++) {
                int64_t k = pair_node_h(p, cur[i], word[i + (size_t)g - 1], h[i]);
                if (k < 0) return (llm_status)-k;
                cur[i] = (uint32_t)k;
            }
        }
        if (g >= lo) {
            for (size_t i = 0; i < m; i++) __builtin_prefetch(&p->seen[cur[i]]);
            for (size_t i = 0; i < m; i++) part_add(p, cur[i]);
        }
    }
    return LLM_OK;
}

static llm_status part_reserve(fit_part *p, size_t need)
{
    if (need <= p->idcap) return LLM_OK;
    size_t nc = p->idcap ? p->idcap : 4096;
    while (nc < need) nc *= 2;
    uint32_t *a = llm_realloc(p->ids, nc * sizeof *a);
    if (!a) return LLM_ERR_NOMEM;
    p->ids = a;
    uint32_t *b = llm_realloc(p->cnt, nc * sizeof *b);
    if (!b) return LLM_ERR_NOMEM;
    p->cnt = b;
    p->idcap = nc;
    return LLM_OK;
}

/* Analyse the part's documents: distinct terms and counts per document
 * (lens[d]: the length of docs[d], given or measured by vec_fit_counts). */
static void part_scan(const features_vectorizer *v, fit_part *p, const char *const *docs, const size_t *lens,
                      size_t ndocs, int report)
{
    llm_status s = LLM_OK;
    llm_clear_error(); /* this thread's message, read back after a failure */
    p->end = llm_malloc((p->d1 - p->d0 + 1) * sizeof *p->end);
    if (!p->end) s = LLM_ERR_NOMEM;
    /* n-gram table sized from the text (about one distinct pair per 30
     * bytes in English prose; load <= 1/2), so that it rarely grows; the
     * first part's receives the others' in the merge */
    size_t cap = 4096;
    while (cap < p->table_bytes / 8 && cap < ((size_t)1 << 26)) cap *= 2;
    if (!s && !p->generic && v->o.ngram_max >= 2 && tok_pairmap_reserve(&p->pairs, cap)) s = LLM_ERR_NOMEM;
    /* distinct terms per document: about one per 3 bytes of English with
     * unigrams + bigrams (a guess; the arrays grow when it is short) */
    if (!s && part_reserve(p, p->bytes / 3 + 1)) s = LLM_ERR_NOMEM;
    for (size_t d = p->d0; d < p->d1 && !s; d++) {
        if (!docs[d]) {
            s = llm_fail(LLM_ERR_ARG, "vectorizer: document %zu is missing", d + 1);
            break;
        }
        size_t len = lens[d];
        p->doc = (uint32_t)(d - p->d0 + 1);
        if (p->generic) {
            generic_ctx g = {.p = p};
            s = vec_analyze(v, &p->sc, docs[d], len, d, collect_generic, &g);
            if (!s) s = g.err;
        } else {
            s = doc_terms(v, p, docs[d], len, d);
        }
        if (s) break;
        p->end[d - p->d0] = p->nids;
        if (((d - p->d0) & 255) == 255) {
            if (llm_interrupted()) s = llm_fail(LLM_ERR_INTERRUPTED, "vectorizer: interrupted");
            else if (report && ((d - p->d0) & 1023) == 1023) /* the calling thread only */
                llm_progress("vectorize", (double)(d + 1 - p->d0) / (double)(p->d1 - p->d0) * (double)ndocs,
                             (double)ndocs);
        }
    }
    p->st = s;
    if (s && s != PART_SPACE) snprintf(p->msg, sizeof p->msg, "%s", llm_last_error());
}

/* Merge part p's nodes into part 0's tables; map[k] = global node of local k.
 * Nodes go by blocks: the slots of the pairs whose two halves are mapped
 * already are fetched together first (part 0's table is larger than the
 * caches), then every node of the block is looked up in order. */
static llm_status merge_part(fit_part *g, const fit_part *p, uint32_t *map)
{
    enum { BLOCK = 32 };
    uint64_t h[BLOCK];
    for (size_t k0 = 0; k0 < p->nn; k0 += BLOCK) {
        size_t k1 = k0 + BLOCK < p->nn ? k0 + BLOCK : p->nn;
        for (size_t k = k0; k < k1; k++) {
            fit_node nd = p->nodes[k];
            if (nd.left == NO_LEFT || nd.left >= k0 || nd.right >= k0) continue;
            h[k - k0] = tok_pair_hash(tok_pair_key(map[nd.left], map[nd.right]));
            tok_pairmap_prefetch(&g->pairs, h[k - k0]);
        }
        for (size_t k = k0; k < k1; k++) {
            fit_node nd = p->nodes[k];
            int64_t x;
            if (nd.left == NO_LEFT) {
                size_t len;
                const char *s = tok_map_key(&p->words, nd.right, &len);
                x = word_node(g, s, len, p->words.ent[nd.right].hash);
            } else {
                uint32_t l = map[nd.left], r = map[nd.right];
                size_t hk = nd.left >= k0 || nd.right >= k0 ? tok_pair_hash(tok_pair_key(l, r)) : h[k - k0];
                x = pair_node_h(g, l, r, hk);
            }
            if (x < 0) return (llm_status)-x;
            map[k] = (uint32_t)x;
        }
    }
    return LLM_OK;
}

/* The strings of all nodes: arena + off[k], len[k] bytes. */
static llm_status node_strings(const fit_part *g, char **arena, size_t *off, uint32_t *len)
{
    size_t total = 0;
    for (size_t k = 0; k < g->nn; k++) {
        fit_node nd = g->nodes[k];
        size_t l = nd.left == NO_LEFT ? g->words.ent[nd.right].len : (size_t)len[nd.left] + 1 + len[nd.right];
        if (l > UINT32_MAX) return llm_fail(LLM_ERR_ARG, "vectorizer: a term is too long");
        len[k] = (uint32_t)l;
        off[k] = total;
        total += l + 1;
    }
    char *a = llm_malloc(total ? total : 1);
    if (!a) return LLM_ERR_NOMEM;
    for (size_t k = 0; k < g->nn; k++) {
        fit_node nd = g->nodes[k];
        char *d = a + off[k];
        if (nd.left == NO_LEFT) {
            size_t l;
            memcpy(d, tok_map_key(&g->words, nd.right, &l), len[k]);
        } else {
            memcpy(d, a + off[nd.left], len[nd.left]);
            d[len[nd.left]] = ' ';
            memcpy(d + len[nd.left] + 1, a + off[nd.right], len[nd.right]);
        }
        d[len[k]] = '\0';
    }
    *arena = a;
    return LLM_OK;
}

typedef struct tf_rank { double tf; uint32_t rank; uint32_t id; } tf_rank;
static int cmp_tf(const void *a, const void *b)
{
    const tf_rank *x = a, *y = b;
    if (x->tf != y->tf) return x->tf > y->tf ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

/* The terms whose document frequency is within [min_df, max_df]. */
static llm_status filter_df(const features_vectorizer *v, size_t nt, size_t ndocs, const int64_t *df,
                            uint32_t *keep, size_t *nkeep)
{
    double n = (double)ndocs;
    double hi = v->o.max_df_is_count ? v->o.max_df : v->o.max_df * n;
    double lo = v->o.min_df_is_count ? v->o.min_df : v->o.min_df * n;
    if (hi < lo) return llm_fail(LLM_ERR_ARG, "vectorizer: max_df corresponds to < documents than min_df");
    size_t k = 0;
    for (size_t i = 0; i < nt; i++)
        if (df[i] > 0 && (double)df[i] <= hi && (double)df[i] >= lo) keep[k++] = (uint32_t)i;
    *nkeep = k;
    return LLM_OK;
}

/* Of the sorted kept terms, the max_features most frequent (still sorted). */
static llm_status cut_max_features(const features_vectorizer *v, const double *tf, uint32_t *keep, size_t *nkeep)
{
    size_t nk = *nkeep;
    if (v->o.max_features > 0 && nk > (size_t)v->o.max_features) {
        tf_rank *tr = llm_malloc(nk * sizeof *tr);
        if (!tr) return LLM_ERR_NOMEM;
        for (size_t r = 0; r < nk; r++) tr[r] = (tf_rank){tf[keep[r]], (uint32_t)r, keep[r]};
        qsort(tr, nk, sizeof *tr, cmp_tf);
        size_t lim = (size_t)v->o.max_features, w = 0;
        for (size_t r = 0; r < nk; r++) keep[r] = UINT32_MAX;
        for (size_t r = 0; r < lim; r++) keep[tr[r].rank] = tr[r].id;
        for (size_t r = 0; r < nk; r++)
            if (keep[r] != UINT32_MAX) keep[w++] = keep[r];
        nk = lim;
        free(tr);
    }
    if (nk == 0)
        return llm_fail(LLM_ERR_ARG, "vectorizer: after pruning, no terms remain; try a lower min_df or a higher max_df");
    *nkeep = nk;
    return LLM_OK;
}

/* Words and bigrams whose words have no byte <= ' ' sort as the pairs of
 * their words' ranks: "w1 w2" against "v1 v2" is decided by w1 against v1
 * (a space, or the end, comes before any byte of a longer word), then by
 * w2 against v2; a word alone comes before its bigrams. So the words are
 * sorted by bytes and the terms by an integer key (rank w1 + 1, rank w2 + 1
 * or 0), with no string built or compared. 0 when that does not hold (the
 * caller sorts the strings). */
static int sort_by_word_rank(const fit_part *g, int hi, uint32_t *keep, size_t nkeep, llm_status *st)
{
    *st = LLM_OK;
    if (hi > 2) return 0;
    size_t nw = g->words.n;
    for (size_t w = 0; w < nw; w++) {
        size_t l;
        const unsigned char *s = (const unsigned char *)tok_map_key(&g->words, w, &l);
        if (l >= UINT32_MAX / 2) return 0; /* bigram lengths must fit in 32 bits */
        for (size_t j = 0; j < l; j++)
            if (s[j] <= ' ') return 0;
    }
    uint32_t *order = llm_malloc((nw + 1) * sizeof *order), *rank = llm_malloc((nw + 1) * sizeof *rank);
    size_t *off = llm_malloc((nw + 1) * sizeof *off);
    uint32_t *len = llm_malloc((nw + 1) * sizeof *len);
    uint64_t *key = llm_malloc((nkeep + 1) * sizeof *key);
    if (!order || !rank || !off || !len || !key) *st = LLM_ERR_NOMEM;
    if (!*st) {
        for (size_t w = 0; w < nw; w++) {
            order[w] = (uint32_t)w;
            off[w] = g->words.ent[w].off;
            len[w] = (uint32_t)g->words.ent[w].len;
        }
        *st = text_sort_terms(order, nw, g->words.arena, off, len);
    }
    if (!*st) {
        for (size_t r = 0; r < nw; r++) rank[order[r]] = (uint32_t)r;
        for (size_t i = 0; i < nkeep; i++) {
            fit_node nd = g->nodes[keep[i]];
            if (nd.left == NO_LEFT) key[i] = (uint64_t)(rank[nd.right] + 1) << 32;
            else key[i] = (uint64_t)(rank[g->nodes[nd.left].right] + 1) << 32 | (rank[g->nodes[nd.right].right] + 1);
        }
        *st = text_sort_keyed(keep, key, nkeep);
    }
    free(order);
    free(rank);
    free(off);
    free(len);
    free(key);
    return 1;
}

/* Length of node k's string (words and bigrams), and the string itself. */
static size_t node_len(const fit_part *g, uint32_t k)
{
    fit_node nd = g->nodes[k];
    if (nd.left == NO_LEFT) return g->words.ent[nd.right].len;
    return g->words.ent[g->nodes[nd.left].right].len + 1 + g->words.ent[g->nodes[nd.right].right].len;
}

static void node_copy(const fit_part *g, uint32_t k, char *d)
{
    fit_node nd = g->nodes[k];
    size_t la, lb;
    if (nd.left == NO_LEFT) {
        const char *w = tok_map_key(&g->words, nd.right, &la);
        memcpy(d, w, la);
        return;
    }
    const char *a = tok_map_key(&g->words, g->nodes[nd.left].right, &la);
    const char *b = tok_map_key(&g->words, g->nodes[nd.right].right, &lb);
    memcpy(d, a, la);
    d[la] = ' ';
    memcpy(d + la + 1, b, lb);
}

/* Renumber the part's rows into columns (dropping pruned terms) and sort
 * them, in place; kept[d] gets row d's length. */
static llm_status part_sorted(fit_part *p, const int32_t *col_of, int64_t *kept)
{
    size_t a = 0, w = 0;
    for (size_t d = p->d0; d < p->d1; d++) {
        size_t b = p->end[d - p->d0], n = 0;
        if (vec_ensure((void **)&p->sc.row, &p->sc.row_cap, b - a + 1, sizeof *p->sc.row)) return LLM_ERR_NOMEM;
        uint64_t *row = p->sc.row;
        for (size_t j = a; j < b; j++) {
            int32_t c = col_of[p->ids[j]];
            if (c >= 0) row[n++] = (uint64_t)c << 32 | p->cnt[j];
        }
        text_sort_u64(row, n);
        for (size_t j = 0; j < n; j++) {
            p->ids[w] = (uint32_t)(row[j] >> 32);
            p->cnt[w++] = (uint32_t)row[j];
        }
        kept[d] = (int64_t)n;
        a = b;
    }
    return LLM_OK;
}

static void part_copy(fit_part *p, llm_csr *m)
{
    int64_t base = m->indptr[p->d0], n = m->indptr[p->d1] - base;
    for (int64_t j = 0; j < n; j++) {
        m->indices[base + j] = (int32_t)p->ids[j];
        m->values[base + j] = (float)p->cnt[j];
    }
}

static llm_status fit_parts(features_vectorizer *v, fit_part *parts, int np, const char *const *docs,
                            const size_t *lens, size_t ndocs, llm_csr **out)
{
    llm_status s = LLM_OK;
    for (int i = 0; i < np && !s; i++) s = vec_scratch_init(v, &parts[i].sc);
    if (s) return s;
#pragma omp parallel for num_threads(np) schedule(static, 1) if (np > 1)
    for (int i = 0; i < np; i++) part_scan(v, &parts[i], docs, lens, ndocs, i == 0);
    for (int i = 0; i < np; i++)
        if (parts[i].st) {
            if (parts[i].st == PART_SPACE) return PART_SPACE;
            return llm_fail(parts[i].st, "%s", parts[i].msg);
        }
    fit_part *g = &parts[0];
    /* merge, renumbering the later parts' rows */
    for (int i = 1; i < np; i++) {
        fit_part *p = &parts[i];
        uint32_t *map = llm_malloc((p->nn ? p->nn : 1) * sizeof *map);
        if (!map) return LLM_ERR_NOMEM;
        s = merge_part(g, p, map);
        if (!s)
            for (size_t j = 0; j < p->nids; j++) p->ids[j] = map[p->ids[j]];
        free(map);
        if (s) return s;
    }
    size_t nt = g->generic ? g->terms.n : g->nn;
    int64_t *df = llm_calloc(nt + 1, sizeof *df);
    double *tf = v->o.max_features > 0 ? llm_calloc(nt + 1, sizeof *tf) : NULL;
    size_t *off = llm_malloc((nt + 1) * sizeof *off);
    uint32_t *len = llm_malloc((nt + 1) * sizeof *len);
    uint32_t *keep = llm_malloc((nt + 1) * sizeof *keep);
    int32_t *col_of = llm_malloc((nt + 1) * sizeof *col_of);
    char *arena = NULL;
    int64_t *indptr = llm_calloc(ndocs + 1, sizeof *indptr);
    llm_csr *m = NULL;
    size_t nkeep = 0, nterms = 0;
    if (!df || (v->o.max_features > 0 && !tf) || !off || !len || !keep || !col_of || !indptr) {
        s = LLM_ERR_NOMEM;
        goto done;
    }
    for (int i = 0; i < np; i++)
        for (size_t j = 0; j < parts[i].nids; j++) {
            df[parts[i].ids[j]]++;
            if (tf) tf[parts[i].ids[j]] += v->o.binary ? 1.0 : (double)parts[i].cnt[j];
        }
    for (size_t k = 0; k < nt; k++) nterms += df[k] > 0;
    if (nterms == 0) {
        s = llm_fail(LLM_ERR_ARG, "vectorizer: empty vocabulary; perhaps the documents only contain stop words");
        goto done;
    }
    if ((s = filter_df(v, nt, ndocs, df, keep, &nkeep))) goto done;
    int by_rank = 0;
    if (g->generic) {
        for (size_t k = 0; k < nt; k++) {
            off[k] = g->terms.ent[k].off;
            len[k] = (uint32_t)g->terms.ent[k].len;
        }
    } else {
        by_rank = sort_by_word_rank(g, v->o.ngram_max, keep, nkeep, &s);
        if (s) goto done;
        if (!by_rank && (s = node_strings(g, &arena, off, len))) goto done;
    }
    const char *strs = g->generic ? g->terms.arena : arena;
    if (!by_rank && (s = text_sort_terms(keep, nkeep, strs, off, len))) goto done;
    if ((s = cut_max_features(v, tf, keep, &nkeep))) goto done;
    /* the vocabulary in column order */
    size_t total = 0;
    for (size_t c = 0; c < nkeep; c++) {
        if (by_rank) len[keep[c]] = (uint32_t)node_len(g, keep[c]);
        total += (size_t)len[keep[c]] + 1;
    }
    char *vstr = llm_malloc(total);
    size_t *voff = llm_malloc((nkeep + 1) * sizeof *voff);
    if (!vstr || !voff) {
        free(vstr);
        free(voff);
        s = LLM_ERR_NOMEM;
        goto done;
    }
    voff[0] = 0;
    for (size_t k = 0; k < nt; k++) col_of[k] = -1;
    for (size_t c = 0; c < nkeep; c++) {
        uint32_t k = keep[c];
        size_t l = len[k];
        if (by_rank) node_copy(g, k, vstr + voff[c]);
        else memcpy(vstr + voff[c], strs + off[k], l);
        vstr[voff[c] + l] = '\0';
        voff[c + 1] = voff[c] + l + 1;
        col_of[k] = (int32_t)c;
    }
    vec_set_terms(v, vstr, voff, nkeep);
    /* rows: renumber and sort in parallel, then copy into one matrix */
#pragma omp parallel for num_threads(np) schedule(static, 1) if (np > 1)
    for (int i = 0; i < np; i++) parts[i].st = part_sorted(&parts[i], col_of, indptr + 1);
    for (int i = 0; i < np && !s; i++) s = parts[i].st;
    if (s) goto done;
    for (size_t d = 0; d < ndocs; d++) indptr[d + 1] += indptr[d];
    if ((s = csr_new(&m, (int64_t)ndocs, (int64_t)nkeep, indptr[ndocs]))) goto done;
    memcpy(m->indptr, indptr, (ndocs + 1) * sizeof *indptr);
#pragma omp parallel for num_threads(np) schedule(static, 1) if (np > 1)
    for (int i = 0; i < np; i++) part_copy(&parts[i], m);
    *out = m;
done:
    free(df);
    free(tf);
    free(off);
    free(len);
    free(keep);
    free(col_of);
    free(arena);
    free(indptr);
    return s;
}

static size_t doc_bytes(const char *const *docs, const size_t *lens, size_t d)
{
    return docs[d] ? lens[d] + 1 : 1;
}

llm_status vec_fit_counts(features_vectorizer *v, const char *const *docs, const size_t *lens, size_t ndocs,
                          int threads, llm_csr **out)
{
    *out = NULL;
    if (ndocs == 0) return llm_fail(LLM_ERR_ARG, "vectorizer: empty vocabulary; there are no documents");
    if (ndocs >= UINT32_MAX) return llm_fail(LLM_ERR_ARG, "vectorizer: %zu documents are too many", ndocs);
    /* without lengths, measure each document once (a missing one stays
     * NULL in docs, which part_scan reports) */
    size_t *measured = NULL;
    if (!lens) {
        measured = llm_malloc(ndocs * sizeof *measured);
        if (!measured) return LLM_ERR_NOMEM;
        for (size_t d = 0; d < ndocs; d++) measured[d] = docs[d] ? strlen(docs[d]) : 0;
        lens = measured;
    }
    /* parts of about equal bytes, one document at least each */
    size_t total = 0;
    for (size_t d = 0; d < ndocs; d++) total += doc_bytes(docs, lens, d);
    int generic = v->o.analyzer != FEATURES_ANALYZER_WORD;
    for (;;) {
        int np = generic ? 1 : threads < 1 ? 1 : threads > 64 ? 64 : threads;
        if ((size_t)np > ndocs) np = (int)ndocs;
        fit_part *parts = llm_calloc((size_t)np, sizeof *parts);
        if (!parts) {
            free(measured);
            return LLM_ERR_NOMEM;
        }
        size_t d = 0, acc = 0;
        for (int i = 0; i < np; i++) {
            size_t start = acc, goal = total / (size_t)np * (size_t)(i + 1), last = ndocs - (size_t)(np - 1 - i);
            parts[i].generic = generic;
            parts[i].d0 = d;
            do {
                acc += doc_bytes(docs, lens, d);
                d++;
            } while (d < last && (i == np - 1 || acc < goal));
            parts[i].d1 = d;
            parts[i].bytes = acc - start;
            parts[i].table_bytes = i ? acc - start : total;
        }
        llm_status s = fit_parts(v, parts, np, docs, lens, ndocs, out);
        for (int i = 0; i < np; i++) part_free(&parts[i]);
        free(parts);
        if (s != PART_SPACE) {
            free(measured);
            return s;
        }
        generic = 1; /* tokens with spaces: intern the n-grams by string */
    }
}

void vec_weigh_rows(const features_vectorizer *v, llm_csr *m, int64_t r0, int64_t r1)
{
    for (int64_t r = r0; r < r1; r++) {
        int64_t a = m->indptr[r], b = m->indptr[r + 1];
        if (!v->o.tfidf) {
            if (v->o.binary)
                for (int64_t p = a; p < b; p++) m->values[p] = 1.0f;
            continue;
        }
        double norm = 0;
        for (int64_t p = a; p < b; p++) {
            double x = v->o.binary ? 1.0 : m->values[p];
            if (v->o.sublinear_tf) x = log(x) + 1.0;
            x *= v->idf[m->indices[p]];
            norm += v->o.norm == FEATURES_NORM_L1 ? fabs(x) : x * x;
        }
        if (v->o.norm == FEATURES_NORM_L2) norm = sqrt(norm);
        if (v->o.norm == FEATURES_NORM_NONE || norm == 0) norm = 1.0;
        for (int64_t p = a; p < b; p++) {
            double x = v->o.binary ? 1.0 : m->values[p];
            if (v->o.sublinear_tf) x = log(x) + 1.0;
            x *= v->idf[m->indices[p]];
            m->values[p] = (float)(x / norm);
        }
    }
}

llm_status vec_finish(features_vectorizer *v, llm_csr *m, size_t ndocs)
{
    size_t nc = v->ncols;
    free(v->idf);
    v->idf = llm_malloc((nc ? nc : 1) * sizeof *v->idf);
    if (!v->idf) return LLM_ERR_NOMEM;
    for (size_t c = 0; c < nc; c++) v->idf[c] = 1.0;
    if (v->o.tfidf && v->o.use_idf) {
        int64_t *df = llm_calloc(nc ? nc : 1, sizeof *df);
        if (!df) return LLM_ERR_NOMEM;
        for (int64_t p = 0; p < m->nnz; p++) df[m->indices[p]]++;
        double sm = v->o.smooth_idf ? 1.0 : 0.0;
        for (size_t c = 0; c < nc; c++) v->idf[c] = log(((double)ndocs + sm) / ((double)df[c] + sm)) + 1.0;
        free(df);
    }
    int nt = llm_get_threads();
    if (nt < 1) nt = 1;
    if ((int64_t)nt > m->nrows) nt = m->nrows > 0 ? (int)m->nrows : 1;
#pragma omp parallel for num_threads(nt) schedule(static, 1) if (nt > 1)
    for (int i = 0; i < nt; i++) vec_weigh_rows(v, m, m->nrows * i / nt, m->nrows * (i + 1) / nt);
    return LLM_OK;
}
