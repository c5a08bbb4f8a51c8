/*
 * tok_normalize.c: word normalisation: lowercasing and Unicode case folding
 * (utf8proc), Snowball stemming (libstemmer: english = porter2, porter,
 * and the other languages it has) and lemmatisation with WordNet's morphy
 * rules and exception lists (libwordnet's morphstr over the WordNet 3.0
 * database in /usr/share/wordnet, or $WNSEARCHDIR).
 */
#include <ctype.h>
#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <wn.h>
#include "tokenize.h"

static llm_status check_utf8(const char *s, size_t len, const char *op)
{
    for (size_t i = 0; i < len;) {
        size_t l = tok_utf8_seq_len((const unsigned char *)s + i, len - i);
        if (!l) return llm_fail(LLM_ERR_ARG, "%s: the text is not valid UTF-8 (bad byte 0x%02x at byte %zu)", op,
                                (unsigned char)s[i], i + 1);
        i += l;
    }
    return LLM_OK;
}

llm_status tok_lowercase(const char *s, size_t len, char **out, size_t *out_len)
{
    *out = NULL;
    llm_status st = check_utf8(s, len, "lowercase");
    if (st) return st;
    /* A lowercase code point never needs more than 4 bytes: 4 * len is enough. */
    char *d = llm_malloc(len * 4 + 1);
    if (!d) return LLM_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (l <= 0) { free(d); return llm_fail(LLM_ERR_ARG, "lowercase: invalid UTF-8 at byte %zu", i + 1); }
        k += (size_t)utf8proc_encode_char(utf8proc_tolower(cp), (utf8proc_uint8_t *)d + k);
        i += (size_t)l;
    }
    d[k] = 0;
    *out = d;
    *out_len = k;
    return LLM_OK;
}

llm_status tok_casefold(const char *s, size_t len, char **out, size_t *out_len)
{
    *out = NULL;
    llm_status st = check_utf8(s, len, "casefold");
    if (st) return st;
    utf8proc_uint8_t *d = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &d,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
    if (n < 0) return llm_fail(LLM_ERR_ARG, "casefold: %s", utf8proc_errmsg(n));
    /* Hand back memory from our allocator so callers free() it the usual way. */
    char *c = llm_malloc((size_t)n + 1);
    if (!c) { free(d); return LLM_ERR_NOMEM; }
    memcpy(c, d, (size_t)n);
    c[n] = 0;
    free(d);
    *out = c;
    *out_len = (size_t)n;
    return LLM_OK;
}

struct tok_stemmer {
    struct sb_stemmer *sb;
};

const char **tok_stemmer_list(void) { return sb_stemmer_list(); }

llm_status tok_stemmer_new(tok_stemmer **out, const char *algorithm)
{
    *out = NULL;
    struct sb_stemmer *sb = sb_stemmer_new(algorithm, "UTF_8");
    if (!sb) {
        char names[1024] = "";
        size_t k = 0;
        for (const char **l = sb_stemmer_list(); *l && k + 32 < sizeof names; l++)
            k += (size_t)snprintf(names + k, sizeof names - k, "%s%s", k ? ", " : "", *l);
        return llm_fail(LLM_ERR_ARG, "stemmer: no Snowball algorithm '%s' (known: %s)", algorithm, names);
    }
    tok_stemmer *s = llm_malloc(sizeof *s);
    if (!s) { sb_stemmer_delete(sb); return LLM_ERR_NOMEM; }
    s->sb = sb;
    *out = s;
    return LLM_OK;
}

void tok_stemmer_free(tok_stemmer *s)
{
    if (!s) return;
    sb_stemmer_delete(s->sb);
    free(s);
}

llm_status tok_stem(tok_stemmer *s, const char *word, size_t len, const char **stem, size_t *stem_len)
{
    llm_status st = check_utf8(word, len, "stem");
    if (st) return st;
    if (len > 1 << 20) return llm_fail(LLM_ERR_ARG, "stem: word too long (%zu bytes)", len);
    const sb_symbol *r = sb_stemmer_stem(s->sb, (const sb_symbol *)word, (int)len);
    if (!r) return llm_fail(LLM_ERR_NOMEM, "stem: out of memory");
    *stem = (const char *)r;
    *stem_len = (size_t)sb_stemmer_length(s->sb);
    return LLM_OK;
}

static int wn_state; /* 0 not tried, 1 ready, -1 failed */

static int quiet_message(char *msg) { (void)msg; return -1; }

