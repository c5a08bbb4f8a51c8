/*
 * core.h: what every part of the llmlab engine shares: status codes and the
 * last-error message, the one seeded random generator, thread settings,
 * the progress callback and the interrupt flag long loops poll.
 *
 * The engine never exits or aborts on user input: functions return an
 * llm_status and leave a message for llm_last_error().
 */
#ifndef LLM_CORE_H
#define LLM_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define LLM_VERSION "0.1.0"

typedef enum llm_status {
    LLM_OK = 0,
    LLM_ERR_ARG,         /* a bad argument: wrong value, out of range */
    LLM_ERR_SHAPE,       /* tensor shapes that do not fit */
    LLM_ERR_NOMEM,       /* an allocation failed */
    LLM_ERR_IO,          /* a file could not be read or written */
    LLM_ERR_FORMAT,      /* malformed input data */
    LLM_ERR_STATE,       /* an operation that is invalid in this state */
    LLM_ERR_INTERRUPTED, /* llm_interrupt() was called while it ran */
    LLM_STATUS_COUNT
} llm_status;

/* The message of the last error on this thread ("" when none). */
const char *llm_last_error(void);
/* Record an error message (printf format) and return the status, so that
 * callers can write `return llm_fail(LLM_ERR_ARG, "...", ...)`. */
llm_status llm_fail(llm_status status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
llm_status llm_vfail(llm_status status, const char *fmt, va_list ap);
void llm_clear_error(void);
const char *llm_status_name(llm_status status);

/* The one pseudo-random generator (PCG32) of the whole engine, so that
 * llm_seed(n) makes every random result reproducible across machines. */
void llm_seed(uint64_t seed);
uint64_t llm_get_seed(void);
uint32_t llm_rand_u32(void);
double llm_rand_uniform(void);           /* [0, 1) with 53 random bits */
double llm_rand_normal(void);            /* mean 0, standard deviation 1 */
uint32_t llm_rand_below(uint32_t bound); /* uniform in [0, bound), bound > 0 */

/* Threads for OpenMP loops and OpenBLAS together. */
llm_status llm_set_threads(int n);
int llm_get_threads(void);
const char *llm_blas_config(void);

/* Progress of long work (training, BPE merges, fetches). One callback for
 * the whole process; the CLI draws a bar, the UI a gauge. */
typedef void (*llm_progress_fn)(void *ud, const char *label, double done, double total);
void llm_set_progress(llm_progress_fn fn, void *ud);
void llm_progress(const char *label, double done, double total);

/* Cancellation: a signal handler or UI thread calls llm_interrupt();
 * long loops poll llm_interrupted() and return LLM_ERR_INTERRUPTED. */
void llm_interrupt(void);
int llm_interrupted(void);
void llm_clear_interrupt(void);

/* Allocation helpers that record an out-of-memory error. */
void *llm_malloc(size_t n);
void *llm_calloc(size_t count, size_t size);
void *llm_realloc(void *p, size_t n);
char *llm_strdup(const char *s);

#endif
