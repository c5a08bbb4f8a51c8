/* test_text.c: the text engine in C: UTF-8 repair, normalisation, HTML,
 * standardising, quality, statistics, shingles/dedup, edit distance, and
 * bad input (random bytes) that must never crash or leak (run under
 * valgrind and ASan). Expected values are worked out by hand. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "core.h"
#include "text.h"

#define S(lit) lit, sizeof(lit) - 1

START_TEST(utf8_repair_counts)
{
    text_buf b;
    size_t bad = 0;
    text_buf_init(&b);
    ck_assert_int_eq(text_utf8_repair(S("a\xE2\x82" "b\xC0\xAF"), &b, &bad), LLM_OK);
    ck_assert_str_eq(b.data, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD");
    ck_assert_uint_eq(bad, 3);
    ck_assert_uint_eq(text_utf8_check(S("ok\xFF")), 2);
    ck_assert_uint_eq(text_utf8_check(S("ok \xE2\x82\xAC")), (size_t)-1);
    uint32_t cp;
    ck_assert_int_eq(text_utf8_decode((const unsigned char *)"\xE2\x82\xAC", 3, &cp), 3);
    ck_assert_uint_eq(cp, 0x20AC);
    ck_assert_int_eq(text_utf8_decode((const unsigned char *)"\xE2\x82", 2, &cp), -2);
    text_buf_free(&b);
}
END_TEST

START_TEST(normalize_forms)
{
    text_buf b;
    text_buf_init(&b);
    ck_assert_int_eq(text_normalize(S("e\xCC\x81"), TEXT_NORM_NFC, 0, &b, NULL), LLM_OK);
    ck_assert_str_eq(b.data, "\xC3\xA9");
    b.len = 0;
    ck_assert_int_eq(text_normalize(S("\xEF\xAC\x81 \xEF\xBC\xA1"), TEXT_NORM_NFKC, 1, &b, NULL), LLM_OK);
    ck_assert_str_eq(b.data, "fi a");
    b.len = 0;
    ck_assert_int_eq(text_normalize(S(""), TEXT_NORM_NFC, 0, &b, NULL), LLM_OK);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_int_eq(text_normalize(S("x"), (text_norm_form)42, 0, &b, NULL), LLM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "unknown form"));
    text_buf_free(&b);
}
END_TEST

START_TEST(html_basics)
{
    text_buf b;
    text_buf_init(&b);
    ck_assert_int_eq(text_html_to_text(S("<h1>T&amp;C</h1><script>x<y</script><p>a&nbsp;b</p>"), &b), LLM_OK);
    ck_assert_str_eq(b.data, "T&C\n\na b");
    ck_assert_uint_eq(text_html_entity(S("#x41")), 'A');
    ck_assert_uint_eq(text_html_entity(S("nosuch")), 0);
    text_buf_free(&b);
}
END_TEST

START_TEST(standardize_rules)
{
    text_buf b;
    size_t ch = 0;
    text_buf_init(&b);
    ck_assert_int_eq(text_standardize(S("\xE2\x80\x9Cq\xE2\x80\x9D  x"), TEXT_STD_QUOTES, &b, &ch, NULL), LLM_OK);
    ck_assert_str_eq(b.data, "\"q\"  x");
    ck_assert_uint_eq(ch, 2);
    text_buf_free(&b);
}
END_TEST

START_TEST(quality_reason)
{
    text_quality_report r;
    ck_assert_int_eq(text_quality_check(S("one two three"), NULL, &r), LLM_OK);
    ck_assert_int_eq(r.keep, 0);
    ck_assert_str_eq(r.rule, "min_words");
    ck_assert_str_eq(r.reason, "too few words: 3 < 50");
    ck_assert_int_eq(r.words, 3);
}
END_TEST

START_TEST(stats_counts)
{
    text_stats_opts o = {1, 10};
    text_stats *st = text_stats_new(&o);
    ck_assert_ptr_nonnull(st);
    ck_assert_int_eq(text_stats_add(st, S("A b a. C!")), LLM_OK);
    text_stats_totals t;
    text_stats_totals_get(st, &t);
    ck_assert_uint_eq(t.words, 4);
    ck_assert_uint_eq(t.types, 3);
    ck_assert_uint_eq(t.hapax, 2);
    ck_assert_uint_eq(t.sentences, 2);
    text_word_count top[2];
    size_t got;
    ck_assert_int_eq(text_stats_top(st, 2, top, &got), LLM_OK);
    ck_assert_uint_eq(got, 2);
    ck_assert_uint_eq(top[0].count, 2);
    ck_assert_int_eq(memcmp(top[0].word, "a", 1), 0);
    size_t bins;
    const uint64_t *h = text_stats_sentence_hist(st, &bins);
    ck_assert_uint_eq(bins, 11);
    ck_assert_uint_eq(h[3], 1);
    ck_assert_uint_eq(h[1], 1);
    text_stats_free(st);
}
END_TEST

START_TEST(jaccard_and_dedup)
{
    uint64_t *a, *b;
    size_t na, nb;
    ck_assert_int_eq(text_shingles(S("a b c d e"), TEXT_SHINGLE_WORD, 3, &a, &na), LLM_OK);
    ck_assert_int_eq(text_shingles(S("a b c d f"), TEXT_SHINGLE_WORD, 3, &b, &nb), LLM_OK);
    ck_assert_uint_eq(na, 3);
    ck_assert_double_eq_tol(text_jaccard(a, na, b, nb), 0.5, 1e-12);
    free(a);
    free(b);
    text_dedup_opts o;
    text_dedup_defaults(&o);
    o.bands = 5; /* does not divide 128 */
    ck_assert_ptr_null(text_dedup_new(&o));
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "must divide"));
    text_dedup_defaults(&o);
    o.seed = 1;
    text_dedup *d = text_dedup_new(&o);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(text_dedup_add(d, S("one two three four five six seven eight")), LLM_OK);
    ck_assert_int_eq(text_dedup_add(d, S("nine ten eleven twelve")), LLM_OK);
    ck_assert_int_eq(text_dedup_add(d, S("One two three four five six seven eight.")), LLM_OK);
    ck_assert_int_eq(text_dedup_run(d), LLM_OK);
    const uint32_t *c = text_dedup_clusters(d);
    ck_assert_uint_eq(c[0], 0);
    ck_assert_uint_eq(c[1], 1);
    ck_assert_uint_eq(c[2], 0);
    text_dedup_free(d);
}
END_TEST

