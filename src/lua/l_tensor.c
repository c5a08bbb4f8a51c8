/*
 * l_tensor.c: the Lua face of the tensor engine (src/engine/tensor.h):
 * tensors as userdata with metamethods, constructors in `llm`, a method for
 * every op, autograd controls. Thin: argument checks, conversions, and
 * engine errors raised as Lua errors naming the op and the shapes.
 *
 * THE LUA API (stable: the nn library and the labs build on it)
 *
 * Positions are 1-based as everywhere in Lua: t[1] is the first row, dim 1
 * the first dim, negative dims/positions count from the end (-1: last).
 * Index VALUES stored in tensors (token ids, class targets, gather indices,
 * argmax results) are 0-based ids, as tokenizers produce them.
 *
 * Construction
 *   llm.tensor(data [, dtype | {dtype=, requires_grad=}])  nested tables or a number
 *   llm.zeros(shape...), llm.ones, llm.empty, llm.rand, llm.randn   shape as {2,3} or 2,3;
 *       a trailing dtype string or options table is allowed
 *   llm.full(shape, value [, dtype]), llm.eye(n [, m]), llm.linspace(a, b, n)
 *   llm.arange([start,] stop [, step] [, dtype])   stop excluded (like range in Python)
 *   llm.zeros_like(t), ones_like, full_like(t, v), rand_like, randn_like, empty_like
 *   dtypes: "float32" (default), "int32", "int64"
 * Metamethods
 *   + - * / ^ unary -  (tensor or number on either side, broadcasting)
 *   t[i] (a row view; a number for 1-D; nil past the end, so ipairs(t) walks the rows),
 *   t[{i,j,...}] (an element as a number, or a view when fewer positions than dims;
 *   an element of a tensor on the tape comes back as a 0-dim tensor so gradients flow),
 *   t[i] = v / t[{i,j}] = v (copy in), #t (size of dim 1), tostring(t), __gc,
 *   __close (`local y <close> = ...` frees y's memory at the end of the block).
 *   == is identity (use t:eq(u) for elementwise comparison).
 * Facts
 *   t:shape() -> {..}, t:size([d]), t:dim(), t:numel(), t:dtype(), t:stride(),
 *   t:is_contiguous(), t:item(), t:totable(), t:get(i, j, ...), t:set(v, i, j, ...)
 * Views (no copy)
 *   t:view(shape...), t:reshape(shape...) (-1 infers one size), t:permute(d...),
 *   t:transpose(d1, d2), t:t(), t:narrow(dim, start, len), t:slice(dim, i, j [, step])
 *   (i..j inclusive), t:select(dim, i), t:expand(shape...), t:expand_as(o),
 *   t:squeeze([dim]), t:unsqueeze(dim), t:flatten([d1 [, d2]]), t:split(size [, dim]),
 *   t:chunk(n [, dim]), t:contiguous(), t:clone(), t:detach(), t:to(dtype), t:float(), t:long(), t:int()
 * Elementwise: add sub mul div pow maximum minimum (tensor or number), eq ne lt le gt ge
 *   (float 0/1), masked_fill(mask, v), where(cond, other) (cond ? self : other),
 *   clamp(lo, hi), neg abs exp log sqrt rsqrt tanh sigmoid relu silu gelu(["tanh"])
 * Reductions (dims: nil = all, a number, or a table of dims; keepdim boolean)
 *   sum mean (dims, keepdim), var std (dims, keepdim, correction = 1),
 *   max/min() -> scalar tensor; max/min(dim [, keepdim]) -> values, indices;
 *   argmax/argmin([dim [, keepdim]])
 * nn: t:softmax([dim]), t:log_softmax([dim]), t:matmul(b), t:linear(w [, b]),
 *   t:linear_act(w, b|nil [, "gelu_tanh"|"gelu"|"silu"])  act(t @ w^T + b) in one op,
 *   t:mlp(w1, b1|nil, w2, b2|nil [, act])  act(t @ w1^T + b1) @ w2^T + b2 in one op,
 *   t:layer_norm([w [, b [, eps]]]), t:rms_norm([w [, eps]]), t:dropout(p [, training]),
 *   t:cross_entropy(targets [, {ignore_index=, label_smoothing=, reduction="mean"|"sum"|"none"}]),
 *   t:index_select(dim, idx), t:gather(dim, idx), t:scatter_add(dim, idx, src), t:one_hot(n)
 *   llm.cat(list [, dim]), llm.stack(list [, dim]), llm.where(c, a, b), llm.matmul(a, b),
 *   llm.linear(x, w [, b]), llm.embedding(ids, weight), llm.attention(q, k, v [, {causal=, mask=, scale=}]),
 *   llm.attention_packed(qkv (B,T,3C), heads [, {causal=, mask=, scale=}]) -> (B,T,C),
 *   llm.softmax, llm.log_softmax, llm.layer_norm, llm.rms_norm, llm.cross_entropy, llm.dropout
 *   (the same as the methods, tensor first)
 * In place (bump the version; refused on tensors that require grad unless in llm.no_grad):
 *   fill_(v), zero_(), copy_(src), add_(x [, alpha]), mul_(x), uniform_(a, b),
 *   normal_(mean, std), trunc_normal_(mean, std, a, b); llm.adamw_step(p, g, m, v, opts)
 * Autograd
 *   t:requires_grad([bool]) sets (default true) and returns t; t:needs_grad() -> bool;
 *   t:is_leaf(), t:grad_fn() -> op name or nil; t.grad (nil until backward; t.grad = nil clears);
 *   t:backward([grad [, retain_graph]]); t:zero_grad(); llm.no_grad(fn, ...) -> fn's results;
 *   llm.grad_enabled([bool]); llm.tensor_ops() -> names of every op on the tape (grad_fn names)
 * Threads: llm.threads(n) (l_core.c) sets the OpenMP team; tensor ops run OpenBLAS on one
 *   thread per call and split big products over that team themselves.
 * Benchmark helpers (l_bench.c): llm.now(), llm.cpu_time(), llm.peak_rss_mb(), llm.blas_sgemm(a, b, c)
 * Memory: llm.tensor_memory([trim]) -> live bytes, total bytes ever allocated, bytes
 *   cached for reuse (trim = true: collect garbage and free the cache first). The Lua GC is
 *   told about tensor bytes (a full collection when live tensor memory grows by a
 *   quarter since the last one), so training loops stay flat.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lualib.h>
#include "lua_llm.h"
#include "tensor.h"

#define TENSOR_MT "llm.Tensor"

/* ---------------------------------------------------------------- userdata */

static tensor **box_of(lua_State *L, int i) { return (tensor **)luaL_checkudata(L, i, TENSOR_MT); }

static tensor *check_tensor(lua_State *L, int i)
{
    tensor **b = box_of(L, i);
    if (!*b) luaL_error(L, "tensor: used after it was closed");
    return *b;
}

static tensor *test_tensor(lua_State *L, int i)
{
    tensor **b = (tensor **)luaL_testudata(L, i, TENSOR_MT);
    if (b && !*b) luaL_error(L, "tensor: used after it was closed");
    return b ? *b : NULL;
}

static size_t gc_level; /* live tensor bytes after the last collection we asked for */

/* Pace the Lua collector by tensor memory it cannot see. */
static void gc_account(lua_State *L)
{
    size_t live = tensor_live_bytes();
    size_t limit = gc_level + gc_level / 4 + ((size_t)32 << 20);
    if (live > limit) {
        lua_gc(L, LUA_GCCOLLECT);
        gc_level = tensor_live_bytes();
    } else if (live < gc_level) {
        gc_level = live;
    }
}

/* Push a new reference (owned); raises the engine's error when t is NULL. */
static int push_tensor(lua_State *L, tensor *t)
{
    if (!t) return llm_lua_fail(L, NULL);
    tensor **b = (tensor **)lua_newuserdatauv(L, sizeof(tensor *), 0);
    *b = NULL;
    luaL_setmetatable(L, TENSOR_MT);
    *b = t;
    gc_account(L);
    return 1;
}

static void check_status(lua_State *L, llm_status st)
{
    if (st != LLM_OK) llm_lua_fail(L, NULL);
}

static int t_gc(lua_State *L)
{
    tensor **b = box_of(L, 1);
    tensor_free(*b);
    *b = NULL;
    return 0;
}

/* ---------------------------------------------------------------- arguments */

/* Lua dim (1-based, negative from the end) -> C dim (0-based or negative). */
static int dim_arg(lua_State *L, int i)
{
    lua_Integer d = luaL_checkinteger(L, i);
    if (d == 0) luaL_argerror(L, i, "dims are 1-based (1 is the first dim, -1 the last)");
    if (d > 0) return (int)(d - 1);
    return (int)d;
}

