/*
 * l_store.c: the thin Lua binding of store.c, preloaded as `llm.store_c`.
 * One method per store function, argument checks, rows as Lua tables keyed
 * by column name; errors become Lua errors carrying store.c's message. The
 * friendly API students and the lab/quiz runners use is lua/llm/store.lua.
 *
 * Rows are pushed inside lua_pcall, so an out-of-memory error while building
 * them cannot jump over the SQLite statement that store.c must finalize.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lauxlib.h>
#include "l_store.h"
#include "sha256.h"
#include "store.h"

#define STORE_MT "llm.store"

typedef struct lstore {
    store *st;
} lstore;

static store *check_store(lua_State *L)
{
    lstore *u = luaL_checkudata(L, 1, STORE_MT);
    if (!u->st) luaL_error(L, "store: the database is closed");
    return u->st;
}

/* Raise store.c's message as it is: it already names the operation. */
static void check(lua_State *L, llm_status rc)
{
    if (rc != LLM_OK) {
        lua_pushstring(L, llm_last_error());
        lua_error(L);
    }
}

/* ---- rows ---------------------------------------------------------------- */

static void push_value(lua_State *L, const store_row *r, int c)
{
    switch (r->types[c]) {
    case SQLITE_INTEGER: lua_pushinteger(L, (lua_Integer)r->ints[c]); break;
    case SQLITE_FLOAT: lua_pushnumber(L, r->reals[c]); break;
    case SQLITE_NULL: lua_pushnil(L); break;
    default: lua_pushstring(L, r->values[c]); break;
    }
}

/* (row, table, index): table[index] = {col = value, ...} */
static int push_row_protected(lua_State *L)
{
    const store_row *r = lua_touserdata(L, 1);
    lua_createtable(L, 0, r->ncol);
    for (int c = 0; c < r->ncol; c++) {
        push_value(L, r, c);
        lua_setfield(L, -2, r->names[c]);
    }
    lua_rawseti(L, 2, lua_tointeger(L, 3));
    return 0;
}

typedef struct collect {
    lua_State *L;
    int table;
    lua_Integer n;
    int failed;
} collect;

static int collect_row(void *ud, const store_row *row)
{
    collect *c = ud;
    lua_State *L = c->L;
    if (!lua_checkstack(L, 8)) {
        c->failed = 1;
        lua_pushliteral(L, "store: out of Lua stack");
        return 1;
    }
    lua_pushcfunction(L, push_row_protected);
    lua_pushlightuserdata(L, (void *)row);
    lua_pushvalue(L, c->table);
    lua_pushinteger(L, ++c->n);
    if (lua_pcall(L, 3, 0, 0) != LUA_OK) {
        c->failed = 1; /* the error message stays on the stack */
        return 1;
    }
    return 0;
}

/* Call a store query and leave an array of row tables on the stack. */
#define COLLECT(L, call_with_fn_ud)                                                                              \
    do {                                                                                                         \
        lua_newtable(L);                                                                                         \
        collect c_ = {L, lua_gettop(L), 0, 0};                                                                   \
        store_row_fn fn = collect_row;                                                                           \
        void *ud = &c_;                                                                                          \
        llm_status rc_ = (call_with_fn_ud);                                                                      \
        if (c_.failed) return lua_error(L);                                                                      \
        check(L, rc_);                                                                                           \
    } while (0)

/* Leave the first row (or nil) of an array built by COLLECT. */
static int first_row(lua_State *L)
{
    lua_rawgeti(L, -1, 1);
    return 1;
}

/* Methods (self, id) that run one store query on the integer id: ID_LIST
 * returns all its rows, ID_ROW the first row or nil. `call` names st, id,
 * fn and ud. */
#define ID_LIST(name, call)                                                                                      \
    static int name(lua_State *L)                                                                                \
    {                                                                                                            \
        store *st = check_store(L);                                                                              \
        lua_Integer id = luaL_checkinteger(L, 2);                                                                \
        COLLECT(L, call);                                                                                        \
        return 1;                                                                                                \
    }
