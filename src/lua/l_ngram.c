/*
 * l_ngram.c: bindings for n-gram language models (ngram.h) and WordNet
 * synonyms (augment.h). Registers llm._ngram (constructors, load,
 * read_arpa, synonyms), which lua/llm/ngram.lua and lua/llm/augment.lua
 * wrap; models are "llm.NgramModel" userdata.
 */
#include <math.h>
#include <string.h>
#include "lua_llm.h"
#include "ngram.h"
#include "augment.h"

#define NGRAM_MT "llm.NgramModel"

typedef struct { ngram_model *m; } ngram_ud;

static ngram_model *check_model(lua_State *L, int i)
{
    ngram_ud *u = luaL_checkudata(L, i, NGRAM_MT);
    if (!u->m) luaL_error(L, "ngram model: already closed");
    return u->m;
}

static int m_gc(lua_State *L)
{
    ngram_ud *u = luaL_checkudata(L, 1, NGRAM_MT);
    ngram_free(u->m);
    u->m = NULL;
    return 0;
}

/* Sentences at index i (array of arrays of strings) into t; the arrays
 * live in scratch userdata left on the stack. */
static void get_text(lua_State *L, int i, ngram_text *t, const char *op)
{
    luaL_checktype(L, i, LUA_TTABLE);
    size_t ns = lua_rawlen(L, i), ntok = 0;
    for (size_t s = 1; s <= ns; s++) {
        if (lua_rawgeti(L, i, (lua_Integer)s) != LUA_TTABLE)
            luaL_error(L, "%s: sentence %d is a %s, not an array of tokens", op, (int)s, luaL_typename(L, -1));
        ntok += lua_rawlen(L, -1);
        lua_pop(L, 1);
    }
    const char **toks = lua_newuserdatauv(L, (ntok ? ntok : 1) * sizeof *toks, 0);
    size_t *lens = lua_newuserdatauv(L, (ntok ? ntok : 1) * sizeof *lens, 0);
    size_t *sl = lua_newuserdatauv(L, (ns ? ns : 1) * sizeof *sl, 0);
    size_t k = 0;
    for (size_t s = 1; s <= ns; s++) {
        lua_rawgeti(L, i, (lua_Integer)s);
        size_t n = lua_rawlen(L, -1);
        sl[s - 1] = n;
        for (size_t j = 1; j <= n; j++) {
            lua_rawgeti(L, -1, (lua_Integer)j);
            if (lua_type(L, -1) != LUA_TSTRING)
                luaL_error(L, "%s: token %d of sentence %d is a %s, not a string", op, (int)j, (int)s, luaL_typename(L, -1));
            toks[k] = lua_tolstring(L, -1, &lens[k]); /* kept alive by the sentence table */
            k++;
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    t->tokens = toks;
    t->lens = lens;
    t->sent_lens = sl;
    t->nsent = ns;
}

/* An array of strings at index i (context tokens). */
static size_t get_tokens(lua_State *L, int i, const char ***toks, size_t **lens, const char *op)
{
    if (lua_isnoneornil(L, i)) {
        *toks = NULL;
        *lens = NULL;
        return 0;
    }
    luaL_checktype(L, i, LUA_TTABLE);
    size_t n = lua_rawlen(L, i);
    *toks = lua_newuserdatauv(L, (n ? n : 1) * sizeof **toks, 0);
    *lens = lua_newuserdatauv(L, (n ? n : 1) * sizeof **lens, 0);
    for (size_t j = 1; j <= n; j++) {
        lua_rawgeti(L, i, (lua_Integer)j);
        if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "%s: context token %d is not a string", op, (int)j);
        (*toks)[j - 1] = lua_tolstring(L, -1, &(*lens)[j - 1]);
        lua_pop(L, 1);
    }
    return n;
}

static int kind_of(const char *s)
{
    for (int k = 0; k < NGRAM_KIND_COUNT; k++)
        if (!strcmp(s, ngram_kind_name((ngram_kind)k))) return k;
    return -1;
}

/* _ngram.new(kind, order, {gamma=, discount=, alpha=, unk_cutoff=}) */
static int n_new(lua_State *L)
{
    const char *kname = luaL_checkstring(L, 1);
    int kind = kind_of(kname);
    if (kind < 0 || kind == NGRAM_BACKOFF) return luaL_error(L, "ngram: unknown model kind \"%s\"", kname);
    lua_Integer order = luaL_checkinteger(L, 2);
    ngram_opts o;
    ngram_default_opts(&o, (ngram_kind)kind, (int)(order < 0 || order > 100 ? 0 : order));
    if (lua_istable(L, 3)) {
        if (lua_getfield(L, 3, "gamma") != LUA_TNIL) o.gamma = luaL_checknumber(L, -1);
        if (lua_getfield(L, 3, "discount") != LUA_TNIL) o.discount = luaL_checknumber(L, -1);
        if (lua_getfield(L, 3, "alpha") != LUA_TNIL) o.alpha = luaL_checknumber(L, -1);
        if (lua_getfield(L, 3, "unk_cutoff") != LUA_TNIL) o.unk_cutoff = (int)luaL_checkinteger(L, -1);
        lua_pop(L, 4);
    }
    ngram_ud *u = llm_lua_newbox(L, sizeof *u, NGRAM_MT);
    llm_lua_check(L, ngram_new(&u->m, &o), "ngram");
    return 1;
}

static int m_fit(lua_State *L)
{
    ngram_model *m = check_model(L, 1);
    ngram_text t;
    get_text(L, 2, &t, "fit");
    llm_lua_check(L, ngram_fit(m, &t), "fit");
    lua_settop(L, 1);
    return 1;
}

static int m_tune(lua_State *L)
{
    ngram_model *m = check_model(L, 1);
    ngram_text t;
    int iters = (int)luaL_optinteger(L, 3, 100);
    get_text(L, 2, &t, "tune");
    double x;
    llm_lua_check(L, ngram_tune(m, &t, iters, &x), "tune");
    lua_pushnumber(L, x);
    return 1;
}

static int m_weights(lua_State *L)
{
    ngram_model *m = check_model(L, 1);
    int order = ngram_get_opts(m)->order;
    double mu[NGRAM_MAX_ORDER + 1];
    if (lua_istable(L, 2)) {
        mu[0] = 0;
        for (int k = 1; k <= order; k++) {
            lua_rawgeti(L, 2, k);
            int ok;
            mu[k] = lua_tonumberx(L, -1, &ok);
            if (!ok) return luaL_error(L, "weights: need %d numbers", order);
            lua_pop(L, 1);
        }
        llm_lua_check(L, ngram_set_weights(m, mu), "weights");
    }
    ngram_get_weights(m, mu);
    lua_createtable(L, order, 0);
    for (int k = 1; k <= order; k++) {
        lua_pushnumber(L, mu[k]);
        lua_rawseti(L, -2, k);
    }
    return 1;
}

static int m_discounts(lua_State *L)
{
    ngram_model *m = check_model(L, 1);
    double d[3];
    llm_lua_check(L, ngram_get_discounts(m, (int)luaL_checkinteger(L, 2), d), "discounts");
    lua_createtable(L, 3, 0);
    for (int i = 0; i < 3; i++) {
        lua_pushnumber(L, d[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

/* m:prob(word, context) */
static int m_prob(lua_State *L)
{
    ngram_model *m = check_model(L, 1);
    size_t wl;
    const char *w = luaL_checklstring(L, 2, &wl);
    const char **toks;
    size_t *lens;
    size_t n = get_tokens(L, 3, &toks, &lens, "prob");
    double p;
    llm_lua_check(L, ngram_prob(m, toks, lens, n, w, wl, &p), "prob");
    lua_pushnumber(L, p);
    return 1;
}

static int m_evaluate(lua_State *L)
{
    ngram_model *m = check_model(L, 1);
    ngram_text t;
    get_text(L, 2, &t, "perplexity");
    ngram_eval ev;
    llm_lua_check(L, ngram_evaluate(m, &t, &ev), "perplexity");
    lua_createtable(L, 0, 5);
    lua_pushnumber(L, ev.perplexity);
    lua_setfield(L, -2, "perplexity");
    lua_pushnumber(L, ev.cross_entropy);
    lua_setfield(L, -2, "cross_entropy");
    lua_pushinteger(L, (lua_Integer)ev.events);
    lua_setfield(L, -2, "events");
    lua_pushinteger(L, (lua_Integer)ev.zero_events);
    lua_setfield(L, -2, "zero_events");
    lua_pushinteger(L, (lua_Integer)ev.oov);
    lua_setfield(L, -2, "oov");
    return 1;
}

/* m:generate(context, max_tokens, temperature, top_k) */
static int m_generate(lua_State *L)
{
    ngram_model *m = check_model(L, 1);
    const char **toks;
    size_t *lens;
    size_t n = get_tokens(L, 2, &toks, &lens, "generate");
    lua_Integer max = luaL_optinteger(L, 3, 20);
    double temp = luaL_optnumber(L, 4, 1.0);
    lua_Integer topk = luaL_optinteger(L, 5, 0);
    if (max < 0 || max > 100000) return luaL_error(L, "generate: max_tokens must be in 0..100000");
    if (topk < 0) return luaL_error(L, "generate: top_k must be >= 0");
    const char **out = lua_newuserdatauv(L, (size_t)(max ? max : 1) * sizeof *out, 0);
    size_t nout;
    llm_lua_check(L, ngram_generate(m, toks, lens, n, (size_t)max, temp, (size_t)topk, out, &nout), "generate");
    lua_createtable(L, (int)nout, 0);
    for (size_t i = 0; i < nout; i++) {
        lua_pushstring(L, out[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int m_count(lua_State *L)
{
    ngram_model *m = check_model(L, 1);
    const char **toks;
    size_t *lens;
    size_t n = get_tokens(L, 2, &toks, &lens, "count");
    lua_pushinteger(L, (lua_Integer)ngram_count(m, toks, lens, n));
    return 1;
}

static int m_vocab(lua_State *L)
{
    ngram_model *m = check_model(L, 1);
    lua_newtable(L);
    int k = 0;
    for (size_t i = 0; i < ngram_num_words(m); i++) {
        int inv;
        uint64_t c;
        const char *w = ngram_word_at(m, i, &inv, &c);
        if (!inv || (c == 0 && i != 2 && ngram_get_opts(m)->kind != NGRAM_BACKOFF)) continue;
        lua_pushstring(L, w);
        lua_rawseti(L, -2, ++k);
    }
    return 1;
}

static int m_info(lua_State *L)
{
    ngram_model *m = check_model(L, 1);
    const ngram_opts *o = ngram_get_opts(m);
    lua_createtable(L, 0, 8);
    lua_pushstring(L, ngram_kind_name(o->kind));
    lua_setfield(L, -2, "kind");
    lua_pushinteger(L, o->order);
    lua_setfield(L, -2, "order");
    lua_pushnumber(L, o->gamma);
    lua_setfield(L, -2, "gamma");
    lua_pushnumber(L, o->discount);
    lua_setfield(L, -2, "discount");
    lua_pushnumber(L, o->alpha);
    lua_setfield(L, -2, "alpha");
    lua_pushinteger(L, o->unk_cutoff);
    lua_setfield(L, -2, "unk_cutoff");
    lua_pushinteger(L, (lua_Integer)ngram_vocab_size(m));
    lua_setfield(L, -2, "vocab_size");
    lua_pushboolean(L, ngram_is_fitted(m));
    lua_setfield(L, -2, "fitted");
    lua_createtable(L, o->order, 0);
    for (int k = 1; k <= o->order; k++) {
        lua_pushinteger(L, (lua_Integer)ngram_num_ngrams(m, k));
        lua_rawseti(L, -2, k);
    }
    lua_setfield(L, -2, "ngrams");
    return 1;
}

static int m_save(lua_State *L)
{
    llm_lua_check(L, ngram_save(check_model(L, 1), luaL_checkstring(L, 2)), "save");
    return 0;
}

static int m_write_arpa(lua_State *L)
{
    llm_lua_check(L, ngram_write_arpa(check_model(L, 1), luaL_checkstring(L, 2)), "write_arpa");
    return 0;
}

static int n_load(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    ngram_ud *u = llm_lua_newbox(L, sizeof *u, NGRAM_MT);
    llm_lua_check(L, ngram_load(&u->m, path), "load");
    return 1;
}

static int n_read_arpa(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    ngram_ud *u = llm_lua_newbox(L, sizeof *u, NGRAM_MT);
    llm_lua_check(L, ngram_read_arpa(&u->m, path), "read_arpa");
    return 1;
}

/* _ngram.synonyms(word, pos) with pos 0..4 */
/* The engine's list of synonyms, owned by a to-be-closed userdata while
 * it is copied into a table, so that a Lua error cannot leak it. */
#define LIST_MT "llm.ngram.wordlist"
typedef struct list_box { char **list; size_t n; } list_box;

static int list_close(lua_State *L)
{
    list_box *b = luaL_checkudata(L, 1, LIST_MT);
    if (b->list) augment_free_list(b->list, b->n);
    b->list = NULL;
    b->n = 0;
    return 0;
}

static int n_synonyms(lua_State *L)
{
    const char *w = luaL_checkstring(L, 1);
    lua_Integer pos = luaL_optinteger(L, 2, 0);
    if (pos < 0 || pos > 4) return luaL_error(L, "synonyms: part of speech must be 0..4");
    list_box *b = llm_lua_newbox(L, sizeof *b, LIST_MT);
    lua_toclose(L, -1);
    llm_lua_check(L, augment_synonyms(w, (augment_pos)pos, &b->list, &b->n), "synonyms");
    lua_createtable(L, (int)b->n, 0);
    for (size_t i = 0; i < b->n; i++) {
        lua_pushstring(L, b->list[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static const luaL_Reg model_methods[] = {
    {"fit", m_fit}, {"tune", m_tune}, {"weights", m_weights}, {"discounts", m_discounts},
    {"prob", m_prob}, {"evaluate", m_evaluate}, {"generate", m_generate}, {"count", m_count},
    {"vocab", m_vocab}, {"info", m_info}, {"save", m_save}, {"write_arpa", m_write_arpa}, {NULL, NULL},
};

static const luaL_Reg ngram_funcs[] = {
    {"new", n_new}, {"load", n_load}, {"read_arpa", n_read_arpa}, {"synonyms", n_synonyms}, {NULL, NULL},
};

void l_ngram_register(lua_State *L)
{
    luaL_newmetatable(L, NGRAM_MT);
    lua_newtable(L);
    luaL_setfuncs(L, model_methods, 0);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, m_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, m_gc);
    lua_setfield(L, -2, "__close");
    lua_pop(L, 1);
    luaL_newmetatable(L, LIST_MT);
    lua_pushcfunction(L, list_close);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, list_close);
    lua_setfield(L, -2, "__close");
    lua_pop(L, 1);
    lua_newtable(L);
    luaL_setfuncs(L, ngram_funcs, 0);
    lua_setfield(L, -2, "_ngram");
}
