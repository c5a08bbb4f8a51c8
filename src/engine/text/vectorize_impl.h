/*
 * vectorize_impl.h: what the vectorizer's files share (internal header).
 *  - vectorize.c:      options, the analyzers (lowercase, tokens, n-grams),
 *                      transform and the fitted vocabulary's accessors;
 *  - vectorize_fit.c:  fitting (terms counted in parallel parts, merged,
 *                      sorted, pruned) and the tf-idf weighting;
 *  - term_sort.c:      byte-order sort of many terms.
 * The fitted vocabulary is kept as its terms in column order (one arena);
 * the string -> column table is built when first needed (transform, index).
 */
#ifndef VECTORIZE_IMPL_H
#define VECTORIZE_IMPL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include "vectorizer.h"
#include "tok_map.h"

/* Buffers one thread reuses from document to document. */
typedef struct vec_scratch {
    char *low;         /* the lowercased document */
    size_t low_cap;
    size_t *tok;       /* word analyzer: (offset, length) pairs; char: character offsets */
    size_t tok_cap;
    char *gram;        /* one n-gram being built */
    size_t gram_cap;
    uint32_t *ids;     /* fitting: node ids of the current document's tokens */
    size_t ids_cap;
    uint64_t *row;     /* the current document's terms or columns, to sort */
    size_t row_cap;
    size_t *offs;      /* char_wb: character offsets inside the padded word */
    size_t offs_cap;
    pcre2_match_data *md;
} vec_scratch;

struct features_vectorizer {
    features_opts o;
    pcre2_code *re;
    int use_group;      /* the pattern has one capture group: tokens are group 1 */
    int custom_pattern; /* tokens may hold spaces (the n-gram fast path checks) */
    tok_map stop;       /* stop words */
    vec_scratch sc;     /* the calling thread's buffers */
    /* the vocabulary, in column order */
    char *vstr;         /* terms, each followed by '\0' */
    size_t *voff;       /* (ncols + 1) offsets into vstr */
    tok_map lookup;     /* term -> column (entry index); built lazily */
    int lookup_ready;
    double *idf;        /* (ncols) while fitted; NULL after the vocabulary changes */
    size_t ncols;
    int fitted, fixed_vocab;
};

/* Scratch buffers (md created from the vectorizer's pattern when it has one). */
llm_status vec_scratch_init(const features_vectorizer *v, vec_scratch *sc);
void vec_scratch_free(vec_scratch *sc);
llm_status vec_ensure(void **buf, size_t *cap, size_t need, size_t elem);

/* Lowercase (when asked) and validate document docno into sc->low; *out_len its length. */
llm_status vec_preprocess(const features_vectorizer *v, vec_scratch *sc, const char *doc, size_t len,
                          size_t docno, size_t *out_len);
/* Word analyzer tokens of the preprocessed text s (stop words removed):
 * *ntok (offset, length) pairs in sc->tok. */
llm_status vec_tokenize(const features_vectorizer *v, vec_scratch *sc, const char *s, size_t len, size_t *ntok);
/* The whole analyzer of one document, calling fn for each term. */
llm_status vec_analyze(const features_vectorizer *v, vec_scratch *sc, const char *doc, size_t len,
                       size_t docno, features_term_fn fn, void *ud);

/* The string -> column table of the fitted vocabulary. */
llm_status vec_lookup_ready(features_vectorizer *v);
/* Replace the vocabulary by n terms (arena + offsets, '\0' after each);
 * takes ownership of str and off. Drops the idf and marks v unfitted. */
void vec_set_terms(features_vectorizer *v, char *str, size_t *off, size_t n);

/* Fit: count, choose and sort the vocabulary, return the raw count matrix
 * (columns = vocabulary, rows sorted). threads: parts analysed in parallel. */
llm_status vec_fit_counts(features_vectorizer *v, const char *const *docs, const size_t *lens, size_t ndocs,
                          int threads, llm_csr **out);
/* idf from the matrix's document frequencies, then weights (tf-idf, norm). */
llm_status vec_finish(features_vectorizer *v, llm_csr *m, size_t ndocs);
void vec_weigh_rows(const features_vectorizer *v, llm_csr *m, int64_t r0, int64_t r1);

/* Sort ids (n of them) by the bytes of their terms (arena + off[id], len[id]
 * bytes), shorter first on a common prefix: Python's order of str. */
llm_status text_sort_terms(uint32_t *ids, size_t n, const char *arena, const size_t *off, const uint32_t *len);
/* Sort ids (n of them) by keys[i], the key of ids[i]; stable. */
llm_status text_sort_keyed(uint32_t *ids, const uint64_t *keys, size_t n);
/* Sort n 64-bit keys ascending (short rows: insertion sort). */
void text_sort_u64(uint64_t *a, size_t n);

#endif
