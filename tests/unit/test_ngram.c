/* test_ngram.c: n-gram models from C: hand-computed probabilities on the
 * text "a b" / "a a", perplexity with zero events, native and ARPA files,
 * corrupt input, and WordNet synonyms. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ngram.h"
#include "augment.h"

static const char *toks[] = {"a", "b", "a", "a"};
static const size_t sl[] = {2, 2};
static const ngram_text tiny = {toks, NULL, sl, 2};

static ngram_model *fitted(ngram_kind kind, int order)
{
    ngram_opts o;
    ngram_default_opts(&o, kind, order);
    ngram_model *m;
    ck_assert_int_eq(ngram_new(&m, &o), LLM_OK);
    ck_assert_int_eq(ngram_fit(m, &tiny), LLM_OK);
    return m;
}

START_TEST(mle_and_kn_known_values)
{
    ngram_model *m = fitted(NGRAM_MLE, 2);
    const char *ctx[] = {"a"};
    double p;
    ck_assert_int_eq(ngram_prob(m, ctx, NULL, 1, "b", 1, &p), LLM_OK);
    ck_assert_double_eq_tol(p, 1.0 / 3, 1e-12);
    ck_assert_uint_eq(ngram_vocab_size(m), 5);
    ck_assert_uint_eq(ngram_num_ngrams(m, 2), 5);
    /* "b a": P(b|<s>) = 0 -> inf perplexity, counted */
    const char *t2[] = {"b", "a"};
    size_t l2[] = {2};
    ngram_text test = {t2, NULL, l2, 1};
    ngram_eval ev;
    ck_assert_int_eq(ngram_evaluate(m, &test, &ev), LLM_OK);
    ck_assert(isinf(ev.perplexity));
    ck_assert_uint_eq(ev.zero_events, 2);
    ck_assert_uint_eq(ev.events, 3);
    ngram_free(m);

    m = fitted(NGRAM_KNESER_NEY, 2);
    ck_assert_int_eq(ngram_prob(m, ctx, NULL, 1, "b", 1, &p), LLM_OK);
    ck_assert_double_eq_tol(p, 0.9 / 3 + 0.1 / 5, 1e-12);
    ngram_free(m);
}
END_TEST

