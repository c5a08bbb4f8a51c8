/*
 * bpe_io.c: reading GPT-2's own tokenizer files, and saving/loading BPE
 * models in the project's JSON format.
 *
 * GPT-2's encoder.json maps tokens to ids, with every byte spelled as one
 * printable character (bytes_to_unicode in OpenAI's encoder.py: printable
 * Latin-1 bytes stand for themselves, the other 68 bytes for U+0100..U+0143
 * in byte order). vocab.bpe lists the 50,000 merges by rank, "A B" a line.
 *
 * The project's format (type "llmlab-bpe", version 1):
 *   {"type": "llmlab-bpe", "version": 1, "pattern": "gpt2", "vocab_size": N,
 *    "byte_ids": [256 ids], "merges": [[left, right, result], ...],
 *    "special": [["<|endoftext|>", id], ...]}
 * Token bytes are implied by the byte ids and merges, so any bytes survive.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpe_internal.h"

/* GPT-2's byte <-> character table. */
static void gpt2_byte_table(uint32_t cp_of_byte[256], int byte_of_cp[324])
{
    for (int i = 0; i < 324; i++) byte_of_cp[i] = -1;
    int extra = 0;
    for (int c = 0; c < 256; c++) {
        int printable = (c >= '!' && c <= '~') || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF);
        cp_of_byte[c] = printable ? (uint32_t)c : (uint32_t)(256 + extra++);
        byte_of_cp[cp_of_byte[c]] = c;
    }
}

/* Decode a GPT-2 spelled token (UTF-8) into bytes; -1 if a character is not in the table. */
static ptrdiff_t gpt2_unspell(const char *s, size_t n, const int byte_of_cp[324], char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        const unsigned char *u = (const unsigned char *)s + i;
        uint32_t cp;
        size_t l = tok_utf8_seq_len(u, n - i);
        if (l == 1) cp = u[0];
        else if (l == 2) cp = (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
        else return -1; /* every character of the table is below U+0800 */
        if (cp >= 324 || byte_of_cp[cp] < 0) return -1;
        out[k++] = (char)byte_of_cp[cp];
        i += l;
    }
    return (ptrdiff_t)k;
}

static llm_status read_file(const char *path, char **out, size_t *len)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return llm_fail(LLM_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = llm_malloc(cap);
    if (!buf) { fclose(f); return LLM_ERR_NOMEM; }
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *nb = llm_realloc(buf, cap * 2);
            if (!nb) { free(buf); fclose(f); return LLM_ERR_NOMEM; }
            buf = nb;
            cap *= 2;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (err) { free(buf); return llm_fail(LLM_ERR_IO, "cannot read %s", path); }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return LLM_OK;
}

static llm_status push_merge(tok_bpe *b, size_t *cap, int32_t l, int32_t r, int32_t m)
{
    if (b->n_merges == *cap) {
        size_t nc = *cap ? *cap * 2 : 1024;
        int32_t *a = llm_realloc(b->merge_left, nc * sizeof *a);
        if (!a) return LLM_ERR_NOMEM;
        b->merge_left = a;
        a = llm_realloc(b->merge_right, nc * sizeof *a);
        if (!a) return LLM_ERR_NOMEM;
        b->merge_right = a;
        a = llm_realloc(b->merge_result, nc * sizeof *a);
        if (!a) return LLM_ERR_NOMEM;
        b->merge_result = a;
        *cap = nc;
    }
    b->merge_left[b->n_merges] = l;
    b->merge_right[b->n_merges] = r;
    b->merge_result[b->n_merges] = m;
    b->n_merges++;
    return LLM_OK;
}