#define ID_ROW(name, call)                                                                                       \
    ID_LIST(name##_rows, call)                                                                                   \
    static int name(lua_State *L)                                                                                \
    {                                                                                                            \
        name##_rows(L);                                                                                          \
        return first_row(L);                                                                                     \
    }

static int check_week(lua_State *L, int arg)
{
    lua_Integer w = luaL_checkinteger(L, arg);
    luaL_argcheck(L, w >= 0 && w <= 1000, arg, "week must be between 0 and 1000");
    return (int)w;
}

/* ---- opening ------------------------------------------------------------- */

static int l_open(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    lua_Integer version = luaL_optinteger(L, 2, STORE_SCHEMA_VERSION);
    lstore *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->st = NULL;
    luaL_setmetatable(L, STORE_MT);
    check(L, store_open_version(path, (int)version, &u->st));
    return 1;
}

static int l_close(lua_State *L)
{
    lstore *u = luaL_checkudata(L, 1, STORE_MT);
    store_close(u->st);
    u->st = NULL;
    return 0;
}

static int l_tostring(lua_State *L)
{
    lstore *u = luaL_checkudata(L, 1, STORE_MT);
    if (u->st) lua_pushfstring(L, "llm.store (%s)", store_path(u->st));
    else lua_pushliteral(L, "llm.store (closed)");
    return 1;
}

static int l_path(lua_State *L)
{
    lua_pushstring(L, store_path(check_store(L)));
    return 1;
}

static int l_schema_version(lua_State *L)
{
    lua_pushinteger(L, store_schema_version(check_store(L)));
    return 1;
}

static int l_begin(lua_State *L) { check(L, store_begin(check_store(L))); return 0; }
static int l_commit(lua_State *L) { check(L, store_commit(check_store(L))); return 0; }
static int l_rollback(lua_State *L) { store_rollback(check_store(L)); return 0; }
static int l_tx_depth(lua_State *L) { lua_pushinteger(L, store_tx_depth(check_store(L))); return 1; }

/* ---- checklist, settings --------------------------------------------------- */

static int l_item_set(lua_State *L)
{
    store *st = check_store(L);
    check(L, store_item_set(st, luaL_checkstring(L, 2), lua_toboolean(L, 3), luaL_optstring(L, 4, NULL)));
    return 0;
}

static int l_item_get(lua_State *L)
{
    int done;
    check(L, store_item_get(check_store(L), luaL_checkstring(L, 2), &done));
    lua_pushboolean(L, done);
    return 1;
}

static int l_items(lua_State *L)
{
    store *st = check_store(L);
    COLLECT(L, store_items_each(st, fn, ud));
    return 1;
}

static int l_setting_get(lua_State *L)
{
    const char *v;
    check(L, store_setting_get(check_store(L), luaL_checkstring(L, 2), &v));
    if (v) lua_pushstring(L, v);
    else lua_pushnil(L);
    return 1;
}

static int l_setting_set(lua_State *L)
{
    store *st = check_store(L);
    check(L, store_setting_set(st, luaL_checkstring(L, 2), luaL_optstring(L, 3, NULL)));
    return 0;
}

/* ---- labs ------------------------------------------------------------------ */

static int l_lab_attempt_start(lua_State *L)
{
    store *st = check_store(L);
    int64_t id;
    check(L, store_lab_attempt_start(st, luaL_checkstring(L, 2), luaL_optstring(L, 3, "student"),
                                     luaL_optstring(L, 4, NULL), &id));
    lua_pushinteger(L, id);
    return 1;
}

static const char *opt_field_string(lua_State *L, int t, const char *k)
{
    lua_getfield(L, t, k);
    const char *s = NULL;
    if (!lua_isnil(L, -1)) {
        /* Only real strings: a number converted here would not stay anchored. */
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "store: field '%s' must be a string, got %s", k, luaL_typename(L, -1));
        s = lua_tostring(L, -1);
    }
    lua_pop(L, 1); /* the string stays alive in the table */
    return s;
}

