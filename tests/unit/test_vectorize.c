/* test_vectorize.c: the vectorizer's fitting machinery from C: the byte-order
 * term sort and the row sort against qsort, the same matrix and vocabulary
 * whatever the number of threads, n-grams of tokens that hold spaces, the
 * idf after the vocabulary changes, char_wb over a very long word, document
 * lengths given or measured, and the pair table (tok_pairmap) the n-grams
 * are interned in. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "text/vectorize_impl.h"

/* ------------------------------------------------------------ sorting */
typedef struct { const char *arena; const size_t *off; const uint32_t *len; } ref_src;
static ref_src ref;
static int ref_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    uint32_t lx = ref.len[x], ly = ref.len[y];
    int c = memcmp(ref.arena + ref.off[x], ref.arena + ref.off[y], lx < ly ? lx : ly);
    return c ? c : (lx > ly) - (lx < ly);
}

/* Sort n strings (given with their lengths) and return the order of ids. */
static void sort_both(const char *const *s, const uint32_t *lens, size_t n, uint32_t *got, uint32_t *want)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += lens[i] + 1;
    char *arena = malloc(total + 1);
    size_t *off = malloc((n + 1) * sizeof *off);
    uint32_t *len = malloc((n + 1) * sizeof *len);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(arena + w, s[i], lens[i]);
        off[i] = w;
        len[i] = lens[i];
        w += lens[i] + 1;
        got[i] = want[i] = (uint32_t)(n - 1 - i); /* reversed input order */
    }
    ck_assert_int_eq(text_sort_terms(got, n, arena, off, len), LLM_OK);
    ref = (ref_src){arena, off, len};
    qsort(want, n, sizeof *want, ref_cmp);
    free(arena);
    free(off);
    free(len);
}

START_TEST(sort_terms_known)
{
    /* shared 8-byte prefixes, prefixes of each other, a NUL byte, UTF-8 above ASCII, empty */
    const char *s[] = {"children of", "children", "childrenX", "children\0a", "ab", "a", "", "\xc3\xa9" "cole",
                       "zebra", "children of israel", "childre", "a b", "ab c"};
    uint32_t lens[] = {11, 8, 9, 10, 2, 1, 0, 6, 5, 18, 7, 3, 4};
    size_t n = sizeof lens / sizeof *lens;
    uint32_t got[16], want[16];
    sort_both(s, lens, n, got, want);
    ck_assert_mem_eq(got, want, n * sizeof *got);
    /* by hand: "", "a", "a b", "ab", "ab c", "childre", "children", "children\0a", "children of", ... */
    uint32_t hand[] = {6, 5, 11, 4, 12, 10, 1, 3, 0, 9, 2, 8, 7};
    ck_assert_mem_eq(got, hand, n * sizeof *got);
}
END_TEST

START_TEST(sort_terms_random)
{
    enum { N = 6000 };
    static char buf[N][24];
    static const char *s[N];
    static uint32_t lens[N], got[N], want[N];
    const char alpha[] = {'a', 'b', ' ', '\0', (char)0xc3, (char)0xff};
    llm_seed(7);
    for (size_t i = 0; i < N; i++) {
        /* long common prefixes: most strings start with 6..10 'a's */
        uint32_t l = llm_rand_below(20), pre = 6 + llm_rand_below(5);
        for (uint32_t j = 0; j < l; j++) buf[i][j] = j < pre && llm_rand_below(8) ? 'a' : alpha[llm_rand_below(6)];
        s[i] = buf[i];
        lens[i] = l;
    }
    sort_both(s, lens, N, got, want);
    /* equal strings may come in either order: compare the strings */
    for (size_t i = 0; i < N; i++) {
        ck_assert_uint_eq(lens[got[i]], lens[want[i]]);
        ck_assert_mem_eq(buf[got[i]], buf[want[i]], lens[got[i]]);
    }
}
END_TEST

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

