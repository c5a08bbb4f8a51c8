/*
 * vectorize.c: CountVectorizer / TfidfVectorizer (vectorizer.h) with
 * scikit-learn's semantics: the options, the analyzers (lowercase, token
 * pattern, stop words, word and character n-grams), transform over a fitted
 * or fixed vocabulary, and the vocabulary's accessors. Fitting lives in
 * vectorize_fit.c (vectorize_impl.h says how the pieces fit together).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include "vectorize_impl.h"

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

llm_status vec_scratch_init(const features_vectorizer *v, vec_scratch *sc)
{
    memset(sc, 0, sizeof *sc);
    if (v->re && !(sc->md = pcre2_match_data_create_from_pattern(v->re, NULL)))
        return llm_fail(LLM_ERR_NOMEM, "vectorizer: out of memory");
    return LLM_OK;
}

void vec_scratch_free(vec_scratch *sc)
{
    if (sc->md) pcre2_match_data_free(sc->md);
    free(sc->low);
    free(sc->tok);
    free(sc->gram);
    free(sc->ids);
    free(sc->row);
    free(sc->offs);
    memset(sc, 0, sizeof *sc);
}

void vec_set_terms(features_vectorizer *v, char *str, size_t *off, size_t n)
{
    /* the idf belonged to the old vocabulary: drop it until the next fit */
    free(v->idf);
    v->idf = NULL;
    v->fitted = 0;
    free(v->vstr);
    free(v->voff);
    tok_map_free(&v->lookup);
    v->lookup_ready = 0;
    v->vstr = str;
    v->voff = off;
    v->ncols = n;
}

/* A fitted vocabulary has no term twice; a given one (features_set_vocabulary) may. */
llm_status vec_lookup_ready(features_vectorizer *v)
{
    if (v->lookup_ready) return LLM_OK;
    tok_map_free(&v->lookup);
    for (size_t c = 0; c < v->ncols; c++) {
        size_t idx;
        int added;
        llm_status s = tok_map_add(&v->lookup, v->vstr + v->voff[c], v->voff[c + 1] - v->voff[c] - 1, 0, &idx, &added);
        if (!s && !added) s = llm_fail(LLM_ERR_ARG, "vectorizer: the vocabulary has \"%s\" twice", v->vstr + v->voff[c]);
        if (s) {
            tok_map_free(&v->lookup);
            return s;
        }
    }
    v->lookup_ready = 1;
    return LLM_OK;
}

