/* l_text.c: bindings of the text engine (text.h) as llm.core._text, which
 * lua/llm/text.lua and lua/llm/data/ wrap with named options. Thin: argument
 * checks, userdata for stats and dedup objects, engine errors raised with
 * luaL_error. Engine buffers live in userdata boxes (freed by __gc/__close)
 * so a Lua error in the middle of a call never leaks them. JSON decoding
 * (jansson) for the JSONL reader lives here too. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "lua_llm.h"
#include "text.h"

#define BUF_MT "llm.text.buf"
#define STATS_MT "llm.text.stats"
#define DEDUP_MT "llm.text.dedup"
#define JSON_MT "llm.text.json"

/* ---------------------------------------------------------------- buffers */

static int buf_gc(lua_State *L)
{
    text_buf *b = luaL_checkudata(L, 1, BUF_MT);
    text_buf_free(b);
    return 0;
}

/* A text_buf owned by a userdata left on the stack. */
static text_buf *new_buf(lua_State *L)
{
    text_buf *b = lua_newuserdatauv(L, sizeof *b, 0);
    text_buf_init(b);
    luaL_setmetatable(L, BUF_MT);
    return b;
}

static void push_buf(lua_State *L, const text_buf *b)
{
    lua_pushlstring(L, b->data ? b->data : "", b->len);
}

/* ---------------------------------------------------------------- strings */

static const char *const norm_names[] = {"none", "nfc", "nfd", "nfkc", "nfkd", NULL};

static int l_normalize(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    int form = luaL_checkoption(L, 2, "nfc", norm_names);
    int fold = lua_toboolean(L, 3);
    text_buf *b = new_buf(L);
    size_t bad = 0;
    llm_lua_check(L, text_normalize(s, n, (text_norm_form)form, fold, b, &bad), "normalize");
    push_buf(L, b);
    lua_pushinteger(L, (lua_Integer)bad);
    return 2;
}

static int l_utf8_repair(lua_State *L)
{
    size_t n, bad = 0;
    const char *s = luaL_checklstring(L, 1, &n);
    text_buf *b = new_buf(L);
    llm_lua_check(L, text_utf8_repair(s, n, b, &bad), "utf8_repair");
    push_buf(L, b);
    lua_pushinteger(L, (lua_Integer)bad);
    return 2;
}

static int l_utf8_check(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    size_t at = text_utf8_check(s, n);
    if (at == (size_t)-1) lua_pushnil(L);
    else lua_pushinteger(L, (lua_Integer)at + 1);
    return 1;
}

static int l_utf8_length(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    lua_pushinteger(L, (lua_Integer)text_utf8_length(s, n));
    return 1;
}

static int l_html_to_text(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    unsigned flags = lua_toboolean(L, 2) ? TEXT_HTML_NO_BOILERPLATE : 0;
    text_buf *b = new_buf(L);
    llm_lua_check(L, text_html_to_text_ex(s, n, flags, b), "html_to_text");
    push_buf(L, b);
    return 1;
}

static int l_html_entity(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    uint32_t cp = text_html_entity(s, n);
    if (!cp) return 0;
    lua_pushinteger(L, cp);
    return 1;
}

static int l_standardize(lua_State *L)
{
    size_t n, changes = 0, bad = 0;
    const char *s = luaL_checklstring(L, 1, &n);
    lua_Integer rules = luaL_optinteger(L, 2, TEXT_STD_ALL);
    luaL_argcheck(L, rules >= 0 && rules <= TEXT_STD_ALL, 2, "unknown rule bits");
    text_buf *b = new_buf(L);
    llm_lua_check(L, text_standardize(s, n, (unsigned)rules, b, &changes, &bad), "standardize");
    push_buf(L, b);
    lua_pushinteger(L, (lua_Integer)changes);
    lua_pushinteger(L, (lua_Integer)bad);
    return 3;
}