static double opt_field_number(lua_State *L, int t, const char *k, double def)
{
    lua_getfield(L, t, k);
    double d = def;
    if (!lua_isnil(L, -1)) {
        if (!lua_isnumber(L, -1)) luaL_error(L, "store: field '%s' must be a number, got %s", k, luaL_typename(L, -1));
        d = lua_tonumber(L, -1);
    }
    lua_pop(L, 1);
    return d;
}

static int l_lab_step_result(lua_State *L)
{
    store *st = check_store(L);
    lua_Integer attempt = luaL_checkinteger(L, 2);
    lua_Integer step = luaL_checkinteger(L, 3);
    luaL_checktype(L, 4, LUA_TTABLE);
    luaL_argcheck(L, step >= 1 && step <= 1000000, 3, "step must be between 1 and 1000000");
    /* The strings stay anchored in the table while store.c uses them. */
    store_step r;
    r.title = opt_field_string(L, 4, "title");
    r.status = opt_field_string(L, 4, "status");
    r.points = opt_field_number(L, 4, "points", 0);
    r.max = opt_field_number(L, 4, "max", 0);
    r.message = opt_field_string(L, 4, "message");
    r.output = opt_field_string(L, 4, "output");
    check(L, store_lab_step_result(st, attempt, (int)step, &r));
    return 0;
}

static int l_lab_attempt_finish(lua_State *L)
{
    store *st = check_store(L);
    check(L, store_lab_attempt_finish(st, luaL_checkinteger(L, 2), luaL_checknumber(L, 3), luaL_checknumber(L, 4),
                                      lua_toboolean(L, 5)));
    return 0;
}

ID_ROW(l_lab_attempt, store_lab_attempt_get(st, id, fn, ud))

static int l_lab_attempts(lua_State *L)
{
    store *st = check_store(L);
    const char *lab = luaL_checkstring(L, 2);
    COLLECT(L, store_lab_attempts_each(st, lab, fn, ud));
    return 1;
}

static int l_quiz_attempts(lua_State *L)
{
    store *st = check_store(L);
    int week = check_week(L, 2);
    const char *student = luaL_checkstring(L, 3);
    COLLECT(L, store_quiz_attempts_each(st, week, student, fn, ud));
    return 1;
}

ID_LIST(l_lab_steps, store_lab_steps_each(st, id, fn, ud))

static int l_lab_best(lua_State *L)
{
    store *st = check_store(L);
    const char *lab = luaL_checkstring(L, 2);
    COLLECT(L, store_lab_best(st, lab, fn, ud));
    return first_row(L);
}

static int l_lab_hint_used(lua_State *L)
{
    store *st = check_store(L);
    lua_Integer level = luaL_checkinteger(L, 4);
    luaL_argcheck(L, level >= 1 && level <= 1000, 4, "hint level must be between 1 and 1000");
    check(L, store_lab_hint_used(st, luaL_checkstring(L, 2), luaL_checkstring(L, 3), (int)level));
    return 0;
}

static int l_lab_hint_level(lua_State *L)
{
    int level;
    check(L, store_lab_hint_level(check_store(L), luaL_checkstring(L, 2), luaL_checkstring(L, 3), &level));
    lua_pushinteger(L, level);
    return 1;
}

/* ---- quizzes --------------------------------------------------------------- */

static int l_quiz_attempt_open(lua_State *L)
{
    store *st = check_store(L);
    int64_t id;
    check(L, store_quiz_attempt_open(st, check_week(L, 2), luaL_checkstring(L, 3), &id));
    if (id) lua_pushinteger(L, id);
    else lua_pushnil(L);
    return 1;
}

static int l_quiz_attempt_start(lua_State *L)
{
    store *st = check_store(L);
    int64_t id;
    check(L, store_quiz_attempt_start(st, check_week(L, 2), luaL_checkstring(L, 3), luaL_checkinteger(L, 4), &id));
    lua_pushinteger(L, id);
    return 1;
}

ID_ROW(l_quiz_attempt, store_quiz_attempt_get(st, id, fn, ud))

