/* word2vec.c: skip-gram and CBOW with negative sampling and/or hierarchical
 * softmax, frequent-word subsampling, a random ("dynamic") window, a linearly
 * decaying learning rate and lock-free Hogwild threads, as in Mikolov et al.
 * With cfg->subwords, words are also represented by hashed character
 * n-grams (fastText's scheme), so unseen words still get vectors.
 * The training rules are gensim 4.2's (the project's reference), not
 * word2vec.c's where they differ: initial range, scores beyond +-6, how lines
 * are cut (see w2v_learning_rate and its neighbours below).
 *
 * Data layout: in (V, D) input vectors, out (V, D) output vectors for
 * negative sampling, hs (V-1, D) inner-node vectors for the Huffman tree,
 * ng (buckets, D) n-gram vectors. Inner loops are plain dot/axpy over D,
 * written so the compiler vectorises them. */
#pragma GCC optimize("O3")
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "embed.h"

#define SIGMOID_TABLE 1000 /* gensim's EXP_TABLE_SIZE: sigmoid sampled on [-6, 6) */
#define SIGMOID_MAX 6.0f
#define MAX_SENTENCE 10000 /* lines are cut every 10,000 tokens, as gensim's LineSentence */
#define MAX_CODE 64

void w2v_config_default(w2v_config *c, embed_arch arch)
{
    memset(c, 0, sizeof *c);
    c->arch = arch;
    c->dim = 100;
    c->window = 5;
    c->negative = 5;
    c->min_count = 5;
    c->sample = 1e-3;
    c->alpha = arch == EMBED_CBOW ? 0.05 : 0.025;
    c->min_alpha = 0.0001;
    c->epochs = 5;
    c->minn = 3;
    c->maxn = 6;
    c->buckets = 2000000;
}

/* ------------------------------------------------------------------ helpers */

