/*
 * sandbox.c: limited Lua states for untrusted code (see sandbox.h).
 *
 * Two layers of protection:
 *  1. In the sandbox state itself: only safe libraries, a counting
 *     allocator with a cap, and a count hook that checks the clock and the
 *     instruction budget. Once a limit trips, the hook fires on every
 *     instruction and call and raises again, so a pcall that swallows the
 *     limit error gains nothing; the final status comes from the trip flag,
 *     not from whatever the code did afterwards.
 *  2. Around it (fork = true, the default): a child process with
 *     RLIMIT_CPU and RLIMIT_AS, a SIGALRM that trips the limit and the
 *     engine's interrupt flag, and a SIGKILL from the parent at the deadline
 *     for code stuck inside C (a backtracking pattern) where no hook runs.
 *     The child sends its result back over a pipe and _exits.
 *
 * Values cross the boundary only as plain data, serialised by sb_ser with
 * raw access (no metamethods run) and rebuilt by sb_deser.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <lualib.h>
#include "app.h"
#include "core.h"
#include "lua_llm.h"
#include "sandbox.h"

#define SB_META "llm.sandbox.run"
#define SB_HOOK_COUNT 1000                 /* instructions between clock checks */
#define SB_OUTPUT_CAP (1u << 20)           /* captured print output */
#define SB_VALUE_CAP (32u << 20)           /* serialised result */
#define SB_DEPTH_MAX 64                    /* nesting of result tables */
#define SB_GRACE_S 1.0                     /* parent waits this long past the deadline */

enum sb_trip { SB_TRIP_NONE, SB_TRIP_TIME, SB_TRIP_INSTR, SB_TRIP_MEMORY };
enum sb_status { SB_OK, SB_ERROR, SB_TIMEOUT, SB_MEMORY, SB_CRASH };
static const char *const sb_status_names[] = {"ok", "error", "timeout", "memory", "crash"};

typedef struct sb_buf {
    char *data;
    size_t len, cap;
} sb_buf;

/* One run: limits, the sandbox state, and what comes back. Lives as a
 * userdata in the caller's state, so its buffers are freed by __gc even if
 * building the result raises a Lua error. */
typedef struct sb_run {
    /* limits */
    double time_s;
    size_t mem_limit;
    long long instr_limit;
    int live;
    char label[128];
    /* what to run */
    char *driver;           /* module name, or NULL */
    sb_buf code;            /* chunk source when driver is NULL */
    sb_buf args;            /* serialised argument */
    /* the sandbox */
    lua_State *L;
    size_t mem_used;
    volatile sig_atomic_t tripped;
    long long instr_count;
    double start;
    int running;            /* the driver has been called */
    /* results */
    int status;
    char message[2048];
    sb_buf out;
    int out_truncated;
    sb_buf value;
    double elapsed;
} sb_run;

static sb_run *sb_active; /* the run a SIGALRM in a child refers to */

/* ------------------------------------------------------------ buffers */

static int buf_add(sb_buf *b, const void *p, size_t n, size_t cap)
{
    if (b->len + n > cap) return -1;
    if (b->len + n > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->len + n) nc *= 2;
        char *d = realloc(b->data, nc);
        if (!d) return -1;
        b->data = d;
        b->cap = nc;
    }
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

