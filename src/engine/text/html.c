/* html.c: HTML to plain text for corpus cleaning. Not a full HTML5 parser:
 * a single forward scan that is robust to the markup found in scraped
 * pages (unclosed tags, stray '<', unquoted or unterminated attributes,
 * unknown entities). What it does:
 *   - drops tags, comments, <!DOCTYPE>, <?...?>, CDATA markers
 *   - drops the contents of script, style, noscript, template, svg, iframe
 *     (and, with TEXT_HTML_NO_BOILERPLATE, of nav, footer, aside, menu, form)
 *   - turns block elements and <br> into line breaks, table cells into tabs
 *   - decodes entities (named, decimal, hex); unknown ones stay as written
 *   - collapses whitespace (kept as written inside <pre>), at most one blank line */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "text.h"

typedef struct entity { const char *name; uint32_t cp; } entity;

/* Sorted by name for bsearch. nbsp decodes to a plain space: corpus text
 * wants words separated, not glued by no-break spaces. */
static const entity entities[] = {
    {"AElig", 0xC6}, {"Aacute", 0xC1}, {"Agrave", 0xC0}, {"Auml", 0xC4}, {"Ccedil", 0xC7},
    {"Eacute", 0xC9}, {"Egrave", 0xC8}, {"Ntilde", 0xD1}, {"Oacute", 0xD3}, {"Ouml", 0xD6},
    {"Uuml", 0xDC}, {"aacute", 0xE1}, {"acirc", 0xE2}, {"aelig", 0xE6}, {"agrave", 0xE0},
    {"amp", '&'}, {"apos", '\''}, {"auml", 0xE4}, {"bull", 0x2022}, {"ccedil", 0xE7},
    {"cent", 0xA2}, {"copy", 0xA9}, {"dagger", 0x2020}, {"deg", 0xB0}, {"divide", 0xF7},
    {"eacute", 0xE9}, {"ecirc", 0xEA}, {"egrave", 0xE8}, {"euml", 0xEB}, {"euro", 0x20AC},
    {"frac12", 0xBD}, {"frac14", 0xBC}, {"frac34", 0xBE}, {"gt", '>'}, {"hellip", 0x2026},
    {"iacute", 0xED}, {"icirc", 0xEE}, {"iexcl", 0xA1}, {"iquest", 0xBF}, {"iuml", 0xEF},
    {"laquo", 0xAB}, {"ldquo", 0x201C}, {"lsaquo", 0x2039}, {"lsquo", 0x2018}, {"lt", '<'},
    {"mdash", 0x2014}, {"micro", 0xB5}, {"middot", 0xB7}, {"minus", 0x2212}, {"nbsp", ' '},
    {"ndash", 0x2013}, {"not", 0xAC}, {"ntilde", 0xF1}, {"oacute", 0xF3}, {"ocirc", 0xF4},
    {"ouml", 0xF6}, {"para", 0xB6}, {"plusmn", 0xB1}, {"pound", 0xA3}, {"quot", '"'},
    {"raquo", 0xBB}, {"rdquo", 0x201D}, {"reg", 0xAE}, {"rsaquo", 0x203A}, {"rsquo", 0x2019},
    {"sbquo", 0x201A}, {"sect", 0xA7}, {"shy", 0xAD}, {"szlig", 0xDF}, {"thinsp", 0x2009},
    {"times", 0xD7}, {"trade", 0x2122}, {"uacute", 0xFA}, {"ucirc", 0xFB}, {"uuml", 0xFC},
    {"yen", 0xA5}, {"zwj", 0x200D}, {"zwnj", 0x200C},
};

static int entity_cmp(const void *key, const void *e)
{
    return strcmp((const char *)key, ((const entity *)e)->name);
}

