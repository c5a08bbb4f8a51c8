/*
 * tok_map.h: two small hash tables the tokenizers share (internal header).
 *  - tok_map: byte string -> int64 (vocabularies, word counts, the BPE
 *    pre-token cache; also the vectorizer's terms and the n-gram models'
 *    words, which use the entry index as the id). Keys are copied into one arena; entries are numbered
 *    in insertion order, so an entry index is a stable handle.
 *  - tok_pairmap: (uint32 left, uint32 right) -> int64 (merge ranks, pair
 *    indices while training, the vectorizer's n-gram nodes).
 * Open addressing with linear probing, power-of-two sizes, load <= 1/2.
 */
#ifndef TOK_MAP_H
#define TOK_MAP_H

#include <stddef.h>
#include <stdint.h>
#include "core.h"

typedef struct tok_map_entry {
    uint64_t hash;
    size_t off;   /* key bytes at arena + off */
    size_t len;
    int64_t val;
} tok_map_entry;

typedef struct tok_map {
    uint32_t *slots; /* entry index + 1, 0 = empty */
    size_t cap;      /* number of slots (power of two) */
    tok_map_entry *ent;
    size_t n, ecap;
    char *arena;
    size_t alen, acap;
} tok_map;

#define TOK_FNV_OFFSET 0xcbf29ce484222325ULL
#define TOK_FNV_PRIME 0x100000001b3ULL
/* FNV-1a over the bytes, then h ^= h >> 31 so that the low bits are well spread. */
uint64_t tok_hash_bytes(const char *s, size_t n);
/* Entry index of key, or -1. */
ptrdiff_t tok_map_find(const tok_map *m, const char *key, size_t len);
/* Find or insert key (with val when new); *idx gets its entry index and
 * *added (if not NULL) whether it was new. */
llm_status tok_map_add(tok_map *m, const char *key, size_t len, int64_t val, size_t *idx, int *added);
/* The same with h = tok_hash_bytes(key, len) computed by the caller. */
llm_status tok_map_add_hashed(tok_map *m, const char *key, size_t len, uint64_t h, int64_t val, size_t *idx,
                              int *added);
static inline const char *tok_map_key(const tok_map *m, size_t idx, size_t *len)
{
    *len = m->ent[idx].len;
    return m->arena + m->ent[idx].off;
}
void tok_map_clear(tok_map *m);
void tok_map_free(tok_map *m);

/* key and value side by side: a found pair costs one cache line */
typedef struct tok_pair_slot {
    uint64_t key; /* (left << 32 | right) + 1, 0 = empty */
    int64_t val;
} tok_pair_slot;

typedef struct tok_pairmap {
    tok_pair_slot *slots;
    size_t cap, n;
} tok_pairmap;

static inline uint64_t tok_pair_key(uint32_t a, uint32_t b) { return ((uint64_t)a << 32 | b) + 1; }
static inline size_t tok_pair_hash(uint64_t k)
{
    k ^= k >> 33; k *= 0xff51afd7ed558ccdULL; k ^= k >> 33; k *= 0xc4ceb9fe1a85ec53ULL; k ^= k >> 33;
    return (size_t)k;
}
/* Pointer to the value of (a, b), or NULL. */
static inline int64_t *tok_pairmap_get(const tok_pairmap *m, uint32_t a, uint32_t b)
{
    if (!m->cap) return NULL;
    uint64_t k = tok_pair_key(a, b);
    size_t mask = m->cap - 1, i = tok_pair_hash(k) & mask;
    while (m->slots[i].key) {
        if (m->slots[i].key == k) return &m->slots[i].val;
        i = (i + 1) & mask;
    }
    return NULL;
}
/* Double the table (1024 slots when empty). */
llm_status tok_pairmap_grow(tok_pairmap *m);
/* At least cap slots (rounded up to a power of two), so that the table need not grow early. */
llm_status tok_pairmap_reserve(tok_pairmap *m, size_t cap);
/* Fetch the slot where a key of hash h = tok_pair_hash(key) starts its probe (the table must have slots). */
static inline void tok_pairmap_prefetch(const tok_pairmap *m, size_t h)
{
    __builtin_prefetch(&m->slots[h & (m->cap - 1)]);
}
/* Pointer to the value of (a, b), inserting it with val when absent; h =
 * tok_pair_hash(tok_pair_key(a, b)) computed by the caller. Inline: the
 * vectorizer calls it once per n-gram. */
static inline llm_status tok_pairmap_put_hashed(tok_pairmap *m, uint32_t a, uint32_t b, size_t h, int64_t val,
                                                int64_t **slot, int *added)
{
    if (added) *added = 0;
    if (__builtin_expect((m->n + 1) * 2 > m->cap, 0)) {
        llm_status s = tok_pairmap_grow(m);
        if (s) return s;
    }
    uint64_t k = tok_pair_key(a, b);
    tok_pair_slot *sl = m->slots;
    size_t mask = m->cap - 1, i = h & mask;
    while (sl[i].key) {
        if (sl[i].key == k) { *slot = &sl[i].val; return LLM_OK; }
        i = (i + 1) & mask;
    }
    sl[i] = (tok_pair_slot){k, val};
    m->n++;
    *slot = &sl[i].val;
    if (added) *added = 1;
    return LLM_OK;
}
/* The same, hashing (a, b) itself. */
llm_status tok_pairmap_put(tok_pairmap *m, uint32_t a, uint32_t b, int64_t val, int64_t **slot, int *added);
void tok_pairmap_free(tok_pairmap *m);

#endif
