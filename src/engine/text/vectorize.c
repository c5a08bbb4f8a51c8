/*
 * vectorize.c: CountVectorizer / TfidfVectorizer (vectorizer.h) with
 * scikit-learn's semantics. Terms are interned in a tok_map (tok_map.h,
 * the entry index is the term id); each document becomes a sorted run of (term, count); the
 * vocabulary is pruned by document frequency and max_features, sorted by
 * bytes, and the columns renumbered at the end, as scikit-learn does.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <math.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include "vectorizer.h"
#include "tok_map.h"

/* ------------------------------------------------------------ term table */
/* Id of the term, added when absent; -1 on failure (the message is set). */
static int64_t table_intern(tok_map *t, const char *s, size_t n)
{
    if (n > UINT32_MAX || t->n >= INT32_MAX) {
        llm_fail(LLM_ERR_ARG, "vectorizer: too many or too long terms");
        return -1;
    }
    size_t id;
    return tok_map_add(t, s, n, 0, &id, NULL) ? -1 : (int64_t)id;
}

static const char *table_term(const tok_map *t, size_t id)
{
    size_t len;
    return tok_map_key(t, id, &len);
}

/* ------------------------------------------------------------ vectorizer */
struct features_vectorizer {
    features_opts o;
    pcre2_code *re;
    pcre2_match_data *md;
    int use_group;     /* the pattern has one capture group: tokens are group 1 */
    tok_map stop;      /* stop words */
    tok_map terms;     /* every term seen while fitting (or the fixed vocabulary) */
    int64_t *col_of;   /* (terms.n) column of each term or -1 */
    uint32_t *term_of; /* (ncols) term id of each column */
    double *idf;       /* (ncols) */
    size_t ncols;
    int fitted, fixed_vocab;
    /* scratch, reused between documents */
    char *low;
    size_t low_cap;
    size_t *tok;       /* (2 * ntok) offset, length pairs */
    size_t tok_cap;
    char *gram;
    size_t gram_cap;
};

void features_default_opts(features_opts *o, int tfidf)
{
    memset(o, 0, sizeof *o);
    o->lowercase = 1;
    o->ngram_min = o->ngram_max = 1;
    o->min_df = 1;
    o->min_df_is_count = 1;
    o->max_df = 1.0;
    o->max_df_is_count = 0;
    o->tfidf = tfidf;
    o->use_idf = 1;
    o->smooth_idf = 1;
    o->norm = FEATURES_NORM_L2;
}

void features_free(features_vectorizer *v)
{
    if (!v) return;
    if (v->md) pcre2_match_data_free(v->md);
    if (v->re) pcre2_code_free(v->re);
    tok_map_free(&v->stop);
    tok_map_free(&v->terms);
    free(v->col_of);
    free(v->term_of);
    free(v->idf);
    free(v->low);
    free(v->tok);
    free(v->gram);
    free(v);
}

