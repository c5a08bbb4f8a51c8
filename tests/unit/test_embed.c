/* test_embed.c: embedding engine pieces with known answers: vocabulary
 * order and cut-off, fastText n-gram hashing, file formats and their errors,
 * reproducible training, and word2vec's training rules as gensim's. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "embed.h"

START_TEST(vocab_sorted_by_count_then_first_seen)
{
    const char *text = "b a c a\nb a d\n  c\te\n";
    embed_vocab v;
    ck_assert_int_eq(embed_vocab_build(&v, text, strlen(text), 1), LLM_OK);
    ck_assert_int_eq(v.size, 5);
    const char *want[] = {"a", "b", "c", "d", "e"};
    int64_t counts[] = {3, 2, 2, 1, 1};
    for (int i = 0; i < 5; i++) {
        ck_assert_str_eq(v.words[i], want[i]);
        ck_assert_int_eq(v.counts[i], counts[i]);
    }
    ck_assert_int_eq(v.total, 9);
    ck_assert_int_eq(embed_vocab_find(&v, "c", 1), 2);
    ck_assert_int_eq(embed_vocab_find(&v, "zz", 2), -1);
    embed_vocab_free(&v);

    ck_assert_int_eq(embed_vocab_build(&v, text, strlen(text), 2), LLM_OK);
    ck_assert_int_eq(v.size, 3);
    ck_assert_int_eq(v.total, 7);
    embed_vocab_free(&v);

    ck_assert_int_eq(embed_vocab_build(&v, text, strlen(text), 10), LLM_ERR_ARG);
    ck_assert(strstr(llm_last_error(), "min_count=10") != NULL);
    ck_assert_int_eq(embed_vocab_build(&v, " \n\t", 3, 1), LLM_ERR_ARG);
    ck_assert(strstr(llm_last_error(), "no words") != NULL);
}
END_TEST

START_TEST(subword_ids_are_fasttext_hashes)
{
    int ids[16];
    /* "<ab>" with n = 2..3: "<a" "<ab" "ab" "ab>" "b>", FNV-1a 32-bit mod 1000 */
    int n = embed_subword_ids("ab", 2, 3, 1000, ids, 16);
    int want[] = {750, 508, 946, 756, 561};
    ck_assert_int_eq(n, 5);
    for (int i = 0; i < 5; i++) ck_assert_int_eq(ids[i], want[i]);
    /* n-grams count UTF-8 characters, and hash bytes as signed chars */
    n = embed_subword_ids("\xc3\xa9", 2, 3, 1000, ids, 16);
    int want2[] = {627, 231, 781};
    ck_assert_int_eq(n, 3);
    for (int i = 0; i < 3; i++) ck_assert_int_eq(ids[i], want2[i]);
    ck_assert_int_eq(embed_subword_ids("ab", 2, 3, 1000, ids, 2), 2); /* respects cap */
}
END_TEST

static char tmpdir[] = "/tmp/llmlab-embed-XXXXXX";

static const char *write_file(const char *name, const char *content, size_t len)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(content, 1, len, f), len);
    fclose(f);
    return path;
}

static void expect_load_error(const char *name, const char *content, int binary, const char *needle)
{
    const char *path = write_file(name, content, strlen(content));
    embed_model *m = (embed_model *)1;
    ck_assert_int_eq(embed_load(path, binary, &m), LLM_ERR_FORMAT);
    ck_assert_ptr_null(m);
    if (!strstr(llm_last_error(), needle))
        ck_abort_msg("error '%s' lacks '%s'", llm_last_error(), needle);
}