static int l_quiz_answer(lua_State *L)
{
    store *st = check_store(L);
    check(L, store_quiz_answer(st, luaL_checkinteger(L, 2), luaL_checkstring(L, 3), luaL_checkstring(L, 4)));
    return 0;
}

ID_LIST(l_quiz_answers, store_quiz_answers_each(st, id, fn, ud))

/* quiz_attempt_finish(id, points, max, passed, {{question=, points=, max=, feedback=}, ...}) */
static int l_quiz_attempt_finish(lua_State *L)
{
    store *st = check_store(L);
    lua_Integer id = luaL_checkinteger(L, 2);
    double points = luaL_checknumber(L, 3), max = luaL_checknumber(L, 4);
    int passed = lua_toboolean(L, 5);
    size_t n = 0;
    if (!lua_isnoneornil(L, 6)) {
        luaL_checktype(L, 6, LUA_TTABLE);
        n = lua_rawlen(L, 6);
    }
    if (n > 100000) return luaL_error(L, "store: quiz_attempt_finish: too many results (%d)", (int)n);
    /* The results array lives in a userdata, so a Lua error cannot leak it. */
    store_quiz_result *res = lua_newuserdatauv(L, (n ? n : 1) * sizeof *res, 0);
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, 6, (lua_Integer)i + 1);
        if (!lua_istable(L, -1)) return luaL_error(L, "store: quiz_attempt_finish: result %d is not a table", (int)i + 1);
        int t = lua_gettop(L);
        res[i].question = opt_field_string(L, t, "question");
        res[i].points = opt_field_number(L, t, "points", 0);
        res[i].max = opt_field_number(L, t, "max", 0);
        res[i].feedback = opt_field_string(L, t, "feedback");
        if (!res[i].question) return luaL_error(L, "store: quiz_attempt_finish: result %d has no question", (int)i + 1);
        lua_pop(L, 1); /* the row table stays anchored in the results table (argument 6) */
    }
    check(L, store_quiz_attempt_finish(st, id, points, max, passed, n, res));
    return 0;
}

ID_LIST(l_quiz_results, store_quiz_results_each(st, id, fn, ud))

static int l_quiz_best(lua_State *L)
{
    store *st = check_store(L);
    int week = check_week(L, 2);
    const char *student = luaL_checkstring(L, 3);
    COLLECT(L, store_quiz_best(st, week, student, fn, ud));
    return first_row(L);
}

static int l_gradebook_add(lua_State *L)
{
    store *st = check_store(L);
    check(L, store_gradebook_add(st, luaL_checkstring(L, 2), luaL_checkstring(L, 3), luaL_checkstring(L, 4),
                                 luaL_checknumber(L, 5), luaL_checknumber(L, 6), luaL_optstring(L, 7, NULL)));
    return 0;
}

static int l_gradebook(lua_State *L)
{
    store *st = check_store(L);
    const char *batch = luaL_checkstring(L, 2);
    COLLECT(L, store_gradebook_each(st, batch, fn, ud));
    return 1;
}

/* ---- runs ------------------------------------------------------------------ */

static int l_run_start(lua_State *L)
{
    store *st = check_store(L);
    int64_t id;
    check(L, store_run_start(st, luaL_checkstring(L, 2), luaL_optstring(L, 3, NULL), luaL_optinteger(L, 4, 0),
                             luaL_optstring(L, 5, NULL), &id));
    lua_pushinteger(L, id);
    return 1;
}

static int l_run_param(lua_State *L)
{
    store *st = check_store(L);
    check(L, store_run_param(st, luaL_checkinteger(L, 2), luaL_checkstring(L, 3), luaL_optstring(L, 4, NULL)));
    return 0;
}

static int l_run_manifest(lua_State *L)
{
    store *st = check_store(L);
    check(L, store_run_manifest(st, luaL_checkinteger(L, 2), luaL_checkstring(L, 3), luaL_optstring(L, 4, NULL)));
    return 0;
}