llm_status features_new(features_vectorizer **out, const features_opts *o)
{
    *out = NULL;
    if (o->ngram_min < 1 || o->ngram_max < o->ngram_min)
        return llm_fail(LLM_ERR_ARG, "vectorizer: invalid ngram_range {%d, %d}: need 1 <= min <= max",
                        o->ngram_min, o->ngram_max);
    if (o->ngram_max > 64) return llm_fail(LLM_ERR_ARG, "vectorizer: ngram_range max %d is too large (64 at most)", o->ngram_max);
    if (o->min_df < 0 || (!o->min_df_is_count && o->min_df > 1))
        return llm_fail(LLM_ERR_ARG, "vectorizer: min_df %g must be a count >= 0 or a proportion in [0, 1]", o->min_df);
    if (o->max_df < 0 || (!o->max_df_is_count && o->max_df > 1))
        return llm_fail(LLM_ERR_ARG, "vectorizer: max_df %g must be a count >= 0 or a proportion in [0, 1]", o->max_df);
    if (o->max_features < 0) return llm_fail(LLM_ERR_ARG, "vectorizer: max_features must be positive");
    if (o->norm < FEATURES_NORM_NONE || o->norm > FEATURES_NORM_L2) return llm_fail(LLM_ERR_ARG, "vectorizer: unknown norm");
    features_vectorizer *v = llm_calloc(1, sizeof *v);
    if (!v) return LLM_ERR_NOMEM;
    v->o = *o;
    v->o.stop_words = NULL;
    v->o.token_pattern = NULL;
    if (o->analyzer == FEATURES_ANALYZER_WORD) {
        const char *pat = o->token_pattern ? o->token_pattern : "(?u)\\b\\w\\w+\\b";
        /* Python 3 patterns on str are always Unicode; PCRE2 spells that with flags. */
        if (strncmp(pat, "(?u)", 4) == 0) pat += 4;
        int err;
        PCRE2_SIZE erroff;
        v->re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP, &err, &erroff, NULL);
        if (!v->re) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(err, msg, sizeof msg);
            features_free(v);
            return llm_fail(LLM_ERR_ARG, "vectorizer: token_pattern does not compile at offset %zu: %s",
                            (size_t)erroff, (const char *)msg);
        }
        pcre2_jit_compile(v->re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter if JIT is missing */
        uint32_t ncap = 0;
        pcre2_pattern_info(v->re, PCRE2_INFO_CAPTURECOUNT, &ncap);
        if (ncap > 1) {
            features_free(v);
            return llm_fail(LLM_ERR_ARG, "vectorizer: token_pattern has %u capture groups; at most one is allowed", ncap);
        }
        v->use_group = ncap == 1;
        v->md = pcre2_match_data_create_from_pattern(v->re, NULL);
        if (!v->md) {
            features_free(v);
            return llm_fail(LLM_ERR_NOMEM, "vectorizer: out of memory");
        }
        for (size_t i = 0; i < o->n_stop; i++)
            if (table_intern(&v->stop, o->stop_words[i], strlen(o->stop_words[i])) < 0) {
                features_free(v);
                return LLM_ERR_NOMEM;
            }
    } else if (o->analyzer != FEATURES_ANALYZER_CHAR && o->analyzer != FEATURES_ANALYZER_CHAR_WB) {
        features_free(v);
        return llm_fail(LLM_ERR_ARG, "vectorizer: unknown analyzer");
    }
    *out = v;
    return LLM_OK;
}

/* Python's str.isspace(). */
static int py_isspace(int32_t c)
{
    if (c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f) || c == 0x85 || c == 0xa0) return 1;
    if (c < 0x1680) return 0;
    return c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
           c == 0x205f || c == 0x3000;
}

static llm_status ensure(void **buf, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return LLM_OK;
    size_t nc = *cap ? *cap : 256;
    while (nc < need) nc *= 2;
    void *p = llm_realloc(*buf, nc * elem);
    if (!p) return LLM_ERR_NOMEM;
    *buf = p;
    *cap = nc;
    return LLM_OK;
}

/* Lowercase (when asked) and validate doc into dst (room for 3 * len + 1). */
static llm_status lower_into(const char *doc, size_t len, int lowercase, char *dst, size_t *out_len, size_t docno)
{
    size_t w = 0, i = 0;
    while (i < len) {
        unsigned char b = (unsigned char)doc[i];
        if (b < 0x80) {
            dst[w++] = (char)(lowercase && b >= 'A' && b <= 'Z' ? b + 32 : b);
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)doc + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n < 0)
            return llm_fail(LLM_ERR_FORMAT, "vectorizer: document %zu is not valid UTF-8 (byte %zu)", docno + 1, i + 1);
        if (lowercase) {
            if (cp == 0x130) { /* Python: U+0130 lowercases to "i" + combining dot */
                memcpy(dst + w, "i\xcc\x87", 3);
                w += 3;
                i += (size_t)n;
                continue;
            }
            cp = utf8proc_tolower(cp);
        }
        w += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)dst + w);
        i += (size_t)n;
    }
    dst[w] = '\0';
    *out_len = w;
    return LLM_OK;
}

