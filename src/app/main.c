/* main.c: the `llmlab` command line. One table of subcommands drives both
 * dispatch and `--help`. Commands with a C handler run here; the others
 * are written in Lua as lua/llm/cli/<name>.lua, a function(args) returning
 * an exit status, so course logic stays in the Lua layer. */
#include "config.h"
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lauxlib.h>
#include "app.h"
#include "core.h"
#include "progress.h"
#include "tui/tui.h"

typedef struct command {
    const char *name;
    const char *usage;
    const char *summary;
    int (*run)(int argc, char **argv); /* NULL: lua/llm/cli/<name>.lua */
} command;

static const command commands[] = {
    {"run", "run FILE.lua [ARGS...]", "run a Lua script with the llm module (arg table as lua gives)", app_cmd_run},
    {"eval", "eval 'CODE'", "run a Lua chunk; an expression's value is printed", app_cmd_eval},
    {"repl", "repl", "interactive Lua prompt with llm loaded (history, multi-line, Ctrl-C)", app_cmd_repl},
    {"ui", "ui [--lab ID]", "the workbench UI (what llmlab with no command opens on a terminal)", app_cmd_tui},
    {"course", "course [--week N]", "the course outline with your status on every item", NULL},
    {"progress", "progress [check|uncheck|import|export]", "your checklist: progress by module and week, tick items", NULL},
    {"runs", "runs list|show ID|compare ID...", "tracked training runs: params, metrics, manifest", NULL},
    {"lab", "lab list|show|run|hint|... N", "run and check a lab's steps in the sandbox; hints, solutions, dev-check", NULL},
    {"quiz", "quiz take|grade|lint N", "take a week's quiz (resumable), batch-grade submissions, lint quiz files", NULL},
    {"data", "data list|info|fetch|verify", "corpora: list the catalog, describe one, fetch from apt/npm, verify", NULL},
};
static const size_t command_count = sizeof commands / sizeof commands[0];

static void print_help(FILE *out)
{
    fprintf(out,
            "llmlab %s: a terminal workbench for the course Building Large Language Models\n\n"
            "usage: llmlab [--help] [--version] [--db PATH] COMMAND [ARGS...]\n\n"
            "commands:\n",
            LLM_VERSION);
    for (size_t i = 0; i < command_count; i++)
        fprintf(out, "  %-26s %s\n", commands[i].usage, commands[i].summary);
    fprintf(out,
            "\n"
            "Each command takes --help. Environment: LLMLAB_HOME (where lua/, labs/, quizzes/\n"
            "live; now %s), LLMLAB_DB (progress database; --db PATH overrides it).\n",
            app_home());
}

int app_usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("llmlab: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'llmlab --help'.\n", stderr);
    return APP_EXIT_USAGE;
}

/* Run lua/llm/cli/<name>.lua: it returns function(args) -> exit status. */
static int run_lua_command(const char *name, int argc, char **argv)
{
    lua_State *L = app_lua_new();
    if (!L) return APP_EXIT_ERROR;
    int rc = APP_EXIT_ERROR;
    lua_getglobal(L, "require");
    lua_pushfstring(L, "llm.cli.%s", name);
    if (app_lua_call(L, 1, 1) == LUA_OK) {
        lua_createtable(L, argc, 0);
        for (int i = 1; i < argc; i++) {
            lua_pushstring(L, argv[i]);
            lua_rawseti(L, -2, i);
        }
        if (app_lua_call(L, 1, 1) == LUA_OK) {
            if (lua_isinteger(L, -1)) rc = (int)lua_tointeger(L, -1);
            else rc = lua_toboolean(L, -1) || lua_isnil(L, -1) ? APP_EXIT_OK : APP_EXIT_ERROR;
        }
    }
    fflush(stdout);
    lua_close(L);
    return rc;
}

/* The global option --db PATH (or --db=PATH) names the progress database.
 * It may come before the command or anywhere after it (before a "--"),
 * except after the script of `run`/`eval`, whose arguments are the
 * script's own. It is removed from argv and passed on as LLMLAB_DB, which
 * lua/llm/store.lua and child processes read. Returns 0, or a usage error. */