static int opt_dim(lua_State *L, int i, int def)
{
    return lua_isnoneornil(L, i) ? def : dim_arg(L, i);
}

static int dtype_arg(lua_State *L, int i, tensor_dtype *out)
{
    const char *s = luaL_checkstring(L, i);
    if (tensor_dtype_parse(s, out))
        return luaL_error(L, "tensor: unknown dtype '%s' (float32, int32 or int64)", s);
    return 0;
}

typedef struct {
    tensor_dtype dtype;
    int requires_grad;
} opts_t;

/* Optional trailing dtype string or {dtype=, requires_grad=} table at i. */
static void opts_arg(lua_State *L, int i, opts_t *o)
{
    o->dtype = TENSOR_F32;
    o->requires_grad = 0;
    if (lua_type(L, i) == LUA_TSTRING) {
        dtype_arg(L, i, &o->dtype);
    } else if (lua_type(L, i) == LUA_TTABLE) {
        if (lua_getfield(L, i, "dtype") != LUA_TNIL) dtype_arg(L, lua_gettop(L), &o->dtype);
        lua_pop(L, 1);
        lua_getfield(L, i, "requires_grad");
        o->requires_grad = lua_toboolean(L, -1);
        lua_pop(L, 1);
    } else if (!lua_isnoneornil(L, i)) {
        luaL_argerror(L, i, "expected a dtype string or an options table");
    }
}

/* A shape from a table at i, or from integers i, i+1, ...; returns the index after it. */
static int shape_arg(lua_State *L, int i, int *nd, int64_t *shape, const char *op)
{
    int n = 0;
    if (lua_type(L, i) == LUA_TTABLE) {
        n = (int)luaL_len(L, i);
        if (n > TENSOR_MAX_DIMS) luaL_error(L, "%s: at most %d dims", op, TENSOR_MAX_DIMS);
        for (int k = 0; k < n; k++) {
            lua_geti(L, i, k + 1);
            int isnum;
            lua_Integer v = lua_tointegerx(L, -1, &isnum);
            if (!isnum) luaL_error(L, "%s: shape entries must be integers", op);
            shape[k] = v;
            lua_pop(L, 1);
        }
        *nd = n;
        return i + 1;
    }
    while (lua_type(L, i + n) == LUA_TNUMBER) {
        if (n >= TENSOR_MAX_DIMS) luaL_error(L, "%s: at most %d dims", op, TENSOR_MAX_DIMS);
        int isnum;
        lua_Integer v = lua_tointegerx(L, i + n, &isnum);
        if (!isnum) luaL_error(L, "%s: shape entries must be integers", op);
        shape[n++] = v;
    }
    *nd = n;
    return i + n;
}

static void check_sizes(lua_State *L, int nd, const int64_t *shape, const char *op)
{
    for (int d = 0; d < nd; d++)
        if (shape[d] < 0) luaL_error(L, "%s: sizes must be >= 0, got %d", op, (int)shape[d]);
}

/* Dims argument of a reduction: nil -> 0 (all), number, or table of numbers. */
static uint32_t dims_arg(lua_State *L, int i, const tensor *t)
{
    if (lua_isnoneornil(L, i)) return 0;
    uint32_t mask = 0;
    if (lua_type(L, i) == LUA_TTABLE) {
        int n = (int)luaL_len(L, i);
        for (int k = 1; k <= n; k++) {
            lua_geti(L, i, k);
            int d = dim_arg(L, lua_gettop(L));
            lua_pop(L, 1);
            if (d < 0) d += t->ndim;
            if (d < 0 || d >= t->ndim) luaL_error(L, "reduce: dim %d is out of range for %d dims", k, t->ndim);
            mask |= 1u << d;
        }
        return mask;
    }
    int d = dim_arg(L, i);
    if (d < 0) d += t->ndim;
    if (d < 0 || d >= t->ndim) luaL_error(L, "reduce: dim is out of range for a tensor of %d dims", t->ndim);
    return 1u << d;
}

/* A tensor argument, or a number made into a 0-dim tensor (*tmp set: free it). */
static tensor *tensor_or_number(lua_State *L, int i, tensor **tmp)
{
    *tmp = NULL;
    tensor *t = test_tensor(L, i);
    if (t) return t;
    if (lua_type(L, i) == LUA_TNUMBER) {
        *tmp = tensor_scalar(lua_tonumber(L, i));
        if (!*tmp) llm_lua_fail(L, NULL);
        return *tmp;
    }
    luaL_typeerror(L, i, "tensor or number");
    return NULL;
}

/* ---------------------------------------------------------------- construction */

/* Walk nested tables: find the shape (rectangular) at depth d. */
static void data_shape(lua_State *L, int idx, int d, int *nd, int64_t *shape)
{
    if (lua_type(L, idx) != LUA_TTABLE) return;
    if (d >= TENSOR_MAX_DIMS) luaL_error(L, "tensor: data nested deeper than %d", TENSOR_MAX_DIMS);
    int64_t n = (int64_t)luaL_len(L, idx);
    shape[d] = n;
    if (d + 1 > *nd) *nd = d + 1;
    if (n > 0) {
        lua_geti(L, idx, 1);
        data_shape(L, lua_gettop(L), d + 1, nd, shape);
        lua_pop(L, 1);
    }
}

static void data_fill(lua_State *L, int idx, int d, int nd, const int64_t *shape, tensor *t, int64_t *pos)
{
    if (d == nd) {
        int isnum;
        lua_Number v = lua_tonumberx(L, idx, &isnum);
        if (!isnum) {
            if (lua_isboolean(L, idx)) v = lua_toboolean(L, idx);
            else luaL_error(L, "tensor: data must be numbers (got %s)", luaL_typename(L, idx));
        }
        int64_t o = *pos;
        if (t->dtype == TENSOR_F32) ((float *)t->storage->data)[o] = (float)v;
        else if (t->dtype == TENSOR_I32) ((int32_t *)t->storage->data)[o] = (int32_t)v;
        else ((int64_t *)t->storage->data)[o] = (int64_t)v;
        (*pos)++;
        return;
    }
    if (lua_type(L, idx) != LUA_TTABLE || (int64_t)luaL_len(L, idx) != shape[d])
        luaL_error(L, "tensor: ragged data: every row at depth %d must have %d entries", d + 1, (int)shape[d]);
    for (int64_t k = 1; k <= shape[d]; k++) {
        lua_geti(L, idx, k);
        data_fill(L, lua_gettop(L), d + 1, nd, shape, t, pos);
        lua_pop(L, 1);
    }
}

static void apply_opts(lua_State *L, tensor *t, const opts_t *o)
{
    if (o->requires_grad) check_status(L, tensor_set_requires_grad(t, 1));
}

static int l_tensor(lua_State *L)
{
    opts_t o;
    opts_arg(L, 2, &o);
    tensor *src = test_tensor(L, 1);
    if (src) {
        tensor *c = tensor_to_dtype(src, lua_isnoneornil(L, 2) ? src->dtype : o.dtype);
        tensor *d = c ? tensor_clone(c) : NULL;
        tensor_free(c);
        if (d) d->requires_grad = 0;
        push_tensor(L, d ? tensor_detach(d) : NULL);
        tensor_free(d);
        apply_opts(L, check_tensor(L, -1), &o);
        return 1;
    }
    int nd = 0;
    int64_t shape[TENSOR_MAX_DIMS];
    if (lua_type(L, 1) == LUA_TNUMBER || lua_type(L, 1) == LUA_TBOOLEAN) {
        nd = 0;
    } else {
        luaL_checktype(L, 1, LUA_TTABLE);
        data_shape(L, 1, 0, &nd, shape);
    }
    push_tensor(L, tensor_empty(nd, shape, o.dtype));
    tensor *t = check_tensor(L, -1);
    int64_t pos = 0;
    data_fill(L, 1, 0, nd, shape, t, &pos);
    apply_opts(L, t, &o);
    return 1;
}

enum { C_ZEROS, C_ONES, C_EMPTY, C_RAND, C_RANDN };

static int make_filled(lua_State *L, int kind, const char *op)
{
    int nd;
    int64_t shape[TENSOR_MAX_DIMS];
    int next = shape_arg(L, 1, &nd, shape, op);
    check_sizes(L, nd, shape, op);
    opts_t o;
    opts_arg(L, next, &o);
    tensor *t = NULL;
    switch (kind) {
    case C_ZEROS: t = tensor_zeros(nd, shape, o.dtype); break;
    case C_ONES: t = tensor_full(nd, shape, 1.0, o.dtype); break;
    case C_EMPTY: t = tensor_zeros(nd, shape, o.dtype); break;
    case C_RAND: t = tensor_rand(nd, shape); break;
    case C_RANDN: t = tensor_randn(nd, shape); break;
    }
    push_tensor(L, t);
    apply_opts(L, t, &o);
    return 1;
}

