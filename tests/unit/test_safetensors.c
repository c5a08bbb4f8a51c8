/* test_safetensors.c: safetensors writing (atomic, bit-exact round trip) and
 * reading with strict validation: every kind of corrupt file gives a clear
 * error and never a crash (including random truncations and byte flips). */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "io.h"

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/llmlab_st_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *e;
        char p[512];
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(tmpdir);
}

static int count_files(void)
{
    DIR *d = opendir(tmpdir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

/* Bytes of a file made of the given header text and `ndata` data bytes. */
static unsigned char *craft(const char *header, size_t ndata, size_t *size)
{
    size_t h = strlen(header);
    *size = 8 + h + ndata;
    unsigned char *b = calloc(1, *size);
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)((uint64_t)h >> (8 * i));
    memcpy(b + 8, header, h);
    for (size_t i = 0; i < ndata; i++) b[8 + h + i] = (unsigned char)(i * 7 + 1);
    return b;
}

/* Parse a crafted file; expect failure with a message containing `want`. */
static void expect_bad(const char *header, size_t ndata, const char *want)
{
    size_t size;
    unsigned char *b = craft(header, ndata, &size);
    st_file *f = (st_file *)0x1;
    llm_status s = safetensors_parse(b, size, "bad.safetensors", &f);
    free(b);
    ck_assert_msg(s == LLM_ERR_FORMAT, "expected a format error for %s, got status %d", header, s);
    ck_assert_ptr_null(f);
    ck_assert_msg(strstr(llm_last_error(), want) != NULL, "error '%s' does not mention '%s'",
                  llm_last_error(), want);
    ck_assert_msg(strstr(llm_last_error(), "bad.safetensors") != NULL, "error '%s' names no file",
                  llm_last_error());
}

START_TEST(round_trip_is_bit_exact)
{
    make_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/model.safetensors", tmpdir);
    uint32_t fbits[] = {0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00001u,
                        0x00000001u, 0x3f800000u, 0xc0490fdbu, 0x7f7fffffu, 0x12345678u,
                        0xffffffffu, 0x00800000u};
    int64_t ids[] = {-1, 0, 1, INT64_MAX, INT64_MIN};
    int64_t fshape[] = {3, 4}, ishape[] = {5}, eshape[] = {0, 3};
    st_write_entry w[] = {
        {"wte.weight", ST_F32, 2, fshape, fbits},
        {"ids", ST_I64, 1, ishape, ids},
        {"empty", ST_F32, 2, eshape, NULL},
        {"scalar", ST_F32, 0, NULL, &fbits[6]},
    };
    const char *mk[] = {"format", "config.d_model"}, *mv[] = {"llmlab", "128"};
    ck_assert_int_eq(safetensors_write(path, w, 4, mk, mv, 2), LLM_OK);
    ck_assert_int_eq(count_files(), 1); /* no temporary left behind */

    st_file *f;
    ck_assert_int_eq(safetensors_read(path, &f), LLM_OK);
    ck_assert_uint_eq(f->count, 4);
    ck_assert_str_eq(f->entries[0].name, "wte.weight"); /* order kept */
    const st_entry *e = safetensors_find(f, "wte.weight");
    ck_assert_int_eq(e->dtype, ST_F32);
    ck_assert_int_eq(e->ndim, 2);
    ck_assert_int_eq(e->shape[0], 3);
    ck_assert_int_eq(e->shape[1], 4);
    ck_assert_mem_eq(e->data, fbits, sizeof fbits);
    e = safetensors_find(f, "ids");
    ck_assert_int_eq(e->dtype, ST_I64);
    ck_assert_mem_eq(e->data, ids, sizeof ids);
    e = safetensors_find(f, "empty");
    ck_assert_int_eq(e->numel, 0);
    e = safetensors_find(f, "scalar");
    ck_assert_int_eq(e->ndim, 0);
    ck_assert_int_eq(e->numel, 1);
    ck_assert_mem_eq(e->data, &fbits[6], 4);
    ck_assert_ptr_null(safetensors_find(f, "nope"));
    ck_assert_str_eq(safetensors_meta(f, "format"), "llmlab");
    ck_assert_str_eq(safetensors_meta(f, "config.d_model"), "128");
    /* The data section starts 8-byte aligned (header padded). */
    ck_assert_uint_eq((uint64_t)(f->entries[0].data - f->bytes) % 8, 0);
    safetensors_free(f);

    /* Writing again replaces the file atomically. */
    st_write_entry w2[] = {{"x", ST_F32, 1, ishape, fbits}};
    ck_assert_int_eq(safetensors_write(path, w2, 1, NULL, NULL, 0), LLM_OK);
    ck_assert_int_eq(count_files(), 1);
    ck_assert_int_eq(safetensors_read(path, &f), LLM_OK);
    ck_assert_uint_eq(f->count, 1);
    ck_assert_uint_eq(f->meta_count, 0);
    safetensors_free(f);
    remove_tmpdir();
}
END_TEST

START_TEST(write_errors_are_clean)
{
    make_tmpdir();
    float x[2] = {1, 2};
    int64_t shape[] = {2};
    st_write_entry w[] = {{"a", ST_F32, 1, shape, x}, {"a", ST_F32, 1, shape, x}};
    char path[512];
    snprintf(path, sizeof path, "%s/dup.safetensors", tmpdir);
    ck_assert_int_eq(safetensors_write(path, w, 2, NULL, NULL, 0), LLM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "appears twice"));
    ck_assert_int_eq(count_files(), 0);
    snprintf(path, sizeof path, "%s/no/such/dir/m.safetensors", tmpdir);
    ck_assert_int_eq(safetensors_write(path, w, 1, NULL, NULL, 0), LLM_ERR_IO);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "cannot create"));
    st_file *f;
    ck_assert_int_eq(safetensors_read(path, &f), LLM_ERR_IO);
    ck_assert_ptr_null(f);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "cannot open"));
    remove_tmpdir();
}
END_TEST

