/*
 * l_tokenize.c: Lua bindings of tokenize.h, in the private table
 * llm._tokenize; lua/llm/bpe.lua, tokenize.lua and normalize.lua build the
 * public API (llm.bpe, llm.tokenize, llm.normalize) on top.
 *
 * Userdata: "llm.bpe" (a BPE tokenizer, with an id buffer reused by every
 * encode), "llm.pretok" (a compiled pattern), "llm.stemmer", and "llm.strbox"
 * (owns an engine-allocated string until Lua has copied it, so that a Lua
 * error in between cannot leak it). Ids are 0-based, as in GPT-2.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "lua_llm.h"
#include "tokenize.h"

typedef struct l_bpe { tok_bpe *b; tok_ids ids; } l_bpe;

static l_bpe *check_bpe(lua_State *L, int i)
{
    l_bpe *u = luaL_checkudata(L, i, "llm.bpe");
    if (!u->b) luaL_error(L, "bpe: the tokenizer has been closed");
    return u;
}

static int bpe_gc(lua_State *L)
{
    l_bpe *u = luaL_checkudata(L, 1, "llm.bpe");
    tok_bpe_free(u->b);
    tok_ids_free(&u->ids);
    u->b = NULL;
    return 0;
}

static l_bpe *new_bpe(lua_State *L)
{
    return llm_lua_newbox(L, sizeof(l_bpe), "llm.bpe");
}

/* ---- strbox: an engine string owned by a userdata until pushed */
typedef struct strbox { char *s; } strbox;
static int strbox_gc(lua_State *L)
{
    strbox *b = luaL_checkudata(L, 1, "llm.strbox");
    free(b->s);
    b->s = NULL;
    return 0;
}
static strbox *new_strbox(lua_State *L)
{
    return llm_lua_newbox(L, sizeof(strbox), "llm.strbox");
}
/* Replace the box at the top of the stack by the string it holds. */
static void strbox_push(lua_State *L, strbox *b, size_t n)
{
    lua_pushlstring(L, b->s, n);
    free(b->s);
    b->s = NULL;
    lua_remove(L, -2);
}

typedef llm_status (*map_fn)(const char *, size_t, char **, size_t *);
static int push_mapped(lua_State *L, map_fn fn, const char *op)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    strbox *b = new_strbox(L);
    size_t on;
    llm_lua_check(L, fn(s, n, &b->s, &on), op);
    strbox_push(L, b, on);
    return 1;
}

static int l_lowercase(lua_State *L) { return push_mapped(L, tok_lowercase, "lowercase"); }
static int l_casefold(lua_State *L) { return push_mapped(L, tok_casefold, "casefold"); }
static int l_punct_standardize(lua_State *L) { return push_mapped(L, tok_punct_standardize, "standardize_punctuation"); }

static int l_punct_remove(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    int space = lua_toboolean(L, 2);
    strbox *b = new_strbox(L);
    size_t on;
    llm_lua_check(L, tok_punct_remove(s, n, space, &b->s, &on), "remove_punctuation");
    strbox_push(L, b, on);
    return 1;
}

/* ---- BPE */
static const char *const mode_names[] = { "reject", "allow", "text", NULL };

/* encode(s [, opts]): opts is a mode name ("reject", "allow", "text") or a
 * table {special = mode | {names...}, others = "reject" | "text"}. */