START_TEST(sort_u64_random)
{
    enum { N = 5000 };
    static uint64_t a[N], b[N];
    llm_seed(11);
    size_t sizes[] = {0, 1, 2, 31, 32, 33, 100, 257, N};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        for (int dup = 0; dup < 2; dup++) {
            size_t n = sizes[k];
            for (size_t i = 0; i < n; i++)
                a[i] = b[i] = dup ? llm_rand_below(5) : (uint64_t)llm_rand_u32() << 32 | llm_rand_u32();
            text_sort_u64(a, n);
            qsort(b, n, sizeof *b, u64_cmp);
            if (n) ck_assert_mem_eq(a, b, n * sizeof *a);
        }
    }
    /* already sorted and reversed inputs */
    for (size_t i = 0; i < N; i++) a[i] = i;
    text_sort_u64(a, N);
    for (size_t i = 0; i < N; i++) ck_assert_uint_eq(a[i], i);
    for (size_t i = 0; i < N; i++) a[i] = N - i;
    text_sort_u64(a, N);
    for (size_t i = 0; i < N; i++) ck_assert_uint_eq(a[i], i + 1);
}
END_TEST

/* ------------------------------------------------------------ threads */
enum { NDOCS = 400 };
static char corpus_buf[NDOCS][400];
static const char *corpus[NDOCS];

static void make_corpus(void)
{
    static const char *words[] = {"the", "The", "of", "and", "lord", "LORD", "said", "unto", "him", "école",
                                  "ÉCOLE", "naïve", "straße", "x", "a1", "children", "israel", "king", "house",
                                  "went", "up", "to", "jerusalem", "day", "night", "3", "42", "snake_case"};
    size_t nw = sizeof words / sizeof *words;
    llm_seed(3);
    for (size_t d = 0; d < NDOCS; d++) {
        char *p = corpus_buf[d];
        uint32_t n = d % 37 == 0 ? 0 : llm_rand_below(30); /* some empty documents */
        for (uint32_t i = 0; i < n; i++) {
            const char *w = words[llm_rand_below((uint32_t)nw)];
            size_t l = strlen(w);
            memcpy(p, w, l);
            p += l;
            *p++ = llm_rand_below(6) ? ' ' : ',';
        }
        *p = '\0';
        corpus[d] = corpus_buf[d];
    }
}

typedef struct fitted { llm_csr *m; features_vectorizer *v; } fitted;

static fitted fit_with(const features_opts *o, int threads)
{
    fitted f;
    ck_assert_int_eq(llm_set_threads(threads), LLM_OK);
    ck_assert_int_eq(features_new(&f.v, o), LLM_OK);
    ck_assert_msg(features_fit_transform(f.v, corpus, NULL, NDOCS, &f.m) == LLM_OK, "%s", llm_last_error());
    return f;
}

static void assert_same(fitted a, fitted b)
{
    size_t nc = features_vocab_size(a.v);
    ck_assert_uint_eq(features_vocab_size(b.v), nc);
    for (size_t c = 0; c < nc; c++) {
        ck_assert_str_eq(features_term(a.v, c), features_term(b.v, c));
        ck_assert_mem_eq(&(double){features_idf(a.v, c)}, &(double){features_idf(b.v, c)}, sizeof(double));
    }
    ck_assert_int_eq(a.m->nrows, b.m->nrows);
    ck_assert_int_eq(a.m->ncols, b.m->ncols);
    ck_assert_int_eq(a.m->nnz, b.m->nnz);
    ck_assert_mem_eq(a.m->indptr, b.m->indptr, (size_t)(a.m->nrows + 1) * sizeof *a.m->indptr);
    ck_assert_mem_eq(a.m->indices, b.m->indices, (size_t)a.m->nnz * sizeof *a.m->indices);
    ck_assert_mem_eq(a.m->values, b.m->values, (size_t)a.m->nnz * sizeof *a.m->values);
}

