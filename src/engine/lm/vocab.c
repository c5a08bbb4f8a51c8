/* vocab.c: the word vocabulary of embedding models: whitespace-separated
 * words counted with an open-addressing hash table, cut at min_count and
 * sorted by decreasing count, ties in first-seen order (gensim breaks ties
 * by numpy's unstable argsort, so its tie order is not reproducible). */
#include <stdlib.h>
#include <string.h>
#include "embed.h"

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

int embed_vocab_find(const embed_vocab *v, const char *word, size_t len)
{
    if (!v->table) return -1;
    size_t mask = v->table_size - 1;
    for (size_t slot = hash_bytes(word, len) & mask;; slot = (slot + 1) & mask) {
        int id = v->table[slot];
        if (id < 0) return -1;
        if (strncmp(v->words[id], word, len) == 0 && v->words[id][len] == '\0') return id;
    }
}

/* Growing list of (word, count, first position) while counting. */
typedef struct counter {
    char **words;
    int64_t *counts;
    int size, cap;
    int *table;
    size_t table_size;
} counter;

static llm_status counter_rehash(counter *c, size_t new_size)
{
    int *t = llm_malloc(new_size * sizeof *t);
    if (!t) return LLM_ERR_NOMEM;
    memset(t, 0xff, new_size * sizeof *t);
    size_t mask = new_size - 1;
    for (int i = 0; i < c->size; i++) {
        size_t slot = hash_bytes(c->words[i], strlen(c->words[i])) & mask;
        while (t[slot] >= 0) slot = (slot + 1) & mask;
        t[slot] = i;
    }
    free(c->table);
    c->table = t;
    c->table_size = new_size;
    return LLM_OK;
}

static llm_status counter_add(counter *c, const char *w, size_t n)
{
    size_t mask = c->table_size - 1;
    size_t slot = hash_bytes(w, n) & mask;
    for (;; slot = (slot + 1) & mask) {
        int id = c->table[slot];
        if (id < 0) break;
        if (strncmp(c->words[id], w, n) == 0 && c->words[id][n] == '\0') {
            c->counts[id]++;
            return LLM_OK;
        }
    }
    if (c->size == c->cap) {
        int cap = c->cap ? c->cap * 2 : 1024;
        char **words = llm_realloc(c->words, (size_t)cap * sizeof *words);
        if (!words) return LLM_ERR_NOMEM;
        c->words = words;
        int64_t *counts = llm_realloc(c->counts, (size_t)cap * sizeof *counts);
        if (!counts) return LLM_ERR_NOMEM;
        c->counts = counts;
        c->cap = cap;
    }
    char *copy = llm_malloc(n + 1);
    if (!copy) return LLM_ERR_NOMEM;
    memcpy(copy, w, n);
    copy[n] = '\0';
    c->words[c->size] = copy;
    c->counts[c->size] = 1;
    c->table[slot] = c->size++;
    if ((size_t)c->size * 2 > c->table_size) return counter_rehash(c, c->table_size * 2);
    return LLM_OK;
}

llm_status embed_vocab_index(embed_vocab *v)
{
    size_t ts = 1;
    while (ts < (size_t)v->size * 2 + 2) ts <<= 1;
    free(v->table);
    v->table = llm_malloc(ts * sizeof *v->table);
    if (!v->table) return LLM_ERR_NOMEM;
    memset(v->table, 0xff, ts * sizeof *v->table);
    v->table_size = ts;
    for (int i = 0; i < v->size; i++) {
        size_t len = strlen(v->words[i]);
        if (embed_vocab_find(v, v->words[i], len) >= 0)
            return llm_fail(LLM_ERR_FORMAT, "the word '%s' appears twice (entry %d)", v->words[i], i + 1);
        size_t slot = hash_bytes(v->words[i], len) & (ts - 1);
        while (v->table[slot] >= 0) slot = (slot + 1) & (ts - 1);
        v->table[slot] = i;
    }
    return LLM_OK;
}

static const int64_t *sort_counts;
static int by_count_desc(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    if (sort_counts[x] != sort_counts[y]) return sort_counts[x] > sort_counts[y] ? -1 : 1;
    return x - y; /* first seen first */
}

void embed_vocab_free(embed_vocab *v)
{
    if (!v) return;
    for (int i = 0; i < v->size; i++) free(v->words[i]);
    free(v->words);
    free(v->counts);
    free(v->table);
    memset(v, 0, sizeof *v);
}

llm_status embed_vocab_build(embed_vocab *v, const char *text, size_t len, int min_count)
{
    memset(v, 0, sizeof *v);
    if (min_count < 1) min_count = 1;
    counter c = {0};
    llm_status st = counter_rehash(&c, 1 << 12);
    for (size_t i = 0; st == LLM_OK && i < len;) {
        while (i < len && is_space((unsigned char)text[i])) i++;
        size_t start = i;
        while (i < len && !is_space((unsigned char)text[i])) i++;
        if (i > start) st = counter_add(&c, text + start, i - start);
    }
    int *order = NULL;
    if (st == LLM_OK && c.size == 0) st = llm_fail(LLM_ERR_ARG, "vocabulary: the corpus has no words");
    if (st == LLM_OK) {
        order = llm_malloc((size_t)c.size * sizeof *order);
        if (!order) st = LLM_ERR_NOMEM;
    }
    int kept = 0;
    if (st == LLM_OK) {
        for (int i = 0; i < c.size; i++)
            if (c.counts[i] >= min_count) order[kept++] = i;
        if (kept == 0)
            st = llm_fail(LLM_ERR_ARG, "vocabulary: no word occurs at least min_count=%d times", min_count);
    }
    if (st == LLM_OK) {
        sort_counts = c.counts;
        qsort(order, (size_t)kept, sizeof *order, by_count_desc);
        v->words = llm_calloc((size_t)kept, sizeof *v->words);
        v->counts = llm_calloc((size_t)kept, sizeof *v->counts);
        if (!v->words || !v->counts) st = LLM_ERR_NOMEM;
    }
    if (st == LLM_OK) {
        for (int i = 0; i < kept; i++) {
            v->words[i] = c.words[order[i]];
            c.words[order[i]] = NULL; /* moved */
            v->counts[i] = c.counts[order[i]];
            v->total += v->counts[i];
        }
        v->size = kept;
        st = embed_vocab_index(v);
    }
    for (int i = 0; i < c.size; i++) free(c.words[i]);
    free(c.words);
    free(c.counts);
    free(c.table);
    free(order);
    if (st != LLM_OK) embed_vocab_free(v);
    return st;
}
