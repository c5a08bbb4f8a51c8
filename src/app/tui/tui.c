/*
 * tui.c: `llmlab` with no arguments: the workbench UI's main loop.
 *
 * The loop, in one place:
 *   draw   - erase, then below the minimum size a clear message, else the
 *            Lua app draws the current screen (lua/llm/ui/app.lua, draw)
 *   wait   - poll() on the terminal and the worker's wake pipe, with the
 *            timeout the app asked for (plot throttling, the gauge)
 *   keys   - every waiting key, in order, goes to the app (app.key); the
 *            one exception is KEY_RESIZE, handled here: nothing to do but
 *            draw again at the new size
 *   events - output, plots and results from the worker go to app.event
 * The app answers a key with "quit" to leave; everything else (running a
 * step, cancelling, editing) it does itself through `llm.tui`.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <lauxlib.h>
#include <ncursesw/curses.h>
#include "app.h"
#include "plot.h"
#include "tui.h"

extern char **environ;
static double now_ms(void);
void tui_draw_set_caps(const tui_caps *c);

/* Figures for bench/ui.sh, written at exit to $LLMLAB_UI_STATS when set:
 * time to the first frame, how long keys took to be answered (read to
 * drawn) while a step ran, and the CPU the UI thread and gnuplot used
 * while a step ran, against the wall time it ran. */
typedef struct ui_stats {
    double t0, first_frame;
    double key_at;          /* when the first key of the batch came; 0: none */
    int keys_busy;
    double key_sum, key_max;
    double busy_wall, busy_cpu, busy_plot_cpu;
    int draws_busy;
} ui_stats;

typedef struct loop_state {
    lua_State *L;
    int app;          /* registry ref of the app table */
    int quit;
    int dirty;
    char error[2048]; /* a Lua error that ended the UI */
    ui_stats st;
} loop_state;

/* Call app[method](app, ...) with `nargs` arguments already pushed;
 * leaves one result. On error remembers the message and asks to quit. */
static int call_app(loop_state *s, const char *method, int nargs)
{
    lua_State *L = s->L;
    int base = lua_gettop(L) - nargs + 1; /* the first argument */
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->app);
    lua_getfield(L, -1, method);
    lua_getglobal(L, "debug");
    lua_getfield(L, -1, "traceback");
    lua_remove(L, -2);     /* args app fn tb */
    lua_insert(L, base);   /* tb args app fn */
    lua_insert(L, base + 1); /* tb fn args app */
    lua_insert(L, base + 2); /* tb fn app args */
    int st = lua_pcall(L, nargs + 1, 1, base);
    lua_remove(L, base);
    if (st != LUA_OK) {
        snprintf(s->error, sizeof s->error, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "error");
        lua_pop(L, 1);
        lua_pushnil(L);
        s->quit = 1;
        return -1;
    }
    return 0;
}

static void draw(loop_state *s, int *wait_ms)
{
    erase();
    *wait_ms = -1;
    if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_ROWS) {
        char msg[160];
        snprintf(msg, sizeof msg, "llmlab needs a %dx%d terminal; this one is %dx%d.",
                 TUI_MIN_COLS, TUI_MIN_ROWS, COLS, LINES);
        mvaddnstr(LINES / 2 - 1, 0, msg, COLS);
        mvaddnstr(LINES / 2, 0, "Make the window larger, or press q to quit.", COLS);
        curs_set(0);
    } else {
        lua_pushinteger(s->L, COLS);
        lua_pushinteger(s->L, LINES);
        if (call_app(s, "draw", 2) == 0 && lua_isinteger(s->L, -1)) *wait_ms = (int)lua_tointeger(s->L, -1);
        lua_pop(s->L, 1);
    }
    refresh();
    s->dirty = 0;
}