static void buf_free(sb_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------ limits */

static void limit_message(sb_run *r, char *out, size_t n)
{
    switch (r->tripped) {
    case SB_TRIP_TIME:
        snprintf(out, n, "time limit of %g s exceeded in %s", r->time_s, r->label);
        break;
    case SB_TRIP_INSTR:
        snprintf(out, n, "instruction limit of %lld exceeded in %s", r->instr_limit, r->label);
        break;
    case SB_TRIP_MEMORY:
        snprintf(out, n, "memory limit of %g MB exceeded in %s", (double)r->mem_limit / (1 << 20), r->label);
        break;
    default:
        snprintf(out, n, "limit exceeded in %s", r->label);
    }
}

static void tripped_hook(lua_State *L, lua_Debug *ar);

/* Mark a limit as exceeded and make the hook raise on every instruction
 * and call from now on. lua_sethook may be called from a signal handler. */
static void sb_trip(sb_run *r, int kind)
{
    if (!r->tripped) r->tripped = kind;
    if (r->L && r->running)
        lua_sethook(r->L, tripped_hook, LUA_MASKCOUNT | LUA_MASKCALL | LUA_MASKLINE, 1);
}

static sb_run *run_of(lua_State *L)
{
    return *(sb_run **)lua_getextraspace(L);
}

static void tripped_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    char msg[256];
    limit_message(run_of(L), msg, sizeof msg);
    luaL_error(L, "%s", msg);
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    sb_run *r = run_of(L);
    r->instr_count += SB_HOOK_COUNT;
    if (r->instr_limit > 0 && r->instr_count > r->instr_limit) sb_trip(r, SB_TRIP_INSTR);
    else if (now_s() - r->start > r->time_s) sb_trip(r, SB_TRIP_TIME);
    if (r->tripped) tripped_hook(L, ar);
}

/* The counting allocator: refuses growth past the cap (Lua then raises a
 * memory error, and the trip makes sure a pcall cannot swallow it). */
static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    sb_run *r = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        r->mem_used -= old;
        return NULL;
    }
    if (nsize > old && r->mem_used - old + nsize > r->mem_limit) {
        sb_trip(r, SB_TRIP_MEMORY);
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (!p) {
        if (nsize > old) sb_trip(r, SB_TRIP_MEMORY); /* the address-space limit */
        return NULL;
    }
    r->mem_used = r->mem_used - old + nsize;
    return p;
}

static void on_alarm(int sig)
{
    (void)sig;
    llm_interrupt();
    if (sb_active) sb_trip(sb_active, SB_TRIP_TIME);
}

/* ------------------------------------------------------------ plain data */

enum { T_NIL = 'n', T_FALSE = 'f', T_TRUE = 't', T_INT = 'i', T_NUM = 'd', T_STR = 's',
       T_TABLE = '{', T_END = '}' };

/* Serialise the value at idx with raw access. Functions, userdata and
 * threads become a short description string. Returns 0 or -1 (too deep,
 * too large, out of memory). */
static int sb_ser(lua_State *L, int idx, sb_buf *b, int depth)
{
    idx = lua_absindex(L, idx);
    char tag;
    switch (lua_type(L, idx)) {
    case LUA_TNIL: tag = T_NIL; return buf_add(b, &tag, 1, SB_VALUE_CAP);
    case LUA_TBOOLEAN:
        tag = lua_toboolean(L, idx) ? T_TRUE : T_FALSE;
        return buf_add(b, &tag, 1, SB_VALUE_CAP);
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            lua_Integer i = lua_tointeger(L, idx);
            tag = T_INT;
            if (buf_add(b, &tag, 1, SB_VALUE_CAP)) return -1;
            return buf_add(b, &i, sizeof i, SB_VALUE_CAP);
        } else {
            lua_Number d = lua_tonumber(L, idx);
            tag = T_NUM;
            if (buf_add(b, &tag, 1, SB_VALUE_CAP)) return -1;
            return buf_add(b, &d, sizeof d, SB_VALUE_CAP);
        }
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, idx, &n);
        uint64_t len = n;
        tag = T_STR;
        if (buf_add(b, &tag, 1, SB_VALUE_CAP) || buf_add(b, &len, sizeof len, SB_VALUE_CAP)) return -1;
        return buf_add(b, s, n, SB_VALUE_CAP);
    }
    case LUA_TTABLE:
        if (depth >= SB_DEPTH_MAX || !lua_checkstack(L, 3)) return -1;
        tag = T_TABLE;
        if (buf_add(b, &tag, 1, SB_VALUE_CAP)) return -1;
        lua_pushnil(L);
        while (lua_next(L, idx)) {
            if (sb_ser(L, -2, b, depth + 1) || sb_ser(L, -1, b, depth + 1)) {
                lua_pop(L, 2);
                return -1;
            }
            lua_pop(L, 1);
        }
        tag = T_END;
        return buf_add(b, &tag, 1, SB_VALUE_CAP);
    default: {
        char desc[64];
        snprintf(desc, sizeof desc, "<%s>", luaL_typename(L, idx));
        uint64_t len = strlen(desc);
        tag = T_STR;
        if (buf_add(b, &tag, 1, SB_VALUE_CAP) || buf_add(b, &len, sizeof len, SB_VALUE_CAP)) return -1;
        return buf_add(b, desc, (size_t)len, SB_VALUE_CAP);
    }
    }
}

