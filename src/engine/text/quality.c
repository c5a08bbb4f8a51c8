/* quality.c: document-quality filters in the spirit of the C4 and Gopher
 * (MassiveText) rules. Each measure is computed, then the rules are
 * checked in a fixed order and the first that fails names itself with the
 * figure that failed it, so a lab can show why each document was dropped.
 *
 * Measures (Gopher's definitions, simplified):
 *   words            word count (words.h), mean_word_len in code points
 *   symbol_ratio     ('#' + ellipses) per word
 *   alpha_word_frac  whitespace-separated tokens holding a letter
 *   punct_line_frac  non-empty lines ending in . ! ? or a closing quote (C4)
 *   dup_line_frac    non-empty lines equal to an earlier line
 *   top_bigram_frac  characters in the most frequent word bigram / word characters
 *   dup_5gram_frac   characters of words inside a 5-gram seen more than once
 *   bullet/ellipsis  lines starting with a bullet / ending with an ellipsis */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "text.h"
#include "words.h"

void text_quality_defaults(text_quality_opts *o)
{
    o->min_words = 50;
    o->max_words = 100000;
    o->min_mean_word_len = 3;
    o->max_mean_word_len = 10;
    o->max_symbol_ratio = 0.1;
    o->min_alpha_word_frac = 0.8;
    o->min_punct_line_frac = -1; /* C4 filters lines, not documents; off by default */
    o->max_dup_line_frac = 0.3;
    o->max_top_bigram_frac = 0.2;
    o->max_dup_5gram_frac = 0.15;
    o->max_bullet_line_frac = 0.9;
    o->max_ellipsis_line_frac = 0.3;
    o->reject_lorem_ipsum = 1;
    o->reject_curly_brace = 0;
}