uint32_t text_html_entity(const char *name, size_t n)
{
    if (n == 0 || n > 31) return 0;
    if (name[0] == '#') {
        uint32_t v = 0;
        size_t i = 1;
        int hex = 0, digits = 0;
        if (i < n && (name[i] == 'x' || name[i] == 'X')) { hex = 1; i++; }
        for (; i < n; i++) {
            int c = (unsigned char)name[i], d;
            if (c >= '0' && c <= '9') d = c - '0';
            else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
            else return 0;
            v = v * (hex ? 16 : 10) + (uint32_t)d;
            if (v > 0x10FFFF) v = 0x110000; /* stays invalid, no overflow */
            digits++;
        }
        if (!digits) return 0;
        if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0xFFFD;
        return v;
    }
    char key[32];
    memcpy(key, name, n);
    key[n] = '\0';
    const entity *e = bsearch(key, entities, sizeof entities / sizeof entities[0], sizeof entities[0], entity_cmp);
    return e ? e->cp : 0;
}

static int name_is(const char *name, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == n && memcmp(*list, name, n) == 0) return 1;
    return 0;
}

static const char *const skip_tags[] = {"script", "style", "noscript", "template", "svg", "iframe", "object", NULL};
static const char *const boilerplate_tags[] = {"nav", "footer", "aside", "menu", "form", NULL};
static const char *const block_tags[] = {
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "html", "li", "main", "nav", "ol", "option", "p", "pre", "section", "table",
    "tbody", "thead", "tfoot", "title", "tr", "ul", "head", NULL};
static const char *const cell_tags[] = {"td", "th", NULL};

/* Output with whitespace collapsing: pending_space / pending_newlines are
 * emitted lazily before the next visible character. */
typedef struct html_out {
    text_buf *b;
    int at_start;      /* nothing visible written yet */
    int space;         /* a space is pending */
    int newlines;      /* line breaks pending (at most 2) */
    int tab;           /* a cell separator is pending */
} html_out;

static llm_status flush_pending(html_out *o)
{
    llm_status st = LLM_OK;
    if (!o->at_start) {
        if (o->newlines) {
            for (int i = 0; i < o->newlines && !st; i++) st = text_buf_putc(o->b, '\n');
        } else if (o->tab) st = text_buf_putc(o->b, '\t');
        else if (o->space) st = text_buf_putc(o->b, ' ');
    }
    o->space = o->newlines = o->tab = 0;
    o->at_start = 0;
    return st;
}

static llm_status emit(html_out *o, const char *s, size_t n, int pre)
{
    llm_status st = LLM_OK;
    for (size_t i = 0; i < n && !st; i++) {
        unsigned char c = (unsigned char)s[i];
        if (pre && c == '\n') { if (o->newlines < 2) o->newlines++; continue; }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            if (pre && c != '\r') {
                if ((st = flush_pending(o))) break;
                st = text_buf_putc(o->b, (char)c);
            } else o->space = 1;
            continue;
        }
        if ((st = flush_pending(o))) break;
        st = text_buf_putc(o->b, (char)c);
    }
    return st;
}

static llm_status emit_cp(html_out *o, uint32_t cp)
{
    if (cp == ' ') { o->space = 1; return LLM_OK; }
    llm_status st = flush_pending(o);
    return st ? st : text_buf_put_cp(o->b, cp);
}

/* Case-insensitive search for "</name" from s[i]; returns its index or n. */
static size_t find_close(const char *s, size_t n, size_t i, const char *name, size_t len)
{
    for (; i + 2 + len <= n; i++) {
        if (s[i] != '<' || s[i + 1] != '/') continue;
        size_t k = 0;
        while (k < len && tolower((unsigned char)s[i + 2 + k]) == name[k]) k++;
        if (k == len) {
            unsigned char c = (unsigned char)(i + 2 + len < n ? s[i + 2 + len] : '>');
            if (!isalnum(c)) return i;
        }
    }
    return n;
}

/* End of a tag starting at s[i] == '<': index just past '>', respecting
 * quoted attribute values; if a quote never closes, the first '>' wins;
 * if there is no '>', the end of input. */
static size_t tag_end(const char *s, size_t n, size_t i)
{
    char q = 0;
    for (size_t k = i + 1; k < n; k++) {
        char c = s[k];
        if (q) { if (c == q) q = 0; continue; }
        if (c == '"' || c == '\'') {
            if (k > 0 && s[k - 1] == '=') q = c;
            else if (k > 1 && s[k - 1] == ' ' && s[k - 2] == '=') q = c;
            continue;
        }
        if (c == '>') return k + 1;
    }
    const char *gt = memchr(s + i, '>', n - i);
    return gt ? (size_t)(gt - s) + 1 : n;
}

