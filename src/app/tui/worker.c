/*
 * worker.c: where a lab step runs while the UI keeps drawing.
 *
 * Why a thread with its own Lua state (and not a coroutine with hooks):
 * a step spends most of its time inside C (tensor ops, BLAS, tokenizer
 * training), where a Lua hook never fires, so a coroutine would freeze the
 * screen for as long as one C call lasts. A thread does not. Lua states
 * are independent, so the worker gets its own (made by app_lua_new, like
 * `llmlab run`), and the two threads share nothing but this file's queue:
 *
 *   UI thread --submit(code)--> [job slot] --> worker thread runs it
 *   worker --emit(out|plot), progress, done/error--> [event queue] + wake pipe --> UI poll()
 *
 * The UI sleeps in poll() on the terminal and the wake pipe, so output,
 * plots and progress show as they come, and keys are read between them.
 * Cancelling (x or Ctrl-C) sets the engine's interrupt flag, which C loops
 * poll, and installs a Lua hook on the worker's state that raises
 * "interrupted!" at the next Lua instruction (the technique of lua.c's
 * SIGINT handler; lua_sethook is safe to call from another thread for
 * this purpose). Progress reports are coalesced: only the latest value is
 * kept, and the UI is woken at most 20 times a second for them.
 *
 * Lab steps run one level further out, in a child process forked by the
 * worker (a "forked job"): the child's stdout and stderr are a pipe whose
 * text streams into the output pane (so a sandboxed step's print, which
 * writes straight to fd 1 in live mode, shows as it happens), and its
 * plots and progress come back as frames on a second pipe. A crash in a
 * step cannot take the UI down, and cancelling kills the child's process
 * group (the sandbox's own child included), which also stops code stuck
 * inside C. In the child no lock of this file is ever taken: the UI thread
 * may have held one at the moment of the fork.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <lauxlib.h>
#include "app.h"
#include "core.h"
#include "tui.h"

typedef struct worker_event {
    worker_event_kind kind;
    char *text;
    size_t len;
    struct worker_event *next;
} worker_event;

static pthread_t thread;
static int started;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int wake[2] = {-1, -1};

/* Guarded by mu. */
static char *job_code, job_name[128];
static size_t job_len;
static int busy, stopping;
static worker_event *ev_head, *ev_tail;
static char prog_label[128];
static double prog_done, prog_total;
static int prog_fresh;
static double prog_woken;
static lua_State *running; /* the worker's state while a job runs */
static int job_forked;     /* the waiting job runs in a child process */
static pid_t child_pid;    /* the child of a forked job, while it runs */
static int cancel_asked;

/* In a forked job's child: where events go (frames on a pipe), else -1. */
static int child_event_fd = -1;
static double child_prog_sent;

/* A frame: kind (1 byte), length (4 bytes, native order), payload. */
static void child_write_frame(int kind, const char *text, size_t len)
{
    unsigned char head[5];
    uint32_t n = (uint32_t)len;
    head[0] = (unsigned char)kind;
    memcpy(head + 1, &n, 4);
    const char *parts[2] = {(const char *)head, text};
    size_t sizes[2] = {5, len};
    for (int i = 0; i < 2; i++) {
        size_t off = 0;
        while (off < sizes[i]) {
            ssize_t w = write(child_event_fd, parts[i] + off, sizes[i] - off);
            if (w < 0) {
                if (errno == EINTR) continue;
                return;
            }
            off += (size_t)w;
        }
    }
}

#define FRAME_PROGRESS 100 /* payload: done, total (doubles), label */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void wake_ui(void)
{
    char c = 1;
    ssize_t r = write(wake[1], &c, 1);
    (void)r; /* a full pipe already wakes the UI */
}

/* Queue an event (the text is copied); drops it when memory runs out. */
static void push_event(worker_event_kind kind, const char *text, size_t len)
{
    if (child_event_fd >= 0) {
        child_write_frame((int)kind, text, len);
        return;
    }
    worker_event *e = malloc(sizeof *e);
    if (!e) return;
    e->text = malloc(len + 1);
    if (!e->text) {
        free(e);
        return;
    }
    if (len) memcpy(e->text, text, len);
    e->text[len] = '\0';
    e->len = len;
    e->kind = kind;
    e->next = NULL;
    pthread_mutex_lock(&mu);
    if (ev_tail) ev_tail->next = e;
    else ev_head = e;
    ev_tail = e;
    pthread_mutex_unlock(&mu);
    wake_ui();
}