static int l_zeros(lua_State *L) { return make_filled(L, C_ZEROS, "zeros"); }
static int l_ones(lua_State *L) { return make_filled(L, C_ONES, "ones"); }
static int l_empty(lua_State *L) { return make_filled(L, C_EMPTY, "empty"); }
static int l_rand(lua_State *L) { return make_filled(L, C_RAND, "rand"); }
static int l_randn(lua_State *L) { return make_filled(L, C_RANDN, "randn"); }

static int l_full(lua_State *L)
{
    int nd;
    int64_t shape[TENSOR_MAX_DIMS];
    luaL_checktype(L, 1, LUA_TTABLE);
    shape_arg(L, 1, &nd, shape, "full");
    check_sizes(L, nd, shape, "full");
    double v = luaL_checknumber(L, 2);
    opts_t o;
    opts_arg(L, 3, &o);
    tensor *t = tensor_full(nd, shape, v, o.dtype);
    push_tensor(L, t);
    apply_opts(L, t, &o);
    return 1;
}

static int like(lua_State *L, int kind)
{
    tensor *s = check_tensor(L, 1);
    tensor *t = NULL;
    int next = 2;
    double v = 0;
    if (kind == 5) { v = luaL_checknumber(L, 2); next = 3; }
    opts_t o;
    opts_arg(L, next, &o);
    tensor_dtype dt = lua_isnoneornil(L, next) ? s->dtype : o.dtype;
    switch (kind) {
    case C_ZEROS: case C_EMPTY: t = tensor_zeros(s->ndim, s->shape, dt); break;
    case C_ONES: t = tensor_full(s->ndim, s->shape, 1.0, dt); break;
    case C_RAND: t = tensor_rand(s->ndim, s->shape); break;
    case C_RANDN: t = tensor_randn(s->ndim, s->shape); break;
    case 5: t = tensor_full(s->ndim, s->shape, v, dt); break;
    }
    push_tensor(L, t);
    apply_opts(L, t, &o);
    return 1;
}

static int l_zeros_like(lua_State *L) { return like(L, C_ZEROS); }
static int l_ones_like(lua_State *L) { return like(L, C_ONES); }
static int l_empty_like(lua_State *L) { return like(L, C_EMPTY); }
static int l_rand_like(lua_State *L) { return like(L, C_RAND); }
static int l_randn_like(lua_State *L) { return like(L, C_RANDN); }
static int l_full_like(lua_State *L) { return like(L, 5); }

static int l_arange(lua_State *L)
{
    int n = 0;
    double v[3];
    while (n < 3 && lua_type(L, n + 1) == LUA_TNUMBER) { v[n] = lua_tonumber(L, n + 1); n++; }
    if (n == 0) return luaL_error(L, "arange: needs a stop value");
    opts_t o;
    opts_arg(L, n + 1, &o);
    double start = n >= 2 ? v[0] : 0, stop = n >= 2 ? v[1] : v[0], step = n == 3 ? v[2] : 1;
    tensor *t = tensor_arange(start, stop, step, o.dtype);
    push_tensor(L, t);
    apply_opts(L, t, &o);
    return 1;
}

static int l_linspace(lua_State *L)
{
    return push_tensor(L, tensor_linspace(luaL_checknumber(L, 1), luaL_checknumber(L, 2), luaL_checkinteger(L, 3)));
}

static int l_eye(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1), m = luaL_optinteger(L, 2, n);
    if (n < 0 || m < 0) return luaL_error(L, "eye: sizes must be >= 0");
    return push_tensor(L, tensor_eye(n, m));
}

/* ---------------------------------------------------------------- facts */

static int m_shape(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    lua_createtable(L, t->ndim, 0);
    for (int d = 0; d < t->ndim; d++) {
        lua_pushinteger(L, t->shape[d]);
        lua_rawseti(L, -2, d + 1);
    }
    return 1;
}

static int m_size(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    if (lua_isnoneornil(L, 2)) return m_shape(L);
    int d = dim_arg(L, 2);
    if (d < 0) d += t->ndim;
    if (d < 0 || d >= t->ndim) return luaL_error(L, "size: dim out of range for %d dims", t->ndim);
    lua_pushinteger(L, t->shape[d]);
    return 1;
}

static int m_stride(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    lua_createtable(L, t->ndim, 0);
    for (int d = 0; d < t->ndim; d++) {
        lua_pushinteger(L, t->stride[d]);
        lua_rawseti(L, -2, d + 1);
    }
    return 1;
}

static int m_dim(lua_State *L) { lua_pushinteger(L, check_tensor(L, 1)->ndim); return 1; }
static int m_numel(lua_State *L) { lua_pushinteger(L, tensor_numel(check_tensor(L, 1))); return 1; }
static int m_dtype(lua_State *L) { lua_pushstring(L, tensor_dtype_name(check_tensor(L, 1)->dtype)); return 1; }
static int m_is_contiguous(lua_State *L) { lua_pushboolean(L, tensor_is_contiguous(check_tensor(L, 1))); return 1; }

static void push_number_of(lua_State *L, const tensor *t, double v)
{
    if (t->dtype == TENSOR_F32) lua_pushnumber(L, v);
    else lua_pushinteger(L, (lua_Integer)v);
}

static int m_item(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    double v;
    check_status(L, tensor_item(t, &v));
    push_number_of(L, t, v);
    return 1;
}

static void totable_rec(lua_State *L, const tensor *t, int d, int64_t *idx)
{
    if (d == t->ndim) {
        push_number_of(L, t, tensor_get(t, idx));
        return;
    }
    lua_createtable(L, (int)t->shape[d], 0);
    for (int64_t i = 0; i < t->shape[d]; i++) {
        idx[d] = i;
        totable_rec(L, t, d + 1, idx);
        lua_rawseti(L, -2, i + 1);
    }
}

static int m_totable(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    int64_t idx[TENSOR_MAX_DIMS] = {0};
    luaL_checkstack(L, TENSOR_MAX_DIMS + 4, "totable");
    totable_rec(L, t, 0, idx);
    return 1;
}

/* Element position from Lua integers (1-based, negative from the end). */
static void position_arg(lua_State *L, const tensor *t, int first, int64_t *idx)
{
    for (int d = 0; d < t->ndim; d++) {
        lua_Integer i = luaL_checkinteger(L, first + d);
        if (i < 0) i += t->shape[d] + 1;
        if (i < 1 || i > t->shape[d])
            luaL_error(L, "index: position %d is out of range 1..%d for dim %d", (int)lua_tointeger(L, first + d),
                       (int)t->shape[d], d + 1);
        idx[d] = i - 1;
    }
}

static int m_get(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    int64_t idx[TENSOR_MAX_DIMS];
    position_arg(L, t, 2, idx);
    push_number_of(L, t, tensor_get(t, idx));
    return 1;
}

static int m_set(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    double v = luaL_checknumber(L, 2);
    int64_t idx[TENSOR_MAX_DIMS];
    position_arg(L, t, 3, idx);
    check_status(L, tensor_check_writable(t, "set"));
    tensor_set(t, idx, v);
    lua_settop(L, 1);
    return 1;
}

/* ---------------------------------------------------------------- printing */

typedef struct {
    int width;
    int intlike;    /* every printed float is integral */
    int sci;        /* use %e */
    int summarize;
    luaL_Buffer *b;
} fmt_t;

#define EDGE 3

static void fmt_value(const tensor *t, const fmt_t *f, double v, char *out, size_t n)
{
    if (t->dtype != TENSOR_F32) snprintf(out, n, "%lld", (long long)v);
    else if (isnan(v)) snprintf(out, n, "nan");
    else if (isinf(v)) snprintf(out, n, v > 0 ? "inf" : "-inf");
    else if (f->sci) snprintf(out, n, "%.4e", v);
    else if (f->intlike) snprintf(out, n, "%.0f.", v);
    else snprintf(out, n, "%.4f", v);
}

