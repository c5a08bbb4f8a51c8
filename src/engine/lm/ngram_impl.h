/*
 * ngram_impl.h: the inside of an n-gram model, shared by ngram_counts.c
 * (vocabulary, n-gram table, fitting, statistics), ngram_model.c (scores,
 * perplexity, sampling, tuning, native files) and ngram_arpa.c (ARPA),
 * with the file handling both file formats share (atomic writes, the end
 * of a reader). Not a public header: only these three files include it.
 */
#ifndef LLM_NGRAM_IMPL_H
#define LLM_NGRAM_IMPL_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ngram.h"
#include "text/tok_map.h"

/* One counted k-gram. The "context" fields describe this k-gram used as
 * the context of (k+1)-grams. */
typedef struct ng_entry {
    uint64_t hash;
    uint32_t key;       /* offset of its k ids in the pool */
    uint32_t k;
    uint64_t count;     /* raw count */
    uint64_t cont;      /* distinct left extensions: #{a : c(a g) > 0} */
    uint64_t ctx_total; /* sum of c(g w) over w */
    uint64_t ctx_types; /* #{w : c(g w) > 0} */
    uint64_t cont_sum;  /* sum of cont(g w) over w (NLTK KN lower orders) */
    uint64_t adj_sum;   /* modified KN: sum of adjusted counts a(g w) */
    uint64_t n1, n2, n3; /* modified KN: followers with a = 1, 2, >= 3 */
} ng_entry;

struct ngram_model {
    ngram_opts o;
    /* vocabulary */
    tok_map words;      /* word id = entry index */
    uint64_t *wcount;   /* (words.n) count of each word in the padded text */
    int32_t bos, eos, unk;
    size_t vsize;       /* words with count >= cutoff, plus <UNK> */
    /* n-grams */
    ng_entry *e;
    size_t ne, ecap;
    uint32_t *slots;
    size_t nslots;
    int32_t *pool;
    size_t npool, poolcap;
    size_t nk[NGRAM_MAX_ORDER + 1];
    /* the empty context */
    uint64_t uni_total, root_cont_sum, root_adj_sum, root_n[3];
    double disc[NGRAM_MAX_ORDER + 1][3]; /* modified KN discounts per order */
    double mu[NGRAM_MAX_ORDER + 1];      /* Jelinek-Mercer weights per order */
    double *logp, *bow;                  /* NGRAM_BACKOFF: log10 values per entry */
    int fitted;
};

/* The vocabulary: the id of a word (-1 when absent), the id of a word
 * added when absent, and the NUL-terminated word of an id. */
int64_t ng_str_find(const tok_map *t, const char *s, size_t n);
llm_status ng_str_intern(tok_map *t, const char *s, size_t n, int64_t *id);
void ng_str_free(tok_map *t);
const char *ng_str_get(const tok_map *t, size_t id);

/* Drop all counts and words (keeps the options). */
void ng_reset(ngram_model *m);
/* Add the special words <s>, </s>, <UNK> as ids 0, 1, 2. */
llm_status ng_add_specials(ngram_model *m);
/* The id a token is counted as: itself when in the vocabulary, else <UNK>. */
int32_t ng_lookup(const ngram_model *m, const char *s, size_t n);
int ng_in_vocab(const ngram_model *m, int32_t id);
/* Find or add a k-gram; returns its entry index or -1. */
int64_t ng_find(const ngram_model *m, const int32_t *ids, int k);
int64_t ng_intern(ngram_model *m, const int32_t *ids, int k);
static inline const int32_t *ng_ids(const ngram_model *m, const ng_entry *e) { return m->pool + e->key; }
/* Recompute every derived statistic from the raw counts. */
llm_status ng_finalize(ngram_model *m);
/* P(w | ctx) over ids; ctx holds clen <= order-1 ids. */
double ng_score(const ngram_model *m, const int32_t *ctx, int clen, int32_t w);
/* The back-off weight a model puts on the lower order after context g (a
 * k-gram, k < order), for ARPA output. */
double ng_backoff_weight(const ngram_model *m, const ng_entry *g);

/* A model file is written to PATH.tmp, then renamed over PATH, so that a
 * failed write never leaves half a file under PATH. ng_write_open opens
 * the temporary file (*tmp: its name, for ng_write_end); op names the
 * operation in errors ("ngram save"). */
static inline llm_status ng_write_open(const char *path, const char *op, char **tmp, FILE **f)
{
    size_t plen = strlen(path);
    *tmp = llm_malloc(plen + 8);
    if (!*tmp) return LLM_ERR_NOMEM;
    memcpy(*tmp, path, plen);
    memcpy(*tmp + plen, ".tmp", 5);
    *f = fopen(*tmp, "w");
    if (!*f) {
        llm_status s = llm_fail(LLM_ERR_IO, "%s: cannot write %s: %s", op, *tmp, strerror(errno));
        free(*tmp);
        return s;
    }
    return LLM_OK;
}

/* Give a write up: close and remove the temporary file. Frees tmp. */
static inline void ng_write_abort(FILE *f, char *tmp)
{
    fclose(f);
    remove(tmp);
    free(tmp);
}

/* Flush and close f and rename tmp over path; when that or an earlier
 * write (bad) failed, remove tmp and report it. Frees tmp. */
static inline llm_status ng_write_end(FILE *f, char *tmp, const char *path, int bad, const char *op)
{
    llm_status s = LLM_OK;
    bad |= fflush(f) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        s = llm_fail(LLM_ERR_IO, "%s: writing %s failed: %s", op, path, strerror(errno));
        remove(tmp);
    }
    free(tmp);
    return s;
}

/* The end of a file reader (ngram_load, ngram_read_arpa): free its line
 * buffer and close f; on success hand the model m to *out, else free it
 * and return the reader's status s. */
static inline llm_status ng_read_end(FILE *f, char *line, ngram_model *m, llm_status s, ngram_model **out)
{
    free(line);
    fclose(f);
    if (s) {
        ngram_free(m);
        return s;
    }
    *out = m;
    return LLM_OK;
}

#endif
