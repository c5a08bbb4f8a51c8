/*
 * l_store.h: the Lua binding of the store (lua/llm/store.lua builds on it).
 * app_store_preload() registers it as package.preload["llm.store_c"].
 */
#ifndef LLM_APP_L_STORE_H
#define LLM_APP_L_STORE_H

#include <lua.h>

int luaopen_llm_store_c(lua_State *L);
void app_store_preload(lua_State *L);

#endif