static void on_key(void *ud, const char *name)
{
    loop_state *s = ud;
    if (s->quit) return;
    s->dirty = 1;
    if (s->st.key_at == 0) s->st.key_at = now_ms();
    if (strcmp(name, "resize") == 0) return; /* the next draw uses the new size */
    if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_ROWS) {
        /* Too small to show anything: only quitting works. */
        if (strcmp(name, "q") == 0 || strcmp(name, "C-c") == 0) s->quit = 1;
        return;
    }
    lua_pushstring(s->L, name);
    if (call_app(s, "key", 1) == 0) {
        const char *r = lua_tostring(s->L, -1);
        if (r && strcmp(r, "quit") == 0) s->quit = 1;
    }
    lua_pop(s->L, 1);
}

static void on_event(void *ud, worker_event_kind kind, const char *text, size_t len)
{
    static const char *const names[] = {
        [WORKER_EV_OUTPUT] = "output", [WORKER_EV_PLOT] = "plot", [WORKER_EV_DONE] = "done",
        [WORKER_EV_ERROR] = "error",   [WORKER_EV_READY] = "ready",
    };
    loop_state *s = ud;
    if (s->quit) return;
    lua_pushstring(s->L, names[kind]);
    lua_pushlstring(s->L, text, len);
    call_app(s, "event", 2);
    lua_pop(s->L, 1);
    s->dirty = 1;
}

/* llm.tui.edit(path) -> exit status: leave curses, run $VISUAL, $EDITOR or
 * vi on the file (through sh, so EDITOR may carry options), come back. */
static int l_edit(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    const char *ed = getenv("VISUAL");
    if (!ed || !*ed) ed = getenv("EDITOR");
    if (!ed || !*ed) ed = "vi";
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s \"$1\"", ed);
    char *argv[] = {(char *)"sh", (char *)"-c", cmd, (char *)"llmlab-editor", (char *)path, NULL};
    tui_term_suspend();
    pid_t pid;
    int status = -1;
    if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) == 0) {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    }
    tui_term_resume();
    lua_pushinteger(L, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 1;
}

/* SIGTERM or SIGHUP (the terminal went away): leave the loop so curses
 * restores the terminal and a running step's child is killed. */
