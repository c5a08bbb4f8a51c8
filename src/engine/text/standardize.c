/* standardize.c: optional, independent rules that make scraped text
 * uniform before tokenising: control characters, whitespace, quotes,
 * dashes and zero-width characters (the TEXT_STD_* flags in text.h).
 * Invalid UTF-8 is repaired to U+FFFD on the way (and counted). */
#include "text.h"

static int is_unicode_space(uint32_t cp)
{
    return cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
}

static int is_zero_width(uint32_t cp)
{
    return cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0x2060 || cp == 0xFEFF || cp == 0xAD;
}

typedef struct std_state {
    text_buf *b;
    unsigned rules;
    int space;       /* pending space (whitespace rule) */
    int newlines;    /* pending newlines (whitespace rule) */
    int line_start;  /* nothing visible on this line yet */
    int doc_start;   /* nothing visible in the document yet */
} std_state;

/* Write visible text, flushing pending whitespace first. */
static llm_status put_visible(std_state *s, const char *t, size_t n)
{
    llm_status st = LLM_OK;
    if (s->rules & TEXT_STD_WHITESPACE) {
        if (!s->doc_start) {
            for (int i = 0; i < s->newlines && !st; i++) st = text_buf_putc(s->b, '\n');
            if (!s->newlines && s->space && !st) st = text_buf_putc(s->b, ' ');
        }
        s->space = s->newlines = 0;
        s->doc_start = s->line_start = 0;
    }
    return st ? st : text_buf_append(s->b, t, n);
}

static llm_status put_space(std_state *s, int newline)
{
    if (!(s->rules & TEXT_STD_WHITESPACE)) return text_buf_putc(s->b, newline ? '\n' : ' ');
    if (newline) {
        if (s->newlines < 2) s->newlines++;
        s->space = 0;
        s->line_start = 1;
    } else if (!s->line_start) s->space = 1;
    return LLM_OK;
}

llm_status text_standardize(const char *str, size_t n, unsigned rules, text_buf *out, size_t *changes, size_t *bad)
{
    const unsigned char *p = (const unsigned char *)str;
    std_state s = {out, rules, 0, 0, 1, 1};
    size_t changed = 0, nbad = 0, i = 0;
    llm_status st = text_buf_reserve(out, n);
    while (!st && i < n) {
        unsigned c = p[i];
        if (c >= 0x20 && c < 0x7F) {
            if (c == ' ' && (rules & TEXT_STD_WHITESPACE)) {
                if (s.space || s.line_start) changed++;
                st = put_space(&s, 0);
                i++;
                continue;
            }
            /* a run of printable ASCII, with single spaces between words
             * (nothing for the whitespace rule to change there) */
            size_t k = i + 1;
            for (;;) {
                while (k < n && p[k] > 0x20 && p[k] < 0x7F) k++;
                if (k + 1 < n && p[k] == ' ' && p[k + 1] > 0x20 && p[k + 1] < 0x7F) { k += 2; continue; }
                break;
            }
            st = put_visible(&s, str + i, k - i);
            i = k;
            continue;
        }
        uint32_t cp;
        int len = text_utf8_decode(p + i, n - i, &cp);
        if (len < 0) { changed++; nbad++; st = put_visible(&s, "\xEF\xBF\xBD", 3); i += (size_t)(-len); continue; }
        i += (size_t)len;
        if (cp == '\r') {
            if (rules & TEXT_STD_CONTROL) {
                if (i < n && p[i] == '\n') i++;
                changed++;
                st = put_space(&s, 1);
            } else st = put_visible(&s, "\r", 1);
            continue;
        }
        if (cp == '\n') { st = put_space(&s, 1); continue; }
        if (cp == '\t') {
            if (rules & TEXT_STD_WHITESPACE) { changed++; st = put_space(&s, 0); }
            else st = put_visible(&s, "\t", 1);
            continue;
        }
        if ((cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) && (rules & TEXT_STD_CONTROL)) {
            changed++;
            continue;
        }
        if ((cp == 0x2028 || cp == 0x2029) && (rules & TEXT_STD_WHITESPACE)) {
            changed++;
            st = put_space(&s, 1);
            if (!st && cp == 0x2029) st = put_space(&s, 1);
            continue;
        }
        if (is_unicode_space(cp) && (rules & TEXT_STD_WHITESPACE)) { changed++; st = put_space(&s, 0); continue; }
        if (is_zero_width(cp) && (rules & TEXT_STD_ZEROWIDTH)) { changed++; continue; }
        if (rules & TEXT_STD_QUOTES) {
            if (cp == 0x2018 || cp == 0x2019 || cp == 0x201A || cp == 0x201B || cp == 0x2032 ||
                cp == 0x2039 || cp == 0x203A || cp == 0xFF07) {
                changed++; st = put_visible(&s, "'", 1); continue;
            }
            if (cp == 0x201C || cp == 0x201D || cp == 0x201E || cp == 0x201F || cp == 0x2033 ||
                cp == 0xAB || cp == 0xBB || cp == 0xFF02) {
                changed++; st = put_visible(&s, "\"", 1); continue;
            }
        }
        if (rules & TEXT_STD_DASHES) {
            if ((cp >= 0x2010 && cp <= 0x2013) || cp == 0x2212 || cp == 0xFE63 || cp == 0xFF0D) {
                changed++; st = put_visible(&s, "-", 1); continue;
            }
            if (cp == 0x2014 || cp == 0x2015) { changed++; st = put_visible(&s, "--", 2); continue; }
        }
        st = put_visible(&s, str + i - (size_t)len, (size_t)len);
    }
    /* trailing whitespace is dropped with the whitespace rule, except one final newline */
    if (!st && (rules & TEXT_STD_WHITESPACE) && s.newlines && !s.doc_start) st = text_buf_putc(out, '\n');
    if (!st && !out->data) st = text_buf_append(out, "", 0);
    if (changes) *changes = changed;
    if (bad) *bad = nbad;
    return st;
}
