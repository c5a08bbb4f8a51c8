/*
 * bpe_train.c: training a byte-level BPE from a corpus.
 *
 * The corpus is cut into pieces by the pre-tokenizer and counted, so the
 * work is over distinct words (a few tens of thousands for a book) rather
 * than over the text. Each word is a run of symbol ids, starting with its
 * bytes. Pair counts (weighted by word frequency) are kept incrementally:
 * a merge only revisits the words that hold the merged pair (each pair keeps
 * the list of words it occurs in), taking away the counts of their old pairs
 * and adding those of the new ones. The best pair comes from a max-heap with
 * lazy deletion: an entry whose count is out of date is pushed again with
 * the current count when it reaches the top (counts of existing pairs only
 * fall; pairs with the new token are pushed once their count is known).
 *
 * Ties between equal counts go to the smallest (left id, right id), which is
 * the rule lua/llm/bpe_naive.lua follows too, so both give the same merges.
 */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>
#include <string.h>
#include "bpe_internal.h"

typedef struct pair_info {
    uint32_t a, b;
    int64_t count;
    int32_t *words; /* words holding this pair (may be out of date) */
    uint32_t n_words, cap_words;
    int64_t last_word; /* last word appended (dedupe within one step) */
} pair_info;

typedef struct heap_ent { int64_t count; uint32_t a, b, p; } heap_ent;

typedef struct trainer {
    tok_map words;     /* piece -> count */
    int32_t *sym;      /* symbols of all words */
    size_t *off;       /* (n_words) start of each word in sym */
    uint32_t *len;     /* (n_words) current length */
    int64_t *freq;     /* (n_words) */
    size_t n_words;
    tok_pairmap pair_index; /* (a, b) -> index in pairs */
    pair_info *pairs;
    size_t n_pairs, cap_pairs;
    heap_ent *heap;
    size_t n_heap, cap_heap;
    int64_t *stamp;    /* (n_words) last merge that visited the word */
} trainer;

/* Max-heap order: bigger count first, then smaller (a, b). */
static int heap_before(const heap_ent *x, const heap_ent *y)
{
    if (x->count != y->count) return x->count > y->count;
    if (x->a != y->a) return x->a < y->a;
    return x->b < y->b;
}

static llm_status heap_push(trainer *t, heap_ent e)
{
    if (t->n_heap == t->cap_heap) {
        size_t nc = t->cap_heap ? t->cap_heap * 2 : 4096;
        heap_ent *nh = llm_realloc(t->heap, nc * sizeof *nh);
        if (!nh) return LLM_ERR_NOMEM;
        t->heap = nh;
        t->cap_heap = nc;
    }
    size_t i = t->n_heap++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!heap_before(&e, &t->heap[p])) break;
        t->heap[i] = t->heap[p];
        i = p;
    }
    t->heap[i] = e;
    return LLM_OK;
}

static heap_ent heap_pop(trainer *t)
{
    heap_ent top = t->heap[0], last = t->heap[--t->n_heap];
    size_t i = 0, n = t->n_heap;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && heap_before(&t->heap[c + 1], &t->heap[c])) c++;
        if (!heap_before(&t->heap[c], &last)) break;
        t->heap[i] = t->heap[c];
        i = c;
    }
    if (n) t->heap[i] = last;
    return top;
}

/* Index of pair (a, b), created (count 0) when new. */
static llm_status pair_get(trainer *t, uint32_t a, uint32_t b, uint32_t *out)
{
    int64_t *slot;
    int added;
    llm_status st = tok_pairmap_put(&t->pair_index, a, b, (int64_t)t->n_pairs, &slot, &added);
    if (st) return st;
    if (added) {
        if (t->n_pairs == t->cap_pairs) {
            size_t nc = t->cap_pairs ? t->cap_pairs * 2 : 4096;
            pair_info *np = llm_realloc(t->pairs, nc * sizeof *np);
            if (!np) return LLM_ERR_NOMEM;
            t->pairs = np;
            t->cap_pairs = nc;
        }
        t->pairs[t->n_pairs] = (pair_info){ .a = a, .b = b, .last_word = -1 };
        t->n_pairs++;
    }
    *out = (uint32_t)*slot;
    return LLM_OK;
}

static llm_status pair_add_word(pair_info *p, size_t w)
{
    if (p->last_word == (int64_t)w) return LLM_OK;
    if (p->n_words == p->cap_words) {
        uint32_t nc = p->cap_words ? p->cap_words * 2 : 4;
        int32_t *nw = llm_realloc(p->words, nc * sizeof *nw);
        if (!nw) return LLM_ERR_NOMEM;
        p->words = nw;
        p->cap_words = nc;
    }
    p->words[p->n_words++] = (int32_t)w;
    p->last_word = (int64_t)w;
    return LLM_OK;
}

