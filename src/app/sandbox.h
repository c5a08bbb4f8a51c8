/*
 * sandbox.h: running untrusted Lua (students' exercises, quiz answers) in a
 * separate, limited Lua state.
 *
 * A sandboxed run gets a fresh Lua state with only safe libraries (no io,
 * no debug, no os.execute, text-only load, no string.dump, no C modules)
 * plus the `llm` module, an instruction/time budget enforced by a count
 * hook, and a memory cap enforced by a counting allocator. By default the
 * run also happens in a forked child with CPU and address-space rlimits and
 * a SIGKILL at the deadline, because the hook cannot interrupt code running
 * inside C (a backtracking string.find pattern); the result comes back over
 * a pipe as plain data.
 *
 * What runs is a trusted "driver": a module from the project's lua/ folder
 * (or a chunk of source) called with a plain-data argument table. The
 * driver loads the untrusted code itself (with `load`, text only) in an
 * environment of its choosing and returns plain data (nil, booleans,
 * numbers, strings, tables of those); nothing else crosses the boundary.
 *
 * From Lua: require "llm.sandbox" (preloaded in the app's states).
 *   sandbox.run{driver = "llm.labstep" | code = "...", args = {...},
 *               time = 2, memory = 64 * 2^20, instructions = 0,
 *               fork = true, label = "step 3", live = false}
 *   -> {status = "ok"|"error"|"timeout"|"memory"|"crash",
 *       message = "time limit of 2 s exceeded in step 3",
 *       value = <driver's first result>, output = "<printed text>",
 *       elapsed = seconds}
 */
#ifndef LLM_SANDBOX_H
#define LLM_SANDBOX_H

#include <lua.h>

/* Register the course machinery's C modules in the state's package.preload:
 * require "llm.sandbox" and require "llm.fs" (fs.c). */
void sandbox_preload(lua_State *L);

/* In a sandbox state: an `io` that only reads files under the data folder
 * and the project's datasets/labs/quizzes, and an os.getenv limited to the
 * variables that locate them (sandbox_io.c). */
void sandbox_open_readonly_io(lua_State *L);

/* luaopen functions of the modules. */
int luaopen_llm_sandbox(lua_State *L);
int luaopen_llm_fs(lua_State *L);

#endif
