/*
 * l_features.c: bindings for sparse matrices (sparse.h) and the
 * CountVectorizer / TfidfVectorizer engine (vectorizer.h). Registers
 * llm._features, a table of constructors that lua/llm/features.lua wraps;
 * matrices are "llm.Sparse" userdata, vectorizers "llm.Vectorizer".
 * Scratch arrays are Lua userdata, so a Lua error never leaks them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lua_llm.h"
#include "sparse.h"
#include "vectorizer.h"

#define SPARSE_MT "llm.Sparse"
#define VECT_MT "llm.Vectorizer"

typedef struct { llm_csr *m; } sparse_ud;
typedef struct { features_vectorizer *v; } vect_ud;

static void *scratch(lua_State *L, size_t n)
{
    return lua_newuserdatauv(L, n ? n : 1, 0);
}

/* Push an empty Sparse: the engine call that makes a matrix writes it into
 * u->m, so that no Lua error (not even one from pushing) can leak it. */
static sparse_ud *new_sparse(lua_State *L)
{
    return llm_lua_newbox(L, sizeof(sparse_ud), SPARSE_MT);
}

/* Once u->m is set: the collector does not see the C arrays, so let it
 * step as if it had allocated them, so loops that make matrices keep
 * memory flat. */
static void sparse_made(lua_State *L, const sparse_ud *u)
{
    const llm_csr *m = u->m;
    size_t kb = ((size_t)m->nrows * 8 + (size_t)m->nnz * 8) / 1024;
    if (kb) lua_gc(L, LUA_GCSTEP, (int)(kb > 1000000 ? 1000000 : kb));
}

static llm_csr *check_sparse(lua_State *L, int i)
{
    sparse_ud *u = luaL_checkudata(L, i, SPARSE_MT);
    if (!u->m) luaL_error(L, "sparse matrix: already closed");
    return u->m;
}

static int sp_gc(lua_State *L)
{
    sparse_ud *u = luaL_checkudata(L, 1, SPARSE_MT);
    csr_free(u->m);
    u->m = NULL;
    return 0;
}

static int sp_shape(lua_State *L)
{
    llm_csr *m = check_sparse(L, 1);
    lua_pushinteger(L, m->nrows);
    lua_pushinteger(L, m->ncols);
    return 2;
}

static int sp_nnz(lua_State *L)
{
    lua_pushinteger(L, check_sparse(L, 1)->nnz);
    return 1;
}

static int sp_triplets(lua_State *L)
{
    llm_csr *m = check_sparse(L, 1);
    lua_createtable(L, (int)m->nnz, 0);
    lua_createtable(L, (int)m->nnz, 0);
    lua_createtable(L, (int)m->nnz, 0);
    for (int64_t r = 0; r < m->nrows; r++)
        for (int64_t p = m->indptr[r]; p < m->indptr[r + 1]; p++) {
            lua_pushinteger(L, r + 1);
            lua_rawseti(L, -4, p + 1);
            lua_pushinteger(L, m->indices[p] + 1);
            lua_rawseti(L, -3, p + 1);
            lua_pushnumber(L, m->values[p]);
            lua_rawseti(L, -2, p + 1);
        }
    return 3;
}

static int64_t check_row(lua_State *L, llm_csr *m, int i)
{
    lua_Integer r = luaL_checkinteger(L, i);
    if (r < 1 || r > m->nrows) luaL_error(L, "sparse matrix: row %d is outside 1..%d", (int)r, (int)m->nrows);
    return r - 1;
}

static int sp_row(lua_State *L)
{
    llm_csr *m = check_sparse(L, 1);
    int64_t r = check_row(L, m, 2);
    int64_t a = m->indptr[r], b = m->indptr[r + 1];
    lua_createtable(L, (int)(b - a), 0);
    lua_createtable(L, (int)(b - a), 0);
    for (int64_t p = a; p < b; p++) {
        lua_pushinteger(L, m->indices[p] + 1);
        lua_rawseti(L, -3, p - a + 1);
        lua_pushnumber(L, m->values[p]);
        lua_rawseti(L, -2, p - a + 1);
    }
    return 2;
}

