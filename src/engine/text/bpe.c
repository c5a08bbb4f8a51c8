/*
 * bpe.c: byte-level BPE: building a model from its merges, encoding and
 * decoding. Training is in bpe_train.c, files in bpe_io.c.
 *
 * Encoding a piece (one pre-token) starts from the ids of its bytes and
 * repeatedly applies the merge of lowest rank among adjacent pairs, the
 * leftmost one on ties, until no adjacent pair has a merge: the rule of
 * GPT-2's encoder.py and of tiktoken. Short pieces scan the pairs each step;
 * long ones (whitespace runs, repeated characters) use a heap over a linked
 * list so that they stay O(n log n). Results of short pieces are cached.
 */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>
#include <string.h>
#include "bpe_internal.h"

#define RANK_NONE INT64_MAX
#define CACHE_MAX_PIECE 64      /* pieces longer than this are not cached */
#define CACHE_MAX_ENTRIES 200000
#define SCAN_MAX 64             /* pieces up to this length use the simple scan */

llm_status tok_ids_push(tok_ids *ids, int32_t id)
{
    if (ids->n == ids->cap) {
        size_t nc = ids->cap ? ids->cap * 2 : 64;
        int32_t *nv = llm_realloc(ids->v, nc * sizeof *nv);
        if (!nv) return LLM_ERR_NOMEM;
        ids->v = nv;
        ids->cap = nc;
    }
    ids->v[ids->n++] = id;
    return LLM_OK;
}

void tok_ids_free(tok_ids *ids)
{
    free(ids->v);
    memset(ids, 0, sizeof *ids);
}

tok_bpe *bpe_alloc(void)
{
    tok_bpe *b = llm_calloc(1, sizeof *b);
    if (!b) return NULL;
    for (int i = 0; i < 256; i++) b->byte_id[i] = -1;
    return b;
}

void tok_bpe_free(tok_bpe *b)
{
    if (!b) return;
    free(b->merge_left);
    free(b->merge_right);
    free(b->merge_result);
    for (size_t i = 0; i < b->n_special; i++) free(b->special[i]);
    free(b->special);
    free(b->special_len);
    free(b->special_id);
    tok_pretok_free(b->pre);
    free(b->tok_bytes);
    free(b->tok_off);
    tok_pairmap_free(&b->ranks);
    tok_map_free(&b->vocab);
    tok_map_free(&b->cache);
    free(b->cache_ids);
    free(b->w_sym);
    free(b->w_nxt);
    free(b->w_prv);
    free(b->w_rank);
    free(b);
}

llm_status bpe_add_special(tok_bpe *b, const char *text, int32_t id)
{
    size_t n = b->n_special;
    if (!text || !*text) return llm_fail(LLM_ERR_ARG, "bpe: a special token cannot be empty");
    for (size_t i = 0; i < n; i++)
        if (strcmp(b->special[i], text) == 0) return llm_fail(LLM_ERR_ARG, "bpe: special token '%s' given twice", text);
    char **ns = llm_realloc(b->special, (n + 1) * sizeof *ns);
    if (!ns) return LLM_ERR_NOMEM;
    b->special = ns;
    size_t *nl = llm_realloc(b->special_len, (n + 1) * sizeof *nl);
    if (!nl) return LLM_ERR_NOMEM;
    b->special_len = nl;
    int32_t *ni = llm_realloc(b->special_id, (n + 1) * sizeof *ni);
    if (!ni) return LLM_ERR_NOMEM;
    b->special_id = ni;
    char *t = llm_strdup(text);
    if (!t) return LLM_ERR_NOMEM;
    b->special[n] = t;
    b->special_len[n] = strlen(text);
    b->special_id[n] = id;
    b->n_special = n + 1;
    return LLM_OK;
}

