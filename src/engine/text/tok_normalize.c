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

/* ---- WordNet lemmas: morphy as NLTK's WordNetLemmatizer does it.
 *
 * 0. if the word is in the part of speech's exception list (noun.exc, ...),
 *    the candidates are the word and its listed base forms;
 * 1. else apply the detachment rules once (e.g. nouns: -ses -> -s, -ies -> -y),
 *    the candidates are the word and the results;
 * 2. keep the candidates that are lemmas in index.<pos>; if none, keep
 *    applying the rules to the results until some are;
 * then the lemma is the shortest candidate (the first on ties), or the word.
 * Index lookups use libwordnet (wninit, bin_search on its index files). */

static int wn_state; /* 0 not tried, 1 ready, -1 failed */
static FILE *wn_exc[NUMPARTS + 1];

static int quiet_message(char *msg) { (void)msg; return -1; }

static const char *wn_dir(void)
{
    const char *d = getenv("WNSEARCHDIR");
    return d && *d ? d : "/usr/share/wordnet";
}

static llm_status wn_open(void)
{
    if (wn_state == 0) {
        display_message = quiet_message;
        wn_state = wninit() == 0 ? 1 : -1;
        static const char *const exc_name[NUMPARTS + 1] = { NULL, "noun", "verb", "adj", "adv" };
        for (int p = 1; p <= NUMPARTS && wn_state > 0; p++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s.exc", wn_dir(), exc_name[p]);
            wn_exc[p] = fopen(path, "r");
            if (!wn_exc[p]) wn_state = -1;
        }
    }
    if (wn_state < 0)
        return llm_fail(LLM_ERR_IO, "lemmatize: cannot open the WordNet database in %s "
                        "(install the Debian package wordnet-base, or set WNSEARCHDIR)", wn_dir());
    return LLM_OK;
}

static int wn_pos(char pos)
{
    switch (pos) {
    case 'n': return NOUN;
    case 'v': return VERB;
    case 'a': case 's': return ADJ;
    case 'r': return ADV;
    default: return 0;
    }
}

typedef struct rule { const char *old, *new_; } rule;
static const rule noun_rules[] = { { "s", "" }, { "ses", "s" }, { "ves", "f" }, { "xes", "x" }, { "zes", "z" },
                                   { "ches", "ch" }, { "shes", "sh" }, { "men", "man" }, { "ies", "y" }, { NULL, NULL } };
static const rule verb_rules[] = { { "s", "" }, { "ies", "y" }, { "es", "e" }, { "es", "" }, { "ed", "e" },
                                   { "ed", "" }, { "ing", "e" }, { "ing", "" }, { NULL, NULL } };
static const rule adj_rules[] = { { "er", "" }, { "est", "" }, { "er", "e" }, { "est", "e" }, { NULL, NULL } };
static const rule adv_rules[] = { { NULL, NULL } };

#define FORMS_MAX 256
#define FORM_LEN 256
typedef struct forms { char f[FORMS_MAX][FORM_LEN]; int n; } forms;

static void forms_add(forms *fs, const char *s, size_t n)
{
    if (fs->n >= FORMS_MAX || n >= FORM_LEN) return;
    memcpy(fs->f[fs->n], s, n);
    fs->f[fs->n][n] = 0;
    fs->n++;
}

static void apply_rules(const forms *in, const rule *rules, forms *out)
{
    out->n = 0;
    for (int i = 0; i < in->n; i++) {
        size_t l = strlen(in->f[i]);
        for (const rule *r = rules; r->old; r++) {
            size_t ol = strlen(r->old), nl = strlen(r->new_);
            if (l < ol || strcmp(in->f[i] + l - ol, r->old) != 0) continue;
            char tmp[FORM_LEN];
            if (l - ol + nl >= FORM_LEN) continue;
            memcpy(tmp, in->f[i], l - ol);
            memcpy(tmp + l - ol, r->new_, nl + 1);
            forms_add(out, tmp, l - ol + nl);
        }
    }
}

/* Keep the forms that are lemmas of this part of speech, without repeats;
 * the shortest (first on ties) goes to best. Returns how many there were. */
static int filter_best(const forms *fs, int wpos, char *best)
{
    int found = 0;
    for (int i = 0; i < fs->n; i++) {
        if (!fs->f[i][0] || !bin_search((char *)fs->f[i], indexfps[wpos])) continue;
        if (!found || strlen(fs->f[i]) < strlen(best)) strcpy(best, fs->f[i]);
        found++;
    }
    return found;
}

/* What lemmatize and morphstr check first: a part of speech n, v, a or r
 * (*wpos gets WordNet's number), a non-empty valid UTF-8 word shorter than
 * FORM_LEN and cap bytes (w gets it lowercased, *len its length), and
 * WordNet's files open. */
