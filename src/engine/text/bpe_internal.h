/*
 * bpe_internal.h: the byte-level BPE model shared by bpe.c (encode, decode),
 * bpe_train.c and bpe_io.c (GPT-2 files, the project's JSON). Internal.
 *
 * A model is: the id of each of the 256 bytes, the merges by rank (left id,
 * right id -> result id), the special tokens, and a pre-tokenizer pattern.
 * Token bytes, the rank table and the bytes -> id map are derived from those
 * by bpe_build().
 */
#ifndef BPE_INTERNAL_H
#define BPE_INTERNAL_H

#include "tokenize.h"
#include "tok_map.h"

struct tok_bpe {
    size_t vocab_size;
    int32_t byte_id[256];
    size_t n_merges;
    int32_t *merge_left, *merge_right, *merge_result; /* (n_merges) by rank */
    size_t n_special;
    char **special;          /* (n_special) NUL-terminated texts */
    size_t *special_len;
    int32_t *special_id;
    tok_pretok *pre;

    /* derived by bpe_build */
    char *tok_bytes;         /* all token bytes */
    size_t *tok_off;         /* (vocab_size + 1) offsets into tok_bytes */
    tok_pairmap ranks;       /* (left, right) -> rank */
    tok_map vocab;           /* token bytes -> id (regular tokens first) */

    /* encode state: cache of pre-token results and scratch buffers */
    tok_map cache;           /* piece bytes -> (offset into cache_ids) << 8 | count */
    int32_t *cache_ids;
    size_t cache_n, cache_cap;
    int32_t *w_sym, *w_nxt, *w_prv;
    int64_t *w_rank;
    size_t w_cap;
};

/* A model with its fields zeroed and byte_id set to -1 (callers fill it). */
tok_bpe *bpe_alloc(void);
/* Check the model is consistent and derive token bytes and tables. */
llm_status bpe_build(tok_bpe *b, const char *pattern);
/* Add a special token (text copied) with the given id. */
llm_status bpe_add_special(tok_bpe *b, const char *text, int32_t id);

#endif