START_TEST(short_and_truncated_headers)
{
    st_file *f;
    unsigned char four[4] = {1, 2, 3, 4};
    ck_assert_int_eq(safetensors_parse(four, 4, "tiny", &f), LLM_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "too short"));
    /* Header length claims more bytes than the file has. */
    size_t size;
    unsigned char *b = craft("{}", 0, &size);
    b[0] = 200;
    ck_assert_int_eq(safetensors_parse(b, size, "long", &f), LLM_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "header length 200 runs beyond the end of the file"));
    b[0] = 0xff; b[7] = 0xff; /* huge: no allocation attempted, no overflow */
    ck_assert_int_eq(safetensors_parse(b, size, "huge", &f), LLM_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "runs beyond"));
    free(b);
    /* The same check on a real file, before the data is read. */
    make_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/t.safetensors", tmpdir);
    FILE *fp = fopen(path, "wb");
    unsigned char head[10] = {100, 0, 0, 0, 0, 0, 0, 0, '{', '}'};
    fwrite(head, 1, sizeof head, fp);
    fclose(fp);
    ck_assert_int_eq(safetensors_read(path, &f), LLM_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "header length 100 runs beyond the end of the file (2 bytes"));
    remove_tmpdir();
    /* An empty but valid file. */
    b = craft("{}", 0, &size);
    ck_assert_int_eq(safetensors_parse(b, size, "empty", &f), LLM_OK);
    ck_assert_uint_eq(f->count, 0);
    safetensors_free(f);
    free(b);
}
END_TEST

START_TEST(bad_json_names_line_and_column)
{
    expect_bad("{\"a\": {\"dtype\": \"F32\",\n \"shape\": [1] \"data_offsets\": [0, 4]}}", 4,
               "bad JSON in the header at line 2, column");
    expect_bad("[1, 2]", 0, "not a JSON object");
    expect_bad("{\"a\": 1, \"a\": 2}", 0, "bad JSON");
    expect_bad("", 0, "bad JSON");
}
END_TEST

START_TEST(bad_entries)
{
    expect_bad("{\"a\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "unknown dtype 'F33'");
    expect_bad("{\"a\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "dtype is not a string");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4,
               "shape x dtype is 8 bytes but data_offsets [0, 4] span 4");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,8]}}", 4,
               "run beyond the data section (4 bytes)");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4, "end before they begin");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "negative value");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4, "must hold integers");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "missing field 'data_offsets'");
    expect_bad("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "missing field 'dtype'");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4,
               "unexpected field 'x'");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4, "[begin, end]");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}}", 4, "shape is not an array");
    expect_bad("{\"a\":[1]}", 4, "tensor 'a' is not an object");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", 4,
               "9 dimensions");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,4]}}",
               4, "too large");
    expect_bad("{\"__metadata__\":{\"k\":1}}", 0, "value of 'k' is not a string");
    expect_bad("{\"__metadata__\":[]}", 0, "__metadata__ must be an object");
}
END_TEST

START_TEST(bad_layouts)
{
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12,
               "tensors 'a' and 'b' overlap");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12,
               "a gap of 4 bytes before tensor 'b'");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 6, "2 bytes after the last tensor");
    expect_bad("{}", 3, "3 data bytes but no tensors");
    /* Same span twice is an overlap too. */
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
               "\"b\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "overlap");
    /* Out of order but exactly covering is fine. */
    size_t size;
    unsigned char *b = craft("{\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[2,4]},"
                             "\"a\":{\"dtype\":\"I16\",\"shape\":[],\"data_offsets\":[0,2]},"
                             "\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}", 4, &size);
    st_file *f;
    ck_assert_int_eq(safetensors_parse(b, size, "ok", &f), LLM_OK);
    ck_assert_uint_eq(f->count, 3);
    ck_assert_str_eq(f->entries[0].name, "b");
    ck_assert_int_eq(f->entries[0].data[0], 2 * 7 + 1);
    safetensors_free(f);
    free(b);
}
END_TEST