static void on_progress(void *ud, const char *label, double done, double total)
{
    (void)ud;
    if (child_event_fd >= 0) {
        double t = now_s();
        if (t - child_prog_sent < 0.05 && !(total > 0 && done >= total)) return;
        child_prog_sent = t;
        char buf[16 + 128];
        size_t n = strlen(label ? label : "");
        if (n > 127) n = 127;
        memcpy(buf, &done, 8);
        memcpy(buf + 8, &total, 8);
        memcpy(buf + 16, label ? label : "", n);
        child_write_frame(FRAME_PROGRESS, buf, 16 + n);
        return;
    }
    int do_wake = 0;
    pthread_mutex_lock(&mu);
    snprintf(prog_label, sizeof prog_label, "%s", label ? label : "");
    prog_done = done;
    prog_total = total;
    prog_fresh = 1;
    double t = now_s();
    if (t - prog_woken > 0.05 || (total > 0 && done >= total)) {
        prog_woken = t;
        do_wake = 1;
    }
    pthread_mutex_unlock(&mu);
    if (do_wake) wake_ui();
}

/* llm.worker.emit(kind, text) in the worker's state: "out" or "plot". */
static int l_emit(lua_State *L)
{
    static const char *const kinds[] = {"out", "plot", NULL};
    int k = luaL_checkoption(L, 1, NULL, kinds);
    size_t n;
    const char *s = luaL_checklstring(L, 2, &n);
    push_event(k == 0 ? WORKER_EV_OUTPUT : WORKER_EV_PLOT, s, n);
    return 0;
}

static int luaopen_llm_worker(lua_State *L)
{
    static const luaL_Reg f[] = {{"emit", l_emit}, {NULL, NULL}};
    luaL_newlib(L, f);
    return 1;
}

static void stop_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

