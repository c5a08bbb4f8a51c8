/*
 * text.h: the engine's text subject: UTF-8 checking and repair, Unicode
 * normalisation and case folding (utf8proc), HTML to text, standardising
 * quotes/dashes/whitespace/control characters, document-quality filters,
 * corpus statistics, exact and near-duplicate detection (shingles, MinHash,
 * LSH, Jaccard, clusters) and a fuzzy matcher for short strings.
 *
 * Everything takes (pointer, length) byte strings that need not be
 * NUL-terminated and writes results into a growing text_buf. Invalid UTF-8
 * never crashes anything: functions that need code points repair it to
 * U+FFFD on the way.
 *
 * (The tokenizer subject has its own header, tokenize.h.)
 */
#ifndef LLM_TEXT_H
#define LLM_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include "core.h"

/* ------------------------------------------------------------ buffers */

/* A growing byte buffer, always NUL-terminated after text_buf_* calls. */
typedef struct text_buf {
    char *data;
    size_t len, cap;
} text_buf;

void text_buf_init(text_buf *b);
void text_buf_free(text_buf *b);
llm_status text_buf_reserve(text_buf *b, size_t extra);
llm_status text_buf_append(text_buf *b, const char *s, size_t n);
llm_status text_buf_putc(text_buf *b, char c);
/* Append a code point as UTF-8 (invalid ones as U+FFFD). */
llm_status text_buf_put_cp(text_buf *b, uint32_t cp);

/* ------------------------------------------------------------ UTF-8 */

/* Decode one code point at s[0..n); returns its byte length (>= 1) and sets
 * *cp, or for an invalid sequence returns -k, k >= 1 the bytes of its maximal
 * invalid subpart to skip (*cp = U+FFFD). Overlongs, surrogates and values
 * above U+10FFFF are invalid. */
int text_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Offset of the first invalid byte, or (size_t)-1 when s is valid UTF-8. */
size_t text_utf8_check(const char *s, size_t n);

/* Copy s into out replacing each invalid byte sequence (each maximal
 * invalid subpart, as Unicode recommends) by U+FFFD; *bad counts them. */
llm_status text_utf8_repair(const char *s, size_t n, text_buf *out, size_t *bad);

/* Number of code points (invalid bytes count one each). */
size_t text_utf8_length(const char *s, size_t n);

/* ------------------------------------------------------------ normalisation */

typedef enum text_norm_form {
    TEXT_NORM_NONE = 0,
    TEXT_NORM_NFC,
    TEXT_NORM_NFD,
    TEXT_NORM_NFKC,
    TEXT_NORM_NFKD,
    TEXT_NORM_COUNT
} text_norm_form;

/* Normalise (and optionally case-fold) UTF-8 text with utf8proc. ASCII
 * runs are copied without a library call; invalid UTF-8 is repaired to
 * U+FFFD first (counted in *bad when bad is not NULL). */
llm_status text_normalize(const char *s, size_t n, text_norm_form form, int casefold,
                          text_buf *out, size_t *bad);

/* ------------------------------------------------------------ HTML */

/* HTML to plain text: tags removed, entities decoded (named, &#N;, &#xH;),
 * script/style/noscript/template/head contents dropped, comments dropped,
 * block elements (p, div, br, li, h1-h6, tr, ...) become line breaks, runs
 * of spaces collapse. Robust to malformed markup (unclosed tags, stray '<',
 * unknown entities stay as written). */
llm_status text_html_to_text(const char *s, size_t n, text_buf *out);

/* Options of text_html_to_text_ex. */
enum {
    TEXT_HTML_NO_BOILERPLATE = 1 << 0 /* also drop nav, footer, aside, menu and form contents */
};
llm_status text_html_to_text_ex(const char *s, size_t n, unsigned flags, text_buf *out);

/* Decode one entity name ("amp", "#233", "#x1F600") to a code point; 0 if unknown. */
uint32_t text_html_entity(const char *name, size_t n);

/* ------------------------------------------------------------ standardising */