static llm_status count_piece(void *ud, const char *text, size_t start, size_t len, int matched)
{
    (void)matched;
    trainer *t = ud;
    size_t idx;
    int added;
    llm_status st = tok_map_add(&t->words, text + start, len, 1, &idx, &added);
    if (st == LLM_OK && !added) t->words.ent[idx].val++;
    return st;
}

static void trainer_free(trainer *t)
{
    tok_map_free(&t->words);
    free(t->sym);
    free(t->off);
    free(t->len);
    free(t->freq);
    free(t->stamp);
    tok_pairmap_free(&t->pair_index);
    for (size_t i = 0; i < t->n_pairs; i++) free(t->pairs[i].words);
    free(t->pairs);
    free(t->heap);
}

/* Count the pieces of text, skipping the texts of special tokens. */
static llm_status count_corpus(trainer *t, tok_pretok *pre, const char *text, size_t len, const tok_bpe_train_opts *o)
{
    size_t from = 0;
    while (from < len) {
        size_t at = len, sl = 0;
        for (size_t i = 0; i < o->n_special; i++) {
            size_t l = strlen(o->special[i]);
            const char *hit = l ? memmem(text + from, len - from, o->special[i], l) : NULL;
            if (hit && (size_t)(hit - text) < at) { at = (size_t)(hit - text); sl = l; }
        }
        llm_status st = tok_pretok_split(pre, text + from, at - from, count_piece, t);
        if (st) return st;
        from = at + sl;
    }
    return LLM_OK;
}

