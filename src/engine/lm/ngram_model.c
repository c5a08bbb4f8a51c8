/*
 * ngram_model.c: what a fitted n-gram model computes (ngram.h): P(w | h)
 * for each smoothing, perplexity and cross-entropy with NLTK's padding,
 * EM tuning of interpolation weights on held-out text, seeded sampling
 * with temperature and top-k, and the native save/load format.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lm/ngram_impl.h"

/* ------------------------------------------------------------ scores */
static const ng_entry *entry(const ngram_model *m, const int32_t *ids, int k)
{
    int64_t i = ng_find(m, ids, k);
    return i < 0 ? NULL : &m->e[i];
}

/* c(ctx w) with the (clen+1)-gram built in a small buffer. */
static const ng_entry *entry_w(const ngram_model *m, const int32_t *ctx, int clen, int32_t w)
{
    int32_t buf[NGRAM_MAX_ORDER + 1];
    if (clen) memcpy(buf, ctx, (size_t)clen * sizeof *buf);
    buf[clen] = w;
    return entry(m, buf, clen + 1);
}

static double score_mle(const ngram_model *m, const int32_t *ctx, int clen, int32_t w)
{
    if (clen == 0) {
        const ng_entry *g = entry(m, &w, 1);
        return m->uni_total && g ? (double)g->count / (double)m->uni_total : 0.0;
    }
    const ng_entry *h = entry(m, ctx, clen);
    if (!h || h->ctx_total == 0) return 0.0;
    const ng_entry *g = entry_w(m, ctx, clen, w);
    return g ? (double)g->count / (double)h->ctx_total : 0.0;
}

static double score_lidstone(const ngram_model *m, const int32_t *ctx, int clen, int32_t w)
{
    double c = 0, n = 0, gm = m->o.gamma;
    if (clen == 0) {
        const ng_entry *g = entry(m, &w, 1);
        c = g ? (double)g->count : 0;
        n = (double)m->uni_total;
    } else {
        const ng_entry *h = entry(m, ctx, clen);
        if (h) {
            n = (double)h->ctx_total;
            const ng_entry *g = entry_w(m, ctx, clen, w);
            c = g ? (double)g->count : 0;
        }
    }
    return (c + gm) / (n + (double)m->vsize * gm);
}

/* NLTK's KneserNeyInterpolated, term for term. */
static double score_kn(const ngram_model *m, const int32_t *ctx, int clen, int32_t w)
{
    double d = m->o.discount;
    if (clen == 0) {
        const ng_entry *g = entry(m, &w, 1);
        return m->root_cont_sum ? (double)(g ? g->cont : 0) / (double)m->root_cont_sum : 0.0;
    }
    const ng_entry *h = entry(m, ctx, clen);
    if (!h || h->ctx_types == 0) return score_kn(m, ctx + 1, clen - 1, w);
    const ng_entry *g = entry_w(m, ctx, clen, w);
    double num, tot;
    if (clen + 1 == m->o.order) {
        num = g ? (double)g->count : 0;
        tot = (double)h->ctx_total;
    } else {
        num = g ? (double)g->cont : 0;
        tot = (double)h->cont_sum;
    }
    if (tot == 0) return score_kn(m, ctx + 1, clen - 1, w); /* NLTK would divide by zero here */
    double alpha = fmax(num - d, 0.0) / tot;
    double gamma = d * (double)h->ctx_types / tot;
    return alpha + gamma * score_kn(m, ctx + 1, clen - 1, w);
}

static uint64_t adj_of(const ngram_model *m, const ng_entry *g)
{
    if (!g) return 0;
    if ((int)g->k == m->o.order || m->pool[g->key] == m->bos) return g->count;
    return g->cont;
}

static double mkn_d(const ngram_model *m, int k, uint64_t a)
{
    if (a == 0) return 0;
    return m->disc[k][a >= 3 ? 2 : a - 1];
}