static int l_words(lua_State *L)
{
    size_t n, pos = 0, a, b;
    const char *s = luaL_checklstring(L, 1, &n);
    lua_newtable(L);
    lua_Integer k = 0;
    while (text_word_next(s, n, &pos, &a, &b)) {
        lua_pushlstring(L, s + a, b - a);
        lua_rawseti(L, -2, ++k);
    }
    return 1;
}

static int l_count_lines(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    lua_Integer k = 0;
    for (const char *p = s; (p = memchr(p, '\n', (size_t)(s + n - p))) != NULL; p++) k++;
    lua_pushinteger(L, k);
    return 1;
}

static int l_hash64(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    lua_pushinteger(L, (lua_Integer)text_hash64(s, n));
    return 1;
}

static int l_edit_distance(lua_State *L)
{
    size_t na, nb, d;
    const char *a = luaL_checklstring(L, 1, &na);
    const char *b = luaL_checklstring(L, 2, &nb);
    llm_lua_check(L, text_edit_distance(a, na, b, nb, &d), "edit_distance");
    lua_pushinteger(L, (lua_Integer)d);
    return 1;
}

static int l_similarity(lua_State *L)
{
    size_t na, nb;
    double sim;
    const char *a = luaL_checklstring(L, 1, &na);
    const char *b = luaL_checklstring(L, 2, &nb);
    llm_lua_check(L, text_similarity(a, na, b, nb, &sim), "similarity");
    lua_pushnumber(L, sim);
    return 1;
}

/* ---------------------------------------------------------------- quality */

static double opt_num(lua_State *L, int t, const char *k, double def)
{
    lua_getfield(L, t, k);
    double v = def;
    if (lua_isboolean(L, -1)) v = lua_toboolean(L, -1) ? def : -1; /* false turns a rule off */
    else if (!lua_isnil(L, -1)) {
        int ok;
        v = lua_tonumberx(L, -1, &ok);
        if (!ok) luaL_error(L, "quality: option '%s' must be a number or false", k);
    }
    lua_pop(L, 1);
    return v;
}

static int l_quality(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    text_quality_opts o;
    text_quality_defaults(&o);
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        o.min_words = (long)opt_num(L, 2, "min_words", (double)o.min_words);
        o.max_words = (long)opt_num(L, 2, "max_words", (double)o.max_words);
        o.min_mean_word_len = opt_num(L, 2, "min_mean_word_len", o.min_mean_word_len);
        o.max_mean_word_len = opt_num(L, 2, "max_mean_word_len", o.max_mean_word_len);
        o.max_symbol_ratio = opt_num(L, 2, "max_symbol_ratio", o.max_symbol_ratio);
        o.min_alpha_word_frac = opt_num(L, 2, "min_alpha_word_frac", o.min_alpha_word_frac);
        o.min_punct_line_frac = opt_num(L, 2, "min_punct_line_frac", o.min_punct_line_frac);
        o.max_dup_line_frac = opt_num(L, 2, "max_dup_line_frac", o.max_dup_line_frac);
        o.max_top_bigram_frac = opt_num(L, 2, "max_top_bigram_frac", o.max_top_bigram_frac);
        o.max_dup_5gram_frac = opt_num(L, 2, "max_dup_5gram_frac", o.max_dup_5gram_frac);
        o.max_bullet_line_frac = opt_num(L, 2, "max_bullet_line_frac", o.max_bullet_line_frac);
        o.max_ellipsis_line_frac = opt_num(L, 2, "max_ellipsis_line_frac", o.max_ellipsis_line_frac);
        o.reject_lorem_ipsum = opt_num(L, 2, "reject_lorem_ipsum", o.reject_lorem_ipsum) > 0;
        o.reject_curly_brace = opt_num(L, 2, "reject_curly_brace", o.reject_curly_brace) > 0;
    }
    text_quality_report r;
    llm_lua_check(L, text_quality_check(s, n, &o, &r), "quality");
    lua_createtable(L, 0, 16);
    lua_pushboolean(L, r.keep);
    lua_setfield(L, -2, "keep");
    if (!r.keep) {
        lua_pushstring(L, r.rule);
        lua_setfield(L, -2, "rule");
        lua_pushstring(L, r.reason);
        lua_setfield(L, -2, "reason");
    }