/* Push the value serialised at *p; returns 0 or -1 on malformed data. May
 * raise a Lua memory error (callers own the buffer through a userdata). */
static int sb_deser(lua_State *L, const char **p, const char *end, int depth)
{
    if (*p >= end || depth > SB_DEPTH_MAX || !lua_checkstack(L, 3)) return -1;
    char tag = *(*p)++;
    switch (tag) {
    case T_NIL: lua_pushnil(L); return 0;
    case T_FALSE: lua_pushboolean(L, 0); return 0;
    case T_TRUE: lua_pushboolean(L, 1); return 0;
    case T_INT: {
        lua_Integer i;
        if ((size_t)(end - *p) < sizeof i) return -1;
        memcpy(&i, *p, sizeof i);
        *p += sizeof i;
        lua_pushinteger(L, i);
        return 0;
    }
    case T_NUM: {
        lua_Number d;
        if ((size_t)(end - *p) < sizeof d) return -1;
        memcpy(&d, *p, sizeof d);
        *p += sizeof d;
        lua_pushnumber(L, d);
        return 0;
    }
    case T_STR: {
        uint64_t n;
        if ((size_t)(end - *p) < sizeof n) return -1;
        memcpy(&n, *p, sizeof n);
        *p += sizeof n;
        if (n > (uint64_t)(end - *p)) return -1;
        lua_pushlstring(L, *p, (size_t)n);
        *p += n;
        return 0;
    }
    case T_TABLE:
        lua_newtable(L);
        for (;;) {
            if (*p >= end) return -1;
            if (**p == T_END) {
                (*p)++;
                return 0;
            }
            if (sb_deser(L, p, end, depth + 1) || sb_deser(L, p, end, depth + 1)) return -1;
            if (lua_isnil(L, -2) || (lua_type(L, -2) == LUA_TNUMBER && lua_tonumber(L, -2) != lua_tonumber(L, -2)))
                lua_pop(L, 2);
            else
                lua_rawset(L, -3);
        }
    default:
        return -1;
    }
}

/* ------------------------------------------------------------ the safe library */

static int sb_print(lua_State *L)
{
    sb_run *r = run_of(L);
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s = luaL_tolstring(L, i, &len);
        if (i > 1) {
            if (r->live) (void)!write(1, "\t", 1);
            if (!r->out_truncated && buf_add(&r->out, "\t", 1, SB_OUTPUT_CAP)) r->out_truncated = 1;
        }
        if (r->live) (void)!write(1, s, len);
        if (!r->out_truncated && buf_add(&r->out, s, len, SB_OUTPUT_CAP)) r->out_truncated = 1;
        lua_pop(L, 1);
    }
    if (r->live) (void)!write(1, "\n", 1);
    if (!r->out_truncated && buf_add(&r->out, "\n", 1, SB_OUTPUT_CAP)) r->out_truncated = 1;
    return 0;
}

/* load, forced to text mode (no precompiled chunks). */
static int sb_load(lua_State *L)
{
    int n = lua_gettop(L);
    int has_env = n >= 4;
    lua_settop(L, 4);
    n = 4;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushliteral(L, "t");
    if (has_env) lua_pushvalue(L, 4);
    lua_call(L, has_env ? 4 : 3, LUA_MULTRET);
    return lua_gettop(L) - n;
}

/* setmetatable without __gc: finalizers run with hooks off, so a looping
 * one could not be stopped. */