static double score_mkn(const ngram_model *m, const int32_t *ctx, int clen, int32_t w)
{
    if (clen == 0) {
        double V = (double)m->vsize;
        if (!m->root_adj_sum) return 1.0 / V;
        const ng_entry *g = entry(m, &w, 1);
        uint64_t a = adj_of(m, g);
        double tot = (double)m->root_adj_sum;
        double gamma = (m->disc[1][0] * m->root_n[0] + m->disc[1][1] * m->root_n[1] + m->disc[1][2] * m->root_n[2]) / tot;
        return fmax((double)a - mkn_d(m, 1, a), 0.0) / tot + gamma / V;
    }
    const ng_entry *h = entry(m, ctx, clen);
    if (!h || h->adj_sum == 0) return score_mkn(m, ctx + 1, clen - 1, w);
    int k = clen + 1;
    uint64_t a = adj_of(m, entry_w(m, ctx, clen, w));
    double tot = (double)h->adj_sum;
    double gamma = (m->disc[k][0] * h->n1 + m->disc[k][1] * h->n2 + m->disc[k][2] * h->n3) / tot;
    return fmax((double)a - mkn_d(m, k, a), 0.0) / tot + gamma * score_mkn(m, ctx + 1, clen - 1, w);
}

/* Jelinek-Mercer: P_k = mu_k p_ML(w | last k-1) + (1 - mu_k) P_{k-1}; levels
 * whose context was never seen are skipped; P_0 is uniform. */
static void jm_levels(const ngram_model *m, const int32_t *ctx, int clen, int32_t w, double *pml, int *seen)
{
    for (int k = 1; k <= clen + 1; k++) {
        int hl = k - 1;
        const int32_t *h = ctx + (clen - hl);
        if (hl == 0) {
            const ng_entry *g = entry(m, &w, 1);
            seen[k] = m->uni_total > 0;
            pml[k] = seen[k] && g ? (double)g->count / (double)m->uni_total : 0.0;
        } else {
            const ng_entry *he = entry(m, h, hl);
            seen[k] = he && he->ctx_total > 0;
            const ng_entry *g = seen[k] ? entry_w(m, h, hl, w) : NULL;
            pml[k] = g ? (double)g->count / (double)he->ctx_total : 0.0;
        }
    }
}

static double score_jm(const ngram_model *m, const int32_t *ctx, int clen, int32_t w)
{
    double pml[NGRAM_MAX_ORDER + 1];
    int seen[NGRAM_MAX_ORDER + 1];
    jm_levels(m, ctx, clen, w, pml, seen);
    double p = 1.0 / (double)m->vsize;
    for (int k = 1; k <= clen + 1; k++)
        if (seen[k]) p = m->mu[k] * pml[k] + (1 - m->mu[k]) * p;
    return p;
}

static double score_sb(const ngram_model *m, const int32_t *ctx, int clen, int32_t w)
{
    if (clen == 0) {
        const ng_entry *g = entry(m, &w, 1);
        return m->uni_total && g ? (double)g->count / (double)m->uni_total : 0.0;
    }
    const ng_entry *g = entry_w(m, ctx, clen, w);
    if (g && g->count > 0) return (double)g->count / (double)entry(m, ctx, clen)->ctx_total;
    return m->o.alpha * score_sb(m, ctx + 1, clen - 1, w);
}

/* ARPA back-off: log10 P. */
static double log10_backoff(const ngram_model *m, const int32_t *ctx, int clen, int32_t w)
{
    int32_t buf[NGRAM_MAX_ORDER + 1];
    if (clen) memcpy(buf, ctx, (size_t)clen * sizeof *buf);
    buf[clen] = w;
    int64_t g = ng_find(m, buf, clen + 1);
    if (g >= 0) return m->logp[g];
    if (clen == 0) return -INFINITY;
    int64_t h = ng_find(m, ctx, clen);
    return (h >= 0 ? m->bow[h] : 0.0) + log10_backoff(m, ctx + 1, clen - 1, w);
}

