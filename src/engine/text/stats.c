/* stats.c: corpus statistics fed document by document: bytes, characters,
 * lines, words, sentences, a word-frequency table (open addressing over an
 * arena of word bytes), the sentence-length histogram, top-k words, hapax
 * legomena and a least-squares Zipf fit. Words follow words.h; sentence
 * ends are . ! ? followed by space or the end, not after a single capital
 * letter or a common abbreviation; a blank line also ends a sentence. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "text.h"
#include "words.h"

typedef struct word_entry {
    uint64_t hash;
    uint64_t count;
    size_t off; /* into arena */
    uint32_t len;
    uint32_t used;
} word_entry;

struct text_stats {
    text_stats_opts opt;
    word_entry *tab;
    size_t cap, types;
    text_buf arena;
    text_buf fold; /* scratch for case folding non-ASCII words */
    uint64_t bytes, chars, words, sentences, lines;
    uint64_t *hist;
    size_t bins;
};

text_stats *text_stats_new(const text_stats_opts *o)
{
    text_stats *st = llm_calloc(1, sizeof *st);
    if (!st) return NULL;
    if (o) st->opt = *o;
    else st->opt.casefold = 0;
    if (st->opt.max_sentence_len <= 0) st->opt.max_sentence_len = 100;
    if (st->opt.max_sentence_len > 100000) st->opt.max_sentence_len = 100000;
    st->bins = (size_t)st->opt.max_sentence_len + 1;
    st->hist = llm_calloc(st->bins, sizeof *st->hist);
    st->cap = 1024;
    st->tab = llm_calloc(st->cap, sizeof *st->tab);
    text_buf_init(&st->arena);
    text_buf_init(&st->fold);
    if (!st->hist || !st->tab) { text_stats_free(st); return NULL; }
    return st;
}

void text_stats_free(text_stats *st)
{
    if (!st) return;
    free(st->tab);
    free(st->hist);
    text_buf_free(&st->arena);
    text_buf_free(&st->fold);
    free(st);
}

static llm_status grow(text_stats *st)
{
    size_t cap = st->cap * 2;
    word_entry *t = llm_calloc(cap, sizeof *t);
    if (!t) return LLM_ERR_NOMEM;
    for (size_t i = 0; i < st->cap; i++) {
        if (!st->tab[i].used) continue;
        size_t j = st->tab[i].hash & (cap - 1);
        while (t[j].used) j = (j + 1) & (cap - 1);
        t[j] = st->tab[i];
    }
    free(st->tab);
    st->tab = t;
    st->cap = cap;
    return LLM_OK;
}

static llm_status count_word(text_stats *st, const char *w, size_t len)
{
    if (len > UINT32_MAX) len = UINT32_MAX;
    uint64_t h = text_hash64(w, len);
    size_t j = h & (st->cap - 1);
    while (st->tab[j].used) {
        word_entry *e = &st->tab[j];
        if (e->hash == h && e->len == len && memcmp(st->arena.data + e->off, w, len) == 0) {
            e->count++;
            return LLM_OK;
        }
        j = (j + 1) & (st->cap - 1);
    }
    word_entry *e = &st->tab[j];
    e->used = 1;
    e->hash = h;
    e->count = 1;
    e->len = (uint32_t)len;
    e->off = st->arena.len;
    llm_status s = text_buf_append(&st->arena, w, len);
    if (s) { e->used = 0; return s; }
    st->types++;
    if (st->types * 2 > st->cap) return grow(st);
    return LLM_OK;
}

static const char *const abbreviations[] = {"mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "etc", "prof",
                                            "gen", "col", "capt", "lt", "rev", "gov", "sen", "rep", "no",
                                            "fig", "vol", "e.g", "i.e", "inc", "co", "ltd", NULL};