static int sb_setmetatable(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL) return luaL_error(L, "__gc metamethods are not allowed in the sandbox");
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* xpcall whose message handler never runs student code once a limit has
 * tripped: an error raised by the hook reaches the handler with hooks off,
 * so a looping handler could not be stopped. */
static int sb_msgh(lua_State *L)
{
    if (run_of(L)->tripped) return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int sb_xpcall(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    luaL_checkstack(L, n + 3, "too many arguments");
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, sb_msgh, 1);
    for (int i = 3; i <= n; i++) lua_pushvalue(L, i);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L) - n;
}

static int sb_collectgarbage(lua_State *L)
{
    static const char *const allowed[] = {"collect", "count", "step", "isrunning", NULL};
    luaL_checkoption(L, 1, "collect", allowed);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* package searcher for Lua files of the project, text only. */
static int sb_searcher(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "searchpath");
    lua_pushstring(L, name);
    lua_getfield(L, -3, "path");
    lua_call(L, 2, 2);
    if (lua_isnil(L, -2)) return 1; /* the message of searchpath */
    const char *file = lua_tostring(L, -2);
    if (luaL_loadfilex(L, file, "t") != LUA_OK)
        return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s", name, file, lua_tostring(L, -1));
    lua_pushstring(L, file);
    return 2;
}

static void set_nil(lua_State *L, int t, const char *field)
{
    lua_pushnil(L);
    lua_setfield(L, t, field);
}

/* Wrap the global function `name` with the C function f (old one as upvalue). */
static void wrap_global(lua_State *L, const char *name, lua_CFunction f)
{
    lua_getglobal(L, name);
    lua_pushcclosure(L, f, 1);
    lua_setglobal(L, name);
}

/* Open the safe libraries and `llm` in the sandbox state (protected). */
static void sb_setup(lua_State *L)
{
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base}, {LUA_LOADLIBNAME, luaopen_package}, {LUA_COLIBNAME, luaopen_coroutine},
        {LUA_TABLIBNAME, luaopen_table}, {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8}, {LUA_OSLIBNAME, luaopen_os}, {NULL, NULL}};
    for (const luaL_Reg *l = libs; l->func; l++) {
        luaL_requiref(L, l->name, l->func, 1);
        lua_pop(L, 1);
    }
    /* base */
    lua_pushglobaltable(L);
    int g = lua_gettop(L);
    set_nil(L, g, "dofile");
    set_nil(L, g, "loadfile");
    lua_pushcfunction(L, sb_print);
    lua_setfield(L, g, "print");
    wrap_global(L, "load", sb_load);
    wrap_global(L, "setmetatable", sb_setmetatable);
    wrap_global(L, "collectgarbage", sb_collectgarbage);
    wrap_global(L, "xpcall", sb_xpcall);
    /* string: no dump; the string metatable is hidden so code cannot
     * reach the shared string library through getmetatable("") */
    lua_getglobal(L, "string");
    set_nil(L, lua_gettop(L), "dump");
    lua_pop(L, 1);
    lua_pushliteral(L, "");
    if (lua_getmetatable(L, -1)) {
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    /* os: only the clock and dates */
    lua_getglobal(L, "os");
    int os = lua_gettop(L);
    static const char *const os_unsafe[] = {"execute", "exit", "getenv", "remove", "rename",
                                            "tmpname", "setlocale", NULL};
    for (const char *const *n = os_unsafe; *n; n++) set_nil(L, os, *n);
    lua_pop(L, 1);
    /* read-only io over the corpora, and os.getenv for their location */
    sandbox_open_readonly_io(L);
    /* package: Lua files from the project only, as text; no C modules */
    const char *home = app_home();
    llm_lua_setup(L, home);
    lua_getglobal(L, "package");
    int pkg = lua_gettop(L);
    set_nil(L, pkg, "loadlib");
    lua_pushliteral(L, "");
    lua_setfield(L, pkg, "cpath");
    lua_pushfstring(L, "%s/lua/?.lua;%s/lua/?/init.lua", home, home);
    lua_setfield(L, pkg, "path");
    lua_getfield(L, pkg, "searchers");
    lua_rawgeti(L, -1, 1); /* the preload searcher */
    lua_newtable(L);
    lua_insert(L, -2);
    lua_rawseti(L, -2, 1);
    lua_pushcfunction(L, sb_searcher);
    lua_rawseti(L, -2, 2);
    lua_setfield(L, pkg, "searchers");
    lua_pop(L, 1); /* old searchers */
    lua_pop(L, 1); /* package */
    /* llm */
    lua_getglobal(L, "require");
    lua_pushliteral(L, "llm");
    lua_call(L, 1, 1);
    lua_setglobal(L, "llm");
    lua_pop(L, 1); /* globals */
}