enum {
    TEXT_STD_CONTROL = 1 << 0,    /* drop C0/C1 controls except \n \t; \r\n, \r -> \n */
    TEXT_STD_WHITESPACE = 1 << 1, /* Unicode spaces -> ' ', collapse runs, trim line ends,
                                     at most one blank line, tabs -> ' ' */
    TEXT_STD_QUOTES = 1 << 2,     /* curly/angle quotes and primes -> ' and " */
    TEXT_STD_DASHES = 1 << 3,     /* en/em dashes, minus, hyphen variants -> '-' (em -> "--") */
    TEXT_STD_ZEROWIDTH = 1 << 4,  /* drop zero-width spaces/joiners, BOM, soft hyphen */
    TEXT_STD_ALL = 0x1f
};

/* Apply the chosen rules; counts of changes go to *changes and of invalid
 * UTF-8 sequences (repaired to U+FFFD, also counted as changes) to *bad,
 * each when not NULL. */
llm_status text_standardize(const char *s, size_t n, unsigned rules, text_buf *out, size_t *changes, size_t *bad);

/* ------------------------------------------------------------ quality filters */

/* Document-quality rules in the spirit of C4 and Gopher. A rule whose
 * threshold is < 0 is off. */
typedef struct text_quality_opts {
    long min_words, max_words;               /* Gopher: 50 .. 100,000 */
    double min_mean_word_len, max_mean_word_len; /* Gopher: 3 .. 10 */
    double max_symbol_ratio;                 /* ('#' + '...') per word; Gopher 0.1 */
    double min_alpha_word_frac;              /* words with a letter; Gopher 0.8 */
    double min_punct_line_frac;              /* C4: lines ending in . ! ? " ' */
    double max_dup_line_frac;                /* Gopher: duplicate lines / lines 0.3 */
    double max_top_bigram_frac;              /* Gopher: chars in the top word bigram 0.2 */
    double max_dup_5gram_frac;               /* Gopher: chars in duplicated 5-grams 0.15 */
    double max_bullet_line_frac;             /* Gopher: lines starting with a bullet 0.9 */
    double max_ellipsis_line_frac;           /* Gopher: lines ending in an ellipsis 0.3 */
    int reject_lorem_ipsum, reject_curly_brace; /* C4 */
} text_quality_opts;

/* The figures measured and the verdict. reason is "" when kept, else the
 * name of the first rule that failed with the figure ("too few words: 12 < 50"). */
typedef struct text_quality_report {
    long words, lines;
    double mean_word_len, symbol_ratio, alpha_word_frac, punct_line_frac;
    double dup_line_frac, top_bigram_frac, dup_5gram_frac, bullet_line_frac, ellipsis_line_frac;
    int keep;
    char rule[32];
    char reason[160];
} text_quality_report;

/* Gopher/C4 defaults. */
void text_quality_defaults(text_quality_opts *o);
llm_status text_quality_check(const char *s, size_t n, const text_quality_opts *o, text_quality_report *r);

/* ------------------------------------------------------------ statistics */

/* Word counts over any amount of text, fed in pieces. Words are maximal runs
 * of letters/digits (Unicode categories L*, N*, M*) with inner apostrophes
 * and hyphens; optionally case-folded. Sentences end at . ! ? (runs) followed
 * by space/end, not after a single capital letter ("J. Smith"). */
typedef struct text_stats text_stats;

typedef struct text_stats_opts {
    int casefold;            /* count "The" and "the" as one word */
    int max_sentence_len;    /* histogram bins 0..max (longer go in the last bin) */
} text_stats_opts;

text_stats *text_stats_new(const text_stats_opts *o);
void text_stats_free(text_stats *st);
/* Feed a whole document (sentences do not continue across calls). */
llm_status text_stats_add(text_stats *st, const char *s, size_t n);

/* The next word at or after *pos (the definition above): returns 1 and sets
 * [*start, *end), advancing *pos; returns 0 at the end. */
int text_word_next(const char *s, size_t n, size_t *pos, size_t *start, size_t *end);

