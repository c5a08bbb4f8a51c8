/*
 * tokenize.h: the engine's tokenizers and normalisers (course week 3).
 *
 *  - pre-tokenisation: PCRE2 (UTF + UCP, JIT) with GPT-2's pattern, the
 *    cl100k (GPT-4) pattern or a caller's pattern; bytes that are not
 *    well-formed UTF-8 become pieces of their own, so any byte string works;
 *  - byte-level BPE: training (incremental pair counts + a priority queue),
 *    encoding (merge-rank table + a cache of pre-token results), decoding,
 *    special tokens, GPT-2's own encoder.json + vocab.bpe, and the project's
 *    JSON format;
 *  - normalisation: Unicode case folding (utf8proc), Snowball stemming
 *    (libstemmer) and WordNet lemmatisation (morphy, libwordnet).
 *
 * Every function returns an llm_status and leaves a message for
 * llm_last_error(); nothing aborts on bad input.
 */
#ifndef LLM_TOKENIZE_H
#define LLM_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>
#include "core.h"

/* ------------------------------------------------------------ pre-tokens */

/* GPT-2's pre-tokenizer pattern. \s is spelled out as the whitespace set of
 * JavaScript regular expressions, so that the pieces are exactly those of
 * js-tiktoken (the reference the tests use); PCRE2's own \s differs on
 * U+0085, U+180E and U+FEFF. */
extern const char *const TOK_PATTERN_GPT2;
/* The cl100k_base (GPT-4) pattern, with the same \s. */
extern const char *const TOK_PATTERN_CL100K;

typedef struct tok_pretok tok_pretok;

/* Compile a pattern: "gpt2", "cl100k", or any PCRE2 pattern (UTF + UCP). */
llm_status tok_pretok_new(tok_pretok **out, const char *pattern);
void tok_pretok_free(tok_pretok *p);
/* The pattern as given to tok_pretok_new ("gpt2", "cl100k" or the regex). */
const char *tok_pretok_pattern(const tok_pretok *p);

/* Called once per piece, in order: bytes [start, start+len) of the text;
 * matched is 1 for a match of the pattern, 0 for text between matches and
 * for a byte that is not UTF-8. A non-zero return stops the scan with that
 * status. */
typedef llm_status (*tok_piece_fn)(void *ud, const char *text, size_t start, size_t len, int matched);

/* Split text into pieces, covering every byte: each maximal run of
 * well-formed UTF-8 is matched with the pattern (the GPT-2 and cl100k
 * patterns match everything; with other patterns the text between matches
 * comes as unmatched pieces), and each byte that is not part of a
 * well-formed UTF-8 sequence is an unmatched piece of its own. */
llm_status tok_pretok_split(tok_pretok *p, const char *text, size_t len, tok_piece_fn fn, void *ud);

/* Length of the well-formed UTF-8 sequence at s[0..n), or 0 if s[0] cannot
 * start one (overlong forms, surrogates and > U+10FFFF are not well-formed). */
size_t tok_utf8_seq_len(const unsigned char *s, size_t n);

/* -------------------------------------------------------------- BPE */

typedef struct tok_bpe tok_bpe;

typedef enum tok_special_mode {
    TOK_SPECIAL_REJECT = 0, /* a special token's text in the input is an error */
    TOK_SPECIAL_ALLOW,      /* it becomes the special token's id */
    TOK_SPECIAL_TEXT,       /* it is encoded as ordinary text */
} tok_special_mode;

typedef struct tok_bpe_train_opts {
    size_t vocab_size;          /* wanted total: 256 bytes + merges + specials */
    const char *pattern;        /* "gpt2" (default when NULL), "cl100k" or a regex */
    const char *const *special; /* special token texts (may be NULL) */
    size_t n_special;
    uint64_t min_frequency;     /* stop when the best pair is rarer (default 2 when 0) */
} tok_bpe_train_opts;

/* Train from one text. Merges are chosen by count, ties going to the pair
 * with the smallest (left id, right id); byte b has id b; merge k makes id
 * 256+k; special tokens follow. Reports progress ("bpe train") and stops
 * with LLM_ERR_INTERRUPTED when interrupted. */
llm_status tok_bpe_train(tok_bpe **out, const char *text, size_t len, const tok_bpe_train_opts *opts);

/* GPT-2's files: encoder.json (token -> id, in GPT-2's byte-to-unicode
 * spelling) and vocab.bpe (merges, one "A B" per line, by rank). The special
 * token <|endoftext|> is taken from encoder.json. */
llm_status tok_bpe_load_gpt2(tok_bpe **out, const char *encoder_json_path, const char *vocab_bpe_path);

