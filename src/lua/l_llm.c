/* l_llm.c: assembles the C side of the `llm` module from one register
 * function per engine subject, and sets up package.path for lua/llm/;
 * also the helpers every binding shares (raising the engine's error,
 * the box an engine object lives in). */
#include <string.h>
#include <lualib.h>
#include "lua_llm.h"

static void (*const subjects[])(lua_State *) = {
    l_core_register,
    l_tensor_register,
    l_tokenize_register,
    l_features_register,
    l_ngram_register,
    l_embed_register,
    l_bench_register,
    l_io_register,
    l_optim_register,
    l_text_register,
    l_recurrent_register,
    /* one line per engine subject (l_tensor_register, l_text_register, ...) */
};

void (*llm_lua_app_setup)(lua_State *L);

int luaopen_llm_core(lua_State *L)
{
    lua_newtable(L);
    for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++) subjects[i](L);
    return 1;
}

void llm_lua_setup(lua_State *L, const char *home)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_llm_core);
    lua_setfield(L, -2, "llm.core");
    lua_pop(L, 1);

    /* package.path: the project's lua/ first, then whatever was there. */
    if (lua_getglobal(L, "package") == LUA_TTABLE) {
        lua_getfield(L, -1, "path");
        const char *old = lua_tostring(L, -1);
        lua_pushfstring(L, "%s/lua/?.lua;%s/lua/?/init.lua;%s", home, home, old ? old : "");
        lua_setfield(L, -3, "path");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lua_pushstring(L, home);
    lua_setfield(L, LUA_REGISTRYINDEX, "llm.home");
    if (llm_lua_app_setup) llm_lua_app_setup(L);
}

int llm_lua_fail(lua_State *L, const char *op)
{
    const char *msg = llm_last_error();
    if (op && *op) return luaL_error(L, "%s: %s", op, *msg ? msg : "failed");
    return luaL_error(L, "%s", *msg ? msg : "failed");
}

void llm_lua_check(lua_State *L, llm_status status, const char *op)
{
    if (status != LLM_OK) llm_lua_fail(L, op);
}

void *llm_lua_newbox(lua_State *L, size_t size, const char *mt)
{
    void *b = lua_newuserdatauv(L, size, 0);
    memset(b, 0, size);
    luaL_setmetatable(L, mt);
    return b;
}