typedef struct text_stats_totals {
    uint64_t bytes, chars, words, sentences, lines, types, hapax;
} text_stats_totals;
void text_stats_totals_get(const text_stats *st, text_stats_totals *t);
/* Sentence-length histogram (in words): hist[0..bins) with bins = max+1. */
const uint64_t *text_stats_sentence_hist(const text_stats *st, size_t *bins);

typedef struct text_word_count {
    const char *word; /* owned by the stats object */
    size_t len;
    uint64_t count;
} text_word_count;
/* The k most frequent words (ties by byte order); *got receives how many. */
llm_status text_stats_top(const text_stats *st, size_t k, text_word_count *out, size_t *got);
/* Up to k words seen exactly once (hapax legomena), in byte order. */
llm_status text_stats_hapax(const text_stats *st, size_t k, text_word_count *out, size_t *got);
/* Least-squares fit of log(freq) = a - s*log(rank) over ranks 1..max_rank
 * (0: all); returns s (Zipf exponent), a and r^2. */
llm_status text_stats_zipf(const text_stats *st, size_t max_rank, double *s, double *a, double *r2);

/* ------------------------------------------------------------ duplicates */

/* 64-bit hash of bytes (FNV-1a with a final avalanche mix). */
uint64_t text_hash64(const char *s, size_t n);

typedef enum text_shingle_kind { TEXT_SHINGLE_WORD, TEXT_SHINGLE_CHAR } text_shingle_kind;

/* The set of hashed shingles of a text, sorted and unique. Words are
 * lowercased runs of letters/digits; character shingles use code points of
 * the lowercased text with whitespace runs collapsed. A text shorter than k
 * units gives one shingle of all it has (empty text: none). */
llm_status text_shingles(const char *s, size_t n, text_shingle_kind kind, int k,
                         uint64_t **out, size_t *count);
/* Jaccard similarity of two sorted unique hash sets (1 when both are empty). */
double text_jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);

typedef struct text_dedup_opts {
    text_shingle_kind kind;
    int shingle;      /* shingle size (words or characters) */
    int perms;        /* MinHash permutations = bands * rows */
    int bands;        /* LSH bands */
    double threshold; /* Jaccard needed to call two documents duplicates */
    uint64_t seed;    /* hash-family seed (from llm_rand by default) */
} text_dedup_opts;

typedef struct text_dedup text_dedup;

void text_dedup_defaults(text_dedup_opts *o);
/* Checks the options (perms divisible by bands, sizes in range). */
text_dedup *text_dedup_new(const text_dedup_opts *o);
void text_dedup_free(text_dedup *d);
/* Add a document; its id is the insertion order (0-based). */
llm_status text_dedup_add(text_dedup *d, const char *s, size_t n);
/* Shingle + sign every document (OpenMP), band them, verify candidates by
 * exact Jaccard, and group duplicates with union-find. After this:
 *   cluster[i]   the id of the cluster representative (its smallest doc id)
 *   pairs        verified pairs (i < j) with their Jaccard */
llm_status text_dedup_run(text_dedup *d);
size_t text_dedup_count(const text_dedup *d);
const uint32_t *text_dedup_clusters(const text_dedup *d);
typedef struct text_dup_pair { uint32_t a, b; float jaccard; } text_dup_pair;
const text_dup_pair *text_dedup_pairs(const text_dedup *d, size_t *count);
/* Work counters: candidate pairs checked, exact duplicates found by hash. */
void text_dedup_counters(const text_dedup *d, uint64_t *candidates, uint64_t *exact);
/* The MinHash signature of document i (perms values). */
const uint32_t *text_dedup_signature(const text_dedup *d, size_t i);

/* ------------------------------------------------------------ fuzzy matching */

/* Levenshtein distance over code points (insert/delete/substitute cost 1). */
llm_status text_edit_distance(const char *a, size_t na, const char *b, size_t nb, size_t *dist);
/* 1 - distance / max(length a, length b); 1 when both are empty. */
llm_status text_similarity(const char *a, size_t na, const char *b, size_t nb, double *sim);

#endif
