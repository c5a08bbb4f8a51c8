/* error.c: per-thread last-error message and status names. */
#include <stdio.h>
#include <string.h>
#include "core.h"

static _Thread_local char last_error[1024];

static const char *const status_names[] = {
    [LLM_OK] = "ok",
    [LLM_ERR_ARG] = "bad argument",
    [LLM_ERR_SHAPE] = "shape mismatch",
    [LLM_ERR_NOMEM] = "out of memory",
    [LLM_ERR_IO] = "I/O error",
    [LLM_ERR_FORMAT] = "malformed input",
    [LLM_ERR_STATE] = "invalid state",
    [LLM_ERR_INTERRUPTED] = "interrupted",
};
_Static_assert(sizeof status_names / sizeof status_names[0] == LLM_STATUS_COUNT,
               "one name per llm_status");

const char *llm_last_error(void) { return last_error; }

void llm_clear_error(void) { last_error[0] = '\0'; }

llm_status llm_vfail(llm_status status, const char *fmt, va_list ap)
{
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    return status;
}

llm_status llm_fail(llm_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    llm_vfail(status, fmt, ap);
    va_end(ap);
    return status;
}

const char *llm_status_name(llm_status status)
{
    if ((int)status < 0 || status >= LLM_STATUS_COUNT) return "unknown status";
    return status_names[status];
}
