/* test_normalize.c: lowercasing and case folding, Snowball stemmers and
 * WordNet lemmatisation, with known answers (the lemmas are those of
 * WordNet's morphy as NLTK's WordNetLemmatizer gives them). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "tokenize.h"

static void expect_map(llm_status (*fn)(const char *, size_t, char **, size_t *), const char *in, const char *want)
{
    char *out;
    size_t n;
    ck_assert_int_eq(fn(in, strlen(in), &out, &n), LLM_OK);
    ck_assert_str_eq(out, want);
    ck_assert_uint_eq(n, strlen(want));
    free(out);
}

START_TEST(lowercase_and_casefold)
{
    expect_map(tok_lowercase, "Hello WORLD, ÀÉÎ Σίσυφος", "hello world, àéî σίσυφος");
    /* full case folding: ß -> ss, final sigma -> sigma, ﬁ ligature -> fi */
    expect_map(tok_casefold, "Straße ΣΊΣΥΦΟΣ ﬁne", "strasse σίσυφοσ fine");
    /* lowercasing keeps ß (a one-to-one mapping) */
    expect_map(tok_lowercase, "Straße", "straße");
    char *out;
    size_t n;
    ck_assert_int_eq(tok_casefold("ab\xff", 3, &out, &n), LLM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "not valid UTF-8"));
    ck_assert_int_eq(tok_lowercase("\xc3", 1, &out, &n), LLM_ERR_ARG);
}
END_TEST

static void expect_stem(tok_stemmer *s, const char *w, const char *want)
{
    const char *st;
    size_t n;
    ck_assert_int_eq(tok_stem(s, w, strlen(w), &st, &n), LLM_OK);
    ck_assert_msg(n == strlen(want) && memcmp(st, want, n) == 0, "stem(%s) = %.*s, want %s", w, (int)n, st, want);
}

START_TEST(snowball_stemmers)
{
    tok_stemmer *en, *po, *fr;
    ck_assert_int_eq(tok_stemmer_new(&en, "english"), LLM_OK);
    ck_assert_int_eq(tok_stemmer_new(&po, "porter"), LLM_OK);
    ck_assert_int_eq(tok_stemmer_new(&fr, "french"), LLM_OK);
    expect_stem(en, "running", "run");
    expect_stem(en, "generously", "generous");   /* porter2 */
    expect_stem(po, "generously", "gener");      /* original porter */
    expect_stem(en, "connections", "connect");
    expect_stem(en, "ponies", "poni");
    expect_stem(fr, "continuellement", "continuel");
    tok_stemmer *bad;
    ck_assert_int_eq(tok_stemmer_new(&bad, "klingon"), LLM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "klingon"));
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "english"));
    const char *st;
    size_t n;
    ck_assert_int_eq(tok_stem(en, "caf\xc3", 4, &st, &n), LLM_ERR_ARG);
    int found = 0;
    for (const char **l = tok_stemmer_list(); *l; l++) found += strcmp(*l, "german") == 0;
    ck_assert_int_eq(found, 1);
    tok_stemmer_free(en);
    tok_stemmer_free(po);
    tok_stemmer_free(fr);
}
END_TEST

static void expect_lemma(const char *w, char pos, const char *want)
{
    char buf[256];
    ck_assert_int_eq(tok_lemmatize(w, pos, buf, sizeof buf), LLM_OK);
    ck_assert_msg(strcmp(buf, want) == 0, "lemma(%s, %c) = %s, want %s", w, pos, buf, want);
}

START_TEST(wordnet_lemmas)
{
    expect_lemma("geese", 'n', "goose");
    expect_lemma("went", 'v', "go");
    expect_lemma("better", 'a', "good");
    expect_lemma("mice", 'n', "mouse");
    expect_lemma("running", 'v', "run");
    expect_lemma("cats", 'n', "cat");
    expect_lemma("Churches", 'n', "church");
    expect_lemma("went", 'n', "went");  /* not a noun form: unchanged */
    expect_lemma("dog", 'n', "dog");
    expect_lemma("axes", 'n', "ax");     /* shortest of ax, axe, axis (as NLTK) */
    expect_lemma("leaves", 'n', "leaf");
    expect_lemma("leaves", 'v', "leave");
    expect_lemma("best", 'a', "best");   /* "best" is itself an adjective: NLTK keeps it */
    expect_lemma("xyzzyplugh", 'n', "xyzzyplugh");
    char buf[256];
    ck_assert_int_eq(tok_lemmatize("went", 'q', buf, sizeof buf), LLM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "n, v, a, r"));
    ck_assert_int_eq(tok_lemmatize("", 'n', buf, sizeof buf), LLM_ERR_ARG);
    ck_assert_int_eq(tok_lemmatize("\xff", 'n', buf, sizeof buf), LLM_ERR_ARG);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("normalize");
    TCase *tc = tcase_create("normalize");
    tcase_add_test(tc, lowercase_and_casefold);
    tcase_add_test(tc, snowball_stemmers);
    tcase_add_test(tc, wordnet_lemmas);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
