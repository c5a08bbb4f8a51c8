/*
 * ngram_counts.c: the counting half of the n-gram models (ngram.h): the
 * vocabulary with its <UNK> cut-off, one open-addressing hash table of all
 * k-grams (k = 1..order) keyed by their word ids, fitting on padded
 * everygrams as NLTK's padded_everygram_pipeline does, and the statistics
 * every smoothing needs (context totals, continuation counts, adjusted
 * counts and discounts for modified Kneser-Ney).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lm/ngram_impl.h"

/* ------------------------------------------------------------ strings */
/* The vocabulary is a tok_map (text/tok_map.h): the entry index is the word id. */
void ng_str_free(tok_map *t) { tok_map_free(t); }

const char *ng_str_get(const tok_map *t, size_t id)
{
    size_t len;
    return id < t->n ? tok_map_key(t, id, &len) : NULL;
}

int64_t ng_str_find(const tok_map *t, const char *s, size_t n) { return tok_map_find(t, s, n); }

llm_status ng_str_intern(tok_map *t, const char *s, size_t n, int64_t *id)
{
    *id = -1;
    if (n > 1u << 20) return llm_fail(LLM_ERR_ARG, "ngram: a token of %zu bytes is too long", n);
    size_t ix;
    llm_status st = tok_map_add(t, s, n, 0, &ix, NULL);
    if (!st) *id = (int64_t)ix;
    return st;
}

/* ------------------------------------------------------------ model basics */
const char *ngram_kind_name(ngram_kind k)
{
    static const char *const names[NGRAM_KIND_COUNT] = {
        "mle", "lidstone", "kneser_ney", "modified_kneser_ney", "interpolated", "stupid_backoff", "backoff",
    };
    return (unsigned)k < NGRAM_KIND_COUNT ? names[k] : "unknown";
}

void ngram_default_opts(ngram_opts *o, ngram_kind kind, int order)
{
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->order = order;
    o->gamma = 1.0;
    o->discount = 0.1;
    o->alpha = 0.4;
    o->unk_cutoff = 1;
}

void ng_reset(ngram_model *m)
{
    ng_str_free(&m->words);
    free(m->wcount);
    free(m->e);
    free(m->slots);
    free(m->pool);
    free(m->logp);
    free(m->bow);
    m->wcount = NULL;
    m->e = NULL;
    m->slots = NULL;
    m->pool = NULL;
    m->logp = m->bow = NULL;
    m->ne = m->ecap = m->nslots = m->npool = m->poolcap = 0;
    memset(m->nk, 0, sizeof m->nk);
    m->uni_total = m->root_cont_sum = m->root_adj_sum = 0;
    memset(m->root_n, 0, sizeof m->root_n);
    m->vsize = 0;
    m->fitted = 0;
}

llm_status ngram_new(ngram_model **out, const ngram_opts *o)
{
    *out = NULL;
    if ((unsigned)o->kind >= NGRAM_KIND_COUNT) return llm_fail(LLM_ERR_ARG, "ngram: unknown model kind %d", (int)o->kind);
    if (o->order < 1 || o->order > NGRAM_MAX_ORDER)
        return llm_fail(LLM_ERR_ARG, "ngram: order %d is outside 1..%d", o->order, NGRAM_MAX_ORDER);
    if (o->kind == NGRAM_LIDSTONE && !(o->gamma > 0))
        return llm_fail(LLM_ERR_ARG, "ngram: add-k needs k > 0, got %g", o->gamma);
    if (o->kind == NGRAM_KNESER_NEY && !(o->discount > 0 && o->discount < 1))
        return llm_fail(LLM_ERR_ARG, "ngram: the Kneser-Ney discount must be in (0, 1), got %g", o->discount);
    if (o->kind == NGRAM_KNESER_NEY && o->order < 2)
        return llm_fail(LLM_ERR_ARG, "ngram: Kneser-Ney needs order >= 2 (continuation counts come from bigrams)");
    if (o->kind == NGRAM_STUPID_BACKOFF && !(o->alpha > 0 && o->alpha <= 1))
        return llm_fail(LLM_ERR_ARG, "ngram: the stupid backoff factor must be in (0, 1], got %g", o->alpha);
    if (o->unk_cutoff < 1) return llm_fail(LLM_ERR_ARG, "ngram: unk_cutoff must be at least 1, got %d", o->unk_cutoff);
    ngram_model *m = llm_calloc(1, sizeof *m);
    if (!m) return LLM_ERR_NOMEM;
    m->o = *o;
    for (int k = 0; k <= NGRAM_MAX_ORDER; k++) m->mu[k] = 0.6;
    *out = m;
    return LLM_OK;
}

void ngram_free(ngram_model *m)
{
    if (!m) return;
    ng_reset(m);
    free(m);
}

