/* repl.c: `llmlab repl`, an interactive Lua prompt with llm loaded.
 * Line editing and history come from libedit (BSD-licensed). Like lua.c, a
 * line is first tried as an expression (its values are printed), and input
 * whose only problem is an unexpected end is continued on the next line.
 * Errors are printed and the prompt comes back; Ctrl-C stops a running
 * statement; Ctrl-D (end of input) quits. */
#include <errno.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <editline/readline.h>
#include <lauxlib.h>
#include "app.h"
#include "core.h"

#define REPL_HISTORY_MAX 1000

static int interactive;
static volatile sig_atomic_t prompt_interrupted;

/* Ctrl-C at the prompt: forget the line being typed, not the session. */
static void on_prompt_sigint(int sig)
{
    (void)sig;
    prompt_interrupted = 1;
}

static char *read_line(const char *prompt)
{
    if (interactive) {
        struct sigaction sa, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_prompt_sigint;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old);
        char *line;
        for (;;) {
            prompt_interrupted = 0;
            line = readline(prompt);
            if (!prompt_interrupted) break;
            free(line);
            fputs("^C\n", stdout);
            fflush(stdout);
        }
        sigaction(SIGINT, &old, NULL);
        return line;
    }
    size_t cap = 0;
    char *line = NULL;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        return NULL;
    }
    if (n > 0 && line[n - 1] == '\n') line[n - 1] = '\0';
    return line;
}

/* History lives beside the user's database: $XDG_DATA_HOME/llmlab/repl_history. */
static void history_path(char *out, size_t n)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    char dir[PATH_MAX - 32];
    if (xdg && *xdg) snprintf(dir, sizeof dir, "%s/llmlab", xdg);
    else if (home && *home) snprintf(dir, sizeof dir, "%s/.local/share/llmlab", home);
    else {
        out[0] = '\0';
        return;
    }
    char parent[PATH_MAX - 32];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (slash) {
        *slash = '\0';
        mkdir(parent, 0755);
    }
    mkdir(dir, 0755);
    snprintf(out, n, "%s/repl_history", dir);
}

static int incomplete(lua_State *L, int status)
{
    if (status != LUA_ERRSYNTAX) return 0;
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    static const char eof[] = "<eof>";
    return len >= sizeof eof - 1 && strcmp(msg + len - (sizeof eof - 1), eof) == 0;
}

/* Read one complete statement (possibly several lines) and compile it.
 * Returns -1 at end of input, else the load status with the chunk or message on the stack. */
static int read_statement(lua_State *L, char **text_out)
{
    char *line = read_line("> ");
    if (!line) return -1;
    size_t len = strlen(line);
    char *text = malloc(len + 1);
    if (!text) {
        free(line);
        return -1;
    }
    memcpy(text, line, len + 1);
    free(line);
    int line_no = 1, col;
    if (!app_utf8_valid(text, len, &line_no, &col)) {
        lua_pushfstring(L, "input is not valid UTF-8 (column %d)", col);
        *text_out = text;
        return LUA_ERRSYNTAX;
    }
    int status = app_compile_line(L, text, len, "=stdin");
    while (incomplete(L, status)) {
        lua_pop(L, 1);
        char *more = read_line(">> ");
        if (!more) break;
        size_t mlen = strlen(more);
        char *joined = realloc(text, len + 1 + mlen + 1);
        if (!joined) {
            free(more);
            break;
        }
        text = joined;
        text[len] = '\n';
        memcpy(text + len + 1, more, mlen + 1);
        len += 1 + mlen;
        free(more);
        status = luaL_loadbufferx(L, text, len, "=stdin", "t");
    }
    *text_out = text;
    return status;
}

int app_cmd_repl(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        puts("usage: llmlab repl\n\n"
             "An interactive Lua prompt with the llm module loaded. Expressions print\n"
             "their values; unfinished statements continue on the next line (>>).\n"
             "Ctrl-C stops a running statement, Ctrl-D quits. History is kept in\n"
             "$XDG_DATA_HOME/llmlab/repl_history.");
        return APP_EXIT_OK;
    }
    if (argc > 1) return app_usage_error("repl: unexpected argument '%s'", argv[1]);
    lua_State *L = app_lua_new();
    if (!L) return APP_EXIT_ERROR;
    interactive = isatty(STDIN_FILENO);
    char hist[PATH_MAX] = "";
    if (interactive) {
        printf("llmlab %s, %s. Ctrl-D quits.\n", LLM_VERSION, LUA_RELEASE);
        history_path(hist, sizeof hist);
        stifle_history(REPL_HISTORY_MAX);
        if (hist[0]) read_history(hist);
    }
    for (;;) {
        char *text = NULL;
        int status = read_statement(L, &text);
        if (status == -1) break;
        if (interactive && text && *text) {
            add_history(text);
            if (hist[0]) write_history(hist);
        }
        free(text);
        if (status != LUA_OK) {
            fprintf(stderr, "%s\n", lua_tostring(L, -1));
            lua_pop(L, 1);
            continue;
        }
        int base = lua_gettop(L);
        if (app_lua_call(L, 0, LUA_MULTRET) == LUA_OK) app_print_values(L, base);
        lua_settop(L, 0);
        fflush(stdout);
        fflush(stderr);
    }
    if (interactive) putchar('\n');
    lua_close(L);
    return APP_EXIT_OK;
}
