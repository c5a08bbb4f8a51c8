/*
 * wordnet_synonyms.c: synonyms from WordNet for EDA-style augmentation
 * (augment.h), through the WordNet C library (libwordnet.a): every synset
 * that holds the word gives its lemmas. Base forms come from morphstr,
 * so "dogs" finds the synsets of "dog".
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <wn.h>
#include "augment.h"

static int wn_state; /* 0 not tried, 1 open, -1 failed */

llm_status augment_wordnet_open(void)
{
    if (wn_state == 0) wn_state = wninit() == 0 ? 1 : -1;
    if (wn_state < 0)
        return llm_fail(LLM_ERR_IO, "wordnet: cannot open the WordNet database (install wordnet-base, or set WNSEARCHDIR)");
    return LLM_OK;
}

void augment_free_list(char **list, size_t n)
{
    if (!list) return;
    for (size_t i = 0; i < n; i++) free(list[i]);
    free(list);
}

static int add_unique(char ***list, size_t *n, size_t *cap, const char *lemma, const char *self)
{
    char buf[256];
    size_t len = strlen(lemma);
    if (len >= sizeof buf) return 0;
    for (size_t i = 0; i <= len; i++) buf[i] = lemma[i] == '_' ? ' ' : (char)tolower((unsigned char)lemma[i]);
    /* adjectives may carry a marker such as "(a)" */
    char *paren = strchr(buf, '(');
    if (paren) *paren = '\0';
    if (!strcmp(buf, self) || !*buf) return 0;
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*list)[i], buf)) return 0;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        char **l = llm_realloc(*list, nc * sizeof *l);
        if (!l) return -1;
        *list = l;
        *cap = nc;
    }
    if (!((*list)[*n] = llm_strdup(buf))) return -1;
    (*n)++;
    return 0;
}

llm_status augment_synonyms(const char *word, augment_pos pos, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if ((unsigned)pos > AUGMENT_POS_ADV) return llm_fail(LLM_ERR_ARG, "synonyms: unknown part of speech %d", (int)pos);
    llm_status s = augment_wordnet_open();
    if (s) return s;
    char w[256];
    size_t len = strlen(word);
    if (len == 0 || len >= sizeof w) return LLM_OK;
    for (size_t i = 0; i <= len; i++) w[i] = word[i] == ' ' ? '_' : (char)tolower((unsigned char)word[i]);
    char self[256];
    for (size_t i = 0; i <= len; i++) self[i] = w[i] == '_' ? ' ' : w[i];
    size_t cap = 0;
    for (int p = pos ? (int)pos : 1; p <= (pos ? (int)pos : 4); p++) {
        /* the word itself, then its base forms (collected first: morphstr keeps state) */
        char forms[4][256];
        int nf = 0;
        snprintf(forms[nf++], sizeof forms[0], "%s", w);
        for (char *base = morphstr(w, p); base && nf < 4; base = morphstr(NULL, p)) {
            int dup = 0;
            for (int i = 0; i < nf; i++) dup |= !strcmp(forms[i], base);
            if (!dup) snprintf(forms[nf++], sizeof forms[0], "%s", base);
        }
        for (int fi = 0; fi < nf; fi++) {
            SynsetPtr ss = findtheinfo_ds(forms[fi], p, SYNS, ALLSENSES);
            for (SynsetPtr x = ss; x; x = x->nextss)
                for (int i = 0; i < x->wcount; i++)
                    if (add_unique(out, n, &cap, x->words[i], self) < 0) {
                        free_syns(ss);
                        augment_free_list(*out, *n);
                        *out = NULL;
                        *n = 0;
                        return LLM_ERR_NOMEM;
                    }
            if (ss) free_syns(ss);
        }
    }
    return LLM_OK;
}
