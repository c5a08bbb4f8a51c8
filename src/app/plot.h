/*
 * plot.h: gnuplot as a child process. The program finds gnuplot once at
 * start (LLMLAB_GNUPLOT, else the path configure found, else $PATH), feeds
 * it a script through a pipe and collects what it writes. Scripts are built
 * in Lua (lua/llm/plot.lua); this file only runs them, so plots work the
 * same from `llmlab run`, the REPL and the UI. Without gnuplot every call
 * fails with one clear message and the rest of llmlab carries on.
 */
#ifndef LLM_APP_PLOT_H
#define LLM_APP_PLOT_H

#include <stddef.h>
#include "core.h"

/* The gnuplot executable in use, or NULL when none was found. */
const char *plot_gnuplot_path(void);

/* Look for gnuplot again on the next call (tests change LLMLAB_GNUPLOT). */
void plot_gnuplot_forget(void);

/* The message to show when gnuplot is missing. */
const char *plot_missing_message(void);

/* Run gnuplot on `script` (fed to its standard input) and return what it
 * wrote to standard output in a malloc'd, NUL-terminated buffer (*out,
 * *out_len; the caller frees it). Fails with gnuplot's own error text when
 * it exits nonzero, and with LLM_ERR_STATE when gnuplot is missing. */
llm_status plot_run_script(const char *script, size_t len, char **out, size_t *out_len);

/* Remove the form feed that starts the dumb terminal's output and the
 * trailing blank line, in place; returns the new length. */
size_t plot_dumb_trim(char *text, size_t len);

/* CPU seconds (user + system) used by every gnuplot run so far; the UI's
 * benchmark reports it next to its own. */
double plot_gnuplot_cpu_seconds(void);

#endif
