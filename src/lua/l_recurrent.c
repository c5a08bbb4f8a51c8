/*
 * l_recurrent.c: the Lua face of the fused recurrent layers
 * (src/engine/recurrent.h). One function:
 *
 *   llm.recurrent(mode, x, w_ih, w_hh [, {b_ih=, b_hh=, h0=, c0=, lengths=}]) -> tensor
 *     mode: "rnn_tanh", "rnn_relu", "lstm" or "gru"
 *     x (T, B, I) time first; w_ih (G*H, I), w_hh (G*H, H) in PyTorch's gate order;
 *     h0, c0 (B, H) (zeros when absent); lengths (B) int tensor or a Lua list.
 *     Returns (T, B, H) hidden states (RNN, GRU) or (2, T, B, H) hidden and cell
 *     states (LSTM). Differentiable with respect to every float input.
 *
 * The nn modules in lua/llm/nn/rnn.lua are the readable way in; this is the
 * kernel they call. Tensors are the tensor bindings' userdata ("llm.Tensor").
 */
#include <string.h>
#include "lua_llm.h"
#include "recurrent.h"

#define TENSOR_MT "llm.Tensor"

static tensor *opt_tensor(lua_State *L, int opts, const char *field, const char *what)
{
    tensor *t = NULL;
    if (!opts) return NULL;
    if (lua_getfield(L, opts, field) != LUA_TNIL) {
        tensor **b = luaL_testudata(L, -1, TENSOR_MT);
        if (!b || !*b) luaL_error(L, "recurrent: %s must be a tensor", what);
        t = *b; /* still referenced by the options table */
    }
    lua_pop(L, 1);
    return t;
}

static tensor *arg_tensor(lua_State *L, int i, const char *what)
{
    tensor **b = luaL_testudata(L, i, TENSOR_MT);
    if (!b || !*b) luaL_error(L, "recurrent: argument %d (%s) must be a tensor", i, what);
    return *b;
}

/* Own the result in a userdata before anything else can raise. No GC
 * accounting here: the tensor bindings pace the collector by the engine's
 * live tensor bytes (which count this result) on their next push, and every
 * use of the result goes through them. */
static int push_result(lua_State *L, tensor *t)
{
    if (!t) return llm_lua_fail(L, "recurrent");
    tensor **b = (tensor **)lua_newuserdatauv(L, sizeof(tensor *), 0);
    *b = t;
    luaL_setmetatable(L, TENSOR_MT);
    return 1;
}

static int l_recurrent(lua_State *L)
{
    static const char *const modes[] = {"rnn_tanh", "rnn_relu", "lstm", "gru", NULL};
    tensor_rnn_mode mode = (tensor_rnn_mode)luaL_checkoption(L, 1, NULL, modes);
    tensor *x = arg_tensor(L, 2, "x"), *wi = arg_tensor(L, 3, "w_ih"), *wh = arg_tensor(L, 4, "w_hh");
    int opts = 0;
    if (!lua_isnoneornil(L, 5)) {
        luaL_checktype(L, 5, LUA_TTABLE);
        opts = 5;
    }
    tensor *bi = opt_tensor(L, opts, "b_ih", "b_ih"), *bh = opt_tensor(L, opts, "b_hh", "b_hh");
    tensor *h0 = opt_tensor(L, opts, "h0", "h0"), *c0 = opt_tensor(L, opts, "c0", "c0");
    tensor *len = NULL;
    tensor *own_len = NULL;
    if (opts && lua_getfield(L, opts, "lengths") == LUA_TTABLE) {
        lua_Integer n = luaL_len(L, -1);
        if (n < 1 || n > (1 << 28)) luaL_error(L, "recurrent: lengths must list one length per sequence");
        /* build the tensor inside a userdata box so an error below cannot leak it */
        int64_t shape[1] = {n};
        own_len = tensor_zeros(1, shape, TENSOR_I64);
        if (!own_len) return llm_lua_fail(L, "recurrent");
        push_result(L, own_len); /* box owns it; stays on the stack */
        int64_t *p = (int64_t *)own_len->storage->data;
        for (lua_Integer i = 1; i <= n; i++) {
            lua_geti(L, -2, i);
            int isnum = 0;
            lua_Integer v = lua_tointegerx(L, -1, &isnum);
            if (!isnum) luaL_error(L, "recurrent: lengths[%d] is not an integer", (int)i);
            p[i - 1] = v;
            lua_pop(L, 1);
        }
        len = own_len;
    } else if (opts && !lua_isnil(L, -1)) {
        tensor **b = luaL_testudata(L, -1, TENSOR_MT);
        if (!b || !*b) luaL_error(L, "recurrent: lengths must be an int tensor or a list of integers");
        len = *b;
    }
    return push_result(L, tensor_recurrent(mode, x, h0, c0, wi, wh, bi, bh, len));
}

void l_recurrent_register(lua_State *L)
{
    lua_pushcfunction(L, l_recurrent);
    lua_setfield(L, -2, "recurrent");
}