/* Visit printed elements (skipping the middle when summarising). */
static void scan(const tensor *t, fmt_t *f, int d, int64_t *idx, double *mx, double *mn, int pass)
{
    if (d == t->ndim) {
        double v = tensor_get(t, idx);
        if (pass == 0) {
            if (isfinite(v)) {
                double a = fabs(v);
                if (a > *mx) *mx = a;
                if (a > 0 && a < *mn) *mn = a;
                if (v != floor(v)) f->intlike = 0;
            }
        } else {
            char s[64];
            fmt_value(t, f, v, s, sizeof s);
            int w = (int)strlen(s);
            if (w > f->width) f->width = w;
        }
        return;
    }
    int64_t n = t->shape[d];
    for (int64_t i = 0; i < n; i++) {
        if (f->summarize && n > 2 * EDGE && i == EDGE) i = n - EDGE;
        idx[d] = i;
        scan(t, f, d + 1, idx, mx, mn, pass);
    }
}

static void emit(const tensor *t, fmt_t *f, int d, int64_t *idx, int indent)
{
    if (d == t->ndim) {
        char s[64];
        fmt_value(t, f, tensor_get(t, idx), s, sizeof s);
        for (int k = (int)strlen(s); k < f->width; k++) luaL_addchar(f->b, ' ');
        luaL_addstring(f->b, s);
        return;
    }
    luaL_addchar(f->b, '[');
    int64_t n = t->shape[d];
    for (int64_t i = 0; i < n; i++) {
        if (f->summarize && n > 2 * EDGE && i == EDGE) {
            if (d == t->ndim - 1) luaL_addstring(f->b, "...");
            else {
                luaL_addstring(f->b, "...");
                luaL_addchar(f->b, ',');
                for (int k = 0; k < t->ndim - 1 - d; k++) luaL_addchar(f->b, '\n');
                for (int k = 0; k < indent + 1; k++) luaL_addchar(f->b, ' ');
            }
            if (d == t->ndim - 1) luaL_addstring(f->b, ", ");
            i = n - EDGE;
        }
        idx[d] = i;
        emit(t, f, d + 1, idx, indent + 1);
        if (i + 1 < n) {
            luaL_addchar(f->b, ',');
            if (d == t->ndim - 1) luaL_addchar(f->b, ' ');
            else {
                for (int k = 0; k < t->ndim - 1 - d; k++) luaL_addchar(f->b, '\n');
                for (int k = 0; k < indent + 1; k++) luaL_addchar(f->b, ' ');
            }
        }
    }
    luaL_addchar(f->b, ']');
}

static int t_tostring(lua_State *L)
{
    tensor **box = box_of(L, 1);
    if (!*box) {
        lua_pushliteral(L, "tensor(closed)");
        return 1;
    }
    tensor *t = *box;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    fmt_t f = {0, 1, 0, tensor_numel(t) > 1000, &b};
    int64_t idx[TENSOR_MAX_DIMS] = {0};
    double mx = 0, mn = INFINITY;
    if (tensor_numel(t) > 0) {
        scan(t, &f, 0, idx, &mx, &mn, 0);
        if (t->dtype == TENSOR_F32 && !f.intlike && (mx >= 1e6 || (mn < 1e-4 && mx > 0))) f.sci = 1;
        if (t->dtype == TENSOR_F32 && f.intlike && mx >= 1e8) f.sci = 1, f.intlike = 0;
        scan(t, &f, 0, idx, &mx, &mn, 1);
    }
    luaL_addstring(&b, "tensor(");
    if (tensor_numel(t) == 0) {
        for (int d = 0; d < t->ndim; d++) luaL_addchar(&b, '[');
        for (int d = 0; d < t->ndim; d++) luaL_addchar(&b, ']');
    } else {
        emit(t, &f, 0, idx, 7);
    }
    char sh[160];
    luaL_addstring(&b, ", shape=");
    luaL_addstring(&b, tensor_shape_str(t, sh, sizeof sh));
    luaL_addstring(&b, ", dtype=");
    luaL_addstring(&b, tensor_dtype_name(t->dtype));
    if (t->node) {
        luaL_addstring(&b, ", grad_fn=<");
        luaL_addstring(&b, tensor_grad_fn_name(t));
        luaL_addchar(&b, '>');
    } else if (t->requires_grad) {
        luaL_addstring(&b, ", requires_grad=true");
    }
    luaL_addchar(&b, ')');
    luaL_pushresult(&b);
    return 1;
}

/* ---------------------------------------------------------------- views */

static int m_view_like(lua_State *L, int copy)
{
    tensor *t = check_tensor(L, 1);
    int nd;
    int64_t shape[TENSOR_MAX_DIMS];
    shape_arg(L, 2, &nd, shape, copy ? "reshape" : "view");
    return push_tensor(L, copy ? tensor_reshape(t, nd, shape) : tensor_view(t, nd, shape));
}

static int m_view(lua_State *L) { return m_view_like(L, 0); }
static int m_reshape(lua_State *L) { return m_view_like(L, 1); }

static int m_permute(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    int perm[TENSOR_MAX_DIMS];
    int n;
    if (lua_type(L, 2) == LUA_TTABLE) {
        n = (int)luaL_len(L, 2);
        if (n != t->ndim) return luaL_error(L, "permute: %d dims given for a tensor of %d dims", n, t->ndim);
        for (int k = 0; k < n; k++) {
            lua_geti(L, 2, k + 1);
            perm[k] = dim_arg(L, lua_gettop(L));
            lua_pop(L, 1);
        }
    } else {
        n = lua_gettop(L) - 1;
        if (n != t->ndim) return luaL_error(L, "permute: %d dims given for a tensor of %d dims", n, t->ndim);
        for (int k = 0; k < n; k++) perm[k] = dim_arg(L, k + 2);
    }
    return push_tensor(L, tensor_permute(t, perm));
}

static int m_transpose(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    return push_tensor(L, tensor_transpose(t, dim_arg(L, 2), dim_arg(L, 3)));
}

static int m_t(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    if (t->ndim != 2) return luaL_error(L, "t: needs a 2-D tensor (use transpose(d1, d2))");
    return push_tensor(L, tensor_transpose(t, 0, 1));
}

static int m_narrow(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    int d = dim_arg(L, 2);
    lua_Integer s = luaL_checkinteger(L, 3), n = luaL_checkinteger(L, 4);
    if (s == 0) return luaL_argerror(L, 3, "positions are 1-based");
    return push_tensor(L, tensor_narrow(t, d, s > 0 ? s - 1 : s, n));
}

static int m_slice(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    int d = dim_arg(L, 2);
    int dd = d < 0 ? d + t->ndim : d;
    if (dd < 0 || dd >= t->ndim) return luaL_error(L, "slice: dim out of range for %d dims", t->ndim);
    int64_t n = t->shape[dd];
    lua_Integer i = luaL_optinteger(L, 3, 1), j = luaL_optinteger(L, 4, -1), step = luaL_optinteger(L, 5, 1);
    if (i < 0) i += n + 1;
    if (j < 0) j += n + 1;
    if (i < 1) i = 1;
    return push_tensor(L, tensor_slice(t, d, i - 1, j, step));
}

static int m_select(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    int d = dim_arg(L, 2);
    lua_Integer i = luaL_checkinteger(L, 3);
    if (i == 0) return luaL_argerror(L, 3, "positions are 1-based");
    return push_tensor(L, tensor_select(t, d, i > 0 ? i - 1 : i));
}

static int m_expand(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    int nd;
    int64_t shape[TENSOR_MAX_DIMS];
    shape_arg(L, 2, &nd, shape, "expand");
    return push_tensor(L, tensor_expand(t, nd, shape));
}

static int m_expand_as(lua_State *L)
{
    tensor *t = check_tensor(L, 1), *o = check_tensor(L, 2);
    return push_tensor(L, tensor_expand(t, o->ndim, o->shape));
}

static int m_squeeze(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    return push_tensor(L, tensor_squeeze(t, lua_isnoneornil(L, 2) ? TENSOR_ALL_DIMS : dim_arg(L, 2)));
}

static int m_unsqueeze(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    return push_tensor(L, tensor_unsqueeze(t, dim_arg(L, 2)));
}

static int m_flatten(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    return push_tensor(L, tensor_flatten(t, opt_dim(L, 2, 0), opt_dim(L, 3, -1)));
}

static int m_contiguous(lua_State *L) { return push_tensor(L, tensor_contiguous(check_tensor(L, 1))); }
static int m_clone(lua_State *L) { return push_tensor(L, tensor_clone(check_tensor(L, 1))); }
static int m_detach(lua_State *L) { return push_tensor(L, tensor_detach(check_tensor(L, 1))); }

