/* sandbox_io.c: the read-only file access a sandboxed lab needs to read its
 * corpora, and nothing more. Inside a sandbox state, `io` holds only
 * io.open(path [, "r"|"rb"]) and io.lines(path [, ...]) for files under the
 * allowed roots: the data folder (where `llmlab data fetch` puts corpora)
 * and the project's datasets/, labs/ and quizzes/ folders. Paths are
 * resolved with realpath, so "..", symlinks and absolute paths cannot leave
 * the roots; writing modes are refused. os.getenv answers only for the few
 * variables that locate those folders.
 *
 * Students' exercise code does not see this `io` at all (their environment
 * is built by lua/llm/sandbox_env.lua from a list without io); it is for the
 * lab file's own steps and for llm.data's readers. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <lualib.h>
#include "app.h"
#include "sandbox.h"

#define MAX_ROOTS 6

static int under(const char *path, const char *root)
{
    size_t n = strlen(root);
    return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Raise unless `path` resolves to a file under one of the roots (upvalue 2:
 * an array of resolved root paths). */
static void check_path(lua_State *L, const char *path)
{
    char real[PATH_MAX];
    if (!realpath(path, real)) {
        luaL_error(L, "cannot open %s: no such file (sandboxed code reads only the data folder and the project's datasets)", path);
        return;
    }
    lua_Integer n = luaL_len(L, lua_upvalueindex(2));
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, lua_upvalueindex(2), i);
        int ok = under(real, lua_tostring(L, -1));
        lua_pop(L, 1);
        if (ok) return;
    }
    luaL_error(L, "cannot open %s: sandboxed code may read only the data folder and the project's datasets, labs and quizzes", path);
}

/* io.open(path [, mode]): read modes only. Upvalue 1: the real io.open. */
static int sb_io_open(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    const char *mode = luaL_optstring(L, 2, "r");
    if (strcmp(mode, "r") != 0 && strcmp(mode, "rb") != 0)
        return luaL_error(L, "io.open: mode '%s' is not allowed here (files are read-only in a sandbox)", mode);
    check_path(L, path);
    int base = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushstring(L, path);
    lua_pushstring(L, mode);
    lua_call(L, 2, LUA_MULTRET);
    return lua_gettop(L) - base;
}

/* io.lines(path, ...): a path is required (no reading from stdin). */
static int sb_io_lines(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    check_path(L, path);
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

static int sb_getenv(lua_State *L)
{
    static const char *const allowed[] = {"LLMLAB_DATA", "XDG_DATA_HOME", "HOME", "LLMLAB_HOME", NULL};
    const char *name = luaL_checkstring(L, 1);
    for (const char *const *a = allowed; *a; a++) {
        if (strcmp(*a, name) == 0) {
            lua_pushstring(L, getenv(name));
            return 1;
        }
    }
    lua_pushnil(L);
    return 1;
}

/* Push an array of the resolved roots that exist. */
static void push_roots(lua_State *L)
{
    char paths[MAX_ROOTS][PATH_MAX];
    int n = 0;
    const char *data = getenv("LLMLAB_DATA"), *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    if (data && *data) snprintf(paths[n++], PATH_MAX, "%s", data);
    else if (xdg && *xdg) snprintf(paths[n++], PATH_MAX, "%s/llmlab/data", xdg);
    else if (home && *home) snprintf(paths[n++], PATH_MAX, "%s/.local/share/llmlab/data", home);
    static const char *const project[] = {"datasets", "labs", "quizzes"};
    for (int i = 0; i < 3; i++) snprintf(paths[n++], PATH_MAX, "%s/%s", app_home(), project[i]);
    lua_createtable(L, n, 0);
    int k = 0;
    for (int i = 0; i < n; i++) {
        char real[PATH_MAX];
        if (!realpath(paths[i], real)) continue;
        lua_pushstring(L, real);
        lua_rawseti(L, -2, ++k);
    }
}

void sandbox_open_readonly_io(lua_State *L)
{
    luaL_requiref(L, LUA_IOLIBNAME, luaopen_io, 0);
    int full = lua_gettop(L);
    push_roots(L);
    int roots = lua_gettop(L);
    lua_createtable(L, 0, 2);
    lua_getfield(L, full, "open");
    lua_pushvalue(L, roots);
    lua_pushcclosure(L, sb_io_open, 2);
    lua_setfield(L, -2, "open");
    lua_getfield(L, full, "lines");
    lua_pushvalue(L, roots);
    lua_pushcclosure(L, sb_io_lines, 2);
    lua_setfield(L, -2, "lines");
    lua_setglobal(L, "io");
    lua_pop(L, 2);
    /* the real io must not stay reachable through package.loaded */
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_getglobal(L, "io");
    lua_setfield(L, -2, LUA_IOLIBNAME);
    lua_pop(L, 1);
    lua_getglobal(L, "os");
    if (lua_istable(L, -1)) {
        lua_pushcfunction(L, sb_getenv);
        lua_setfield(L, -2, "getenv");
    }
    lua_pop(L, 1);
}