llm_status bpe_build(tok_bpe *b, const char *pattern)
{
    size_t V = b->vocab_size;
    if (V < 256) return llm_fail(LLM_ERR_ARG, "bpe: a vocabulary of %zu tokens is smaller than the 256 bytes", V);
    if (V > INT32_MAX) return llm_fail(LLM_ERR_ARG, "bpe: vocabulary of %zu tokens is too large", V);
    llm_status st = LLM_OK;
    size_t *len = llm_calloc(V, sizeof *len);
    unsigned char *def = llm_calloc(V, 1);
    if (!len || !def) { st = LLM_ERR_NOMEM; goto done; }

    for (int c = 0; c < 256; c++) {
        int32_t id = b->byte_id[c];
        if (id < 0 || (size_t)id >= V) { st = llm_fail(LLM_ERR_FORMAT, "bpe: byte 0x%02x has no id in the vocabulary", c); goto done; }
        if (def[id]) { st = llm_fail(LLM_ERR_FORMAT, "bpe: id %d is given to two bytes", id); goto done; }
        def[id] = 1;
        len[id] = 1;
    }
    for (size_t k = 0; k < b->n_merges; k++) {
        int32_t l = b->merge_left[k], r = b->merge_right[k], m = b->merge_result[k];
        if (l < 0 || (size_t)l >= V || !def[l] || r < 0 || (size_t)r >= V || !def[r]) {
            st = llm_fail(LLM_ERR_FORMAT, "bpe: merge %zu (%d, %d) uses a token that no byte or earlier merge defines", k, l, r);
            goto done;
        }
        if (m < 0 || (size_t)m >= V) { st = llm_fail(LLM_ERR_FORMAT, "bpe: merge %zu makes id %d, outside the vocabulary of %zu", k, m, V); goto done; }
        if (def[m]) { st = llm_fail(LLM_ERR_FORMAT, "bpe: merge %zu makes id %d, which is already defined", k, m); goto done; }
        def[m] = 2;
        len[m] = len[l] + len[r];
    }
    for (size_t i = 0; i < b->n_special; i++) {
        int32_t id = b->special_id[i];
        if (id < 0 || (size_t)id >= V) { st = llm_fail(LLM_ERR_FORMAT, "bpe: special token '%s' has id %d, outside the vocabulary", b->special[i], id); goto done; }
        if (def[id]) { st = llm_fail(LLM_ERR_FORMAT, "bpe: special token '%s' has id %d, which is already defined", b->special[i], id); goto done; }
        def[id] = 3;
        len[id] = b->special_len[i];
    }
    for (size_t id = 0; id < V; id++)
        if (!def[id]) { st = llm_fail(LLM_ERR_FORMAT, "bpe: id %zu is not defined by a byte, a merge or a special token", id); goto done; }

    b->tok_off = llm_malloc((V + 1) * sizeof *b->tok_off);
    if (!b->tok_off) { st = LLM_ERR_NOMEM; goto done; }
    size_t total = 0;
    for (size_t id = 0; id < V; id++) { b->tok_off[id] = total; total += len[id]; }
    b->tok_off[V] = total;
    b->tok_bytes = llm_malloc(total + 1);
    if (!b->tok_bytes) { st = LLM_ERR_NOMEM; goto done; }
    for (int c = 0; c < 256; c++) b->tok_bytes[b->tok_off[b->byte_id[c]]] = (char)c;
    for (size_t k = 0; k < b->n_merges; k++) {
        int32_t l = b->merge_left[k], r = b->merge_right[k], m = b->merge_result[k];
        memcpy(b->tok_bytes + b->tok_off[m], b->tok_bytes + b->tok_off[l], len[l]);
        memcpy(b->tok_bytes + b->tok_off[m] + len[l], b->tok_bytes + b->tok_off[r], len[r]);
        int64_t *slot;
        int added;
        if ((st = tok_pairmap_put(&b->ranks, (uint32_t)l, (uint32_t)r, (int64_t)k, &slot, &added))) goto done;
        if (!added) { st = llm_fail(LLM_ERR_FORMAT, "bpe: merge %zu (%d, %d) repeats merge %lld", k, l, r, (long long)*slot); goto done; }
    }
    for (size_t i = 0; i < b->n_special; i++) memcpy(b->tok_bytes + b->tok_off[b->special_id[i]], b->special[i], len[b->special_id[i]]);
    /* bytes -> id: regular tokens first (the first id wins for equal bytes), then specials */
    for (int pass = 0; pass < 2; pass++)
        for (size_t id = 0; id < V; id++) {
            if ((def[id] == 3) != (pass == 1)) continue;
            size_t idx;
            if ((st = tok_map_add(&b->vocab, b->tok_bytes + b->tok_off[id], len[id], (int64_t)id, &idx, NULL))) goto done;
        }
    st = tok_pretok_new(&b->pre, pattern ? pattern : "gpt2");
done:
    free(len);
    free(def);
    return st;
}