START_TEST(edit_distance_known)
{
    size_t dist;
    double sim;
    ck_assert_int_eq(text_edit_distance(S("flaw"), S("lawn"), &dist), LLM_OK);
    ck_assert_uint_eq(dist, 2);
    ck_assert_int_eq(text_similarity(S("abc"), S("abd"), &sim), LLM_OK);
    ck_assert_double_eq_tol(sim, 2.0 / 3.0, 1e-12);
}
END_TEST

/* Random bytes through every function: no crash, output always valid UTF-8. */
START_TEST(random_bytes_never_crash)
{
    llm_seed(7);
    char buf[512];
    for (int round = 0; round < 200; round++) {
        size_t n = llm_rand_below(sizeof buf);
        for (size_t i = 0; i < n; i++) {
            uint32_t r = llm_rand_u32();
            buf[i] = (r & 3) == 0 ? "<>&;\"'/ !.\n#"[r % 12] : (char)(r >> 8);
        }
        text_buf b;
        size_t bad;
        text_buf_init(&b);
        ck_assert_int_eq(text_normalize(buf, n, TEXT_NORM_NFKC, 1, &b, &bad), LLM_OK);
        ck_assert_uint_eq(text_utf8_check(b.data, b.len), (size_t)-1);
        b.len = 0;
        ck_assert_int_eq(text_standardize(buf, n, TEXT_STD_ALL, &b, NULL, NULL), LLM_OK);
        ck_assert_uint_eq(text_utf8_check(b.data, b.len), (size_t)-1);
        b.len = 0;
        ck_assert_int_eq(text_html_to_text(buf, n, &b), LLM_OK);
        text_buf_free(&b);
        text_quality_report r;
        ck_assert_int_eq(text_quality_check(buf, n, NULL, &r), LLM_OK);
        uint64_t *sh;
        size_t ns;
        ck_assert_int_eq(text_shingles(buf, n, TEXT_SHINGLE_CHAR, 5, &sh, &ns), LLM_OK);
        free(sh);
        text_stats *st = text_stats_new(NULL);
        ck_assert_int_eq(text_stats_add(st, buf, n), LLM_OK);
        text_stats_free(st);
        size_t d;
        ck_assert_int_eq(text_edit_distance(buf, n / 2, buf + n / 2, n - n / 2, &d), LLM_OK);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("text");
    tcase_add_test(tc, utf8_repair_counts);
    tcase_add_test(tc, normalize_forms);
    tcase_add_test(tc, html_basics);
    tcase_add_test(tc, standardize_rules);
    tcase_add_test(tc, quality_reason);
    tcase_add_test(tc, stats_counts);
    tcase_add_test(tc, jaccard_and_dedup);
    tcase_add_test(tc, edit_distance_known);
    tcase_add_test(tc, random_bytes_never_crash);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
