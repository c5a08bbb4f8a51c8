/* normalize.c: Unicode normalisation (NFC, NFD, NFKC, NFKD) and case
 * folding with utf8proc.
 *
 * Speed: most text is ASCII, which every form leaves alone (case folding
 * lowers it), so ASCII runs are copied directly. Each non-ASCII run goes to
 * utf8proc together with the ASCII character just before it, because that
 * character may compose with a following combining mark ("e" + U+0301 ->
 * "é"); no composition has an ASCII second element, so the split is exact.
 * Runs that NFC provably leaves alone (see nfc_inert) are copied too. One
 * code-point buffer is reused for the whole call. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include "text.h"

static const unsigned char ascii_lower[128] = {
#define R(a) a, a + 1, a + 2, a + 3, a + 4, a + 5, a + 6, a + 7
    R(0), R(8), R(16), R(24), R(32), R(40), R(48), R(56),
    64, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 91, 92, 93, 94, 95,
    R(96), R(104), R(112), R(120)
#undef R
};

static llm_status put_ascii(text_buf *out, const char *s, size_t n, int casefold)
{
    if (!casefold) return text_buf_append(out, s, n);
    llm_status st = text_buf_reserve(out, n);
    if (st) return st;
    char *d = out->data + out->len;
    for (size_t i = 0; i < n; i++) d[i] = (char)ascii_lower[(unsigned char)s[i]];
    out->len += n;
    out->data[out->len] = '\0';
    return LLM_OK;
}

typedef struct norm_work {
    utf8proc_int32_t *cps;
    utf8proc_ssize_t cap; /* in code points */
} norm_work;

static llm_status norm_segment(norm_work *w, const char *s, size_t n, utf8proc_option_t opt, text_buf *out)
{
    for (;;) {
        utf8proc_ssize_t r = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, w->cps, w->cap, opt);
        if (r < 0) return llm_fail(LLM_ERR_FORMAT, "normalize: %s", utf8proc_errmsg(r));
        if (r > w->cap) {
            utf8proc_ssize_t cap = r * 2 + 16;
            utf8proc_int32_t *p = llm_realloc(w->cps, (size_t)cap * sizeof *p);
            if (!p) return LLM_ERR_NOMEM;
            w->cps = p;
            w->cap = cap;
            continue;
        }
        /* reencode composes (when asked) and writes UTF-8 over the buffer,
         * which has 4 bytes per code point: always enough. */
        utf8proc_ssize_t len = utf8proc_reencode(w->cps, r, opt);
        if (len < 0) return llm_fail(LLM_ERR_FORMAT, "normalize: %s", utf8proc_errmsg(len));
        return text_buf_append(out, (const char *)w->cps, (size_t)len);
    }
}

/* True when NFC cannot change this non-ASCII run: every code point is
 * below U+0300 (Latin-1 and Latin Extended letters are precomposed starters
 * and no mark can follow inside the run) or common punctuation in
 * U+2010..U+2027 (dashes, quotes, bullets, ellipsis: no canonical
 * decomposition, never composed with), or U+FFFD. */
static int nfc_inert(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        int l = text_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (l < 0) return 0;
        if (!(cp < 0x300 || (cp >= 0x2010 && cp <= 0x2027) || cp == 0xFFFD)) return 0;
        i += (size_t)l;
    }
    return 1;
}

llm_status text_normalize(const char *s, size_t n, text_norm_form form, int casefold,
                          text_buf *out, size_t *bad)
{
    utf8proc_option_t opt = UTF8PROC_STABLE;
    switch (form) {
    case TEXT_NORM_NONE: break;
    case TEXT_NORM_NFC: opt |= UTF8PROC_COMPOSE; break;
    case TEXT_NORM_NFD: opt |= UTF8PROC_DECOMPOSE; break;
    case TEXT_NORM_NFKC: opt |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT; break;
    case TEXT_NORM_NFKD: opt |= UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT; break;
    default: return llm_fail(LLM_ERR_ARG, "normalize: unknown form %d", (int)form);
    }
    if (casefold) opt |= UTF8PROC_CASEFOLD;
    if (bad) *bad = 0;

    /* Repair invalid UTF-8 first (rare: only then is the text copied). */
    text_buf fixed;
    text_buf_init(&fixed);
    if (text_utf8_check(s, n) != (size_t)-1) {
        size_t nb = 0;
        llm_status st = text_utf8_repair(s, n, &fixed, &nb);
        if (st) { text_buf_free(&fixed); return st; }
        if (bad) *bad = nb;
        s = fixed.data;
        n = fixed.len;
    }
    llm_status st = text_buf_reserve(out, n + n / 8);
    norm_work w = {NULL, 0};
    size_t i = 0;
    while (st == LLM_OK && i < n) {
        size_t j = i;
        while (j + 8 <= n) { /* skip ASCII 8 bytes at a time */
            uint64_t w;
            memcpy(&w, s + j, 8);
            if (w & 0x8080808080808080ULL) break;
            j += 8;
        }
        while (j < n && (unsigned char)s[j] < 0x80) j++;
        if (j == n) { st = put_ascii(out, s + i, n - i, casefold); break; }
        size_t seg = j > i ? j - 1 : j; /* the ASCII character before may compose */
        if (seg > i && (st = put_ascii(out, s + i, seg - i, casefold))) break;
        size_t k = j;
        while (k < n && (unsigned char)s[k] >= 0x80) k++;
        if ((form == TEXT_NORM_NONE && !casefold) || (form == TEXT_NORM_NFC && !casefold && nfc_inert(s + j, k - j)))
            st = text_buf_append(out, s + seg, k - seg);
        else st = norm_segment(&w, s + seg, k - seg, opt, out);
        i = k;
    }
    free(w.cps);
    text_buf_free(&fixed);
    if (out->data) out->data[out->len] = '\0';
    return st;
}