void features_free(features_vectorizer *v)
{
    if (!v) return;
    vec_scratch_free(&v->sc);
    if (v->re) pcre2_code_free(v->re);
    tok_map_free(&v->stop);
    vec_set_terms(v, NULL, NULL, 0);
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
        /* \w never matches a space: only another pattern can make tokens with spaces */
        v->custom_pattern = strcmp(pat, "\\b\\w\\w+\\b") != 0;
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
        for (size_t i = 0; i < o->n_stop; i++) {
            size_t idx;
            if (tok_map_add(&v->stop, o->stop_words[i], strlen(o->stop_words[i]), 0, &idx, NULL)) {
                features_free(v);
                return LLM_ERR_NOMEM;
            }
        }
    } else if (o->analyzer != FEATURES_ANALYZER_CHAR && o->analyzer != FEATURES_ANALYZER_CHAR_WB) {
        features_free(v);
        return llm_fail(LLM_ERR_ARG, "vectorizer: unknown analyzer");
    }
    if (vec_scratch_init(v, &v->sc)) {
        features_free(v);
        return LLM_ERR_NOMEM;
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

llm_status vec_ensure(void **buf, size_t *cap, size_t need, size_t elem)
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

llm_status vec_preprocess(const features_vectorizer *v, vec_scratch *sc, const char *doc, size_t len,
                          size_t docno, size_t *out_len)
{
    if (vec_ensure((void **)&sc->low, &sc->low_cap, len * 3 + 8, 1)) return LLM_ERR_NOMEM;
    return lower_into(doc, len, v->o.lowercase, sc->low, out_len, docno);
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

static llm_status emit(features_term_fn fn, void *ud, const char *s, size_t n)
{
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

static llm_status analyze_char(const features_vectorizer *v, vec_scratch *sc, const char *s, size_t len,
                               features_term_fn fn, void *ud)
{
    int lo = v->o.ngram_min, hi = v->o.ngram_max;
    /* offsets of each character, plus the end */
    size_t nch = 0;
    for (size_t i = 0; i < len; i += u8len((unsigned char)s[i])) nch++;
    if (vec_ensure((void **)&sc->tok, &sc->tok_cap, nch + 1, sizeof *sc->tok)) return LLM_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < len; i += u8len((unsigned char)s[i])) sc->tok[k++] = i;
    sc->tok[k] = len;
    if (v->o.analyzer == FEATURES_ANALYZER_CHAR) {
        for (int n = lo; n <= hi && (size_t)n <= nch; n++)
            for (size_t i = 0; i + (size_t)n <= nch; i++)
                if (emit(fn, ud, s + sc->tok[i], sc->tok[i + n] - sc->tok[i])) return LLM_ERR_INTERRUPTED;
        return LLM_OK;
    }
    /* char_wb: each whitespace-separated word, padded with one space each side */
    size_t i = 0;
    while (i < nch) {
        utf8proc_int32_t cp;
        utf8proc_iterate((const utf8proc_uint8_t *)s + sc->tok[i], 4, &cp);
        if (py_isspace(cp)) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < nch) {
            utf8proc_iterate((const utf8proc_uint8_t *)s + sc->tok[j], 4, &cp);
            if (py_isspace(cp)) break;
            j++;
        }
        size_t wbytes = sc->tok[j] - sc->tok[i];
        if (vec_ensure((void **)&sc->gram, &sc->gram_cap, wbytes + 3, 1)) return LLM_ERR_NOMEM;
        sc->gram[0] = ' ';
        memcpy(sc->gram + 1, s + sc->tok[i], wbytes);
        sc->gram[wbytes + 1] = ' ';
        /* character offsets inside the padded word */
        size_t wl = j - i + 2;
        if (vec_ensure((void **)&sc->offs, &sc->offs_cap, wl + 1, sizeof *sc->offs)) return LLM_ERR_NOMEM;
        size_t *offs = sc->offs; /* on the heap: a word may be very long */
        offs[0] = 0;
        for (size_t c = 0; c < j - i; c++) offs[c + 1] = 1 + sc->tok[i + c] - sc->tok[i];
        offs[wl - 1] = wbytes + 1;
        offs[wl] = wbytes + 2;
        for (int n = lo; n <= hi; n++) {
            size_t off = 0, end = (size_t)n < wl ? (size_t)n : wl;
            if (emit(fn, ud, sc->gram + offs[0], offs[end] - offs[0])) return LLM_ERR_INTERRUPTED;
            while (off + (size_t)n < wl) {
                off++;
                end = off + (size_t)n < wl ? off + (size_t)n : wl;
                if (emit(fn, ud, sc->gram + offs[off], offs[end] - offs[off])) return LLM_ERR_INTERRUPTED;
            }
            if (off == 0) break;
        }
        i = j;
    }
    return LLM_OK;
}

llm_status vec_tokenize(const features_vectorizer *v, vec_scratch *sc, const char *s, size_t len, size_t *out_ntok)
{
    size_t ntok = 0, start = 0;
    *out_ntok = 0;
    while (start <= len) {
        int rc = pcre2_match(v->re, (PCRE2_SPTR)s, len, start, PCRE2_NO_UTF_CHECK, sc->md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(rc, msg, sizeof msg);
            return llm_fail(LLM_ERR_ARG, "vectorizer: token_pattern match failed: %s", (const char *)msg);
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->md);
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
            if (vec_ensure((void **)&sc->tok, &sc->tok_cap, 2 * ntok + 2, sizeof *sc->tok)) return LLM_ERR_NOMEM;
            sc->tok[2 * ntok] = ta;
            sc->tok[2 * ntok + 1] = sn;
            ntok++;
        }
        if (b == a) { /* an empty match: step over one character */
            if (a >= len) break;
            start = a + u8len((unsigned char)s[a]);
        } else {
            start = b;
        }
    }
    *out_ntok = ntok;
    return LLM_OK;
}

