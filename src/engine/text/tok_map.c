/*
 * tok_map.c: the byte-string and pair hash tables of tok_map.h.
 */
#include <stdlib.h>
#include <string.h>
#include "tok_map.h"

uint64_t tok_hash_bytes(const char *s, size_t n)
{
    /* FNV-1a, then a final mix so that the low bits are well spread. */
    uint64_t h = TOK_FNV_OFFSET;
    for (size_t i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= TOK_FNV_PRIME; }
    h ^= h >> 31;
    return h;
}

ptrdiff_t tok_map_find(const tok_map *m, const char *key, size_t len)
{
    if (!m->cap) return -1;
    uint64_t h = tok_hash_bytes(key, len);
    size_t mask = m->cap - 1, i = (size_t)h & mask;
    uint32_t s;
    while ((s = m->slots[i])) {
        const tok_map_entry *e = &m->ent[s - 1];
        if (e->hash == h && e->len == len && memcmp(m->arena + e->off, key, len) == 0) return (ptrdiff_t)(s - 1);
        i = (i + 1) & mask;
    }
    return -1;
}

static llm_status map_grow(tok_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    uint32_t *ns = llm_calloc(ncap, sizeof *ns);
    if (!ns) return LLM_ERR_NOMEM;
    for (size_t k = 0; k < m->n; k++) {
        size_t i = (size_t)m->ent[k].hash & (ncap - 1);
        while (ns[i]) i = (i + 1) & (ncap - 1);
        ns[i] = (uint32_t)(k + 1);
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return LLM_OK;
}

llm_status tok_map_add(tok_map *m, const char *key, size_t len, int64_t val, size_t *idx, int *added)
{
    return tok_map_add_hashed(m, key, len, tok_hash_bytes(key, len), val, idx, added);
}

llm_status tok_map_add_hashed(tok_map *m, const char *key, size_t len, uint64_t h, int64_t val, size_t *idx,
                              int *added)
{
    if (added) *added = 0;
    if ((m->n + 1) * 2 > m->cap) {
        if (m->n >= UINT32_MAX - 1) return llm_fail(LLM_ERR_NOMEM, "hash table: too many entries");
        llm_status s = map_grow(m);
        if (s) return s;
    }
    size_t mask = m->cap - 1, i = (size_t)h & mask;
    uint32_t sl;
    while ((sl = m->slots[i])) {
        const tok_map_entry *e = &m->ent[sl - 1];
        if (e->hash == h && e->len == len && memcmp(m->arena + e->off, key, len) == 0) {
            *idx = sl - 1;
            return LLM_OK;
        }
        i = (i + 1) & mask;
    }
    if (m->n == m->ecap) {
        size_t nc = m->ecap ? m->ecap * 2 : 512;
        tok_map_entry *ne = llm_realloc(m->ent, nc * sizeof *ne);
        if (!ne) return LLM_ERR_NOMEM;
        m->ent = ne;
        m->ecap = nc;
    }
    if (m->alen + len + 1 > m->acap) {
        size_t nc = m->acap ? m->acap : 4096;
        while (m->alen + len + 1 > nc) nc *= 2;
        char *na = llm_realloc(m->arena, nc);
        if (!na) return LLM_ERR_NOMEM;
        m->arena = na;
        m->acap = nc;
    }
    if (len) memcpy(m->arena + m->alen, key, len);
    m->arena[m->alen + len] = 0;
    m->ent[m->n] = (tok_map_entry){ .hash = h, .off = m->alen, .len = len, .val = val };
    m->alen += len + 1;
    m->slots[i] = (uint32_t)(m->n + 1);
    *idx = m->n++;
    if (added) *added = 1;
    return LLM_OK;
}

void tok_map_clear(tok_map *m)
{
    if (m->slots) memset(m->slots, 0, m->cap * sizeof *m->slots);
    m->n = 0;
    m->alen = 0;
}

void tok_map_free(tok_map *m)
{
    free(m->slots);
    free(m->ent);
    free(m->arena);
    memset(m, 0, sizeof *m);
}

static llm_status pairmap_resize(tok_pairmap *m, size_t ncap)
{
    tok_pair_slot *ns = llm_calloc(ncap, sizeof *ns);
    if (!ns) return LLM_ERR_NOMEM;
    for (size_t j = 0; j < m->cap; j++) {
        if (!m->slots[j].key) continue;
        size_t i = tok_pair_hash(m->slots[j].key) & (ncap - 1);
        while (ns[i].key) i = (i + 1) & (ncap - 1);
        ns[i] = m->slots[j];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return LLM_OK;
}

llm_status tok_pairmap_grow(tok_pairmap *m) { return pairmap_resize(m, m->cap ? m->cap * 2 : 1024); }

llm_status tok_pairmap_reserve(tok_pairmap *m, size_t cap)
{
    size_t c = m->cap ? m->cap : 1024;
    while (c < cap) c *= 2;
    return c == m->cap ? LLM_OK : pairmap_resize(m, c);
}

llm_status tok_pairmap_put(tok_pairmap *m, uint32_t a, uint32_t b, int64_t val, int64_t **slot, int *added)
{
    return tok_pairmap_put_hashed(m, a, b, tok_pair_hash(tok_pair_key(a, b)), val, slot, added);
}

void tok_pairmap_free(tok_pairmap *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}