static int is_abbreviation(const char *w, size_t len)
{
    if (len == 1 && w[0] >= 'A' && w[0] <= 'Z') return 1; /* an initial: "J. Smith" */
    if (len > 4) return 0;
    char low[5];
    for (size_t i = 0; i < len; i++) low[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
    for (const char *const *a = abbreviations; *a; a++)
        if (strlen(*a) == len && memcmp(*a, low, len) == 0) return 1;
    return 0;
}

/* Does the gap between two words end a sentence? prev is the word before. */
static int gap_ends_sentence(const char *g, size_t n, const char *prev, size_t plen)
{
    int newlines = 0;
    for (size_t i = 0; i < n; i++) {
        char c = g[i];
        if (c == '\n') { if (++newlines >= 2) return 1; }
        else if (c != ' ' && c != '\t' && c != '\r') newlines = 0;
        if (c == '.' || c == '!' || c == '?') {
            size_t k = i + 1;
            while (k < n && (g[k] == '.' || g[k] == '!' || g[k] == '?' || g[k] == '"' || g[k] == '\'' ||
                             g[k] == ')' || (unsigned char)g[k] >= 0x80))
                k++;
            if (k >= n || g[k] == ' ' || g[k] == '\n' || g[k] == '\t' || g[k] == '\r') {
                if (c == '.' && i == 0 && prev && is_abbreviation(prev, plen)) continue;
                return 1;
            }
        }
    }
    return 0;
}

static void end_sentence(text_stats *st, uint64_t *len)
{
    if (*len == 0) return;
    st->sentences++;
    size_t b = *len < st->bins - 1 ? (size_t)*len : st->bins - 1;
    st->hist[b]++;
    *len = 0;
}

llm_status text_stats_add(text_stats *st, const char *s, size_t n)
{
    if (!st) return llm_fail(LLM_ERR_ARG, "stats: no statistics object");
    st->bytes += n;
    st->chars += text_utf8_length(s, n);
    uint64_t nl = 0;
    for (const char *p = s; (p = memchr(p, '\n', (size_t)(s + n - p))) != NULL; p++) nl++;
    st->lines += nl + (n > 0 && s[n - 1] != '\n');
    size_t pos = 0, a, b, prev_end = 0, prev_start = 0;
    int have_prev = 0;
    uint64_t sent_len = 0;
    llm_status rc = LLM_OK;
    while (words_next(s, n, &pos, &a, &b)) {
        if (have_prev && gap_ends_sentence(s + prev_end, a - prev_end, s + prev_start, prev_end - prev_start))
            end_sentence(st, &sent_len);
        sent_len++;
        st->words++;
        const char *w = s + a;
        size_t len = b - a;
        if (st->opt.casefold) {
            int ascii = 1;
            for (size_t i = 0; i < len; i++) if ((unsigned char)w[i] >= 0x80) { ascii = 0; break; }
            st->fold.len = 0;
            if (ascii && len <= 64) {
                char low[64];
                for (size_t i = 0; i < len; i++) low[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
                rc = count_word(st, low, len);
            } else {
                if (ascii) {
                    if ((rc = text_buf_append(&st->fold, w, len))) return rc;
                    for (size_t i = 0; i < len; i++)
                        if (st->fold.data[i] >= 'A' && st->fold.data[i] <= 'Z') st->fold.data[i] += 32;
                } else if ((rc = text_normalize(w, len, TEXT_NORM_NFC, 1, &st->fold, NULL))) return rc;
                rc = count_word(st, st->fold.data, st->fold.len);
            }
        } else rc = count_word(st, w, len);
        if (rc) return rc;
        have_prev = 1;
        prev_start = a;
        prev_end = b;
        if ((st->words & 0xFFFF) == 0 && llm_interrupted()) return llm_fail(LLM_ERR_INTERRUPTED, "stats: interrupted");
    }
    end_sentence(st, &sent_len);
    return LLM_OK;
}

void text_stats_totals_get(const text_stats *st, text_stats_totals *t)
{
    memset(t, 0, sizeof *t);
    t->bytes = st->bytes;
    t->chars = st->chars;
    t->words = st->words;
    t->sentences = st->sentences;
    t->lines = st->lines;
    t->types = st->types;
    for (size_t i = 0; i < st->cap; i++)
        if (st->tab[i].used && st->tab[i].count == 1) t->hapax++;
}

const uint64_t *text_stats_sentence_hist(const text_stats *st, size_t *bins)
{
    *bins = st->bins;
    return st->hist;
}

static const text_stats *sort_ctx;
static int by_count(const void *x, const void *y)
{
    const word_entry *a = *(const word_entry *const *)x, *b = *(const word_entry *const *)y;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    size_t m = a->len < b->len ? a->len : b->len;
    int c = memcmp(sort_ctx->arena.data + a->off, sort_ctx->arena.data + b->off, m);
    if (c) return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

/* All entries sorted by count (caller frees). Not thread-safe (qsort context). */
static word_entry **sorted_entries(const text_stats *st)
{
    word_entry **v = llm_malloc((st->types ? st->types : 1) * sizeof *v);
    if (!v) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < st->cap; i++)
        if (st->tab[i].used) v[k++] = &st->tab[i];
    sort_ctx = st;
    qsort(v, k, sizeof *v, by_count);
    return v;
}

llm_status text_stats_top(const text_stats *st, size_t k, text_word_count *out, size_t *got)
{
    word_entry **v = sorted_entries(st);
    if (!v) return LLM_ERR_NOMEM;
    size_t m = k < st->types ? k : st->types;
    for (size_t i = 0; i < m; i++) {
        out[i].word = st->arena.data + v[i]->off;
        out[i].len = v[i]->len;
        out[i].count = v[i]->count;
    }
    *got = m;
    free(v);
    return LLM_OK;
}

static int by_bytes(const void *x, const void *y)
{
    const word_entry *a = *(const word_entry *const *)x, *b = *(const word_entry *const *)y;
    size_t m = a->len < b->len ? a->len : b->len;
    int c = memcmp(sort_ctx->arena.data + a->off, sort_ctx->arena.data + b->off, m);
    if (c) return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

llm_status text_stats_hapax(const text_stats *st, size_t k, text_word_count *out, size_t *got)
{
    word_entry **v = llm_malloc((st->types ? st->types : 1) * sizeof *v);
    if (!v) return LLM_ERR_NOMEM;
    size_t m = 0;
    for (size_t i = 0; i < st->cap; i++)
        if (st->tab[i].used && st->tab[i].count == 1) v[m++] = &st->tab[i];
    sort_ctx = st;
    qsort(v, m, sizeof *v, by_bytes);
    if (m > k) m = k;
    for (size_t i = 0; i < m; i++) {
        out[i].word = st->arena.data + v[i]->off;
        out[i].len = v[i]->len;
        out[i].count = 1;
    }
    *got = m;
    free(v);
    return LLM_OK;
}

llm_status text_stats_zipf(const text_stats *st, size_t max_rank, double *s, double *a, double *r2)
{
    size_t m = st->types;
    if (max_rank && max_rank < m) m = max_rank;
    if (m < 2) return llm_fail(LLM_ERR_STATE, "zipf: needs at least two distinct words, have %zu", m);
    word_entry **v = sorted_entries(st);
    if (!v) return LLM_ERR_NOMEM;
    double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
    for (size_t i = 0; i < m; i++) {
        double x = log((double)(i + 1)), y = log((double)v[i]->count);
        sx += x; sy += y; sxx += x * x; sxy += x * y; syy += y * y;
    }
    free(v);
    double nn = (double)m;
    double vx = sxx - sx * sx / nn, vy = syy - sy * sy / nn, cxy = sxy - sx * sy / nn;
    double slope = vx > 0 ? cxy / vx : 0;
    *s = -slope;
    *a = (sy - slope * sx) / nn;
    *r2 = (vx > 0 && vy > 0) ? (cxy * cxy) / (vx * vy) : 1.0;
    return LLM_OK;
}
