/*
 * progress.h: how the command line shows the engine's progress callback
 * (llm_set_progress). On a terminal: one line redrawn in place with a bar,
 * the rate and the time left. Otherwise (a log, a pipe, CI): a plain line
 * every 10% or every 5 seconds, so logs stay short and readable.
 */
#ifndef LLM_APP_PROGRESS_H
#define LLM_APP_PROGRESS_H

#include <stdio.h>

typedef struct progress_state progress_state;

/* Install the CLI progress reporter writing to `out`; `tty` chooses the
 * one-line bar (1) or plain lines (0); -1 asks isatty(). */
void progress_cli_install(FILE *out, int tty);

/* Format one bar line (no newline) for `label` at done/total, given the
 * seconds elapsed since the work began, into buf of `width` columns.
 * Exposed for the tests and the UI gauge. */
void progress_format_bar(char *buf, size_t size, int width, const char *label,
                         double done, double total, double elapsed);

/* Format a duration as H:MM:SS or M:SS. */
void progress_format_duration(char *buf, size_t size, double seconds);

#endif
