/*
 * l_io.c: bindings of io.h (safetensors) to the `llm` table.
 *
 *   f = llm.safetensors_open(path)        -- read + validate, or raise
 *   f = llm.safetensors_parse(bytes [, what])
 *   f:names()  f:info(name)  f:metadata()  f:bytes(name)  f:floats(name)  #f  f:close()
 *   f:fill(name, t)   copy the entry into tensor t (same number of elements,
 *                     contiguous; F32/F16/BF16/F64 into float32, I32/I64 into ints)
 *   llm.safetensors_write(path, entries, metadata)
 *       entries: array of {name=, dtype="F32", shape={...}, data=string or
 *       contiguous tensor (dtype and shape then default to the tensor's)}
 *       metadata: table of string -> string
 *
 * The friendly layer (state dicts of tensors, model configs) is
 * lua/llm/safetensors.lua; this file only moves bytes and checks arguments.
 */
#include <string.h>
#include "io.h"
#include "lua_llm.h"
#include "tensor.h"

#define TENSOR_MT "llm.Tensor"

/* A tensor argument (the tensor bindings' userdata), or NULL. */
static tensor *test_tensor(lua_State *L, int idx)
{
    tensor **b = luaL_testudata(L, idx, TENSOR_MT);
    return b ? *b : NULL;
}

static int st_dtype_of(tensor_dtype d)
{
    switch (d) {
    case TENSOR_F32: return ST_F32;
    case TENSOR_I32: return ST_I32;
    case TENSOR_I64: return ST_I64;
    default: return -1;
    }
}

#define ST_MT "llm.SafetensorsFile"

typedef struct { st_file *f; } st_box;

static st_box *check_box(lua_State *L, int idx)
{
    st_box *b = luaL_checkudata(L, idx, ST_MT);
    if (!b->f) luaL_error(L, "safetensors: the file was closed");
    return b;
}

static const st_entry *check_entry(lua_State *L, st_box *b, int idx)
{
    const char *name = luaL_checkstring(L, idx);
    const st_entry *e = safetensors_find(b->f, name);
    if (!e) luaL_error(L, "safetensors: no tensor named '%s'", name);
    return e;
}

static int push_file(lua_State *L, llm_status s, st_file *f, const char *op)
{
    if (s) return llm_lua_fail(L, op);
    st_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->f = f;
    luaL_setmetatable(L, ST_MT);
    return 1;
}

static int l_open(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    /* Make the userdata first so the file is freed even if pushing fails. */
    st_file *f = NULL;
    llm_status s = safetensors_read(path, &f);
    return push_file(L, s, f, "safetensors");
}

static int l_parse(lua_State *L)
{
    size_t n;
    const char *bytes = luaL_checklstring(L, 1, &n);
    const char *what = luaL_optstring(L, 2, "safetensors bytes");
    st_file *f = NULL;
    llm_status s = safetensors_parse(bytes, n, what, &f);
    return push_file(L, s, f, "safetensors");
}

static int l_gc(lua_State *L)
{
    st_box *b = luaL_checkudata(L, 1, ST_MT);
    safetensors_free(b->f);
    b->f = NULL;
    return 0;
}

static int l_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)check_box(L, 1)->f->count);
    return 1;
}

static int l_tostring(lua_State *L)
{
    st_box *b = luaL_checkudata(L, 1, ST_MT);
    if (!b->f) lua_pushliteral(L, "safetensors file (closed)");
    else lua_pushfstring(L, "safetensors file: %d tensors, %d metadata keys, %d bytes",
                         (int)b->f->count, (int)b->f->meta_count, (int)b->f->size);
    return 1;
}

