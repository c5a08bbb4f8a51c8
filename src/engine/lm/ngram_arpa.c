/*
 * ngram_arpa.c: the ARPA back-off format that n-gram tools share (SRILM,
 * KenLM, CMU): a \data\ header with the number of k-grams per order, then
 * one section per order of "log10 P <tab> w1 .. wk [<tab> log10 backoff]",
 * then \end\. Writing turns any fitted model into probabilities of every
 * counted n-gram plus back-off weights; reading gives an NGRAM_BACKOFF
 * model scored as P(w | h) = P(h w) if listed, else bow(h) * P(w | h[1:]).
 * The unknown word is written "<unk>" (NLTK's "<UNK>" is read as well).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lm/ngram_impl.h"

static double log10_or_floor(double p) { return p > 0 ? log10(p) : -99.0; }

static int has_space(const char *s)
{
    for (; *s; s++)
        if (isspace((unsigned char)*s)) return 1;
    return 0;
}

llm_status ngram_write_arpa(const ngram_model *m, const char *path)
{
    if (!m->fitted) return llm_fail(LLM_ERR_STATE, "ngram write_arpa: the model is not fitted yet");
    int order = m->o.order;
    for (size_t i = 0; i < m->ne; i++)
        if (m->e[i].k == 1 && has_space(ng_str_get(&m->words, (size_t)m->pool[m->e[i].key])))
            return llm_fail(LLM_ERR_ARG, "ngram write_arpa: the token \"%s\" holds whitespace, which ARPA cannot store (use save)",
                            ng_str_get(&m->words, (size_t)m->pool[m->e[i].key]));
    int unk_missing = ng_find(m, &m->unk, 1) < 0;
    size_t counts[NGRAM_MAX_ORDER + 1] = {0};
    for (size_t i = 0; i < m->ne; i++) counts[m->e[i].k]++;
    counts[1] += (size_t)unk_missing;
    char *tmp;
    FILE *f;
    llm_status s = ng_write_open(path, "ngram write_arpa", &tmp, &f);
    if (s) return s;
    /* add-k does not back off: use the weight that makes each context's
     * distribution sum to one (approximate for the unseen words) */
    double *lid = NULL;
    if (m->o.kind == NGRAM_LIDSTONE) {
        double *seen = llm_calloc(m->ne ? m->ne : 1, sizeof *seen), *low = llm_calloc(m->ne ? m->ne : 1, sizeof *low);
        if (!seen || !low) {
            free(seen);
            free(low);
            ng_write_abort(f, tmp);
            return LLM_ERR_NOMEM;
        }
        for (size_t i = 0; i < m->ne; i++) {
            const ng_entry *g = &m->e[i];
            if (g->k < 2) continue;
            const int32_t *ids = m->pool + g->key;
            int64_t h = ng_find(m, ids, (int)g->k - 1);
            int32_t w = ids[g->k - 1];
            seen[h] += ng_score(m, ids, (int)g->k - 1, w);
            low[h] += ng_score(m, ids + 1, (int)g->k - 2, w);
        }
        for (size_t i = 0; i < m->ne; i++) seen[i] = low[i] < 1 ? (1 - seen[i]) / (1 - low[i]) : 1.0;
        free(low);
        lid = seen;
    }
    int bad = fprintf(f, "\\data\\\n") < 0;
    for (int k = 1; k <= order; k++) bad |= fprintf(f, "ngram %d=%zu\n", k, counts[k]) < 0;
    for (int k = 1; k <= order && !bad; k++) {
        bad |= fprintf(f, "\n\\%d-grams:\n", k) < 0;
        if (k == 1 && unk_missing) {
            bad |= fprintf(f, "%.10g\t<unk>", log10_or_floor(ng_score(m, NULL, 0, m->unk))) < 0;
            bad |= fprintf(f, order > 1 ? "\t0\n" : "\n") < 0;
        }
        for (size_t i = 0; i < m->ne && !bad; i++) {
            const ng_entry *g = &m->e[i];
            if ((int)g->k != k) continue;
            const int32_t *ids = m->pool + g->key;
            double p = ng_score(m, ids, k - 1, ids[k - 1]);
            bad |= fprintf(f, "%.10g\t", log10_or_floor(p)) < 0;
            for (int j = 0; j < k; j++) /* the unknown word as other tools spell it */
                bad |= fprintf(f, j ? " %s" : "%s", ids[j] == m->unk ? "<unk>" : ng_str_get(&m->words, (size_t)ids[j])) < 0;
            if (k < order) bad |= fprintf(f, "\t%.10g", log10_or_floor(lid ? lid[i] : ng_backoff_weight(m, g))) < 0;
            bad |= fputc('\n', f) == EOF;
        }
        if ((k & 1) && llm_interrupted()) {
            free(lid);
            ng_write_abort(f, tmp);
            return llm_fail(LLM_ERR_INTERRUPTED, "ngram write_arpa: interrupted");
        }
    }
    free(lid);
    bad |= fprintf(f, "\n\\end\\\n") < 0;
    return ng_write_end(f, tmp, path, bad, "ngram write_arpa");
}

static int read_line(FILE *f, char **buf, size_t *cap, size_t *lineno)
{
    ssize_t n = getline(buf, cap, f);
    if (n <= 0) return 0;
    (*lineno)++;
    while (n > 0 && ((*buf)[n - 1] == '\n' || (*buf)[n - 1] == '\r')) (*buf)[--n] = '\0';
    return 1;
}

static int blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s)) return 0;
    return 1;
}

/* Parse a log10 number (finite, or -inf / -99 style floors); probabilities
 * must be <= 0, back-off weights may be positive. */