static int l_bpe_encode(lua_State *L)
{
    l_bpe *u = check_bpe(L, 1);
    size_t n;
    const char *s = luaL_checklstring(L, 2, &n);
    tok_special_mode mode = TOK_SPECIAL_REJECT, others = TOK_SPECIAL_REJECT;
    const char **allowed = NULL;
    size_t n_allowed = 0;
    int use_list = 0;
    if (lua_type(L, 3) == LUA_TSTRING) {
        mode = (tok_special_mode)luaL_checkoption(L, 3, NULL, mode_names);
    } else if (lua_istable(L, 3)) {
        int t = lua_getfield(L, 3, "special");
        if (t == LUA_TSTRING) {
            mode = (tok_special_mode)luaL_checkoption(L, -1, NULL, mode_names);
        } else if (t == LUA_TTABLE) {
            int list = lua_gettop(L);
            use_list = 1;
            n_allowed = (size_t)luaL_len(L, list);
            allowed = lua_newuserdatauv(L, (n_allowed + 1) * sizeof *allowed, 0); /* freed by the GC */
            for (size_t i = 0; i < n_allowed; i++) {
                if (lua_geti(L, list, (lua_Integer)i + 1) != LUA_TSTRING)
                    return luaL_error(L, "encode: special[%d] is not a string", (int)i + 1);
                allowed[i] = lua_tostring(L, -1); /* kept alive by the list */
                lua_pop(L, 1);
            }
        } else if (t != LUA_TNIL) {
            return luaL_error(L, "encode: special must be \"reject\", \"allow\", \"text\" or a list of names");
        }
        if (lua_getfield(L, 3, "others") != LUA_TNIL) {
            others = (tok_special_mode)luaL_checkoption(L, -1, NULL, mode_names);
            if (others == TOK_SPECIAL_ALLOW) return luaL_error(L, "encode: others must be \"reject\" or \"text\"");
        }
    } else if (!lua_isnoneornil(L, 3)) {
        return luaL_typeerror(L, 3, "string or table");
    }
    u->ids.n = 0;
    llm_status st = use_list ? tok_bpe_encode_allowed(u->b, s, n, allowed, n_allowed, others, &u->ids)
                             : tok_bpe_encode(u->b, s, n, mode, &u->ids);
    llm_lua_check(L, st, "encode");
    lua_createtable(L, (int)u->ids.n, 0);
    for (size_t i = 0; i < u->ids.n; i++) {
        lua_pushinteger(L, u->ids.v[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int l_bpe_decode(lua_State *L)
{
    l_bpe *u = check_bpe(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_Integer n = luaL_len(L, 2);
    luaL_Buffer buf;
    luaL_buffinit(L, &buf);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, 2, i);
        int ok;
        lua_Integer id = lua_tointegerx(L, -1, &ok);
        lua_pop(L, 1);
        size_t tl;
        const char *t = ok && id >= 0 && id <= INT32_MAX ? tok_bpe_token(u->b, (int32_t)id, &tl) : NULL;
        if (!t)
            return luaL_error(L, "decode: id %s at position %d is %s (vocabulary 0..%d)",
                              ok ? lua_pushfstring(L, "%I", id) : "?", (int)i,
                              ok ? "outside the vocabulary" : "not an integer", (int)tok_bpe_vocab_size(u->b) - 1);
        luaL_addlstring(&buf, t, tl);
    }
    luaL_pushresult(&buf);
    return 1;
}

static int l_bpe_vocab_size(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)tok_bpe_vocab_size(check_bpe(L, 1)->b));
    return 1;
}

static int l_bpe_token_to_id(lua_State *L)
{
    l_bpe *u = check_bpe(L, 1);
    size_t n;
    const char *s = luaL_checklstring(L, 2, &n);
    int32_t id = tok_bpe_token_id(u->b, s, n);
    if (id < 0) lua_pushnil(L);
    else lua_pushinteger(L, id);
    return 1;
}

static int l_bpe_id_to_token(lua_State *L)
{
    l_bpe *u = check_bpe(L, 1);
    lua_Integer id = luaL_checkinteger(L, 2);
    size_t n;
    const char *t = id >= 0 && id <= INT32_MAX ? tok_bpe_token(u->b, (int32_t)id, &n) : NULL;
    if (!t) lua_pushnil(L);
    else lua_pushlstring(L, t, n);
    return 1;
}

static int l_bpe_save(lua_State *L)
{
    l_bpe *u = check_bpe(L, 1);
    llm_lua_check(L, tok_bpe_save(u->b, luaL_checkstring(L, 2)), "save");
    return 0;
}

static int l_bpe_merges(lua_State *L)
{
    l_bpe *u = check_bpe(L, 1);
    size_t n = tok_bpe_n_merges(u->b);
    lua_createtable(L, (int)n, 0);
    for (size_t k = 0; k < n; k++) {
        int32_t l, r, m;
        tok_bpe_merge(u->b, k, &l, &r, &m);
        lua_createtable(L, 3, 0);
        lua_pushinteger(L, l);
        lua_rawseti(L, -2, 1);
        lua_pushinteger(L, r);
        lua_rawseti(L, -2, 2);
        lua_pushinteger(L, m);
        lua_rawseti(L, -2, 3);
        lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    return 1;
}

static int l_bpe_specials(lua_State *L)
{
    l_bpe *u = check_bpe(L, 1);
    lua_newtable(L);
    for (size_t i = 0; i < tok_bpe_n_special(u->b); i++) {
        int32_t id;
        const char *s = tok_bpe_special(u->b, i, &id);
        lua_pushinteger(L, id);
        lua_setfield(L, -2, s);
    }
    return 1;
}

static int l_bpe_pattern(lua_State *L)
{
    lua_pushstring(L, tok_bpe_pattern(check_bpe(L, 1)->b));
    return 1;
}

static int l_bpe_tostring(lua_State *L)
{
    l_bpe *u = luaL_checkudata(L, 1, "llm.bpe");
    if (!u->b) lua_pushliteral(L, "bpe (closed)");
    else lua_pushfstring(L, "bpe (%d tokens, %d merges, pattern %s)", (int)tok_bpe_vocab_size(u->b),
                         (int)tok_bpe_n_merges(u->b), tok_bpe_pattern(u->b));
    return 1;
}

static int l_bpe_gpt2(lua_State *L)
{
    const char *enc = luaL_checkstring(L, 1), *voc = luaL_checkstring(L, 2);
    l_bpe *u = new_bpe(L);
    llm_lua_check(L, tok_bpe_load_gpt2(&u->b, enc, voc), "bpe.gpt2");
    return 1;
}

static int l_bpe_load(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    l_bpe *u = new_bpe(L);
    llm_lua_check(L, tok_bpe_load(&u->b, path), "bpe.load");
    return 1;
}

/* bpe_train(text, {vocab_size=, pattern=, special={...}, min_frequency=}) */
static int l_bpe_train(lua_State *L)
{
    size_t n;
    const char *text = luaL_checklstring(L, 1, &n);
    luaL_checktype(L, 2, LUA_TTABLE);
    tok_bpe_train_opts o = { 0 };
    lua_getfield(L, 2, "vocab_size");
    lua_Integer vs = luaL_optinteger(L, -1, 0);
    lua_pop(L, 1);
    if (vs < 1) return luaL_error(L, "bpe.train: vocab_size must be a positive integer");
    o.vocab_size = (size_t)vs;
    lua_getfield(L, 2, "min_frequency");
    lua_Integer mf = luaL_optinteger(L, -1, 2);
    lua_pop(L, 1);
    if (mf < 1) return luaL_error(L, "bpe.train: min_frequency must be at least 1");
    o.min_frequency = (uint64_t)mf;
    if (lua_getfield(L, 2, "pattern") == LUA_TNIL) o.pattern = "gpt2";
    else if (lua_type(L, -1) == LUA_TSTRING) o.pattern = lua_tostring(L, -1); /* the table keeps it alive */
    else return luaL_error(L, "bpe.train: pattern must be a string (\"gpt2\", \"cl100k\" or a regex)");
    lua_pop(L, 1);
    lua_getfield(L, 2, "special");
    int sp = lua_gettop(L);
    size_t ns = 0;
    if (!lua_isnil(L, sp)) {
        luaL_checktype(L, sp, LUA_TTABLE);
        ns = (size_t)luaL_len(L, sp);
    }
    const char **specials = ns ? lua_newuserdatauv(L, ns * sizeof *specials, 0) : NULL;
    for (size_t i = 0; i < ns; i++) {
        lua_geti(L, sp, (lua_Integer)i + 1);
        if (lua_type(L, -1) != LUA_TSTRING) return luaL_error(L, "bpe.train: special[%d] is not a string", (int)i + 1);
        specials[i] = lua_tostring(L, -1); /* the string stays in the table */
        lua_pop(L, 1);
    }
    o.special = specials;
    o.n_special = ns;
    l_bpe *u = new_bpe(L);
    llm_lua_check(L, tok_bpe_train(&u->b, text, n, &o), "bpe.train");
    return 1;
}

/* ---- pre-tokenizer and regex splitting */
typedef struct l_pretok { tok_pretok *p; } l_pretok;
static int pretok_gc(lua_State *L)
{
    l_pretok *u = luaL_checkudata(L, 1, "llm.pretok");
    tok_pretok_free(u->p);
    u->p = NULL;
    return 0;
}

typedef struct split_ctx { lua_State *L; int matched_only; lua_Integer n; } split_ctx;
static llm_status on_split(void *ud, const char *text, size_t start, size_t len, int matched)
{
    split_ctx *c = ud;
    if (c->matched_only && !matched) return LLM_OK;
    lua_State *L = c->L;
    lua_createtable(L, 3, 0);
    lua_pushlstring(L, text + start, len);
    lua_rawseti(L, -2, 1);
    lua_pushinteger(L, (lua_Integer)start + 1);
    lua_rawseti(L, -2, 2);
    lua_pushinteger(L, (lua_Integer)(start + len));
    lua_rawseti(L, -2, 3);
    lua_rawseti(L, -2, ++c->n);
    return LLM_OK;
}

/* split(text, pattern, matched_only) -> { {piece, first byte, last byte}, ... } */
static int l_split(lua_State *L)
{
    size_t n;
    const char *text = luaL_checklstring(L, 1, &n);
    const char *pattern = luaL_optstring(L, 2, "gpt2");
    int matched_only = lua_toboolean(L, 3);
    l_pretok *u = llm_lua_newbox(L, sizeof *u, "llm.pretok");
    llm_lua_check(L, tok_pretok_new(&u->p, pattern), "split");
    lua_newtable(L);
    split_ctx c = { L, matched_only, 0 };
    llm_lua_check(L, tok_pretok_split(u->p, text, n, on_split, &c), "split");
    return 1;
}

/* ---- stemmer and lemmatiser */
typedef struct l_stem { tok_stemmer *s; } l_stem;
static int stemmer_gc(lua_State *L)
{
    l_stem *u = luaL_checkudata(L, 1, "llm.stemmer");
    tok_stemmer_free(u->s);
    u->s = NULL;
    return 0;
}

static int l_stemmer(lua_State *L)
{
    const char *alg = luaL_optstring(L, 1, "english");
    l_stem *u = llm_lua_newbox(L, sizeof *u, "llm.stemmer");
    llm_lua_check(L, tok_stemmer_new(&u->s, alg), "stemmer");
    return 1;
}

static int l_stemmer_stem(lua_State *L)
{
    l_stem *u = luaL_checkudata(L, 1, "llm.stemmer");
    size_t n;
    const char *w = luaL_checklstring(L, 2, &n);
    if (!u->s) return luaL_error(L, "stem: the stemmer has been closed");
    const char *st;
    size_t sl;
    llm_lua_check(L, tok_stem(u->s, w, n, &st, &sl), "stem");
    lua_pushlstring(L, st, sl);
    return 1;
}

static int l_stemmer_list(lua_State *L)
{
    lua_newtable(L);
    int i = 0;
    for (const char **l = tok_stemmer_list(); *l; l++) {
        lua_pushstring(L, *l);
        lua_rawseti(L, -2, ++i);
    }
    return 1;
}

static int l_lemmatize(lua_State *L)
{
    const char *w = luaL_checkstring(L, 1);
    const char *pos = luaL_optstring(L, 2, "n");
    if (strlen(pos) != 1) return luaL_error(L, "lemmatize: part of speech '%s' is not one of n, v, a, r", pos);
    char buf[256];
    llm_lua_check(L, tok_lemmatize(w, pos[0], buf, sizeof buf), NULL);
    lua_pushstring(L, buf);
    return 1;
}

/* morphstr(word, pos) -> array of the base forms libwordnet's morphstr() gives */
static int l_morphstr(lua_State *L)
{
    const char *w = luaL_checkstring(L, 1);
    const char *pos = luaL_optstring(L, 2, "n");
    if (strlen(pos) != 1) return luaL_error(L, "morphstr: part of speech '%s' is not one of n, v, a, r", pos);
    char buf[2048];
    llm_lua_check(L, tok_morphstr(w, pos[0], buf, sizeof buf), NULL);
    lua_newtable(L);
    int i = 0;
    for (char *p = buf; *p;) {
        size_t l = strcspn(p, " ");
        lua_pushlstring(L, p, l);
        lua_rawseti(L, -2, ++i);
        p += l;
        while (*p == ' ') p++;
    }
    return 1;
}

/* json_string_list(path, key) -> array of the strings under key (stopwords-iso). */
static int l_json_string_list(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1), *key = luaL_checkstring(L, 2);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root) return luaL_error(L, "%s: %s (line %d)", path, err.text, err.line);
    json_t *arr = json_object_get(root, key);
    if (!json_is_array(arr)) {
        json_decref(root);
        return luaL_error(L, "%s: no list named '%s'", path, key);
    }
    /* Only an out-of-memory error while copying could leave root held. */
    size_t n = json_array_size(arr);
    int ok = 1;
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n && ok; i++) {
        json_t *v = json_array_get(arr, i);
        if (!json_is_string(v)) { ok = 0; break; }
        lua_pushstring(L, json_string_value(v));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    json_decref(root);
    if (!ok) return luaL_error(L, "%s: the list '%s' holds something that is not a string", path, key);
    return 1;
}

