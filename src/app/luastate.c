/* luastate.c: Lua states for scripts and the REPL: standard libraries,
 * `llm` loaded, errors with tracebacks, Ctrl-C interrupting running code
 * (the same hook trick lua.c uses, plus the engine's interrupt flag so
 * long C loops stop too). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <lualib.h>
#include "app.h"
#include "l_store.h"
#include "lua_llm.h"
#include "sandbox.h"

static lua_State *running_state;

static void stop_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

static void on_sigint(int sig)
{
    int mask = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
    signal(sig, SIG_DFL); /* a second Ctrl-C kills the process */
    llm_interrupt();
    if (running_state) lua_sethook(running_state, stop_hook, mask, 1);
}

static int traceback_handler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int app_lua_call(lua_State *L, int nargs, int nresults)
{
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, base);
    running_state = L;
    llm_clear_interrupt();
    void (*old)(int) = signal(SIGINT, on_sigint);
    int status = lua_pcall(L, nargs, nresults, base);
    signal(SIGINT, old);
    running_state = NULL;
    llm_clear_interrupt();
    lua_remove(L, base);
    if (status != LUA_OK) {
        fprintf(stderr, "llmlab: %s\n", lua_tostring(L, -1));
        fflush(stderr);
        lua_pop(L, 1);
    }
    return status;
}

int app_utf8_valid(const char *s, size_t n, int *line, int *col)
{
    int ln = 1, cl = 1;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t len;
        unsigned min;
        unsigned cp;
        if (c < 0x80) { len = 1; cp = c; min = 0; }
        else if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min = 0x10000; }
        else goto bad;
        if (i + len > n) goto bad;
        for (size_t k = 1; k < len; k++) {
            unsigned char cc = (unsigned char)s[i + k];
            if ((cc & 0xC0) != 0x80) goto bad;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) goto bad;
        if (c == '\n') { ln++; cl = 1; } else cl++;
        i += len;
    }
    return 1;
bad:
    if (line) *line = ln;
    if (col) *col = cl;
    return 0;
}

int app_load_file(lua_State *L, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "llmlab: cannot open %s: %s\n", path, strerror(errno));
        return 1;
    }
    luaL_Buffer b;
    char chunk[8192];
    size_t got;
    luaL_buffinit(L, &b);
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) luaL_addlstring(&b, chunk, got);
    int err = ferror(f);
    fclose(f);
    luaL_pushresult(&b);
    if (err) {
        lua_pop(L, 1);
        fprintf(stderr, "llmlab: error reading %s\n", path);
        return 1;
    }
    size_t n;
    const char *src = lua_tolstring(L, -1, &n);
    int line, col;
    if (!app_utf8_valid(src, n, &line, &col)) {
        lua_pop(L, 1);
        fprintf(stderr, "llmlab: %s:%d:%d: not valid UTF-8 (Lua sources must be UTF-8 text)\n", path, line, col);
        return 1;
    }
    /* Skip a #! line as lua.c does, keeping line numbers. */
    const char *start = src;
    if (n > 0 && src[0] == '#') {
        while (start < src + n && *start != '\n') start++;
    }
    lua_pushfstring(L, "@%s", path);
    int status = luaL_loadbufferx(L, start, n - (size_t)(start - src), lua_tostring(L, -1), "t");
    lua_remove(L, -2); /* chunk name */
    lua_remove(L, -2); /* source */
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        /* Syntax errors already start with the file name; others do not. */
        if (strncmp(msg, path, strlen(path)) == 0) fprintf(stderr, "llmlab: %s\n", msg);
        else fprintf(stderr, "llmlab: %s: %s\n", path, msg);
        lua_pop(L, 1);
        return 1;
    }
    return 0;
}

lua_State *app_lua_new(void)
{
    lua_State *L = luaL_newstate();
    if (!L) {
        fprintf(stderr, "llmlab: cannot create a Lua state (out of memory)\n");
        return NULL;
    }
    luaL_openlibs(L);
    llm_lua_setup(L, app_home());
    app_store_preload(L);
    sandbox_preload(L); /* require "llm.sandbox" (course machinery) */
    lua_getglobal(L, "require");
    lua_pushliteral(L, "llm");
    if (app_lua_call(L, 1, 1) != LUA_OK) {
        fprintf(stderr, "llmlab: cannot load the llm module from %s/lua (set LLMLAB_HOME?)\n", app_home());
        lua_close(L);
        return NULL;
    }
    lua_setglobal(L, "llm");
    return L;
}