START_TEST(text_format_roundtrip_and_errors)
{
    const char *good = "3 2\nthe 0.5 -1\ncat 2 3.25\nsat 1e-3 0\n";
    const char *path = write_file("good.txt", good, strlen(good));
    embed_model *m;
    ck_assert_int_eq(embed_load(path, 0, &m), LLM_OK);
    ck_assert_int_eq(m->vocab.size, 3);
    ck_assert_int_eq(m->dim, 2);
    float v[2];
    ck_assert_int_eq(embed_word_vector(m, "cat", v), LLM_OK);
    ck_assert_float_eq(v[0], 2.0f);
    ck_assert_float_eq(v[1], 3.25f);
    ck_assert_int_eq(embed_word_vector(m, "dog", v), LLM_ERR_ARG);
    ck_assert(strstr(llm_last_error(), "'dog' is not in the vocabulary") != NULL);
    /* nearest to (1, 1.5) by cosine is cat */
    int ids[2];
    float sims[2];
    float q[2] = {1, 1.5f};
    ck_assert_int_eq(embed_nearest(m, q, 2, NULL, 0, ids, sims), 2);
    ck_assert_int_eq(ids[0], 1);
    ck_assert(sims[0] >= sims[1]);

    /* save in both formats and read back bit-exactly */
    for (int binary = 0; binary <= 1; binary++) {
        char out[256];
        snprintf(out, sizeof out, "%s/out%d", tmpdir, binary);
        ck_assert_int_eq(embed_save(m, out, binary), LLM_OK);
        embed_model *back;
        ck_assert_int_eq(embed_load(out, binary, &back), LLM_OK);
        ck_assert_int_eq(back->vocab.size, 3);
        for (int w = 0; w < 3; w++) ck_assert_str_eq(back->vocab.words[w], m->vocab.words[w]);
        ck_assert_mem_eq(back->vectors, m->vectors, 6 * sizeof(float));
        embed_model_free(back);
    }
    embed_model_free(m);

    expect_load_error("e1", "", 0, "header");
    expect_load_error("e2", "two 2\n", 0, "header");
    expect_load_error("e3", "-1 2\n", 0, "header");
    expect_load_error("e4", "2 2\nthe 1 2\n", 0, "expected 2 words");
    expect_load_error("e5", "1 3\nthe 1 2\n", 0, "has 2 numbers, expected 3");
    expect_load_error("e6", "1 2\nthe 1 x\n", 0, "has 1 numbers");
    expect_load_error("e7", "1 2\nthe 1 2 3\n", 0, "more than 2 numbers");
    expect_load_error("e8", "2 1\nthe 1\nthe 2\n", 0, "appears twice");
    expect_load_error("e9", "1 2\nthe nan 2\n", 0, "not finite");
    expect_load_error("e10", "1 2 junk\nthe 1 2\n", 0, "extra text");
    /* binary: vector cut short */
    const char bin[] = "1 4\nthe \x00\x00\x80\x3f";
    const char *bpath = write_file("e11", bin, sizeof bin - 1);
    ck_assert_int_eq(embed_load(bpath, 1, &m), LLM_ERR_FORMAT);
    ck_assert(strstr(llm_last_error(), "cut short") != NULL);
    ck_assert_int_eq(embed_load("/nonexistent/x.vec", 0, &m), LLM_ERR_IO);
}
END_TEST

/* Two topics that never share a sentence: words of one should be each
 * other's neighbours. */
static char *topic_corpus(void)
{
    size_t cap = 1 << 20, n = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    llm_seed(3);
    for (int s = 0; s < 3000; s++) {
        char topic = s % 2 ? 'x' : 'y';
        for (int w = 0; w < 8; w++) n += (size_t)snprintf(text + n, cap - n, "%c%u ", topic, llm_rand_below(10));
        text[n++] = '\n';
    }
    text[n] = '\0';
    return text;
}

static int same_topic_neighbours(embed_model *m)
{
    int good = 0;
    for (int w = 0; w < m->vocab.size; w++) {
        int ids[2];
        float sims[2];
        int self = w;
        int got = embed_nearest(m, m->vectors + (size_t)w * m->dim, 1, &self, 1, ids, sims);
        if (got == 1 && m->vocab.words[ids[0]][0] == m->vocab.words[w][0]) good++;
    }
    return good;
}