static const luaL_Reg bpe_methods[] = {
    {"encode", l_bpe_encode},
    {"decode", l_bpe_decode},
    {"vocab_size", l_bpe_vocab_size},
    {"token_to_id", l_bpe_token_to_id},
    {"id_to_token", l_bpe_id_to_token},
    {"save", l_bpe_save},
    {"merges", l_bpe_merges},
    {"specials", l_bpe_specials},
    {"pattern", l_bpe_pattern},
    {NULL, NULL},
};

static const luaL_Reg tokenize_funcs[] = {
    {"bpe_gpt2", l_bpe_gpt2},
    {"bpe_load", l_bpe_load},
    {"bpe_train", l_bpe_train},
    {"split", l_split},
    {"lowercase", l_lowercase},
    {"casefold", l_casefold},
    {"remove_punctuation", l_punct_remove},
    {"standardize_punctuation", l_punct_standardize},
    {"stemmer", l_stemmer},
    {"stemmers", l_stemmer_list},
    {"lemmatize", l_lemmatize},
    {"morphstr", l_morphstr},
    {"json_string_list", l_json_string_list},
    {NULL, NULL},
};

void l_tokenize_register(lua_State *L)
{
    if (luaL_newmetatable(L, "llm.bpe")) {
        luaL_newlib(L, bpe_methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, bpe_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, bpe_gc);
        lua_setfield(L, -2, "__close");
        lua_pushcfunction(L, l_bpe_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, "llm.strbox")) {
        lua_pushcfunction(L, strbox_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, "llm.pretok")) {
        lua_pushcfunction(L, pretok_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, "llm.stemmer")) {
        lua_newtable(L);
        lua_pushcfunction(L, l_stemmer_stem);
        lua_setfield(L, -2, "stem");
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, stemmer_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, stemmer_gc);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
    luaL_newlib(L, tokenize_funcs);
    lua_setfield(L, -2, "_tokenize");
}
