/*
 * tok_pretok.c: pre-tokenisation with PCRE2 (UTF + UCP, JIT when the
 * library has it). This is the step before BPE that cuts text into pieces
 * ("words", runs of digits, of punctuation, of whitespace) which the merges
 * never cross.
 *
 * Bytes that are not well-formed UTF-8 cannot be given to a UTF-mode
 * pattern, so the text is first cut into maximal well-formed runs; each run
 * is matched on its own and each bad byte is a piece of its own. The test
 * fixture script (tests/fixtures/gpt2_reference.js) uses the same rule.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include "tokenize.h"

/* JavaScript's \s (and so js-tiktoken's), written as a PCRE2 class body. */
#define JS_WS "\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}"

const char *const TOK_PATTERN_GPT2 =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^" JS_WS "\\p{L}\\p{N}]+"
    "|[" JS_WS "]+(?![^" JS_WS "])|[" JS_WS "]+";

const char *const TOK_PATTERN_CL100K =
    "(?:'s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)"
    "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^" JS_WS "\\p{L}\\p{N}]+[\\r\\n]*"
    "|[" JS_WS "]*[\\r\\n]+|[" JS_WS "]+(?![^" JS_WS "])|[" JS_WS "]+";

struct tok_pretok {
    char *name;               /* as given: "gpt2", "cl100k" or the regex */
    pcre2_code *code;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
    int jit;                  /* 1 when JIT compilation succeeded */
};

size_t tok_utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
#define CONT(k, lo, hi) ((k) < n && s[k] >= (lo) && s[k] <= (hi))
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return CONT(1, 0x80, 0xBF) ? 2 : 0;
    if (c == 0xE0) return CONT(1, 0xA0, 0xBF) && CONT(2, 0x80, 0xBF) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
        return CONT(1, 0x80, 0xBF) && CONT(2, 0x80, 0xBF) ? 3 : 0;
    if (c == 0xED) return CONT(1, 0x80, 0x9F) && CONT(2, 0x80, 0xBF) ? 3 : 0;
    if (c == 0xF0) return CONT(1, 0x90, 0xBF) && CONT(2, 0x80, 0xBF) && CONT(3, 0x80, 0xBF) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3)
        return CONT(1, 0x80, 0xBF) && CONT(2, 0x80, 0xBF) && CONT(3, 0x80, 0xBF) ? 4 : 0;
    if (c == 0xF4) return CONT(1, 0x80, 0x8F) && CONT(2, 0x80, 0xBF) && CONT(3, 0x80, 0xBF) ? 4 : 0;
    return 0;
#undef CONT
}

llm_status tok_pretok_new(tok_pretok **out, const char *pattern)
{
    *out = NULL;
    if (!pattern || !*pattern) return llm_fail(LLM_ERR_ARG, "pre-tokenizer: empty pattern");
    const char *regex = pattern;
    if (strcmp(pattern, "gpt2") == 0) regex = TOK_PATTERN_GPT2;
    else if (strcmp(pattern, "cl100k") == 0) regex = TOK_PATTERN_CL100K;

    tok_pretok *p = llm_calloc(1, sizeof *p);
    if (!p) return LLM_ERR_NOMEM;
    p->name = llm_strdup(pattern);
    if (!p->name) { free(p); return LLM_ERR_NOMEM; }
    int err;
    PCRE2_SIZE off;
    p->code = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP, &err, &off, NULL);
    if (!p->code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        tok_pretok_free(p);
        return llm_fail(LLM_ERR_ARG, "pre-tokenizer: bad pattern at offset %zu: %s", (size_t)off, (char *)msg);
    }
    p->jit = pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE) == 0;
    p->md = pcre2_match_data_create_from_pattern(p->code, NULL);
    p->mctx = pcre2_match_context_create(NULL);
    if (!p->md || !p->mctx) { tok_pretok_free(p); return llm_fail(LLM_ERR_NOMEM, "pre-tokenizer: out of memory"); }
    if (p->jit) {
        /* Long runs (thousands of spaces) need more than the default 32 KiB. */
        p->jit_stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, NULL);
        if (p->jit_stack) pcre2_jit_stack_assign(p->mctx, NULL, p->jit_stack);
    }
    *out = p;
    return LLM_OK;
}

void tok_pretok_free(tok_pretok *p)
{
    if (!p) return;
    if (p->md) pcre2_match_data_free(p->md);
    if (p->mctx) pcre2_match_context_free(p->mctx);
    if (p->jit_stack) pcre2_jit_stack_free(p->jit_stack);
    if (p->code) pcre2_code_free(p->code);
    free(p->name);
    free(p);
}

const char *tok_pretok_pattern(const tok_pretok *p) { return p->name; }

/* Match the well-formed run text[a, b) piece by piece. */
static llm_status split_run(tok_pretok *p, const char *text, size_t a, size_t b, tok_piece_fn fn, void *ud)
{
    size_t pos = a, gap = a; /* gap: start of text not yet given to fn */
    while (pos < b) {
        int rc = p->jit
            ? pcre2_jit_match(p->code, (PCRE2_SPTR)(text + a), b - a, pos - a, 0, p->md, p->mctx)
            : pcre2_match(p->code, (PCRE2_SPTR)(text + a), b - a, pos - a, PCRE2_NO_UTF_CHECK, p->md, p->mctx);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(rc, msg, sizeof msg);
            return llm_fail(LLM_ERR_STATE, "pre-tokenizer: matching failed at byte %zu: %s", pos, (char *)msg);
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(p->md);
        size_t ms = a + ov[0], me = a + ov[1];
        if (me == ms) { /* an empty match: step over one character */
            size_t l = tok_utf8_seq_len((const unsigned char *)text + ms, b - ms);
            pos = ms + (l ? l : 1);
            continue;
        }
        llm_status s;
        if (ms > gap && (s = fn(ud, text, gap, ms - gap, 0)) != LLM_OK) return s;
        if ((s = fn(ud, text, ms, me - ms, 1)) != LLM_OK) return s;
        pos = gap = me;
    }
    if (b > gap) return fn(ud, text, gap, b - gap, 0);
    return LLM_OK;
}

llm_status tok_pretok_split(tok_pretok *p, const char *text, size_t len, tok_piece_fn fn, void *ud)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t i = 0, start = 0;
    while (i < len) {
        if (u[i] < 0x80) { i++; continue; }
        size_t l = tok_utf8_seq_len(u + i, len - i);
        if (l) { i += l; continue; }
        llm_status s;
        if (i > start && (s = split_run(p, text, start, i, fn, ud)) != LLM_OK) return s;
        if ((s = fn(ud, text, i, 1, 0)) != LLM_OK) return s;
        start = ++i;
    }
    if (len > start) return split_run(p, text, start, len, fn, ud);
    return LLM_OK;
}