static int m_to(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    tensor_dtype dt;
    dtype_arg(L, 2, &dt);
    return push_tensor(L, tensor_to_dtype(t, dt));
}
static int m_float(lua_State *L) { return push_tensor(L, tensor_to_dtype(check_tensor(L, 1), TENSOR_F32)); }
static int m_long(lua_State *L) { return push_tensor(L, tensor_to_dtype(check_tensor(L, 1), TENSOR_I64)); }
static int m_int(lua_State *L) { return push_tensor(L, tensor_to_dtype(check_tensor(L, 1), TENSOR_I32)); }

static int split_common(lua_State *L, int by_count)
{
    tensor *t = check_tensor(L, 1);
    lua_Integer k = luaL_checkinteger(L, 2);
    int d = opt_dim(L, 3, 0);
    int dd = d < 0 ? d + t->ndim : d;
    if (dd < 0 || dd >= t->ndim) return luaL_error(L, "%s: dim out of range for %d dims", by_count ? "chunk" : "split", t->ndim);
    if (k < 1) return luaL_error(L, "%s: %s must be >= 1", by_count ? "chunk" : "split", by_count ? "the count" : "the size");
    int64_t n = t->shape[dd];
    int64_t size = by_count ? (n + k - 1) / k : k;
    if (size < 1) size = 1;
    lua_newtable(L);
    int i = 1;
    for (int64_t at = 0; at < n; at += size) {
        int64_t len = n - at < size ? n - at : size;
        push_tensor(L, tensor_narrow(t, dd, at, len));
        lua_rawseti(L, -2, i++);
    }
    return 1;
}
static int m_split(lua_State *L) { return split_common(L, 0); }
static int m_chunk(lua_State *L) { return split_common(L, 1); }

/* ---------------------------------------------------------------- elementwise */

typedef enum { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAX, B_MIN, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE } binop;

static tensor *apply_binary(binop op, const tensor *a, const tensor *b)
{
    switch (op) {
    case B_ADD: return tensor_add(a, b);
    case B_SUB: return tensor_sub(a, b);
    case B_MUL: return tensor_mul(a, b);
    case B_DIV: return tensor_div(a, b);
    case B_POW: return tensor_pow(a, b);
    case B_MAX: return tensor_maximum(a, b);
    case B_MIN: return tensor_minimum(a, b);
    case B_EQ: return tensor_eq(a, b);
    case B_NE: return tensor_ne(a, b);
    case B_LT: return tensor_lt(a, b);
    case B_LE: return tensor_le(a, b);
    case B_GT: return tensor_gt(a, b);
    case B_GE: return tensor_ge(a, b);
    }
    return NULL;
}

static int binary(lua_State *L, binop op)
{
    tensor *a = test_tensor(L, 1), *b = test_tensor(L, 2);
    /* fast scalar forms keep the tape short */
    if (a && !b && lua_type(L, 2) == LUA_TNUMBER) {
        double s = lua_tonumber(L, 2);
        switch (op) {
        case B_ADD: return push_tensor(L, tensor_add_scalar(a, s));
        case B_SUB: return push_tensor(L, tensor_add_scalar(a, -s));
        case B_MUL: return push_tensor(L, tensor_mul_scalar(a, s));
        case B_DIV: return push_tensor(L, tensor_mul_scalar(a, 1.0 / s));
        case B_POW: return push_tensor(L, tensor_pow_scalar(a, s));
        default: break;
        }
    }
    if (b && !a && lua_type(L, 1) == LUA_TNUMBER) {
        double s = lua_tonumber(L, 1);
        switch (op) {
        case B_ADD: return push_tensor(L, tensor_add_scalar(b, s));
        case B_SUB: return push_tensor(L, tensor_rsub_scalar(b, s));
        case B_MUL: return push_tensor(L, tensor_mul_scalar(b, s));
        case B_DIV: return push_tensor(L, tensor_rdiv_scalar(b, s));
        default: break;
        }
    }
    tensor *ta, *tb;
    tensor *x = tensor_or_number(L, 1, &ta);
    tensor *y = lua_type(L, 2) == LUA_TNUMBER || test_tensor(L, 2) ? tensor_or_number(L, 2, &tb) : NULL;
    if (!y) {
        tensor_free(ta);
        return luaL_typeerror(L, 2, "tensor or number");
    }
    tensor *r = apply_binary(op, x, y);
    tensor_free(ta);
    tensor_free(tb);
    return push_tensor(L, r);
}

static int m_add(lua_State *L) { return binary(L, B_ADD); }
static int m_sub(lua_State *L) { return binary(L, B_SUB); }
static int m_mul(lua_State *L) { return binary(L, B_MUL); }
static int m_div(lua_State *L) { return binary(L, B_DIV); }
static int m_pow(lua_State *L) { return binary(L, B_POW); }
static int m_maximum(lua_State *L) { return binary(L, B_MAX); }
static int m_minimum(lua_State *L) { return binary(L, B_MIN); }
static int m_eq(lua_State *L) { return binary(L, B_EQ); }
static int m_ne(lua_State *L) { return binary(L, B_NE); }
static int m_lt(lua_State *L) { return binary(L, B_LT); }
static int m_le(lua_State *L) { return binary(L, B_LE); }
static int m_gt(lua_State *L) { return binary(L, B_GT); }
static int m_ge(lua_State *L) { return binary(L, B_GE); }

static int m_unm(lua_State *L) { return push_tensor(L, tensor_neg(check_tensor(L, 1))); }

#define UNARY(name, call) static int m_##name(lua_State *L) { return push_tensor(L, call(check_tensor(L, 1))); }
UNARY(neg, tensor_neg)
UNARY(abs, tensor_abs)
UNARY(exp, tensor_exp)
UNARY(log, tensor_log)
UNARY(sqrt, tensor_sqrt)
UNARY(rsqrt, tensor_rsqrt)
UNARY(tanh, tensor_tanh)
UNARY(sigmoid, tensor_sigmoid)
UNARY(relu, tensor_relu)
UNARY(silu, tensor_silu)

static int m_gelu(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    const char *approx = luaL_optstring(L, 2, "none");
    int th = strcmp(approx, "tanh") == 0;
    if (!th && strcmp(approx, "none") != 0) return luaL_error(L, "gelu: approximate must be 'none' or 'tanh'");
    return push_tensor(L, tensor_gelu(t, th));
}

static int m_clamp(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    double lo = luaL_optnumber(L, 2, -HUGE_VAL), hi = luaL_optnumber(L, 3, HUGE_VAL);
    return push_tensor(L, tensor_clamp(t, lo, hi));
}

static int m_masked_fill(lua_State *L)
{
    tensor *t = check_tensor(L, 1), *m = check_tensor(L, 2);
    return push_tensor(L, tensor_masked_fill(t, m, luaL_checknumber(L, 3)));
}

static int l_where(lua_State *L)
{
    tensor *c = check_tensor(L, 1), *ta, *tb;
    (void)test_tensor(L, 3); /* a closed tensor raises here, before anything is allocated */
    tensor *a = tensor_or_number(L, 2, &ta);
    if (!test_tensor(L, 3) && lua_type(L, 3) != LUA_TNUMBER) { tensor_free(ta); return luaL_typeerror(L, 3, "tensor or number"); }
    tensor *b = tensor_or_number(L, 3, &tb);
    tensor *r = tensor_where(c, a, b);
    tensor_free(ta);
    tensor_free(tb);
    return push_tensor(L, r);
}

static int m_where(lua_State *L)
{
    /* self:where(cond, other) -> cond ? self : other */
    lua_settop(L, 3);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 3);
    lua_replace(L, 3);
    lua_replace(L, 2);
    lua_replace(L, 1);
    return l_where(L);
}

/* ---------------------------------------------------------------- reductions */

static int m_sum(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    return push_tensor(L, tensor_sum(t, dims_arg(L, 2, t), lua_toboolean(L, 3)));
}

static int m_mean(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    return push_tensor(L, tensor_mean(t, dims_arg(L, 2, t), lua_toboolean(L, 3)));
}

static int m_var(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    return push_tensor(L, tensor_var(t, dims_arg(L, 2, t), lua_toboolean(L, 3), (int)luaL_optinteger(L, 4, 1)));
}

static int m_std(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    return push_tensor(L, tensor_std(t, dims_arg(L, 2, t), lua_toboolean(L, 3), (int)luaL_optinteger(L, 4, 1)));
}