/* Everything that happens in the sandbox state, protected. */
static int sb_main(lua_State *L)
{
    sb_run *r = lua_touserdata(L, 1);
    lua_settop(L, 0);
    sb_setup(L);
    if (r->driver) {
        lua_getglobal(L, "require");
        lua_pushstring(L, r->driver);
        lua_call(L, 1, 1);
        if (!lua_isfunction(L, -1)) return luaL_error(L, "driver module '%s' does not return a function", r->driver);
    } else if (luaL_loadbufferx(L, r->code.data ? r->code.data : "", r->code.len, "=driver", "t") != LUA_OK) {
        return lua_error(L);
    }
    const char *p = r->args.data, *end = p + r->args.len;
    if (r->args.len == 0) lua_pushnil(L);
    else if (sb_deser(L, &p, end, 0)) return luaL_error(L, "malformed sandbox arguments");
    r->start = now_s();
    r->running = 1;
    lua_sethook(L, count_hook, LUA_MASKCOUNT, SB_HOOK_COUNT);
    lua_call(L, 1, 1);
    r->elapsed = now_s() - r->start;
    if (r->tripped) return 0;
    if (sb_ser(L, -1, &r->value, 0)) {
        r->value.len = 0;
        return luaL_error(L, "the result is too large or nested too deeply to return");
    }
    return 0;
}

/* Run the driver in a fresh sandbox state; fill status/message/out/value. */
static void sb_execute(sb_run *r)
{
    r->L = lua_newstate(sb_alloc, r);
    if (!r->L) {
        r->status = SB_MEMORY;
        snprintf(r->message, sizeof r->message, "cannot create a sandbox state: memory limit too low");
        return;
    }
    *(sb_run **)lua_getextraspace(r->L) = r;
    lua_pushcfunction(r->L, sb_main);
    lua_pushlightuserdata(r->L, r);
    int st = lua_pcall(r->L, 1, 0, 0);
    if (r->elapsed == 0 && r->running) r->elapsed = now_s() - r->start;
    if (r->tripped) {
        r->status = r->tripped == SB_TRIP_MEMORY ? SB_MEMORY : SB_TIMEOUT;
        limit_message(r, r->message, sizeof r->message);
        r->value.len = 0;
    } else if (st != LUA_OK) {
        r->status = SB_ERROR;
        const char *msg = lua_type(r->L, -1) == LUA_TSTRING ? lua_tostring(r->L, -1) : NULL;
        char other[64];
        if (!msg) {
            snprintf(other, sizeof other, "(error object is a %s value)", luaL_typename(r->L, -1));
            msg = other;
        }
        if (strstr(msg, "stack overflow"))
            snprintf(r->message, sizeof r->message, "stack overflow (recursion too deep?) in %s: %s", r->label, msg);
        else if (!r->running)
            snprintf(r->message, sizeof r->message, "cannot start the sandbox for %s: %s", r->label, msg);
        else
            snprintf(r->message, sizeof r->message, "%s", msg);
        r->value.len = 0;
    } else {
        r->status = SB_OK;
    }
}

static void sb_close_state(sb_run *r)
{
    if (r->L) {
        lua_sethook(r->L, NULL, 0, 0);
        lua_close(r->L);
        r->L = NULL;
    }
}

/* ------------------------------------------------------------ fork */

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int write_field(int fd, const void *p, size_t n)
{
    uint64_t len = n;
    return write_all(fd, &len, sizeof len) || write_all(fd, p, n);
}