double ng_score(const ngram_model *m, const int32_t *ctx, int clen, int32_t w)
{
    if (clen > m->o.order - 1) {
        ctx += clen - (m->o.order - 1);
        clen = m->o.order - 1;
    }
    switch (m->o.kind) {
    case NGRAM_MLE: return score_mle(m, ctx, clen, w);
    case NGRAM_LIDSTONE: return score_lidstone(m, ctx, clen, w);
    case NGRAM_KNESER_NEY: return score_kn(m, ctx, clen, w);
    case NGRAM_MODIFIED_KN: return score_mkn(m, ctx, clen, w);
    case NGRAM_INTERPOLATED: return score_jm(m, ctx, clen, w);
    case NGRAM_STUPID_BACKOFF: return score_sb(m, ctx, clen, w);
    case NGRAM_BACKOFF: {
        double l = log10_backoff(m, ctx, clen, w);
        return l <= -99 ? 0.0 : pow(10.0, l);
    }
    default: return 0.0;
    }
}

double ng_backoff_weight(const ngram_model *m, const ng_entry *g)
{
    switch (m->o.kind) {
    case NGRAM_KNESER_NEY: {
        if (g->ctx_types == 0) return 1.0;
        double tot = (int)g->k + 1 == m->o.order ? (double)g->ctx_total : (double)g->cont_sum;
        return tot == 0 ? 1.0 : m->o.discount * (double)g->ctx_types / tot;
    }
    case NGRAM_MODIFIED_KN: {
        if (g->adj_sum == 0) return 1.0;
        int k = (int)g->k + 1;
        return (m->disc[k][0] * g->n1 + m->disc[k][1] * g->n2 + m->disc[k][2] * g->n3) / (double)g->adj_sum;
    }
    case NGRAM_INTERPOLATED: return g->ctx_total > 0 ? 1 - m->mu[g->k + 1] : 1.0;
    case NGRAM_STUPID_BACKOFF: return m->o.alpha;
    case NGRAM_MLE: return g->ctx_total > 0 ? 0.0 : 1.0;
    case NGRAM_LIDSTONE: /* computed for all contexts at once by the ARPA writer */
    default: return 1.0;
    }
}

/* ------------------------------------------------------------ public scoring */
static llm_status need_fitted(const ngram_model *m, const char *op)
{
    if (!m->fitted) return llm_fail(LLM_ERR_STATE, "%s: the model is not fitted yet (call fit first)", op);
    return LLM_OK;
}

llm_status ngram_prob(const ngram_model *m, const char *const *context, const size_t *clens, size_t nctx,
                      const char *word, size_t wlen, double *p)
{
    llm_status s = need_fitted(m, "ngram prob");
    if (s) return s;
    int32_t ctx[NGRAM_MAX_ORDER];
    size_t use = nctx < (size_t)m->o.order - 1 ? nctx : (size_t)m->o.order - 1;
    for (size_t i = 0; i < use; i++) {
        size_t j = nctx - use + i;
        ctx[i] = ng_lookup(m, context[j], clens ? clens[j] : strlen(context[j]));
    }
    *p = ng_score(m, ctx, (int)use, ng_lookup(m, word, wlen));
    return LLM_OK;
}

/* The scored events of a text: for each sentence padded as in fitting,
 * each order-gram (context ids, word id). Calls fn for each. */
typedef void (*event_fn)(void *ud, const int32_t *ctx, int clen, int32_t w, int oov);

