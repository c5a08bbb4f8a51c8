/*
 * vectorizer.h: bag-of-words and TF-IDF vectorizers with the semantics of
 * scikit-learn's CountVectorizer / TfidfVectorizer (same defaults, same
 * vocabulary order, same values), producing CSR matrices (sparse.h).
 *
 * Pipeline per document, as scikit-learn's "word" analyzer: lowercase ->
 * find tokens with the token pattern (PCRE2, UTF + UCP; default
 * (?u)\b\w\w+\b) -> drop stop words -> word n-grams for n in
 * [ngram_min, ngram_max] joined by one space. Fitting keeps the terms whose
 * document frequency lies in [min_df, max_df] (counts, or proportions of
 * the number of documents), then the max_features most frequent ones, and
 * orders the vocabulary by byte order of the UTF-8 terms (Python's sort).
 */
#ifndef LLM_VECTORIZER_H
#define LLM_VECTORIZER_H

#include <stddef.h>
#include <stdint.h>
#include "core.h"
#include "sparse.h"

typedef enum { FEATURES_NORM_NONE = 0, FEATURES_NORM_L1 = 1, FEATURES_NORM_L2 = 2 } features_norm;
typedef enum { FEATURES_ANALYZER_WORD = 0, FEATURES_ANALYZER_CHAR = 1, FEATURES_ANALYZER_CHAR_WB = 2 } features_analyzer;

typedef struct features_opts {
    int lowercase;              /* default 1 */
    const char *token_pattern;  /* NULL: (?u)\b\w\w+\b */
    features_analyzer analyzer; /* default word */
    int ngram_min, ngram_max;   /* default 1, 1 */
    const char *const *stop_words; /* NULL or n_stop words (compared after lowercasing) */
    size_t n_stop;
    double min_df, max_df;      /* defaults 1 (count) and 1.0 (proportion) */
    int min_df_is_count, max_df_is_count; /* defaults 1 and 0 */
    int64_t max_features;       /* 0: no limit */
    int binary;                 /* counts become 1 */
    /* TF-IDF (ignored when tfidf == 0) */
    int tfidf;
    int use_idf, smooth_idf, sublinear_tf; /* defaults 1, 1, 0 */
    features_norm norm;                    /* default l2 */
} features_opts;

typedef struct features_vectorizer features_vectorizer;

/* Options as scikit-learn's defaults (tfidf says which class). */
void features_default_opts(features_opts *o, int tfidf);
/* A new vectorizer; compiles the token pattern and checks the options. */
llm_status features_new(features_vectorizer **out, const features_opts *o);
void features_free(features_vectorizer *v);

/* Learn the vocabulary (and idf) from docs and return their matrix. Word
 * analyzers analyse the documents on llm_get_threads() threads (in parts,
 * merged); the vocabulary and the matrix are the same, bit for bit, for any
 * number of threads. */
llm_status features_fit_transform(features_vectorizer *v, const char *const *docs, const size_t *lens,
                                  size_t ndocs, llm_csr **out);
/* The matrix of new documents over the fitted vocabulary (unknown terms ignored). */
llm_status features_transform(const features_vectorizer *v, const char *const *docs, const size_t *lens,
                              size_t ndocs, llm_csr **out);
/* Fix the vocabulary instead of learning it (terms in column order; no
 * duplicates). fit_transform then keeps it and only learns the idf. */
llm_status features_set_vocabulary(features_vectorizer *v, const char *const *terms, size_t n);

int features_is_fitted(const features_vectorizer *v);
size_t features_vocab_size(const features_vectorizer *v);
const char *features_term(const features_vectorizer *v, size_t i);
/* Column of a term, or -1. */
int64_t features_term_index(const features_vectorizer *v, const char *term, size_t len);
/* idf of column i (1 when use_idf is off or it is a count vectorizer); NaN,
 * with llm_last_error() set, when v is not fitted or i is out of range. */
double features_idf(const features_vectorizer *v, size_t i);

/* The analyzer alone: call fn for each term of one document. */
typedef void (*features_term_fn)(void *ud, const char *term, size_t len);
llm_status features_analyze(const features_vectorizer *v, const char *doc, size_t len, features_term_fn fn, void *ud);

/* Python's str.lower() of UTF-8 text (malloc'd; error on invalid UTF-8). */
llm_status features_lowercase(const char *s, size_t len, char **out, size_t *out_len);

#endif
