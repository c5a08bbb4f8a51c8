/* l_core.c: llm.version, llm.seed, llm.threads, llm.info, llm.home. */
#include <lualib.h>
#include "lua_llm.h"

static int l_seed(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1);
    llm_seed((uint64_t)n);
    return 0;
}

static int l_threads(lua_State *L)
{
    if (!lua_isnoneornil(L, 1)) {
        lua_Integer n = luaL_checkinteger(L, 1);
        if (n < 1 || n > 1024) return luaL_error(L, "threads: %d is not between 1 and 1024", (int)n);
        llm_lua_check(L, llm_set_threads((int)n), NULL);
    }
    lua_pushinteger(L, llm_get_threads());
    return 1;
}

static int l_info(lua_State *L)
{
    lua_createtable(L, 0, 6);
    lua_pushliteral(L, LLM_VERSION);
    lua_setfield(L, -2, "version");
    lua_pushliteral(L, LUA_RELEASE);
    lua_setfield(L, -2, "lua");
    lua_pushstring(L, llm_blas_config());
    lua_setfield(L, -2, "blas");
    lua_pushinteger(L, llm_get_threads());
    lua_setfield(L, -2, "threads");
    lua_pushinteger(L, (lua_Integer)llm_get_seed());
    lua_setfield(L, -2, "seed");
    lua_getfield(L, LUA_REGISTRYINDEX, "llm.home");
    lua_setfield(L, -2, "home");
    return 1;
}

static int l_random(lua_State *L)
{
    /* llm.random() -> [0,1); llm.random(n) -> 1..n (engine PRNG, for Lua code). */
    if (lua_isnoneornil(L, 1)) {
        lua_pushnumber(L, llm_rand_uniform());
        return 1;
    }
    lua_Integer n = luaL_checkinteger(L, 1);
    luaL_argcheck(L, n >= 1 && n <= 0xffffffffLL, 1, "must be between 1 and 2^32-1");
    lua_pushinteger(L, (lua_Integer)llm_rand_below((uint32_t)n) + 1);
    return 1;
}

static int l_randn(lua_State *L)
{
    lua_pushnumber(L, llm_rand_normal());
    return 1;
}

static const luaL_Reg core_funcs[] = {
    {"seed", l_seed},
    {"threads", l_threads},
    {"info", l_info},
    {"random", l_random},
    {"randn_scalar", l_randn},
    {NULL, NULL},
};

void l_core_register(lua_State *L)
{
    luaL_setfuncs(L, core_funcs, 0);
    lua_pushliteral(L, LLM_VERSION);
    lua_setfield(L, -2, "version");
    lua_getfield(L, LUA_REGISTRYINDEX, "llm.home");
    lua_setfield(L, -2, "home");
}
