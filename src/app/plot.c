/*
 * plot.c: run gnuplot as a child process fed through a pipe (see plot.h).
 *
 * Each render starts a fresh gnuplot (about 25 ms here): no state leaks
 * from one plot to the next, a crash or a bad script costs one plot, and
 * the UI thread and a lab's worker thread can both render without sharing
 * a process. posix_spawn is used rather than fork so that spawning from a
 * program with several threads stays safe; every pipe end is close-on-exec
 * so a concurrent spawn never inherits another's pipe.
 */
#define _GNU_SOURCE /* pipe2 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "plot.h"

extern char **environ;

#define PLOT_TIMEOUT_MS 30000 /* a plot that takes longer is killed */
#define PLOT_ERR_MAX 2000     /* keep this much of gnuplot's stderr */

static pthread_mutex_t cpu_mu = PTHREAD_MUTEX_INITIALIZER;
static double gnuplot_cpu; /* CPU seconds all gnuplot runs took */

double plot_gnuplot_cpu_seconds(void)
{
    pthread_mutex_lock(&cpu_mu);
    double v = gnuplot_cpu;
    pthread_mutex_unlock(&cpu_mu);
    return v;
}

static pthread_mutex_t find_mu = PTHREAD_MUTEX_INITIALIZER;
static int found_once;
static char gnuplot_path[4096];

static int is_executable(const char *path)
{
    struct stat st;
    return path && *path && stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Look for gnuplot: LLMLAB_GNUPLOT (an empty value disables plots, which
 * the tests use to check the missing-gnuplot path), the configured path,
 * then each folder of $PATH. */
static void find_gnuplot(void)
{
    const char *env = getenv("LLMLAB_GNUPLOT");
    gnuplot_path[0] = '\0';
    if (env) {
        if (is_executable(env)) snprintf(gnuplot_path, sizeof gnuplot_path, "%s", env);
        return;
    }
#ifdef GNUPLOT_PATH
    if (is_executable(GNUPLOT_PATH)) {
        snprintf(gnuplot_path, sizeof gnuplot_path, "%s", GNUPLOT_PATH);
        return;
    }
#endif
    const char *path = getenv("PATH");
    if (!path) return;
    const char *p = path;
    while (*p) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char cand[4096];
        if (n > 0 && n < sizeof cand - 10) {
            snprintf(cand, sizeof cand, "%.*s/gnuplot", (int)n, p);
            if (is_executable(cand)) {
                snprintf(gnuplot_path, sizeof gnuplot_path, "%s", cand);
                return;
            }
        }
        if (!end) break;
        p = end + 1;
    }
}

const char *plot_gnuplot_path(void)
{
    pthread_mutex_lock(&find_mu);
    if (!found_once) {
        find_gnuplot();
        found_once = 1;
    }
    pthread_mutex_unlock(&find_mu);
    return gnuplot_path[0] ? gnuplot_path : NULL;
}

void plot_gnuplot_forget(void)
{
    pthread_mutex_lock(&find_mu);
    found_once = 0;
    pthread_mutex_unlock(&find_mu);
}

const char *plot_missing_message(void)
{
    return "gnuplot not found: plots are disabled (install it with: apt-get install gnuplot-nox)";
}