static void check_threads(const features_opts *o)
{
    fitted one = fit_with(o, 1);
    ck_assert_int_gt(one.m->nnz, 100);
    /* every row sorted by column, no repeated column */
    for (int64_t r = 0; r < one.m->nrows; r++)
        for (int64_t p = one.m->indptr[r] + 1; p < one.m->indptr[r + 1]; p++)
            ck_assert_int_lt(one.m->indices[p - 1], one.m->indices[p]);
    /* the vocabulary in strictly increasing byte order */
    for (size_t c = 1; c < features_vocab_size(one.v); c++) {
        const char *x = features_term(one.v, c - 1), *y = features_term(one.v, c);
        ck_assert_msg(strcmp(x, y) < 0, "\"%s\" before \"%s\"", x, y);
    }
    /* transform analyses with PCRE2 only (fitting takes a shortcut on ASCII
     * documents with the default pattern): the same matrix again */
    fitted again = {NULL, one.v};
    ck_assert_int_eq(features_transform(one.v, corpus, NULL, NDOCS, &again.m), LLM_OK);
    assert_same(one, again);
    csr_free(again.m);
    int threads[] = {2, 3, 8};
    for (size_t t = 0; t < 3; t++) {
        fitted f = fit_with(o, threads[t]);
        assert_same(one, f);
        csr_free(f.m);
        features_free(f.v);
    }
    csr_free(one.m);
    features_free(one.v);
    llm_set_threads(2);
}

START_TEST(threads_same_output)
{
    make_corpus();
    features_opts o;
    features_default_opts(&o, 1);
    o.ngram_max = 2;
    check_threads(&o); /* scikit-learn's defaults, unigrams + bigrams */
    features_default_opts(&o, 1);
    o.ngram_min = 2;
    o.ngram_max = 3;
    o.min_df = 2;
    o.max_df = 0.5;
    o.sublinear_tf = 1;
    check_threads(&o); /* no unigrams: words only as parts of n-grams; pruning */
    features_default_opts(&o, 0);
    o.ngram_max = 3;
    o.max_features = 60;
    o.binary = 1;
    const char *stop[] = {"the", "of"};
    o.stop_words = stop;
    o.n_stop = 2;
    check_threads(&o);
    features_default_opts(&o, 1);
    o.analyzer = FEATURES_ANALYZER_CHAR_WB;
    o.ngram_min = 2;
    o.ngram_max = 4;
    check_threads(&o);
    features_default_opts(&o, 1);
    o.token_pattern = "[^,]+"; /* tokens with spaces: the string path */
    o.ngram_max = 2;
    check_threads(&o);
}
END_TEST

START_TEST(space_tokens_share_ngrams)
{
    /* tokens "a b" + "c" and "a" + "b c" both make the bigram "a b c", one term for
     * scikit-learn (its vocabulary is keyed by string) */
    const char *docs[] = {"a b|c", "a|b c"};
    for (int threads = 1; threads <= 2; threads++) {
        features_opts o;
        features_default_opts(&o, 0);
        o.token_pattern = "[^|]+";
        o.ngram_max = 2;
        features_vectorizer *v;
        llm_csr *m;
        ck_assert_int_eq(llm_set_threads(threads), LLM_OK);
        ck_assert_int_eq(features_new(&v, &o), LLM_OK);
        ck_assert_int_eq(features_fit_transform(v, docs, NULL, 2, &m), LLM_OK);
        const char *want[] = {"a", "a b", "a b c", "b c", "c"};
        ck_assert_uint_eq(features_vocab_size(v), 5);
        for (size_t c = 0; c < 5; c++) ck_assert_str_eq(features_term(v, c), want[c]);
        float d[10];
        csr_to_dense(m, d);
        float dw[10] = {0, 1, 1, 0, 1, 1, 0, 1, 1, 0};
        ck_assert_mem_eq(d, dw, sizeof d);
        csr_free(m);
        features_free(v);
    }
    llm_set_threads(2);
}
END_TEST