#define NUM(f) (lua_pushnumber(L, (lua_Number)r.f), lua_setfield(L, -2, #f))
    lua_pushinteger(L, r.words);
    lua_setfield(L, -2, "words");
    lua_pushinteger(L, r.lines);
    lua_setfield(L, -2, "lines");
    NUM(mean_word_len); NUM(symbol_ratio); NUM(alpha_word_frac); NUM(punct_line_frac);
    NUM(dup_line_frac); NUM(top_bigram_frac); NUM(dup_5gram_frac); NUM(bullet_line_frac);
    NUM(ellipsis_line_frac);
#undef NUM
    return 1;
}

/* ---------------------------------------------------------------- stats */

typedef struct stats_box { text_stats *st; } stats_box;

static text_stats *check_stats(lua_State *L)
{
    stats_box *b = luaL_checkudata(L, 1, STATS_MT);
    if (!b->st) luaL_error(L, "stats: object already closed");
    return b->st;
}

static int stats_gc(lua_State *L)
{
    stats_box *b = luaL_checkudata(L, 1, STATS_MT);
    text_stats_free(b->st);
    b->st = NULL;
    return 0;
}

static int l_stats_new(lua_State *L)
{
    text_stats_opts o = {lua_toboolean(L, 1), (int)luaL_optinteger(L, 2, 100)};
    stats_box *b = llm_lua_newbox(L, sizeof *b, STATS_MT);
    b->st = text_stats_new(&o);
    if (!b->st) return llm_lua_fail(L, "stats");
    return 1;
}

static int stats_add(lua_State *L)
{
    text_stats *st = check_stats(L);
    size_t n;
    const char *s = luaL_checklstring(L, 2, &n);
    llm_lua_check(L, text_stats_add(st, s, n), "stats");
    lua_settop(L, 1);
    return 1;
}

static int stats_totals(lua_State *L)
{
    text_stats *st = check_stats(L);
    text_stats_totals t;
    text_stats_totals_get(st, &t);
    lua_createtable(L, 0, 8);
#define INT(f) (lua_pushinteger(L, (lua_Integer)t.f), lua_setfield(L, -2, #f))
    INT(bytes); INT(chars); INT(words); INT(sentences); INT(lines); INT(types); INT(hapax);
#undef INT
    lua_pushnumber(L, t.words ? (double)t.types / (double)t.words : 0.0);
    lua_setfield(L, -2, "ttr");
    return 1;
}