const ngram_opts *ngram_get_opts(const ngram_model *m) { return &m->o; }
int ngram_is_fitted(const ngram_model *m) { return m->fitted; }

llm_status ng_add_specials(ngram_model *m)
{
    static const char *const specials[3] = {"<s>", "</s>", "<UNK>"};
    for (int i = 0; i < 3; i++) {
        int64_t id;
        llm_status st = ng_str_intern(&m->words, specials[i], strlen(specials[i]), &id);
        if (st) return st;
        if (id != i) return llm_fail(LLM_ERR_STATE, "ngram: the special words must come first");
    }
    m->bos = 0;
    m->eos = 1;
    m->unk = 2;
    return LLM_OK;
}

int ng_in_vocab(const ngram_model *m, int32_t id)
{
    if (id < 0 || (size_t)id >= m->words.n) return 0;
    if (m->o.kind == NGRAM_BACKOFF) return 1;
    return id == m->unk || m->wcount[id] >= (uint64_t)m->o.unk_cutoff;
}

int32_t ng_lookup(const ngram_model *m, const char *s, size_t n)
{
    int64_t id = ng_str_find(&m->words, s, n);
    if (id >= 0 && ng_in_vocab(m, (int32_t)id)) return (int32_t)id;
    return m->unk;
}

/* ------------------------------------------------------------ n-gram table */
static uint64_t ids_hash(const int32_t *ids, int k)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL * (uint64_t)(k + 1);
    for (int i = 0; i < k; i++) {
        h ^= (uint32_t)ids[i];
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
    }
    return h;
}

static int64_t find_h(const ngram_model *m, const int32_t *ids, int k, uint64_t h)
{
    if (!m->nslots) return -1;
    size_t j = h & (m->nslots - 1);
    while (m->slots[j]) {
        uint32_t i = m->slots[j] - 1;
        const ng_entry *e = &m->e[i];
        if (e->hash == h && e->k == (uint32_t)k && memcmp(m->pool + e->key, ids, (size_t)k * sizeof *ids) == 0)
            return i;
        j = (j + 1) & (m->nslots - 1);
    }
    return -1;
}

int64_t ng_find(const ngram_model *m, const int32_t *ids, int k) { return find_h(m, ids, k, ids_hash(ids, k)); }

int64_t ng_intern(ngram_model *m, const int32_t *ids, int k)
{
    uint64_t h = ids_hash(ids, k);
    int64_t i = find_h(m, ids, k, h);
    if (i >= 0) return i;
    if (m->ne >= UINT32_MAX - 1) {
        llm_fail(LLM_ERR_ARG, "ngram: too many distinct n-grams");
        return -1;
    }
    if ((m->ne + 1) * 2 > m->nslots) {
        size_t ns = m->nslots ? m->nslots * 2 : 4096;
        uint32_t *slots = llm_calloc(ns, sizeof *slots);
        if (!slots) return -1;
        for (size_t q = 0; q < m->ne; q++) {
            size_t j = m->e[q].hash & (ns - 1);
            while (slots[j]) j = (j + 1) & (ns - 1);
            slots[j] = (uint32_t)q + 1;
        }
        free(m->slots);
        m->slots = slots;
        m->nslots = ns;
    }
    if (m->ne == m->ecap) {
        size_t nc = m->ecap ? m->ecap * 2 : 4096;
        ng_entry *e = llm_realloc(m->e, nc * sizeof *e);
        if (!e) return -1;
        m->e = e;
        m->ecap = nc;
    }
    if (m->npool + (size_t)k > m->poolcap) {
        size_t nc = m->poolcap ? m->poolcap * 2 : 16384;
        while (nc < m->npool + (size_t)k) nc *= 2;
        if (nc > UINT32_MAX) {
            llm_fail(LLM_ERR_ARG, "ngram: too many n-grams");
            return -1;
        }
        int32_t *p = llm_realloc(m->pool, nc * sizeof *p);
        if (!p) return -1;
        m->pool = p;
        m->poolcap = nc;
    }
    ng_entry *e = &m->e[m->ne];
    memset(e, 0, sizeof *e);
    e->hash = h;
    e->k = (uint32_t)k;
    e->key = (uint32_t)m->npool;
    memcpy(m->pool + m->npool, ids, (size_t)k * sizeof *ids);
    m->npool += (size_t)k;
    size_t j = h & (m->nslots - 1);
    while (m->slots[j]) j = (j + 1) & (m->nslots - 1);
    m->slots[j] = (uint32_t)m->ne + 1;
    m->nk[k]++;
    return (int64_t)m->ne++;
}

/* Adjusted count of modified Kneser-Ney: the raw count at the top order and
 * for n-grams that start a sentence, the continuation count below. */
