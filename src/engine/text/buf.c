/* buf.c: text_buf, the growing NUL-terminated byte buffer every text
 * function writes into. Growth doubles, so appends are amortised O(1). */
#include <stdlib.h>
#include <string.h>
#include "text.h"

void text_buf_init(text_buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void text_buf_free(text_buf *b)
{
    free(b->data);
    text_buf_init(b);
}

llm_status text_buf_reserve(text_buf *b, size_t extra)
{
    if (extra > SIZE_MAX / 2 - b->len) return llm_fail(LLM_ERR_NOMEM, "text buffer: %zu more bytes is too large", extra);
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return LLM_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    char *p = llm_realloc(b->data, cap);
    if (!p) return LLM_ERR_NOMEM;
    b->data = p;
    b->cap = cap;
    return LLM_OK;
}

llm_status text_buf_append(text_buf *b, const char *s, size_t n)
{
    llm_status st = text_buf_reserve(b, n);
    if (st) return st;
    if (n) memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return LLM_OK;
}

llm_status text_buf_putc(text_buf *b, char c)
{
    if (b->len + 2 > b->cap) {
        llm_status st = text_buf_reserve(b, 1);
        if (st) return st;
    }
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
    return LLM_OK;
}

llm_status text_buf_put_cp(text_buf *b, uint32_t cp)
{
    char t[4];
    size_t n;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    if (cp < 0x80) { t[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { t[0] = (char)(0xC0 | (cp >> 6)); t[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12)); t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        t[0] = (char)(0xF0 | (cp >> 18)); t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); t[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    return text_buf_append(b, t, n);
}