size_t tok_bpe_vocab_size(const tok_bpe *b) { return b->vocab_size; }
size_t tok_bpe_n_merges(const tok_bpe *b) { return b->n_merges; }
const char *tok_bpe_pattern(const tok_bpe *b) { return tok_pretok_pattern(b->pre); }
size_t tok_bpe_n_special(const tok_bpe *b) { return b->n_special; }

const char *tok_bpe_special(const tok_bpe *b, size_t i, int32_t *id)
{
    if (i >= b->n_special) return NULL;
    if (id) *id = b->special_id[i];
    return b->special[i];
}

const char *tok_bpe_token(const tok_bpe *b, int32_t id, size_t *len)
{
    if (id < 0 || (size_t)id >= b->vocab_size) return NULL;
    *len = b->tok_off[id + 1] - b->tok_off[id];
    return b->tok_bytes + b->tok_off[id];
}

int32_t tok_bpe_token_id(const tok_bpe *b, const char *bytes, size_t len)
{
    ptrdiff_t i = tok_map_find(&b->vocab, bytes, len);
    return i < 0 ? -1 : (int32_t)b->vocab.ent[i].val;
}

llm_status tok_bpe_merge(const tok_bpe *b, size_t k, int32_t *left, int32_t *right, int32_t *result)
{
    if (k >= b->n_merges) return llm_fail(LLM_ERR_ARG, "bpe: merge %zu does not exist (the model has %zu)", k, b->n_merges);
    *left = b->merge_left[k];
    *right = b->merge_right[k];
    *result = b->merge_result[k];
    return LLM_OK;
}

static inline int64_t pair_rank(const tok_bpe *b, int32_t l, int32_t r)
{
    const int64_t *v = tok_pairmap_get(&b->ranks, (uint32_t)l, (uint32_t)r);
    return v ? *v : RANK_NONE;
}

static llm_status work_reserve(tok_bpe *b, size_t n)
{
    if (n <= b->w_cap) return LLM_OK;
    size_t nc = b->w_cap ? b->w_cap : 256;
    while (nc < n) nc *= 2;
    int32_t *s = llm_realloc(b->w_sym, nc * sizeof *s);
    if (!s) return LLM_ERR_NOMEM;
    b->w_sym = s;
    int32_t *x = llm_realloc(b->w_nxt, nc * sizeof *x);
    if (!x) return LLM_ERR_NOMEM;
    b->w_nxt = x;
    int32_t *p = llm_realloc(b->w_prv, nc * sizeof *p);
    if (!p) return LLM_ERR_NOMEM;
    b->w_prv = p;
    int64_t *r = llm_realloc(b->w_rank, nc * sizeof *r);
    if (!r) return LLM_ERR_NOMEM;
    b->w_rank = r;
    b->w_cap = nc;
    return LLM_OK;
}

