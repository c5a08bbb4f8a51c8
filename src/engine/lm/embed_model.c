/* embed_model.c: using trained vectors: a word's vector (subword models
 * build one for unseen words), cosine nearest neighbours, and the word2vec
 * text/binary formats (fastText's .vec is the text one). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "embed.h"

void embed_model_free(embed_model *m)
{
    if (!m) return;
    embed_vocab_free(&m->vocab);
    free(m->vectors);
    free(m->ngrams);
    free(m->unit);
    free(m);
}

llm_status embed_word_vector(const embed_model *m, const char *word, float *out)
{
    int D = m->dim;
    int id = embed_vocab_find(&m->vocab, word, strlen(word));
    if (id >= 0) {
        memcpy(out, m->vectors + (size_t)id * D, (size_t)D * sizeof *out);
        return LLM_OK;
    }
    if (!m->ngrams) return llm_fail(LLM_ERR_ARG, "embedding: '%s' is not in the vocabulary", word);
    /* unseen word: mean of its n-gram vectors (the same n-grams as training) */
    enum { CAP = 512 };
    int ids[CAP];
    int count = embed_subword_ids(word, m->minn, m->maxn, m->buckets, ids, CAP);
    memset(out, 0, (size_t)D * sizeof *out);
    for (int i = 0; i < count; i++) {
        const float *g = m->ngrams + (size_t)ids[i] * D;
        for (int k = 0; k < D; k++) out[k] += g[k];
    }
    if (!count) return llm_fail(LLM_ERR_ARG, "embedding: '%s' has no character n-grams of length %d..%d", word, m->minn, m->maxn);
    for (int k = 0; k < D; k++) out[k] /= (float)count;
    return LLM_OK;
}

static llm_status build_unit(embed_model *m)
{
    if (m->unit) return LLM_OK;
    size_t V = (size_t)m->vocab.size, D = (size_t)m->dim;
    m->unit = llm_malloc(V * D * sizeof *m->unit);
    if (!m->unit) return LLM_ERR_NOMEM;
    for (size_t w = 0; w < V; w++) {
        const float *v = m->vectors + w * D;
        double s = 0;
        for (size_t k = 0; k < D; k++) s += (double)v[k] * v[k];
        float inv = s > 0 ? (float)(1.0 / sqrt(s)) : 0.0f;
        for (size_t k = 0; k < D; k++) m->unit[w * D + k] = v[k] * inv;
    }
    return LLM_OK;
}

/* Insert word w with score s into the top-k list (scores[0..found) sorted
 * high to low, ties keep the earlier word) when it belongs there; returns
 * the new length. */
static int topk_insert(float *scores, int *ids, int found, int k, float s, int w)
{
    if (found < k) found++;
    else if (s <= scores[found - 1]) return found;
    int at = found - 1;
    while (at > 0 && scores[at - 1] < s) {
        scores[at] = scores[at - 1];
        ids[at] = ids[at - 1];
        at--;
    }
    scores[at] = s;
    ids[at] = w;
    return found;
}

int embed_nearest(embed_model *m, const float *query, int k, const int *exclude, int n_exclude, int *ids, float *sims)
{
    if (k <= 0) return 0;
    if (build_unit(m) != LLM_OK) return -1;
    int D = m->dim, V = m->vocab.size, found = 0;
    double qn = 0;
    for (int i = 0; i < D; i++) qn += (double)query[i] * query[i];
    float qinv = qn > 0 ? (float)(1.0 / sqrt(qn)) : 0.0f;
    for (int w = 0; w < V; w++) {
        int skip = 0;
        for (int e = 0; e < n_exclude; e++) skip |= exclude[e] == w;
        if (skip) continue;
        const float *u = m->unit + (size_t)w * D;
        float s = 0;
        for (int i = 0; i < D; i++) s += u[i] * query[i];
        found = topk_insert(sims, ids, found, k, s * qinv, w);
    }
    return found;
}