llm_status tok_bpe_load_gpt2(tok_bpe **out, const char *enc_path, const char *bpe_path)
{
    *out = NULL;
    uint32_t cp_of_byte[256];
    int byte_of_cp[324];
    gpt2_byte_table(cp_of_byte, byte_of_cp);
    llm_status st = LLM_OK;
    json_error_t jerr;
    json_t *enc = NULL;
    char *bpe_text = NULL, *buf = NULL, *specialbuf = NULL;
    tok_map bytes2id = { 0 };
    unsigned char *defined = NULL;
    tok_bpe *b = bpe_alloc();
    if (!b) return LLM_ERR_NOMEM;

    enc = json_load_file(enc_path, JSON_REJECT_DUPLICATES, &jerr);
    if (!enc) {
        st = llm_fail(errno == ENOENT && jerr.line < 1 ? LLM_ERR_IO : LLM_ERR_FORMAT, "%s: %s (line %d, column %d)",
                      enc_path, jerr.text, jerr.line, jerr.column);
        goto fail;
    }
    if (!json_is_object(enc) || json_object_size(enc) < 256) {
        st = llm_fail(LLM_ERR_FORMAT, "%s: expected an object of at least 256 tokens", enc_path);
        goto fail;
    }
    size_t V = json_object_size(enc);
    defined = llm_calloc(V, 1);
    buf = llm_malloc(4096);
    if (!defined || !buf) { st = LLM_ERR_NOMEM; goto fail; }
    b->vocab_size = V;
    const char *key;
    json_t *val;
    json_object_foreach(enc, key, val) {
        if (!json_is_integer(val) || json_integer_value(val) < 0 || (size_t)json_integer_value(val) >= V) {
            st = llm_fail(LLM_ERR_FORMAT, "%s: token '%s' has id %s; ids must be integers 0..%zu", enc_path, key,
                          json_is_integer(val) ? "out of range" : "that is not an integer", V - 1);
            goto fail;
        }
        size_t klen = strlen(key);
        if (klen > 4096) { st = llm_fail(LLM_ERR_FORMAT, "%s: token too long", enc_path); goto fail; }
        ptrdiff_t n = gpt2_unspell(key, klen, byte_of_cp, buf);
        if (n <= 0) { st = llm_fail(LLM_ERR_FORMAT, "%s: token '%s' is not in GPT-2's byte spelling", enc_path, key); goto fail; }
        size_t idx;
        int added;
        int32_t id = (int32_t)json_integer_value(val);
        if (defined[id]) { st = llm_fail(LLM_ERR_FORMAT, "%s: id %d is given to two tokens", enc_path, id); goto fail; }
        defined[id] = 1;
        if ((st = tok_map_add(&bytes2id, buf, (size_t)n, id, &idx, &added))) goto fail;
        if (!added) { st = llm_fail(LLM_ERR_FORMAT, "%s: token '%s' appears twice", enc_path, key); goto fail; }
        if (n == 1) b->byte_id[(unsigned char)buf[0]] = id;
    }
    for (int c = 0; c < 256; c++)
        if (b->byte_id[c] < 0) { st = llm_fail(LLM_ERR_FORMAT, "%s: byte 0x%02x has no token", enc_path, c); goto fail; }
    memset(defined, 0, V);
    for (int c = 0; c < 256; c++) defined[b->byte_id[c]] = 1;

    size_t blen = 0;
    if ((st = read_file(bpe_path, &bpe_text, &blen))) goto fail;
    size_t cap = 0, line = 0;
    char *p = bpe_text, *end = bpe_text + blen;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *le = nl ? nl : end;
        line++;
        size_t ll = (size_t)(le - p);
        if (ll && p[ll - 1] == '\r') ll--;
        if (ll == 0 || (line == 1 && p[0] == '#')) { p = nl ? nl + 1 : end; continue; }
        char *sp = memchr(p, ' ', ll);
        if (!sp || sp == p || sp == p + ll - 1 || memchr(sp + 1, ' ', (size_t)(p + ll - sp - 1))) {
            st = llm_fail(LLM_ERR_FORMAT, "%s line %zu: expected two tokens separated by one space", bpe_path, line);
            goto fail;
        }
        size_t la = (size_t)(sp - p), lb = ll - la - 1;
        if (la + lb > 4000) { st = llm_fail(LLM_ERR_FORMAT, "%s line %zu: line too long", bpe_path, line); goto fail; }
        ptrdiff_t na = gpt2_unspell(p, la, byte_of_cp, buf);
        ptrdiff_t nb = na > 0 ? gpt2_unspell(sp + 1, lb, byte_of_cp, buf + na) : -1;
        if (na <= 0 || nb <= 0) {
            st = llm_fail(LLM_ERR_FORMAT, "%s line %zu: '%.*s' is not in GPT-2's byte spelling", bpe_path, line, (int)ll, p);
            goto fail;
        }
        ptrdiff_t ia = tok_map_find(&bytes2id, buf, (size_t)na);
        ptrdiff_t ib = tok_map_find(&bytes2id, buf + na, (size_t)nb);
        ptrdiff_t im = tok_map_find(&bytes2id, buf, (size_t)(na + nb));
        if (ia < 0 || ib < 0 || im < 0) {
            st = llm_fail(LLM_ERR_FORMAT, "%s line %zu: merge '%.*s' refers to a token that is not in %s ('%.*s')",
                          bpe_path, line, (int)ll, p, enc_path,
                          ia < 0 ? (int)la : ib < 0 ? (int)lb : (int)ll,
                          ia < 0 ? p : ib < 0 ? sp + 1 : p);
            goto fail;
        }
        int32_t l = (int32_t)bytes2id.ent[ia].val, r = (int32_t)bytes2id.ent[ib].val, m = (int32_t)bytes2id.ent[im].val;
        if (!defined[l] || !defined[r]) {
            st = llm_fail(LLM_ERR_FORMAT, "%s line %zu: merge '%.*s' uses a token that no earlier merge makes",
                          bpe_path, line, (int)ll, p);
            goto fail;
        }
        if (defined[m]) {
            st = llm_fail(LLM_ERR_FORMAT, "%s line %zu: merge '%.*s' makes a token that already exists", bpe_path, line, (int)ll, p);
            goto fail;
        }
        defined[m] = 1;
        if ((st = push_merge(b, &cap, l, r, m))) goto fail;
        p = nl ? nl + 1 : end;
    }
    /* What is left must be special tokens such as <|endoftext|>. */
    for (size_t id = 0; id < V; id++) {
        if (defined[id]) continue;
        size_t kl;
        const char *kb = NULL;
        for (size_t e = 0; e < bytes2id.n; e++)
            if ((size_t)bytes2id.ent[e].val == id) { kb = tok_map_key(&bytes2id, e, &kl); break; }
        if (!kb || kl < 4 || memcmp(kb, "<|", 2) != 0 || memcmp(kb + kl - 2, "|>", 2) != 0) {
            st = llm_fail(LLM_ERR_FORMAT, "%s: token %zu ('%.*s') is neither a byte, nor made by a merge of %s, "
                          "nor a special <|...|> token (is %s truncated?)", enc_path, id, kb ? (int)kl : 0, kb ? kb : "",
                          bpe_path, bpe_path);
            goto fail;
        }
        free(specialbuf);
        specialbuf = llm_malloc(kl + 1);
        if (!specialbuf) { st = LLM_ERR_NOMEM; goto fail; }
        memcpy(specialbuf, kb, kl);
        specialbuf[kl] = 0;
        if ((st = bpe_add_special(b, specialbuf, (int32_t)id))) goto fail;
    }
    if ((st = bpe_build(b, "gpt2"))) goto fail;
    *out = b;
    b = NULL;
