/*
 * embed.h: static word embeddings trained in C: word2vec (skip-gram and
 * CBOW, negative sampling or hierarchical softmax), fastText-style subword
 * vectors, and GloVe; reading and writing the word2vec text and binary
 * formats and fastText's .vec format; nearest neighbours and analogies.
 *
 * A corpus is UTF-8 text: words are separated by whitespace, and each line
 * is one sentence (a context window never crosses a line). Lower-casing or
 * other normalisation is the caller's choice, done before training.
 */
#ifndef LLM_EMBED_H
#define LLM_EMBED_H

#include <stddef.h>
#include <stdint.h>
#include "core.h"

/* A vocabulary: words sorted by decreasing count (ties: first seen first). */
typedef struct embed_vocab {
    char **words;      /* (V) NUL-terminated words */
    int64_t *counts;   /* (V) occurrences in the corpus */
    int size;          /* V */
    int64_t total;     /* sum of counts of kept words */
    int *table;        /* hash table: slot -> word id or -1 */
    size_t table_size; /* a power of two */
} embed_vocab;

typedef enum embed_arch { EMBED_SKIPGRAM = 0, EMBED_CBOW = 1 } embed_arch;

typedef struct w2v_config {
    embed_arch arch;
    int dim;          /* vector size (100) */
    int window;       /* maximum context distance (5); each position uses a random 1..window */
    int negative;     /* negative samples (5); 0 with hs = 1 for hierarchical softmax only */
    int hs;           /* 1: hierarchical softmax */
    int min_count;    /* drop words seen fewer times (5) */
    double sample;    /* frequent-word subsampling threshold (1e-3; 0 disables) */
    double alpha;     /* starting learning rate (0.025 skip-gram, 0.05 CBOW) */
    double min_alpha; /* final learning rate (0.0001), reached linearly */
    int epochs;       /* passes over the corpus (5) */
    int threads;      /* Hogwild threads (0: llm_get_threads()) */
    /* fastText-style subwords: character n-grams of "<word>" hashed into buckets. */
    int subwords;     /* 1: word vector = mean of word and n-gram vectors */
    int minn, maxn;   /* n-gram lengths in characters (3..6) */
    int buckets;      /* hash buckets for n-grams (2,000,000 in fastText) */
} w2v_config;

/* A trained (or loaded) set of vectors. in: (V, D) input vectors; for subword
 * models also (buckets, D) n-gram vectors used to build vectors of any word. */
typedef struct embed_model {
    embed_vocab vocab;
    int dim;
    float *vectors;      /* (V, D) final word vectors (subword models: composed) */
    float *ngrams;       /* (buckets, D) or NULL */
    int buckets, minn, maxn;
    float *unit;         /* (V, D) normalised copies for similarity, built lazily */
} embed_model;

void w2v_config_default(w2v_config *cfg, embed_arch arch);

llm_status embed_vocab_build(embed_vocab *vocab, const char *text, size_t len, int min_count);
/* (Re)build the word -> id index; fails on a duplicate word. */
llm_status embed_vocab_index(embed_vocab *vocab);
/* fastText n-gram bucket ids of "<word>" into out (at most cap); returns the count. */
int embed_subword_ids(const char *word, int minn, int maxn, int buckets, int *out, int cap);
int embed_vocab_find(const embed_vocab *vocab, const char *word, size_t len);
void embed_vocab_free(embed_vocab *vocab);

/* Train word2vec or fastText-style vectors on a corpus held in memory.
 * Progress is reported as "word2vec" through llm_progress(). */
llm_status w2v_train(const w2v_config *cfg, const char *text, size_t len, embed_model **out);

/* The training rules, exposed so tests can check them on known values (they
 * follow gensim 4.2, the reference): the learning rate after a fraction
 * `progress` of all epochs' words; the probability of keeping an occurrence
 * of a word seen `count` times among `total` kept words; and the scaled error
 * (label - sigmoid(f)) * alpha of one logistic unit, 0 when |f| >= 6 (no update). */
double w2v_learning_rate(const w2v_config *cfg, double progress);
double w2v_keep_probability(double sample, int64_t count, int64_t total);
float w2v_pair_gradient(float f, float label, float alpha);

/* GloVe: co-occurrences within `window` weighted by 1/distance, then
 * weighted least squares with AdaGrad; the result is W + W~. */
typedef struct glove_config {
    int dim, window, min_count, epochs, threads;
    double x_max, power, alpha; /* 100, 0.75, 0.05 */
    size_t max_pairs;           /* memory bound on distinct pairs kept (0: 50 million) */
} glove_config;
void glove_config_default(glove_config *cfg);
llm_status glove_train(const glove_config *cfg, const char *text, size_t len, embed_model **out);

void embed_model_free(embed_model *m);

/* Vector of a word into out (D floats). Unknown words: subword models build
 * one from n-grams; otherwise LLM_ERR_ARG. */
llm_status embed_word_vector(const embed_model *m, const char *word, float *out);

/* The k nearest words by cosine similarity to `query` (D floats), skipping
 * ids in `exclude` (n_exclude of them). ids/sims have room for k. Returns how many,
 * or -1 when memory for the unit vectors ran out (llm_last_error says so). */
int embed_nearest(embed_model *m, const float *query, int k, const int *exclude, int n_exclude,
                  int *ids, float *sims);

/* Analogy a : b :: c : ? (word ids); mul selects 3CosMul instead of 3CosAdd.
 * Writes the best k candidates and their scores; returns how many, or -1 as
 * embed_nearest does. */
int embed_analogy(embed_model *m, int a, int b, int c, int mul, int k, int *ids, float *scores);

/* Exact t-SNE of n points x (n, d) into y (n, dims), dims 1..3, n <= 5000.
 * Seeded by the engine PRNG; reports progress as "tsne". */
llm_status embed_tsne(const float *x, int n, int d, int dims, double perplexity, int iters, float *y);

/* word2vec formats ("V D" header, then a word and D numbers per line, or
 * D raw little-endian float32 after the word in the binary form). fastText's
 * .vec is the text form. Loading checks every count and number. */
llm_status embed_save(const embed_model *m, const char *path, int binary);
llm_status embed_load(const char *path, int binary, embed_model **out);

#endif