static llm_status for_events(const ngram_model *m, const ngram_text *t, event_fn fn, void *ud)
{
    int order = m->o.order, pad = order - 1;
    size_t maxlen = 0;
    for (size_t i = 0; i < t->nsent; i++)
        if (t->sent_lens[i] > maxlen) maxlen = t->sent_lens[i];
    int32_t *buf = llm_malloc((maxlen + 2 * (size_t)pad + 1) * sizeof *buf);
    unsigned char *oov = llm_malloc(maxlen + 2 * (size_t)pad + 1);
    if (!buf || !oov) {
        free(buf);
        free(oov);
        return LLM_ERR_NOMEM;
    }
    for (size_t si = 0, first = 0; si < t->nsent; first += t->sent_lens[si], si++) {
        size_t n = 0;
        for (int i = 0; i < pad; i++) oov[n] = 0, buf[n++] = m->bos;
        for (size_t i = 0; i < t->sent_lens[si]; i++) {
            const char *tok = t->tokens[first + i];
            if (!tok) {
                free(buf);
                free(oov);
                return llm_fail(LLM_ERR_ARG, "ngram: token %zu of sentence %zu is missing", i + 1, si + 1);
            }
            size_t len = t->lens ? t->lens[first + i] : strlen(tok);
            int64_t raw = ng_str_find(&m->words, tok, len);
            buf[n] = ng_lookup(m, tok, len);
            oov[n++] = raw < 0 || !ng_in_vocab(m, (int32_t)raw);
        }
        for (int i = 0; i < pad; i++) oov[n] = 0, buf[n++] = m->eos;
        for (size_t i = 0; i + (size_t)order <= n; i++) fn(ud, buf + i, pad, buf[i + pad], oov[i + pad]);
        if ((si & 4095) == 4095 && llm_interrupted()) {
            free(buf);
            free(oov);
            return llm_fail(LLM_ERR_INTERRUPTED, "ngram: interrupted");
        }
    }
    free(buf);
    free(oov);
    return LLM_OK;
}

typedef struct { const ngram_model *m; double sum_log2; ngram_eval *ev; } eval_acc;

static void eval_event(void *ud, const int32_t *ctx, int clen, int32_t w, int oov)
{
    eval_acc *a = ud;
    double p = ng_score(a->m, ctx, clen, w);
    a->ev->events++;
    a->ev->oov += (size_t)oov;
    if (p > 0) a->sum_log2 += log2(p);
    else a->ev->zero_events++;
}

llm_status ngram_evaluate(const ngram_model *m, const ngram_text *t, ngram_eval *out)
{
    memset(out, 0, sizeof *out);
    llm_status s = need_fitted(m, "ngram perplexity");
    if (s) return s;
    eval_acc a = {m, 0.0, out};
    if ((s = for_events(m, t, eval_event, &a))) return s;
    if (out->events == 0)
        return llm_fail(LLM_ERR_ARG, "ngram perplexity: the text has no %d-grams to score (no sentences, or empty ones under a unigram model)", m->o.order);
    if (out->zero_events) {
        out->cross_entropy = INFINITY;
        out->perplexity = INFINITY;
    } else {
        out->cross_entropy = -a.sum_log2 / (double)out->events;
        out->perplexity = pow(2.0, out->cross_entropy);
    }
    return LLM_OK;
}

/* ------------------------------------------------------------ EM tuning */
typedef struct { const ngram_model *m; double *pml; int *seen; size_t n, cap; llm_status err; } tune_acc;

static void tune_event(void *ud, const int32_t *ctx, int clen, int32_t w, int oov)
{
    (void)oov;
    tune_acc *a = ud;
    if (a->err) return;
    int L = a->m->o.order + 1;
    if (a->n == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 4096;
        double *p = llm_realloc(a->pml, nc * (size_t)L * sizeof *p);
        if (!p) { a->err = LLM_ERR_NOMEM; return; }
        a->pml = p;
        int *s = llm_realloc(a->seen, nc * (size_t)L * sizeof *s);
        if (!s) { a->err = LLM_ERR_NOMEM; return; }
        a->seen = s;
        a->cap = nc;
    }
    jm_levels(a->m, ctx, clen, w, a->pml + a->n * (size_t)L, a->seen + a->n * (size_t)L);
    a->n++;
}

