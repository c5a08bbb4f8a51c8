/*
 * app.h: the llmlab program's shared pieces: where the project's Lua files
 * live, creating a Lua state with `llm` loaded, running chunks with
 * tracebacks, and the command table of the CLI.
 */
#ifndef LLM_APP_H
#define LLM_APP_H

#include <stddef.h>
#include <lua.h>

/* Exit statuses of the CLI. */
enum { APP_EXIT_OK = 0, APP_EXIT_ERROR = 1, APP_EXIT_USAGE = 2 };

/* The folder holding lua/, labs/, quizzes/, datasets/: $LLMLAB_HOME, else
 * the source tree when run from the build tree, else the installed data dir. */
const char *app_home(void);

/* A full Lua state (standard libraries, `llm` as a global and a module).
 * Returns NULL and prints a message on failure. */
lua_State *app_lua_new(void);

/* Call the function below `nargs` arguments with a traceback handler and
 * Ctrl-C interruption; on error print "llmlab: <message>\n<traceback>"
 * to stderr and return nonzero. */
int app_lua_call(lua_State *L, int nargs, int nresults);

/* Check that a buffer is valid UTF-8; on failure fill line/col (1-based). */
int app_utf8_valid(const char *s, size_t n, int *line, int *col);

/* Load a Lua source file (text only, checked to be UTF-8) as a function on
 * the stack; prints the error and returns nonzero on failure. */
int app_load_file(lua_State *L, const char *path);

/* Compile a line as an expression (to print its value) or as statements. */
int app_compile_line(lua_State *L, const char *code, size_t len, const char *chunkname);
/* Print the values on the stack from index `first` up, with print(). */
void app_print_values(lua_State *L, int first);

/* Make llm_lua_setup add the program's C module llm.app (l_app.c). */
void app_lua_hooks_install(void);
int luaopen_llm_app(lua_State *L);

int app_cmd_run(int argc, char **argv);
int app_cmd_eval(int argc, char **argv);
int app_cmd_repl(int argc, char **argv);

/* Report a usage error: one line plus a pointer to --help; returns APP_EXIT_USAGE. */
int app_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