/* Short pieces: keep symbols and pair ranks in arrays, scan for the minimum. */
static size_t merge_scan(const tok_bpe *b, int32_t *sym, int64_t *rank, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) rank[i] = pair_rank(b, sym[i], sym[i + 1]);
    while (n > 1) {
        size_t best = 0;
        int64_t br = rank[0];
        for (size_t i = 1; i + 1 < n; i++)
            if (rank[i] < br) { br = rank[i]; best = i; }
        if (br == RANK_NONE) break;
        sym[best] = b->merge_result[br];
        memmove(sym + best + 1, sym + best + 2, (n - best - 2) * sizeof *sym);
        if (best + 3 <= n) memmove(rank + best + 1, rank + best + 2, (n - best - 3) * sizeof *rank);
        n--;
        if (best > 0) rank[best - 1] = pair_rank(b, sym[best - 1], sym[best]);
        if (best + 1 < n) rank[best] = pair_rank(b, sym[best], sym[best + 1]);
    }
    return n;
}

/* Long pieces: a doubly linked list of symbols and a binary min-heap of
 * (rank, position) candidates; stale candidates are skipped when popped. */
typedef struct heap_item { int64_t rank; int32_t pos, left, right; } heap_item;

static int item_less(const heap_item *a, const heap_item *c)
{
    return a->rank < c->rank || (a->rank == c->rank && a->pos < c->pos);
}

static void heap_push(heap_item *h, size_t *n, heap_item it)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!item_less(&it, &h[p])) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = it;
}

static heap_item heap_pop(heap_item *h, size_t *n)
{
    heap_item top = h[0], last = h[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && item_less(&h[c + 1], &h[c])) c++;
        if (!item_less(&h[c], &last)) break;
        h[i] = h[c];
        i = c;
    }
    if (*n) h[i] = last;
    return top;
}

static llm_status merge_heap(const tok_bpe *b, int32_t *sym, int32_t *nxt, int32_t *prv, size_t n, size_t *out_n)
{
    /* Each merge pushes at most two candidates: 2n bounds the heap. */
    heap_item *h = llm_malloc(3 * n * sizeof *h);
    if (!h) return LLM_ERR_NOMEM;
    size_t hn = 0;
    for (size_t i = 0; i < n; i++) {
        nxt[i] = i + 1 < n ? (int32_t)(i + 1) : -1;
        prv[i] = (int32_t)i - 1;
    }
    for (size_t i = 0; i + 1 < n; i++) {
        int64_t r = pair_rank(b, sym[i], sym[i + 1]);
        if (r != RANK_NONE) heap_push(h, &hn, (heap_item){ r, (int32_t)i, sym[i], sym[i + 1] });
    }
    while (hn) {
        heap_item it = heap_pop(h, &hn);
        int32_t p = it.pos, q = nxt[p];
        if (sym[p] != it.left || q < 0 || sym[q] != it.right) continue; /* stale */
        sym[p] = b->merge_result[it.rank];
        sym[q] = -1;
        nxt[p] = nxt[q];
        if (nxt[q] >= 0) prv[nxt[q]] = p;
        if (prv[p] >= 0) {
            int64_t r = pair_rank(b, sym[prv[p]], sym[p]);
            if (r != RANK_NONE) heap_push(h, &hn, (heap_item){ r, prv[p], sym[prv[p]], sym[p] });
        }
        if (nxt[p] >= 0) {
            int64_t r = pair_rank(b, sym[p], sym[nxt[p]]);
            if (r != RANK_NONE) heap_push(h, &hn, (heap_item){ r, p, sym[p], sym[nxt[p]] });
        }
    }
    free(h);
    size_t m = 0;
    for (int32_t i = 0; i >= 0; i = nxt[i]) sym[m++] = sym[i];
    *out_n = m;
    return LLM_OK;
}