llm_status embed_save(const embed_model *m, const char *path, int binary)
{
    size_t plen = strlen(path);
    char *tmp = llm_malloc(plen + 16);
    if (!tmp) return LLM_ERR_NOMEM;
    snprintf(tmp, plen + 16, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        llm_status st = llm_fail(LLM_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
        free(tmp);
        return st;
    }
    int D = m->dim, ok = fprintf(f, "%d %d\n", m->vocab.size, D) > 0;
    for (int w = 0; ok && w < m->vocab.size; w++) {
        const float *v = m->vectors + (size_t)w * D;
        ok = fputs(m->vocab.words[w], f) >= 0 && fputc(' ', f) != EOF;
        if (binary) ok = ok && fwrite(v, sizeof *v, (size_t)D, f) == (size_t)D;
        else
            for (int k = 0; ok && k < D; k++) ok = fprintf(f, k + 1 < D ? "%.6g " : "%.6g", (double)v[k]) > 0;
        ok = ok && fputc('\n', f) != EOF;
    }
    ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = (fclose(f) == 0) && ok;
    llm_status st = LLM_OK;
    if (!ok || rename(tmp, path) != 0) {
        st = llm_fail(LLM_ERR_IO, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return st;
}

/* Reading: every field is checked; errors name the file and the line. */
llm_status embed_load(const char *path, int binary, embed_model **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return llm_fail(LLM_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    long V, D;
    llm_status st = LLM_OK;
    embed_model *m = NULL;
    char *word = NULL;
    if (fscanf(f, "%ld %ld", &V, &D) != 2 || V < 1 || D < 1 || V > 100000000L || D > 100000L) {
        st = llm_fail(LLM_ERR_FORMAT, "%s:1: expected a header 'WORDS DIMENSIONS' with positive counts", path);
        goto done;
    }
    int c;
    while ((c = fgetc(f)) != '\n' && c != EOF)
        if (c != ' ' && c != '\r') { st = llm_fail(LLM_ERR_FORMAT, "%s:1: extra text after the header", path); goto done; }
    m = llm_calloc(1, sizeof *m);
    word = llm_malloc(4096);
    if (!m || !word) { st = LLM_ERR_NOMEM; goto done; }
    m->dim = (int)D;
    m->vectors = llm_malloc((size_t)V * (size_t)D * sizeof(float));
    m->vocab.words = llm_calloc((size_t)V, sizeof(char *));
    m->vocab.counts = llm_calloc((size_t)V, sizeof(int64_t));
    if (!m->vectors || !m->vocab.words || !m->vocab.counts) { st = LLM_ERR_NOMEM; goto done; }
    for (long w = 0; w < V; w++) {
        long line = w + 2;
        size_t n = 0;
        while ((c = fgetc(f)) == '\n' || c == ' ' || c == '\r') {}
        while (c != EOF && c != ' ' && c != '\n') {
            if (n >= 4095) { st = llm_fail(LLM_ERR_FORMAT, "%s:%ld: word longer than 4095 bytes", path, line); goto done; }
            word[n++] = (char)c;
            c = fgetc(f);
        }
        if (n == 0 || c != ' ') {
            st = llm_fail(LLM_ERR_FORMAT, "%s:%ld: expected %ld words, the file ends or a line has no vector", path, line, V);
            goto done;
        }
        word[n] = '\0';
        m->vocab.words[w] = llm_strdup(word);
        if (!m->vocab.words[w]) { st = LLM_ERR_NOMEM; goto done; }
        m->vocab.size = (int)w + 1;
        m->vocab.counts[w] = V - w; /* files keep frequency order; counts are ranks */
        float *v = m->vectors + (size_t)w * D;
        if (binary) {
            if (fread(v, sizeof *v, (size_t)D, f) != (size_t)D) {
                st = llm_fail(LLM_ERR_FORMAT, "%s: vector %ld ('%s') is cut short", path, w + 1, word);
                goto done;
            }
        } else {
            for (long k = 0; k < D; k++) {
                if (fscanf(f, "%f", &v[k]) != 1) {
                    st = llm_fail(LLM_ERR_FORMAT, "%s:%ld: '%s' has %ld numbers, expected %ld", path, line, word, k, D);
                    goto done;
                }
            }
            while ((c = fgetc(f)) == ' ' || c == '\r') {}
            if (c != '\n' && c != EOF) {
                st = llm_fail(LLM_ERR_FORMAT, "%s:%ld: '%s' has more than %ld numbers", path, line, word, D);
                goto done;
            }
        }
        for (long k = 0; k < D; k++)
            if (!isfinite(v[k])) { st = llm_fail(LLM_ERR_FORMAT, "%s:%ld: '%s' has a value that is not finite", path, line, word); goto done; }
    }
    m->vocab.total = V;
    st = embed_vocab_index(&m->vocab);
    if (st != LLM_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", llm_last_error());
        llm_fail(st, "%s: %s", path, why);
    }
done:
    fclose(f);
    free(word);
    if (st != LLM_OK) {
        embed_model_free(m);
        return st;
    }
    *out = m;
    return LLM_OK;
}

/* Analogy a : b :: c : ? over vocabulary words other than a, b, c.
 * 3CosAdd ranks by cos(x, b) - cos(x, a) + cos(x, c); 3CosMul (Levy and
 * Goldberg 2014) by s(x,b) s(x,c) / (s(x,a) + 0.001) with s = (cos + 1) / 2. */
int embed_analogy(embed_model *m, int a, int b, int c, int mul, int k, int *ids, float *scores)
{
    if (k <= 0) return 0;
    if (build_unit(m) != LLM_OK) return -1;
    int D = m->dim, V = m->vocab.size, found = 0;
    const float *ua = m->unit + (size_t)a * D, *ub = m->unit + (size_t)b * D, *uc = m->unit + (size_t)c * D;
    for (int w = 0; w < V; w++) {
        if (w == a || w == b || w == c) continue;
        const float *u = m->unit + (size_t)w * D;
        float ca = 0, cb = 0, cc = 0;
        for (int i = 0; i < D; i++) {
            ca += u[i] * ua[i];
            cb += u[i] * ub[i];
            cc += u[i] * uc[i];
        }
        float s = mul ? ((cb + 1) / 2) * ((cc + 1) / 2) / ((ca + 1) / 2 + 0.001f) : cb - ca + cc;
        found = topk_insert(scores, ids, found, k, s, w);
    }
    return found;
}