static int extreme(lua_State *L, int is_max)
{
    tensor *t = check_tensor(L, 1);
    if (test_tensor(L, 2)) return binary(L, is_max ? B_MAX : B_MIN);
    if (lua_isnoneornil(L, 2))
        return push_tensor(L, is_max ? tensor_max(t, TENSOR_ALL_DIMS, 0, NULL) : tensor_min(t, TENSOR_ALL_DIMS, 0, NULL));
    int d = dim_arg(L, 2);
    tensor *idx = NULL;
    tensor *v = is_max ? tensor_max(t, d, lua_toboolean(L, 3), &idx) : tensor_min(t, d, lua_toboolean(L, 3), &idx);
    if (!v) return llm_lua_fail(L, NULL);
    /* push both without leaking idx if the first push raises: allocate boxes first */
    tensor **b1 = (tensor **)lua_newuserdatauv(L, sizeof(tensor *), 0);
    *b1 = NULL;
    luaL_setmetatable(L, TENSOR_MT);
    tensor **b2 = (tensor **)lua_newuserdatauv(L, sizeof(tensor *), 0);
    *b2 = NULL;
    luaL_setmetatable(L, TENSOR_MT);
    *b1 = v;
    *b2 = idx;
    return 2;
}

static int m_max(lua_State *L) { return extreme(L, 1); }
static int m_min(lua_State *L) { return extreme(L, 0); }

static int m_argmax(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    return push_tensor(L, tensor_argmax(t, opt_dim(L, 2, TENSOR_ALL_DIMS), lua_toboolean(L, 3)));
}

static int m_argmin(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    return push_tensor(L, tensor_argmin(t, opt_dim(L, 2, TENSOR_ALL_DIMS), lua_toboolean(L, 3)));
}

/* ---------------------------------------------------------------- nn ops */

static int m_softmax(lua_State *L) { return push_tensor(L, tensor_softmax(check_tensor(L, 1), opt_dim(L, 2, -1))); }
static int m_log_softmax(lua_State *L) { return push_tensor(L, tensor_log_softmax(check_tensor(L, 1), opt_dim(L, 2, -1))); }
static int m_matmul(lua_State *L) { return push_tensor(L, tensor_matmul(check_tensor(L, 1), check_tensor(L, 2))); }

static tensor *opt_tensor(lua_State *L, int i) { return lua_isnoneornil(L, i) ? NULL : check_tensor(L, i); }

static int m_linear(lua_State *L)
{
    return push_tensor(L, tensor_linear(check_tensor(L, 1), check_tensor(L, 2), opt_tensor(L, 3)));
}

/* x:linear_act(w, b|nil, act): act(x @ w^T + b), act "gelu_tanh" (default), "gelu" or "silu" */
static int m_linear_act(lua_State *L)
{
    static const char *const names[] = {"gelu_tanh", "gelu", "silu", NULL};
    static const int acts[] = {TENSOR_ACT_GELU_TANH, TENSOR_ACT_GELU_ERF, TENSOR_ACT_SILU};
    tensor *x = check_tensor(L, 1), *w = check_tensor(L, 2), *b = opt_tensor(L, 3);
    int a = luaL_checkoption(L, 4, "gelu_tanh", names);
    return push_tensor(L, tensor_linear_act(x, w, b, acts[a]));
}

/* x:mlp(w1, b1|nil, w2, b2|nil, act): act(x @ w1^T + b1) @ w2^T + b2, act as linear_act */
static int m_mlp(lua_State *L)
{
    static const char *const names[] = {"gelu_tanh", "gelu", "silu", NULL};
    static const int acts[] = {TENSOR_ACT_GELU_TANH, TENSOR_ACT_GELU_ERF, TENSOR_ACT_SILU};
    tensor *x = check_tensor(L, 1), *w1 = check_tensor(L, 2), *b1 = opt_tensor(L, 3);
    tensor *w2 = check_tensor(L, 4), *b2 = opt_tensor(L, 5);
    int a = luaL_checkoption(L, 6, "gelu_tanh", names);
    return push_tensor(L, tensor_mlp(x, w1, b1, w2, b2, acts[a]));
}

static int m_layer_norm(lua_State *L)
{
    tensor *x = check_tensor(L, 1), *w = opt_tensor(L, 2), *b = opt_tensor(L, 3);
    return push_tensor(L, tensor_layer_norm(x, w, b, luaL_optnumber(L, 4, 1e-5)));
}

static int m_rms_norm(lua_State *L)
{
    tensor *x = check_tensor(L, 1), *w = opt_tensor(L, 2);
    return push_tensor(L, tensor_rms_norm(x, w, luaL_optnumber(L, 3, 1e-5)));
}

static int m_dropout(lua_State *L)
{
    tensor *x = check_tensor(L, 1);
    double p = luaL_checknumber(L, 2);
    int training = lua_isnoneornil(L, 3) ? 1 : lua_toboolean(L, 3);
    return push_tensor(L, tensor_dropout(x, p, training));
}

static int m_cross_entropy(lua_State *L)
{
    tensor *x = check_tensor(L, 1), *t = check_tensor(L, 2);
    int64_t ignore = -100;
    double smooth = 0;
    tensor_reduction red = TENSOR_REDUCE_MEAN;
    if (lua_type(L, 3) == LUA_TTABLE) {
        if (lua_getfield(L, 3, "ignore_index") != LUA_TNIL) ignore = luaL_checkinteger(L, -1);
        lua_pop(L, 1);
        if (lua_getfield(L, 3, "label_smoothing") != LUA_TNIL) smooth = luaL_checknumber(L, -1);
        lua_pop(L, 1);
        if (lua_getfield(L, 3, "reduction") != LUA_TNIL) {
            const char *r = luaL_checkstring(L, -1);
            if (!strcmp(r, "mean")) red = TENSOR_REDUCE_MEAN;
            else if (!strcmp(r, "sum")) red = TENSOR_REDUCE_SUM;
            else if (!strcmp(r, "none")) red = TENSOR_REDUCE_NONE;
            else return luaL_error(L, "cross_entropy: reduction must be 'mean', 'sum' or 'none', not '%s'", r);
        }
        lua_pop(L, 1);
    } else if (!lua_isnoneornil(L, 3)) {
        return luaL_argerror(L, 3, "expected an options table");
    }
    return push_tensor(L, tensor_cross_entropy(x, t, ignore, smooth, red));
}

/* The options table {causal=, mask=, scale=} at index i: fills the outputs (the mask stays held by the table). */
static void attention_opts(lua_State *L, int i, int *causal, double *scale, tensor **mask)
{
    *causal = 0;
    *scale = 0;
    *mask = NULL;
    if (lua_type(L, i) == LUA_TTABLE) {
        lua_getfield(L, i, "causal");
        *causal = lua_toboolean(L, -1);
        lua_pop(L, 1);
        if (lua_getfield(L, i, "scale") != LUA_TNIL) *scale = luaL_checknumber(L, -1);
        lua_pop(L, 1);
        if (lua_getfield(L, i, "mask") != LUA_TNIL) *mask = check_tensor(L, lua_gettop(L));
        lua_pop(L, 1); /* the table still holds the mask */
    } else if (!lua_isnoneornil(L, i)) {
        luaL_argerror(L, i, "expected an options table {causal=, mask=, scale=}");
    }
}

static int l_attention(lua_State *L)
{
    tensor *q = check_tensor(L, 1), *k = check_tensor(L, 2), *v = check_tensor(L, 3), *mask;
    int causal;
    double scale;
    attention_opts(L, 4, &causal, &scale, &mask);
    return push_tensor(L, tensor_attention(q, k, v, mask, causal, scale));
}

static int l_attention_packed(lua_State *L)
{
    tensor *qkv = check_tensor(L, 1), *mask;
    lua_Integer heads = luaL_checkinteger(L, 2);
    int causal;
    double scale;
    attention_opts(L, 3, &causal, &scale, &mask);
    return push_tensor(L, tensor_attention_packed(qkv, (int64_t)heads, mask, causal, scale));
}

static int l_embedding(lua_State *L)
{
    return push_tensor(L, tensor_embedding(check_tensor(L, 2), check_tensor(L, 1)));
}

static int m_index_select(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    return push_tensor(L, tensor_index_select(t, dim_arg(L, 2), check_tensor(L, 3)));
}

static int m_gather(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    return push_tensor(L, tensor_gather(t, dim_arg(L, 2), check_tensor(L, 3)));
}

static int m_scatter_add(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    return push_tensor(L, tensor_scatter_add(t, dim_arg(L, 2), check_tensor(L, 3), check_tensor(L, 4)));
}

static int m_one_hot(lua_State *L)
{
    return push_tensor(L, tensor_one_hot(check_tensor(L, 1), luaL_checkinteger(L, 2)));
}

