/*
 * l_app.c: the Lua module `llm.app`, the program's own C functions that
 * are not part of the engine: running gnuplot (plot.c), reporting progress
 * through the engine callback, and asking about the terminal. It is added
 * to package.preload of every state llm_lua_setup prepares, through the
 * llm_lua_app_setup hook that main() sets, so scripts, the REPL, sandboxes
 * and the UI's worker all see the same llm.plot and llm.progress.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <lauxlib.h>
#include "app.h"
#include "lua_llm.h"
#include "plot.h"
#include "tui/tui.h"

/* llm.app.gnuplot() -> path | nil, message */
static int l_gnuplot(lua_State *L)
{
    const char *p = plot_gnuplot_path();
    if (p) {
        lua_pushstring(L, p);
        return 1;
    }
    lua_pushnil(L);
    lua_pushstring(L, plot_missing_message());
    return 2;
}

/* The output buffer lives in a to-be-closed userdata so a Lua error
 * while pushing it cannot leak it. */
typedef struct render_buf {
    char *data;
} render_buf;

static int render_buf_close(lua_State *L)
{
    render_buf *b = luaL_checkudata(L, 1, "llm.app.render_buf");
    free(b->data);
    b->data = NULL;
    return 0;
}

/* llm.app.gnuplot_run(script [, dumb]) -> output text. With dumb=true the
 * dumb terminal's leading form feed is removed. Raises gnuplot's error. */
static int l_gnuplot_run(lua_State *L)
{
    size_t len;
    const char *script = luaL_checklstring(L, 1, &len);
    int dumb = lua_toboolean(L, 2);
    render_buf *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->data = NULL;
    if (luaL_newmetatable(L, "llm.app.render_buf")) {
        lua_pushcfunction(L, render_buf_close);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, render_buf_close);
        lua_setfield(L, -2, "__close");
    }
    lua_setmetatable(L, -2);
    lua_toclose(L, -1);
    size_t n = 0;
    llm_status st = plot_run_script(script, len, &b->data, &n);
    if (st != LLM_OK) return llm_lua_fail(L, NULL);
    if (dumb) n = plot_dumb_trim(b->data, n);
    lua_pushlstring(L, b->data, n);
    return 1;
}

/* llm.app.progress(label, done, total): report through the engine callback. */
static int l_progress(lua_State *L)
{
    const char *label = luaL_checkstring(L, 1);
    double done = luaL_checknumber(L, 2);
    double total = luaL_optnumber(L, 3, 0);
    llm_progress(label, done, total);
    return 0;
}

/* llm.app.isatty(fd) -> boolean */
static int l_isatty(lua_State *L)
{
    lua_pushboolean(L, isatty((int)luaL_checkinteger(L, 1)));
    return 1;
}

/* llm.app.term_size([fd]) -> columns, rows | nil */
static int l_term_size(lua_State *L)
{
    struct winsize ws;
    int fd = (int)luaL_optinteger(L, 1, 1);
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0) return 0;
    lua_pushinteger(L, ws.ws_col);
    lua_pushinteger(L, ws.ws_row);
    return 2;
}

/* llm.app.interrupted() -> boolean: the engine's cancel flag, for Lua loops. */
static int l_interrupted(lua_State *L)
{
    lua_pushboolean(L, llm_interrupted());
    return 1;
}

/* llm.app.ui_active() -> boolean: the workbench UI is running (in this
 * process or, for a lab step, in the process that forked this one). */
static int l_ui_active(lua_State *L)
{
    lua_pushboolean(L, worker_ui_active());
    return 1;
}

/* llm.app.ui_emit("out"|"plot", text): send to the UI's output or plot pane. */
static int l_ui_emit(lua_State *L)
{
    static const char *const kinds[] = {"out", "plot", NULL};
    int k = luaL_checkoption(L, 1, NULL, kinds);
    size_t n;
    const char *s = luaL_checklstring(L, 2, &n);
    lua_pushboolean(L, worker_child_emit(k == 0 ? WORKER_EV_OUTPUT : WORKER_EV_PLOT, s, n) == 0);
    return 1;
}

static const luaL_Reg app_funcs[] = {
    {"ui_active", l_ui_active},
    {"ui_emit", l_ui_emit},
    {"now", llm_lua_now}, /* seconds on a monotonic clock (for throttling) */
    {"gnuplot", l_gnuplot},
    {"gnuplot_run", l_gnuplot_run},
    {"progress", l_progress},
    {"isatty", l_isatty},
    {"term_size", l_term_size},
    {"interrupted", l_interrupted},
    {NULL, NULL},
};

int luaopen_llm_app(lua_State *L)
{
    luaL_newlib(L, app_funcs);
    return 1;
}

/* Extra preloads for every state (called from llm_lua_setup). */
static void app_setup(lua_State *L)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_llm_app);
    lua_setfield(L, -2, "llm.app");
    lua_pop(L, 1);
}

void app_lua_hooks_install(void)
{
    llm_lua_app_setup = app_setup;
}