static uint64_t adjusted(const ngram_model *m, const ng_entry *g)
{
    if ((int)g->k == m->o.order || m->pool[g->key] == m->bos) return g->count;
    return g->cont;
}

llm_status ng_finalize(ngram_model *m)
{
    int order = m->o.order;
    m->uni_total = m->root_cont_sum = m->root_adj_sum = 0;
    memset(m->root_n, 0, sizeof m->root_n);
    for (size_t i = 0; i < m->ne; i++) {
        ng_entry *g = &m->e[i];
        g->cont = g->ctx_total = g->ctx_types = g->cont_sum = g->adj_sum = g->n1 = g->n2 = g->n3 = 0;
    }
    /* pass 1: context totals and continuation counts */
    for (size_t i = 0; i < m->ne; i++) {
        ng_entry *g = &m->e[i];
        if (g->count == 0) continue;
        if (g->k == 1) {
            m->uni_total += g->count;
            continue;
        }
        const int32_t *ids = m->pool + g->key;
        int64_t h = ng_find(m, ids, (int)g->k - 1);
        int64_t s = ng_find(m, ids + 1, (int)g->k - 1);
        if (h < 0 || s < 0) return llm_fail(LLM_ERR_FORMAT, "ngram: a %u-gram is counted but its prefix or suffix is not", g->k);
        m->e[h].ctx_total += g->count;
        m->e[h].ctx_types++;
        m->e[s].cont++;
    }
    /* pass 2: sums over followers of continuation and adjusted counts */
    uint64_t cc[NGRAM_MAX_ORDER + 1][5];
    memset(cc, 0, sizeof cc);
    for (size_t i = 0; i < m->ne; i++) {
        ng_entry *g = &m->e[i];
        if (g->count == 0) continue;
        uint64_t a = adjusted(m, g);
        if (a >= 1 && a <= 4) cc[g->k][a]++;
        if (g->k == 1) {
            m->root_cont_sum += g->cont;
            m->root_adj_sum += a;
            if (a >= 1) m->root_n[a >= 3 ? 2 : a - 1]++;
            continue;
        }
        ng_entry *h = &m->e[ng_find(m, m->pool + g->key, (int)g->k - 1)];
        h->cont_sum += g->cont;
        h->adj_sum += a;
        if (a == 1) h->n1++;
        else if (a == 2) h->n2++;
        else if (a >= 3) h->n3++;
    }
    /* modified KN discounts per order (Chen & Goodman), kept in [0, i] */
    for (int k = 1; k <= order; k++) {
        double n1 = (double)cc[k][1], n2 = (double)cc[k][2], n3 = (double)cc[k][3], n4 = (double)cc[k][4];
        double y = n1 + 2 * n2 > 0 ? n1 / (n1 + 2 * n2) : 0.5;
        double d[3] = {n1 > 0 ? 1 - 2 * y * n2 / n1 : 0.5, n2 > 0 ? 2 - 3 * y * n3 / n2 : 1.0,
                       n3 > 0 ? 3 - 4 * y * n4 / n3 : 1.5};
        for (int i = 0; i < 3; i++) {
            if (!isfinite(d[i]) || d[i] <= 0) d[i] = 0.5 * (i + 1);
            if (d[i] > i + 1) d[i] = i + 1;
            m->disc[k][i] = d[i];
        }
    }
    /* vocabulary size: words at or above the cut-off, plus <UNK> */
    m->vsize = 1;
    for (size_t w = 0; w < m->words.n; w++)
        if ((int32_t)w != m->unk && m->wcount[w] >= (uint64_t)m->o.unk_cutoff) m->vsize++;
    m->fitted = 1;
    return LLM_OK;
}

/* Padded ids of sentence s into buf (order-1 <s> and </s> each side, none
 * for unigram models); returns the length. */
static size_t pad_ids(const ngram_model *m, const ngram_text *t, size_t first, size_t n, int32_t *buf, int lookup)
{
    int pad = m->o.order - 1;
    size_t w = 0;
    for (int i = 0; i < pad; i++) buf[w++] = m->bos;
    for (size_t i = 0; i < n; i++) {
        const char *tok = t->tokens[first + i];
        size_t len = t->lens ? t->lens[first + i] : strlen(tok);
        buf[w++] = lookup ? ng_lookup(m, tok, len) : (int32_t)ng_str_find(&m->words, tok, len);
    }
    for (int i = 0; i < pad; i++) buf[w++] = m->eos;
    return w;
}

static llm_status check_text(const ngram_text *t, const char *op)
{
    for (size_t s = 0, i = 0; s < t->nsent; s++)
        for (size_t j = 0; j < t->sent_lens[s]; j++, i++)
            if (!t->tokens[i]) return llm_fail(LLM_ERR_ARG, "%s: token %zu of sentence %zu is missing", op, j + 1, s + 1);
    return LLM_OK;
}