llm_status ngram_tune(ngram_model *m, const ngram_text *held, int max_iter, double *final_xent)
{
    if (m->o.kind != NGRAM_INTERPOLATED)
        return llm_fail(LLM_ERR_STATE, "ngram tune: only the interpolated model has weights to tune");
    llm_status s = need_fitted(m, "ngram tune");
    if (s) return s;
    tune_acc a = {.m = m};
    if ((s = for_events(m, held, tune_event, &a)) || (s = a.err)) {
        free(a.pml);
        free(a.seen);
        return s;
    }
    if (a.n == 0) {
        free(a.pml);
        free(a.seen);
        return llm_fail(LLM_ERR_ARG, "ngram tune: the held-out text has no n-grams");
    }
    int order = m->o.order, L = order + 1;
    double p0 = 1.0 / (double)m->vsize, prev = INFINITY, xent = INFINITY;
    double P[NGRAM_MAX_ORDER + 1];
    for (int it = 0; it < (max_iter > 0 ? max_iter : 100); it++) {
        double num[NGRAM_MAX_ORDER + 1] = {0}, den[NGRAM_MAX_ORDER + 1] = {0}, ll = 0;
        for (size_t e = 0; e < a.n; e++) {
            const double *pml = a.pml + e * (size_t)L;
            const int *seen = a.seen + e * (size_t)L;
            P[0] = p0;
            for (int k = 1; k <= order; k++) P[k] = seen[k] ? m->mu[k] * pml[k] + (1 - m->mu[k]) * P[k - 1] : P[k - 1];
            ll += log2(P[order]);
            double r = 1.0; /* probability mass that reached level k, as a posterior */
            for (int k = order; k >= 1; k--) {
                if (!seen[k]) continue;
                double gen = r * m->mu[k] * pml[k] / P[k];
                num[k] += gen;
                den[k] += r;
                r -= gen;
            }
        }
        for (int k = 1; k <= order; k++)
            if (den[k] > 0) m->mu[k] = fmin(fmax(num[k] / den[k], 1e-6), 1 - 1e-6);
        xent = -ll / (double)a.n;
        if (fabs(prev - xent) < 1e-7) break;
        prev = xent;
    }
    free(a.pml);
    free(a.seen);
    if (final_xent) *final_xent = xent;
    return LLM_OK;
}

llm_status ngram_get_weights(const ngram_model *m, double *mu)
{
    for (int k = 0; k <= m->o.order; k++) mu[k] = k ? m->mu[k] : 0;
    return LLM_OK;
}

llm_status ngram_set_weights(ngram_model *m, const double *mu)
{
    for (int k = 1; k <= m->o.order; k++)
        if (!(mu[k] >= 0 && mu[k] <= 1)) return llm_fail(LLM_ERR_ARG, "ngram weights: weight %d is %g, not in [0, 1]", k, mu[k]);
    for (int k = 1; k <= m->o.order; k++) m->mu[k] = mu[k];
    return LLM_OK;
}

llm_status ngram_get_discounts(const ngram_model *m, int k, double d[3])
{
    if (k < 1 || k > m->o.order) return llm_fail(LLM_ERR_ARG, "ngram discounts: order %d is outside 1..%d", k, m->o.order);
    memcpy(d, m->disc[k], sizeof m->disc[k]);
    return LLM_OK;
}

/* ------------------------------------------------------------ sampling */
typedef struct { double p; int32_t id; } cand;
static int cand_cmp(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->p != y->p) return x->p > y->p ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