/* The project's own JSON format (see bpe_io.c). */
llm_status tok_bpe_save(const tok_bpe *b, const char *path);
llm_status tok_bpe_load(tok_bpe **out, const char *path);

void tok_bpe_free(tok_bpe *b);

size_t tok_bpe_vocab_size(const tok_bpe *b);
size_t tok_bpe_n_merges(const tok_bpe *b);
const char *tok_bpe_pattern(const tok_bpe *b);
/* Bytes of a token (not NUL-terminated); NULL when id is out of range. */
const char *tok_bpe_token(const tok_bpe *b, int32_t id, size_t *len);
/* Id of the token with exactly these bytes, or -1. */
int32_t tok_bpe_token_id(const tok_bpe *b, const char *bytes, size_t len);
/* Merge k (0-based rank): left id, right id, result id. */
llm_status tok_bpe_merge(const tok_bpe *b, size_t k, int32_t *left, int32_t *right, int32_t *result);
size_t tok_bpe_n_special(const tok_bpe *b);
/* Special token i: its text and id. */
const char *tok_bpe_special(const tok_bpe *b, size_t i, int32_t *id);

/* A growable array of token ids. */
typedef struct tok_ids {
    int32_t *v;
    size_t n, cap;
} tok_ids;
llm_status tok_ids_push(tok_ids *ids, int32_t id);
void tok_ids_free(tok_ids *ids);

/* Append the ids of text to out. */
llm_status tok_bpe_encode(tok_bpe *b, const char *text, size_t len, tok_special_mode mode, tok_ids *out);
/* Append the ids of text, turning only the special tokens named in allowed
 * (n_allowed texts) into their ids; the others are rejected (others ==
 * TOK_SPECIAL_REJECT, tiktoken's default) or encoded as text
 * (TOK_SPECIAL_TEXT). Naming a token the model lacks is an error. */
llm_status tok_bpe_encode_allowed(tok_bpe *b, const char *text, size_t len, const char *const *allowed,
                                  size_t n_allowed, tok_special_mode others, tok_ids *out);
/* The bytes of ids (malloc'd into *out, *out_len; NUL-terminated for convenience). */
llm_status tok_bpe_decode(const tok_bpe *b, const int32_t *ids, size_t n, char **out, size_t *out_len);

/* -------------------------------------------------------- normalisation */

/* Lowercase (simple per-code-point mapping) or Unicode case folding (full
 * folding, utf8proc's CASEFOLD with NFC). Invalid UTF-8 is an error. */
llm_status tok_lowercase(const char *s, size_t len, char **out, size_t *out_len);
llm_status tok_casefold(const char *s, size_t len, char **out, size_t *out_len);

/* Punctuation (Unicode categories Pc Pd Ps Pe Pi Pf Po): removed, or
 * replaced by one space each when space is non-zero. */
llm_status tok_punct_remove(const char *s, size_t len, int space, char **out, size_t *out_len);
/* Standardised to ASCII: curly and angle quotes -> ' and ", dashes and
 * hyphens -> -, ellipsis -> ..., fullwidth and other compatibility forms of
 * ASCII punctuation -> ASCII. */
llm_status tok_punct_standardize(const char *s, size_t len, char **out, size_t *out_len);

/* Snowball stemmers (libstemmer): algorithm "english" (porter2), "porter",
 * "french", ... Words are UTF-8. */
typedef struct tok_stemmer tok_stemmer;
llm_status tok_stemmer_new(tok_stemmer **out, const char *algorithm);
void tok_stemmer_free(tok_stemmer *s);
/* The stem, valid until the next call on this stemmer. */
llm_status tok_stem(tok_stemmer *s, const char *word, size_t len, const char **stem, size_t *stem_len);
/* NULL-terminated list of the algorithm names libstemmer knows. */
const char **tok_stemmer_list(void);

/* WordNet lemmatisation: morphy's exception lists and detachment rules
 * over the WordNet 3.0 index, done as NLTK's WordNetLemmatizer does (the
 * shortest base form that is a lemma of that part of speech). pos is 'n',
 * 'v', 'a' (adjective, 's' too) or 'r' (adverb). The lemma goes to buf (size
 * cap); a word WordNet does not know comes back lowercased. The database is
 * read from $WNSEARCHDIR or /usr/share/wordnet. */
llm_status tok_lemmatize(const char *word, char pos, char *buf, size_t cap);
/* The base forms libwordnet's morphstr() finds, space-separated ("" if none). */
llm_status tok_morphstr(const char *word, char pos, char *buf, size_t cap);

#endif