llm_status ngram_fit(ngram_model *m, const ngram_text *t)
{
    if (m->o.kind == NGRAM_BACKOFF) return llm_fail(LLM_ERR_STATE, "ngram fit: a model read from ARPA cannot be refitted");
    llm_status s = check_text(t, "ngram fit");
    if (s) return s;
    if (t->nsent == 0) return llm_fail(LLM_ERR_ARG, "ngram fit: no sentences to learn from");
    ng_reset(m);
    if ((s = ng_add_specials(m))) return s;
    int order = m->o.order, pad = order - 1;
    size_t maxlen = 0, ntok = 0;
    for (size_t i = 0; i < t->nsent; i++) {
        if (t->sent_lens[i] > maxlen) maxlen = t->sent_lens[i];
        ntok += t->sent_lens[i];
    }
    /* vocabulary counts over the padded sentences */
    size_t wcap = 0;
    for (size_t i = 0; i < ntok; i++) {
        size_t len = t->lens ? t->lens[i] : strlen(t->tokens[i]);
        int64_t id;
        llm_status st = ng_str_intern(&m->words, t->tokens[i], len, &id);
        if (st) return st;
        if ((size_t)id >= wcap) {
            size_t nc = wcap ? wcap * 2 : 4096;
            while (nc <= (size_t)id) nc *= 2;
            uint64_t *wc = llm_realloc(m->wcount, nc * sizeof *wc);
            if (!wc) return LLM_ERR_NOMEM;
            memset(wc + wcap, 0, (nc - wcap) * sizeof *wc);
            m->wcount = wc;
            wcap = nc;
        }
        m->wcount[id]++;
        if ((i & 0xfffff) == 0 && llm_interrupted()) return llm_fail(LLM_ERR_INTERRUPTED, "ngram fit: interrupted");
    }
    if (wcap < 3) {
        uint64_t *wc = llm_realloc(m->wcount, 3 * sizeof *wc);
        if (!wc) return LLM_ERR_NOMEM;
        memset(wc + wcap, 0, (3 - wcap) * sizeof *wc);
        m->wcount = wc;
    }
    m->wcount[m->bos] += (uint64_t)pad * t->nsent;
    m->wcount[m->eos] += (uint64_t)pad * t->nsent;
    m->fitted = 0;
    /* the everygrams of every padded sentence */
    int32_t *buf = llm_malloc((maxlen + 2 * (size_t)pad + 1) * sizeof *buf);
    if (!buf) return LLM_ERR_NOMEM;
    for (size_t si = 0, first = 0; si < t->nsent; first += t->sent_lens[si], si++) {
        size_t n = pad_ids(m, t, first, t->sent_lens[si], buf, 1);
        for (size_t i = 0; i < n; i++)
            for (int k = 1; k <= order && i + (size_t)k <= n; k++) {
                int64_t e = ng_intern(m, buf + i, k);
                if (e < 0) {
                    free(buf);
                    return *llm_last_error() ? LLM_ERR_ARG : LLM_ERR_NOMEM;
                }
                m->e[e].count++;
            }
        if ((si & 4095) == 4095) {
            llm_progress("ngram fit", (double)si + 1, (double)t->nsent);
            if (llm_interrupted()) {
                free(buf);
                return llm_fail(LLM_ERR_INTERRUPTED, "ngram fit: interrupted");
            }
        }
    }
    free(buf);
    return ng_finalize(m);
}

size_t ngram_vocab_size(const ngram_model *m) { return m->fitted ? m->vsize : 0; }

size_t ngram_num_words(const ngram_model *m) { return m->words.n; }

const char *ngram_word_at(const ngram_model *m, size_t id, int *in_vocab, uint64_t *count)
{
    if (id >= m->words.n) return NULL;
    if (in_vocab) *in_vocab = ng_in_vocab(m, (int32_t)id);
    if (count) *count = m->wcount ? m->wcount[id] : 0;
    return ng_str_get(&m->words, id);
}

uint64_t ngram_count(const ngram_model *m, const char *const *toks, const size_t *lens, size_t k)
{
    if (!m->fitted || k < 1 || k > (size_t)m->o.order) return 0;
    int32_t ids[NGRAM_MAX_ORDER];
    for (size_t i = 0; i < k; i++) ids[i] = ng_lookup(m, toks[i], lens ? lens[i] : strlen(toks[i]));
    int64_t e = ng_find(m, ids, (int)k);
    return e < 0 ? 0 : m->e[e].count;
}

size_t ngram_num_ngrams(const ngram_model *m, int k) { return k >= 1 && k <= NGRAM_MAX_ORDER ? m->nk[k] : 0; }