llm_status ngram_generate(const ngram_model *m, const char *const *context, const size_t *clens, size_t nctx,
                          size_t max_tokens, double temperature, size_t top_k, const char **out, size_t *n_out)
{
    *n_out = 0;
    llm_status s = need_fitted(m, "ngram generate");
    if (s) return s;
    if (!(temperature > 0)) return llm_fail(LLM_ERR_ARG, "ngram generate: temperature must be > 0, got %g", temperature);
    int pad = m->o.order - 1;
    size_t hist_len = (size_t)pad + nctx + max_tokens;
    int32_t *hist = llm_malloc((hist_len + 1) * sizeof *hist);
    cand *c = llm_malloc((m->words.n + 1) * sizeof *c);
    if (!hist || !c) {
        free(hist);
        free(c);
        return LLM_ERR_NOMEM;
    }
    size_t h = 0;
    for (int i = 0; i < pad; i++) hist[h++] = m->bos;
    for (size_t i = 0; i < nctx; i++) hist[h++] = ng_lookup(m, context[i], clens ? clens[i] : strlen(context[i]));
    for (size_t step = 0; step < max_tokens; step++) {
        size_t nc = 0;
        int clen = pad;
        const int32_t *ctx = hist + h - (size_t)clen;
        for (size_t w = 0; w < m->words.n; w++) {
            if ((int32_t)w == m->bos || (int32_t)w == m->unk || !ng_in_vocab(m, (int32_t)w)) continue;
            if (m->wcount && m->wcount[w] == 0 && m->o.kind != NGRAM_BACKOFF) continue;
            double p = ng_score(m, ctx, clen, (int32_t)w);
            if (p > 0) c[nc++] = (cand){p, (int32_t)w};
        }
        if (nc == 0) break;
        if (top_k > 0 && top_k < nc) {
            qsort(c, nc, sizeof *c, cand_cmp);
            nc = top_k;
        }
        double total = 0, lmax = -INFINITY;
        for (size_t i = 0; i < nc; i++) lmax = fmax(lmax, log(c[i].p) / temperature);
        for (size_t i = 0; i < nc; i++) total += (c[i].p = exp(log(c[i].p) / temperature - lmax));
        double u = llm_rand_uniform() * total, acc = 0;
        size_t pick = nc - 1;
        for (size_t i = 0; i < nc; i++) {
            acc += c[i].p;
            if (u < acc) {
                pick = i;
                break;
            }
        }
        int32_t w = c[pick].id;
        if (w == m->eos) break;
        hist[h++] = w;
        out[(*n_out)++] = ng_str_get(&m->words, (size_t)w);
    }
    free(hist);
    free(c);
    return LLM_OK;
}

/* ------------------------------------------------------------ native files */
static int write_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        int r;
        if (*s == '\\') r = fputs("\\\\", f);
        else if (*s == '\n') r = fputs("\\n", f);
        else if (*s == '\t') r = fputs("\\t", f);
        else if (*s == '\r') r = fputs("\\r", f);
        else if (*s == ' ') r = fputs("\\s", f);
        else r = fputc(*s, f);
        if (r == EOF) return -1;
    }
    return 0;
}

/* Undo write_escaped in place; -1 on a bad escape. */
static int unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r != '\\') {
            *w++ = *r;
            continue;
        }
        r++;
        if (*r == '\\') *w++ = '\\';
        else if (*r == 'n') *w++ = '\n';
        else if (*r == 't') *w++ = '\t';
        else if (*r == 'r') *w++ = '\r';
        else if (*r == 's') *w++ = ' ';
        else return -1;
    }
    *w = '\0';
    return 0;
}

