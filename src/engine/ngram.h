/*
 * ngram.h: n-gram language models (n <= 5) over any tokens (words or
 * characters), with the semantics of NLTK's nltk.lm so that numbers can be
 * checked against it:
 *   - fit: each sentence is padded with order-1 "<s>" and "</s>" on each
 *     side (pad_both_ends) and every k-gram, k = 1..order, is counted
 *     (padded_everygram_pipeline); the vocabulary counts the padded tokens
 *     and maps words seen fewer than unk_cutoff times to "<UNK>".
 *   - perplexity: each sentence padded the same way, scored over its
 *     order-grams; 2 ** (mean of -log2 p).
 * Models: MLE, Lidstone (Laplace = add-1, add-k), NLTK's interpolated
 * Kneser-Ney (one discount), modified Kneser-Ney (three discounts from
 * count-of-counts, Chen & Goodman), Jelinek-Mercer interpolation with
 * weights tuned by EM on held-out text, stupid backoff, and back-off
 * models read from ARPA files. Models write ARPA and a native text format.
 */
#ifndef LLM_NGRAM_H
#define LLM_NGRAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "core.h"

#define NGRAM_MAX_ORDER 5

typedef enum ngram_kind {
    NGRAM_MLE = 0,
    NGRAM_LIDSTONE,     /* add-gamma; Laplace is gamma = 1 */
    NGRAM_KNESER_NEY,   /* NLTK's KneserNeyInterpolated */
    NGRAM_MODIFIED_KN,  /* interpolated, discounts D1, D2, D3+ per order */
    NGRAM_INTERPOLATED, /* Jelinek-Mercer, weights per order */
    NGRAM_STUPID_BACKOFF,
    NGRAM_BACKOFF,      /* probabilities and back-off weights (from ARPA) */
    NGRAM_KIND_COUNT
} ngram_kind;

/* "mle", "lidstone", "kneser_ney", ... */
const char *ngram_kind_name(ngram_kind k);

typedef struct ngram_opts {
    ngram_kind kind;
    int order;          /* 1..5 */
    double gamma;       /* Lidstone: added to each count (1 = Laplace) */
    double discount;    /* Kneser-Ney (NLTK default 0.1) */
    double alpha;       /* stupid backoff factor (0.4) */
    int unk_cutoff;     /* words seen fewer times become <UNK> (NLTK default 1) */
} ngram_opts;

void ngram_default_opts(ngram_opts *o, ngram_kind kind, int order);

typedef struct ngram_model ngram_model;

llm_status ngram_new(ngram_model **out, const ngram_opts *o);
void ngram_free(ngram_model *m);
const ngram_opts *ngram_get_opts(const ngram_model *m);

/* A batch of tokenised sentences: tokens[i] (lens[i] bytes, may be NULL for
 * strlen); sentence s has sent_lens[s] tokens, one after the other. */
typedef struct ngram_text {
    const char *const *tokens;
    const size_t *lens;
    const size_t *sent_lens;
    size_t nsent;
} ngram_text;

/* Count the training text (replaces earlier counts). */
llm_status ngram_fit(ngram_model *m, const ngram_text *train);
int ngram_is_fitted(const ngram_model *m);

/* Jelinek-Mercer only: tune the weights by EM on held-out text. */
llm_status ngram_tune(ngram_model *m, const ngram_text *heldout, int max_iter, double *final_xent);
/* Weights of the interpolated model: mu[k] for k = 1..order is the weight
 * of the order-k estimate against the lower orders (mu[0] unused). */
llm_status ngram_get_weights(const ngram_model *m, double *mu);
llm_status ngram_set_weights(ngram_model *m, const double *mu);
/* Modified KN: the discounts D1, D2, D3+ of order k (1..order). */
llm_status ngram_get_discounts(const ngram_model *m, int k, double d[3]);

/* P(word | context) with context tokens oldest first (only the last
 * order-1 are used; unknown tokens count as <UNK>). */
llm_status ngram_prob(const ngram_model *m, const char *const *context, const size_t *clens, size_t nctx,
                      const char *word, size_t wlen, double *p);

typedef struct ngram_eval {
    double perplexity;   /* inf when some event had probability 0 */
    double cross_entropy; /* bits per event (NLTK's entropy) */
    size_t events;       /* scored n-grams */
    size_t zero_events;  /* of which had probability 0 */
    size_t oov;          /* predicted tokens outside the vocabulary */
} ngram_eval;

llm_status ngram_evaluate(const ngram_model *m, const ngram_text *test, ngram_eval *out);

/* Sample up to max_tokens tokens after the context (stops after "</s>",
 * which is not returned). temperature > 0; top_k 0 = all. Tokens are
 * returned as pointers into the model's vocabulary (valid while it lives). */
llm_status ngram_generate(const ngram_model *m, const char *const *context, const size_t *clens, size_t nctx,
                          size_t max_tokens, double temperature, size_t top_k, const char **out, size_t *n_out);

/* Vocabulary size (words at or above the cut-off, plus <UNK>). */
size_t ngram_vocab_size(const ngram_model *m);
/* Every word seen (ids 0..n-1; 0, 1, 2 are <s>, </s>, <UNK>), whether it is
 * in the vocabulary, and its count in the padded training text. */
size_t ngram_num_words(const ngram_model *m);
const char *ngram_word_at(const ngram_model *m, size_t id, int *in_vocab, uint64_t *count);
/* Count of an n-gram (k tokens) in the training text (after <UNK> mapping). */
uint64_t ngram_count(const ngram_model *m, const char *const *toks, const size_t *lens, size_t k);
/* Number of distinct k-grams counted, k = 1..order. */
size_t ngram_num_ngrams(const ngram_model *m, int k);

/* Native format: the counts and options in text (exact for every kind). */
llm_status ngram_save(const ngram_model *m, const char *path);
llm_status ngram_load(ngram_model **out, const char *path);
/* ARPA: probabilities of every counted n-gram and back-off weights. Exact
 * for interpolated models (KN, modified KN, Jelinek-Mercer), where back-off
 * weight = the lower order's share; MLE zeros become -99. */
llm_status ngram_write_arpa(const ngram_model *m, const char *path);
/* Read an ARPA file into an NGRAM_BACKOFF model. */
llm_status ngram_read_arpa(ngram_model **out, const char *path);

#endif
