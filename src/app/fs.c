/*
 * fs.c: the few file-system calls the course machinery needs and plain Lua
 * lacks: listing a folder (to find labs and quizzes and submissions),
 * making folders (the student's workspace), and whether a stream is a
 * terminal (to render text plainly when it is not).
 * From Lua: local fs = require "llm.fs"
 *   fs.list(dir) -> sorted array of names (no . or ..) | nil, message
 *   fs.isdir(path) -> boolean ; fs.mkdir(path) -> true | nil, message (like mkdir -p)
 *   fs.isatty("stdin"|"stdout"|"stderr") -> boolean
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lauxlib.h>
#include "sandbox.h"

/* An open folder owned by a to-be-closed userdata, so that a Lua error
 * while names are pushed cannot leak it. */
#define DIR_MT "llm.fs.dir"
typedef struct dir_box { DIR *d; } dir_box;

static int dir_close(lua_State *L)
{
    dir_box *b = luaL_checkudata(L, 1, DIR_MT);
    if (b->d) closedir(b->d);
    b->d = NULL;
    return 0;
}

static int l_list(lua_State *L)
{
    const char *dir = luaL_checkstring(L, 1);
    dir_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->d = NULL;
    if (luaL_newmetatable(L, DIR_MT)) {
        lua_pushcfunction(L, dir_close);
        lua_setfield(L, -2, "__close");
        lua_pushcfunction(L, dir_close);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    lua_toclose(L, -1);
    b->d = opendir(dir);
    if (!b->d) {
        luaL_pushfail(L);
        lua_pushfstring(L, "cannot list %s: %s", dir, strerror(errno));
        return 2;
    }
    lua_newtable(L);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(b->d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        lua_pushstring(L, e->d_name);
        lua_rawseti(L, -2, ++n);
    }
    closedir(b->d);
    b->d = NULL;
    /* Sort with table.sort semantics (byte order). */
    lua_getglobal(L, "table");
    if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "sort");
        lua_pushvalue(L, -3);
        lua_call(L, 1, 0);
    }
    lua_pop(L, 1);
    return 1;
}

static int l_isdir(lua_State *L)
{
    struct stat st;
    lua_pushboolean(L, stat(luaL_checkstring(L, 1), &st) == 0 && S_ISDIR(st.st_mode));
    return 1;
}

static int l_mkdir(lua_State *L)
{
    size_t n;
    const char *path = luaL_checklstring(L, 1, &n);
    luaL_Buffer b;
    char *p = luaL_buffinitsize(L, &b, n + 1);
    memcpy(p, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0') continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            luaL_pushfail(L);
            lua_pushfstring(L, "cannot make folder %s: %s", p, strerror(errno));
            return 2;
        }
        p[i] = c;
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int l_isatty(lua_State *L)
{
    static const char *const names[] = {"stdin", "stdout", "stderr", NULL};
    int fd = luaL_checkoption(L, 1, "stdout", names);
    lua_pushboolean(L, isatty(fd));
    return 1;
}

static const luaL_Reg fs_funcs[] = {
    {"list", l_list}, {"isdir", l_isdir}, {"mkdir", l_mkdir}, {"isatty", l_isatty}, {NULL, NULL},
};

int luaopen_llm_fs(lua_State *L)
{
    luaL_newlib(L, fs_funcs);
    return 1;
}