START_TEST(training_learns_topics_and_is_reproducible)
{
    char *text = topic_corpus();
    w2v_config c;
    embed_arch archs[] = {EMBED_SKIPGRAM, EMBED_CBOW};
    for (int a = 0; a < 2; a++) {
        for (int hs = 0; hs <= 1; hs++) {
            w2v_config_default(&c, archs[a]);
            c.dim = 16;
            c.epochs = 3;
            c.threads = 1;
            c.min_count = 1;
            c.hs = hs;
            c.negative = hs ? 0 : 5;
            embed_model *m1, *m2;
            llm_seed(11);
            ck_assert_int_eq(w2v_train(&c, text, strlen(text), &m1), LLM_OK);
            ck_assert_int_eq(m1->vocab.size, 20);
            ck_assert_int_ge(same_topic_neighbours(m1), 19);
            llm_seed(11);
            ck_assert_int_eq(w2v_train(&c, text, strlen(text), &m2), LLM_OK);
            ck_assert_mem_eq(m1->vectors, m2->vectors, (size_t)20 * 16 * sizeof(float));
            embed_model_free(m1);
            embed_model_free(m2);
        }
    }
    /* fastText-style: an unseen word built from n-grams resembles its topic */
    w2v_config_default(&c, EMBED_SKIPGRAM);
    c.dim = 16; c.epochs = 3; c.threads = 1; c.min_count = 1; c.subwords = 1;
    c.minn = 1; c.maxn = 2; c.buckets = 1000;
    embed_model *ft;
    ck_assert_int_eq(w2v_train(&c, text, strlen(text), &ft), LLM_OK);
    float v[16];
    ck_assert_int_eq(embed_word_vector(ft, "x", v), LLM_OK); /* not a vocabulary word */
    ck_assert_int_ge(same_topic_neighbours(ft), 18);
    embed_model_free(ft);
    /* GloVe */
    glove_config g;
    glove_config_default(&g);
    g.dim = 16; g.min_count = 1; g.epochs = 15; g.window = 4; g.x_max = 10;
    embed_model *gm;
    ck_assert_int_eq(glove_train(&g, text, strlen(text), &gm), LLM_OK);
    ck_assert_int_ge(same_topic_neighbours(gm), 19);
    embed_model_free(gm);
    free(text);
}
END_TEST

/* The training rules of gensim 4.2 (the reference) on hand-computed values. */
START_TEST(training_rules_follow_gensim)
{
    w2v_config c;
    w2v_config_default(&c, EMBED_SKIPGRAM); /* alpha 0.025 -> min_alpha 0.0001 */
    ck_assert_double_eq_tol(w2v_learning_rate(&c, 0.0), 0.025, 1e-15);
    ck_assert_double_eq_tol(w2v_learning_rate(&c, 0.25), 0.018775, 1e-15);
    ck_assert_double_eq_tol(w2v_learning_rate(&c, 0.5), 0.01255, 1e-15);
    ck_assert_double_eq_tol(w2v_learning_rate(&c, 1.0), 0.0001, 1e-15);
    ck_assert_double_eq_tol(w2v_learning_rate(&c, 1.3), 0.0001, 1e-15); /* never below */
    /* keep probability (sqrt(n / t) + 1) * t / n, t = sample * total = 1000 here */
    ck_assert_double_eq_tol(w2v_keep_probability(1e-3, 4000, 1000000), 0.75, 1e-12);
    ck_assert_double_eq_tol(w2v_keep_probability(1e-3, 9000, 1000000), 4.0 / 9.0, 1e-12);
    ck_assert_double_eq(w2v_keep_probability(1e-3, 1000, 1000000), 1.0); /* 2, capped */
    ck_assert_double_eq(w2v_keep_probability(0, 900000, 1000000), 1.0);  /* no sampling */
    /* (label - sigmoid(f)) * alpha from the 1000-entry table on [-6, 6) ... */
    ck_assert_float_eq_tol(w2v_pair_gradient(0.0f, 1.0f, 0.1f), 0.05f, 1e-7f);
    ck_assert_float_eq_tol(w2v_pair_gradient(2.0f, 0.0f, 0.1f), -0.1f * 0.87995458f, 1e-7f); /* bin 666 */
    ck_assert_float_eq_tol(w2v_pair_gradient(-5.99f, 1.0f, 0.1f), 0.1f * (1 - 0.00247262f), 1e-7f);
    /* ... and no update at all outside it (word2vec.c would give -0.1 and 0.1) */
    ck_assert_float_eq(w2v_pair_gradient(7.0f, 0.0f, 0.1f), 0.0f);
    ck_assert_float_eq(w2v_pair_gradient(6.0f, 0.0f, 0.1f), 0.0f);
    ck_assert_float_eq(w2v_pair_gradient(-6.5f, 1.0f, 0.1f), 0.0f);
}
END_TEST

/* Two lines "<filler> x y" whose filler words occur once (dropped by
 * min_count 2); x is token number `at` of its line. */
static char *cut_corpus(int at)
{
    size_t cap = 2 * (size_t)at * 12 + 64, n = 0;
    char *t = malloc(cap);
    ck_assert_ptr_nonnull(t);
    for (int line = 0; line < 2; line++) {
        for (int i = 1; i < at; i++) n += (size_t)snprintf(t + n, cap - n, "f%d_%d ", line, i);
        n += (size_t)snprintf(t + n, cap - n, "x y\n");
    }
    return t;
}