static int take_db_option(int *argc, char **argv)
{
    int out = 1, script_args = 0;
    const char *cmd = NULL;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        const char *value = NULL;
        if (!script_args && strcmp(a, "--") == 0) script_args = 1;
        if (!script_args && strcmp(a, "--db") == 0) {
            if (i + 1 >= *argc) return app_usage_error("--db needs a path");
            value = argv[++i];
        } else if (!script_args && strncmp(a, "--db=", 5) == 0) {
            value = a + 5;
        }
        if (value) {
            if (!*value) return app_usage_error("--db needs a path");
            if (setenv("LLMLAB_DB", value, 1) != 0) return app_usage_error("cannot set LLMLAB_DB");
            continue;
        }
        if (a[0] != '-' && !script_args) {
            if (!cmd) cmd = a;
            else if (strcmp(cmd, "run") == 0 || strcmp(cmd, "eval") == 0) script_args = 1;
        }
        argv[out++] = argv[i];
    }
    argv[out] = NULL;
    *argc = out;
    return 0;
}

/* Two library settings are read when the libraries load, before main, so
 * when the user has not chosen them we set them and start again once (if
 * exec fails we simply go on):
 * - libgomp's idle threads spin by default; on a busy machine a spinning
 *   OpenMP worker steals the core OpenBLAS or the other worker needs (a
 *   training step at 2 threads ran 3-4x slower): OMP_WAIT_POLICY=PASSIVE.
 * - OpenBLAS 0.3.21 picks its kernels from the CPU model and falls back to
 *   generic SSE3 ones ("Prescott") on CPUs it does not know, such as
 *   virtual CPUs that only say "Xeon": sgemm then runs 3-4x slower. Where
 *   the CPU has the instructions, ask for the kernels that use them. */
static const char *openblas_core_for_cpu(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
    return NULL;
}

static void prefer_library_settings(char **argv)
{
    int restart = 0;
    if (!getenv("OMP_WAIT_POLICY") && !getenv("GOMP_SPINCOUNT")) {
        if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) == 0) restart = 1;
    }
    const char *core = openblas_core_for_cpu();
    if (!getenv("OPENBLAS_CORETYPE") && core && strstr(llm_blas_config(), " Prescott ")) {
        if (setenv("OPENBLAS_CORETYPE", core, 1) == 0) restart = 1;
    }
    if (!restart) return;
    /* exec the binary by its real path, so the process keeps its name
     * ("llmlab", not "exe") in ps and /proc */
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return;
    self[n] = '\0';
    execv(self, argv);
}

int main(int argc, char **argv)
{
    prefer_library_settings(argv);
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C"); /* Lua's number formatting must not follow the locale */
    llm_seed(0);
    app_lua_hooks_install();
    progress_cli_install(stderr, -1);
    if (take_db_option(&argc, argv) != 0) return APP_EXIT_USAGE;

    /* No command: the workbench UI on a terminal (resuming at the last
     * lab); --plain, or output that is not a terminal, prints the help. */
    if (argc < 2 || strcmp(argv[1], "--lab") == 0) {
        const char *term = getenv("TERM");
        int usable = term && *term && strcmp(term, "dumb") != 0;
        if (usable && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO)) return app_cmd_tui(argc, argv);
        print_help(stdout);
        return APP_EXIT_OK;
    }
    if (strcmp(argv[1], "--plain") == 0) {
        print_help(stdout);
        return APP_EXIT_OK;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        print_help(stdout);
        return APP_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("llmlab %s\n", LLM_VERSION);
        return APP_EXIT_OK;
    }
    if (cmd[0] == '-') return app_usage_error("unknown option '%s'", cmd);
    for (size_t i = 0; i < command_count; i++) {
        if (strcmp(commands[i].name, cmd) != 0) continue;
        if (commands[i].run) return commands[i].run(argc - 1, argv + 1);
        return run_lua_command(cmd, argc - 1, argv + 1);
    }
    return app_usage_error("unknown command '%s'", cmd);
}