/* run_log(id, steps, keys, values [, n]): three parallel arrays, one transaction. */
static int l_run_log(lua_State *L)
{
    store *st = check_store(L);
    lua_Integer run = luaL_checkinteger(L, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    luaL_checktype(L, 4, LUA_TTABLE);
    luaL_checktype(L, 5, LUA_TTABLE);
    lua_Integer n = luaL_optinteger(L, 6, (lua_Integer)lua_rawlen(L, 3));
    if (n < 0 || (size_t)n > lua_rawlen(L, 3) || (size_t)n > lua_rawlen(L, 4) || (size_t)n > lua_rawlen(L, 5))
        return luaL_error(L, "store: run log: the steps, keys and values arrays must hold %d entries", (int)n);
    size_t cnt = (size_t)n;
    int64_t *steps = lua_newuserdatauv(L, (cnt ? cnt : 1) * sizeof *steps, 0);
    double *values = lua_newuserdatauv(L, (cnt ? cnt : 1) * sizeof *values, 0);
    const char **keys = lua_newuserdatauv(L, (cnt ? cnt : 1) * sizeof *keys, 0);
    for (size_t i = 0; i < cnt; i++) {
        lua_Integer idx = (lua_Integer)i + 1;
        int isnum;
        lua_rawgeti(L, 3, idx);
        steps[i] = (int64_t)lua_tointegerx(L, -1, &isnum);
        if (!isnum) return luaL_error(L, "store: run log: step %d is not an integer", (int)idx);
        lua_pop(L, 1);
        lua_rawgeti(L, 5, idx);
        values[i] = lua_tonumberx(L, -1, &isnum);
        if (!isnum) return luaL_error(L, "store: run log: value %d is not a number", (int)idx);
        lua_pop(L, 1);
        if (lua_rawgeti(L, 4, idx) != LUA_TSTRING)
            return luaL_error(L, "store: run log: key %d is not a string", (int)idx);
        keys[i] = lua_tostring(L, -1); /* anchored in the keys array */
        lua_pop(L, 1);
    }
    check(L, store_run_log(st, run, cnt, steps, keys, values));
    return 0;
}

static int l_run_artifact(lua_State *L)
{
    store *st = check_store(L);
    check(L, store_run_artifact(st, luaL_checkinteger(L, 2), luaL_checkstring(L, 3), luaL_optstring(L, 4, NULL),
                                luaL_optinteger(L, 5, -1)));
    return 0;
}

static int l_run_finish(lua_State *L)
{
    store *st = check_store(L);
    check(L, store_run_finish(st, luaL_checkinteger(L, 2), luaL_optstring(L, 3, "finished")));
    return 0;
}

static int l_runs(lua_State *L)
{
    store *st = check_store(L);
    COLLECT(L, store_runs_each(st, fn, ud));
    return 1;
}

ID_LIST(l_run_params, store_run_params_each(st, id, fn, ud))
ID_LIST(l_run_manifest_list, store_run_manifest_each(st, id, fn, ud))
ID_LIST(l_run_artifacts, store_run_artifacts_each(st, id, fn, ud))
ID_LIST(l_run_metrics_last, store_run_metrics_last(st, id, fn, ud))

ID_ROW(l_run, store_run_get(st, id, fn, ud))

static int l_run_metrics(lua_State *L)
{
    store *st = check_store(L);
    lua_Integer id = luaL_checkinteger(L, 2);
    const char *key = luaL_optstring(L, 3, NULL);
    COLLECT(L, store_run_metrics_each(st, id, key, fn, ud));
    return 1;
}

/* ---- helpers for the Lua layer ---------------------------------------------- */

static int l_sha256(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    app_sha256 c;
    char hex[65];
    app_sha256_init(&c);
    app_sha256_update(&c, s, n);
    app_sha256_final_hex(&c, hex);
    lua_pushstring(L, hex);
    return 1;
}

static int l_sha256_file(lua_State *L)
{
    char hex[65];
    int64_t bytes;
    check(L, app_sha256_file(luaL_checkstring(L, 1), hex, &bytes));
    lua_pushstring(L, hex);
    lua_pushinteger(L, bytes);
    return 2;
}

static int l_getpid(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)getpid());
    return 1;
}