static void set_limit(int resource, rlim_t soft, rlim_t hard)
{
    struct rlimit rl;
    if (getrlimit(resource, &rl) == 0) {
        if (rl.rlim_max != RLIM_INFINITY && hard > rl.rlim_max) hard = rl.rlim_max;
        if (soft > hard) soft = hard;
    }
    rl.rlim_cur = soft;
    rl.rlim_max = hard;
    (void)setrlimit(resource, &rl);
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
static size_t current_vm_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1) pages = 0;
        fclose(f);
    }
    return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}
#endif

static void child_main(sb_run *r, int fd)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) {
        dup2(devnull, 0);
        close(devnull);
    }
    /* Other inherited descriptors stay open: a caller may hand the child a
     * descriptor on purpose (the UI's step worker passes its event pipe to
     * llm.plot as fd 3); the child never writes to them otherwise and exits
     * right after sending its result. */
    rlim_t cpu = (rlim_t)ceil(r->time_s) + 1;
    set_limit(RLIMIT_CPU, cpu, cpu + 1);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    size_t vm = current_vm_bytes();
    if (vm > 0) {
        /* room for the Lua heap, C allocations of the same order, and the
         * per-thread stacks and buffers OpenBLAS/OpenMP map in the child */
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        size_t extra = r->mem_limit * 2 + ((size_t)512 << 20) + (size_t)(ncpu > 0 ? ncpu : 1) * ((size_t)64 << 20);
        set_limit(RLIMIT_AS, (rlim_t)(vm + extra), (rlim_t)(vm + extra));
    }
#endif
    sb_active = r;
    signal(SIGALRM, on_alarm);
    struct itimerval it = {{0, 0}, {(time_t)r->time_s, (suseconds_t)((r->time_s - floor(r->time_s)) * 1e6)}};
    if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0) it.it_value.tv_usec = 1000;
    setitimer(ITIMER_REAL, &it, NULL);
    sb_execute(r);
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    char head[8] = {'S', 'B', 'R', '1', (char)r->status, r->out_truncated ? 1 : 0, 0, 0};
    int bad = write_all(fd, head, sizeof head) || write_all(fd, &r->elapsed, sizeof r->elapsed) ||
              write_field(fd, r->message, strlen(r->message)) || write_field(fd, r->out.data, r->out.len) ||
              write_field(fd, r->value.data, r->value.len);
    _exit(bad ? 3 : 0);
}

/* Read a length-prefixed field from the child's frame. */
static int take_field(const char **p, const char *end, const char **data, size_t *n)
{
    uint64_t len;
    if ((size_t)(end - *p) < sizeof len) return -1;
    memcpy(&len, *p, sizeof len);
    *p += sizeof len;
    if (len > (uint64_t)(end - *p)) return -1;
    *data = *p;
    *n = (size_t)len;
    *p += len;
    return 0;
}

