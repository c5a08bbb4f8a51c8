/* l_embed.c: bindings for static word embeddings (embed.h) as `llm.embed_c`;
 * lua/llm/embed.lua builds the friendly `llm.embed` API on top.
 *   embed_c.train(text, opts)      -> model  (opts: see w2v_config; glove = true for GloVe)
 *   embed_c.load(path, binary)     -> model
 *   model:vector(word)             -> array of numbers (error for unknown words without subwords)
 *   model:nearest(query, k, exclude_words) -> words, sims   (query: a word or an array)
 *   model:size(), model:dim(), model:word(i), model:index(word) -> i or nil
 *   model:analogy(a, b, c, k, mul) -> words, scores   (a : b :: c : ?)
 *   model:save(path, binary)
 */
#include <string.h>
#include "lua_llm.h"
#include "embed.h"

#define MODEL_MT "llm.embed_model"

typedef struct { embed_model *m; } model_ud;

static embed_model *check_model(lua_State *L, int i)
{
    model_ud *u = luaL_checkudata(L, i, MODEL_MT);
    if (!u->m) luaL_error(L, "embedding model is closed");
    return u->m;
}

static int opt_int(lua_State *L, int t, const char *k, int def)
{
    int ty = lua_getfield(L, t, k);
    int v = def;
    if (ty != LUA_TNIL) {
        if (!lua_isinteger(L, -1)) luaL_error(L, "word2vec: option '%s' must be an integer", k);
        lua_Integer x = lua_tointeger(L, -1);
        if (x < -2147483647LL || x > 2147483647LL) luaL_error(L, "word2vec: option '%s' is out of range", k);
        v = (int)x;
    }
    lua_pop(L, 1);
    return v;
}

static double opt_num(lua_State *L, int t, const char *k, double def)
{
    int ty = lua_getfield(L, t, k);
    double v = def;
    if (ty != LUA_TNIL) {
        if (!lua_isnumber(L, -1)) luaL_error(L, "word2vec: option '%s' must be a number", k);
        v = lua_tonumber(L, -1);
    }
    lua_pop(L, 1);
    return v;
}