START_TEST(convert_to_f32)
{
    /* F16 1.0, -2.0, 65504, a subnormal; BF16 1.0, -3.0; F64 0.1; I32 -5. */
    unsigned char data[8 + 4 + 8 + 4];
    uint16_t h[4] = {0x3c00, 0xc000, 0x7bff, 0x0001};
    uint16_t bf[2] = {0x3f80, 0xc040};
    double d = 0.1;
    int32_t i = -5;
    memcpy(data, h, 8);
    memcpy(data + 8, bf, 4);
    memcpy(data + 12, &d, 8);
    memcpy(data + 20, &i, 4);
    char header[] = "{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
                    "\"bf\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]},"
                    "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[12,20]},"
                    "\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[20,24]}}";
    size_t size;
    unsigned char *b = craft(header, 24, &size);
    memcpy(b + size - 24, data, 24);
    st_file *f;
    ck_assert_int_eq(safetensors_parse(b, size, "conv", &f), LLM_OK);
    float out[4];
    ck_assert_int_eq(safetensors_entry_to_f32(safetensors_find(f, "h"), out), LLM_OK);
    ck_assert_float_eq(out[0], 1.0f);
    ck_assert_float_eq(out[1], -2.0f);
    ck_assert_float_eq(out[2], 65504.0f);
    ck_assert_float_eq(out[3], ldexpf(1.0f, -24));
    ck_assert_int_eq(safetensors_entry_to_f32(safetensors_find(f, "bf"), out), LLM_OK);
    ck_assert_float_eq(out[0], 1.0f);
    ck_assert_float_eq(out[1], -3.0f);
    ck_assert_int_eq(safetensors_entry_to_f32(safetensors_find(f, "d"), out), LLM_OK);
    ck_assert_float_eq(out[0], 0.1f);
    ck_assert_int_eq(safetensors_entry_to_f32(safetensors_find(f, "i"), out), LLM_OK);
    ck_assert_float_eq(out[0], -5.0f);
    safetensors_free(f);
    free(b);
    ck_assert_int_eq(safetensors_dtype_parse("BF16"), ST_BF16);
    ck_assert_int_eq(safetensors_dtype_parse("bf16"), -1);
    ck_assert_str_eq(safetensors_dtype_name(ST_I64), "I64");
    ck_assert_uint_eq(safetensors_dtype_size(ST_F64), 8);
}
END_TEST

/* Every truncation and many random byte flips of a valid file either parse
 * or fail cleanly (the sanitizer build checks there is no bad access). */
START_TEST(corruption_never_crashes)
{
    make_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/m.safetensors", tmpdir);
    float x[6] = {1, 2, 3, 4, 5, 6};
    int64_t s1[] = {2, 3}, s2[] = {2};
    st_write_entry w[] = {{"w", ST_F32, 2, s1, x}, {"b", ST_F32, 1, s2, x}};
    const char *mk[] = {"k"}, *mv[] = {"v"};
    ck_assert_int_eq(safetensors_write(path, w, 2, mk, mv, 1), LLM_OK);
    FILE *fp = fopen(path, "rb");
    unsigned char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    remove_tmpdir();
    st_file *f;
    for (size_t len = 0; len < n; len++) {
        ck_assert_int_ne(safetensors_parse(buf, len, "cut", &f), LLM_OK);
        ck_assert_ptr_null(f);
    }
    ck_assert_int_eq(safetensors_parse(buf, n, "whole", &f), LLM_OK);
    safetensors_free(f);
    llm_seed(11);
    unsigned char copy[4096];
    for (int trial = 0; trial < 3000; trial++) {
        memcpy(copy, buf, n);
        int flips = 1 + (int)llm_rand_below(3);
        for (int k = 0; k < flips; k++)
            copy[llm_rand_below((uint32_t)n)] = (unsigned char)llm_rand_u32();
        llm_status s = safetensors_parse(copy, n, "flipped", &f);
        if (s == LLM_OK) {
            /* Whatever parsed must be self-consistent. */
            for (size_t i = 0; i < f->count; i++)
                ck_assert(f->entries[i].end <= f->size);
            safetensors_free(f);
        } else {
            ck_assert_ptr_null(f);
            ck_assert(strlen(llm_last_error()) > 0);
        }
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("safetensors");
    TCase *tc = tcase_create("safetensors");
    tcase_add_test(tc, round_trip_is_bit_exact);
    tcase_add_test(tc, write_errors_are_clean);
    tcase_add_test(tc, short_and_truncated_headers);
    tcase_add_test(tc, bad_json_names_line_and_column);
    tcase_add_test(tc, bad_entries);
    tcase_add_test(tc, bad_layouts);
    tcase_add_test(tc, convert_to_f32);
    tcase_add_test(tc, corruption_never_crashes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