llm_status tok_bpe_train(tok_bpe **out, const char *text, size_t len, const tok_bpe_train_opts *o)
{
    *out = NULL;
    if (!o) return llm_fail(LLM_ERR_ARG, "bpe train: no options");
    if (!text || len == 0) return llm_fail(LLM_ERR_ARG, "bpe train: the corpus is empty");
    if (o->vocab_size < 256 + o->n_special)
        return llm_fail(LLM_ERR_ARG, "bpe train: a vocabulary of %zu is smaller than the 256 byte tokens%s", o->vocab_size,
                        o->n_special ? " plus the special tokens" : "");
    if (o->vocab_size > (size_t)INT32_MAX) return llm_fail(LLM_ERR_ARG, "bpe train: vocabulary size too large");
    uint64_t min_freq = o->min_frequency ? o->min_frequency : 2;
    size_t want_merges = o->vocab_size - 256 - o->n_special;
    const char *pattern = o->pattern ? o->pattern : "gpt2";

    trainer t = { 0 };
    tok_pretok *pre = NULL;
    tok_bpe *b = NULL;
    size_t merge_cap = 0;
    llm_status st = tok_pretok_new(&pre, pattern);
    if (st) return st;
    if ((st = count_corpus(&t, pre, text, len, o))) goto done;
    if (t.words.n == 0) { st = llm_fail(LLM_ERR_ARG, "bpe train: the corpus has no pieces to learn from"); goto done; }

    /* Words as symbol runs. */
    t.n_words = t.words.n;
    t.off = llm_malloc(t.n_words * sizeof *t.off);
    t.len = llm_malloc(t.n_words * sizeof *t.len);
    t.freq = llm_malloc(t.n_words * sizeof *t.freq);
    t.stamp = llm_malloc(t.n_words * sizeof *t.stamp);
    t.sym = llm_malloc((t.words.alen + 1) * sizeof *t.sym);
    if (!t.off || !t.len || !t.freq || !t.stamp || !t.sym) { st = LLM_ERR_NOMEM; goto done; }
    size_t pos = 0;
    for (size_t w = 0; w < t.n_words; w++) {
        size_t kl;
        const unsigned char *k = (const unsigned char *)tok_map_key(&t.words, w, &kl);
        t.off[w] = pos;
        t.len[w] = (uint32_t)kl;
        t.freq[w] = t.words.ent[w].val;
        t.stamp[w] = -1;
        for (size_t i = 0; i < kl; i++) t.sym[pos++] = k[i];
    }
    /* Initial pair counts. */
    for (size_t w = 0; w < t.n_words; w++) {
        const int32_t *s = t.sym + t.off[w];
        for (uint32_t i = 0; i + 1 < t.len[w]; i++) {
            uint32_t p;
            if ((st = pair_get(&t, (uint32_t)s[i], (uint32_t)s[i + 1], &p))) goto done;
            t.pairs[p].count += t.freq[w];
            if ((st = pair_add_word(&t.pairs[p], w))) goto done;
        }
    }
    for (size_t p = 0; p < t.n_pairs; p++)
        if ((st = heap_push(&t, (heap_ent){ t.pairs[p].count, t.pairs[p].a, t.pairs[p].b, (uint32_t)p }))) goto done;

    if (!(b = bpe_alloc())) { st = LLM_ERR_NOMEM; goto done; }
    for (int c = 0; c < 256; c++) b->byte_id[c] = c;

    while (b->n_merges < want_merges && t.n_heap) {
        heap_ent top = heap_pop(&t);
        pair_info *pi = &t.pairs[top.p];
        if (top.count != pi->count) { /* out of date: counts only fall */
            if (pi->count > 0 && (st = heap_push(&t, (heap_ent){ pi->count, pi->a, pi->b, top.p }))) goto done;
            continue;
        }
        if ((uint64_t)top.count < min_freq) break;
        if (llm_interrupted()) { st = llm_fail(LLM_ERR_INTERRUPTED, "bpe train: interrupted"); goto done; }
        int32_t A = (int32_t)pi->a, B = (int32_t)pi->b, M = (int32_t)(256 + b->n_merges);
        /* Push the merge first: the merge arrays exist for push_merge's realloc. */
        if (b->n_merges == merge_cap) {
            size_t nc = merge_cap ? merge_cap * 2 : 1024;
            int32_t *x = llm_realloc(b->merge_left, nc * sizeof *x);
            if (!x) { st = LLM_ERR_NOMEM; goto done; }
            b->merge_left = x;
            x = llm_realloc(b->merge_right, nc * sizeof *x);
            if (!x) { st = LLM_ERR_NOMEM; goto done; }
            b->merge_right = x;
            x = llm_realloc(b->merge_result, nc * sizeof *x);
            if (!x) { st = LLM_ERR_NOMEM; goto done; }
            b->merge_result = x;
            merge_cap = nc;
        }
        int64_t step = (int64_t)b->n_merges;
        b->merge_left[step] = A;
        b->merge_right[step] = B;
        b->merge_result[step] = M;
        b->n_merges++;

        size_t first_new = t.n_pairs; /* pairs created in this step have index >= first_new */
        uint32_t top_p = top.p;
        /* t.pairs may move while new pairs are added: take the list by value. */
        uint32_t nw = t.pairs[top_p].n_words;
        for (uint32_t k = 0; k < nw; k++) {
            int32_t w = t.pairs[top_p].words[k];
            if (t.stamp[w] == step) continue;
            t.stamp[w] = step;
            int32_t *s = t.sym + t.off[w];
            uint32_t n = t.len[w];
            int has = 0;
            for (uint32_t i = 0; i + 1 < n; i++)
                if (s[i] == A && s[i + 1] == B) { has = 1; break; }
            if (!has) continue;
            int64_t f = t.freq[w];
            for (uint32_t i = 0; i + 1 < n; i++) {
                int64_t *pp = tok_pairmap_get(&t.pair_index, (uint32_t)s[i], (uint32_t)s[i + 1]);
                t.pairs[*pp].count -= f;
            }
            uint32_t j = 0;
            for (uint32_t i = 0; i < n; j++) {
                if (i + 1 < n && s[i] == A && s[i + 1] == B) { s[j] = M; i += 2; }
                else s[j] = s[i++];
            }
            n = t.len[w] = j;
            for (uint32_t i = 0; i + 1 < n; i++) {
                uint32_t p;
                if ((st = pair_get(&t, (uint32_t)s[i], (uint32_t)s[i + 1], &p))) goto done;
                t.pairs[p].count += f;
                if ((s[i] == M || s[i + 1] == M) && (st = pair_add_word(&t.pairs[p], (size_t)w))) goto done;
            }
        }
        for (size_t p = first_new; p < t.n_pairs; p++)
            if (t.pairs[p].count > 0 &&
                (st = heap_push(&t, (heap_ent){ t.pairs[p].count, t.pairs[p].a, t.pairs[p].b, (uint32_t)p }))) goto done;
        if ((b->n_merges & 63) == 0) llm_progress("bpe train", (double)b->n_merges, (double)want_merges);
    }
    llm_progress("bpe train", (double)b->n_merges, (double)want_merges);
    b->vocab_size = 256 + b->n_merges + o->n_special;
    for (size_t i = 0; i < o->n_special; i++)
        if ((st = bpe_add_special(b, o->special[i], (int32_t)(256 + b->n_merges + i)))) goto done;
    if ((st = bpe_build(b, pattern))) goto done;
    *out = b;
    b = NULL;
done:
    tok_bpe_free(b);
    tok_pretok_free(pre);
    trainer_free(&t);
    return st;
}