/* A list of tensors from a Lua table, borrowed pointers into a userdata array. */
static tensor **list_arg(lua_State *L, int i, int *n)
{
    luaL_checktype(L, i, LUA_TTABLE);
    *n = (int)luaL_len(L, i);
    if (*n < 1) luaL_error(L, "cat: needs a non-empty list of tensors");
    tensor **v = (tensor **)lua_newuserdatauv(L, sizeof(tensor *) * (size_t)*n, 0);
    for (int k = 0; k < *n; k++) {
        lua_geti(L, i, k + 1);
        tensor *t = test_tensor(L, -1);
        if (!t) luaL_error(L, "cat: entry %d is not a tensor", k + 1);
        v[k] = t;
        lua_pop(L, 1);
    }
    return v;
}

static int l_cat(lua_State *L)
{
    int n;
    int d = opt_dim(L, 2, 0);
    tensor **v = list_arg(L, 1, &n);
    return push_tensor(L, tensor_cat(n, v, d));
}

static int l_stack(lua_State *L)
{
    int n;
    int d = 0;
    if (!lua_isnoneornil(L, 2)) {
        lua_Integer x = luaL_checkinteger(L, 2);
        if (x == 0) return luaL_argerror(L, 2, "dims are 1-based");
        d = x > 0 ? (int)x - 1 : (int)x;
    }
    tensor **v = list_arg(L, 1, &n);
    return push_tensor(L, tensor_stack(n, v, d));
}

/* ---------------------------------------------------------------- in place */

static int m_fill_(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    check_status(L, tensor_fill_(t, luaL_checknumber(L, 2)));
    lua_settop(L, 1);
    return 1;
}

static int m_zero_(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    check_status(L, tensor_fill_(t, 0));
    lua_settop(L, 1);
    return 1;
}

static int m_copy_(lua_State *L)
{
    tensor *t = check_tensor(L, 1), *tmp;
    tensor *s = tensor_or_number(L, 2, &tmp);
    llm_status st = tensor_copy_(t, s);
    tensor_free(tmp);
    check_status(L, st);
    lua_settop(L, 1);
    return 1;
}

static int m_add_(lua_State *L)
{
    tensor *t = check_tensor(L, 1), *tmp;
    double alpha = luaL_optnumber(L, 3, 1.0); /* before anything is allocated */
    tensor *s = tensor_or_number(L, 2, &tmp);
    llm_status st = tensor_add_(t, s, alpha);
    tensor_free(tmp);
    check_status(L, st);
    lua_settop(L, 1);
    return 1;
}

static int m_mul_(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    llm_status st;
    if (lua_type(L, 2) == LUA_TNUMBER) {
        st = tensor_scale_(t, lua_tonumber(L, 2));
    } else {
        st = tensor_mul_(t, check_tensor(L, 2));
    }
    check_status(L, st);
    lua_settop(L, 1);
    return 1;
}

static int m_uniform_(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    if (!tensor_uniform_(t, luaL_optnumber(L, 2, 0), luaL_optnumber(L, 3, 1))) return llm_lua_fail(L, NULL);
    lua_settop(L, 1);
    return 1;
}

static int m_normal_(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    if (!tensor_normal_(t, luaL_optnumber(L, 2, 0), luaL_optnumber(L, 3, 1))) return llm_lua_fail(L, NULL);
    lua_settop(L, 1);
    return 1;
}

static int m_trunc_normal_(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    double mean = luaL_optnumber(L, 2, 0), std = luaL_optnumber(L, 3, 1);
    if (!tensor_trunc_normal_(t, mean, std, luaL_optnumber(L, 4, mean - 2 * std), luaL_optnumber(L, 5, mean + 2 * std)))
        return llm_lua_fail(L, NULL);
    lua_settop(L, 1);
    return 1;
}

static double num_field(lua_State *L, int i, const char *k, double def)
{
    lua_getfield(L, i, k);
    double v = luaL_optnumber(L, -1, def);
    lua_pop(L, 1);
    return v;
}

static int l_adamw_step(lua_State *L)
{
    tensor *p = check_tensor(L, 1), *g = check_tensor(L, 2), *m = check_tensor(L, 3), *v = check_tensor(L, 4);
    luaL_checktype(L, 5, LUA_TTABLE);
    double lr = num_field(L, 5, "lr", 1e-3), b1 = num_field(L, 5, "beta1", 0.9), b2 = num_field(L, 5, "beta2", 0.999);
    double eps = num_field(L, 5, "eps", 1e-8), wd = num_field(L, 5, "weight_decay", 0.0);
    lua_getfield(L, 5, "step");
    lua_Integer step = luaL_checkinteger(L, -1);
    lua_pop(L, 1);
    check_status(L, tensor_adamw_(p, g, m, v, lr, b1, b2, eps, wd, step));
    return 0;
}

/* ---------------------------------------------------------------- autograd */

static int m_requires_grad(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    int on = lua_isnoneornil(L, 2) ? 1 : lua_toboolean(L, 2);
    check_status(L, tensor_set_requires_grad(t, on));
    lua_settop(L, 1);
    return 1;
}

static int m_needs_grad(lua_State *L) { lua_pushboolean(L, check_tensor(L, 1)->requires_grad); return 1; }
static int m_is_leaf(lua_State *L) { lua_pushboolean(L, check_tensor(L, 1)->node == NULL); return 1; }

static int m_grad_fn(lua_State *L)
{
    const char *n = tensor_grad_fn_name(check_tensor(L, 1));
    if (n) lua_pushstring(L, n);
    else lua_pushnil(L);
    return 1;
}

static int m_backward(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    tensor *g = opt_tensor(L, 2);
    check_status(L, tensor_backward(t, g, lua_toboolean(L, 3)));
    return 0;
}

static int m_zero_grad(lua_State *L)
{
    tensor_zero_grad(check_tensor(L, 1));
    return 0;
}

static int l_no_grad(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    int was = tensor_grad_enabled();
    tensor_set_grad_enabled(0);
    int base = 0;
    int n = lua_gettop(L) - 1;
    int st = lua_pcall(L, n, LUA_MULTRET, base);
    tensor_set_grad_enabled(was);
    if (st != LUA_OK) return lua_error(L);
    return lua_gettop(L);
}

static int l_grad_enabled(lua_State *L)
{
    int was = tensor_grad_enabled();
    if (!lua_isnoneornil(L, 1)) tensor_set_grad_enabled(lua_toboolean(L, 1));
    lua_pushboolean(L, was);
    return 1;
}

/* The names of the differentiable ops (the engine's op table), for the gradient-check coverage test. */
static int l_tensor_ops(lua_State *L)
{
    lua_newtable(L);
    for (int i = 1; tensor_op_name(i); i++) {
        lua_pushstring(L, tensor_op_name(i));
        lua_rawseti(L, -2, i);
    }
    return 1;
}

static int l_is_tensor(lua_State *L) { lua_pushboolean(L, test_tensor(L, 1) != NULL); return 1; }

static int l_tensor_memory(lua_State *L)
{
    if (lua_toboolean(L, 1)) { /* llm.tensor_memory(true): collect garbage and give cached blocks back first */
        lua_gc(L, LUA_GCCOLLECT);
        tensor_cache_trim();
    }
    lua_pushinteger(L, (lua_Integer)tensor_live_bytes());
    lua_pushinteger(L, (lua_Integer)tensor_total_allocated());
    lua_pushinteger(L, (lua_Integer)tensor_cached_bytes());
    return 3;
}

/* ---------------------------------------------------------------- indexing metamethods */

/* Parse t[i] / t[{i,j,...}] positions (1-based, negative from the end) into pos; returns their count. */
static int index_positions(lua_State *L, const tensor *t, int key, int64_t *pos)
{
    int n;
    if (lua_type(L, key) == LUA_TTABLE) {
        n = (int)luaL_len(L, key);
        if (n > t->ndim) return luaL_error(L, "index: %d positions for a tensor of %d dims", n, t->ndim);
        for (int d = 0; d < n; d++) {
            lua_geti(L, key, d + 1);
            int isnum;
            lua_Integer i = lua_tointegerx(L, -1, &isnum);
            lua_pop(L, 1);
            if (!isnum) return luaL_error(L, "index: positions must be integers");
            lua_Integer i0 = i;
            if (i < 0) i += t->shape[d] + 1;
            if (i < 1 || i > t->shape[d])
                return luaL_error(L, "index: position %d is out of range 1..%d for dim %d", (int)i0, (int)t->shape[d], d + 1);
            pos[d] = i - 1;
        }
        return n;
    }
    if (t->ndim == 0) return luaL_error(L, "index: a 0-dim tensor has no rows (use :item())");
    int isnum;
    lua_Integer i = lua_tointegerx(L, key, &isnum);
    if (!isnum) return luaL_error(L, "index: positions must be integers");
    lua_Integer i0 = i;
    if (i < 0) i += t->shape[0] + 1;
    if (i < 1 || i > t->shape[0]) return luaL_error(L, "index: position %d is out of range 1..%d", (int)i0, (int)t->shape[0]);
    pos[0] = i - 1;
    return 1;
}