START_TEST(save_load_and_arpa)
{
    ngram_model *m = fitted(NGRAM_KNESER_NEY, 3), *m2, *m3;
    char path[] = "/tmp/llmlab_ngram_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(ngram_save(m, path), LLM_OK);
    ck_assert_int_eq(ngram_load(&m2, path), LLM_OK);
    ck_assert_int_eq(ngram_write_arpa(m, path), LLM_OK);
    ck_assert_int_eq(ngram_read_arpa(&m3, path), LLM_OK);
    ngram_eval e1, e2, e3;
    ck_assert_int_eq(ngram_evaluate(m, &tiny, &e1), LLM_OK);
    ck_assert_int_eq(ngram_evaluate(m2, &tiny, &e2), LLM_OK);
    ck_assert_int_eq(ngram_evaluate(m3, &tiny, &e3), LLM_OK);
    ck_assert_double_eq_tol(e1.perplexity, e2.perplexity, 1e-12);
    ck_assert_double_eq_tol(e1.perplexity, e3.perplexity, 1e-7 * e1.perplexity);
    /* corrupt: truncate the ARPA file after its header */
    FILE *f = fopen(path, "w");
    fputs("\\data\\\nngram 1=2\n\n\\1-grams:\n-1\ta\n", f);
    fclose(f);
    ngram_model *bad;
    ck_assert_int_eq(ngram_read_arpa(&bad, path), LLM_ERR_FORMAT);
    ck_assert_ptr_null(bad);
    ck_assert_int_eq(ngram_load(&bad, path), LLM_ERR_FORMAT);
    ck_assert_ptr_null(bad);
    /* a native file that fails after the model is made: freed, not handed out */
    f = fopen(path, "w");
    fputs("llmlab-ngram 1\nkind mle\norder 2\nwords 3\n0 <s>\n0 </s>\n0 <UNK>\nngrams 1\n2 1 0 9\nend\n", f);
    fclose(f);
    bad = m;
    ck_assert_int_eq(ngram_load(&bad, path), LLM_ERR_FORMAT);
    ck_assert_ptr_null(bad);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "word id out of range"));
    remove(path);
    ck_assert_int_eq(ngram_load(&bad, path), LLM_ERR_IO);
    ck_assert_ptr_null(bad);
    /* writes go through PATH.tmp: a missing folder fails at the open, a
     * folder in the way at the rename, and neither leaves the .tmp file */
    ck_assert_int_eq(ngram_save(m, "/nonexistent-llmlab/m.ngram"), LLM_ERR_IO);
    ck_assert_str_eq(llm_last_error(), "ngram save: cannot write /nonexistent-llmlab/m.ngram.tmp: No such file or directory");
    ck_assert_int_eq(ngram_write_arpa(m, "/nonexistent-llmlab/m.arpa"), LLM_ERR_IO);
    ck_assert_str_eq(llm_last_error(), "ngram write_arpa: cannot write /nonexistent-llmlab/m.arpa.tmp: No such file or directory");
    char dir[] = "/tmp/llmlab_ngram_dir_XXXXXX", tmpname[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(tmpname, sizeof tmpname, "%s.tmp", dir);
    ck_assert_int_eq(ngram_save(m, dir), LLM_ERR_IO);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "ngram save: writing /tmp/llmlab_ngram_dir_"));
    ck_assert_int_eq(access(tmpname, F_OK), -1);
    ck_assert_int_eq(ngram_write_arpa(m, dir), LLM_ERR_IO);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "ngram write_arpa: writing /tmp/llmlab_ngram_dir_"));
    ck_assert_int_eq(access(tmpname, F_OK), -1);
    rmdir(dir);
    ngram_free(m);
    ngram_free(m2);
    ngram_free(m3);
}
END_TEST

START_TEST(bad_options)
{
    ngram_opts o;
    ngram_model *m;
    ngram_default_opts(&o, NGRAM_MLE, 6);
    ck_assert_int_eq(ngram_new(&m, &o), LLM_ERR_ARG);
    ngram_default_opts(&o, NGRAM_LIDSTONE, 2);
    o.gamma = 0;
    ck_assert_int_eq(ngram_new(&m, &o), LLM_ERR_ARG);
    ngram_default_opts(&o, NGRAM_MLE, 2);
    ck_assert_int_eq(ngram_new(&m, &o), LLM_OK);
    double p;
    ck_assert_int_eq(ngram_prob(m, NULL, NULL, 0, "a", 1, &p), LLM_ERR_STATE);
    ngram_text empty = {NULL, NULL, NULL, 0};
    ck_assert_int_eq(ngram_fit(m, &empty), LLM_ERR_ARG);
    ngram_free(m);
}
END_TEST

START_TEST(wordnet_synonyms)
{
    char **list;
    size_t n;
    llm_status s = augment_synonyms("happy", AUGMENT_POS_ADJ, &list, &n);
    if (s == LLM_ERR_IO) return; /* no WordNet database on this machine */
    ck_assert_int_eq(s, LLM_OK);
    int found = 0;
    for (size_t i = 0; i < n; i++) found |= !strcmp(list[i], "glad");
    ck_assert(found);
    augment_free_list(list, n);
    ck_assert_int_eq(augment_synonyms("dogs", AUGMENT_POS_NOUN, &list, &n), LLM_OK);
    found = 0;
    for (size_t i = 0; i < n; i++) found |= !strcmp(list[i], "domestic dog");
    ck_assert(found);
    augment_free_list(list, n);
    ck_assert_int_eq(augment_synonyms("qwxzzy", AUGMENT_POS_ANY, &list, &n), LLM_OK);
    ck_assert_uint_eq(n, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ngram");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, mle_and_kn_known_values);
    tcase_add_test(tc, save_load_and_arpa);
    tcase_add_test(tc, bad_options);
    tcase_add_test(tc, wordnet_synonyms);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