static int stats_top(lua_State *L)
{
    text_stats *st = check_stats(L);
    lua_Integer k = luaL_optinteger(L, 2, 20);
    luaL_argcheck(L, k >= 0 && k <= 10000000, 2, "k must be between 0 and 10,000,000");
    text_word_count *v = lua_newuserdatauv(L, (size_t)(k ? k : 1) * sizeof *v, 0);
    size_t got = 0;
    llm_lua_check(L, text_stats_top(st, (size_t)k, v, &got), "stats.top");
    lua_createtable(L, (int)got, 0);
    for (size_t i = 0; i < got; i++) {
        lua_createtable(L, 2, 0);
        lua_pushlstring(L, v[i].word, v[i].len);
        lua_rawseti(L, -2, 1);
        lua_pushinteger(L, (lua_Integer)v[i].count);
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int stats_hapax(lua_State *L)
{
    text_stats *st = check_stats(L);
    lua_Integer k = luaL_optinteger(L, 2, 20);
    luaL_argcheck(L, k >= 0 && k <= 10000000, 2, "k must be between 0 and 10,000,000");
    text_word_count *v = lua_newuserdatauv(L, (size_t)(k ? k : 1) * sizeof *v, 0);
    size_t got = 0;
    llm_lua_check(L, text_stats_hapax(st, (size_t)k, v, &got), "stats.hapax");
    lua_createtable(L, (int)got, 0);
    for (size_t i = 0; i < got; i++) {
        lua_pushlstring(L, v[i].word, v[i].len);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int stats_hist(lua_State *L)
{
    text_stats *st = check_stats(L);
    size_t bins;
    const uint64_t *h = text_stats_sentence_hist(st, &bins);
    lua_createtable(L, (int)bins, 0);
    for (size_t i = 0; i < bins; i++) {
        lua_pushinteger(L, (lua_Integer)h[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1); /* t[len+1] = count of sentences with len words */
    }
    return 1;
}

static int stats_zipf(lua_State *L)
{
    text_stats *st = check_stats(L);
    lua_Integer m = luaL_optinteger(L, 2, 0);
    luaL_argcheck(L, m >= 0, 2, "max rank must be >= 0");
    double s, a, r2;
    llm_lua_check(L, text_stats_zipf(st, (size_t)m, &s, &a, &r2), "stats.zipf");
    lua_pushnumber(L, s);
    lua_pushnumber(L, a);
    lua_pushnumber(L, r2);
    return 3;
}

static const luaL_Reg stats_methods[] = {
    {"add", stats_add}, {"totals", stats_totals}, {"top", stats_top}, {"hapax", stats_hapax},
    {"sentence_lengths", stats_hist}, {"zipf", stats_zipf}, {NULL, NULL}};

/* ---------------------------------------------------------------- shingles / dedup */

static const char *const kind_names[] = {"word", "char", NULL};

/* A malloc'd pointer owned by a userdata (freed by __gc), so that no Lua
 * allocation error can leak it. */
#define PTR_MT "llm.text.ptr"
typedef struct ptr_box { void *p; } ptr_box;

static int ptr_gc(lua_State *L)
{
    ptr_box *b = luaL_checkudata(L, 1, PTR_MT);
    free(b->p);
    b->p = NULL;
    return 0;
}

static int l_shingles(lua_State *L)
{
    size_t n, count;
    const char *s = luaL_checklstring(L, 1, &n);
    int kind = luaL_checkoption(L, 2, "word", kind_names);
    int k = (int)luaL_optinteger(L, 3, 3);
    ptr_box *box = llm_lua_newbox(L, sizeof *box, PTR_MT);
    uint64_t *v = NULL;
    llm_lua_check(L, text_shingles(s, n, (text_shingle_kind)kind, k, &v, &count), "shingles");
    box->p = v;
    lua_createtable(L, (int)count, 0);
    for (size_t i = 0; i < count; i++) {
        lua_pushinteger(L, (lua_Integer)v[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* jaccard(a, b): two lists of shingle hashes (as shingles() returns). */
static int l_jaccard(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checktype(L, 2, LUA_TTABLE);
    size_t na = (size_t)luaL_len(L, 1), nb = (size_t)luaL_len(L, 2);
    uint64_t *a = lua_newuserdatauv(L, (na + nb + 1) * sizeof *a, 0), *b = a + na;
    for (size_t i = 0; i < na; i++) { lua_rawgeti(L, 1, (lua_Integer)i + 1); a[i] = (uint64_t)lua_tointeger(L, -1); lua_pop(L, 1); }
    for (size_t i = 0; i < nb; i++) { lua_rawgeti(L, 2, (lua_Integer)i + 1); b[i] = (uint64_t)lua_tointeger(L, -1); lua_pop(L, 1); }
    for (size_t i = 1; i < na; i++) if (a[i] <= a[i - 1]) return luaL_error(L, "jaccard: first set is not sorted and unique");
    for (size_t i = 1; i < nb; i++) if (b[i] <= b[i - 1]) return luaL_error(L, "jaccard: second set is not sorted and unique");
    lua_pushnumber(L, text_jaccard(a, na, b, nb));
    return 1;
}

typedef struct dedup_box { text_dedup *d; } dedup_box;

static text_dedup *check_dedup(lua_State *L)
{
    dedup_box *b = luaL_checkudata(L, 1, DEDUP_MT);
    if (!b->d) luaL_error(L, "dedup: object already closed");
    return b->d;
}

static int dedup_gc(lua_State *L)
{
    dedup_box *b = luaL_checkudata(L, 1, DEDUP_MT);
    text_dedup_free(b->d);
    b->d = NULL;
    return 0;
}

/* dedup_new(kind, shingle, perms, bands, threshold, seed) */
static int l_dedup_new(lua_State *L)
{
    text_dedup_opts o;
    text_dedup_defaults(&o);
    o.kind = (text_shingle_kind)luaL_checkoption(L, 1, "word", kind_names);
    o.shingle = (int)luaL_optinteger(L, 2, o.shingle);
    o.perms = (int)luaL_optinteger(L, 3, o.perms);
    o.bands = (int)luaL_optinteger(L, 4, o.bands);
    o.threshold = luaL_optnumber(L, 5, o.threshold);
    o.seed = (uint64_t)luaL_optinteger(L, 6, 0);
    dedup_box *b = llm_lua_newbox(L, sizeof *b, DEDUP_MT);
    b->d = text_dedup_new(&o);
    if (!b->d) return llm_lua_fail(L, "dedup");
    return 1;
}

static int dedup_add(lua_State *L)
{
    text_dedup *d = check_dedup(L);
    size_t n;
    const char *s = luaL_checklstring(L, 2, &n);
    llm_lua_check(L, text_dedup_add(d, s, n), "dedup.add");
    lua_pushinteger(L, (lua_Integer)text_dedup_count(d));
    return 1;
}

static int dedup_run(lua_State *L)
{
    text_dedup *d = check_dedup(L);
    llm_lua_check(L, text_dedup_run(d), "dedup.run");
    size_t n = text_dedup_count(d), np;
    const uint32_t *c = text_dedup_clusters(d);
    const text_dup_pair *p = text_dedup_pairs(d, &np);
    uint64_t cand, exact;
    text_dedup_counters(d, &cand, &exact);
    lua_createtable(L, 0, 4);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushinteger(L, (lua_Integer)c[i] + 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "cluster");
    lua_createtable(L, (int)np, 0);
    for (size_t i = 0; i < np; i++) {
        lua_createtable(L, 3, 0);
        lua_pushinteger(L, (lua_Integer)p[i].a + 1);
        lua_rawseti(L, -2, 1);
        lua_pushinteger(L, (lua_Integer)p[i].b + 1);
        lua_rawseti(L, -2, 2);
        lua_pushnumber(L, p[i].jaccard);
        lua_rawseti(L, -2, 3);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "pairs");
    lua_pushinteger(L, (lua_Integer)cand);
    lua_setfield(L, -2, "candidates");
    lua_pushinteger(L, (lua_Integer)exact);
    lua_setfield(L, -2, "exact");
    return 1;
}

static const luaL_Reg dedup_methods[] = {{"add", dedup_add}, {"run", dedup_run}, {NULL, NULL}};

/* ---------------------------------------------------------------- JSON */

typedef struct json_box { json_t *j; } json_box;

static int json_gc(lua_State *L)
{
    json_box *b = luaL_checkudata(L, 1, JSON_MT);
    if (b->j) json_decref(b->j);
    b->j = NULL;
    return 0;
}

static void push_json(lua_State *L, json_t *j, int depth)
{
    if (depth > 200) luaL_error(L, "json: nested deeper than 200 levels");
    luaL_checkstack(L, 4, "json: too deep");
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        lua_createtable(L, 0, (int)json_object_size(j));
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v) {
            push_json(L, v, depth + 1);
            lua_setfield(L, -2, k);
        }
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *v;
        lua_createtable(L, (int)json_array_size(j), 0);
        json_array_foreach(j, i, v) {
            push_json(L, v, depth + 1);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        break;
    }
    case JSON_STRING: lua_pushlstring(L, json_string_value(j), json_string_length(j)); break;
    case JSON_INTEGER: lua_pushinteger(L, (lua_Integer)json_integer_value(j)); break;
    case JSON_REAL: lua_pushnumber(L, json_real_value(j)); break;
    case JSON_TRUE: lua_pushboolean(L, 1); break;
    case JSON_FALSE: lua_pushboolean(L, 0); break;
    default: lua_pushlightuserdata(L, NULL); break; /* null: the llm.data.null sentinel */
    }
}

/* json_decode(s) -> value, json type name | nil, "line L column C: message"
 * (never raises on bad JSON) */
static int l_json_decode(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    json_box *b = llm_lua_newbox(L, sizeof *b, JSON_MT);
    json_error_t err;
    b->j = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!b->j) {
        lua_pushnil(L);
        lua_pushfstring(L, "line %d column %d: %s", err.line, err.column, err.text);
        return 2;
    }
    push_json(L, b->j, 0);
    static const char *const type_names[] = {"object", "array", "string", "integer", "real", "true", "false", "null"};
    int t = (int)json_typeof(b->j);
    lua_pushstring(L, t >= 0 && t < 8 ? type_names[t] : "unknown");
    json_decref(b->j);
    b->j = NULL;
    return 2;
}

/* Monotonic wall-clock seconds, for the benchmarks in bench/ (os.clock is CPU time). */
static int l_wall_clock(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec * 1e-9);
    return 1;
}

/* ---------------------------------------------------------------- registration */

static const luaL_Reg text_funcs[] = {
    {"normalize", l_normalize}, {"utf8_repair", l_utf8_repair}, {"utf8_check", l_utf8_check},
    {"utf8_length", l_utf8_length}, {"html_to_text", l_html_to_text}, {"html_entity", l_html_entity},
    {"standardize", l_standardize}, {"quality", l_quality}, {"stats_new", l_stats_new},
    {"hash64", l_hash64}, {"words", l_words}, {"count_lines", l_count_lines}, {"shingles", l_shingles}, {"jaccard", l_jaccard}, {"dedup_new", l_dedup_new},
    {"edit_distance", l_edit_distance}, {"similarity", l_similarity}, {"json_decode", l_json_decode},
    {"wall_clock", l_wall_clock},
    {NULL, NULL}};

static void new_class(lua_State *L, const char *name, lua_CFunction gc, const luaL_Reg *methods)
{
    luaL_newmetatable(L, name);
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__close");
    if (methods) {
        lua_newtable(L);
        luaL_setfuncs(L, methods, 0);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
}

void l_text_register(lua_State *L)
{
    new_class(L, BUF_MT, buf_gc, NULL);
    new_class(L, STATS_MT, stats_gc, stats_methods);
    new_class(L, DEDUP_MT, dedup_gc, dedup_methods);
    new_class(L, JSON_MT, json_gc, NULL);
    new_class(L, PTR_MT, ptr_gc, NULL);
    lua_newtable(L);
    luaL_setfuncs(L, text_funcs, 0);
    lua_pushlightuserdata(L, NULL);
    lua_setfield(L, -2, "null");
    lua_pushinteger(L, TEXT_STD_CONTROL);
    lua_setfield(L, -2, "STD_CONTROL");
    lua_pushinteger(L, TEXT_STD_WHITESPACE);
    lua_setfield(L, -2, "STD_WHITESPACE");
    lua_pushinteger(L, TEXT_STD_QUOTES);
    lua_setfield(L, -2, "STD_QUOTES");
    lua_pushinteger(L, TEXT_STD_DASHES);
    lua_setfield(L, -2, "STD_DASHES");
    lua_pushinteger(L, TEXT_STD_ZEROWIDTH);
    lua_setfield(L, -2, "STD_ZEROWIDTH");
    lua_setfield(L, -2, "_text");
}