llm_status ngram_save(const ngram_model *m, const char *path)
{
    llm_status s = need_fitted(m, "ngram save");
    if (s) return s;
    if (m->o.kind == NGRAM_BACKOFF) return llm_fail(LLM_ERR_STATE, "ngram save: a model read from ARPA has no counts; write it as ARPA");
    char *tmp;
    FILE *f;
    if ((s = ng_write_open(path, "ngram save", &tmp, &f))) return s;
    int bad = fprintf(f, "llmlab-ngram 1\nkind %s\norder %d\ngamma %.17g\ndiscount %.17g\nalpha %.17g\nunk_cutoff %d\nweights",
                      ngram_kind_name(m->o.kind), m->o.order, m->o.gamma, m->o.discount, m->o.alpha, m->o.unk_cutoff) < 0;
    for (int k = 1; k <= m->o.order; k++) bad |= fprintf(f, " %.17g", m->mu[k]) < 0;
    bad |= fprintf(f, "\nwords %zu\n", m->words.n) < 0;
    for (size_t w = 0; w < m->words.n && !bad; w++) {
        bad |= fprintf(f, "%llu ", (unsigned long long)m->wcount[w]) < 0;
        bad |= write_escaped(f, ng_str_get(&m->words, w)) < 0;
        bad |= fputc('\n', f) == EOF;
    }
    bad |= fprintf(f, "ngrams %zu\n", m->ne) < 0;
    for (size_t i = 0; i < m->ne && !bad; i++) {
        const ng_entry *g = &m->e[i];
        bad |= fprintf(f, "%u %llu", g->k, (unsigned long long)g->count) < 0;
        for (uint32_t j = 0; j < g->k; j++) bad |= fprintf(f, " %d", m->pool[g->key + j]) < 0;
        bad |= fputc('\n', f) == EOF;
    }
    bad |= fputs("end\n", f) == EOF;
    return ng_write_end(f, tmp, path, bad, "ngram save");
}

static int kind_from_name(const char *s)
{
    for (int k = 0; k < NGRAM_KIND_COUNT; k++)
        if (!strcmp(s, ngram_kind_name((ngram_kind)k))) return k;
    return -1;
}

/* Read one line (any length) into *buf; 0 at end of file. */
static int read_line(FILE *f, char **buf, size_t *cap)
{
    ssize_t n = getline(buf, cap, f);
    if (n <= 0) return 0;
    if ((*buf)[n - 1] == '\n') (*buf)[n - 1] = '\0';
    return 1;
}

llm_status ngram_load(ngram_model **out, const char *path)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) return llm_fail(LLM_ERR_IO, "ngram load: cannot open %s: %s", path, strerror(errno));
    char *line = NULL, word[64];
    size_t cap = 0, lineno = 0;
    ngram_model *m = NULL;
    llm_status s = LLM_OK;
