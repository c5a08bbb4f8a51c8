/* script.c: `llmlab run FILE.lua [ARGS...]` and `llmlab eval 'CODE'`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <lauxlib.h>
#include "app.h"

static int wants_help(int argc, char **argv)
{
    return argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
}

int app_cmd_run(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        puts("usage: llmlab run [--plot-dir DIR] FILE.lua [ARGS...]\n\n"
             "Runs FILE.lua with the llm module loaded. As with the lua command, the\n"
             "global table `arg` holds the script name at 0 and the arguments from 1,\n"
             "and the chunk receives the arguments as `...`. A Lua error prints\n"
             "file:line: message and a traceback, and the exit status is 1.\n\n"
             "Plots (llm.plot) are printed as text; with --plot-dir DIR they are saved\n"
             "there as DIR/plot-001.png, plot-002.png, ... instead.");
        return APP_EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "--plot-dir") == 0) {
        if (argc < 3) return app_usage_error("run: --plot-dir needs a folder");
        const char *dir = argv[2];
        struct stat st;
        if (stat(dir, &st) != 0 && mkdir(dir, 0755) != 0)
            return app_usage_error("run: cannot create the plot folder '%s'", dir);
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
            return app_usage_error("run: '%s' is not a folder", dir);
        setenv("LLMLAB_PLOT_DIR", dir, 1);
        argc -= 2;
        argv += 2;
    }
    if (argc < 2) return app_usage_error("run: missing the script file (llmlab run FILE.lua)");
    const char *path = argv[1];
    lua_State *L = app_lua_new();
    if (!L) return APP_EXIT_ERROR;

    lua_createtable(L, argc - 2, 2);
    lua_pushliteral(L, "llmlab");
    lua_rawseti(L, -2, -1);
    for (int i = 1; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - 1);
    }
    lua_setglobal(L, "arg");

    int rc = APP_EXIT_ERROR;
    if (app_load_file(L, path) == 0) {
        luaL_checkstack(L, argc, "too many arguments");
        for (int i = 2; i < argc; i++) lua_pushstring(L, argv[i]);
        if (app_lua_call(L, argc - 2, 0) == LUA_OK) rc = APP_EXIT_OK;
    }
    fflush(stdout);
    lua_close(L);
    return rc;
}

/* Print every value on the stack from index `first` with tostring, tab-separated. */
void app_print_values(lua_State *L, int first)
{
    int n = lua_gettop(L);
    if (n < first) return;
    luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
    lua_getglobal(L, "print");
    lua_insert(L, first);
    if (lua_pcall(L, n - first + 1, 0, 0) != LUA_OK) {
        fprintf(stderr, "llmlab: error printing result: %s\n", lua_tostring(L, -1));
        lua_pop(L, 1);
    }
}

/* Compile `code` as an expression (so its value is shown) or else as statements. */
int app_compile_line(lua_State *L, const char *code, size_t len, const char *chunkname)
{
    const char *ret = lua_pushfstring(L, "return %s;", code);
    int status = luaL_loadbufferx(L, ret, strlen(ret), chunkname, "t");
    lua_remove(L, -2);
    if (status == LUA_OK) return LUA_OK;
    lua_pop(L, 1);
    return luaL_loadbufferx(L, code, len, chunkname, "t");
}

int app_cmd_eval(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        puts("usage: llmlab eval 'CODE'\n\n"
             "Runs a Lua chunk with llm loaded. If CODE is an expression, its values are printed.");
        return APP_EXIT_OK;
    }
    if (argc != 2) return app_usage_error("eval: expected exactly one argument, the Lua code");
    lua_State *L = app_lua_new();
    if (!L) return APP_EXIT_ERROR;
    int rc = APP_EXIT_ERROR;
    const char *code = argv[1];
    int line, col;
    if (!app_utf8_valid(code, strlen(code), &line, &col)) {
        fprintf(stderr, "llmlab: eval: code is not valid UTF-8 (line %d, column %d)\n", line, col);
    } else if (app_compile_line(L, code, strlen(code), "=(eval)") != LUA_OK) {
        fprintf(stderr, "llmlab: %s\n", lua_tostring(L, -1));
    } else {
        int base = lua_gettop(L);
        if (app_lua_call(L, 0, LUA_MULTRET) == LUA_OK) {
            app_print_values(L, base);
            rc = APP_EXIT_OK;
        }
    }
    fflush(stdout);
    lua_close(L);
    return rc;
}
