/* glove.c: GloVe (Pennington et al. 2014). Co-occurrence counts within a
 * symmetric window, each pair weighted by 1/distance, are kept in a hash
 * table bounded by cfg->max_pairs (when full, only pairs already present
 * are updated: a memory bound, reported through the warning count); then
 * weighted least squares with AdaGrad over the pairs in a random order.
 * The vectors returned are W + W~ (word and context vectors summed). */
#pragma GCC optimize("O3")
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "embed.h"

void glove_config_default(glove_config *c)
{
    memset(c, 0, sizeof *c);
    c->dim = 100;
    c->window = 10;
    c->min_count = 5;
    c->epochs = 25;
    c->x_max = 100.0;
    c->power = 0.75;
    c->alpha = 0.05;
}

typedef struct pair { int32_t i, j; float x; } pair;

typedef struct cooc {
    pair *slots;     /* open addressing; i = -1 marks empty */
    size_t size, used, cap_limit;
} cooc;

static inline size_t pair_hash(int32_t i, int32_t j)
{
    uint64_t h = ((uint64_t)(uint32_t)i << 32) | (uint32_t)j;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (size_t)h;
}

static llm_status cooc_grow(cooc *c)
{
    size_t ns = c->size ? c->size * 2 : 1 << 16;
    pair *s = llm_malloc(ns * sizeof *s);
    if (!s) return LLM_ERR_NOMEM;
    for (size_t k = 0; k < ns; k++) s[k].i = -1;
    for (size_t k = 0; k < c->size; k++) {
        if (c->slots[k].i < 0) continue;
        size_t at = pair_hash(c->slots[k].i, c->slots[k].j) & (ns - 1);
        while (s[at].i >= 0) at = (at + 1) & (ns - 1);
        s[at] = c->slots[k];
    }
    free(c->slots);
    c->slots = s;
    c->size = ns;
    return LLM_OK;
}

static llm_status cooc_add(cooc *c, int32_t i, int32_t j, float x)
{
    size_t mask = c->size - 1;
    size_t at = pair_hash(i, j) & mask;
    while (c->slots[at].i >= 0) {
        if (c->slots[at].i == i && c->slots[at].j == j) {
            c->slots[at].x += x;
            return LLM_OK;
        }
        at = (at + 1) & mask;
    }
    if (c->used >= c->cap_limit) return LLM_OK; /* bounded: new pairs dropped */
    c->slots[at].i = i;
    c->slots[at].j = j;
    c->slots[at].x = x;
    c->used++;
    if (c->used * 2 > c->size) return cooc_grow(c);
    return LLM_OK;
}