static void sb_fork(lua_State *caller, sb_run *r)
{
    int fds[2];
    fflush(stdout);
    fflush(stderr);
    if (pipe(fds) != 0) {
        r->status = SB_CRASH;
        snprintf(r->message, sizeof r->message, "cannot create a pipe for the sandbox: %s", strerror(errno));
        return;
    }
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        r->status = SB_CRASH;
        snprintf(r->message, sizeof r->message, "cannot fork the sandbox: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        child_main(r, fds[1]);
    }
    close(fds[1]);
    /* Collect the frame until EOF or the deadline. The frame goes into
     * r->value (freed by __gc), then is split up. */
    sb_buf frame = {0};
    int killed = 0, interrupted = 0, too_big = 0;
    double deadline = t0 + r->time_s + SB_GRACE_S;
    for (;;) {
        double left = deadline - now_s();
        if (left <= 0) {
            kill(pid, SIGKILL);
            killed = 1;
            break;
        }
        struct pollfd pfd = {fds[0], POLLIN, 0};
        int pr = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (pr < 0) {
            if (errno == EINTR) {
                if (llm_interrupted()) {
                    kill(pid, SIGKILL);
                    interrupted = 1;
                    break;
                }
                continue;
            }
            kill(pid, SIGKILL);
            break;
        }
        if (pr == 0) continue;
        char chunk[65536];
        ssize_t got = read(fds[0], chunk, sizeof chunk);
        if (got < 0) {
            if (errno == EINTR) continue;
            kill(pid, SIGKILL);
            break;
        }
        if (got == 0) break;
        if (buf_add(&frame, chunk, (size_t)got, SB_VALUE_CAP + SB_OUTPUT_CAP + 8192)) {
            kill(pid, SIGKILL);
            too_big = 1;
            break;
        }
    }
    close(fds[0]);
    int wst = 0;
    while (waitpid(pid, &wst, 0) < 0 && errno == EINTR) {}
    r->elapsed = now_s() - t0;
    /* Hand the frame to the run so __gc frees it whatever happens next. */
    buf_free(&r->value);
    r->value = frame;
    const char *p = frame.data, *end = frame.data + frame.len;
    int complete = !killed && !interrupted && !too_big && WIFEXITED(wst) && WEXITSTATUS(wst) == 0 &&
                   frame.len >= 8 + sizeof(double) && memcmp(p, "SBR1", 4) == 0;
    if (complete) {
        int status = (unsigned char)p[4];
        r->out_truncated = p[5];
        p += 8;
        double el;
        memcpy(&el, p, sizeof el);
        p += sizeof el;
        const char *msg, *out, *val;
        size_t nmsg, nout, nval;
        if (status <= SB_CRASH && !take_field(&p, end, &msg, &nmsg) && !take_field(&p, end, &out, &nout) &&
            !take_field(&p, end, &val, &nval)) {
            r->status = status;
            r->elapsed = el;
            snprintf(r->message, sizeof r->message, "%.*s", (int)(nmsg < 2000 ? nmsg : 2000), msg);
            sb_buf o = {0};
            if (buf_add(&o, out, nout, SB_OUTPUT_CAP + 1) == 0) {
                buf_free(&r->out);
                r->out = o;
            }
            memmove(r->value.data, val, nval);
            r->value.len = nval;
            return;
        }
    }
    r->value.len = 0;
    if (interrupted) {
        r->status = SB_CRASH;
        snprintf(r->message, sizeof r->message, "interrupted in %s", r->label);
    } else if (killed || (WIFSIGNALED(wst) && (WTERMSIG(wst) == SIGXCPU || WTERMSIG(wst) == SIGKILL))) {
        r->status = SB_TIMEOUT;
        r->tripped = SB_TRIP_TIME;
        limit_message(r, r->message, sizeof r->message);
    } else if (too_big) {
        r->status = SB_ERROR;
        snprintf(r->message, sizeof r->message, "the result of %s is too large", r->label);
    } else if (WIFSIGNALED(wst)) {
        r->status = SB_CRASH;
        snprintf(r->message, sizeof r->message, "the code crashed in %s (signal %d, %s)", r->label,
                 WTERMSIG(wst), strsignal(WTERMSIG(wst)));
    } else {
        r->status = SB_CRASH;
        snprintf(r->message, sizeof r->message, "the sandbox for %s ended without a result (exit status %d)",
                 r->label, WIFEXITED(wst) ? WEXITSTATUS(wst) : -1);
    }
    (void)caller;
}

/* ------------------------------------------------------------ Lua API */

static int run_gc(lua_State *L)
{
    sb_run *r = luaL_checkudata(L, 1, SB_META);
    sb_close_state(r);
    buf_free(&r->code);
    buf_free(&r->args);
    buf_free(&r->out);
    buf_free(&r->value);
    free(r->driver);
    r->driver = NULL;
    return 0;
}

static double opt_number_field(lua_State *L, int t, const char *k, double def)
{
    lua_getfield(L, t, k);
    double v = lua_isnil(L, -1) ? def : luaL_checknumber(L, -1);
    lua_pop(L, 1);
    return v;
}

