/* runtime.c: thread settings (OpenMP + OpenBLAS), progress callback,
 * interrupt flag and checked allocation. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <cblas.h>
#include "core.h"

static int thread_count = 0; /* 0: not set yet, ask the libraries */

llm_status llm_set_threads(int n)
{
    if (n < 1 || n > 1024) return llm_fail(LLM_ERR_ARG, "threads: %d is not between 1 and 1024", n);
    thread_count = n;
#ifdef _OPENMP
    omp_set_num_threads(n);
#endif
    openblas_set_num_threads(n);
    return LLM_OK;
}

int llm_get_threads(void)
{
    if (thread_count > 0) return thread_count;
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return openblas_get_num_threads();
#endif
}

const char *llm_blas_config(void) { return openblas_get_config(); }

static llm_progress_fn progress_fn;
static void *progress_ud;

void llm_set_progress(llm_progress_fn fn, void *ud)
{
    progress_fn = fn;
    progress_ud = ud;
}

void llm_progress(const char *label, double done, double total)
{
    if (progress_fn) progress_fn(progress_ud, label, done, total);
}

static volatile sig_atomic_t interrupt_flag;

void llm_interrupt(void) { interrupt_flag = 1; }
int llm_interrupted(void) { return interrupt_flag != 0; }
void llm_clear_interrupt(void) { interrupt_flag = 0; }

void *llm_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) llm_fail(LLM_ERR_NOMEM, "out of memory allocating %zu bytes", n);
    return p;
}

void *llm_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) llm_fail(LLM_ERR_NOMEM, "out of memory allocating %zu x %zu bytes", count, size);
    return p;
}

void *llm_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) llm_fail(LLM_ERR_NOMEM, "out of memory growing a buffer to %zu bytes", n);
    return q;
}

char *llm_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = llm_malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}
