/* test_plot.c: the gnuplot pipe (plot.c) and the progress bar text (progress.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core.h"
#include "plot.h"
#include "progress.h"

static const char line_script[] =
    "set terminal dumb size 60,16 mono\n"
    "set xlabel 'step'\n"
    "$d << EOD\n1 3\n2 2\n3 1.5\n4 1.2\nEOD\n"
    "plot $d using 1:2 with lines title 'train loss'\n";

START_TEST(dumb_plot_has_labels_and_series)
{
    if (!plot_gnuplot_path()) return; /* checked by missing_gnuplot_is_reported */
    char *out = NULL;
    size_t n = 0;
    ck_assert_int_eq(plot_run_script(line_script, strlen(line_script), &out, &n), LLM_OK);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(out[0], '\f'); /* the dumb terminal's form feed */
    n = plot_dumb_trim(out, n);
    ck_assert_int_ne(out[0], '\f');
    ck_assert_uint_eq(strlen(out), n);
    ck_assert_ptr_nonnull(strstr(out, "step"));
    ck_assert_ptr_nonnull(strstr(out, "train loss"));
    /* 16 lines of 60 columns */
    int lines = 0;
    for (size_t i = 0; i < n; i++) lines += out[i] == '\n';
    ck_assert_int_ge(lines, 15);
    ck_assert_ptr_nonnull(strstr(out, "+-----"));
    free(out);
}
END_TEST

START_TEST(bad_script_gives_gnuplots_message)
{
    if (!plot_gnuplot_path()) return;
    const char *bad = "set terminal dumb\nplot sin(x) with nonsense\n";
    char *out = (char *)1;
    llm_clear_error();
    llm_status st = plot_run_script(bad, strlen(bad), &out, NULL);
    ck_assert_int_ne(st, LLM_OK);
    ck_assert_ptr_null(out);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "gnuplot rejected the script"));
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "unrecognized plot type"));
}
END_TEST

START_TEST(large_script_does_not_deadlock)
{
    if (!plot_gnuplot_path()) return;
    /* More data than a pipe holds (64 KiB), while gnuplot also writes. */
    size_t cap = 1 << 20, len = 0;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    len += (size_t)snprintf(s + len, cap - len, "set terminal dumb size 80,20\n$d << EOD\n");
    for (int i = 0; i < 20000; i++) len += (size_t)snprintf(s + len, cap - len, "%d %d\n", i, 1000 + i % 97);
    len += (size_t)snprintf(s + len, cap - len, "EOD\nset title 'many points'\nplot $d with lines notitle\n");
    char *out = NULL;
    ck_assert_int_eq(plot_run_script(s, len, &out, NULL), LLM_OK);
    ck_assert_ptr_nonnull(strstr(out, "many"));
    free(out);
    free(s);
}
END_TEST

START_TEST(missing_gnuplot_is_reported)
{
    setenv("LLMLAB_GNUPLOT", "/nonexistent/gnuplot", 1);
    plot_gnuplot_forget();
    ck_assert_ptr_null(plot_gnuplot_path());
    char *out = (char *)1;
    ck_assert_int_eq(plot_run_script("plot x\n", 7, &out, NULL), LLM_ERR_STATE);
    ck_assert_ptr_null(out);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "gnuplot not found"));
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "apt-get install gnuplot-nox"));
    unsetenv("LLMLAB_GNUPLOT");
    plot_gnuplot_forget();
}
END_TEST

START_TEST(trim_only_removes_form_feeds)
{
    char a[] = "\f\fab\n";
    ck_assert_uint_eq(plot_dumb_trim(a, 5), 3);
    ck_assert_str_eq(a, "ab\n");
    char b[] = "plain";
    ck_assert_uint_eq(plot_dumb_trim(b, 5), 5);
    ck_assert_str_eq(b, "plain");
}
END_TEST

START_TEST(progress_bar_text)
{
    char buf[256];
    /* 25 of 100 in 5 s: 5/s, 75 left -> 15 s. Bar of 20 cells, 5 filled. */
    progress_format_bar(buf, sizeof buf, 5 + 3 + 20 + 25, "train", 25, 100, 5.0);
    ck_assert_str_eq(buf, "train [#####...............]  25% 25/100 5/s ETA 0:15");
    /* Not a terminal: no bar. */
    progress_format_bar(buf, sizeof buf, 0, "bpe merges", 500, 1000, 2.0);
    ck_assert_str_eq(buf, "bpe merges  50% 500/1000 250/s ETA 0:02");
    /* Finished: the time it took. */
    progress_format_bar(buf, sizeof buf, 0, "fetch", 10, 10, 75.0);
    ck_assert_str_eq(buf, "fetch 100% 10/10 0.13/s took 1:15");
    /* Unknown total: a count and a rate only. */
    progress_format_bar(buf, sizeof buf, 80, "read", 1200, 0, 4.0);
    ck_assert_str_eq(buf, "read 1200 300/s");
    /* Narrow: the bar is dropped rather than cut. */
    progress_format_bar(buf, sizeof buf, 30, "train", 1, 4, 1.0);
    ck_assert_ptr_null(strchr(buf, '['));
}
END_TEST

START_TEST(durations)
{
    char buf[32];
    progress_format_duration(buf, sizeof buf, 59.4);
    ck_assert_str_eq(buf, "0:59");
    progress_format_duration(buf, sizeof buf, 3725);
    ck_assert_str_eq(buf, "1:02:05");
    progress_format_duration(buf, sizeof buf, -1);
    ck_assert_str_eq(buf, "--:--");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("plot");
    TCase *tc = tcase_create("plot");
    tcase_add_test(tc, dumb_plot_has_labels_and_series);
    tcase_add_test(tc, bad_script_gives_gnuplots_message);
    tcase_add_test(tc, large_script_does_not_deadlock);
    tcase_add_test(tc, missing_gnuplot_is_reported);
    tcase_add_test(tc, trim_only_removes_form_feeds);
    tcase_add_test(tc, progress_bar_text);
    tcase_add_test(tc, durations);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