/* sandbox.run(opts) -> result table (see sandbox.h) */
static int l_run(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    sb_run *r = lua_newuserdatauv(L, sizeof *r, 0);
    memset(r, 0, sizeof *r);
    luaL_setmetatable(L, SB_META);
    int ud = lua_gettop(L);

    r->time_s = opt_number_field(L, 1, "time", 10);
    double mem = opt_number_field(L, 1, "memory", 256.0 * (1 << 20));
    double instr = opt_number_field(L, 1, "instructions", 0);
    luaL_argcheck(L, r->time_s > 0 && r->time_s <= 86400, 1, "time must be between 0 and 86400 seconds");
    luaL_argcheck(L, mem >= 1 << 20 && mem <= 1e12, 1, "memory must be between 1 MB and 1 TB");
    luaL_argcheck(L, instr >= 0, 1, "instructions must not be negative");
    r->mem_limit = (size_t)mem;
    r->instr_limit = (long long)instr;
    lua_getfield(L, 1, "label");
    snprintf(r->label, sizeof r->label, "%s", lua_isnil(L, -1) ? "the sandbox" : luaL_checkstring(L, -1));
    lua_pop(L, 1);
    lua_getfield(L, 1, "live");
    r->live = lua_toboolean(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, 1, "fork");
    int use_fork = lua_isnil(L, -1) ? 1 : lua_toboolean(L, -1);
    lua_pop(L, 1);

    lua_getfield(L, 1, "driver");
    if (!lua_isnil(L, -1)) {
        const char *d = luaL_checkstring(L, -1);
        r->driver = strdup(d);
        if (!r->driver) return luaL_error(L, "sandbox.run: out of memory");
    }
    lua_pop(L, 1);
    lua_getfield(L, 1, "code");
    if (!lua_isnil(L, -1)) {
        size_t n;
        const char *c = luaL_checklstring(L, -1, &n);
        if (buf_add(&r->code, c, n, (size_t)-1)) return luaL_error(L, "sandbox.run: out of memory");
    }
    lua_pop(L, 1);
    if (!r->driver && !r->code.data) return luaL_error(L, "sandbox.run: give a driver module name or code");
    lua_getfield(L, 1, "args");
    if (sb_ser(L, -1, &r->args, 0)) return luaL_error(L, "sandbox.run: args must be plain data (too deep or too large)");
    lua_pop(L, 1);

    if (use_fork) {
        sb_fork(L, r);
    } else {
        sb_execute(r);
        sb_close_state(r);
    }
    if (llm_interrupted() && r->status == SB_CRASH) return luaL_error(L, "interrupted!");

    lua_createtable(L, 0, 6);
    lua_pushstring(L, sb_status_names[r->status]);
    lua_setfield(L, -2, "status");
    if (r->message[0]) {
        lua_pushstring(L, r->message);
        lua_setfield(L, -2, "message");
    }
    lua_pushlstring(L, r->out.data ? r->out.data : "", r->out.len);
    if (r->out_truncated) {
        lua_pushliteral(L, "\n... (output truncated)\n");
        lua_concat(L, 2);
    }
    lua_setfield(L, -2, "output");
    lua_pushnumber(L, r->elapsed);
    lua_setfield(L, -2, "elapsed");
    if (r->status == SB_OK && r->value.len > 0) {
        const char *p = r->value.data;
        if (sb_deser(L, &p, p + r->value.len, 0)) return luaL_error(L, "sandbox.run: malformed result from the sandbox");
        lua_setfield(L, -2, "value");
    }
    (void)ud;
    return 1;
}

static const luaL_Reg sandbox_funcs[] = {
    {"run", l_run},
    {NULL, NULL},
};

int luaopen_llm_sandbox(lua_State *L)
{
    if (luaL_newmetatable(L, SB_META)) {
        lua_pushcfunction(L, run_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, run_gc);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
    luaL_newlib(L, sandbox_funcs);
    return 1;
}

void sandbox_preload(lua_State *L)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_llm_sandbox);
    lua_setfield(L, -2, "llm.sandbox");
    lua_pushcfunction(L, luaopen_llm_fs);
    lua_setfield(L, -2, "llm.fs");
    lua_pop(L, 1);
}