static volatile sig_atomic_t got_term;
static void on_term(int sig)
{
    (void)sig;
    got_term = 1;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static double thread_cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static void write_stats(const ui_stats *st)
{
    const char *path = getenv("LLMLAB_UI_STATS");
    if (!path || !*path) return;
    FILE *f = fopen(path, "w");
    if (!f) return;
    fprintf(f, "first_frame_ms=%.1f\n", st->first_frame);
    fprintf(f, "keys_while_running=%d\n", st->keys_busy);
    fprintf(f, "key_latency_mean_ms=%.2f\n", st->keys_busy ? st->key_sum / st->keys_busy : 0.0);
    fprintf(f, "key_latency_max_ms=%.2f\n", st->key_max);
    fprintf(f, "busy_wall_ms=%.0f\n", st->busy_wall);
    fprintf(f, "draws_while_running=%d\n", st->draws_busy);
    fprintf(f, "ui_thread_cpu_pct=%.1f\n", st->busy_wall > 0 ? 100 * st->busy_cpu / st->busy_wall : 0.0);
    fprintf(f, "gnuplot_cpu_pct=%.1f\n", st->busy_wall > 0 ? 100 * st->busy_plot_cpu / st->busy_wall : 0.0);
    fclose(f);
}

static void usage(void)
{
    puts("usage: llmlab [--lab ID] [--plain]\n\n"
         "With no command, llmlab opens the workbench UI on a terminal, where you\n"
         "left off (or at the lab ID). --plain, or a stdout that is not a\n"
         "terminal, prints the command-line help instead. Press ? in the UI\n"
         "for its keys.");
}

int app_cmd_tui(int argc, char **argv)
{
    const char *lab = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage();
            return APP_EXIT_OK;
        }
        if (strcmp(argv[i], "--lab") == 0 && i + 1 < argc) lab = argv[++i];
        else return app_usage_error("ui: unexpected argument '%s'", argv[i]);
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return app_usage_error("the UI needs a terminal (try 'llmlab --plain' for the commands)");

    loop_state s = {0};
    s.st.t0 = now_ms();
    s.L = app_lua_new();
    if (!s.L) return APP_EXIT_ERROR;
    luaL_requiref(s.L, "llm.tui", luaopen_llm_tui, 0);
    lua_pushcfunction(s.L, l_edit);
    lua_setfield(s.L, -2, "edit");
    lua_pop(s.L, 1);
    lua_getglobal(s.L, "require");
    lua_pushliteral(s.L, "llm.ui.app");
    if (app_lua_call(s.L, 1, 1) != LUA_OK) {
        lua_close(s.L);
        return APP_EXIT_ERROR;
    }
    /* The app's start runs before curses, so its errors print plainly. */
    lua_getfield(s.L, -1, "new");
    lua_createtable(s.L, 0, 1);
    if (lab) {
        lua_pushstring(s.L, lab);
        lua_setfield(s.L, -2, "lab");
    }
    if (app_lua_call(s.L, 1, 1) != LUA_OK) {
        lua_close(s.L);
        return APP_EXIT_ERROR;
    }
    s.app = luaL_ref(s.L, LUA_REGISTRYINDEX);
    lua_pop(s.L, 1);

    tui_caps caps;
    if (tui_term_open(&caps) != 0) {
        fprintf(stderr, "llmlab: cannot start the terminal UI on this terminal (TERM=%s); "
                "set TERM (e.g. xterm-256color) or use the commands: llmlab --plain\n",
                getenv("TERM") ? getenv("TERM") : "");
        lua_close(s.L);
        return APP_EXIT_ERROR;
    }
    tui_draw_set_caps(&caps);
    int wfd = -1;
    if (worker_start(&wfd) != 0) {
        tui_term_close();
        fprintf(stderr, "llmlab: cannot start the worker thread\n");
        lua_close(s.L);
        return APP_EXIT_ERROR;
    }
    s.dirty = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    int wait_ms = -1;
    double last_draw = 0;
    double loop_wall = now_ms(), loop_cpu = thread_cpu_ms(), loop_plot = plot_gnuplot_cpu_seconds();
    while (!s.quit && !got_term) {
        if (s.dirty || (wait_ms >= 0 && now_ms() - last_draw >= wait_ms)) {
            draw(&s, &wait_ms);
            last_draw = now_ms();
            if (s.st.first_frame == 0) s.st.first_frame = last_draw - s.st.t0;
            if (worker_busy()) {
                s.st.draws_busy++;
                if (s.st.key_at > 0) {
                    double lat = last_draw - s.st.key_at;
                    s.st.keys_busy++;
                    s.st.key_sum += lat;
                    if (lat > s.st.key_max) s.st.key_max = lat;
                }
            }
            s.st.key_at = 0;
        }
        {
            double w = now_ms(), c = thread_cpu_ms(), pc = plot_gnuplot_cpu_seconds();
            if (worker_busy()) {
                s.st.busy_wall += w - loop_wall;
                s.st.busy_cpu += c - loop_cpu;
                s.st.busy_plot_cpu += (pc - loop_plot) * 1e3;
            }
            loop_wall = w, loop_cpu = c, loop_plot = pc;
        }
        if (s.quit) break;
        struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {wfd, POLLIN, 0}};
        int timeout = -1;
        if (wait_ms >= 0) {
            timeout = wait_ms - (int)(now_ms() - last_draw);
            if (timeout < 0) timeout = 0;
        }
        int r = poll(fds, 2, timeout);
        if (got_term) break;
        if (r < 0 && errno != EINTR) break;
        /* KEY_RESIZE comes through wget_wch after SIGWINCH interrupts poll. */
        tui_keys_read(on_key, &s);
        if (r > 0 && (fds[1].revents & POLLIN)) worker_drain(on_event, &s);
    }
    tui_term_close();
    worker_stop();
    write_stats(&s.st);
    int rc = APP_EXIT_OK;
    if (s.error[0]) {
        fprintf(stderr, "llmlab: the UI stopped on an error:\n%s\n", s.error);
        rc = APP_EXIT_ERROR;
    }
    luaL_unref(s.L, LUA_REGISTRYINDEX, s.app);
    lua_close(s.L);
    return rc;
}