/* Encode one piece (no special tokens inside) and append its ids. */
static llm_status encode_piece(tok_bpe *b, const char *p, size_t len, tok_ids *out)
{
    llm_status st;
    if (len == 1) return tok_ids_push(out, b->byte_id[(unsigned char)p[0]]);
    int cacheable = len <= CACHE_MAX_PIECE;
    if (cacheable) {
        ptrdiff_t e = tok_map_find(&b->cache, p, len);
        if (e >= 0) {
            int64_t v = b->cache.ent[e].val;
            size_t off = (size_t)(v >> 8), cnt = (size_t)(v & 0xff);
            for (size_t i = 0; i < cnt; i++)
                if ((st = tok_ids_push(out, b->cache_ids[off + i]))) return st;
            return LLM_OK;
        }
    }
    if ((st = work_reserve(b, len))) return st;
    int32_t *sym = b->w_sym;
    for (size_t i = 0; i < len; i++) sym[i] = b->byte_id[(unsigned char)p[i]];
    size_t n;
    if (len <= SCAN_MAX) n = merge_scan(b, sym, b->w_rank, len);
    else if ((st = merge_heap(b, sym, b->w_nxt, b->w_prv, len, &n))) return st;
    for (size_t i = 0; i < n; i++)
        if ((st = tok_ids_push(out, sym[i]))) return st;
    if (cacheable) {
        if (b->cache.n >= CACHE_MAX_ENTRIES) { tok_map_clear(&b->cache); b->cache_n = 0; }
        if (b->cache_n + n > b->cache_cap) {
            size_t nc = b->cache_cap ? b->cache_cap * 2 : 4096;
            while (nc < b->cache_n + n) nc *= 2;
            int32_t *ni = llm_realloc(b->cache_ids, nc * sizeof *ni);
            if (!ni) return LLM_ERR_NOMEM;
            b->cache_ids = ni;
            b->cache_cap = nc;
        }
        memcpy(b->cache_ids + b->cache_n, sym, n * sizeof *sym);
        size_t idx;
        if ((st = tok_map_add(&b->cache, p, len, (int64_t)(b->cache_n << 8 | n), &idx, NULL))) return st;
        b->cache_n += n;
    }
    return LLM_OK;
}

typedef struct encode_ctx { tok_bpe *b; tok_ids *out; } encode_ctx;

static llm_status on_piece(void *ud, const char *text, size_t start, size_t len, int matched)
{
    (void)matched;
    encode_ctx *c = ud;
    return encode_piece(c->b, text + start, len, c->out);
}

/* Encode text that holds no special token. */
static llm_status encode_ordinary(tok_bpe *b, const char *text, size_t len, tok_ids *out)
{
    encode_ctx c = { b, out };
    return tok_pretok_split(b->pre, text, len, on_piece, &c);
}

/* The first special token in text[from, len) among those whose flag in
 * `which` is set: its index and position (-1 if none). */
static ptrdiff_t find_special(const tok_bpe *b, const unsigned char *which, const char *text, size_t len, size_t from,
                              size_t *at)
{
    ptrdiff_t best = -1;
    size_t best_at = len;
    for (size_t i = 0; i < b->n_special; i++) {
        size_t sl = b->special_len[i];
        if (!which[i] || sl > len - from) continue;
        const char *hit = memmem(text + from, len - from, b->special[i], sl);
        if (!hit) continue;
        size_t pos = (size_t)(hit - text);
        if (pos < best_at || (pos == best_at && sl > b->special_len[best])) { best = (ptrdiff_t)i; best_at = pos; }
    }
    *at = best_at;
    return best;
}

/* allowed[i]: special token i becomes its id; the others are rejected
 * (others == TOK_SPECIAL_REJECT) or encoded as text. Text is cut only at
 * allowed special tokens, so a special token encoded as text gives the same
 * ids as when the model had no special tokens. */