size_t plot_dumb_trim(char *text, size_t len)
{
    size_t start = 0;
    while (start < len && text[start] == '\f') start++;
    if (start) {
        memmove(text, text + start, len - start);
        len -= start;
    }
    text[len] = '\0';
    return len;
}

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)(t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

typedef struct growbuf {
    char *data;
    size_t len, cap;
} growbuf;

static int growbuf_read(growbuf *b, int fd, size_t limit)
{
    if (b->cap - b->len < 4097) {
        size_t cap = b->cap ? b->cap * 2 : 16384;
        char *d = llm_realloc(b->data, cap);
        if (!d) return -1;
        b->data = d;
        b->cap = cap;
    }
    ssize_t n = read(fd, b->data + b->len, b->cap - b->len - 1);
    if (n < 0) return errno == EINTR || errno == EAGAIN ? 1 : -1;
    if (n == 0) return 0;
    if (b->len + (size_t)n <= limit) b->len += (size_t)n;
    else if (b->len < limit) b->len = limit;
    b->data[b->len] = '\0';
    return 1;
}

static int spawn_gnuplot(const char *exe, int in[2], int out[2], int err[2], pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0) return ENOMEM;
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    char *argv[] = {(char *)"gnuplot", NULL};
    int rc = posix_spawn(pid, exe, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

llm_status plot_run_script(const char *script, size_t len, char **out, size_t *out_len)
{
    *out = NULL;
    if (out_len) *out_len = 0;
    const char *exe = plot_gnuplot_path();
    if (!exe) return llm_fail(LLM_ERR_STATE, "%s", plot_missing_message());

    /* A gnuplot that dies early must give EPIPE on write, not kill us. */
    signal(SIGPIPE, SIG_IGN);

    int in[2] = {-1, -1}, po[2] = {-1, -1}, pe[2] = {-1, -1};
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
        int e = errno;
        for (int i = 0; i < 2; i++) {
            if (in[i] >= 0) close(in[i]);
            if (po[i] >= 0) close(po[i]);
            if (pe[i] >= 0) close(pe[i]);
        }
        return llm_fail(LLM_ERR_IO, "plot: cannot create a pipe: %s", strerror(e));
    }
    pid_t pid;
    int rc = spawn_gnuplot(exe, in, po, pe, &pid);
    close(in[0]);
    close(po[1]);
    close(pe[1]);
    if (rc != 0) {
        close(in[1]);
        close(po[0]);
        close(pe[0]);
        return llm_fail(LLM_ERR_IO, "plot: cannot start %s: %s", exe, strerror(rc));
    }
    fcntl(in[1], F_SETFL, O_NONBLOCK);

    growbuf ob = {0}, eb = {0};
    size_t sent = 0;
    int in_fd = in[1], out_open = 1, err_open = 1, failed = 0;
    llm_status st = LLM_OK;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (len == 0) {
        close(in_fd);
        in_fd = -1;
    }
    while ((out_open || err_open) && !failed) {
        struct pollfd fds[3];
        int n = 0, i_in = -1, i_out = -1, i_err = -1;
        if (in_fd >= 0) { fds[n] = (struct pollfd){in_fd, POLLOUT, 0}; i_in = n++; }
        if (out_open) { fds[n] = (struct pollfd){po[0], POLLIN, 0}; i_out = n++; }
        if (err_open) { fds[n] = (struct pollfd){pe[0], POLLIN, 0}; i_err = n++; }
        long left = PLOT_TIMEOUT_MS - elapsed_ms(&t0);
        if (left <= 0) {
            failed = 1;
            st = llm_fail(LLM_ERR_IO, "plot: gnuplot did not finish within %d s", PLOT_TIMEOUT_MS / 1000);
            break;
        }
        int r = poll(fds, (nfds_t)n, (int)left);
        if (r < 0) {
            if (errno == EINTR) continue;
            failed = 1;
            st = llm_fail(LLM_ERR_IO, "plot: poll: %s", strerror(errno));
            break;
        }
        if (i_in >= 0 && (fds[i_in].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = write(in_fd, script + sent, len - sent);
            if (w > 0) sent += (size_t)w;
            if ((w < 0 && errno != EAGAIN && errno != EINTR) || sent == len) {
                close(in_fd);
                in_fd = -1;
            }
        }
        if (i_out >= 0 && (fds[i_out].revents & (POLLIN | POLLHUP | POLLERR))) {
            int g = growbuf_read(&ob, po[0], (size_t)1 << 26);
            if (g < 0) { failed = 1; st = llm_fail(LLM_ERR_NOMEM, "plot: out of memory reading gnuplot's output"); }
            else if (g == 0) out_open = 0;
        }
        if (i_err >= 0 && (fds[i_err].revents & (POLLIN | POLLHUP | POLLERR))) {
            int g = growbuf_read(&eb, pe[0], PLOT_ERR_MAX);
            if (g < 0) { failed = 1; st = llm_fail(LLM_ERR_NOMEM, "plot: out of memory reading gnuplot's errors"); }
            else if (g == 0) err_open = 0;
        }
    }
    if (in_fd >= 0) close(in_fd);
    close(po[0]);
    close(pe[0]);
    if (failed) kill(pid, SIGKILL);
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {}
    pthread_mutex_lock(&cpu_mu);
    gnuplot_cpu += (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
                   ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) * 1e-6;
    pthread_mutex_unlock(&cpu_mu);
    if (!failed && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        failed = 1;
        /* gnuplot's message: drop the echoed command and caret lines' padding. */
        const char *msg = eb.data ? eb.data : "";
        while (*msg == '\n' || *msg == ' ') msg++;
        size_t m = strlen(msg);
        while (m > 0 && (msg[m - 1] == '\n' || msg[m - 1] == ' ')) m--;
        if (WIFSIGNALED(status))
            st = llm_fail(LLM_ERR_IO, "plot: gnuplot was killed by signal %d", WTERMSIG(status));
        else
            st = llm_fail(LLM_ERR_FORMAT, "plot: gnuplot rejected the script: %.*s", (int)m, msg);
    }
    free(eb.data);
    if (failed) {
        free(ob.data);
        return st;
    }
    if (!ob.data) {
        ob.data = llm_malloc(1);
        if (!ob.data) return LLM_ERR_NOMEM;
        ob.data[0] = '\0';
    }
    *out = ob.data;
    if (out_len) *out_len = ob.len;
    return LLM_OK;
}
