/*
 * progress.c: the command line's progress reporter (see progress.h).
 *
 * The engine calls one process-wide callback; this one keeps the start
 * time of the current label to compute the rate and the time left, and
 * throttles output (10 redraws a second on a terminal, a line every 10% or
 * 5 s otherwise) so that a loop reporting every step costs nothing.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "core.h"
#include "progress.h"

struct progress_state {
    FILE *out;
    int tty;
    char label[128];
    double start;       /* seconds, monotonic clock */
    double last_draw;   /* when the last line was drawn */
    double last_frac;   /* fraction at the last plain line */
    int line_open;      /* a bar is on screen without its newline */
};

static struct progress_state cli;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void progress_format_duration(char *buf, size_t size, double s)
{
    if (!(s >= 0) || s > 359999) {
        snprintf(buf, size, "--:--");
        return;
    }
    long t = lround(s);
    if (t >= 3600) snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    else snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

static void format_count(char *buf, size_t size, double v)
{
    if (v == floor(v) && fabs(v) < 1e15) snprintf(buf, size, "%.0f", v);
    else snprintf(buf, size, "%.3g", v);
}

void progress_format_bar(char *buf, size_t size, int width, const char *label,
                         double done, double total, double elapsed)
{
    char d[32], t[32], eta[32], rate[48], tail[160];
    format_count(d, sizeof d, done);
    format_count(t, sizeof t, total);
    double frac = total > 0 ? done / total : 0;
    if (frac < 0) frac = 0;
    if (frac > 1) frac = 1;
    double r = elapsed > 0 ? done / elapsed : 0;
    if (r >= 100) snprintf(rate, sizeof rate, "%.0f/s", r);
    else snprintf(rate, sizeof rate, "%.2g/s", r);
    if (done > 0 && total > done && r > 0) progress_format_duration(eta, sizeof eta, (total - done) / r);
    else if (total > 0 && done >= total) progress_format_duration(eta, sizeof eta, elapsed);
    else snprintf(eta, sizeof eta, "--:--");
    const char *eta_word = total > 0 && done >= total ? "took" : "ETA";
    if (total > 0)
        snprintf(tail, sizeof tail, " %3.0f%% %s/%s %s %s %s", frac * 100, d, t, rate, eta_word, eta);
    else
        snprintf(tail, sizeof tail, " %s %s", d, rate);
    int lab = (int)strlen(label);
    if (lab > 30) lab = 30;
    int bar = width - lab - 3 - (int)strlen(tail);
    if (total <= 0 || bar < 5) {
        snprintf(buf, size, "%.*s%s", lab, label, tail);
        return;
    }
    if (bar > 50) bar = 50;
    int fill = (int)(frac * bar + 1e-9);
    char bars[64];
    for (int i = 0; i < bar; i++) bars[i] = i < fill ? '#' : '.';
    bars[bar] = '\0';
    snprintf(buf, size, "%.*s [%s]%s", lab, label, bars, tail);
}

static int term_width(FILE *out)
{
    struct winsize ws;
    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
    return 80;
}

static void cli_progress(void *ud, const char *label, double done, double total)
{
    progress_state *p = ud;
    double now = now_s();
    if (!label) label = "";
    int fresh = strncmp(p->label, label, sizeof p->label - 1) != 0 || (done <= 0 && p->last_frac > 0);
    if (fresh) {
        if (p->line_open) fputc('\n', p->out);
        p->line_open = 0;
        snprintf(p->label, sizeof p->label, "%s", label);
        p->start = now;
        p->last_draw = 0;
        p->last_frac = -1;
    }
    int finished = total > 0 && done >= total;
    double frac = total > 0 ? done / total : 0;
    char line[256];
    if (p->tty) {
        if (!finished && !fresh && now - p->last_draw < 0.1) return;
        int w = term_width(p->out) - 1;
        if (w > (int)sizeof line - 1) w = (int)sizeof line - 1;
        progress_format_bar(line, sizeof line, w, label, done, total, now - p->start);
        fprintf(p->out, "\r%s\033[K", line);
        p->line_open = !finished;
        if (finished) {
            fputc('\n', p->out);
            p->label[0] = '\0';
        }
    } else {
        if (!finished && !fresh && frac - p->last_frac < 0.1 && now - p->last_draw < 5) return;
        progress_format_bar(line, sizeof line, 0, label, done, total, now - p->start);
        fprintf(p->out, "%s\n", line);
        p->last_frac = frac;
        if (finished) p->label[0] = '\0';
    }
    p->last_draw = now;
    fflush(p->out);
}

void progress_cli_install(FILE *out, int tty)
{
    cli.out = out;
    cli.tty = tty < 0 ? isatty(fileno(out)) : tty;
    cli.label[0] = '\0';
    cli.line_open = 0;
    llm_set_progress(cli_progress, &cli);
}