static llm_status encode_with(tok_bpe *b, const char *text, size_t len, const unsigned char *allowed,
                              tok_special_mode others, tok_ids *out)
{
    unsigned char *rejected = NULL;
    if (others == TOK_SPECIAL_REJECT) {
        rejected = llm_malloc(b->n_special + 1);
        if (!rejected) return LLM_ERR_NOMEM;
        for (size_t i = 0; i < b->n_special; i++) rejected[i] = !allowed[i];
    }
    llm_status st = LLM_OK;
    size_t from = 0;
    while (from <= len) {
        size_t at, bad_at;
        ptrdiff_t s = find_special(b, allowed, text, len, from, &at);
        size_t stop = s < 0 ? len : at;
        if (rejected) {
            ptrdiff_t r = find_special(b, rejected, text, stop, from, &bad_at);
            if (r >= 0) {
                st = llm_fail(LLM_ERR_ARG, "bpe encode: the text holds the special token '%s' at byte %zu "
                              "(allow special tokens, or encode them as text)", b->special[r], bad_at + 1);
                break;
            }
        }
        if (stop > from && (st = encode_ordinary(b, text + from, stop - from, out))) break;
        if (s < 0) break;
        if ((st = tok_ids_push(out, b->special_id[s]))) break;
        from = at + b->special_len[s];
    }
    free(rejected);
    return st;
}

llm_status tok_bpe_encode(tok_bpe *b, const char *text, size_t len, tok_special_mode mode, tok_ids *out)
{
    if (!text && len) return llm_fail(LLM_ERR_ARG, "bpe encode: no text");
    if (mode == TOK_SPECIAL_TEXT || b->n_special == 0) return encode_ordinary(b, text, len, out);
    unsigned char *allowed = llm_malloc(b->n_special + 1);
    if (!allowed) return LLM_ERR_NOMEM;
    memset(allowed, mode == TOK_SPECIAL_ALLOW, b->n_special);
    llm_status st = encode_with(b, text, len, allowed, TOK_SPECIAL_REJECT, out);
    free(allowed);
    return st;
}

llm_status tok_bpe_encode_allowed(tok_bpe *b, const char *text, size_t len, const char *const *allowed_texts,
                                  size_t n_allowed, tok_special_mode others, tok_ids *out)
{
    if (!text && len) return llm_fail(LLM_ERR_ARG, "bpe encode: no text");
    if (others == TOK_SPECIAL_ALLOW) return tok_bpe_encode(b, text, len, TOK_SPECIAL_ALLOW, out);
    unsigned char *allowed = llm_calloc(b->n_special + 1, 1);
    if (!allowed) return LLM_ERR_NOMEM;
    for (size_t k = 0; k < n_allowed; k++) {
        size_t i = 0;
        while (i < b->n_special && strcmp(b->special[i], allowed_texts[k]) != 0) i++;
        if (i == b->n_special) {
            free(allowed);
            return llm_fail(LLM_ERR_ARG, "bpe encode: '%s' is not a special token of this tokenizer", allowed_texts[k]);
        }
        allowed[i] = 1;
    }
    llm_status st = encode_with(b, text, len, allowed, others, out);
    free(allowed);
    return st;
}

llm_status tok_bpe_decode(const tok_bpe *b, const int32_t *ids, size_t n, char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (ids[i] < 0 || (size_t)ids[i] >= b->vocab_size)
            return llm_fail(LLM_ERR_ARG, "bpe decode: id %d at position %zu is outside the vocabulary (0..%zu)",
                            ids[i], i + 1, b->vocab_size - 1);
        total += b->tok_off[ids[i] + 1] - b->tok_off[ids[i]];
    }
    char *s = llm_malloc(total + 1);
    if (!s) return LLM_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = b->tok_off[ids[i] + 1] - b->tok_off[ids[i]];
        memcpy(s + k, b->tok_bytes + b->tok_off[ids[i]], l);
        k += l;
    }
    s[k] = 0;
    *out = s;
    *out_len = k;
    return LLM_OK;
}