llm_status text_html_to_text(const char *s, size_t n, text_buf *out)
{
    return text_html_to_text_ex(s, n, 0, out);
}

llm_status text_html_to_text_ex(const char *s, size_t n, unsigned flags, text_buf *out)
{
    html_out o = {out, 1, 0, 0, 0};
    llm_status st = text_buf_reserve(out, n / 2 + 16);
    int pre = 0;
    size_t i = 0;
    while (!st && i < n) {
        char c = s[i];
        if (c == '&') {
            size_t k = i + 1;
            while (k < n && k - i <= 32 && (isalnum((unsigned char)s[k]) || s[k] == '#')) k++;
            uint32_t cp = 0;
            size_t len = k - i - 1;
            if (k < n && s[k] == ';') { cp = text_html_entity(s + i + 1, len); if (cp) k++; }
            else if (len > 1 && s[i + 1] == '#') cp = text_html_entity(s + i + 1, len);
            if (cp) { st = emit_cp(&o, cp); i = k; }
            else { st = emit(&o, "&", 1, pre); i++; }
            continue;
        }
        if (c != '<') {
            size_t k = i;
            while (k < n && s[k] != '<' && s[k] != '&') k++;
            st = emit(&o, s + i, k - i, pre);
            i = k;
            continue;
        }
        /* c == '<' */
        if (i + 3 < n && memcmp(s + i, "<!--", 4) == 0) {
            const char *end = NULL;
            for (size_t k = i + 4; k + 3 <= n; k++)
                if (memcmp(s + k, "-->", 3) == 0) { end = s + k + 3; break; }
            i = end ? (size_t)(end - s) : n;
            continue;
        }
        if (i + 8 < n && memcmp(s + i, "<![CDATA[", 9) == 0) {
            size_t k = i + 9, e = k;
            while (e + 2 < n && memcmp(s + e, "]]>", 3) != 0) e++;
            if (e + 2 >= n) e = n;
            st = emit(&o, s + k, e - k, pre);
            i = e < n ? e + 3 : n;
            continue;
        }
        int closing = i + 1 < n && s[i + 1] == '/';
        size_t ns = i + 1 + (size_t)closing;
        if (i + 1 < n && (s[i + 1] == '!' || s[i + 1] == '?')) { i = tag_end(s, n, i); continue; }
        if (ns >= n || !isalpha((unsigned char)s[ns])) {
            /* a stray '<' ("a < b"): keep it as text */
            st = emit(&o, "<", 1, pre);
            i++;
            continue;
        }
        char name[16];
        size_t nl = 0, k = ns;
        while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '-' || s[k] == ':')) {
            if (nl < sizeof name - 1) name[nl++] = (char)tolower((unsigned char)s[k]);
            k++;
        }
        name[nl] = '\0';
        size_t end = tag_end(s, n, i);
        if (!closing && (name_is(name, nl, skip_tags) ||
                         ((flags & TEXT_HTML_NO_BOILERPLATE) && name_is(name, nl, boilerplate_tags)))) {
            int self_closed = end >= 2 && s[end - 2] == '/';
            if (self_closed) { i = end; continue; }
            size_t close = find_close(s, n, end, name, nl);
            i = close < n ? tag_end(s, n, close) : n;
            o.space = 1;
            continue;
        }
        if (name_is(name, nl, block_tags)) {
            int want = (strcmp(name, "br") == 0 || strcmp(name, "li") == 0 || strcmp(name, "tr") == 0 ||
                        strcmp(name, "option") == 0 || strcmp(name, "dt") == 0 || strcmp(name, "dd") == 0) ? 1 : 2;
            if (strcmp(name, "br") == 0) { if (o.newlines < 2) o.newlines++; }
            else if (o.newlines < want) o.newlines = want;
            if (strcmp(name, "pre") == 0) pre = !closing;
        } else if (name_is(name, nl, cell_tags)) {
            if (!closing && !o.newlines) o.tab = 1;
        } else {
            /* inline tags (a, b, span, img, ...) join words: no space unless the source had one */
        }
        i = end;
    }
    if (!st && !out->data) st = text_buf_append(out, "", 0);
    return st;
}
