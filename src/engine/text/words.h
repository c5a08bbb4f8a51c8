/* words.h: the one definition of a "word" shared by statistics, quality
 * filters and shingling (internal to src/engine/text/). A word is a maximal
 * run of letters, digits and combining marks; an apostrophe (' or U+2019)
 * or hyphen between two such characters stays inside ("don't", "well-known"). */
#ifndef LLM_TEXT_WORDS_H
#define LLM_TEXT_WORDS_H

#include <stddef.h>
#include <stdint.h>

/* Character classes of the word scanner. */
enum { WCLASS_OTHER = 0, WCLASS_WORD, WCLASS_JOIN, WCLASS_SPACE };

/* Class of the code point at s[i] (decoding invalid bytes as one OTHER);
 * *len receives its byte length. */
int words_class_at(const char *s, size_t n, size_t i, size_t *len);

/* Find the next word at or after *pos: returns 1 and sets [*start, *end),
 * advancing *pos past it; returns 0 at the end. */
int words_next(const char *s, size_t n, size_t *pos, size_t *start, size_t *end);

#endif
