/* test_sparse.c: CSR matrices and the vectorizer engine, from C (known values). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sparse.h"
#include "vectorizer.h"

START_TEST(triplets_sum_and_sort)
{
    int64_t r[] = {1, 0, 1, 0};
    int64_t c[] = {2, 1, 0, 1};
    float v[] = {3, 1, 2, 4};
    llm_csr *m;
    ck_assert_int_eq(csr_from_triplets(&m, 2, 3, 4, r, c, v), LLM_OK);
    ck_assert_int_eq(m->nnz, 3);
    ck_assert_int_eq(m->indptr[1], 1);
    ck_assert_int_eq(m->indices[0], 1);
    ck_assert_float_eq(m->values[0], 5.0f);
    ck_assert_int_eq(m->indices[1], 0);
    ck_assert_int_eq(m->indices[2], 2);
    float d[6];
    csr_to_dense(m, d);
    float want[6] = {0, 5, 0, 2, 0, 3};
    ck_assert_mem_eq(d, want, sizeof d);
    double n[2];
    csr_row_norms(m, 2, n);
    ck_assert_double_eq_tol(n[1], sqrt(13.0), 1e-9);
    float b[3 * 2] = {1, 0, 0, 1, 1, 1}, o[4];
    csr_matmul_dense(m, b, 2, o);
    ck_assert_float_eq(o[0], 0);
    ck_assert_float_eq(o[1], 5);
    ck_assert_float_eq(o[2], 5);
    ck_assert_float_eq(o[3], 3);
    csr_free(m);
    int64_t bad_r[] = {5};
    ck_assert_int_eq(csr_from_triplets(&m, 2, 3, 1, bad_r, c, v), LLM_ERR_ARG);
    ck_assert_ptr_null(m);
}
END_TEST

START_TEST(cosine_topk_known)
{
    float d[] = {1, 0, 0, 1, 0, 1};
    llm_csr *m, *q;
    ck_assert_int_eq(csr_from_dense(&m, d, 3, 2), LLM_OK);
    float qd[] = {1, 1};
    ck_assert_int_eq(csr_from_dense(&q, qd, 1, 2), LLM_OK);
    int64_t idx[2];
    float sim[2];
    ck_assert_int_eq(csr_cosine_topk(m, q, 2, idx, sim), LLM_OK);
    ck_assert_int_eq(idx[0], 0); /* rows 0 and 2 tie at 1/sqrt 2: lower row first */
    ck_assert_int_eq(idx[1], 1);
    ck_assert_float_eq_tol(sim[0], (float)(1 / sqrt(2.0)), 1e-6f);
    csr_free(m);
    csr_free(q);
}
END_TEST

START_TEST(count_vectorizer_bigrams)
{
    features_opts o;
    features_default_opts(&o, 0);
    o.ngram_max = 2;
    features_vectorizer *v;
    ck_assert_int_eq(features_new(&v, &o), LLM_OK);
    const char *docs[] = {"Red fish, blue fish", "blue sky"};
    llm_csr *m;
    ck_assert_int_eq(features_fit_transform(v, docs, NULL, 2, &m), LLM_OK);
    /* sorted terms: blue, blue fish, blue sky, fish, fish blue, red, red fish, sky */
    ck_assert_uint_eq(features_vocab_size(v), 8);
    ck_assert_str_eq(features_term(v, 0), "blue");
    ck_assert_str_eq(features_term(v, 1), "blue fish");
    ck_assert_str_eq(features_term(v, 7), "sky");
    ck_assert_int_eq(features_term_index(v, "fish", 4), 3);
    float d[16];
    csr_to_dense(m, d);
    float want[16] = {1, 1, 0, 2, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1};
    ck_assert_mem_eq(d, want, sizeof d);
    csr_free(m);
    features_free(v);
}
END_TEST

START_TEST(vectorizer_bad_input)
{
    features_opts o;
    features_default_opts(&o, 1);
    features_vectorizer *v;
    o.token_pattern = "[";
    ck_assert_int_eq(features_new(&v, &o), LLM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "does not compile"));
    o.token_pattern = NULL;
    ck_assert_int_eq(features_new(&v, &o), LLM_OK);
    const char *docs[] = {"fine text", "bad \xc3("};
    llm_csr *m;
    ck_assert_int_eq(features_fit_transform(v, docs, NULL, 2, &m), LLM_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "document 2 is not valid UTF-8"));
    const char *empty[] = {"", "!"};
    ck_assert_int_eq(features_fit_transform(v, empty, NULL, 2, &m), LLM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "empty vocabulary"));
    ck_assert_int_eq(features_transform(v, docs, NULL, 1, &m), LLM_ERR_STATE);
    features_free(v);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sparse");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, triplets_sum_and_sort);
    tcase_add_test(tc, cosine_topk_known);
    tcase_add_test(tc, count_vectorizer_bigrams);
    tcase_add_test(tc, vectorizer_bad_input);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