static int traceback(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* Run one chunk with a traceback handler; report DONE or ERROR. */
static void run_job(lua_State *L, const char *name, const char *code, size_t len)
{
    lua_settop(L, 0);
    lua_pushcfunction(L, traceback);
    int st = luaL_loadbufferx(L, code, len, name, "t");
    if (st == LUA_OK) {
        int in_child = child_event_fd >= 0;
        if (!in_child) {
            pthread_mutex_lock(&mu);
            running = L;
            pthread_mutex_unlock(&mu);
        }
        st = lua_pcall(L, 0, 1, 1);
        if (!in_child) {
            pthread_mutex_lock(&mu);
            running = NULL;
            pthread_mutex_unlock(&mu);
        }
        lua_sethook(L, NULL, 0, 0);
    }
    size_t n = 0;
    const char *s = lua_tolstring(L, -1, &n);
    if (st == LUA_OK) push_event(WORKER_EV_DONE, s ? s : "", s ? n : 0);
    else push_event(WORKER_EV_ERROR, s ? s : "error", s ? n : 5);
    lua_settop(L, 0);
    lua_gc(L, LUA_GCCOLLECT);
}

/* Hand one frame from a forked job's child to the UI. */
static void forward_frame(int kind, const char *p, size_t n, int *finished)
{
    if (kind == FRAME_PROGRESS) {
        if (n < 16) return;
        double done, total;
        memcpy(&done, p, 8);
        memcpy(&total, p + 8, 8);
        char label[129];
        size_t ln = n - 16 < 128 ? n - 16 : 128;
        memcpy(label, p + 16, ln);
        label[ln] = '\0';
        on_progress(NULL, label, done, total);
        return;
    }
    if (kind == WORKER_EV_DONE || kind == WORKER_EV_ERROR) *finished = 1;
    if (kind >= WORKER_EV_OUTPUT && kind <= WORKER_EV_READY) push_event((worker_event_kind)kind, p, n);
}

/* Run a job in a child process (see the header comment). */
static void run_forked(lua_State *L, const char *name, const char *code, size_t len)
{
    int outp[2], evp[2];
    if (pipe2(outp, O_CLOEXEC) != 0) {
        static const char m[] = "cannot create a pipe for the step";
        push_event(WORKER_EV_ERROR, m, sizeof m - 1);
        return;
    }
    if (pipe2(evp, O_CLOEXEC) != 0) {
        close(outp[0]);
        close(outp[1]);
        static const char m[] = "cannot create a pipe for the step";
        push_event(WORKER_EV_ERROR, m, sizeof m - 1);
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        /* The child: a process group of its own, stdout/stderr to the
         * output pipe, events to the frame pipe; run, then leave at once. */
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0); /* the terminal belongs to the UI */
        dup2(outp[1], 1);
        dup2(outp[1], 2);
        /* Keep only stdin/out/err and the frame pipe (as fd 3): the fork
         * copied every descriptor of the process, among them the UI
         * thread's pipe to a gnuplot it may be feeding right now; holding
         * its write end would keep that gnuplot waiting for the end of its
         * script, and the UI with it. */
        if (evp[1] != 3) {
            dup2(evp[1], 3);
            evp[1] = 3;
        }
        fcntl(3, F_SETFD, 0);
        if (close_range(4, ~0U, 0) != 0) {
            for (int fd = 4; fd < 1024; fd++) close(fd);
        }
        child_event_fd = 3;
        signal(SIGPIPE, SIG_DFL);
        run_job(L, name, code, len);
        fflush(stdout);
        _exit(0);
    }
    close(outp[1]);
    close(evp[1]);
    if (pid < 0) {
        close(outp[0]);
        close(evp[0]);
        static const char m[] = "cannot start a process for the step";
        push_event(WORKER_EV_ERROR, m, sizeof m - 1);
        return;
    }
    setpgid(pid, pid);
    pthread_mutex_lock(&mu);
    child_pid = pid;
    int cancelled_early = cancel_asked;
    pthread_mutex_unlock(&mu);
    if (cancelled_early) kill(-pid, SIGKILL);

    char *frame = NULL;
    size_t flen = 0, fcap = 0;
    int out_open = 1, ev_open = 1, finished = 0;
    while (out_open || ev_open) {
        struct pollfd fds[2] = {{out_open ? outp[0] : -1, POLLIN, 0}, {ev_open ? evp[0] : -1, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        char buf[8192];
        if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = read(outp[0], buf, sizeof buf);
            if (n > 0) push_event(WORKER_EV_OUTPUT, buf, (size_t)n);
            else if (n == 0 || errno != EINTR) out_open = 0;
        }
        if (ev_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = read(evp[0], buf, sizeof buf);
            if (n <= 0 && (n == 0 || errno != EINTR)) {
                ev_open = 0;
                continue;
            }
            if (n <= 0) continue;
            if (flen + (size_t)n > fcap) {
                size_t cap = fcap ? fcap : 65536;
                while (cap < flen + (size_t)n) cap *= 2;
                char *g = realloc(frame, cap);
                if (!g) {
                    kill(-pid, SIGKILL);
                    break;
                }
                frame = g;
                fcap = cap;
            }
            memcpy(frame + flen, buf, (size_t)n);
            flen += (size_t)n;
            size_t off = 0;
            while (flen - off >= 5) {
                uint32_t plen;
                memcpy(&plen, frame + off + 1, 4);
                if (flen - off - 5 < plen) break;
                forward_frame((unsigned char)frame[off], frame + off + 5, plen, &finished);
                off += 5 + plen;
            }
            memmove(frame, frame + off, flen - off);
            flen -= off;
        }
    }
    free(frame);
    close(outp[0]);
    close(evp[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    pthread_mutex_lock(&mu);
    child_pid = 0;
    int was_cancelled = cancel_asked;
    pthread_mutex_unlock(&mu);
    if (!finished) {
        char msg[200];
        if (was_cancelled)
            snprintf(msg, sizeof msg, "{ok=false,cancelled=true,error=\"interrupted: cancelled by the user\"}");
        else if (WIFSIGNALED(status))
            snprintf(msg, sizeof msg, "{ok=false,error=\"the step's process died (signal %d)\"}", WTERMSIG(status));
        else
            snprintf(msg, sizeof msg, "{ok=false,error=\"the step's process ended without a result (status %d)\"}",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        push_event(WORKER_EV_DONE, msg, strlen(msg));
    }
}

static void *worker_main(void *arg)
{
    (void)arg;
    lua_State *L = app_lua_new();
    if (!L) {
        static const char msg[] = "cannot create the worker's Lua state";
        push_event(WORKER_EV_READY, msg, sizeof msg - 1);
        return NULL;
    }
    luaL_requiref(L, "llm.worker", luaopen_llm_worker, 0);
    lua_pop(L, 1);
    static const char setup[] = "require('llm.ui.worker').setup()";
    run_job(L, "=worker setup", setup, sizeof setup - 1);
    /* run_job pushed DONE (empty payload) or ERROR (the message) for the
     * setup: the UI sees it as READY, with the message on failure. */
    pthread_mutex_lock(&mu);
    if (ev_tail) {
        if (ev_tail->kind == WORKER_EV_DONE) ev_tail->len = 0;
        ev_tail->kind = WORKER_EV_READY;
    }
    pthread_mutex_unlock(&mu);
    for (;;) {
        pthread_mutex_lock(&mu);
        while (!job_code && !stopping) pthread_cond_wait(&cv, &mu);
        if (stopping) {
            pthread_mutex_unlock(&mu);
            break;
        }
        char *code = job_code;
        size_t len = job_len;
        int forked = job_forked;
        char name[sizeof job_name];
        memcpy(name, job_name, sizeof name);
        job_code = NULL;
        pthread_mutex_unlock(&mu);
        llm_clear_interrupt();
        if (forked) run_forked(L, name, code, len);
        else run_job(L, name, code, len);
        free(code);
        llm_clear_interrupt();
        pthread_mutex_lock(&mu);
        busy = 0;
        cancel_asked = 0;
        pthread_mutex_unlock(&mu);
        wake_ui();
    }
    lua_close(L);
    return NULL;
}

int worker_start(int *fd)
{
    if (started) {
        *fd = wake[0];
        return 0;
    }
    if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) return -1;
    llm_set_progress(on_progress, NULL);
    if (pthread_create(&thread, NULL, worker_main, NULL) != 0) {
        close(wake[0]);
        close(wake[1]);
        return -1;
    }
    started = 1;
    *fd = wake[0];
    return 0;
}

int worker_submit(const char *name, const char *code, size_t len, int forked)
{
    char *copy = malloc(len + 1);
    if (!copy) return -1;
    memcpy(copy, code, len);
    copy[len] = '\0';
    pthread_mutex_lock(&mu);
    if (busy || !started) {
        pthread_mutex_unlock(&mu);
        free(copy);
        return -1;
    }
    busy = 1;
    cancel_asked = 0;
    job_forked = forked;
    job_code = copy;
    job_len = len;
    snprintf(job_name, sizeof job_name, "=%s", name);
    prog_fresh = 0;
    prog_label[0] = '\0';
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return 0;
}

void worker_cancel(void)
{
    pthread_mutex_lock(&mu);
    if (busy) {
        cancel_asked = 1;
        if (child_pid > 0) kill(-child_pid, SIGKILL);
        llm_interrupt();
        if (running) lua_sethook(running, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
    }
    pthread_mutex_unlock(&mu);
}

int worker_busy(void)
{
    pthread_mutex_lock(&mu);
    int b = busy;
    pthread_mutex_unlock(&mu);
    return b;
}

void worker_drain(void (*fn)(void *ud, worker_event_kind kind, const char *text, size_t len), void *ud)
{
    char buf[256];
    while (read(wake[0], buf, sizeof buf) > 0) {}
    pthread_mutex_lock(&mu);
    worker_event *e = ev_head;
    ev_head = ev_tail = NULL;
    pthread_mutex_unlock(&mu);
    while (e) {
        worker_event *next = e->next;
        fn(ud, e->kind, e->text, e->len);
        free(e->text);
        free(e);
        e = next;
    }
}

int worker_progress(char *label, size_t size, double *done, double *total)
{
    pthread_mutex_lock(&mu);
    int have = prog_fresh && busy;
    if (have) {
        snprintf(label, size, "%s", prog_label);
        *done = prog_done;
        *total = prog_total;
    }
    pthread_mutex_unlock(&mu);
    return have;
}

void worker_stop(void)
{
    if (!started) return;
    worker_cancel();
    pthread_mutex_lock(&mu);
    stopping = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    pthread_join(thread, NULL);
    started = 0;
    llm_set_progress(NULL, NULL);
    worker_event *e = ev_head;
    while (e) {
        worker_event *next = e->next;
        free(e->text);
        free(e);
        e = next;
    }
    ev_head = ev_tail = NULL;
    close(wake[0]);
    close(wake[1]);
}

/* ---- the worker as seen from the UI's Lua state (llm.tui.worker_*) ---- */

static int l_submit(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    size_t n;
    const char *code = luaL_checklstring(L, 2, &n);
    int forked = lua_toboolean(L, 3);
    lua_pushboolean(L, worker_submit(name, code, n, forked) == 0);
    return 1;
}

static int l_cancel(lua_State *L)
{
    (void)L;
    worker_cancel();
    return 0;
}

static int l_busy(lua_State *L)
{
    lua_pushboolean(L, worker_busy());
    return 1;
}

static int l_progress(lua_State *L)
{
    char label[128];
    double done, total;
    if (!worker_progress(label, sizeof label, &done, &total)) return 0;
    lua_pushstring(L, label);
    lua_pushnumber(L, done);
    lua_pushnumber(L, total);
    return 3;
}

int worker_child_emit(int kind, const char *text, size_t len)
{
    if (!started && child_event_fd < 0) return -1;
    push_event((worker_event_kind)kind, text, len);
    return 0;
}

int worker_ui_active(void) { return started || child_event_fd >= 0; }

void tui_worker_register(lua_State *L)
{
    static const luaL_Reg f[] = {
        {"worker_submit", l_submit},
        {"worker_cancel", l_cancel},
        {"worker_busy", l_busy},
        {"worker_progress", l_progress},
        {NULL, NULL},
    };
    luaL_setfuncs(L, f, 0);
}
