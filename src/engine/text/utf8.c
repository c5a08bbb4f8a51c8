/* utf8.c: strict UTF-8 decoding (no overlongs, surrogates or values above
 * U+10FFFF), validity checks, and repair of invalid bytes to U+FFFD using
 * the "maximal subpart" rule of the Unicode standard (3.9, U+FFFD
 * substitution), so "\xE2\x82" (a truncated euro sign) becomes one U+FFFD. */
#include <string.h>
#include "text.h"

/* Returns the length of a valid sequence, or -(length of the maximal
 * invalid subpart) (at least 1). */
static int utf8_scan(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned c = s[0];
    if (c < 0x80) { *cp = c; return 1; }
    *cp = 0xFFFD;
    unsigned lo = 0x80, hi = 0xBF;
    int len;
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; v = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3; v = c & 0x0F;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4; v = c & 0x07;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else return -1;
    for (int k = 1; k < len; k++) {
        if ((size_t)k >= n) return -k;
        unsigned cc = s[k];
        if (cc < lo || cc > hi) return -k;
        lo = 0x80; hi = 0xBF;
        v = (v << 6) | (cc & 0x3F);
    }
    *cp = v;
    return len;
}

int text_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0) { *cp = 0xFFFD; return -1; }
    return utf8_scan(s, n, cp);
}

size_t text_utf8_check(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    uint32_t cp;
    while (i < n) {
        /* ASCII fast path, 8 bytes at a time */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ULL) break;
            i += 8;
        }
        if (i >= n) break;
        if (p[i] < 0x80) { i++; continue; }
        int r = utf8_scan(p + i, n - i, &cp);
        if (r < 0) return i;
        i += (size_t)r;
    }
    return (size_t)-1;
}

llm_status text_utf8_repair(const char *s, size_t n, text_buf *out, size_t *bad)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, start = 0, nbad = 0;
    uint32_t cp;
    llm_status st = text_buf_reserve(out, n);
    if (st) return st;
    while (i < n) {
        if (p[i] < 0x80) { i++; continue; }
        int r = utf8_scan(p + i, n - i, &cp);
        if (r > 0) { i += (size_t)r; continue; }
        if ((st = text_buf_append(out, s + start, i - start))) return st;
        if ((st = text_buf_append(out, "\xEF\xBF\xBD", 3))) return st;
        nbad++;
        i += (size_t)(-r);
        start = i;
    }
    if ((st = text_buf_append(out, s + start, n - start))) return st;
    if (bad) *bad = nbad;
    return LLM_OK;
}

size_t text_utf8_length(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, count = 0;
    uint32_t cp;
    while (i < n) {
        if (p[i] < 0x80) { i++; count++; continue; }
        int r = utf8_scan(p + i, n - i, &cp);
        i += (size_t)(r > 0 ? r : -r);
        count++;
    }
    return count;
}