#define BAD(...) do { s = llm_fail(LLM_ERR_FORMAT, __VA_ARGS__); goto done; } while (0)
    ngram_opts o;
    ngram_default_opts(&o, NGRAM_MLE, 1);
    lineno++;
    if (!read_line(f, &line, &cap) || strcmp(line, "llmlab-ngram 1") != 0)
        BAD("ngram load: %s is not an llmlab n-gram file (first line must be \"llmlab-ngram 1\")", path);
    double weights[NGRAM_MAX_ORDER + 1] = {0};
    size_t nwords = 0;
    for (;;) {
        lineno++;
        if (!read_line(f, &line, &cap)) BAD("ngram load: %s ends before its word list", path);
        if (sscanf(line, "kind %63s", word) == 1) {
            int k = kind_from_name(word);
            if (k < 0 || k == NGRAM_BACKOFF) BAD("ngram load: %s line %zu: unknown kind \"%s\"", path, lineno, word);
            o.kind = (ngram_kind)k;
        } else if (sscanf(line, "order %d", &o.order) == 1) {
            if (o.order < 1 || o.order > NGRAM_MAX_ORDER) BAD("ngram load: %s line %zu: order %d outside 1..5", path, lineno, o.order);
        } else if (sscanf(line, "gamma %lf", &o.gamma) == 1 || sscanf(line, "discount %lf", &o.discount) == 1 ||
                   sscanf(line, "alpha %lf", &o.alpha) == 1 || sscanf(line, "unk_cutoff %d", &o.unk_cutoff) == 1) {
        } else if (strncmp(line, "weights", 7) == 0) {
            char *p = line + 7;
            for (int k = 1; k <= o.order; k++) {
                char *e;
                weights[k] = strtod(p, &e);
                if (e == p) BAD("ngram load: %s line %zu: expected %d weights", path, lineno, o.order);
                p = e;
            }
        } else if (sscanf(line, "words %zu", &nwords) == 1) {
            break;
        } else {
            BAD("ngram load: %s line %zu: unexpected \"%.40s\"", path, lineno, line);
        }
    }
    if ((s = ngram_new(&m, &o))) goto done;
    if (o.kind == NGRAM_INTERPOLATED && (s = ngram_set_weights(m, weights))) goto done;
    if (nwords < 3 || nwords > INT32_MAX) BAD("ngram load: %s: bad word count %zu", path, nwords);
    m->wcount = llm_calloc(nwords, sizeof *m->wcount);
    if (!m->wcount) {
        s = LLM_ERR_NOMEM;
        goto done;
    }
    for (size_t w = 0; w < nwords; w++) {
        lineno++;
        if (!read_line(f, &line, &cap)) BAD("ngram load: %s ends inside its word list", path);
        char *sp = strchr(line, ' ');
        unsigned long long c;
        if (!sp || sscanf(line, "%llu", &c) != 1 || unescape(sp + 1) != 0)
            BAD("ngram load: %s line %zu: expected \"COUNT WORD\"", path, lineno);
        int64_t id;
        if ((s = ng_str_intern(&m->words, sp + 1, strlen(sp + 1), &id))) goto done;
        if ((size_t)id != w) BAD("ngram load: %s line %zu: word \"%s\" appears twice", path, lineno, sp + 1);
        m->wcount[w] = c;
    }
    if (strcmp(ng_str_get(&m->words, 0), "<s>") || strcmp(ng_str_get(&m->words, 1), "</s>") ||
        strcmp(ng_str_get(&m->words, 2), "<UNK>"))
        BAD("ngram load: %s: the first words must be <s>, </s>, <UNK>", path);
    m->bos = 0;
    m->eos = 1;
    m->unk = 2;
    size_t nng = 0;
    lineno++;
    if (!read_line(f, &line, &cap) || sscanf(line, "ngrams %zu", &nng) != 1) BAD("ngram load: %s line %zu: expected \"ngrams N\"", path, lineno);
    for (size_t i = 0; i < nng; i++) {
        lineno++;
        if (!read_line(f, &line, &cap)) BAD("ngram load: %s ends inside its n-gram list", path);
        char *p = line, *e;
        long k = strtol(p, &e, 10);
        if (e == p || k < 1 || k > o.order) BAD("ngram load: %s line %zu: bad n-gram length", path, lineno);
        p = e;
        unsigned long long c = strtoull(p, &e, 10);
        if (e == p || c == 0) BAD("ngram load: %s line %zu: bad count", path, lineno);
        p = e;
        int32_t ids[NGRAM_MAX_ORDER];
        for (long j = 0; j < k; j++) {
            long id = strtol(p, &e, 10);
            if (e == p || id < 0 || (size_t)id >= nwords) BAD("ngram load: %s line %zu: word id out of range", path, lineno);
            ids[j] = (int32_t)id;
            p = e;
        }
        if (ng_find(m, ids, (int)k) >= 0) BAD("ngram load: %s line %zu: the same n-gram twice", path, lineno);
        int64_t ix = ng_intern(m, ids, (int)k);
        if (ix < 0) {
            s = LLM_ERR_NOMEM;
            goto done;
        }
        m->e[ix].count = c;
    }
    lineno++;
    if (!read_line(f, &line, &cap) || strcmp(line, "end") != 0) BAD("ngram load: %s line %zu: expected \"end\" (truncated file?)", path, lineno);
    s = ng_finalize(m);
#undef BAD
done:
    return ng_read_end(f, line, m, s, out);
}