/* Lowercase (when asked) and validate a document into v->low; returns its length. */
static llm_status preprocess(features_vectorizer *v, const char *doc, size_t len, size_t docno, size_t *out_len)
{
    if (ensure((void **)&v->low, &v->low_cap, len * 3 + 8, 1)) return LLM_ERR_NOMEM;
    return lower_into(doc, len, v->o.lowercase, v->low, out_len, docno);
}

llm_status features_lowercase(const char *s, size_t len, char **out, size_t *out_len)
{
    *out = llm_malloc(len * 3 + 1);
    if (!*out) return LLM_ERR_NOMEM;
    llm_status st = lower_into(s, len, 1, *out, out_len, 0);
    if (st) {
        free(*out);
        *out = NULL;
        llm_fail(st, "lowercase: the text is not valid UTF-8");
    }
    return st;
}

/* Length of the UTF-8 sequence starting with byte b (input is valid). */
static inline size_t u8len(unsigned char b) { return b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4; }

static llm_status emit(features_vectorizer *v, features_term_fn fn, void *ud, const char *s, size_t n)
{
    (void)v;
    fn(ud, s, n);
    return llm_interrupted() ? LLM_ERR_INTERRUPTED : LLM_OK;
}

/* Whitespace runs of two or more become one space (scikit-learn's \s\s+). */
static size_t squeeze_spaces(char *s, size_t len)
{
    size_t w = 0, i = 0;
    while (i < len) {
        utf8proc_int32_t cp = 0;
        size_t n = (size_t)utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (py_isspace(cp)) {
            size_t j = i + n, runs = 1;
            while (j < len) {
                utf8proc_int32_t c2 = 0;
                size_t m = (size_t)utf8proc_iterate((const utf8proc_uint8_t *)s + j, (utf8proc_ssize_t)(len - j), &c2);
                if (!py_isspace(c2)) break;
                j += m;
                runs++;
            }
            if (runs >= 2) {
                s[w++] = ' ';
                i = j;
                continue;
            }
        }
        memmove(s + w, s + i, n);
        w += n;
        i += n;
    }
    return w;
}

static llm_status analyze_char(features_vectorizer *v, const char *s, size_t len, features_term_fn fn, void *ud)
{
    int lo = v->o.ngram_min, hi = v->o.ngram_max;
    /* offsets of each character, plus the end */
    size_t nch = 0;
    for (size_t i = 0; i < len; i += u8len((unsigned char)s[i])) nch++;
    if (ensure((void **)&v->tok, &v->tok_cap, nch + 1, sizeof *v->tok)) return LLM_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < len; i += u8len((unsigned char)s[i])) v->tok[k++] = i;
    v->tok[k] = len;
    if (v->o.analyzer == FEATURES_ANALYZER_CHAR) {
        for (int n = lo; n <= hi && (size_t)n <= nch; n++)
            for (size_t i = 0; i + (size_t)n <= nch; i++)
                if (emit(v, fn, ud, s + v->tok[i], v->tok[i + n] - v->tok[i])) return LLM_ERR_INTERRUPTED;
        return LLM_OK;
    }
    /* char_wb: each whitespace-separated word, padded with one space each side */
    size_t i = 0;
    while (i < nch) {
        utf8proc_int32_t cp;
        utf8proc_iterate((const utf8proc_uint8_t *)s + v->tok[i], 4, &cp);
        if (py_isspace(cp)) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < nch) {
            utf8proc_iterate((const utf8proc_uint8_t *)s + v->tok[j], 4, &cp);
            if (py_isspace(cp)) break;
            j++;
        }
        size_t wbytes = v->tok[j] - v->tok[i];
        if (ensure((void **)&v->gram, &v->gram_cap, wbytes + 3, 1)) return LLM_ERR_NOMEM;
        v->gram[0] = ' ';
        memcpy(v->gram + 1, s + v->tok[i], wbytes);
        v->gram[wbytes + 1] = ' ';
        /* character offsets inside the padded word */
        size_t wl = j - i + 2;
        size_t offs[wl + 1]; /* words are short; the VLA stays on the stack */
        if (wl > 4096) return llm_fail(LLM_ERR_ARG, "vectorizer: a word of %zu characters is too long for char_wb", wl);
        offs[0] = 0;
        for (size_t c = 0; c < j - i; c++) offs[c + 1] = 1 + v->tok[i + c] - v->tok[i];
        offs[wl - 1] = wbytes + 1;
        offs[wl] = wbytes + 2;
        for (int n = lo; n <= hi; n++) {
            size_t off = 0, end = (size_t)n < wl ? (size_t)n : wl;
            if (emit(v, fn, ud, v->gram + offs[0], offs[end] - offs[0])) return LLM_ERR_INTERRUPTED;
            while (off + (size_t)n < wl) {
                off++;
                end = off + (size_t)n < wl ? off + (size_t)n : wl;
                if (emit(v, fn, ud, v->gram + offs[off], offs[end] - offs[off])) return LLM_ERR_INTERRUPTED;
            }
            if (off == 0) break;
        }
        i = j;
    }
    return LLM_OK;
}