llm_status tok_lemmatize(const char *word, char pos, char *buf, size_t cap)
{
    int wpos;
    switch (pos) {
    case 'n': wpos = NOUN; break;
    case 'v': wpos = VERB; break;
    case 'a': case 's': wpos = ADJ; break;
    case 'r': wpos = ADV; break;
    default: return llm_fail(LLM_ERR_ARG, "lemmatize: part of speech '%c' is not one of n, v, a, r", pos ? pos : '?');
    }
    size_t len = strlen(word);
    llm_status st = check_utf8(word, len, "lemmatize");
    if (st) return st;
    if (len == 0) return llm_fail(LLM_ERR_ARG, "lemmatize: empty word");
    if (len >= 256 || len >= cap) return llm_fail(LLM_ERR_ARG, "lemmatize: word too long (%zu bytes)", len);
    if (wn_state == 0) {
        display_message = quiet_message;
        wn_state = wninit() == 0 ? 1 : -1;
    }
    if (wn_state < 0)
        return llm_fail(LLM_ERR_IO, "lemmatize: cannot open the WordNet database in %s "
                        "(install the Debian package wordnet-base, or set WNSEARCHDIR)",
                        getenv("WNSEARCHDIR") ? getenv("WNSEARCHDIR") : "/usr/share/wordnet");
    char w[256];
    for (size_t i = 0; i <= len; i++) w[i] = (char)tolower((unsigned char)word[i]);
    /* WordNet writes multi-word lemmas with '_'; morphstr wants the word as is. */
    const char *lemma = morphstr(w, wpos);
    /* morphstr gives NULL when the word is its own base form or unknown. */
    snprintf(buf, cap, "%s", lemma ? lemma : w);
    return LLM_OK;
}

static int is_punct_cat(utf8proc_category_t c)
{
    return c == UTF8PROC_CATEGORY_PC || c == UTF8PROC_CATEGORY_PD || c == UTF8PROC_CATEGORY_PS ||
           c == UTF8PROC_CATEGORY_PE || c == UTF8PROC_CATEGORY_PI || c == UTF8PROC_CATEGORY_PF ||
           c == UTF8PROC_CATEGORY_PO;
}

llm_status tok_punct_remove(const char *s, size_t len, int space, char **out, size_t *out_len)
{
    *out = NULL;
    llm_status st = check_utf8(s, len, "punctuation");
    if (st) return st;
    char *d = llm_malloc(len + 1);
    if (!d) return LLM_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (l <= 0) { free(d); return llm_fail(LLM_ERR_ARG, "punctuation: invalid UTF-8 at byte %zu", i + 1); }
        if (is_punct_cat(utf8proc_category(cp))) {
            if (space) d[k++] = ' ';
        } else {
            memcpy(d + k, s + i, (size_t)l);
            k += (size_t)l;
        }
        i += (size_t)l;
    }
    d[k] = 0;
    *out = d;
    *out_len = k;
    return LLM_OK;
}

/* The ASCII spelling of a punctuation code point, or NULL to keep it. */
static const char *punct_ascii(utf8proc_int32_t cp, char one[2])
{
    switch (cp) {
    case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2039: case 0x203A: case 0x2032: return "'";
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x00AB: case 0x00BB: case 0x2033: return "\"";
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015: case 0x2212: case 0xFE58:
    case 0xFE63: case 0xFF0D: return "-";
    case 0x2026: return "...";
    case 0x2022: case 0x00B7: return "*";
    case 0x3001: return ",";
    case 0x3002: return ".";
    default: break;
    }
    /* fullwidth ASCII punctuation U+FF01..U+FF5E (except letters and digits) */
    if (cp >= 0xFF01 && cp <= 0xFF5E) {
        int c = (int)(cp - 0xFF01 + 0x21);
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
            one[0] = (char)c;
            one[1] = 0;
            return one;
        }
    }
    return NULL;
}

llm_status tok_punct_standardize(const char *s, size_t len, char **out, size_t *out_len)
{
    *out = NULL;
    llm_status st = check_utf8(s, len, "punctuation");
    if (st) return st;
    char *d = llm_malloc(len + 1); /* every replacement is no longer than the original */
    if (!d) return LLM_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (l <= 0) { free(d); return llm_fail(LLM_ERR_ARG, "punctuation: invalid UTF-8 at byte %zu", i + 1); }
        char one[2];
        const char *r = punct_ascii(cp, one);
        if (r) {
            size_t rl = strlen(r);
            memcpy(d + k, r, rl);
            k += rl;
        } else {
            memcpy(d + k, s + i, (size_t)l);
            k += (size_t)l;
        }
        i += (size_t)l;
    }
    d[k] = 0;
    *out = d;
    *out_len = k;
    return LLM_OK;
}