static int parse_log(char **p, double *v, int allow_positive)
{
    char *e;
    errno = 0;
    *v = strtod(*p, &e);
    if (e == *p || isnan(*v) || (!allow_positive && *v > 1e-6) || *v == INFINITY) return 0;
    if (*v < -99) *v = -99;
    *p = e;
    return 1;
}

llm_status ngram_read_arpa(ngram_model **out, const char *path)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) return llm_fail(LLM_ERR_IO, "ngram read_arpa: cannot open %s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ngram_model *m = NULL;
    llm_status s = LLM_OK;
    size_t declared[NGRAM_MAX_ORDER + 1] = {0}, total = 0;
    int order = 0;
#define BAD(...) do { s = llm_fail(LLM_ERR_FORMAT, __VA_ARGS__); goto done; } while (0)
    /* header */
    for (;;) {
        if (!read_line(f, &line, &cap, &lineno)) BAD("ngram read_arpa: %s has no \\data\\ section", path);
        if (!strcmp(line, "\\data\\")) break;
    }
    for (;;) {
        if (!read_line(f, &line, &cap, &lineno)) BAD("ngram read_arpa: %s ends inside its header", path);
        if (blank(line)) {
            if (order) break;
            continue;
        }
        int k;
        size_t n;
        if (sscanf(line, "ngram %d=%zu", &k, &n) != 2) BAD("ngram read_arpa: %s line %zu: expected \"ngram K=N\"", path, lineno);
        if (k != order + 1 || k > NGRAM_MAX_ORDER)
            BAD("ngram read_arpa: %s line %zu: orders must run 1, 2, ... up to %d", path, lineno, NGRAM_MAX_ORDER);
        order = k;
        declared[k] = n;
        total += n;
    }
    if (declared[1] == 0) BAD("ngram read_arpa: %s declares no 1-grams", path);
    ngram_opts o;
    ngram_default_opts(&o, NGRAM_BACKOFF, order);
    if ((s = ngram_new(&m, &o)) || (s = ng_add_specials(m))) goto done;
    m->logp = llm_malloc(total * sizeof *m->logp);
    m->bow = llm_malloc(total * sizeof *m->bow);
    if (!m->logp || !m->bow) {
        s = LLM_ERR_NOMEM;
        goto done;
    }
    for (int k = 1; k <= order; k++) {
        char want[32];
        snprintf(want, sizeof want, "\\%d-grams:", k);
        for (;;) {
            if (!read_line(f, &line, &cap, &lineno)) BAD("ngram read_arpa: %s has no %s section", path, want);
            if (blank(line)) continue;
            if (strcmp(line, want)) BAD("ngram read_arpa: %s line %zu: expected %s, got \"%.40s\"", path, lineno, want, line);
            break;
        }
        for (size_t i = 0; i < declared[k]; i++) {
            if (!read_line(f, &line, &cap, &lineno)) BAD("ngram read_arpa: %s ends inside the %d-grams", path, k);
            if (blank(line)) {
                i--;
                continue;
            }
            if (line[0] == '\\') BAD("ngram read_arpa: %s line %zu: the %d-grams section has %zu entries, the header says %zu", path, lineno, k, i, declared[k]);
            char *p = line;
            double lp, bw = 0;
            if (!parse_log(&p, &lp, 0)) BAD("ngram read_arpa: %s line %zu: bad log10 probability", path, lineno);
            int32_t ids[NGRAM_MAX_ORDER];
            for (int j = 0; j < k; j++) {
                while (isspace((unsigned char)*p)) p++;
                char *e = p;
                while (*e && !isspace((unsigned char)*e)) e++;
                if (e == p) BAD("ngram read_arpa: %s line %zu: a %d-gram needs %d words", path, lineno, k, k);
                int64_t id;
                if (k == 1) {
                    if ((s = ng_str_intern(&m->words, p, (size_t)(e - p), &id))) goto done;
                    if ((size_t)(e - p) == 5 && !memcmp(p, "<unk>", 5)) m->unk = (int32_t)id;
                } else {
                    id = ng_str_find(&m->words, p, (size_t)(e - p));
                    if (id < 0) BAD("ngram read_arpa: %s line %zu: word \"%.*s\" is not among the 1-grams", path, lineno, (int)(e - p), p);
                }
                ids[j] = (int32_t)id;
                p = e;
            }
            while (isspace((unsigned char)*p)) p++;
            if (*p && !parse_log(&p, &bw, 1)) BAD("ngram read_arpa: %s line %zu: bad back-off weight", path, lineno);
            while (isspace((unsigned char)*p)) p++;
            if (*p) BAD("ngram read_arpa: %s line %zu: unexpected text after the n-gram", path, lineno);
            if (ng_find(m, ids, k) >= 0) BAD("ngram read_arpa: %s line %zu: the same %d-gram twice", path, lineno, k);
            int64_t ix = ng_intern(m, ids, k);
            if (ix < 0) {
                s = LLM_ERR_NOMEM;
                goto done;
            }
            m->e[ix].count = 1;
            m->logp[ix] = lp;
            m->bow[ix] = bw;
        }
    }
    for (;;) {
        if (!read_line(f, &line, &cap, &lineno)) BAD("ngram read_arpa: %s has no \\end\\ line (truncated file?)", path);
        if (blank(line)) continue;
        if (strcmp(line, "\\end\\")) BAD("ngram read_arpa: %s line %zu: more entries than the header declares, or junk before \\end\\", path, lineno);
        break;
    }
    m->vsize = declared[1];
    m->fitted = 1;
#undef BAD
done:
    return ng_read_end(f, line, m, s, out);
}