fail:
    if (enc) json_decref(enc);
    free(bpe_text);
    free(buf);
    free(specialbuf);
    free(defined);
    tok_map_free(&bytes2id);
    tok_bpe_free(b);
    return st;
}

llm_status tok_bpe_save(const tok_bpe *b, const char *path)
{
    llm_status st = LLM_OK;
    json_t *root = json_object(), *bytes = json_array(), *merges = json_array(), *special = json_array();
    char *tmp = NULL;
    if (!root || !bytes || !merges || !special) { st = llm_fail(LLM_ERR_NOMEM, "bpe save: out of memory"); goto done; }
    int bad = 0;
    bad |= json_object_set_new(root, "type", json_string("llmlab-bpe"));
    bad |= json_object_set_new(root, "version", json_integer(1));
    bad |= json_object_set_new(root, "pattern", json_string(tok_pretok_pattern(b->pre)));
    bad |= json_object_set_new(root, "vocab_size", json_integer((json_int_t)b->vocab_size));
    for (int c = 0; c < 256; c++) bad |= json_array_append_new(bytes, json_integer(b->byte_id[c]));
    for (size_t k = 0; k < b->n_merges; k++)
        bad |= json_array_append_new(merges, json_pack("[iii]", (int)b->merge_left[k], (int)b->merge_right[k], (int)b->merge_result[k]));
    for (size_t i = 0; i < b->n_special; i++) {
        json_t *s = json_pack("[si]", b->special[i], (int)b->special_id[i]);
        if (!s) { st = llm_fail(LLM_ERR_ARG, "bpe save: special token %zu is not valid UTF-8", i); goto done; }
        bad |= json_array_append_new(special, s);
    }
    bad |= json_object_set(root, "byte_ids", bytes);
    bad |= json_object_set(root, "merges", merges);
    bad |= json_object_set(root, "special", special);
    if (bad) { st = llm_fail(LLM_ERR_NOMEM, "bpe save: out of memory"); goto done; }
    size_t pl = strlen(path);
    tmp = llm_malloc(pl + 5);
    if (!tmp) { st = LLM_ERR_NOMEM; goto done; }
    memcpy(tmp, path, pl);
    memcpy(tmp + pl, ".tmp", 5);
    if (json_dump_file(root, tmp, JSON_COMPACT) != 0) {
        st = llm_fail(LLM_ERR_IO, "bpe save: cannot write %s: %s", tmp, strerror(errno));
        remove(tmp);
        goto done;
    }
    if (rename(tmp, path) != 0) {
        st = llm_fail(LLM_ERR_IO, "bpe save: cannot rename %s to %s: %s", tmp, path, strerror(errno));
        remove(tmp);
    }
done:
    json_decref(root);
    json_decref(bytes);
    json_decref(merges);
    json_decref(special);
    free(tmp);
    return st;
}