static int l_names(lua_State *L)
{
    st_box *b = check_box(L, 1);
    lua_createtable(L, (int)b->f->count, 0);
    for (size_t i = 0; i < b->f->count; i++) {
        lua_pushstring(L, b->f->entries[i].name);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int l_info(lua_State *L)
{
    st_box *b = check_box(L, 1);
    const st_entry *e = safetensors_find(b->f, luaL_checkstring(L, 2));
    if (!e) {
        lua_pushnil(L);
        return 1;
    }
    lua_createtable(L, 0, 4);
    lua_pushstring(L, safetensors_dtype_name(e->dtype));
    lua_setfield(L, -2, "dtype");
    lua_createtable(L, e->ndim, 0);
    for (int d = 0; d < e->ndim; d++) {
        lua_pushinteger(L, e->shape[d]);
        lua_rawseti(L, -2, d + 1);
    }
    lua_setfield(L, -2, "shape");
    lua_pushinteger(L, (lua_Integer)(e->end - e->begin));
    lua_setfield(L, -2, "nbytes");
    lua_pushinteger(L, e->numel);
    lua_setfield(L, -2, "numel");
    return 1;
}

static int l_metadata(lua_State *L)
{
    st_box *b = check_box(L, 1);
    lua_createtable(L, 0, (int)b->f->meta_count);
    for (size_t i = 0; i < b->f->meta_count; i++) {
        lua_pushstring(L, b->f->meta_values[i]);
        lua_setfield(L, -2, b->f->meta_keys[i]);
    }
    return 1;
}

static int l_bytes(lua_State *L)
{
    st_box *b = check_box(L, 1);
    const st_entry *e = check_entry(L, b, 2);
    lua_pushlstring(L, (const char *)e->data, e->end - e->begin);
    return 1;
}

/* Values as a flat Lua array of numbers (converted to float32 first). */
static int l_floats(lua_State *L)
{
    st_box *b = check_box(L, 1);
    const st_entry *e = check_entry(L, b, 2);
    if (e->numel > 10000000) return luaL_error(L, "safetensors: '%s' is too large for a Lua table", e->name);
    float *tmp = lua_newuserdatauv(L, (size_t)(e->numel ? e->numel : 1) * sizeof(float), 0);
    llm_lua_check(L, safetensors_entry_to_f32(e, tmp), "safetensors");
    lua_createtable(L, (int)e->numel, 0);
    for (int64_t i = 0; i < e->numel; i++) {
        lua_pushnumber(L, tmp[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int l_fill(lua_State *L)
{
    st_box *b = check_box(L, 1);
    const st_entry *e = check_entry(L, b, 2);
    tensor *t = test_tensor(L, 3);
    if (!t) return luaL_error(L, "safetensors: fill needs a tensor");
    if (!tensor_is_contiguous(t)) return luaL_error(L, "safetensors: fill needs a contiguous tensor");
    if (tensor_numel(t) != e->numel) {
        char buf[96];
        return luaL_error(L, "safetensors: '%s' has %d values, the tensor %s has %d", e->name, (int)e->numel,
                          tensor_shape_str(t, buf, sizeof buf), (int)tensor_numel(t));
    }
    unsigned char *dst = (unsigned char *)t->storage->data + (size_t)t->offset * tensor_dtype_size(t->dtype);
    if (st_dtype_of(t->dtype) == (int)e->dtype) {
        memcpy(dst, e->data, e->end - e->begin);
    } else if (t->dtype == TENSOR_F32) {
        llm_lua_check(L, safetensors_entry_to_f32(e, (float *)dst), "safetensors");
    } else if (t->dtype == TENSOR_I64 && (e->dtype == ST_I32 || e->dtype == ST_I16 || e->dtype == ST_I8 ||
                                          e->dtype == ST_U8)) {
        int64_t *d = (int64_t *)dst;
        for (int64_t i = 0; i < e->numel; i++) {
            const unsigned char *p = e->data + i * (int64_t)safetensors_dtype_size(e->dtype);
            if (e->dtype == ST_I32) { int32_t x; memcpy(&x, p, 4); d[i] = x; }
            else if (e->dtype == ST_I16) { int16_t x; memcpy(&x, p, 2); d[i] = x; }
            else if (e->dtype == ST_I8) d[i] = (int8_t)*p;
            else d[i] = *p;
        }
    } else {
        return luaL_error(L, "safetensors: cannot load '%s' (%s) into a %s tensor", e->name,
                          safetensors_dtype_name(e->dtype), tensor_dtype_name(t->dtype));
    }
    tensor_bump_version(t);
    return 0;
}

static int l_write(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    int has_meta = !lua_isnoneornil(L, 3);
    if (has_meta) luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    lua_Integer n = luaL_len(L, 2);
    if (n < 0 || n > 1000000) return luaL_error(L, "safetensors_write: too many entries");
    /* All scratch memory is userdata: collected even if an argument error is raised. */
    st_write_entry *ents = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *ents, 0);
    int64_t *shapes = lua_newuserdatauv(L, (size_t)(n ? n : 1) * SAFETENSORS_MAX_DIMS * sizeof(int64_t), 0);
    for (lua_Integer i = 1; i <= n; i++) {
        st_write_entry *e = &ents[i - 1];
        if (lua_rawgeti(L, 2, i) != LUA_TTABLE)
            return luaL_error(L, "safetensors_write: entry %d is not a table", (int)i);
        int t = lua_gettop(L);
        if (lua_getfield(L, t, "name") != LUA_TSTRING)
            return luaL_error(L, "safetensors_write: entry %d has no name", (int)i);
        e->name = lua_tostring(L, -1); /* kept alive by the entries table */
        lua_pop(L, 1);
        lua_getfield(L, t, "data");
        tensor *tt = test_tensor(L, -1);
        lua_pop(L, 1);
        const char *dt = "F32";
        if (tt) {
            int sd = st_dtype_of(tt->dtype);
            if (sd < 0) return luaL_error(L, "safetensors_write: '%s': unsupported tensor dtype", e->name);
            dt = safetensors_dtype_name((st_dtype)sd);
        }
        if (lua_getfield(L, t, "dtype") == LUA_TSTRING) dt = lua_tostring(L, -1);
        int d = safetensors_dtype_parse(dt);
        if (d < 0) return luaL_error(L, "safetensors_write: '%s': unknown dtype '%s'", e->name, dt);
        e->dtype = (st_dtype)d;
        lua_pop(L, 1);
        if (tt && st_dtype_of(tt->dtype) != d)
            return luaL_error(L, "safetensors_write: '%s': dtype %s does not match the tensor's %s", e->name, dt,
                              tensor_dtype_name(tt->dtype));
        if (lua_getfield(L, t, "shape") != LUA_TTABLE && tt) {
            lua_pop(L, 1);
            lua_createtable(L, tt->ndim, 0);
            for (int k = 0; k < tt->ndim; k++) {
                lua_pushinteger(L, tt->shape[k]);
                lua_rawseti(L, -2, k + 1);
            }
        }
        if (lua_type(L, -1) != LUA_TTABLE)
            return luaL_error(L, "safetensors_write: '%s' has no shape table", e->name);
        lua_Integer nd = luaL_len(L, -1);
        if (nd > SAFETENSORS_MAX_DIMS)
            return luaL_error(L, "safetensors_write: '%s' has more than %d dimensions", e->name,
                              SAFETENSORS_MAX_DIMS);
        e->ndim = (int)nd;
        e->shape = &shapes[(i - 1) * SAFETENSORS_MAX_DIMS];
        size_t numel = 1;
        for (lua_Integer k = 1; k <= nd; k++) {
            lua_rawgeti(L, -1, k);
            int isnum;
            lua_Integer v = lua_tointegerx(L, -1, &isnum);
            if (!isnum || v < 0)
                return luaL_error(L, "safetensors_write: '%s': shape holds a bad size", e->name);
            shapes[(i - 1) * SAFETENSORS_MAX_DIMS + k - 1] = v;
            numel *= (size_t)v;
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        size_t need = numel * safetensors_dtype_size(e->dtype);
        lua_getfield(L, t, "data");
        if (lua_type(L, -1) == LUA_TSTRING) {
            size_t len;
            e->data = lua_tolstring(L, -1, &len);
            if (len != need)
                return luaL_error(L, "safetensors_write: '%s': data has %d bytes, shape x dtype needs %d",
                                  e->name, (int)len, (int)need);
        } else if (tt) {
            if (!tensor_is_contiguous(tt))
                return luaL_error(L, "safetensors_write: '%s': the tensor is not contiguous", e->name);
            size_t len = (size_t)tensor_numel(tt) * tensor_dtype_size(tt->dtype);
            if (len != need)
                return luaL_error(L, "safetensors_write: '%s': the tensor has %d bytes, shape x dtype needs %d",
                                  e->name, (int)len, (int)need);
            e->data = (const unsigned char *)tt->storage->data + (size_t)tt->offset * tensor_dtype_size(tt->dtype);
        } else {
            return luaL_error(L, "safetensors_write: '%s': data must be a string of bytes or a tensor", e->name);
        }
        lua_pop(L, 2); /* data, entry (both still referenced from the entries table) */
    }
    size_t mn = 0;
    const char **mk = NULL, **mv = NULL;
    if (has_meta) {
        lua_Integer count = 0;
        lua_pushnil(L);
        while (lua_next(L, 3)) {
            if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
                return luaL_error(L, "safetensors_write: metadata must map strings to strings");
            count++;
            lua_pop(L, 1);
        }
        mk = lua_newuserdatauv(L, (size_t)(count ? count : 1) * sizeof(char *), 0);
        mv = lua_newuserdatauv(L, (size_t)(count ? count : 1) * sizeof(char *), 0);
        lua_pushnil(L);
        while (lua_next(L, 3)) {
            mk[mn] = lua_tostring(L, -2);
            mv[mn] = lua_tostring(L, -1);
            mn++;
            lua_pop(L, 1);
        }
    }
    llm_lua_check(L, safetensors_write(path, ents, (size_t)n, mk, mv, mn), "safetensors_write");
    return 0;
}

static int l_close(lua_State *L)
{
    return l_gc(L);
}

static const luaL_Reg file_methods[] = {
    {"names", l_names},
    {"info", l_info},
    {"metadata", l_metadata},
    {"bytes", l_bytes},
    {"floats", l_floats},
    {"fill", l_fill},
    {"close", l_close},
    {NULL, NULL},
};

static const luaL_Reg io_funcs[] = {
    {"safetensors_open", l_open},
    {"safetensors_parse", l_parse},
    {"safetensors_write", l_write},
    {NULL, NULL},
};

void l_io_register(lua_State *L)
{
    if (luaL_newmetatable(L, ST_MT)) {
        lua_pushcfunction(L, l_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, l_gc);
        lua_setfield(L, -2, "__close");
        lua_pushcfunction(L, l_len);
        lua_setfield(L, -2, "__len");
        lua_pushcfunction(L, l_tostring);
        lua_setfield(L, -2, "__tostring");
        luaL_newlib(L, file_methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    luaL_setfuncs(L, io_funcs, 0);
}
