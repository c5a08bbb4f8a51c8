/*
 * augment.h: the engine side of text augmentation: WordNet synonyms
 * (Debian's wordnet-base, read through libwordnet). The EDA operations
 * themselves (synonym replacement, random insertion / swap / deletion,
 * keyboard typos) are short and live in lua/llm/augment.lua, drawing
 * their randomness from the engine PRNG so llm.seed(n) reproduces them.
 */
#ifndef LLM_AUGMENT_H
#define LLM_AUGMENT_H

#include <stddef.h>
#include "core.h"

typedef enum {
    AUGMENT_POS_ANY = 0,
    AUGMENT_POS_NOUN = 1,
    AUGMENT_POS_VERB = 2,
    AUGMENT_POS_ADJ = 3,
    AUGMENT_POS_ADV = 4
} augment_pos;

/* Open the WordNet database ($WNSEARCHDIR, else /usr/share/wordnet). */
llm_status augment_wordnet_open(void);

/* Distinct synonyms of word (all senses of the given part of speech, in
 * WordNet's sense order), without the word itself; multi-word lemmas have
 * spaces instead of underscores. *out is a malloc'd array of malloc'd
 * strings, freed with augment_free_list. */
llm_status augment_synonyms(const char *word, augment_pos pos, char ***out, size_t *n);
void augment_free_list(char **list, size_t n);

#endif