START_TEST(control_bytes_sort_as_bytes)
{
    /* "a\x01" sorts before "a x" (0x01 < space): bigrams of words holding a
     * byte below the space cannot be ordered by their words' ranks */
    const char *docs[] = {"a x a\x01"};
    features_opts o;
    features_default_opts(&o, 0);
    o.token_pattern = "[^ ]+";
    o.ngram_max = 2;
    features_vectorizer *v;
    llm_csr *m;
    ck_assert_int_eq(features_new(&v, &o), LLM_OK);
    ck_assert_int_eq(features_fit_transform(v, docs, NULL, 1, &m), LLM_OK);
    const char *want[] = {"a", "a\x01", "a x", "x", "x a\x01"};
    ck_assert_uint_eq(features_vocab_size(v), 5);
    for (size_t c = 0; c < 5; c++) ck_assert_str_eq(features_term(v, c), want[c]);
    csr_free(m);
    features_free(v);
}
END_TEST

/* ------------------------------------------------------------ state */
START_TEST(idf_after_vocabulary_change)
{
    /* the idf belongs to the vocabulary it was fitted on: after a new (larger)
     * vocabulary, features_idf refuses (NaN and a message) instead of reading
     * past the old array, until the next fit */
    const char *docs[] = {"apple banana", "banana cherry"};
    features_opts o;
    features_default_opts(&o, 1);
    features_vectorizer *v;
    llm_csr *m;
    ck_assert_int_eq(features_new(&v, &o), LLM_OK);
    ck_assert_int_eq(features_fit_transform(v, docs, NULL, 2, &m), LLM_OK);
    csr_free(m);
    ck_assert_uint_eq(features_vocab_size(v), 3);
    ck_assert_double_eq_tol(features_idf(v, 1), 1.0, 1e-12); /* banana: df 2 of 2 */
    llm_clear_error();
    ck_assert(isnan(features_idf(v, 3))); /* past the vocabulary */
    ck_assert_str_ne(llm_last_error(), "");
    const char *terms[] = {"apple", "banana", "cherry", "date", "elder"};
    ck_assert_int_eq(features_set_vocabulary(v, terms, 5), LLM_OK);
    ck_assert_int_eq(features_is_fitted(v), 0);
    for (size_t c = 0; c < 5; c++) {
        llm_clear_error();
        ck_assert_msg(isnan(features_idf(v, c)), "column %zu: %g", c, features_idf(v, c));
        ck_assert_str_ne(llm_last_error(), "");
    }
    /* fitted again over the fixed vocabulary: the idf has its 5 columns */
    ck_assert_int_eq(features_fit_transform(v, docs, NULL, 2, &m), LLM_OK);
    csr_free(m);
    ck_assert_double_eq_tol(features_idf(v, 1), 1.0, 1e-12);
    ck_assert_double_eq_tol(features_idf(v, 4), log(3.0) + 1.0, 1e-12); /* elder: df 0, smoothed */
    /* a failed set_vocabulary (a repeated term) leaves it unfitted, not half-built */
    const char *dup[] = {"apple", "apple"};
    ck_assert_int_eq(features_set_vocabulary(v, dup, 2), LLM_ERR_ARG);
    ck_assert_int_eq(features_is_fitted(v), 0);
    ck_assert(isnan(features_idf(v, 0)));
    ck_assert_int_ne(features_transform(v, docs, NULL, 2, &m), LLM_OK);
    features_free(v);
}
END_TEST

/* ------------------------------------------------------------ long words */
static void count_term(void *ud, const char *term, size_t len)
{
    (void)term;
    (void)len;
    (*(size_t *)ud)++;
}

/* "abcdefghij" 10,000 times: one word of 100,000 characters */
static char *long_word(void)
{
    char *doc = malloc(100001);
    for (size_t i = 0; i < 100000; i++) doc[i] = (char)('a' + i % 10);
    doc[100000] = '\0';
    return doc;
}