static int opt_bool(lua_State *L, int t, const char *k, int def)
{
    int ty = lua_getfield(L, t, k);
    int v = ty == LUA_TNIL ? def : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

static int l_train(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    luaL_checktype(L, 2, LUA_TTABLE);
    model_ud *u = llm_lua_newbox(L, sizeof *u, MODEL_MT);
    llm_status st;
    if (opt_bool(L, 2, "glove", 0)) {
        glove_config g;
        glove_config_default(&g);
        g.dim = opt_int(L, 2, "dim", g.dim);
        g.window = opt_int(L, 2, "window", g.window);
        g.min_count = opt_int(L, 2, "min_count", g.min_count);
        g.epochs = opt_int(L, 2, "epochs", g.epochs);
        g.threads = opt_int(L, 2, "threads", g.threads);
        g.x_max = opt_num(L, 2, "x_max", g.x_max);
        g.power = opt_num(L, 2, "power", g.power);
        g.alpha = opt_num(L, 2, "alpha", g.alpha);
        st = glove_train(&g, text, len, &u->m);
    } else {
        w2v_config c;
        int cbow = opt_bool(L, 2, "cbow", 0);
        w2v_config_default(&c, cbow ? EMBED_CBOW : EMBED_SKIPGRAM);
        c.dim = opt_int(L, 2, "dim", c.dim);
        c.window = opt_int(L, 2, "window", c.window);
        c.negative = opt_int(L, 2, "negative", c.negative);
        c.hs = opt_bool(L, 2, "hs", c.hs);
        c.min_count = opt_int(L, 2, "min_count", c.min_count);
        c.sample = opt_num(L, 2, "sample", c.sample);
        c.alpha = opt_num(L, 2, "alpha", c.alpha);
        c.min_alpha = opt_num(L, 2, "min_alpha", c.min_alpha);
        c.epochs = opt_int(L, 2, "epochs", c.epochs);
        c.threads = opt_int(L, 2, "threads", c.threads);
        c.subwords = opt_bool(L, 2, "subwords", c.subwords);
        c.minn = opt_int(L, 2, "minn", c.minn);
        c.maxn = opt_int(L, 2, "maxn", c.maxn);
        c.buckets = opt_int(L, 2, "buckets", c.buckets);
        st = w2v_train(&c, text, len, &u->m);
    }
    if (st != LLM_OK) return llm_lua_fail(L, NULL);
    return 1;
}

static int l_load(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    int binary = lua_toboolean(L, 2);
    model_ud *u = llm_lua_newbox(L, sizeof *u, MODEL_MT);
    if (embed_load(path, binary, &u->m) != LLM_OK) return llm_lua_fail(L, "embedding load");
    return 1;
}

static int m_gc(lua_State *L)
{
    model_ud *u = luaL_checkudata(L, 1, MODEL_MT);
    embed_model_free(u->m);
    u->m = NULL;
    return 0;
}

static int m_size(lua_State *L)
{
    lua_pushinteger(L, check_model(L, 1)->vocab.size);
    return 1;
}

static int m_dim(lua_State *L)
{
    lua_pushinteger(L, check_model(L, 1)->dim);
    return 1;
}

/* The vocabulary index (1-based in Lua) at argument 2, as a 0-based index. */
static int check_word_index(lua_State *L, const embed_model *m, const char *op)
{
    lua_Integer i = luaL_checkinteger(L, 2);
    if (i < 1 || i > m->vocab.size) luaL_error(L, "%s: index %d is not between 1 and %d", op, (int)i, m->vocab.size);
    return (int)(i - 1);
}

static int m_word(lua_State *L)
{
    embed_model *m = check_model(L, 1);
    lua_pushstring(L, m->vocab.words[check_word_index(L, m, "word")]);
    return 1;
}

static int m_index(lua_State *L)
{
    embed_model *m = check_model(L, 1);
    size_t n;
    const char *w = luaL_checklstring(L, 2, &n);
    int id = embed_vocab_find(&m->vocab, w, n);
    if (id < 0) lua_pushnil(L);
    else lua_pushinteger(L, id + 1);
    return 1;
}

static int m_count(lua_State *L)
{
    embed_model *m = check_model(L, 1);
    lua_pushinteger(L, m->vocab.counts[check_word_index(L, m, "count")]);
    return 1;
}

/* The query vector (a word or an array of numbers) into a userdata buffer. */
static float *query_vector(lua_State *L, embed_model *m, int i)
{
    float *q = lua_newuserdatauv(L, (size_t)m->dim * sizeof *q, 0);
    if (lua_type(L, i) == LUA_TSTRING) {
        if (embed_word_vector(m, lua_tostring(L, i), q) != LLM_OK) llm_lua_fail(L, NULL);
        return q;
    }
    luaL_checktype(L, i, LUA_TTABLE);
    if ((int)luaL_len(L, i) != m->dim)
        luaL_error(L, "nearest: the query has %d numbers, the vectors have %d", (int)luaL_len(L, i), m->dim);
    for (int k = 0; k < m->dim; k++) {
        lua_rawgeti(L, i, k + 1);
        if (!lua_isnumber(L, -1)) luaL_error(L, "nearest: query element %d is not a number", k + 1);
        q[k] = (float)lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    return q;
}

static int m_vector(lua_State *L)
{
    embed_model *m = check_model(L, 1);
    float *q = query_vector(L, m, 2);
    lua_createtable(L, m->dim, 0);
    for (int k = 0; k < m->dim; k++) {
        lua_pushnumber(L, q[k]);
        lua_rawseti(L, -2, k + 1);
    }
    return 1;
}

/* Push the words and the scores of a ranking (found of them; -1 is the
 * engine's failure, raised). */
static int push_ranked(lua_State *L, const embed_model *m, int found, const int *ids, const float *scores,
                       const char *op)
{
    if (found < 0) return llm_lua_fail(L, op);
    lua_createtable(L, found, 0);
    lua_createtable(L, found, 0);
    for (int i = 0; i < found; i++) {
        lua_pushstring(L, m->vocab.words[ids[i]]);
        lua_rawseti(L, -3, i + 1);
        lua_pushnumber(L, scores[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 2;
}

static int m_nearest(lua_State *L)
{
    embed_model *m = check_model(L, 1);
    float *q = query_vector(L, m, 2);
    lua_Integer k = luaL_optinteger(L, 3, 10);
    luaL_argcheck(L, k >= 1 && k <= 100000, 3, "k must be between 1 and 100000");
    if (k > m->vocab.size) k = m->vocab.size;
    int nex = lua_istable(L, 4) ? (int)luaL_len(L, 4) : 0;
    int *ex = lua_newuserdatauv(L, (size_t)(nex + 1) * sizeof *ex, 0);
    int used = 0;
    for (int e = 0; e < nex; e++) {
        lua_rawgeti(L, 4, e + 1);
        size_t n;
        const char *w = lua_tolstring(L, -1, &n);
        int id = w ? embed_vocab_find(&m->vocab, w, n) : -1;
        if (id >= 0) ex[used++] = id;
        lua_pop(L, 1);
    }
    int *ids = lua_newuserdatauv(L, (size_t)k * sizeof *ids, 0);
    float *sims = lua_newuserdatauv(L, (size_t)k * sizeof *sims, 0);
    return push_ranked(L, m, embed_nearest(m, q, (int)k, ex, used, ids, sims), ids, sims, "nearest");
}

static int m_analogy(lua_State *L)
{
    embed_model *m = check_model(L, 1);
    int id[3];
    for (int i = 0; i < 3; i++) {
        size_t n;
        const char *w = luaL_checklstring(L, 2 + i, &n);
        id[i] = embed_vocab_find(&m->vocab, w, n);
        if (id[i] < 0) return luaL_error(L, "analogy: '%s' is not in the vocabulary", w);
    }
    lua_Integer k = luaL_optinteger(L, 5, 1);
    luaL_argcheck(L, k >= 1 && k <= 1000, 5, "k must be between 1 and 1000");
    int mul = lua_toboolean(L, 6);
    int *ids = lua_newuserdatauv(L, (size_t)k * sizeof *ids, 0);
    float *sc = lua_newuserdatauv(L, (size_t)k * sizeof *sc, 0);
    return push_ranked(L, m, embed_analogy(m, id[0], id[1], id[2], mul, (int)k, ids, sc), ids, sc, "analogy");
}

static int m_save(lua_State *L)
{
    embed_model *m = check_model(L, 1);
    const char *path = luaL_checkstring(L, 2);
    llm_lua_check(L, embed_save(m, path, lua_toboolean(L, 3)), "embedding save");
    return 0;
}

/* embed_c.tsne(rows, dims, perplexity, iterations) -> rows of dims numbers */
static int l_tsne(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    int dims = (int)luaL_optinteger(L, 2, 2);
    double perp = luaL_optnumber(L, 3, 30);
    int iters = (int)luaL_optinteger(L, 4, 1000);
    lua_Integer n = luaL_len(L, 1);
    if (n < 2 || n > 5000) return luaL_error(L, "tsne: %d points; exact t-SNE takes 2 to 5000", (int)n);
    lua_rawgeti(L, 1, 1);
    if (!lua_istable(L, -1)) return luaL_error(L, "tsne: row 1 is not an array of numbers");
    lua_Integer d = luaL_len(L, -1);
    lua_pop(L, 1);
    if (d < 1) return luaL_error(L, "tsne: rows must not be empty");
    float *x = lua_newuserdatauv(L, (size_t)n * (size_t)d * sizeof *x, 0);
    float *y = lua_newuserdatauv(L, (size_t)n * (size_t)(dims > 0 && dims < 4 ? dims : 1) * sizeof *y, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_rawgeti(L, 1, i) != LUA_TTABLE || luaL_len(L, -1) != d)
            return luaL_error(L, "tsne: row %d is not an array of %d numbers", (int)i, (int)d);
        for (lua_Integer k = 1; k <= d; k++) {
            lua_rawgeti(L, -1, k);
            if (!lua_isnumber(L, -1)) return luaL_error(L, "tsne: row %d, element %d is not a number", (int)i, (int)k);
            x[(i - 1) * d + (k - 1)] = (float)lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    llm_lua_check(L, embed_tsne(x, (int)n, (int)d, dims, perp, iters, y), NULL);
    lua_createtable(L, (int)n, 0);
    for (lua_Integer i = 0; i < n; i++) {
        lua_createtable(L, dims, 0);
        for (int k = 0; k < dims; k++) {
            lua_pushnumber(L, y[i * dims + k]);
            lua_rawseti(L, -2, k + 1);
        }
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static const luaL_Reg model_methods[] = {
    {"size", m_size}, {"dim", m_dim}, {"word", m_word}, {"index", m_index}, {"count", m_count},
    {"vector", m_vector}, {"nearest", m_nearest}, {"analogy", m_analogy}, {"save", m_save}, {"close", m_gc},
    {NULL, NULL},
};

void l_embed_register(lua_State *L)
{
    if (luaL_newmetatable(L, MODEL_MT)) {
        luaL_newlib(L, model_methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, m_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, m_gc);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, l_train);
    lua_setfield(L, -2, "train");
    lua_pushcfunction(L, l_load);
    lua_setfield(L, -2, "load");
    lua_pushcfunction(L, l_tsne);
    lua_setfield(L, -2, "tsne");
    lua_setfield(L, -2, "embed_c");
}
