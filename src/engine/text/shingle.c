/* shingle.c: shingle sets and Jaccard similarity. A shingle is a run of k
 * consecutive words (lowercased) or k consecutive characters (lowercased,
 * whitespace runs collapsed to one space), hashed to 64 bits; a document
 * becomes the sorted set of its distinct shingle hashes. */
#include <stdlib.h>
#include <string.h>
#include "text.h"
#include "words.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 31;
    h *= 0x7fb5d329728ea185ULL;
    h ^= h >> 27;
    h *= 0x81dadef4bc2dd44dULL;
    h ^= h >> 33;
    return h;
}

/* Hash of the window v[i..i+k). */
static uint64_t window_hash(const uint64_t *v, size_t i, size_t k)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ k;
    for (size_t j = 0; j < k; j++) h = mix(h ^ v[i + j]) + j;
    return h;
}

static llm_status units_of(const char *s, size_t n, text_shingle_kind kind, uint64_t **out, size_t *count)
{
    size_t cap = 64, m = 0;
    uint64_t *u = llm_malloc(cap * sizeof *u);
    text_buf low;
    text_buf_init(&low);
    if (!u) return LLM_ERR_NOMEM;
    llm_status st = LLM_OK;
#define PUSH(x) do { \
        if (m == cap) { \
            uint64_t *p_ = llm_realloc(u, (cap *= 2) * sizeof *u); \
            if (!p_) { st = LLM_ERR_NOMEM; goto done; } \
            u = p_; \
        } \
        u[m++] = (x); \
    } while (0)
    if (kind == TEXT_SHINGLE_WORD) {
        size_t pos = 0, a, b;
        while (words_next(s, n, &pos, &a, &b)) {
            int ascii = 1;
            for (size_t i = a; i < b; i++) if ((unsigned char)s[i] >= 0x80) { ascii = 0; break; }
            uint64_t h;
            if (ascii) {
                char tmp[64];
                size_t len = b - a;
                if (len <= sizeof tmp) {
                    for (size_t i = 0; i < len; i++) {
                        char c = s[a + i];
                        tmp[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
                    }
                    h = text_hash64(tmp, len);
                } else h = text_hash64(s + a, len);
            } else {
                low.len = 0;
                if ((st = text_normalize(s + a, b - a, TEXT_NORM_NFC, 1, &low, NULL))) goto done;
                h = text_hash64(low.data, low.len);
            }
            PUSH(h);
        }
    } else {
        if ((st = text_normalize(s, n, TEXT_NORM_NFC, 1, &low, NULL))) goto done;
        const unsigned char *p = (const unsigned char *)low.data;
        size_t i = 0, len = low.len;
        int space = 0;
        while (i < len) {
            uint32_t cp;
            int l = p[i] < 0x80 ? (cp = p[i], 1) : text_utf8_decode(p + i, len - i, &cp);
            i += (size_t)(l > 0 ? l : -l);
            if (cp == ' ' || cp == '\n' || cp == '\t' || cp == '\r') { space = 1; continue; }
            if (space && m > 0) PUSH(' ');
            space = 0;
            PUSH(cp);
        }
    }
#undef PUSH
done:
    text_buf_free(&low);
    if (st) { free(u); return st; }
    *out = u;
    *count = m;
    return LLM_OK;
}

llm_status text_shingles(const char *s, size_t n, text_shingle_kind kind, int k, uint64_t **out, size_t *count)
{
    if (k < 1 || k > 64) return llm_fail(LLM_ERR_ARG, "shingles: size %d is not between 1 and 64", k);
    if (kind != TEXT_SHINGLE_WORD && kind != TEXT_SHINGLE_CHAR)
        return llm_fail(LLM_ERR_ARG, "shingles: unknown kind %d", (int)kind);
    uint64_t *u;
    size_t m;
    llm_status st = units_of(s, n, kind, &u, &m);
    if (st) return st;
    size_t kk = (size_t)k;
    size_t ns = m == 0 ? 0 : (m < kk ? 1 : m - kk + 1);
    uint64_t *sh = llm_malloc((ns ? ns : 1) * sizeof *sh);
    if (!sh) { free(u); return LLM_ERR_NOMEM; }
    if (m > 0 && m < kk) sh[0] = window_hash(u, 0, m);
    else for (size_t i = 0; i < ns; i++) sh[i] = window_hash(u, i, kk);
    free(u);
    qsort(sh, ns, sizeof *sh, cmp_u64);
    size_t w = 0;
    for (size_t i = 0; i < ns; i++)
        if (w == 0 || sh[i] != sh[w - 1]) sh[w++] = sh[i];
    *out = sh;
    *count = w;
    return LLM_OK;
}

double text_jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    if (na == 0 && nb == 0) return 1.0;
    size_t i = 0, j = 0, inter = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) { inter++; i++; j++; }
        else if (a[i] < b[j]) i++;
        else j++;
    }
    return (double)inter / (double)(na + nb - inter);
}