static llm_status analyze_word(const features_vectorizer *v, vec_scratch *sc, const char *s, size_t len,
                               features_term_fn fn, void *ud)
{
    size_t ntok;
    llm_status st = vec_tokenize(v, sc, s, len, &ntok);
    if (st) return st;
    int lo = v->o.ngram_min, hi = v->o.ngram_max;
    for (int n = lo; n <= hi; n++) {
        if ((size_t)n > ntok) break;
        for (size_t i = 0; i + (size_t)n <= ntok; i++) {
            if (n == 1) {
                if (emit(fn, ud, s + sc->tok[2 * i], sc->tok[2 * i + 1])) return LLM_ERR_INTERRUPTED;
                continue;
            }
            size_t total = 0;
            for (int k = 0; k < n; k++) total += sc->tok[2 * (i + k) + 1] + 1;
            if (vec_ensure((void **)&sc->gram, &sc->gram_cap, total, 1)) return LLM_ERR_NOMEM;
            size_t w = 0;
            for (int k = 0; k < n; k++) {
                if (k) sc->gram[w++] = ' ';
                memcpy(sc->gram + w, s + sc->tok[2 * (i + k)], sc->tok[2 * (i + k) + 1]);
                w += sc->tok[2 * (i + k) + 1];
            }
            if (emit(fn, ud, sc->gram, w)) return LLM_ERR_INTERRUPTED;
        }
    }
    return LLM_OK;
}

llm_status vec_analyze(const features_vectorizer *v, vec_scratch *sc, const char *doc, size_t len,
                       size_t docno, features_term_fn fn, void *ud)
{
    size_t n = 0;
    llm_status s = vec_preprocess(v, sc, doc, len, docno, &n);
    if (s) return s;
    if (v->o.analyzer == FEATURES_ANALYZER_WORD) s = analyze_word(v, sc, sc->low, n, fn, ud);
    else s = analyze_char(v, sc, sc->low, squeeze_spaces(sc->low, n), fn, ud);
    if (s == LLM_ERR_INTERRUPTED) llm_fail(s, "vectorizer: interrupted");
    return s;
}

llm_status features_analyze(const features_vectorizer *cv, const char *doc, size_t len, features_term_fn fn, void *ud)
{
    features_vectorizer *v = (features_vectorizer *)cv;
    return vec_analyze(v, &v->sc, doc, len, 0, fn, ud);
}


/* ------------------------------------------------------------ transform */
/* The columns of the current document's known terms (repeats included). */
typedef struct fixed_ctx {
    features_vectorizer *v;
    uint64_t *cols;
    size_t n, cap;
    llm_status err;
} fixed_ctx;

static void collect_fixed(void *ud, const char *term, size_t len)
{
    fixed_ctx *d = ud;
    if (d->err) return;
    ptrdiff_t c = tok_map_find(&d->v->lookup, term, len);
    if (c < 0) return;
    if (vec_ensure((void **)&d->cols, &d->cap, d->n + 1, sizeof *d->cols)) {
        d->err = LLM_ERR_NOMEM;
        return;
    }
    d->cols[d->n++] = (uint64_t)c;
}

/* Raw counts of docs over the vocabulary (rows sorted by column). */
static llm_status count_fixed(features_vectorizer *v, const char *const *docs, const size_t *lens, size_t ndocs,
                              llm_csr **out)
{
    *out = NULL;
    llm_status s = vec_lookup_ready(v);
    if (s) return s;
    fixed_ctx d = {.v = v};
    int64_t *indptr = llm_calloc(ndocs + 1, sizeof *indptr);
    int32_t *cols = NULL;
    float *vals = NULL;
    size_t nnz = 0, cap = 0;
    s = indptr ? LLM_OK : LLM_ERR_NOMEM;
    for (size_t i = 0; i < ndocs && !s; i++) {
        if (!docs[i]) {
            s = llm_fail(LLM_ERR_ARG, "vectorizer: document %zu is missing", i + 1);
            break;
        }
        d.n = 0;
        s = vec_analyze(v, &v->sc, docs[i], lens ? lens[i] : strlen(docs[i]), i, collect_fixed, &d);
        if (!s) s = d.err;
        if (s) break;
        text_sort_u64(d.cols, d.n);
        if (nnz + d.n > cap) {
            size_t nc = cap ? cap : 4096;
            while (nc < nnz + d.n) nc *= 2;
            int32_t *c2 = llm_realloc(cols, nc * sizeof *c2);
            if (!c2) { s = LLM_ERR_NOMEM; break; }
            cols = c2;
            float *v2 = llm_realloc(vals, nc * sizeof *v2);
            if (!v2) { s = LLM_ERR_NOMEM; break; }
            vals = v2;
            cap = nc;
        }
        for (size_t j = 0; j < d.n;) {
            size_t k = j + 1;
            while (k < d.n && d.cols[k] == d.cols[j]) k++;
            cols[nnz] = (int32_t)d.cols[j];
            vals[nnz++] = (float)(k - j);
            j = k;
        }
        indptr[i + 1] = (int64_t)nnz;
        if ((i & 1023) == 1023) llm_progress("vectorize", (double)i + 1, (double)ndocs);
    }
    free(d.cols);
    llm_csr *m = NULL;
    if (!s && !(m = llm_calloc(1, sizeof *m))) s = LLM_ERR_NOMEM;
    if (s) {
        free(indptr);
        free(cols);
        free(vals);
        return s;
    }
    m->nrows = (int64_t)ndocs;
    m->ncols = (int64_t)v->ncols;
    m->nnz = (int64_t)nnz;
    m->indptr = indptr;
    m->indices = cols ? cols : llm_malloc(sizeof(int32_t));
    m->values = vals ? vals : llm_malloc(sizeof(float));
    if (!m->indices || !m->values) {
        csr_free(m);
        return LLM_ERR_NOMEM;
    }
    *out = m;
    return LLM_OK;
}