static llm_status wn_word(const char *op, const char *word, char pos, size_t cap, int *wpos, char w[FORM_LEN],
                          size_t *len)
{
    *wpos = wn_pos(pos);
    if (!*wpos) return llm_fail(LLM_ERR_ARG, "%s: part of speech '%c' is not one of n, v, a, r", op, pos ? pos : '?');
    *len = strlen(word);
    llm_status st = check_utf8(word, *len, op);
    if (st) return st;
    if (*len == 0) return llm_fail(LLM_ERR_ARG, "%s: empty word", op);
    if (*len >= FORM_LEN || *len >= cap) return llm_fail(LLM_ERR_ARG, "%s: word too long (%zu bytes)", op, *len);
    if ((st = wn_open())) return st;
    for (size_t i = 0; i <= *len; i++) w[i] = (char)tolower((unsigned char)word[i]);
    return LLM_OK;
}

llm_status tok_lemmatize(const char *word, char pos, char *buf, size_t cap)
{
    int wpos;
    size_t len;
    char w[FORM_LEN], best[FORM_LEN];
    llm_status st = wn_word("lemmatize", word, pos, cap, &wpos, w, &len);
    if (st) return st;
    const rule *rules = wpos == NOUN ? noun_rules : wpos == VERB ? verb_rules : wpos == ADJ ? adj_rules : adv_rules;

    static forms a, b; /* large: not on the stack (the engine is not re-entrant here anyway) */
    a.n = 0;
    forms_add(&a, w, len);
    const char *exc = strchr(w, ' ') ? NULL : bin_search(w, wn_exc[wpos]);
    if (exc) {
        /* "geese goose": the base forms follow the word */
        const char *p = strchr(exc, ' ');
        while (p && *p) {
            while (*p == ' ') p++;
            size_t l = strcspn(p, " \n");
            if (l) forms_add(&a, p, l);
            p += l;
            if (*p == '\n') break;
        }
        snprintf(buf, cap, "%s", filter_best(&a, wpos, best) ? best : w);
        return LLM_OK;
    }
    apply_rules(&a, rules, &b);
    for (int i = 0; i < b.n; i++) forms_add(&a, b.f[i], strlen(b.f[i]));
    if (filter_best(&a, wpos, best)) { snprintf(buf, cap, "%s", best); return LLM_OK; }
    while (b.n) {
        apply_rules(&b, rules, &a);
        b = a;
        if (filter_best(&b, wpos, best)) { snprintf(buf, cap, "%s", best); return LLM_OK; }
    }
    snprintf(buf, cap, "%s", w);
    return LLM_OK;
}

/* Every base form libwordnet's own morphstr() gives, joined by spaces. */
llm_status tok_morphstr(const char *word, char pos, char *buf, size_t cap)
{
    int wpos;
    size_t len;
    char w[FORM_LEN];
    llm_status st = wn_word("morphstr", word, pos, FORM_LEN, &wpos, w, &len);
    if (st) return st;
    size_t k = 0;
    buf[0] = 0;
    for (const char *lemma = morphstr(w, wpos); lemma; lemma = morphstr(NULL, wpos)) {
        int n = snprintf(buf + k, cap - k, "%s%s", k ? " " : "", lemma);
        if (n < 0 || (size_t)n >= cap - k) return llm_fail(LLM_ERR_ARG, "morphstr: too many base forms");
        k += (size_t)n;
    }
    return LLM_OK;
}

static int is_punct_cat(utf8proc_category_t c)
{
    return c == UTF8PROC_CATEGORY_PC || c == UTF8PROC_CATEGORY_PD || c == UTF8PROC_CATEGORY_PS ||
           c == UTF8PROC_CATEGORY_PE || c == UTF8PROC_CATEGORY_PI || c == UTF8PROC_CATEGORY_PF ||
           c == UTF8PROC_CATEGORY_PO;
}

/* A copy of s (checked to be UTF-8) with every code point that repl spells
 * otherwise (a string; "" drops it) replaced, the others kept. No spelling
 * is longer than its code point, so the copy fits in len + 1 bytes. */
typedef const char *(*punct_repl)(utf8proc_int32_t cp, char one[2], int space);
static llm_status punct_map(const char *s, size_t len, punct_repl repl, int space, char **out, size_t *out_len)
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
        char one[2];
        const char *r = repl(cp, one, space);
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

/* Punctuation (Unicode P* categories) becomes a space, or nothing. */
static const char *punct_drop(utf8proc_int32_t cp, char one[2], int space)
{
    (void)one;
    return is_punct_cat(utf8proc_category(cp)) ? (space ? " " : "") : NULL;
}

llm_status tok_punct_remove(const char *s, size_t len, int space, char **out, size_t *out_len)
{
    return punct_map(s, len, punct_drop, space, out, out_len);
}

/* The ASCII spelling of a punctuation code point, or NULL to keep it. */
static const char *punct_ascii(utf8proc_int32_t cp, char one[2], int space)
{
    (void)space;
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
    return punct_map(s, len, punct_ascii, 0, out, out_len);
}