static int sp_get(lua_State *L)
{
    llm_csr *m = check_sparse(L, 1);
    int64_t r = check_row(L, m, 2);
    lua_Integer c = luaL_checkinteger(L, 3);
    if (c < 1 || c > m->ncols) return luaL_error(L, "sparse matrix: column %d is outside 1..%d", (int)c, (int)m->ncols);
    double v = 0;
    for (int64_t p = m->indptr[r]; p < m->indptr[r + 1]; p++)
        if (m->indices[p] == c - 1) v = m->values[p];
    lua_pushnumber(L, v);
    return 1;
}

static int sp_to_dense(lua_State *L)
{
    llm_csr *m = check_sparse(L, 1);
    if (m->nrows * m->ncols > 50000000) return luaL_error(L, "sparse to_dense: %d x %d is too large for a Lua table", (int)m->nrows, (int)m->ncols);
    lua_createtable(L, (int)m->nrows, 0);
    for (int64_t r = 0; r < m->nrows; r++) {
        lua_createtable(L, (int)m->ncols, 0);
        for (int64_t c = 0; c < m->ncols; c++) {
            lua_pushnumber(L, 0);
            lua_rawseti(L, -2, c + 1);
        }
        for (int64_t p = m->indptr[r]; p < m->indptr[r + 1]; p++) {
            lua_pushnumber(L, m->values[p]);
            lua_rawseti(L, -2, m->indices[p] + 1);
        }
        lua_rawseti(L, -2, r + 1);
    }
    return 1;
}

static int sp_slice(lua_State *L)
{
    llm_csr *m = check_sparse(L, 1);
    lua_Integer a = luaL_checkinteger(L, 2), b = luaL_optinteger(L, 3, m->nrows);
    if (a < 1 || b > m->nrows || a > b + 1) return luaL_error(L, "sparse slice: rows %d..%d are outside 1..%d", (int)a, (int)b, (int)m->nrows);
    sparse_ud *u = new_sparse(L);
    llm_lua_check(L, csr_slice_rows(m, a - 1, b, &u->m), "sparse slice");
    sparse_made(L, u);
    return 1;
}

static int sp_transpose(lua_State *L)
{
    llm_csr *m = check_sparse(L, 1);
    sparse_ud *u = new_sparse(L);
    llm_lua_check(L, csr_transpose(m, &u->m), "sparse transpose");
    sparse_made(L, u);
    return 1;
}