typedef struct hpos { uint64_t h; size_t i; } hpos;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_hpos(const void *a, const void *b)
{
    const hpos *x = a, *y = b;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int ends_with(const char *s, size_t n, const char *t)
{
    size_t m = strlen(t);
    return n >= m && memcmp(s + n - m, t, m) == 0;
}

static int contains_ci(const char *s, size_t n, const char *t)
{
    size_t m = strlen(t);
    for (size_t i = 0; i + m <= n; i++)
        if (strncasecmp(s + i, t, m) == 0) return 1;
    return 0;
}

static void fail_rule(text_quality_report *r, const char *rule, const char *fmt, double a, double b)
{
    if (!r->keep) return; /* the first failing rule wins */
    r->keep = 0;
    snprintf(r->rule, sizeof r->rule, "%s", rule);
    snprintf(r->reason, sizeof r->reason, fmt, a, b);
}

static void fail_text(text_quality_report *r, const char *rule, const char *msg)
{
    if (!r->keep) return;
    r->keep = 0;
    snprintf(r->rule, sizeof r->rule, "%s", rule);
    snprintf(r->reason, sizeof r->reason, "%s", msg);
}

llm_status text_quality_check(const char *s, size_t n, const text_quality_opts *o, text_quality_report *r)
{
    text_quality_opts def;
    if (!o) { text_quality_defaults(&def); o = &def; }
    memset(r, 0, sizeof *r);
    r->keep = 1;

    /* words: positions, lengths and hashes */
    size_t cap = 256, nw = 0, pos = 0, a, b;
    size_t *ws = llm_malloc(cap * sizeof *ws), *wl = llm_malloc(cap * sizeof *wl);
    uint64_t *wh = llm_malloc(cap * sizeof *wh);
    hpos *grams = NULL;
    uint64_t *lines = NULL;
    char *covered = NULL;
    llm_status st = LLM_OK;
    if (!ws || !wl || !wh) { st = LLM_ERR_NOMEM; goto done; }
    double word_chars = 0;
    while (words_next(s, n, &pos, &a, &b)) {
        if (nw == cap) {
            cap *= 2;
            size_t *p1 = llm_realloc(ws, cap * sizeof *ws);
            if (!p1) { st = LLM_ERR_NOMEM; goto done; }
            ws = p1;
            size_t *p2 = llm_realloc(wl, cap * sizeof *wl);
            if (!p2) { st = LLM_ERR_NOMEM; goto done; }
            wl = p2;
            uint64_t *p3 = llm_realloc(wh, cap * sizeof *wh);
            if (!p3) { st = LLM_ERR_NOMEM; goto done; }
            wh = p3;
        }
        ws[nw] = a;
        wl[nw] = text_utf8_length(s + a, b - a);
        wh[nw] = text_hash64(s + a, b - a);
        word_chars += (double)wl[nw];
        nw++;
    }
    r->words = (long)nw;
    r->mean_word_len = nw ? word_chars / (double)nw : 0;

    /* symbols and alphabetic tokens */
    size_t hashes = 0, ellipses = 0, tokens = 0, alpha_tokens = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') { i++; continue; }
        /* a token */
        size_t k = i;
        int alpha = 0;
        while (k < n && s[k] != ' ' && s[k] != '\n' && s[k] != '\t' && s[k] != '\r') {
            unsigned char d = (unsigned char)s[k];
            if ((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z')) alpha = 1;
            else if (d >= 0x80) {
                size_t len;
                if (words_class_at(s, n, k, &len) == WCLASS_WORD) alpha = 1;
                if (d == 0xE2 && k + 2 < n && (unsigned char)s[k + 1] == 0x80 && (unsigned char)s[k + 2] == 0xA6) ellipses++;
                k += len;
                continue;
            } else if (d == '#') hashes++;
            else if (d == '.' && k + 2 < n && s[k + 1] == '.' && s[k + 2] == '.') { ellipses++; k += 3; continue; }
            k++;
        }
        tokens++;
        alpha_tokens += (size_t)alpha;
        i = k;
    }
    r->symbol_ratio = nw ? (double)(hashes + ellipses) / (double)nw : 0;
    r->alpha_word_frac = tokens ? (double)alpha_tokens / (double)tokens : 0;

    /* lines */
    size_t nlines = 0, lcap = 64, punct = 0, bullets = 0, ell = 0;
    lines = llm_malloc(lcap * sizeof *lines);
    if (!lines) { st = LLM_ERR_NOMEM; goto done; }
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - s) : n, ls = i, le = e;
        while (ls < le && (s[ls] == ' ' || s[ls] == '\t' || s[ls] == '\r')) ls++;
        while (le > ls && (s[le - 1] == ' ' || s[le - 1] == '\t' || s[le - 1] == '\r')) le--;
        if (le > ls) {
            const char *L = s + ls;
            size_t m = le - ls;
            if (nlines == lcap) {
                lcap *= 2;
                uint64_t *p = llm_realloc(lines, lcap * sizeof *lines);
                if (!p) { st = LLM_ERR_NOMEM; goto done; }
                lines = p;
            }
            lines[nlines++] = text_hash64(L, m);
            char last = L[m - 1];
            if (last == '.' || last == '!' || last == '?' || last == '"' || last == '\'' ||
                ends_with(L, m, "\xE2\x80\x9D") || ends_with(L, m, "\xE2\x80\x99"))
                punct++;
            if (ends_with(L, m, "...") || ends_with(L, m, "\xE2\x80\xA6")) ell++;
            if (L[0] == '*' || L[0] == '-' || (m >= 3 && (memcmp(L, "\xE2\x80\xA2", 3) == 0 ||
                                                        memcmp(L, "\xC2\xB7", 2) == 0)))
                bullets++;
        }
        i = e + 1;
    }
    r->lines = (long)nlines;
    if (nlines) {
        r->punct_line_frac = (double)punct / (double)nlines;
        r->bullet_line_frac = (double)bullets / (double)nlines;
        r->ellipsis_line_frac = (double)ell / (double)nlines;
        qsort(lines, nlines, sizeof *lines, cmp_u64);
        size_t dups = 0;
        for (size_t i = 1; i < nlines; i++) dups += lines[i] == lines[i - 1];
        r->dup_line_frac = (double)dups / (double)nlines;
    }

    /* word bigrams and 5-grams */
    if (nw >= 2 && word_chars > 0) {
        grams = llm_malloc(nw * sizeof *grams);
        covered = llm_calloc(nw, 1);
        if (!grams || !covered) { st = LLM_ERR_NOMEM; goto done; }
        size_t ng = nw - 1;
        for (size_t i = 0; i < ng; i++) {
            grams[i].h = wh[i] * 0x9E3779B97F4A7C15ULL ^ wh[i + 1];
            grams[i].i = i;
        }
        qsort(grams, ng, sizeof *grams, cmp_hpos);
        double best = 0;
        for (size_t i = 0; i < ng;) {
            size_t j = i;
            while (j < ng && grams[j].h == grams[i].h) j++;
            if (j - i > 1) {
                double chars = (double)(j - i) * (double)(wl[grams[i].i] + wl[grams[i].i + 1]);
                if (chars > best) best = chars;
            }
            i = j;
        }
        r->top_bigram_frac = best / word_chars;
        if (nw >= 5) {
            ng = nw - 4;
            for (size_t i = 0; i < ng; i++) {
                uint64_t h = 0;
                for (int k = 0; k < 5; k++) h = (h ^ wh[i + (size_t)k]) * 0x100000001b3ULL + (uint64_t)k;
                grams[i].h = h;
                grams[i].i = i;
            }
            qsort(grams, ng, sizeof *grams, cmp_hpos);
            for (size_t i = 0; i < ng;) {
                size_t j = i;
                while (j < ng && grams[j].h == grams[i].h) j++;
                if (j - i > 1)
                    for (size_t k = i; k < j; k++)
                        for (int q = 0; q < 5; q++) covered[grams[k].i + (size_t)q] = 1;
                i = j;
            }
            double dup_chars = 0;
            for (size_t i = 0; i < nw; i++) if (covered[i]) dup_chars += (double)wl[i];
            r->dup_5gram_frac = dup_chars / word_chars;
        }
    }

    /* the rules, in order */
    if (o->min_words >= 0 && r->words < o->min_words)
        fail_rule(r, "min_words", "too few words: %.0f < %.0f", (double)r->words, (double)o->min_words);
    if (o->max_words >= 0 && r->words > o->max_words)
        fail_rule(r, "max_words", "too many words: %.0f > %.0f", (double)r->words, (double)o->max_words);
    if (nw && o->min_mean_word_len >= 0 && r->mean_word_len < o->min_mean_word_len)
        fail_rule(r, "mean_word_len", "mean word length %.2f < %.2f", r->mean_word_len, o->min_mean_word_len);
    if (nw && o->max_mean_word_len >= 0 && r->mean_word_len > o->max_mean_word_len)
        fail_rule(r, "mean_word_len", "mean word length %.2f > %.2f", r->mean_word_len, o->max_mean_word_len);
    if (o->max_symbol_ratio >= 0 && r->symbol_ratio > o->max_symbol_ratio)
        fail_rule(r, "symbol_ratio", "symbol-to-word ratio %.3f > %.3f", r->symbol_ratio, o->max_symbol_ratio);
    if (tokens && o->min_alpha_word_frac >= 0 && r->alpha_word_frac < o->min_alpha_word_frac)
        fail_rule(r, "alpha_words", "words with a letter %.3f < %.3f", r->alpha_word_frac, o->min_alpha_word_frac);
    if (nlines && o->min_punct_line_frac >= 0 && r->punct_line_frac < o->min_punct_line_frac)
        fail_rule(r, "punct_lines", "lines ending in punctuation %.3f < %.3f", r->punct_line_frac, o->min_punct_line_frac);
    if (o->max_dup_line_frac >= 0 && r->dup_line_frac > o->max_dup_line_frac)
        fail_rule(r, "dup_lines", "duplicate lines %.3f > %.3f", r->dup_line_frac, o->max_dup_line_frac);
    if (o->max_top_bigram_frac >= 0 && r->top_bigram_frac > o->max_top_bigram_frac)
        fail_rule(r, "top_bigram", "characters in the top bigram %.3f > %.3f", r->top_bigram_frac, o->max_top_bigram_frac);
    if (o->max_dup_5gram_frac >= 0 && r->dup_5gram_frac > o->max_dup_5gram_frac)
        fail_rule(r, "dup_5grams", "characters in repeated 5-grams %.3f > %.3f", r->dup_5gram_frac, o->max_dup_5gram_frac);
    if (o->max_bullet_line_frac >= 0 && r->bullet_line_frac > o->max_bullet_line_frac)
        fail_rule(r, "bullet_lines", "lines starting with a bullet %.3f > %.3f", r->bullet_line_frac, o->max_bullet_line_frac);
    if (o->max_ellipsis_line_frac >= 0 && r->ellipsis_line_frac > o->max_ellipsis_line_frac)
        fail_rule(r, "ellipsis_lines", "lines ending in an ellipsis %.3f > %.3f", r->ellipsis_line_frac, o->max_ellipsis_line_frac);
    if (o->reject_lorem_ipsum && contains_ci(s, n, "lorem ipsum"))
        fail_text(r, "lorem_ipsum", "contains 'lorem ipsum'");
    if (o->reject_curly_brace && memchr(s, '{', n))
        fail_text(r, "curly_brace", "contains '{' (looks like code)");

done:
    free(ws);
    free(wl);
    free(wh);
    free(grams);
    free(lines);
    free(covered);
    return st;
}
