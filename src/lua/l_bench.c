/*
 * l_bench.c: what the benchmarks in bench/ need from C and nothing else:
 * a monotonic wall clock (os.clock counts CPU time of all threads), the
 * peak resident set size, and a raw cblas_sgemm on contiguous matrices, the
 * reference that llmlab's matmul is measured against.
 *
 *   llm.now() -> seconds (monotonic, as a float)
 *   llm.cpu_time() -> CPU seconds used by the whole process (all threads); on a
 *       busy shared machine, single-thread figures in CPU time are the stable ones
 *   llm.peak_rss_mb() -> peak resident memory of this process in MiB
 *   llm.blas_sgemm(a, b, c) -> c = a @ b, straight to cblas_sgemm
 *       (a (M,K), b (K,N), c (M,N): contiguous float32; no autograd, no copies),
 *       with OpenBLAS's own threading at llm.threads() threads
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <cblas.h>
#include "lua_llm.h"
#include "tensor.h"

static int push_clock(lua_State *L, clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec * 1e-9);
    return 1;
}

int llm_lua_now(lua_State *L) { return push_clock(L, CLOCK_MONOTONIC); }

static int l_cpu_time(lua_State *L) { return push_clock(L, CLOCK_PROCESS_CPUTIME_ID); }

static int l_peak_rss_mb(lua_State *L)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return luaL_error(L, "peak_rss_mb: getrusage failed");
    lua_pushnumber(L, (lua_Number)ru.ru_maxrss / 1024.0); /* kilobytes on Linux */
    return 1;
}

static tensor *matrix_arg(lua_State *L, int i)
{
    tensor **b = (tensor **)luaL_checkudata(L, i, "llm.Tensor");
    tensor *t = *b;
    if (!t) luaL_error(L, "blas_sgemm: tensor %d was closed", i);
    if (t->ndim != 2 || t->dtype != TENSOR_F32 || !tensor_is_contiguous(t))
        luaL_error(L, "blas_sgemm: argument %d must be a contiguous float32 matrix", i);
    return t;
}

static int l_blas_sgemm(lua_State *L)
{
    tensor *a = matrix_arg(L, 1), *b = matrix_arg(L, 2), *c = matrix_arg(L, 3);
    int M = (int)a->shape[0], K = (int)a->shape[1], N = (int)b->shape[1];
    if (b->shape[0] != K || c->shape[0] != M || c->shape[1] != N)
        return luaL_error(L, "blas_sgemm: shapes do not fit");
    openblas_set_num_threads(llm_get_threads());
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, tensor_f32(a), K, tensor_f32(b), N, 0.0f,
                tensor_f32(c), N);
    tensor_bump_version(c);
    return 0;
}

static const luaL_Reg bench_funcs[] = {
    {"now", llm_lua_now},
    {"cpu_time", l_cpu_time},
    {"peak_rss_mb", l_peak_rss_mb},
    {"blas_sgemm", l_blas_sgemm},
    {NULL, NULL},
};

void l_bench_register(lua_State *L) { luaL_setfuncs(L, bench_funcs, 0); }