/* m:sum(axis): axis 1 = per column (like numpy's axis 0), 2 = per row. */
static int sp_sum(lua_State *L)
{
    llm_csr *m = check_sparse(L, 1);
    lua_Integer axis = luaL_optinteger(L, 2, 1);
    if (axis != 1 && axis != 2) return luaL_error(L, "sparse sum: axis must be 1 (per column) or 2 (per row)");
    int64_t n = axis == 1 ? m->ncols : m->nrows;
    double *o = scratch(L, (size_t)n * sizeof *o);
    llm_lua_check(L, csr_sum(m, (int)axis - 1, o), "sparse sum");
    lua_createtable(L, (int)n, 0);
    for (int64_t i = 0; i < n; i++) {
        lua_pushnumber(L, o[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int sp_norms(lua_State *L)
{
    llm_csr *m = check_sparse(L, 1);
    int p = (int)luaL_optinteger(L, 2, 2);
    double *n = scratch(L, (size_t)m->nrows * sizeof *n);
    llm_lua_check(L, csr_row_norms(m, p, n), "sparse norms");
    lua_createtable(L, (int)m->nrows, 0);
    for (int64_t r = 0; r < m->nrows; r++) {
        lua_pushnumber(L, n[r]);
        lua_rawseti(L, -2, r + 1);
    }
    return 1;
}

static int sp_normalize(lua_State *L)
{
    llm_csr *m = check_sparse(L, 1);
    int p = (int)luaL_optinteger(L, 2, 2);
    if (p != 1 && p != 2) return luaL_error(L, "sparse normalize: p must be 1 or 2, got %d", p);
    sparse_ud *u = new_sparse(L);
    llm_lua_check(L, csr_clone(m, &u->m), "sparse normalize");
    sparse_made(L, u);
    csr_normalize_rows(u->m, p);
    return 1;
}

/* m:matmul(B) with B a dense Lua matrix (table of ncols rows of k numbers). */
static int sp_matmul(lua_State *L)
{
    llm_csr *m = check_sparse(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_Integer rows = (lua_Integer)lua_rawlen(L, 2);
    if (rows != m->ncols) return luaL_error(L, "sparse matmul: the dense matrix has %d rows, need %d", (int)rows, (int)m->ncols);
    int64_t k = 0;
    if (rows > 0) {
        lua_rawgeti(L, 2, 1);
        if (!lua_istable(L, -1)) return luaL_error(L, "sparse matmul: row 1 of the dense matrix is not a table");
        k = (int64_t)lua_rawlen(L, -1);
        lua_pop(L, 1);
    }
    float *b = scratch(L, (size_t)(rows * k) * sizeof *b);
    for (lua_Integer i = 1; i <= rows; i++) {
        lua_rawgeti(L, 2, i);
        if (!lua_istable(L, -1) || (int64_t)lua_rawlen(L, -1) != k)
            return luaL_error(L, "sparse matmul: row %d of the dense matrix does not have %d numbers", (int)i, (int)k);
        for (int64_t j = 1; j <= k; j++) {
            lua_rawgeti(L, -1, j);
            int isnum;
            double x = lua_tonumberx(L, -1, &isnum);
            if (!isnum) return luaL_error(L, "sparse matmul: entry (%d, %d) is not a number", (int)i, (int)j);
            b[(i - 1) * k + j - 1] = (float)x;
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    float *o = scratch(L, (size_t)(m->nrows * k) * sizeof *o);
    llm_lua_check(L, csr_matmul_dense(m, b, k, o), "sparse matmul");
    lua_createtable(L, (int)m->nrows, 0);
    for (int64_t r = 0; r < m->nrows; r++) {
        lua_createtable(L, (int)k, 0);
        for (int64_t j = 0; j < k; j++) {
            lua_pushnumber(L, o[r * k + j]);
            lua_rawseti(L, -2, j + 1);
        }
        lua_rawseti(L, -2, r + 1);
    }
    return 1;
}

static int sp_topk(lua_State *L)
{
    llm_csr *m = check_sparse(L, 1);
    int64_t r = check_row(L, m, 2);
    lua_Integer k = luaL_checkinteger(L, 3);
    if (k < 1) return luaL_error(L, "sparse topk: k must be at least 1, got %d", (int)k);
    int64_t *c = scratch(L, (size_t)k * sizeof *c);
    float *v = scratch(L, (size_t)k * sizeof *v);
    int64_t n;
    llm_lua_check(L, csr_row_topk(m, r, k, c, v, &n), "sparse topk");
    lua_createtable(L, (int)n, 0);
    lua_createtable(L, (int)n, 0);
    for (int64_t i = 0; i < n; i++) {
        lua_pushinteger(L, c[i] + 1);
        lua_rawseti(L, -3, i + 1);
        lua_pushnumber(L, v[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 2;
}

/* m:cosine_topk(queries, k) -> idx, sims: one array of k per query row. */
static int sp_cosine_topk(lua_State *L)
{
    llm_csr *m = check_sparse(L, 1);
    llm_csr *q = check_sparse(L, 2);
    lua_Integer k = luaL_checkinteger(L, 3);
    if (k < 1) return luaL_error(L, "cosine search: k must be at least 1, got %d", (int)k);
    if (k > m->nrows) k = m->nrows > 0 ? m->nrows : 1;
    int64_t *idx = scratch(L, (size_t)(q->nrows * k) * sizeof *idx);
    float *sim = scratch(L, (size_t)(q->nrows * k) * sizeof *sim);
    llm_lua_check(L, csr_cosine_topk(m, q, k, idx, sim), "cosine search");
    lua_createtable(L, (int)q->nrows, 0);
    lua_createtable(L, (int)q->nrows, 0);
    for (int64_t r = 0; r < q->nrows; r++) {
        lua_newtable(L);
        lua_newtable(L);
        int n = 0;
        for (int64_t j = 0; j < k; j++) {
            if (idx[r * k + j] < 0) break;
            n++;
            lua_pushinteger(L, idx[r * k + j] + 1);
            lua_rawseti(L, -3, n);
            lua_pushnumber(L, sim[r * k + j]);
            lua_rawseti(L, -2, n);
        }
        lua_rawseti(L, -3, r + 1);
        lua_rawseti(L, -3, r + 1);
    }
    return 2;
}

static int sp_tostring(lua_State *L)
{
    sparse_ud *u = luaL_checkudata(L, 1, SPARSE_MT);
    if (!u->m) lua_pushliteral(L, "Sparse(closed)");
    else lua_pushfstring(L, "Sparse(%d x %d, %d stored)", (int)u->m->nrows, (int)u->m->ncols, (int)u->m->nnz);
    return 1;
}

static const luaL_Reg sparse_methods[] = {
    {"shape", sp_shape}, {"nnz", sp_nnz}, {"triplets", sp_triplets}, {"row", sp_row},
    {"get", sp_get}, {"to_dense", sp_to_dense}, {"slice", sp_slice}, {"norms", sp_norms}, {"transpose", sp_transpose}, {"sum", sp_sum},
    {"normalize", sp_normalize}, {"matmul", sp_matmul}, {"topk", sp_topk},
    {"cosine_topk", sp_cosine_topk}, {NULL, NULL},
};

/* _features.from_triplets(nrows, ncols, rows, cols, vals) (1-based). */
static int f_from_triplets(lua_State *L)
{
    lua_Integer nr = luaL_checkinteger(L, 1), nc = luaL_checkinteger(L, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    luaL_checktype(L, 4, LUA_TTABLE);
    luaL_checktype(L, 5, LUA_TTABLE);
    if (nr < 0 || nc < 0) return luaL_error(L, "sparse: negative shape %d x %d", (int)nr, (int)nc);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 3);
    if ((lua_Integer)lua_rawlen(L, 4) != n || (lua_Integer)lua_rawlen(L, 5) != n)
        return luaL_error(L, "sparse: rows, cols and vals must have the same length (%d, %d, %d)", (int)n,
                          (int)lua_rawlen(L, 4), (int)lua_rawlen(L, 5));
    int64_t *r = scratch(L, (size_t)n * sizeof *r);
    int64_t *c = scratch(L, (size_t)n * sizeof *c);
    float *v = scratch(L, (size_t)n * sizeof *v);
    for (lua_Integer i = 1; i <= n; i++) {
        int ok1, ok2, ok3;
        lua_rawgeti(L, 3, i);
        lua_rawgeti(L, 4, i);
        lua_rawgeti(L, 5, i);
        r[i - 1] = (int64_t)lua_tointegerx(L, -3, &ok1) - 1;
        c[i - 1] = (int64_t)lua_tointegerx(L, -2, &ok2) - 1;
        v[i - 1] = (float)lua_tonumberx(L, -1, &ok3);
        if (!ok1 || !ok2 || !ok3) return luaL_error(L, "sparse: triplet %d is not (integer, integer, number)", (int)i);
        lua_pop(L, 3);
    }
    sparse_ud *u = new_sparse(L);
    llm_lua_check(L, csr_from_triplets(&u->m, nr, nc, n, r, c, v), "sparse");
    sparse_made(L, u);
    return 1;
}

static int f_from_dense(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer nr = (lua_Integer)lua_rawlen(L, 1), nc = 0;
    if (nr > 0) {
        lua_rawgeti(L, 1, 1);
        if (!lua_istable(L, -1)) return luaL_error(L, "sparse from_dense: row 1 is not a table");
        nc = (lua_Integer)lua_rawlen(L, -1);
        lua_pop(L, 1);
    }
    float *d = scratch(L, (size_t)(nr * nc) * sizeof *d);
    for (lua_Integer i = 1; i <= nr; i++) {
        lua_rawgeti(L, 1, i);
        if (!lua_istable(L, -1) || (lua_Integer)lua_rawlen(L, -1) != nc)
            return luaL_error(L, "sparse from_dense: row %d does not have %d numbers", (int)i, (int)nc);
        for (lua_Integer j = 1; j <= nc; j++) {
            lua_rawgeti(L, -1, j);
            int ok;
            d[(i - 1) * nc + j - 1] = (float)lua_tonumberx(L, -1, &ok);
            if (!ok) return luaL_error(L, "sparse from_dense: entry (%d, %d) is not a number", (int)i, (int)j);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    sparse_ud *u = new_sparse(L);
    llm_lua_check(L, csr_from_dense(&u->m, d, nr, nc), "sparse from_dense");
    sparse_made(L, u);
    return 1;
}

/* ---------------------------------------------------------------- vectorizer */
static features_vectorizer *check_vect(lua_State *L, int i)
{
    vect_ud *u = luaL_checkudata(L, i, VECT_MT);
    if (!u->v) luaL_error(L, "vectorizer: already closed");
    return u->v;
}

static int v_gc(lua_State *L)
{
    vect_ud *u = luaL_checkudata(L, 1, VECT_MT);
    features_free(u->v);
    u->v = NULL;
    return 0;
}

static int opt_bool(lua_State *L, int t, const char *k, int def)
{
    int ty = lua_getfield(L, t, k);
    int v = ty == LUA_TNIL ? def : lua_toboolean(L, -1);
    if (ty != LUA_TNIL && ty != LUA_TBOOLEAN) luaL_error(L, "vectorizer: option %s must be a boolean", k);
    lua_pop(L, 1);
    return v;
}

/* min_df / max_df: an integer is a document count, a float a proportion. */
static void opt_df(lua_State *L, int t, const char *k, double *val, int *is_count)
{
    if (lua_getfield(L, t, k) != LUA_TNIL) {
        if (!lua_isnumber(L, -1) || lua_type(L, -1) != LUA_TNUMBER) luaL_error(L, "vectorizer: option %s must be a number", k);
        *is_count = lua_isinteger(L, -1);
        *val = lua_tonumber(L, -1);
    }
    lua_pop(L, 1);
}

/* _features.vectorizer(opts, tfidf) with the options already checked by
 * features.lua; stop_words is an array of strings; vocabulary optional. */
static int f_vectorizer(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    int tfidf = lua_toboolean(L, 2);
    features_opts o;
    features_default_opts(&o, tfidf);
    o.lowercase = opt_bool(L, 1, "lowercase", 1);
    o.binary = opt_bool(L, 1, "binary", 0);
    o.use_idf = opt_bool(L, 1, "use_idf", 1);
    o.smooth_idf = opt_bool(L, 1, "smooth_idf", 1);
    o.sublinear_tf = opt_bool(L, 1, "sublinear_tf", 0);
    if (lua_getfield(L, 1, "token_pattern") != LUA_TNIL) o.token_pattern = luaL_checkstring(L, -1);
    lua_pop(L, 1); /* the string stays alive in the options table */
    if (lua_getfield(L, 1, "analyzer") != LUA_TNIL) {
        const char *a = luaL_checkstring(L, -1);
        if (!strcmp(a, "word")) o.analyzer = FEATURES_ANALYZER_WORD;
        else if (!strcmp(a, "char")) o.analyzer = FEATURES_ANALYZER_CHAR;
        else if (!strcmp(a, "char_wb")) o.analyzer = FEATURES_ANALYZER_CHAR_WB;
        else return luaL_error(L, "vectorizer: analyzer must be \"word\", \"char\" or \"char_wb\", got \"%s\"", a);
    }
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "ngram_range") != LUA_TNIL) {
        if (!lua_istable(L, -1) || lua_rawlen(L, -1) != 2) return luaL_error(L, "vectorizer: ngram_range must be {min_n, max_n}");
        lua_rawgeti(L, -1, 1);
        lua_rawgeti(L, -2, 2);
        if (!lua_isinteger(L, -1) || !lua_isinteger(L, -2)) return luaL_error(L, "vectorizer: ngram_range must hold two integers");
        o.ngram_min = (int)lua_tointeger(L, -2);
        o.ngram_max = (int)lua_tointeger(L, -1);
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
    opt_df(L, 1, "min_df", &o.min_df, &o.min_df_is_count);
    opt_df(L, 1, "max_df", &o.max_df, &o.max_df_is_count);
    if (lua_getfield(L, 1, "max_features") != LUA_TNIL) {
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1) return luaL_error(L, "vectorizer: max_features must be a positive integer");
        o.max_features = lua_tointeger(L, -1);
    }
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "norm") != LUA_TNIL) {
        const char *n = luaL_checkstring(L, -1);
        if (!strcmp(n, "l2")) o.norm = FEATURES_NORM_L2;
        else if (!strcmp(n, "l1")) o.norm = FEATURES_NORM_L1;
        else if (!strcmp(n, "none")) o.norm = FEATURES_NORM_NONE;
        else return luaL_error(L, "vectorizer: norm must be \"l1\", \"l2\" or \"none\", got \"%s\"", n);
    }
    lua_pop(L, 1);
    const char **stop = NULL;
    if (lua_getfield(L, 1, "stop_words") == LUA_TTABLE) {
        size_t n = lua_rawlen(L, -1);
        stop = scratch(L, n * sizeof *stop);
        for (size_t i = 0; i < n; i++) {
            lua_rawgeti(L, -2, (lua_Integer)i + 1);
            if (lua_type(L, -1) != LUA_TSTRING) return luaL_error(L, "vectorizer: stop_words[%d] is not a string", (int)i + 1);
            stop[i] = lua_tostring(L, -1);
            lua_pop(L, 1); /* the string stays alive in the table */
        }
        o.stop_words = stop;
        o.n_stop = n;
    }
    vect_ud *u = llm_lua_newbox(L, sizeof *u, VECT_MT);
    llm_lua_check(L, features_new(&u->v, &o), "vectorizer");
    if (lua_getfield(L, 1, "vocabulary") == LUA_TTABLE) {
        size_t n = lua_rawlen(L, -1);
        const char **terms = scratch(L, n * sizeof *terms);
        for (size_t i = 0; i < n; i++) {
            lua_rawgeti(L, -2, (lua_Integer)i + 1);
            if (lua_type(L, -1) != LUA_TSTRING) return luaL_error(L, "vectorizer: vocabulary[%d] is not a string", (int)i + 1);
            terms[i] = lua_tostring(L, -1);
            lua_pop(L, 1);
        }
        llm_lua_check(L, features_set_vocabulary(u->v, terms, n), "vectorizer");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return 1;
}

/* The documents of argument i as pointers and lengths (scratch userdata). */
static size_t get_docs(lua_State *L, int i, const char ***docs, size_t **lens, const char *op)
{
    luaL_checktype(L, i, LUA_TTABLE);
    size_t n = lua_rawlen(L, i);
    *docs = scratch(L, n * sizeof **docs);
    *lens = scratch(L, n * sizeof **lens);
    for (size_t k = 0; k < n; k++) {
        lua_rawgeti(L, i, (lua_Integer)k + 1);
        if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "%s: document %d is a %s, not a string", op, (int)k + 1, luaL_typename(L, -1));
        (*docs)[k] = lua_tolstring(L, -1, &(*lens)[k]);
        lua_pop(L, 1);
    }
    return n;
}

static int v_fit_transform(lua_State *L)
{
    features_vectorizer *v = check_vect(L, 1);
    const char **docs;
    size_t *lens;
    size_t n = get_docs(L, 2, &docs, &lens, "fit_transform");
    if (n == 0) return luaL_error(L, "fit_transform: no documents");
    sparse_ud *u = new_sparse(L);
    llm_lua_check(L, features_fit_transform(v, docs, lens, n, &u->m), "fit_transform");
    sparse_made(L, u);
    return 1;
}

static int v_transform(lua_State *L)
{
    features_vectorizer *v = check_vect(L, 1);
    const char **docs;
    size_t *lens;
    size_t n = get_docs(L, 2, &docs, &lens, "transform");
    sparse_ud *u = new_sparse(L);
    llm_lua_check(L, features_transform(v, docs, lens, n, &u->m), "transform");
    sparse_made(L, u);
    return 1;
}

static int v_vocabulary(lua_State *L)
{
    features_vectorizer *v = check_vect(L, 1);
    size_t n = features_vocab_size(v);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushstring(L, features_term(v, i));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int v_index(lua_State *L)
{
    features_vectorizer *v = check_vect(L, 1);
    size_t len;
    const char *t = luaL_checklstring(L, 2, &len);
    int64_t c = features_term_index(v, t, len);
    if (c < 0) lua_pushnil(L);
    else lua_pushinteger(L, c + 1);
    return 1;
}

static int v_idf(lua_State *L)
{
    features_vectorizer *v = check_vect(L, 1);
    if (!features_is_fitted(v)) return luaL_error(L, "idf: the vectorizer is not fitted yet");
    size_t n = features_vocab_size(v);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushnumber(L, features_idf(v, i));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static void push_term(void *ud, const char *term, size_t len)
{
    lua_State *L = ud;
    lua_pushlstring(L, term, len);
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
}

static int v_analyze(lua_State *L)
{
    features_vectorizer *v = check_vect(L, 1);
    size_t len;
    const char *doc = luaL_checklstring(L, 2, &len);
    lua_newtable(L);
    if (!lua_checkstack(L, 4)) return luaL_error(L, "analyze: stack overflow");
    llm_lua_check(L, features_analyze(v, doc, len, push_term, L), "analyze");
    return 1;
}

static const luaL_Reg vect_methods[] = {
    {"fit_transform", v_fit_transform}, {"transform", v_transform}, {"vocabulary", v_vocabulary},
    {"index", v_index}, {"idf", v_idf}, {"analyze", v_analyze}, {NULL, NULL},
};

/* _features.lower(s): Python's str.lower (the vectorizers' lowercase step). */
static int f_lower(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    char *buf = scratch(L, len * 3 + 1);
    char *tmp;
    size_t n;
    llm_lua_check(L, features_lowercase(s, len, &tmp, &n), "lower");
    memcpy(buf, tmp, n);
    free(tmp);
    lua_pushlstring(L, buf, n);
    return 1;
}

static const luaL_Reg features_funcs[] = {
    {"lower", f_lower},
    {"from_triplets", f_from_triplets}, {"from_dense", f_from_dense}, {"vectorizer", f_vectorizer}, {NULL, NULL},
};

static void new_class(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction gc, lua_CFunction tostr)
{
    luaL_newmetatable(L, name);
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__close");
    if (tostr) {
        lua_pushcfunction(L, tostr);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pushstring(L, name);
    lua_setfield(L, -2, "__name");
    lua_pop(L, 1);
}

void l_features_register(lua_State *L)
{
    new_class(L, SPARSE_MT, sparse_methods, sp_gc, sp_tostring);
    new_class(L, VECT_MT, vect_methods, v_gc, NULL);
    lua_newtable(L);
    luaL_setfuncs(L, features_funcs, 0);
    lua_setfield(L, -2, "_features");
}