static int l_hostname(lua_State *L)
{
    char buf[256];
    if (gethostname(buf, sizeof buf) != 0) buf[0] = '\0';
    buf[sizeof buf - 1] = '\0';
    lua_pushstring(L, buf);
    return 1;
}

static int l_realpath(lua_State *L)
{
    const char *p = luaL_checkstring(L, 1);
    char buf[PATH_MAX];
    if (!realpath(p, buf)) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s: %s", p, strerror(errno));
        return 2;
    }
    lua_pushstring(L, buf);
    return 1;
}

/* Is a process with this id alive on this machine? */
static int l_pid_alive(lua_State *L)
{
    lua_Integer pid = luaL_checkinteger(L, 1);
    lua_pushboolean(L, pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM));
    return 1;
}

static const luaL_Reg store_methods[] = {
    {"close", l_close},
    {"path", l_path},
    {"schema_version", l_schema_version},
    {"begin", l_begin},
    {"commit", l_commit},
    {"rollback", l_rollback},
    {"tx_depth", l_tx_depth},
    {"item_set", l_item_set},
    {"item_get", l_item_get},
    {"items", l_items},
    {"setting_get", l_setting_get},
    {"setting_set", l_setting_set},
    {"lab_attempt_start", l_lab_attempt_start},
    {"lab_step_result", l_lab_step_result},
    {"lab_attempt_finish", l_lab_attempt_finish},
    {"lab_attempt", l_lab_attempt},
    {"lab_attempts", l_lab_attempts},
    {"lab_steps", l_lab_steps},
    {"lab_best", l_lab_best},
    {"lab_hint_used", l_lab_hint_used},
    {"lab_hint_level", l_lab_hint_level},
    {"quiz_attempt_open", l_quiz_attempt_open},
    {"quiz_attempt_start", l_quiz_attempt_start},
    {"quiz_attempt", l_quiz_attempt},
    {"quiz_attempts", l_quiz_attempts},
    {"quiz_answer", l_quiz_answer},
    {"quiz_answers", l_quiz_answers},
    {"quiz_attempt_finish", l_quiz_attempt_finish},
    {"quiz_results", l_quiz_results},
    {"quiz_best", l_quiz_best},
    {"gradebook_add", l_gradebook_add},
    {"gradebook", l_gradebook},
    {"run_start", l_run_start},
    {"run_param", l_run_param},
    {"run_manifest", l_run_manifest},
    {"run_log", l_run_log},
    {"run_artifact", l_run_artifact},
    {"run_finish", l_run_finish},
    {"runs", l_runs},
    {"run", l_run},
    {"run_params", l_run_params},
    {"run_manifest_list", l_run_manifest_list},
    {"run_artifacts", l_run_artifacts},
    {"run_metrics", l_run_metrics},
    {"run_metrics_last", l_run_metrics_last},
    {NULL, NULL},
};

static const luaL_Reg module_funcs[] = {
    {"open", l_open},
    {"sha256", l_sha256},
    {"sha256_file", l_sha256_file},
    {"getpid", l_getpid},
    {"hostname", l_hostname},
    {"pid_alive", l_pid_alive},
    {"realpath", l_realpath},
    {NULL, NULL},
};

int luaopen_llm_store_c(lua_State *L)
{
    if (luaL_newmetatable(L, STORE_MT)) {
        luaL_newlib(L, store_methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_close);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, l_close);
        lua_setfield(L, -2, "__close");
        lua_pushcfunction(L, l_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
    luaL_newlib(L, module_funcs);
    lua_pushinteger(L, STORE_SCHEMA_VERSION);
    lua_setfield(L, -2, "schema_version");
    return 1;
}

void app_store_preload(lua_State *L)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_llm_store_c);
    lua_setfield(L, -2, "llm.store_c");
    lua_pop(L, 1);
}