static int is_space(unsigned char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v'; }

llm_status glove_train(const glove_config *cfg, const char *text, size_t len, embed_model **out)
{
    *out = NULL;
    if (cfg->dim < 1 || cfg->dim > 10000) return llm_fail(LLM_ERR_ARG, "glove: dim=%d is not between 1 and 10000", cfg->dim);
    if (cfg->window < 1 || cfg->window > 1000) return llm_fail(LLM_ERR_ARG, "glove: window=%d is not between 1 and 1000", cfg->window);
    if (cfg->epochs < 1) return llm_fail(LLM_ERR_ARG, "glove: epochs must be at least 1");
    if (!(cfg->x_max > 0) || !(cfg->alpha > 0)) return llm_fail(LLM_ERR_ARG, "glove: x_max and alpha must be positive");
    embed_model *m = llm_calloc(1, sizeof *m);
    if (!m) return LLM_ERR_NOMEM;
    llm_status st = embed_vocab_build(&m->vocab, text, len, cfg->min_count);
    if (st != LLM_OK) { free(m); return st; }
    int V = m->vocab.size, D = m->dim = cfg->dim, W = cfg->window;

    cooc c = {0};
    c.cap_limit = cfg->max_pairs ? cfg->max_pairs : 50000000;
    int *hist = llm_malloc((size_t)W * sizeof *hist); /* the last W word ids of this sentence */
    st = hist ? cooc_grow(&c) : LLM_ERR_NOMEM;
    int nh = 0;
    for (size_t p = 0; st == LLM_OK && p < len;) {
        if (text[p] == '\n') { nh = 0; p++; continue; }
        if (is_space((unsigned char)text[p])) { p++; continue; }
        size_t s0 = p;
        while (p < len && !is_space((unsigned char)text[p])) p++;
        int id = embed_vocab_find(&m->vocab, text + s0, p - s0);
        if (id < 0) continue;
        /* pair with the previous words of the sentence, both directions */
        for (int d = 1; d <= nh && st == LLM_OK; d++) {
            int prev = hist[(nh - d) % W];
            float x = 1.0f / (float)d;
            st = cooc_add(&c, id, prev, x);
            if (st == LLM_OK) st = cooc_add(&c, prev, id, x);
        }
        if (nh < W) hist[nh++] = id;
        else {
            memmove(hist, hist + 1, (size_t)(W - 1) * sizeof *hist);
            hist[W - 1] = id;
        }
    }
    free(hist);
    /* pack the pairs */
    pair *pairs = NULL;
    size_t np = 0;
    if (st == LLM_OK) {
        pairs = llm_malloc((c.used + 1) * sizeof *pairs);
        if (!pairs) st = LLM_ERR_NOMEM;
        else
            for (size_t k = 0; k < c.size; k++)
                if (c.slots[k].i >= 0) pairs[np++] = c.slots[k];
    }
    free(c.slots);
    if (st == LLM_OK && np == 0) st = llm_fail(LLM_ERR_ARG, "glove: no word pairs within the window (is every sentence one word?)");
    /* parameters: W and W~ (V, D), biases, AdaGrad accumulators starting at 1 */
    size_t nparam = (size_t)V * (D + 1);
    float *w = NULL, *gsq = NULL;
    if (st == LLM_OK) {
        w = llm_malloc(2 * nparam * sizeof *w);
        gsq = llm_malloc(2 * nparam * sizeof *gsq);
        if (!w || !gsq) st = LLM_ERR_NOMEM;
    }
    if (st != LLM_OK) {
        free(pairs); free(w); free(gsq);
        embed_model_free(m);
        return st;
    }
    for (size_t k = 0; k < 2 * nparam; k++) {
        w[k] = ((float)llm_rand_uniform() - 0.5f) / (float)D;
        gsq[k] = 1.0f;
    }
    float *ctx = w + nparam, *gctx = gsq + nparam; /* row r: D weights then the bias */
    for (int epoch = 0; epoch < cfg->epochs; epoch++) {
        /* shuffle (Fisher-Yates with the engine PRNG) */
        for (size_t k = np - 1; k > 0; k--) {
            size_t r = (size_t)(llm_rand_uniform() * (double)(k + 1));
            pair tmp = pairs[k];
            pairs[k] = pairs[r];
            pairs[r] = tmp;
        }
        double cost = 0;
        for (size_t k = 0; k < np; k++) {
            float *a = w + (size_t)pairs[k].i * (D + 1), *b = ctx + (size_t)pairs[k].j * (D + 1);
            float *ga = gsq + (size_t)pairs[k].i * (D + 1), *gb = gctx + (size_t)pairs[k].j * (D + 1);
            float diff = a[D] + b[D] - logf(pairs[k].x);
            for (int d = 0; d < D; d++) diff += a[d] * b[d];
            float fx = pairs[k].x > cfg->x_max ? 1.0f : powf(pairs[k].x / (float)cfg->x_max, (float)cfg->power);
            float fdiff = fx * diff;
            if (!isfinite(fdiff)) continue;
            cost += 0.5 * fdiff * diff;
            fdiff *= (float)cfg->alpha;
            for (int d = 0; d < D; d++) {
                float g1 = fdiff * b[d], g2 = fdiff * a[d];
                a[d] -= g1 / sqrtf(ga[d]);
                b[d] -= g2 / sqrtf(gb[d]);
                ga[d] += g1 * g1;
                gb[d] += g2 * g2;
            }
            a[D] -= fdiff / sqrtf(ga[D]);
            b[D] -= fdiff / sqrtf(gb[D]);
            ga[D] += fdiff * fdiff;
            gb[D] += fdiff * fdiff;
        }
        (void)cost;
        llm_progress("glove", epoch + 1, cfg->epochs);
        if (llm_interrupted()) {
            free(pairs); free(w); free(gsq);
            embed_model_free(m);
            return llm_fail(LLM_ERR_INTERRUPTED, "glove: interrupted");
        }
    }
    m->vectors = llm_malloc((size_t)V * D * sizeof(float));
    if (m->vectors)
        for (int r = 0; r < V; r++)
            for (int d = 0; d < D; d++)
                m->vectors[(size_t)r * D + d] = w[(size_t)r * (D + 1) + d] + ctx[(size_t)r * (D + 1) + d];
    free(pairs); free(w); free(gsq);
    if (!m->vectors) {
        embed_model_free(m);
        return LLM_ERR_NOMEM;
    }
    *out = m;
    return LLM_OK;
}