static llm_status analyze_word(features_vectorizer *v, const char *s, size_t len, features_term_fn fn, void *ud)
{
    size_t ntok = 0, start = 0;
    while (start <= len) {
        int rc = pcre2_match(v->re, (PCRE2_SPTR)s, len, start, PCRE2_NO_UTF_CHECK, v->md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(rc, msg, sizeof msg);
            return llm_fail(LLM_ERR_ARG, "vectorizer: token_pattern match failed: %s", (const char *)msg);
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(v->md);
        size_t a = ov[0], b = ov[1];
        size_t ta = a, tb = b;
        if (v->use_group) {
            if (rc >= 2 && ov[2] != PCRE2_UNSET) {
                ta = ov[2];
                tb = ov[3];
            } else {
                ta = tb = a; /* Python's findall gives "" for a group that did not take part */
            }
        }
        size_t sn = tb - ta;
        int stopped = v->stop.n && tok_map_find(&v->stop, s + ta, sn) >= 0;
        if (!stopped) {
            if (ensure((void **)&v->tok, &v->tok_cap, 2 * ntok + 2, sizeof *v->tok)) return LLM_ERR_NOMEM;
            v->tok[2 * ntok] = ta;
            v->tok[2 * ntok + 1] = sn;
            ntok++;
        }
        if (b == a) { /* an empty match: step over one character */
            if (a >= len) break;
            start = a + u8len((unsigned char)s[a]);
        } else {
            start = b;
        }
    }
    int lo = v->o.ngram_min, hi = v->o.ngram_max;
    for (int n = lo; n <= hi; n++) {
        if ((size_t)n > ntok) break;
        for (size_t i = 0; i + (size_t)n <= ntok; i++) {
            if (n == 1) {
                if (emit(v, fn, ud, s + v->tok[2 * i], v->tok[2 * i + 1])) return LLM_ERR_INTERRUPTED;
                continue;
            }
            size_t total = 0;
            for (int k = 0; k < n; k++) total += v->tok[2 * (i + k) + 1] + 1;
            if (ensure((void **)&v->gram, &v->gram_cap, total, 1)) return LLM_ERR_NOMEM;
            size_t w = 0;
            for (int k = 0; k < n; k++) {
                if (k) v->gram[w++] = ' ';
                memcpy(v->gram + w, s + v->tok[2 * (i + k)], v->tok[2 * (i + k) + 1]);
                w += v->tok[2 * (i + k) + 1];
            }
            if (emit(v, fn, ud, v->gram, w)) return LLM_ERR_INTERRUPTED;
        }
    }
    return LLM_OK;
}

static llm_status analyze_doc(features_vectorizer *v, const char *doc, size_t len, size_t docno,
                              features_term_fn fn, void *ud)
{
    size_t n = 0;
    llm_status s = preprocess(v, doc, len, docno, &n);
    if (s) return s;
    if (v->o.analyzer == FEATURES_ANALYZER_WORD) s = analyze_word(v, v->low, n, fn, ud);
    else s = analyze_char(v, v->low, squeeze_spaces(v->low, n), fn, ud);
    if (s == LLM_ERR_INTERRUPTED) llm_fail(s, "vectorizer: interrupted");
    return s;
}

llm_status features_analyze(const features_vectorizer *cv, const char *doc, size_t len, features_term_fn fn, void *ud)
{
    return analyze_doc((features_vectorizer *)cv, doc, len, 0, fn, ud);
}

/* ------------------------------------------------------------ counting */
/* The distinct terms of the current document and their counts. A term's
 * stamp (the document number + 1 when it was last seen) and slot find its
 * entry without sorting; rows are sorted once, by column, at the end. */
typedef struct doc_ids {
    int32_t *ids;      /* (n) distinct terms of this document */
    uint32_t *counts;  /* (n) */
    size_t n, cap;
    size_t *stamp;     /* (scap) per term id */
    uint32_t *slot;    /* (scap) per term id */
    size_t scap;
    size_t doc;        /* current document + 1 */
    features_vectorizer *v;
    int learn;         /* intern new terms (fit) or look them up (transform) */
    llm_status err;
} doc_ids;

static void collect_term(void *ud, const char *term, size_t len)
{
    doc_ids *d = ud;
    if (d->err) return;
    int64_t id;
    if (d->learn) {
        id = table_intern(&d->v->terms, term, len);
        if (id < 0) {
            d->err = *llm_last_error() ? LLM_ERR_ARG : LLM_ERR_NOMEM;
            return;
        }
    } else {
        id = tok_map_find(&d->v->terms, term, len);
        if (id < 0 || d->v->col_of[id] < 0) return;
        id = d->v->col_of[id];
    }
    if ((size_t)id >= d->scap) {
        size_t old = d->scap, nc = old ? old : 1024;
        while (nc <= (size_t)id) nc *= 2;
        size_t *st = llm_realloc(d->stamp, nc * sizeof *st);
        if (!st) { d->err = LLM_ERR_NOMEM; return; }
        d->stamp = st;
        memset(st + old, 0, (nc - old) * sizeof *st);
        uint32_t *sl = llm_realloc(d->slot, nc * sizeof *sl);
        if (!sl) { d->err = LLM_ERR_NOMEM; return; }
        d->slot = sl;
        d->scap = nc;
    }
    if (d->stamp[id] == d->doc) {
        d->counts[d->slot[id]]++;
        return;
    }
    if (d->n == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 256;
        int32_t *ids = llm_realloc(d->ids, nc * sizeof *ids);
        if (!ids) { d->err = LLM_ERR_NOMEM; return; }
        d->ids = ids;
        uint32_t *c = llm_realloc(d->counts, nc * sizeof *c);
        if (!c) { d->err = LLM_ERR_NOMEM; return; }
        d->counts = c;
        d->cap = nc;
    }
    d->stamp[id] = d->doc;
    d->slot[id] = (uint32_t)d->n;
    d->ids[d->n] = (int32_t)id;
    d->counts[d->n++] = 1;
}

/* Count the terms of each document into a CSR matrix whose columns are
 * term ids (learn) or fitted columns (transform). */
static llm_status count_docs(features_vectorizer *v, const char *const *docs, const size_t *lens, size_t ndocs,
                             int learn, int64_t ncols_fixed, llm_csr **out)
{
    *out = NULL;
    doc_ids d = {.v = v, .learn = learn};
    int64_t *indptr = llm_calloc(ndocs + 1, sizeof *indptr);
    int32_t *cols = NULL;
    float *vals = NULL;
    size_t nnz = 0, cap = 0;
    llm_status s = indptr ? LLM_OK : LLM_ERR_NOMEM;
    for (size_t i = 0; i < ndocs && !s; i++) {
        if (!docs[i]) {
            s = llm_fail(LLM_ERR_ARG, "vectorizer: document %zu is missing", i + 1);
            break;
        }
        d.n = 0;
        d.doc = i + 1;
        s = analyze_doc(v, docs[i], lens ? lens[i] : strlen(docs[i]), i, collect_term, &d);
        if (!s) s = d.err;
        if (s) break;
        size_t need = nnz + d.n;
        if (need > cap) {
            size_t nc = cap ? cap : 4096;
            while (nc < need) nc *= 2;
            int32_t *c2 = llm_realloc(cols, nc * sizeof *c2);
            if (!c2) { s = LLM_ERR_NOMEM; break; }
            cols = c2;
            float *v2 = llm_realloc(vals, nc * sizeof *v2);
            if (!v2) { s = LLM_ERR_NOMEM; break; }
            vals = v2;
            cap = nc;
        }
        for (size_t j = 0; j < d.n; j++) {
            cols[nnz] = d.ids[j];
            vals[nnz++] = (float)d.counts[j];
        }
        indptr[i + 1] = (int64_t)nnz;
        if ((i & 1023) == 1023) llm_progress("vectorize", (double)i + 1, (double)ndocs);
    }
    free(d.ids);
    free(d.counts);
    free(d.stamp);
    free(d.slot);
    if (!s) {
        llm_csr *m = llm_calloc(1, sizeof *m);
        if (!m) s = LLM_ERR_NOMEM;
        else {
            m->nrows = (int64_t)ndocs;
            m->ncols = learn ? (int64_t)v->terms.n : ncols_fixed;
            m->nnz = (int64_t)nnz;
            m->indptr = indptr;
            m->indices = cols ? cols : llm_malloc(sizeof(int32_t));
            m->values = vals ? vals : llm_malloc(sizeof(float));
            if (!m->indices || !m->values) {
                csr_free(m);
                return LLM_ERR_NOMEM;
            }
            /* rows in column order (the learning path sorts after renumbering) */
            if (!learn && (s = csr_canonicalize(m))) {
                csr_free(m);
                return s;
            }
            *out = m;
            return LLM_OK;
        }
    }
    free(indptr);
    free(cols);
    free(vals);
    return s;
}

/* ------------------------------------------------------------ fitting */
static const tok_map *sort_table;
static int cmp_term(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    const tok_map *t = sort_table;
    size_t lx, ly;
    const char *sx = tok_map_key(t, x, &lx), *sy = tok_map_key(t, y, &ly);
    int c = memcmp(sx, sy, lx < ly ? lx : ly);
    if (c) return c;
    return (lx > ly) - (lx < ly);
}

typedef struct { double tf; uint32_t rank; uint32_t id; } tf_rank;
static int cmp_tf(const void *a, const void *b)
{
    const tf_rank *x = a, *y = b;
    if (x->tf != y->tf) return x->tf > y->tf ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

/* Sort the vocabulary, prune it, and set col_of / term_of. */
static llm_status build_vocabulary(features_vectorizer *v, const llm_csr *raw)
{
    size_t nt = v->terms.n;
    int64_t *df = llm_calloc(nt ? nt : 1, sizeof *df);
    double *tf = llm_calloc(nt ? nt : 1, sizeof *tf);
    uint32_t *order = llm_malloc((nt ? nt : 1) * sizeof *order);
    llm_status s = LLM_OK;
    if (!df || !tf || !order) {
        s = LLM_ERR_NOMEM;
        goto done;
    }
    for (int64_t p = 0; p < raw->nnz; p++) {
        df[raw->indices[p]]++;
        tf[raw->indices[p]] += v->o.binary ? 1.0 : raw->values[p];
    }
    for (size_t i = 0; i < nt; i++) order[i] = (uint32_t)i;
    sort_table = &v->terms;
    qsort(order, nt, sizeof *order, cmp_term);
    double n = (double)raw->nrows;
    double hi = v->o.max_df_is_count ? v->o.max_df : v->o.max_df * n;
    double lo = v->o.min_df_is_count ? v->o.min_df : v->o.min_df * n;
    if (hi < lo) {
        s = llm_fail(LLM_ERR_ARG, "vectorizer: max_df corresponds to < documents than min_df");
        goto done;
    }
    /* kept terms, in sorted order */
    size_t nkeep = 0;
    for (size_t r = 0; r < nt; r++) {
        uint32_t id = order[r];
        if ((double)df[id] <= hi && (double)df[id] >= lo) order[nkeep++] = id;
    }
    if (v->o.max_features > 0 && nkeep > (size_t)v->o.max_features) {
        tf_rank *tr = llm_malloc(nkeep * sizeof *tr);
        if (!tr) {
            s = LLM_ERR_NOMEM;
            goto done;
        }
        for (size_t r = 0; r < nkeep; r++) tr[r] = (tf_rank){tf[order[r]], (uint32_t)r, order[r]};
        qsort(tr, nkeep, sizeof *tr, cmp_tf);
        size_t lim = (size_t)v->o.max_features;
        /* keep the lim best, back in sorted-vocabulary order */
        size_t w = 0;
        for (size_t r = 0; r < nkeep; r++) order[r] = UINT32_MAX;
        for (size_t r = 0; r < lim; r++) order[tr[r].rank] = tr[r].id;
        for (size_t r = 0; r < nkeep; r++)
            if (order[r] != UINT32_MAX) order[w++] = order[r];
        nkeep = lim;
        free(tr);
    }
    if (nkeep == 0) {
        s = llm_fail(LLM_ERR_ARG, "vectorizer: after pruning, no terms remain; try a lower min_df or a higher max_df");
        goto done;
    }
    free(v->col_of);
    free(v->term_of);
    v->col_of = llm_malloc((nt ? nt : 1) * sizeof *v->col_of);
    v->term_of = llm_malloc(nkeep * sizeof *v->term_of);
    if (!v->col_of || !v->term_of) {
        s = LLM_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < nt; i++) v->col_of[i] = -1;
    for (size_t c = 0; c < nkeep; c++) {
        v->term_of[c] = order[c];
        v->col_of[order[c]] = (int64_t)c;
    }
    v->ncols = nkeep;
done:
    free(df);
    free(tf);
    free(order);
    return s;
}

/* Renumber a raw (term id) matrix into fitted columns, dropping pruned terms. */
static llm_status remap_columns(features_vectorizer *v, llm_csr *m)
{
    int64_t w = 0;
    for (int64_t r = 0; r < m->nrows; r++) {
        int64_t a = m->indptr[r], b = m->indptr[r + 1];
        m->indptr[r] = w;
        for (int64_t p = a; p < b; p++) {
            int64_t c = v->col_of[m->indices[p]];
            if (c < 0) continue;
            m->indices[w] = (int32_t)c;
            m->values[w++] = m->values[p];
        }
    }
    m->indptr[m->nrows] = w;
    m->nnz = w;
    m->ncols = (int64_t)v->ncols;
    return csr_canonicalize(m);
}

/* binary, then tf-idf weighting and row normalisation (in double). */
static void weigh(const features_vectorizer *v, llm_csr *m)
{
    for (int64_t r = 0; r < m->nrows; r++) {
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

llm_status features_fit_transform(features_vectorizer *v, const char *const *docs, const size_t *lens,
                                  size_t ndocs, llm_csr **out)
{
    *out = NULL;
    llm_clear_error();
    llm_csr *m = NULL;
    llm_status s;
    if (v->fixed_vocab) {
        s = count_docs(v, docs, lens, ndocs, 0, (int64_t)v->ncols, &m);
        if (s) return s;
    } else {
        tok_map_free(&v->terms);
        v->fitted = 0;
        s = count_docs(v, docs, lens, ndocs, 1, 0, &m);
        if (s) return s;
        if (v->terms.n == 0) {
            csr_free(m);
            return llm_fail(LLM_ERR_ARG, "vectorizer: empty vocabulary; perhaps the documents only contain stop words");
        }
        if ((s = build_vocabulary(v, m)) || (s = remap_columns(v, m))) {
            csr_free(m);
            return s;
        }
    }
    free(v->idf);
    v->idf = llm_malloc((v->ncols ? v->ncols : 1) * sizeof *v->idf);
    if (!v->idf) {
        csr_free(m);
        return LLM_ERR_NOMEM;
    }
    for (size_t c = 0; c < v->ncols; c++) v->idf[c] = 1.0;
    if (v->o.tfidf && v->o.use_idf) {
        int64_t *df = llm_calloc(v->ncols ? v->ncols : 1, sizeof *df);
        if (!df) {
            csr_free(m);
            return LLM_ERR_NOMEM;
        }
        for (int64_t p = 0; p < m->nnz; p++) df[m->indices[p]]++;
        double sm = v->o.smooth_idf ? 1.0 : 0.0;
        for (size_t c = 0; c < v->ncols; c++) v->idf[c] = log(((double)ndocs + sm) / ((double)df[c] + sm)) + 1.0;
        free(df);
    }
    v->fitted = 1;
    weigh(v, m);
    *out = m;
    return LLM_OK;
}

llm_status features_transform(const features_vectorizer *cv, const char *const *docs, const size_t *lens,
                              size_t ndocs, llm_csr **out)
{
    features_vectorizer *v = (features_vectorizer *)cv;
    *out = NULL;
    if (!v->fitted) return llm_fail(LLM_ERR_STATE, "vectorizer: transform before fit; call fit_transform first");
    llm_csr *m;
    llm_status s = count_docs(v, docs, lens, ndocs, 0, (int64_t)v->ncols, &m);
    if (s) return s;
    weigh(v, m);
    *out = m;
    return LLM_OK;
}

llm_status features_set_vocabulary(features_vectorizer *v, const char *const *terms, size_t n)
{
    if (n == 0) return llm_fail(LLM_ERR_ARG, "vectorizer: the vocabulary is empty");
    tok_map_free(&v->terms);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(terms[i]);
        if (tok_map_find(&v->terms, terms[i], len) >= 0)
            return llm_fail(LLM_ERR_ARG, "vectorizer: the vocabulary has \"%s\" twice", terms[i]);
        if (table_intern(&v->terms, terms[i], len) < 0) return LLM_ERR_NOMEM;
    }
    free(v->col_of);
    free(v->term_of);
    v->col_of = llm_malloc(n * sizeof *v->col_of);
    v->term_of = llm_malloc(n * sizeof *v->term_of);
    if (!v->col_of || !v->term_of) return LLM_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        v->col_of[i] = (int64_t)i;
        v->term_of[i] = (uint32_t)i;
    }
    v->ncols = n;
    v->fixed_vocab = 1;
    v->fitted = 0;
    return LLM_OK;
}

int features_is_fitted(const features_vectorizer *v) { return v->fitted; }
size_t features_vocab_size(const features_vectorizer *v) { return v->ncols; }

const char *features_term(const features_vectorizer *v, size_t i)
{
    if (i >= v->ncols) return NULL;
    return table_term(&v->terms, v->term_of[i]);
}

int64_t features_term_index(const features_vectorizer *v, const char *term, size_t len)
{
    int64_t id = tok_map_find(&v->terms, term, len);
    return id < 0 || !v->col_of ? -1 : v->col_of[id];
}

double features_idf(const features_vectorizer *v, size_t i)
{
    return v->idf && i < v->ncols ? v->idf[i] : 1.0;
}