START_TEST(char_wb_long_word)
{
    char *doc = long_word();
    const char *docs[] = {doc};
    features_opts o;
    features_default_opts(&o, 0);
    o.analyzer = FEATURES_ANALYZER_CHAR_WB;
    o.ngram_min = 1;
    o.ngram_max = 3;
    features_vectorizer *v;
    ck_assert_int_eq(features_new(&v, &o), LLM_OK);
    /* scikit-learn pads the word to 100,002 characters: w_len - n + 1 n-grams for each n */
    size_t n = 0;
    ck_assert_msg(features_analyze(v, doc, 100000, count_term, &n) == LLM_OK, "%s", llm_last_error());
    ck_assert_uint_eq(n, 100002 + 100001 + 100000);
    features_free(v);
    /* bigrams only, counted: " a", "ab" .. "ij", "j ", "ja" */
    o.ngram_min = o.ngram_max = 2;
    for (int threads = 1; threads <= 2; threads++) {
        llm_csr *m;
        ck_assert_int_eq(llm_set_threads(threads), LLM_OK);
        ck_assert_int_eq(features_new(&v, &o), LLM_OK);
        ck_assert_msg(features_fit_transform(v, docs, NULL, 1, &m) == LLM_OK, "%s", llm_last_error());
        const char *want[] = {" a", "ab", "bc", "cd", "de", "ef", "fg", "gh", "hi", "ij", "j ", "ja"};
        float wantc[] = {1, 10000, 10000, 10000, 10000, 10000, 10000, 10000, 10000, 10000, 1, 9999};
        ck_assert_uint_eq(features_vocab_size(v), 12);
        float d[12];
        csr_to_dense(m, d);
        for (size_t c = 0; c < 12; c++) {
            ck_assert_str_eq(features_term(v, c), want[c]);
            ck_assert_float_eq(d[c], wantc[c]);
        }
        csr_free(m);
        features_free(v);
    }
    llm_set_threads(2);
    /* the char analyzer over the same word: no padding, 99,999 bigrams */
    o.analyzer = FEATURES_ANALYZER_CHAR;
    llm_csr *m;
    ck_assert_int_eq(features_new(&v, &o), LLM_OK);
    ck_assert_int_eq(features_fit_transform(v, docs, NULL, 1, &m), LLM_OK);
    ck_assert_uint_eq(features_vocab_size(v), 10);
    ck_assert_str_eq(features_term(v, 9), "ja");
    float d[10];
    csr_to_dense(m, d);
    ck_assert_float_eq(d[0], 10000);
    ck_assert_float_eq(d[9], 9999);
    csr_free(m);
    features_free(v);
    free(doc);
}
END_TEST

/* Lengths given or measured (lens NULL): the same fit at 1 and 2 threads;
 * a given length ends the document there; a missing document is named. */
START_TEST(lengths_given_or_measured)
{
    make_corpus();
    features_opts o;
    features_default_opts(&o, 1);
    o.ngram_max = 2;
    size_t lens[NDOCS];
    for (size_t d = 0; d < NDOCS; d++) lens[d] = strlen(corpus[d]);
    for (int threads = 1; threads <= 2; threads++) {
        fitted a = fit_with(&o, threads), b;
        ck_assert_int_eq(features_new(&b.v, &o), LLM_OK);
        ck_assert_int_eq(features_fit_transform(b.v, corpus, lens, NDOCS, &b.m), LLM_OK);
        assert_same(a, b);
        csr_free(a.m);
        csr_free(b.m);
        features_free(a.v);
        features_free(b.v);
    }
    const char *docs[] = {"aa bb cc", "dd ee", "ff"};
    size_t cut[] = {5, 2, 2};
    for (int threads = 1; threads <= 3; threads++) {
        features_vectorizer *v;
        llm_csr *m;
        ck_assert_int_eq(llm_set_threads(threads), LLM_OK);
        ck_assert_int_eq(features_new(&v, &o), LLM_OK);
        ck_assert_int_eq(features_fit_transform(v, docs, cut, 3, &m), LLM_OK);
        const char *want[] = {"aa", "aa bb", "bb", "dd", "ff"};
        ck_assert_uint_eq(features_vocab_size(v), 5);
        for (size_t c = 0; c < 5; c++) ck_assert_str_eq(features_term(v, c), want[c]);
        csr_free(m);
        const char *missing[] = {"aa bb", NULL, "cc"};
        ck_assert_int_eq(features_fit_transform(v, missing, NULL, 3, &m), LLM_ERR_ARG);
        ck_assert_str_eq(llm_last_error(), "vectorizer: document 2 is missing");
        features_free(v);
    }
    llm_set_threads(2);
}
END_TEST