llm_status features_fit_transform(features_vectorizer *v, const char *const *docs, const size_t *lens,
                                  size_t ndocs, llm_csr **out)
{
    *out = NULL;
    llm_clear_error();
    llm_csr *m = NULL;
    llm_status s;
    if (v->fixed_vocab) s = count_fixed(v, docs, lens, ndocs, &m);
    else {
        v->fitted = 0;
        s = vec_fit_counts(v, docs, lens, ndocs, llm_get_threads(), &m);
    }
    if (s) return s;
    if ((s = vec_finish(v, m, ndocs))) {
        v->fitted = 0; /* the idf may be missing or partly written */
        csr_free(m);
        return s;
    }
    v->fitted = 1;
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
    llm_status s = count_fixed(v, docs, lens, ndocs, &m);
    if (s) return s;
    vec_weigh_rows(v, m, 0, m->nrows);
    *out = m;
    return LLM_OK;
}

llm_status features_set_vocabulary(features_vectorizer *v, const char *const *terms, size_t n)
{
    if (n == 0) return llm_fail(LLM_ERR_ARG, "vectorizer: the vocabulary is empty");
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += strlen(terms[i]) + 1;
    char *str = llm_malloc(total);
    size_t *off = llm_malloc((n + 1) * sizeof *off);
    if (!str || !off) {
        free(str);
        free(off);
        return LLM_ERR_NOMEM;
    }
    off[0] = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(terms[i]);
        memcpy(str + off[i], terms[i], len + 1);
        off[i + 1] = off[i] + len + 1;
    }
    vec_set_terms(v, str, off, n);
    v->fixed_vocab = 1;
    v->fitted = 0;
    llm_status s = vec_lookup_ready(v);
    if (s) {
        vec_set_terms(v, NULL, NULL, 0);
        v->fixed_vocab = 0;
    }
    return s;
}

int features_is_fitted(const features_vectorizer *v) { return v->fitted; }
size_t features_vocab_size(const features_vectorizer *v) { return v->ncols; }

const char *features_term(const features_vectorizer *v, size_t i)
{
    if (i >= v->ncols) return NULL;
    return v->vstr + v->voff[i];
}

int64_t features_term_index(const features_vectorizer *v, const char *term, size_t len)
{
    features_vectorizer *w = (features_vectorizer *)v;
    if (!v->ncols || vec_lookup_ready(w)) return -1;
    return (int64_t)tok_map_find(&v->lookup, term, len);
}

double features_idf(const features_vectorizer *v, size_t i)
{
    if (!v->fitted || !v->idf) {
        llm_fail(LLM_ERR_STATE, "vectorizer: idf before fit; call fit_transform first");
        return NAN;
    }
    if (i >= v->ncols) {
        llm_fail(LLM_ERR_ARG, "vectorizer: idf of column %zu, but the vocabulary has %zu terms", i, v->ncols);
        return NAN;
    }
    return v->idf[i];
}
