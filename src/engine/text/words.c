/* words.c: the word scanner of words.h. ASCII goes through a table; other
 * code points ask utf8proc for their general category. */
#include <utf8proc.h>
#include "text.h"
#include "words.h"

/* WCLASS_* of each ASCII byte: letters/digits 1, ' and - 2, spaces 3. */
static const unsigned char ascii_class[128] = {
    0,0,0,0,0,0,0,0,0,3,3,3,3,3,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,3,0,0,0,0,0,0,2,0,0,0,0,0,2,0,0,1,1,1,1,1,1,1,1,1,1,0,0,0,0,0,0,
    0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,0,0,0};

int words_class_at(const char *s, size_t n, size_t i, size_t *len)
{
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
        *len = 1;
        return ascii_class[c];
    }
    uint32_t cp;
    int l = text_utf8_decode((const unsigned char *)s + i, n - i, &cp);
    if (l < 0) { *len = (size_t)(-l); return WCLASS_OTHER; }
    *len = (size_t)l;
    if (cp == 0x2019) return WCLASS_JOIN;
    utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)cp);
    switch (cat) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return WCLASS_WORD;
    case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
        return WCLASS_SPACE;
    default:
        return WCLASS_OTHER;
    }
}

int words_next(const char *s, size_t n, size_t *pos, size_t *start, size_t *end)
{
    size_t i = *pos, len;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80 && ascii_class[c] != WCLASS_WORD) { i++; continue; }
        if (words_class_at(s, n, i, &len) == WCLASS_WORD) break;
        i += len;
    }
    if (i >= n) { *pos = n; return 0; }
    *start = i;
    for (;;) {
        /* consume word characters */
        while (i < n) {
            unsigned char c = (unsigned char)s[i];
            if (c < 0x80) {
                if (ascii_class[c] != WCLASS_WORD) break;
                i++;
                continue;
            }
            if (words_class_at(s, n, i, &len) != WCLASS_WORD) break;
            i += len;
        }
        /* a joiner followed by a word character continues the word */
        if (i < n && words_class_at(s, n, i, &len) == WCLASS_JOIN) {
            size_t l2;
            if (i + len < n && words_class_at(s, n, i + len, &l2) == WCLASS_WORD) { i += len; continue; }
        }
        break;
    }
    *end = i;
    *pos = i;
    return 1;
}

int text_word_next(const char *s, size_t n, size_t *pos, size_t *start, size_t *end)
{
    return words_next(s, n, pos, start, end);
}