static inline float dot(const float *restrict a, const float *restrict b, int n)
{
    float s = 0;
#pragma omp simd reduction(+ : s)
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

static inline void axpy(float *restrict y, float a, const float *restrict x, int n)
{
#pragma omp simd
    for (int i = 0; i < n; i++) y[i] += a * x[i];
}

/* The reference semantics (gensim 4.2, word2vec_inner.pyx and word2vec.py),
 * kept in small functions so tests can check them on known values. */

/* Learning rate after a fraction `progress` (0..1) of all epochs' words:
 * linear from alpha to min_alpha, never below min_alpha (_get_next_alpha). */
double w2v_learning_rate(const w2v_config *c, double progress)
{
    double a = c->alpha - (c->alpha - c->min_alpha) * progress;
    return a < c->min_alpha ? c->min_alpha : a;
}

/* Probability of keeping one occurrence of a word seen `count` times among
 * `total` kept words: (sqrt(f / t) + 1) * t / f with t = sample * total,
 * capped at 1; sample 0 keeps everything (prepare_vocab). */
double w2v_keep_probability(double sample, int64_t count, int64_t total)
{
    if (!(sample > 0) || count <= 0) return 1.0;
    double t = sample * (double)total, f = (double)count;
    double p = (sqrt(f / t) + 1.0) * t / f;
    return p < 1.0 ? p : 1.0;
}

/* tab[i] = sigmoid at the left edge of bin i of [-6, 6) (EXP_TABLE). */
static void sigmoid_fill(float *tab)
{
    for (int i = 0; i <= SIGMOID_TABLE; i++) {
        float x = ((float)i / SIGMOID_TABLE * 2.0f - 1.0f) * SIGMOID_MAX;
        tab[i] = 1.0f / (1.0f + expf(-x));
    }
}

/* The scaled error of one logistic unit with score f: (label - sigmoid(f)) * alpha.
 * Like gensim (and unlike word2vec.c, which clamps the sigmoid to 0 or 1),
 * a score outside (-6, 6) gives no update at all: returns 0 to skip. */
static inline int pair_gradient(const float *tab, float f, float label, float alpha, float *g)
{
    if (f <= -SIGMOID_MAX || f >= SIGMOID_MAX) return 0;
    *g = (label - tab[(int)((f + SIGMOID_MAX) * (SIGMOID_TABLE / SIGMOID_MAX / 2))]) * alpha;
    return 1;
}

float w2v_pair_gradient(float f, float label, float alpha)
{
    float tab[SIGMOID_TABLE + 1], g = 0.0f;
    sigmoid_fill(tab);
    return pair_gradient(tab, f, label, alpha, &g) ? g : 0.0f;
}

/* A small per-thread generator (the engine PRNG is global; Hogwild threads
 * each get their own stream, seeded from it, so one thread is reproducible). */
typedef struct trng { uint64_t s; } trng;
static inline uint32_t trng_next(trng *r)
{
    r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
    uint64_t x = r->s;
    return (uint32_t)((x ^ (x >> 22)) >> (22 + (x >> 61)));
}
static inline float trng_unit(trng *r) { return (float)(trng_next(r) >> 8) / 16777216.0f; }

/* ------------------------------------------------------------------ corpus */

typedef struct corpus {
    int *ids;      /* word ids; -1 ends a sentence */
    size_t n;
} corpus;

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* Word ids of the corpus with -1 after each sentence. A sentence is a line
 * (ended by \n, \r or \r\n, as Python's text files read them); a line of more
 * than MAX_SENTENCE tokens is cut every MAX_SENTENCE tokens, counting words
 * outside the vocabulary too, as gensim's LineSentence does. The corpus is
 * the text the vocabulary was built from, so it holds exactly vocab->total
 * kept words, and a -1 only follows a kept word: 2 * total + 1 slots suffice. */
static llm_status corpus_encode(const embed_vocab *v, const char *text, size_t len, corpus *c)
{
    size_t cap = 2 * (size_t)v->total + 1, n = 0, kept = 0, tokens = 0;
    int *ids = llm_malloc(cap * sizeof *ids);
    if (!ids) return LLM_ERR_NOMEM;
    for (size_t i = 0; i < len && n + 2 <= cap;) {
        if (text[i] == '\n' || text[i] == '\r') {
            if (kept) ids[n++] = -1;
            kept = tokens = 0;
            i++;
            continue;
        }
        if (is_space((unsigned char)text[i])) { i++; continue; }
        size_t start = i;
        while (i < len && !is_space((unsigned char)text[i])) i++;
        int id = embed_vocab_find(v, text + start, i - start);
        if (id >= 0) {
            ids[n++] = id;
            kept++;
        }
        if (++tokens == MAX_SENTENCE) {
            if (kept) ids[n++] = -1;
            kept = tokens = 0;
        }
    }
    if (n == 0 || ids[n - 1] != -1) ids[n++] = -1;
    c->ids = ids;
    c->n = n;
    return LLM_OK;
}

/* ------------------------------------------------------------------ Huffman tree */

typedef struct huffman {
    uint8_t *codelen;  /* (V) */
    uint8_t *codes;    /* (V, MAX_CODE) bits */
    int *points;       /* (V, MAX_CODE) inner node ids (0..V-2) */
} huffman;

static void huffman_free(huffman *h)
{
    free(h->codelen);
    free(h->codes);
    free(h->points);
}

/* The classic two-queue construction over counts sorted in decreasing order. */
static llm_status huffman_build(const embed_vocab *v, huffman *h)
{
    int V = v->size;
    memset(h, 0, sizeof *h);
    int64_t *count = llm_malloc((size_t)2 * V * sizeof *count);
    int *parent = llm_malloc((size_t)2 * V * sizeof *parent);
    uint8_t *binary = llm_calloc((size_t)2 * V, 1);
    h->codelen = llm_calloc((size_t)V, 1);
    h->codes = llm_calloc((size_t)V * MAX_CODE, 1);
    h->points = llm_calloc((size_t)V * MAX_CODE, sizeof *h->points);
    if (!count || !parent || !binary || !h->codelen || !h->codes || !h->points) {
        free(count); free(parent); free(binary); huffman_free(h);
        return LLM_ERR_NOMEM;
    }
    for (int i = 0; i < V; i++) count[i] = v->counts[i];
    for (int i = V; i < 2 * V; i++) count[i] = INT64_MAX / 4;
    int pos1 = V - 1, pos2 = V;
    for (int a = 0; a < V - 1; a++) {
        int m[2];
        for (int k = 0; k < 2; k++) {
            if (pos1 >= 0 && count[pos1] < count[pos2]) m[k] = pos1--;
            else m[k] = pos2++;
        }
        count[V + a] = count[m[0]] + count[m[1]];
        parent[m[0]] = V + a;
        parent[m[1]] = V + a;
        binary[m[1]] = 1;
    }
    for (int w = 0; w < V; w++) {
        int path[MAX_CODE], bits[MAX_CODE], len = 0;
        for (int b = w; b != 2 * V - 2 && len < MAX_CODE; b = parent[b]) {
            bits[len] = binary[b];
            path[len] = b;
            len++;
        }
        h->codelen[w] = (uint8_t)len;
        /* from the root down: points are inner nodes, numbered from 0 */
        h->points[(size_t)w * MAX_CODE] = V - 2;
        for (int i = 0; i < len; i++) {
            h->codes[(size_t)w * MAX_CODE + (len - 1 - i)] = (uint8_t)bits[i];
            if (i > 0) h->points[(size_t)w * MAX_CODE + (len - i)] = path[i] - V;
        }
    }
    free(count); free(parent); free(binary);
    return LLM_OK;
}

/* ------------------------------------------------------------------ training */

typedef struct trainer {
    const w2v_config *cfg;
    const embed_vocab *vocab;
    corpus corpus;
    int D, V;
    float *in, *out, *hs, *ng;   /* see the file header */
    uint32_t *alias_prob;        /* (V) Walker/Vose alias table over unigram^0.75: */
    int *alias;                  /* (V) keep i with probability alias_prob[i] / 2^32, else alias[i] */
    uint32_t *keep;              /* (V) subsampling keep probability scaled to 2^32 */
    int *sub_start, *sub_ids;    /* CSR of each word's n-gram bucket ids (subwords) */
    huffman huff;
    float sigmoid[SIGMOID_TABLE + 1];
    int64_t total_words;         /* words to process over all epochs */
    int64_t done_words;          /* shared progress (updated in batches) */
} trainer;

/* A negative sample from unigram^0.75 in O(1) (alias method). */
static inline int sample_negative(const trainer *t, trng *r)
{
    int i = (int)(((uint64_t)trng_next(r) * (uint64_t)t->V) >> 32);
    return trng_next(r) < t->alias_prob[i] ? i : t->alias[i];
}

/* Vose's construction of the alias table for weights w (V of them). */
static llm_status alias_build(trainer *t, const double *w)
{
    int V = t->V;
    double *scaled = llm_malloc((size_t)V * sizeof *scaled);
    int *small = llm_malloc((size_t)V * sizeof *small), *large = llm_malloc((size_t)V * sizeof *large);
    if (!scaled || !small || !large) {
        free(scaled); free(small); free(large);
        return LLM_ERR_NOMEM;
    }
    double sum = 0;
    for (int i = 0; i < V; i++) sum += w[i];
    int ns = 0, nl = 0;
    for (int i = 0; i < V; i++) {
        scaled[i] = w[i] * V / sum;
        if (scaled[i] < 1.0) small[ns++] = i;
        else large[nl++] = i;
    }
    while (ns && nl) {
        int s = small[--ns], l = large[nl - 1];
        t->alias_prob[s] = (uint32_t)(scaled[s] * 4294967295.0);
        t->alias[s] = l;
        scaled[l] -= 1.0 - scaled[s];
        if (scaled[l] < 1.0) {
            nl--;
            small[ns++] = l;
        }
    }
    while (nl) { int l = large[--nl]; t->alias_prob[l] = 0xffffffffu; t->alias[l] = l; }
    while (ns) { int s = small[--ns]; t->alias_prob[s] = 0xffffffffu; t->alias[s] = s; }
    free(scaled); free(small); free(large);
    return LLM_OK;
}

/* One (input vector h, target word) update: negative sampling and/or
 * hierarchical softmax. Accumulates the gradient for h into grad. */
static inline void train_pair(trainer *t, const float *h, int target, float *grad, float alpha, trng *r)
{
    int D = t->D;
    if (t->cfg->hs) {
        const uint8_t *code = t->huff.codes + (size_t)target * MAX_CODE;
        const int *point = t->huff.points + (size_t)target * MAX_CODE;
        for (int d = 0; d < t->huff.codelen[target]; d++) {
            float *node = t->hs + (size_t)point[d] * D;
            float g;
            if (!pair_gradient(t->sigmoid, dot(h, node, D), 1.0f - code[d], alpha, &g)) continue;
            axpy(grad, g, node, D);
            axpy(node, g, h, D);
        }
    }
    for (int d = 0; d <= t->cfg->negative && t->cfg->negative > 0; d++) {
        int w = target;
        float label = 1.0f;
        if (d > 0) {
            w = sample_negative(t, r);
            if (w == target) continue;
            label = 0.0f;
        }
        float *o = t->out + (size_t)w * D, g;
        if (!pair_gradient(t->sigmoid, dot(h, o, D), label, alpha, &g)) continue;
        axpy(grad, g, o, D);
        axpy(o, g, h, D);
    }
}

/* The input representation of word w into buf: its vector, or for subword
 * models the mean of its vector and its n-gram vectors. Returns buf or the row. */
static inline const float *input_of(trainer *t, int w, float *buf)
{
    int D = t->D;
    if (!t->ng) return t->in + (size_t)w * D;
    memcpy(buf, t->in + (size_t)w * D, (size_t)D * sizeof *buf);
    int a = t->sub_start[w], b = t->sub_start[w + 1];
    for (int k = a; k < b; k++) axpy(buf, 1.0f, t->ng + (size_t)t->sub_ids[k] * D, D);
    float inv = 1.0f / (float)(1 + b - a);
    for (int i = 0; i < D; i++) buf[i] *= inv;
    return buf;
}

/* Apply an input gradient to word w (and its n-grams, shared equally). */
static inline void apply_input(trainer *t, int w, const float *grad)
{
    int D = t->D;
    if (!t->ng) {
        axpy(t->in + (size_t)w * D, 1.0f, grad, D);
        return;
    }
    int a = t->sub_start[w], b = t->sub_start[w + 1];
    float s = 1.0f / (float)(1 + b - a);
    axpy(t->in + (size_t)w * D, s, grad, D);
    for (int k = a; k < b; k++) axpy(t->ng + (size_t)t->sub_ids[k] * D, s, grad, D);
}

/* Train on sentences [from, to) of the corpus index range. */
static void train_range(trainer *t, size_t from, size_t to, trng *r, int *stop)
{
    const w2v_config *cfg = t->cfg;
    int D = t->D;
    float *grad = malloc((size_t)D * sizeof *grad);
    float *hbuf = malloc((size_t)D * sizeof *hbuf);
    int *sent = malloc(MAX_SENTENCE * sizeof *sent);
    if (!grad || !hbuf || !sent) {
        free(grad); free(hbuf); free(sent);
        __atomic_store_n(stop, 1, __ATOMIC_RELAXED);
        return;
    }
    int64_t local = 0;
    /* one rate per ~10,000 words, from the words done before them (gensim's jobs) */
    float alpha = (float)w2v_learning_rate(cfg, (double)t->done_words / (double)t->total_words);
    size_t i = from;
    while (i < to && !__atomic_load_n(stop, __ATOMIC_RELAXED)) {
        /* gather one sentence, subsampled */
        int n = 0;
        for (; i < to && t->corpus.ids[i] >= 0; i++) {
            int w = t->corpus.ids[i];
            local++;
            if (t->keep[w] < 0xffffffffu && trng_next(r) > t->keep[w]) continue;
            sent[n++] = w;
        }
        i++; /* the -1 */
        for (int pos = 0; pos < n; pos++) {
            int word = sent[pos];
            int b = (int)(trng_next(r) % (uint32_t)cfg->window);
            int lo = pos - cfg->window + b, hi = pos + cfg->window - b;
            if (lo < 0) lo = 0;
            if (hi > n - 1) hi = n - 1;
            if (cfg->arch == EMBED_SKIPGRAM) {
                for (int c = lo; c <= hi; c++) {
                    if (c == pos) continue;
                    int ctx = sent[c];
                    const float *h = input_of(t, ctx, hbuf);
                    memset(grad, 0, (size_t)D * sizeof *grad);
                    train_pair(t, h, word, grad, alpha, r);
                    apply_input(t, ctx, grad);
                }
            } else {
                int cw = 0;
                float *h = hbuf;
                memset(h, 0, (size_t)D * sizeof *h);
                for (int c = lo; c <= hi; c++) {
                    if (c == pos) continue;
                    axpy(h, 1.0f, t->in + (size_t)sent[c] * D, D);
                    cw++;
                }
                if (!cw) continue;
                for (int k = 0; k < D; k++) h[k] /= (float)cw;
                memset(grad, 0, (size_t)D * sizeof *grad);
                train_pair(t, h, word, grad, alpha, r);
                for (int c = lo; c <= hi; c++)
                    if (c != pos) axpy(t->in + (size_t)sent[c] * D, 1.0f, grad, D);
            }
        }
        if (local >= 10000) {
            int64_t done;
#pragma omp atomic capture
            done = t->done_words += local;
            local = 0;
            alpha = (float)w2v_learning_rate(cfg, (double)done / (double)t->total_words);
            if (llm_interrupted()) __atomic_store_n(stop, 1, __ATOMIC_RELAXED);
#ifdef _OPENMP
            if (omp_get_thread_num() == 0)
#endif
                llm_progress("word2vec", (double)done, (double)t->total_words);
        }
    }
#pragma omp atomic
    t->done_words += local;
    free(grad); free(hbuf); free(sent);
}

static void trainer_free(trainer *t)
{
    free(t->corpus.ids);
    free(t->out);
    free(t->hs);
    free(t->alias_prob);
    free(t->alias);
    free(t->keep);
    free(t->sub_start);
    free(t->sub_ids);
    huffman_free(&t->huff);
}

static llm_status check_config(const w2v_config *c)
{
    if (c->dim < 1 || c->dim > 10000) return llm_fail(LLM_ERR_ARG, "word2vec: dim=%d is not between 1 and 10000", c->dim);
    if (c->window < 1 || c->window > 1000) return llm_fail(LLM_ERR_ARG, "word2vec: window=%d is not between 1 and 1000", c->window);
    if (c->negative < 0 || c->negative > 100) return llm_fail(LLM_ERR_ARG, "word2vec: negative=%d is not between 0 and 100", c->negative);
    if (c->negative == 0 && !c->hs) return llm_fail(LLM_ERR_ARG, "word2vec: needs negative > 0 or hs = true");
    if (c->epochs < 1 || c->epochs > 10000) return llm_fail(LLM_ERR_ARG, "word2vec: epochs=%d is not between 1 and 10000", c->epochs);
    if (!(c->alpha > 0) || !(c->min_alpha >= 0) || c->min_alpha > c->alpha)
        return llm_fail(LLM_ERR_ARG, "word2vec: need 0 <= min_alpha <= alpha and alpha > 0");
    if (c->sample < 0) return llm_fail(LLM_ERR_ARG, "word2vec: sample must be >= 0");
    if (c->subwords && (c->minn < 1 || c->maxn < c->minn || c->maxn > 20 || c->buckets < 1))
        return llm_fail(LLM_ERR_ARG, "word2vec: subwords need 1 <= minn <= maxn <= 20 and buckets >= 1");
    return LLM_OK;
}

/* Subword index: for each vocabulary word, the bucket ids of its n-grams. */
static llm_status build_subwords(trainer *t)
{
    const w2v_config *c = t->cfg;
    enum { CAP = 512 };
    int ids[CAP];
    size_t total = 0;
    t->sub_start = llm_malloc(((size_t)t->V + 1) * sizeof *t->sub_start);
    if (!t->sub_start) return LLM_ERR_NOMEM;
    for (int w = 0; w < t->V; w++) total += (size_t)embed_subword_ids(t->vocab->words[w], c->minn, c->maxn, c->buckets, ids, CAP);
    t->sub_ids = llm_malloc((total + 1) * sizeof *t->sub_ids);
    if (!t->sub_ids) return LLM_ERR_NOMEM;
    size_t at = 0;
    for (int w = 0; w < t->V; w++) {
        t->sub_start[w] = (int)at;
        int n = embed_subword_ids(t->vocab->words[w], c->minn, c->maxn, c->buckets, ids, CAP);
        memcpy(t->sub_ids + at, ids, (size_t)n * sizeof *ids);
        at += (size_t)n;
    }
    t->sub_start[t->V] = (int)at;
    return LLM_OK;
}

llm_status w2v_train(const w2v_config *cfg, const char *text, size_t len, embed_model **out)
{
    *out = NULL;
    llm_status st = check_config(cfg);
    if (st != LLM_OK) return st;
    embed_model *m = llm_calloc(1, sizeof *m);
    if (!m) return LLM_ERR_NOMEM;
    trainer t;
    memset(&t, 0, sizeof t);
    t.cfg = cfg;
    st = embed_vocab_build(&m->vocab, text, len, cfg->min_count);
    if (st != LLM_OK) { free(m); return st; }
    t.vocab = &m->vocab;
    t.V = m->vocab.size;
    t.D = m->dim = cfg->dim;
    int V = t.V, D = t.D;
    st = corpus_encode(&m->vocab, text, len, &t.corpus);

    /* parameters: input (and n-gram) vectors uniform in [-1, 1) / D as gensim 4
     * (prep_vectors) and fastText; output vectors zero */
    if (st == LLM_OK) {
        m->vectors = llm_malloc((size_t)V * D * sizeof(float));
        t.out = cfg->negative ? llm_calloc((size_t)V * D, sizeof(float)) : NULL;
        t.hs = cfg->hs ? llm_calloc((size_t)(V > 1 ? V - 1 : 1) * D, sizeof(float)) : NULL;
        t.alias_prob = llm_malloc((size_t)V * sizeof *t.alias_prob);
        t.alias = llm_malloc((size_t)V * sizeof *t.alias);
        t.keep = llm_malloc((size_t)V * sizeof *t.keep);
        if (!m->vectors || (cfg->negative && !t.out) || (cfg->hs && !t.hs) || !t.alias_prob || !t.alias || !t.keep) st = LLM_ERR_NOMEM;
    }
    if (st == LLM_OK && cfg->subwords) {
        m->buckets = cfg->buckets;
        m->minn = cfg->minn;
        m->maxn = cfg->maxn;
        m->ngrams = llm_malloc((size_t)cfg->buckets * D * sizeof(float));
        if (!m->ngrams) st = LLM_ERR_NOMEM;
        else st = build_subwords(&t);
    }
    if (st == LLM_OK && cfg->hs) st = huffman_build(&m->vocab, &t.huff);
    if (st != LLM_OK) {
        trainer_free(&t);
        embed_model_free(m);
        return st;
    }
    t.in = m->vectors;
    t.ng = m->ngrams;
    for (size_t i = 0; i < (size_t)V * D; i++) t.in[i] = ((float)llm_rand_uniform() * 2.0f - 1.0f) / (float)D;
    if (t.ng)
        for (size_t i = 0; i < (size_t)cfg->buckets * D; i++) t.ng[i] = ((float)llm_rand_uniform() * 2.0f - 1.0f) / (float)D;

    /* unigram^0.75 distribution for negative sampling */
    double *weights = llm_malloc((size_t)V * sizeof *weights);
    if (weights) {
        for (int w = 0; w < V; w++) weights[w] = pow((double)m->vocab.counts[w], 0.75);
        st = alias_build(&t, weights);
        free(weights);
    } else
        st = LLM_ERR_NOMEM;
    if (st != LLM_OK) {
        trainer_free(&t);
        embed_model_free(m);
        return st;
    }
    /* subsampling: an occurrence is dropped when a 32-bit draw exceeds
     * keep * (2^32 - 1), as gensim's sample_int */
    for (int w = 0; w < V; w++) {
        double keep = w2v_keep_probability(cfg->sample, m->vocab.counts[w], m->vocab.total);
        t.keep[w] = keep >= 1.0 ? 0xffffffffu : (uint32_t)(keep * 4294967295.0);
    }
    sigmoid_fill(t.sigmoid);

    int threads = cfg->threads > 0 ? cfg->threads : llm_get_threads();
    if (threads < 1) threads = 1;
    t.total_words = (int64_t)cfg->epochs * m->vocab.total;
    /* chunk boundaries at sentence ends, one chunk per thread */
    size_t *bounds = llm_malloc(((size_t)threads + 1) * sizeof *bounds);
    uint64_t *seeds = llm_malloc((size_t)threads * sizeof *seeds);
    if (!bounds || !seeds) {
        free(bounds); free(seeds);
        trainer_free(&t);
        embed_model_free(m);
        return LLM_ERR_NOMEM;
    }
    bounds[0] = 0;
    for (int k = 1; k < threads; k++) {
        size_t b = t.corpus.n * (size_t)k / (size_t)threads;
        while (b < t.corpus.n && t.corpus.ids[b] != -1) b++;
        bounds[k] = b < t.corpus.n ? b + 1 : t.corpus.n;
    }
    bounds[threads] = t.corpus.n;
    for (int k = 0; k < threads; k++) seeds[k] = ((uint64_t)llm_rand_u32() << 32) | llm_rand_u32();

    int stop = 0;
    for (int epoch = 0; epoch < cfg->epochs && !stop; epoch++) {
#pragma omp parallel for num_threads(threads) schedule(static, 1)
        for (int k = 0; k < threads; k++) {
            trng r = {seeds[k] + (uint64_t)epoch * 0x9E3779B97F4A7C15ULL};
            train_range(&t, bounds[k], bounds[k + 1], &r, &stop);
        }
    }
    free(bounds);
    free(seeds);
    if (stop) {
        trainer_free(&t);
        embed_model_free(m);
        if (llm_interrupted()) return llm_fail(LLM_ERR_INTERRUPTED, "word2vec: interrupted");
        return llm_fail(LLM_ERR_NOMEM, "word2vec: out of memory in a training thread");
    }
    /* subword models: store the composed vector of each vocabulary word */
    if (t.ng) {
        float *buf = llm_malloc((size_t)V * D * sizeof(float));
        if (!buf) {
            trainer_free(&t);
            embed_model_free(m);
            return LLM_ERR_NOMEM;
        }
        for (int w = 0; w < V; w++) (void)input_of(&t, w, buf + (size_t)w * D);
        free(m->vectors);
        m->vectors = buf;
    }
    trainer_free(&t);
    llm_progress("word2vec", (double)t.total_words, (double)t.total_words);
    *out = m;
    return LLM_OK;
}