static int get_id(json_t *v, int32_t *out)
{
    if (!json_is_integer(v)) return 0;
    json_int_t x = json_integer_value(v);
    if (x < 0 || x > INT32_MAX) return 0;
    *out = (int32_t)x;
    return 1;
}

llm_status tok_bpe_load(tok_bpe **out, const char *path)
{
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root)
        return llm_fail(jerr.line < 1 ? LLM_ERR_IO : LLM_ERR_FORMAT, "bpe load: %s: %s (line %d, column %d)", path,
                        jerr.text, jerr.line, jerr.column);
    llm_status st = LLM_OK;
    tok_bpe *b = bpe_alloc();
    if (!b) { json_decref(root); return LLM_ERR_NOMEM; }
    json_t *type = json_object_get(root, "type"), *ver = json_object_get(root, "version");
    json_t *pat = json_object_get(root, "pattern"), *vs = json_object_get(root, "vocab_size");
    json_t *bytes = json_object_get(root, "byte_ids"), *merges = json_object_get(root, "merges");
    json_t *special = json_object_get(root, "special");
    if (!json_is_string(type) || strcmp(json_string_value(type), "llmlab-bpe") != 0) {
        st = llm_fail(LLM_ERR_FORMAT, "bpe load: %s is not an llmlab BPE file (no \"type\": \"llmlab-bpe\")", path);
        goto done;
    }
    if (!json_is_integer(ver) || json_integer_value(ver) != 1) {
        st = llm_fail(LLM_ERR_FORMAT, "bpe load: %s: unsupported version (this build reads version 1)", path);
        goto done;
    }
    if (!json_is_string(pat) || !json_is_integer(vs) || !json_is_array(bytes) || json_array_size(bytes) != 256 ||
        !json_is_array(merges) || (special && !json_is_array(special))) {
        st = llm_fail(LLM_ERR_FORMAT, "bpe load: %s: needs \"pattern\" (string), \"vocab_size\" (integer), "
                      "\"byte_ids\" (256 integers), \"merges\" (array) and \"special\" (array)", path);
        goto done;
    }
    if (json_integer_value(vs) < 256 || json_integer_value(vs) > INT32_MAX) {
        st = llm_fail(LLM_ERR_FORMAT, "bpe load: %s: vocab_size %lld is not between 256 and 2^31-1", path,
                      (long long)json_integer_value(vs));
        goto done;
    }
    b->vocab_size = (size_t)json_integer_value(vs);
    for (int c = 0; c < 256; c++)
        if (!get_id(json_array_get(bytes, (size_t)c), &b->byte_id[c])) {
            st = llm_fail(LLM_ERR_FORMAT, "bpe load: %s: byte_ids[%d] is not a valid id", path, c);
            goto done;
        }
    size_t cap = 0, k;
    json_t *m;
    json_array_foreach(merges, k, m) {
        int32_t l, r, res;
        if (!json_is_array(m) || json_array_size(m) != 3 || !get_id(json_array_get(m, 0), &l) ||
            !get_id(json_array_get(m, 1), &r) || !get_id(json_array_get(m, 2), &res)) {
            st = llm_fail(LLM_ERR_FORMAT, "bpe load: %s: merges[%zu] is not [left, right, result]", path, k);
            goto done;
        }
        if ((st = push_merge(b, &cap, l, r, res))) goto done;
    }
    if (special) {
        json_array_foreach(special, k, m) {
            int32_t id;
            if (!json_is_array(m) || json_array_size(m) != 2 || !json_is_string(json_array_get(m, 0)) ||
                !get_id(json_array_get(m, 1), &id)) {
                st = llm_fail(LLM_ERR_FORMAT, "bpe load: %s: special[%zu] is not [text, id]", path, k);
                goto done;
            }
            if ((st = bpe_add_special(b, json_string_value(json_array_get(m, 0)), id))) goto done;
        }
    }
    if ((st = bpe_build(b, json_string_value(pat)))) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", llm_last_error());
        st = llm_fail(st, "bpe load: %s: %s", path, msg);
        goto done;
    }
    *out = b;
    b = NULL;
done:
    json_decref(root);
    tok_bpe_free(b);
    return st;
}