/* ------------------------------------------------------------ pair table */
/* tok_pairmap (the n-gram nodes here, merge ranks in BPE): growing from
 * empty by put, and reserved then filled by put_hashed, hold the same pairs. */
START_TEST(pair_table_put_get_reserve)
{
    enum { NP = 20000 };
    tok_pairmap a = {0}, b = {0};
    ck_assert_ptr_null(tok_pairmap_get(&a, 1, 2));
    ck_assert_int_eq(tok_pairmap_reserve(&b, 5000), LLM_OK);
    ck_assert_uint_eq(b.cap, 8192); /* rounded up to a power of two */
    ck_assert_int_eq(tok_pairmap_reserve(&b, 100), LLM_OK);
    ck_assert_uint_eq(b.cap, 8192); /* never shrinks */
    for (uint32_t i = 0; i < NP; i++) {
        uint32_t l = i * 7919u % 1000u, r = i / 1000u; /* every (l, r) once */
        int64_t *slot;
        int added = -1;
        ck_assert_int_eq(tok_pairmap_put(&a, l, r, (int64_t)i * 3, &slot, &added), LLM_OK);
        ck_assert_int_eq(added, 1);
        ck_assert_int_eq(*slot, (int64_t)i * 3);
        ck_assert_int_eq(tok_pairmap_put_hashed(&b, l, r, tok_pair_hash(tok_pair_key(l, r)), (int64_t)i * 3, &slot,
                                                &added), LLM_OK);
        ck_assert_int_eq(added, 1);
    }
    ck_assert_uint_eq(a.n, NP);
    ck_assert_uint_eq(b.n, NP);
    ck_assert_uint_eq(a.cap, 65536); /* load <= 1/2 */
    for (uint32_t i = 0; i < NP; i++) {
        uint32_t l = i * 7919u % 1000u, r = i / 1000u;
        const int64_t *x = tok_pairmap_get(&a, l, r), *y = tok_pairmap_get(&b, l, r);
        ck_assert_ptr_nonnull(x);
        ck_assert_ptr_nonnull(y);
        ck_assert_int_eq(*x, (int64_t)i * 3);
        ck_assert_int_eq(*y, (int64_t)i * 3);
        /* found again: not added, the first value kept */
        int64_t *slot;
        int added = -1;
        ck_assert_int_eq(tok_pairmap_put(&a, l, r, -1, &slot, &added), LLM_OK);
        ck_assert_int_eq(added, 0);
        ck_assert_ptr_eq(slot, x);
    }
    ck_assert_uint_eq(a.n, NP);
    ck_assert_ptr_null(tok_pairmap_get(&a, 1000, 0));
    ck_assert_ptr_null(tok_pairmap_get(&a, 0, NP / 1000));
    tok_pairmap_free(&a);
    tok_pairmap_free(&b);
    ck_assert_uint_eq(a.cap, 0);
    ck_assert_ptr_null(tok_pairmap_get(&a, 1, 2));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vectorize");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, sort_terms_known);
    tcase_add_test(tc, sort_terms_random);
    tcase_add_test(tc, sort_u64_random);
    tcase_add_test(tc, threads_same_output);
    tcase_add_test(tc, space_tokens_share_ngrams);
    tcase_add_test(tc, control_bytes_sort_as_bytes);
    tcase_add_test(tc, idf_after_vocabulary_change);
    tcase_add_test(tc, char_wb_long_word);
    tcase_add_test(tc, lengths_given_or_measured);
    tcase_add_test(tc, pair_table_put_get_reserve);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