/* The view selected by n positions (a new reference, NULL on error). */
static tensor *select_view(tensor *t, int n, const int64_t *pos)
{
    tensor *v = tensor_ref(t);
    for (int d = 0; d < n && v; d++) {
        tensor *w = tensor_select(v, 0, pos[d]);
        tensor_free(v);
        v = w;
    }
    return v;
}

static int t_index(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    int kt = lua_type(L, 2);
    if (kt == LUA_TSTRING) {
        const char *k = lua_tostring(L, 2);
        if (!strcmp(k, "grad")) {
            if (!t->grad) { lua_pushnil(L); return 1; }
            return push_tensor(L, tensor_ref(t->grad));
        }
        lua_getmetatable(L, 1);
        lua_getfield(L, -1, "__methods");
        lua_getfield(L, -1, k);
        return 1;
    }
    if (kt != LUA_TNUMBER && kt != LUA_TTABLE) { lua_pushnil(L); return 1; }
    if (kt == LUA_TNUMBER && t->ndim > 0) { /* t[i] past either end is nil, so ipairs(t) stops there */
        int isnum;
        lua_Integer i = lua_tointegerx(L, 2, &isnum);
        if (isnum && (i < 0 ? -i : i) > t->shape[0]) { lua_pushnil(L); return 1; }
    }
    int64_t pos[TENSOR_MAX_DIMS];
    int n = index_positions(L, t, 2, pos);
    if (n == t->ndim && !(tensor_grad_enabled() && t->requires_grad)) { /* one element: a number */
        push_number_of(L, t, tensor_get(t, pos));
        return 1;
    }
    return push_tensor(L, select_view(t, n, pos));
}

static int t_newindex(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    int kt = lua_type(L, 2);
    if (kt == LUA_TSTRING && !strcmp(lua_tostring(L, 2), "grad")) {
        tensor *g = opt_tensor(L, 3);
        if (g && !(g->ndim == t->ndim && !memcmp(g->shape, t->shape, sizeof(int64_t) * (size_t)t->ndim)))
            return luaL_error(L, "grad: the gradient must have the tensor's shape");
        tensor_free(t->grad);
        t->grad = g ? tensor_ref(g) : NULL;
        return 0;
    }
    if (kt != LUA_TNUMBER && kt != LUA_TTABLE) return luaL_error(L, "tensor: cannot set field '%s'", luaL_tolstring(L, 2, NULL));
    int64_t pos[TENSOR_MAX_DIMS];
    int n = index_positions(L, t, 2, pos);
    tensor *tmp;
    tensor *src = tensor_or_number(L, 3, &tmp);
    tensor *v = select_view(t, n, pos);
    llm_status st = v ? tensor_copy_(v, src) : LLM_ERR_NOMEM;
    tensor_free(v);
    tensor_free(tmp);
    check_status(L, st);
    return 0;
}

static int t_len(lua_State *L)
{
    tensor *t = check_tensor(L, 1);
    if (t->ndim == 0) return luaL_error(L, "len: a 0-dim tensor has no length");
    lua_pushinteger(L, t->shape[0]);
    return 1;
}

/* ---------------------------------------------------------------- registration */

static const luaL_Reg methods[] = {
    {"shape", m_shape}, {"size", m_size}, {"stride", m_stride}, {"dim", m_dim}, {"numel", m_numel},
    {"dtype", m_dtype}, {"is_contiguous", m_is_contiguous}, {"item", m_item}, {"totable", m_totable},
    {"get", m_get}, {"set", m_set},
    {"view", m_view}, {"reshape", m_reshape}, {"permute", m_permute}, {"transpose", m_transpose}, {"t", m_t},
    {"narrow", m_narrow}, {"slice", m_slice}, {"select", m_select}, {"expand", m_expand}, {"expand_as", m_expand_as},
    {"squeeze", m_squeeze}, {"unsqueeze", m_unsqueeze}, {"flatten", m_flatten}, {"contiguous", m_contiguous},
    {"clone", m_clone}, {"detach", m_detach}, {"to", m_to}, {"float", m_float}, {"long", m_long}, {"int", m_int},
    {"split", m_split}, {"chunk", m_chunk},
    {"add", m_add}, {"sub", m_sub}, {"mul", m_mul}, {"div", m_div}, {"pow", m_pow},
    {"maximum", m_maximum}, {"minimum", m_minimum},
    {"eq", m_eq}, {"ne", m_ne}, {"lt", m_lt}, {"le", m_le}, {"gt", m_gt}, {"ge", m_ge},
    {"neg", m_neg}, {"abs", m_abs}, {"exp", m_exp}, {"log", m_log}, {"sqrt", m_sqrt}, {"rsqrt", m_rsqrt},
    {"tanh", m_tanh}, {"sigmoid", m_sigmoid}, {"relu", m_relu}, {"silu", m_silu}, {"gelu", m_gelu},
    {"clamp", m_clamp}, {"masked_fill", m_masked_fill}, {"where", m_where},
    {"sum", m_sum}, {"mean", m_mean}, {"var", m_var}, {"std", m_std}, {"max", m_max}, {"min", m_min},
    {"argmax", m_argmax}, {"argmin", m_argmin},
    {"softmax", m_softmax}, {"log_softmax", m_log_softmax}, {"matmul", m_matmul}, {"linear", m_linear},
    {"linear_act", m_linear_act}, {"mlp", m_mlp}, {"layer_norm", m_layer_norm}, {"rms_norm", m_rms_norm}, {"dropout", m_dropout},
    {"cross_entropy", m_cross_entropy}, {"index_select", m_index_select}, {"gather", m_gather},
    {"scatter_add", m_scatter_add}, {"one_hot", m_one_hot},
    {"fill_", m_fill_}, {"zero_", m_zero_}, {"copy_", m_copy_}, {"add_", m_add_}, {"mul_", m_mul_},
    {"uniform_", m_uniform_}, {"normal_", m_normal_}, {"trunc_normal_", m_trunc_normal_},
    {"requires_grad", m_requires_grad}, {"needs_grad", m_needs_grad}, {"is_leaf", m_is_leaf},
    {"grad_fn", m_grad_fn}, {"backward", m_backward}, {"zero_grad", m_zero_grad},
    {NULL, NULL},
};

static const luaL_Reg metamethods[] = {
    {"__gc", t_gc}, {"__close", t_gc}, {"__tostring", t_tostring}, {"__index", t_index},
    {"__newindex", t_newindex}, {"__len", t_len},
    {"__add", m_add}, {"__sub", m_sub}, {"__mul", m_mul}, {"__div", m_div}, {"__pow", m_pow}, {"__unm", m_unm},
    {NULL, NULL},
};

static const luaL_Reg functions[] = {
    {"tensor", l_tensor}, {"zeros", l_zeros}, {"ones", l_ones}, {"empty", l_empty}, {"rand", l_rand},
    {"randn", l_randn}, {"full", l_full}, {"arange", l_arange}, {"linspace", l_linspace}, {"eye", l_eye},
    {"zeros_like", l_zeros_like}, {"ones_like", l_ones_like}, {"empty_like", l_empty_like},
    {"rand_like", l_rand_like}, {"randn_like", l_randn_like}, {"full_like", l_full_like},
    {"cat", l_cat}, {"stack", l_stack}, {"where", l_where}, {"matmul", m_matmul}, {"linear", m_linear},
    {"embedding", l_embedding}, {"attention", l_attention}, {"attention_packed", l_attention_packed},
    {"softmax", m_softmax},
    {"log_softmax", m_log_softmax}, {"layer_norm", m_layer_norm}, {"rms_norm", m_rms_norm},
    {"cross_entropy", m_cross_entropy}, {"dropout", m_dropout}, {"one_hot", m_one_hot},
    {"adamw_step", l_adamw_step}, {"no_grad", l_no_grad}, {"grad_enabled", l_grad_enabled},
    {"is_tensor", l_is_tensor}, {"tensor_memory", l_tensor_memory}, {"tensor_ops", l_tensor_ops},
    {NULL, NULL},
};

void l_tensor_register(lua_State *L)
{
    if (luaL_newmetatable(L, TENSOR_MT)) {
        luaL_setfuncs(L, metamethods, 0);
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__methods");
        lua_pushliteral(L, "tensor");
        lua_setfield(L, -2, "__name");
    }
    lua_pop(L, 1);
    luaL_setfuncs(L, functions, 0);
}