/* Did training leave every vector at its initial value? Input vectors start
 * uniform in [-1, 1) / dim (gensim 4, fastText), drawn in order from the
 * engine PRNG right after llm_seed. */
static int untrained(const embed_model *m, uint64_t seed)
{
    llm_seed(seed);
    int D = m->dim, same = 1;
    for (size_t i = 0; i < (size_t)m->vocab.size * D; i++) {
        float init = ((float)llm_rand_uniform() * 2.0f - 1.0f) / (float)D;
        if (m->vectors[i] != init) same = 0;
    }
    return same;
}

START_TEST(init_and_sentence_cuts_follow_gensim)
{
    w2v_config c;
    w2v_config_default(&c, EMBED_SKIPGRAM);
    c.dim = 8; c.epochs = 1; c.threads = 1; c.min_count = 2; c.sample = 0; c.window = 2;
    embed_model *m;
    /* x is token 10,000 of its line: the line is cut between x and y even
     * though the filler words are not in the vocabulary (LineSentence), so
     * no (x, y) pair is ever trained and the vectors stay as initialised */
    char *t = cut_corpus(10000);
    llm_seed(3);
    ck_assert_int_eq(w2v_train(&c, t, strlen(t), &m), LLM_OK);
    ck_assert_int_eq(m->vocab.size, 2);
    ck_assert(untrained(m, 3));
    float big = 0;
    for (int i = 0; i < 16; i++) big = fmaxf(big, fabsf(m->vectors[i]));
    ck_assert_float_gt(big, 0.5f / 8); /* wider than word2vec.c's [-0.5, 0.5) / dim */
    ck_assert_float_lt(big, 1.0f / 8);
    embed_model_free(m);
    free(t);
    /* one token earlier, x and y share a sentence and are trained */
    t = cut_corpus(9999);
    llm_seed(3);
    ck_assert_int_eq(w2v_train(&c, t, strlen(t), &m), LLM_OK);
    ck_assert(!untrained(m, 3));
    embed_model_free(m);
    free(t);
    /* a lone \r ends a line as \n does */
    const char *cr = "x\ry\rx\ry\n";
    llm_seed(3);
    ck_assert_int_eq(w2v_train(&c, cr, strlen(cr), &m), LLM_OK);
    ck_assert(untrained(m, 3));
    embed_model_free(m);
    const char *sp = "x y x y\n";
    llm_seed(3);
    ck_assert_int_eq(w2v_train(&c, sp, strlen(sp), &m), LLM_OK);
    ck_assert(!untrained(m, 3));
    embed_model_free(m);
}
END_TEST

START_TEST(bad_configs_are_refused)
{
    w2v_config c;
    embed_model *m;
    const char *text = "a b c\n";
    w2v_config_default(&c, EMBED_SKIPGRAM);
    c.min_count = 1;
    c.dim = 0;
    ck_assert_int_eq(w2v_train(&c, text, strlen(text), &m), LLM_ERR_ARG);
    ck_assert(strstr(llm_last_error(), "dim=0") != NULL);
    c.dim = 8;
    c.negative = 0;
    ck_assert_int_eq(w2v_train(&c, text, strlen(text), &m), LLM_ERR_ARG);
    ck_assert(strstr(llm_last_error(), "negative > 0 or hs") != NULL);
    c.negative = 5;
    c.alpha = -1;
    ck_assert_int_eq(w2v_train(&c, text, strlen(text), &m), LLM_ERR_ARG);
    c.alpha = 0.025;
    ck_assert_int_eq(w2v_train(&c, "", 0, &m), LLM_ERR_ARG);
    ck_assert(strstr(llm_last_error(), "no words") != NULL);
    glove_config g;
    glove_config_default(&g);
    g.min_count = 1;
    ck_assert_int_eq(glove_train(&g, "a\nb\n", 4, &m), LLM_ERR_ARG);
    ck_assert(strstr(llm_last_error(), "no word pairs") != NULL);
}
END_TEST

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    Suite *s = suite_create("embed");
    TCase *tc = tcase_create("embed");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, vocab_sorted_by_count_then_first_seen);
    tcase_add_test(tc, subword_ids_are_fasttext_hashes);
    tcase_add_test(tc, text_format_roundtrip_and_errors);
    tcase_add_test(tc, training_learns_topics_and_is_reproducible);
    tcase_add_test(tc, bad_configs_are_refused);
    tcase_add_test(tc, training_rules_follow_gensim);
    tcase_add_test(tc, init_and_sentence_cuts_follow_gensim);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
