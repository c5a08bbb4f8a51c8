/*
 * lua_llm.h: the bindings layer. Each engine subject has one file l_<subject>.c
 * with a register function that adds its functions to the `llm` table on top
 * of the stack. l_llm.c lists them; the app calls llm_lua_setup().
 */
#ifndef LUA_LLM_H
#define LUA_LLM_H

#include <lua.h>
#include <lauxlib.h>
#include "core.h"

/* Prepare a fresh state: package.path covering HOME/lua, `llm.core` preloaded.
 * Does not open the standard libraries (sandboxes choose their own). */
void llm_lua_setup(lua_State *L, const char *home);

/* luaopen function of the C part of `llm` (the table that lua/llm/init.lua extends). */
int luaopen_llm_core(lua_State *L);

/* Raise the engine's last error as a Lua error, prefixed by the operation name. */
int llm_lua_fail(lua_State *L, const char *op);
/* Raise if status is not LLM_OK. */
void llm_lua_check(lua_State *L, llm_status status, const char *op);
/* Push a userdata box of size bytes, zero-filled (its pointers NULL), with
 * the metatable mt. Pushed before the engine call that makes the object it
 * will own, so that no Lua error can leak that object. */
void *llm_lua_newbox(lua_State *L, size_t size, const char *mt);
/* now() -> seconds on a monotonic clock: llm.now, and llm.app.now (l_bench.c). */
int llm_lua_now(lua_State *L);

/* Set by the program (src/app) to add its own C modules (llm.app: gnuplot,
 * progress, the UI's channels) to every state llm_lua_setup prepares;
 * NULL in programs that have none (unit tests). */
extern void (*llm_lua_app_setup)(lua_State *L);

/* Subject registrations: each sets fields in the table at the top of the stack. */
void l_core_register(lua_State *L);
void l_io_register(lua_State *L);
void l_optim_register(lua_State *L);
void l_tensor_register(lua_State *L);
void l_tokenize_register(lua_State *L);
void l_features_register(lua_State *L); /* sparse matrices, vectorizers (l_features.c) */
void l_ngram_register(lua_State *L);    /* n-gram models, WordNet synonyms (l_ngram.c) */
void l_embed_register(lua_State *L);
void l_bench_register(lua_State *L);
void l_text_register(lua_State *L);
void l_recurrent_register(lua_State *L); /* fused RNN/LSTM/GRU layers (l_recurrent.c) */

#endif
