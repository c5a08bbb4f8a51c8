/*
 * store.c: the student's SQLite database (see store.h for what it holds).
 *
 * How it stays consistent: every public write runs inside store_begin() ..
 * store_commit() (BEGIN IMMEDIATE at the outer level, SAVEPOINTs inside),
 * so a write of several rows (a quiz's results and its score, a batch of
 * metrics) lands whole or not at all, even under SIGKILL. WAL journaling
 * with synchronous=NORMAL keeps every committed transaction across a
 * process crash (only a power loss may drop the last few).
 *
 * Migrations: migrations[v-1] turns schema v-1 into v; PRAGMA user_version
 * records the version reached. Each step runs in its own transaction and
 * re-reads the version inside it, so two processes opening an old file at
 * once do not both migrate it.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "store.h"

struct store {
    sqlite3 *db;
    char *path;
    int depth;     /* open transaction levels */
    char *scratch; /* the last string handed out by store_setting_get */
    int busy_ms;   /* time waited for the current lock */
};

static void (*test_hook)(const char *point);

void store_set_test_hook(void (*hook)(const char *point)) { test_hook = hook; }

static void hook(const char *point)
{
    if (test_hook) test_hook(point);
}

/* ------------------------------------------------------------ schema */

#define NOW "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))"

static const char *const migrations[STORE_SCHEMA_VERSION] = {
    /* 1: checklist, settings, labs, quizzes, gradebook */
    "CREATE TABLE checklist ("
    "  item_id TEXT PRIMARY KEY,"
    "  done INTEGER NOT NULL CHECK (done IN (0, 1)),"
    "  updated_at TEXT NOT NULL DEFAULT " NOW ");"
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE lab_attempts ("
    "  id INTEGER PRIMARY KEY,"
    "  lab_id TEXT NOT NULL,"
    "  mode TEXT NOT NULL CHECK (mode IN ('student', 'solution')),"
    "  lab_hash TEXT,"
    "  started_at TEXT NOT NULL DEFAULT " NOW ","
    "  finished_at TEXT,"
    "  points REAL, max REAL, passed INTEGER);"
    "CREATE INDEX lab_attempts_by_lab ON lab_attempts (lab_id);"
    "CREATE TABLE lab_steps ("
    "  attempt_id INTEGER NOT NULL REFERENCES lab_attempts (id) ON DELETE CASCADE,"
    "  step INTEGER NOT NULL,"
    "  title TEXT,"
    "  status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'error', 'timeout', 'memory')),"
    "  points REAL, max REAL, message TEXT, output TEXT,"
    "  PRIMARY KEY (attempt_id, step));"
    "CREATE TABLE lab_hints ("
    "  lab_id TEXT NOT NULL, exercise TEXT NOT NULL, level INTEGER NOT NULL,"
    "  used_at TEXT NOT NULL DEFAULT " NOW ","
    "  PRIMARY KEY (lab_id, exercise, level));"
    "CREATE TABLE quiz_attempts ("
    "  id INTEGER PRIMARY KEY,"
    "  week INTEGER NOT NULL, student TEXT NOT NULL, seed INTEGER NOT NULL,"
    "  started_at TEXT NOT NULL DEFAULT " NOW ","
    "  finished_at TEXT, points REAL, max REAL);"
    "CREATE TABLE quiz_answers ("
    "  attempt_id INTEGER NOT NULL REFERENCES quiz_attempts (id) ON DELETE CASCADE,"
    "  question TEXT NOT NULL, answer TEXT NOT NULL,"
    "  saved_at TEXT NOT NULL DEFAULT " NOW ","
    "  PRIMARY KEY (attempt_id, question));"
    "CREATE TABLE quiz_results ("
    "  attempt_id INTEGER NOT NULL REFERENCES quiz_attempts (id) ON DELETE CASCADE,"
    "  question TEXT NOT NULL, points REAL NOT NULL, max REAL NOT NULL, feedback TEXT,"
    "  PRIMARY KEY (attempt_id, question));"
    "CREATE TABLE gradebook ("
    "  batch TEXT NOT NULL, student TEXT NOT NULL, question TEXT NOT NULL,"
    "  points REAL NOT NULL, max REAL NOT NULL, feedback TEXT,"
    "  graded_at TEXT NOT NULL DEFAULT " NOW ","
    "  PRIMARY KEY (batch, student, question));",

    /* 2: runs (experiment tracking) */
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL, lab TEXT,"
    "  status TEXT NOT NULL DEFAULT 'running',"
    "  pid INTEGER, host TEXT,"
    "  started_at TEXT NOT NULL DEFAULT " NOW ","
    "  finished_at TEXT);"
    "CREATE TABLE run_params ("
    "  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL, value TEXT,"
    "  PRIMARY KEY (run_id, key)) WITHOUT ROWID;"
    "CREATE TABLE run_manifest ("
    "  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL, value TEXT,"
    "  PRIMARY KEY (run_id, key)) WITHOUT ROWID;"
    "CREATE TABLE run_metrics ("
    "  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL, step INTEGER NOT NULL, value REAL,"
    "  PRIMARY KEY (run_id, key, step)) WITHOUT ROWID;"
    "CREATE TABLE run_artifacts ("
    "  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  path TEXT NOT NULL, sha256 TEXT, bytes INTEGER,"
    "  added_at TEXT NOT NULL DEFAULT " NOW ","
    "  PRIMARY KEY (run_id, path));",

    /* 3: who ticked an item; quiz pass/fail; resuming quizzes by student */
    "ALTER TABLE checklist ADD COLUMN source TEXT NOT NULL DEFAULT 'user';"
    "ALTER TABLE quiz_attempts ADD COLUMN passed INTEGER;"
    "UPDATE quiz_attempts SET passed = (points >= 0.6 * max) WHERE finished_at IS NOT NULL;"
    "CREATE INDEX quiz_attempts_by_student ON quiz_attempts (week, student);",
};

/* ------------------------------------------------------------ helpers */

static llm_status db_fail(store *st, const char *op)
{
    return llm_fail(LLM_ERR_IO, "store: %s: %s (%s)", op, sqlite3_errmsg(st->db), st->path);
}

/* Bind arguments by a format: i int64_t, n int, d double, t text (NULL binds NULL). */
static int bind_args(sqlite3_stmt *s, const char *fmt, va_list ap)
{
    int rc = SQLITE_OK;
    for (int i = 0; fmt && fmt[i] && rc == SQLITE_OK; i++) {
        switch (fmt[i]) {
        case 'i': rc = sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t)); break;
        case 'n': rc = sqlite3_bind_int(s, i + 1, va_arg(ap, int)); break;
        case 'd': {
            double d = va_arg(ap, double);
            rc = isnan(d) ? sqlite3_bind_null(s, i + 1) : sqlite3_bind_double(s, i + 1, d);
            break;
        }
        case 't': {
            const char *t = va_arg(ap, const char *);
            rc = t ? sqlite3_bind_text(s, i + 1, t, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i + 1);
            break;
        }
        default: rc = SQLITE_MISUSE;
        }
    }
    return rc;
}

static llm_status vprepare(store *st, const char *op, sqlite3_stmt **out, const char *sql, const char *fmt,
                           va_list ap)
{
    *out = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, out, NULL) != SQLITE_OK) return db_fail(st, op);
    if (bind_args(*out, fmt, ap) != SQLITE_OK) {
        llm_status s = db_fail(st, op);
        sqlite3_finalize(*out);
        *out = NULL;
        return s;
    }
    return LLM_OK;
}

/* Run one statement that returns no rows we need. */
static llm_status exec_args(store *st, const char *op, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *s;
    va_list ap;
    va_start(ap, fmt);
    llm_status rc = vprepare(st, op, &s, sql, fmt, ap);
    va_end(ap);
    if (rc != LLM_OK) return rc;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {}
    if (r != SQLITE_DONE) rc = db_fail(st, op);
    sqlite3_finalize(s);
    return rc;
}

/* Run a query and hand each row to fn. */
static llm_status vquery(store *st, const char *op, store_row_fn fn, void *ud, const char *sql, const char *fmt,
                         va_list ap)
{
    enum { MAXCOL = 32 };
    sqlite3_stmt *s;
    llm_status rc = vprepare(st, op, &s, sql, fmt, ap);
    if (rc != LLM_OK) return rc;
    int ncol = sqlite3_column_count(s);
    if (ncol > MAXCOL) {
        sqlite3_finalize(s);
        return llm_fail(LLM_ERR_STATE, "store: %s: too many columns", op);
    }
    const char *names[MAXCOL], *values[MAXCOL];
    int types[MAXCOL];
    int64_t ints[MAXCOL];
    double reals[MAXCOL];
    for (int c = 0; c < ncol; c++) names[c] = sqlite3_column_name(s, c);
    store_row row = {ncol, names, values, types, ints, reals};
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        for (int c = 0; c < ncol; c++) {
            types[c] = sqlite3_column_type(s, c);
            ints[c] = sqlite3_column_int64(s, c);
            reals[c] = sqlite3_column_double(s, c);
            values[c] = types[c] == SQLITE_NULL ? NULL : (const char *)sqlite3_column_text(s, c);
            if (types[c] != SQLITE_NULL && !values[c]) {
                sqlite3_finalize(s);
                return llm_fail(LLM_ERR_NOMEM, "store: %s: out of memory", op);
            }
        }
        if (fn && fn(ud, &row)) {
            sqlite3_finalize(s);
            return LLM_ERR_INTERRUPTED;
        }
    }
    if (r != SQLITE_DONE) rc = db_fail(st, op);
    sqlite3_finalize(s);
    return rc;
}

static llm_status query_args(store *st, const char *op, store_row_fn fn, void *ud, const char *sql,
                             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    llm_status rc = vquery(st, op, fn, ud, sql, fmt, ap);
    va_end(ap);
    return rc;
}

/* One integer from a query (def when there is no row or it is NULL). */
static llm_status query_int(store *st, const char *op, int64_t *out, int64_t def, const char *sql,
                            const char *fmt, ...)
{
    sqlite3_stmt *s;
    va_list ap;
    va_start(ap, fmt);
    llm_status rc = vprepare(st, op, &s, sql, fmt, ap);
    va_end(ap);
    if (rc != LLM_OK) return rc;
    *out = def;
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW) {
        if (sqlite3_column_type(s, 0) != SQLITE_NULL) *out = sqlite3_column_int64(s, 0);
    } else if (r != SQLITE_DONE) {
        rc = db_fail(st, op);
    }
    sqlite3_finalize(s);
    return rc;
}

static llm_status need_text(const char *op, const char *what, const char *s)
{
    if (!s || !*s) return llm_fail(LLM_ERR_ARG, "store: %s: %s must be a non-empty string", op, what);
    return LLM_OK;
}

/* ------------------------------------------------------------ transactions */

static llm_status exec_plain(store *st, const char *op, const char *sql)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) return db_fail(st, op);
    return LLM_OK;
}

llm_status store_begin(store *st)
{
    char sql[64];
    if (st->depth == 0) snprintf(sql, sizeof sql, "BEGIN IMMEDIATE");
    else snprintf(sql, sizeof sql, "SAVEPOINT s%d", st->depth);
    llm_status rc = exec_plain(st, "begin", sql);
    if (rc == LLM_OK) st->depth++;
    return rc;
}

void store_rollback(store *st)
{
    if (st->depth <= 0) return;
    st->depth--;
    if (sqlite3_get_autocommit(st->db)) { /* SQLite already rolled everything back */
        st->depth = 0;
        return;
    }
    char sql[96];
    if (st->depth == 0) snprintf(sql, sizeof sql, "ROLLBACK");
    else snprintf(sql, sizeof sql, "ROLLBACK TO s%d; RELEASE s%d", st->depth, st->depth);
    sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

llm_status store_commit(store *st)
{
    if (st->depth <= 0) return llm_fail(LLM_ERR_STATE, "store: commit without a transaction");
    char sql[64];
    if (st->depth == 1) snprintf(sql, sizeof sql, "COMMIT");
    else snprintf(sql, sizeof sql, "RELEASE s%d", st->depth - 1);
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        llm_status rc = db_fail(st, "commit");
        store_rollback(st);
        return rc;
    }
    st->depth--;
    return LLM_OK;
}

int store_tx_depth(const store *st) { return st->depth; }

/* End a write: commit when rc is OK, else roll back and keep rc's message. */
static llm_status finish_tx(store *st, llm_status rc)
{
    if (rc == LLM_OK) return store_commit(st);
    store_rollback(st);
    return rc;
}

/* A single-statement write in its own transaction. */
static llm_status write_args(store *st, const char *op, const char *sql, const char *fmt, ...)
{
    llm_status rc = store_begin(st);
    if (rc != LLM_OK) return rc;
    sqlite3_stmt *s;
    va_list ap;
    va_start(ap, fmt);
    rc = vprepare(st, op, &s, sql, fmt, ap);
    va_end(ap);
    if (rc == LLM_OK) {
        if (sqlite3_step(s) != SQLITE_DONE) rc = db_fail(st, op);
        sqlite3_finalize(s);
    }
    return finish_tx(st, rc);
}

/* ------------------------------------------------------------ opening */

/* Wait for another process's write lock: short sleeps (SQLite's own busy
 * timeout sleeps whole seconds when built without usleep), up to 5 s. */
static int busy_wait(void *ud, int count)
{
    store *st = ud;
    if (count == 0) st->busy_ms = 0;
    if (st->busy_ms >= 5000) return 0;
    int ms = count < 10 ? 1 + count : 20;
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
    st->busy_ms += ms;
    return 1;
}

static llm_status make_parent_dirs(const char *path)
{
    size_t n = strlen(path);
    char *buf = llm_malloc(n + 1);
    if (!buf) return LLM_ERR_NOMEM;
    memcpy(buf, path, n + 1);
    char *slash = strrchr(buf, '/');
    if (!slash || slash == buf) {
        free(buf);
        return LLM_OK;
    }
    *slash = '\0';
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
                llm_status rc = llm_fail(LLM_ERR_IO, "store: cannot create folder %s: %s", buf, strerror(errno));
                free(buf);
                return rc;
            }
            *p = c;
            if (c == '\0') break;
        }
    }
    free(buf);
    return LLM_OK;
}

int store_schema_version(store *st)
{
    int64_t v = -1;
    if (query_int(st, "schema version", &v, 0, "PRAGMA user_version", NULL) != LLM_OK) return -1;
    return (int)v;
}

static llm_status migrate(store *st, int target)
{
    int64_t now;
    llm_status rc0 = query_int(st, "migrate", &now, 0, "PRAGMA user_version", NULL);
    if (rc0 != LLM_OK) return rc0;
    if (now >= target) return LLM_OK; /* the usual case: no write lock taken */
    for (int v = (int)now + 1; v <= target; v++) {
        llm_status rc = store_begin(st);
        if (rc != LLM_OK) return rc;
        int64_t cur;
        rc = query_int(st, "migrate", &cur, 0, "PRAGMA user_version", NULL);
        if (rc == LLM_OK && cur < v) {
            if (sqlite3_exec(st->db, migrations[v - 1], NULL, NULL, NULL) != SQLITE_OK) {
                rc = llm_fail(LLM_ERR_IO, "store: migrating %s to schema %d: %s", st->path, v,
                              sqlite3_errmsg(st->db));
            } else {
                char sql[96];
                snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d", v,
                         STORE_APPLICATION_ID);
                rc = exec_plain(st, "migrate", sql);
            }
        }
        rc = finish_tx(st, rc);
        if (rc != LLM_OK) return rc;
    }
    return LLM_OK;
}

/* Refuse files that are not ours or come from a newer llmlab. */
static llm_status check_file(store *st)
{
    int64_t version, app_id, tables;
    /* The first read is where SQLite notices a file that is not a database. */
    if (query_int(st, "open", &version, 0, "PRAGMA user_version", NULL) != LLM_OK ||
        query_int(st, "open", &app_id, 0, "PRAGMA application_id", NULL) != LLM_OK ||
        query_int(st, "open", &tables, 0, "SELECT count(*) FROM sqlite_master", NULL) != LLM_OK)
        return llm_fail(LLM_ERR_FORMAT, "store: %s is not an llmlab database (%s)", st->path,
                        sqlite3_errmsg(st->db));
    if (app_id != 0 && app_id != STORE_APPLICATION_ID)
        return llm_fail(LLM_ERR_FORMAT, "store: %s is a database of another program (application_id %lld)",
                        st->path, (long long)app_id);
    if (version == 0 && tables > 0 && app_id != STORE_APPLICATION_ID)
        return llm_fail(LLM_ERR_FORMAT,
                        "store: %s is not an llmlab database (it has tables but no llmlab schema version)",
                        st->path);
    if (version > STORE_SCHEMA_VERSION)
        return llm_fail(LLM_ERR_FORMAT,
                        "store: %s has schema version %lld, newer than this llmlab understands (%d); "
                        "upgrade llmlab",
                        st->path, (long long)version, STORE_SCHEMA_VERSION);
    if (version < 0)
        return llm_fail(LLM_ERR_FORMAT, "store: %s has a negative schema version", st->path);
    return LLM_OK;
}

llm_status store_open_version(const char *path, int version, store **out)
{
    *out = NULL;
    if (!path || !*path) return llm_fail(LLM_ERR_ARG, "store: open: the database path is empty");
    if (version < 1 || version > STORE_SCHEMA_VERSION)
        return llm_fail(LLM_ERR_ARG, "store: open: schema version %d is not between 1 and %d", version,
                        STORE_SCHEMA_VERSION);
    llm_status rc = make_parent_dirs(path);
    if (rc != LLM_OK) return rc;
    store *st = llm_calloc(1, sizeof *st);
    if (!st) return LLM_ERR_NOMEM;
    st->path = llm_strdup(path);
    if (!st->path) {
        free(st);
        return LLM_ERR_NOMEM;
    }
    int r = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (r != SQLITE_OK) {
        rc = st->db ? llm_fail(LLM_ERR_IO, "store: cannot open %s: %s", path, sqlite3_errmsg(st->db))
                    : llm_fail(LLM_ERR_NOMEM, "store: cannot open %s: out of memory", path);
        store_close(st);
        return rc;
    }
    sqlite3_busy_handler(st->db, busy_wait, st);
    rc = check_file(st);
    if (rc == LLM_OK) {
        int64_t dummy;
        /* journal_mode answers with a row; WAL lets the UI read while a lab writes. */
        rc = query_int(st, "open (WAL)", &dummy, 0, "PRAGMA journal_mode = WAL", NULL);
    }
    if (rc == LLM_OK)
        rc = exec_plain(st, "open (pragmas)", "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL");
    if (rc == LLM_OK) rc = migrate(st, version);
    if (rc != LLM_OK) {
        store_close(st);
        return rc;
    }
    *out = st;
    return LLM_OK;
}

llm_status store_open(const char *path, store **out)
{
    return store_open_version(path, STORE_SCHEMA_VERSION, out);
}

void store_close(store *st)
{
    if (!st) return;
    if (st->db) {
        if (st->depth > 0) {
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            st->depth = 0;
        }
        sqlite3_close_v2(st->db);
    }
    free(st->path);
    free(st->scratch);
    free(st);
}

const char *store_path(const store *st) { return st->path; }

/* ------------------------------------------------------------ checklist, settings */

llm_status store_item_set(store *st, const char *item, int done, const char *source)
{
    llm_status rc = need_text("check", "the item id", item);
    if (rc != LLM_OK) return rc;
    return write_args(st, "check",
                      "INSERT INTO checklist (item_id, done, source) VALUES (?1, ?2, ?3) "
                      "ON CONFLICT (item_id) DO UPDATE SET done = excluded.done, source = excluded.source, "
                      "updated_at = " NOW,
                      "tnt", item, done ? 1 : 0, source ? source : "user");
}

llm_status store_item_get(store *st, const char *item, int *done)
{
    int64_t v;
    llm_status rc = query_int(st, "is_checked", &v, 0, "SELECT done FROM checklist WHERE item_id = ?1", "t", item);
    *done = rc == LLM_OK && v != 0;
    return rc;
}

llm_status store_items_each(store *st, store_row_fn fn, void *ud)
{
    return query_args(st, "checked", fn, ud,
                      "SELECT item_id AS item, done, source, updated_at FROM checklist ORDER BY item_id", NULL);
}

static int keep_first_text(void *ud, const store_row *row)
{
    store *st = ud;
    free(st->scratch);
    st->scratch = row->values[0] ? llm_strdup(row->values[0]) : NULL;
    return row->values[0] && !st->scratch; /* stop on out of memory */
}

llm_status store_setting_get(store *st, const char *key, const char **value)
{
    *value = NULL;
    free(st->scratch);
    st->scratch = NULL;
    llm_status rc = query_args(st, "setting", keep_first_text, st, "SELECT value FROM settings WHERE key = ?1", "t",
                               key);
    if (rc == LLM_ERR_INTERRUPTED) return llm_fail(LLM_ERR_NOMEM, "store: setting: out of memory");
    *value = st->scratch;
    return rc;
}

llm_status store_setting_set(store *st, const char *key, const char *value)
{
    llm_status rc = need_text("set setting", "the key", key);
    if (rc != LLM_OK) return rc;
    if (!value) return write_args(st, "set setting", "DELETE FROM settings WHERE key = ?1", "t", key);
    return write_args(st, "set setting", "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)", "tt", key,
                      value);
}

/* ------------------------------------------------------------ labs */

/* Inside a transaction: is this attempt there and unfinished? */
static llm_status attempt_open_check(store *st, const char *op, const char *table, const char *what, int64_t id)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT finished_at IS NOT NULL FROM %s WHERE id = ?1", table);
    int64_t finished;
    llm_status rc = query_int(st, op, &finished, -1, sql, "i", id);
    if (rc != LLM_OK) return rc;
    if (finished < 0) return llm_fail(LLM_ERR_ARG, "store: %s: there is no %s %lld", op, what, (long long)id);
    if (finished) return llm_fail(LLM_ERR_STATE, "store: %s: %s %lld is already finished", op, what, (long long)id);
    return LLM_OK;
}

llm_status store_lab_attempt_start(store *st, const char *lab, const char *mode, const char *lab_hash,
                                   int64_t *attempt)
{
    *attempt = 0;
    llm_status rc = need_text("lab_attempt_start", "the lab id", lab);
    if (rc != LLM_OK) return rc;
    if (!mode) mode = "student";
    if (strcmp(mode, "student") != 0 && strcmp(mode, "solution") != 0)
        return llm_fail(LLM_ERR_ARG, "store: lab_attempt_start: mode '%s' is not 'student' or 'solution'", mode);
    rc = write_args(st, "lab_attempt_start", "INSERT INTO lab_attempts (lab_id, mode, lab_hash) VALUES (?1, ?2, ?3)",
                    "ttt", lab, mode, lab_hash);
    if (rc == LLM_OK) *attempt = sqlite3_last_insert_rowid(st->db);
    return rc;
}

static const char *const step_statuses[] = {"ok", "failed", "error", "timeout", "memory"};

llm_status store_lab_step_result(store *st, int64_t attempt, int step, const store_step *r)
{
    const char *op = "lab_step_result";
    int known = 0;
    for (size_t i = 0; r->status && i < sizeof step_statuses / sizeof step_statuses[0]; i++)
        known |= strcmp(r->status, step_statuses[i]) == 0;
    if (!known)
        return llm_fail(LLM_ERR_ARG, "store: %s: status '%s' is not one of ok, failed, error, timeout, memory", op,
                        r->status ? r->status : "(none)");
    if (step < 1) return llm_fail(LLM_ERR_ARG, "store: %s: step %d must be 1 or more", op, step);
    llm_status rc = store_begin(st);
    if (rc != LLM_OK) return rc;
    rc = attempt_open_check(st, op, "lab_attempts", "lab attempt", attempt);
    if (rc == LLM_OK)
        rc = exec_args(st, op,
                       "INSERT OR REPLACE INTO lab_steps (attempt_id, step, title, status, points, max, message, output)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                       "inttddtt", attempt, step, r->title, r->status, r->points,
                       r->max, r->message, r->output);
    return finish_tx(st, rc);
}

llm_status store_lab_attempt_finish(store *st, int64_t attempt, double points, double max, int passed)
{
    const char *op = "lab_attempt_finish";
    llm_status rc = store_begin(st);
    if (rc != LLM_OK) return rc;
    rc = attempt_open_check(st, op, "lab_attempts", "lab attempt", attempt);
    if (rc == LLM_OK)
        rc = exec_args(st, op,
                       "UPDATE lab_attempts SET finished_at = " NOW ", points = ?2, max = ?3, passed = ?4 WHERE id = ?1",
                       "iddn", attempt, points, max, passed ? 1 : 0);
    return finish_tx(st, rc);
}

/* The columns of one attempt, as the _get and _each calls give them. */
#define LAB_ATTEMPT_SELECT \
    "SELECT id, lab_id, mode, lab_hash, started_at, finished_at, points, max, passed FROM lab_attempts "
#define QUIZ_ATTEMPT_SELECT \
    "SELECT id, week, student, seed, started_at, finished_at, points, max, passed FROM quiz_attempts "

llm_status store_lab_attempt_get(store *st, int64_t attempt, store_row_fn fn, void *ud)
{
    return query_args(st, "lab_attempt", fn, ud,
                      LAB_ATTEMPT_SELECT "WHERE id = ?1",
                      "i", attempt);
}

llm_status store_lab_attempts_each(store *st, const char *lab, store_row_fn fn, void *ud)
{
    return query_args(st, "lab_attempts", fn, ud,
                      LAB_ATTEMPT_SELECT "WHERE lab_id = ?1 ORDER BY id DESC",
                      "t", lab);
}

llm_status store_lab_steps_each(store *st, int64_t attempt, store_row_fn fn, void *ud)
{
    return query_args(st, "lab_steps", fn, ud,
                      "SELECT step, title, status, points, max, message, output FROM lab_steps "
                      "WHERE attempt_id = ?1 ORDER BY step",
                      "i", attempt);
}

llm_status store_lab_best(store *st, const char *lab, store_row_fn fn, void *ud)
{
    return query_args(st, "lab_best", fn, ud,
                      "SELECT id, points, max, passed FROM lab_attempts "
                      "WHERE lab_id = ?1 AND mode = 'student' AND finished_at IS NOT NULL "
                      "ORDER BY passed DESC, points DESC, max DESC, id DESC LIMIT 1",
                      "t", lab);
}

llm_status store_lab_hint_used(store *st, const char *lab, const char *exercise, int level)
{
    llm_status rc = need_text("lab_hint_used", "the lab id", lab);
    if (rc == LLM_OK) rc = need_text("lab_hint_used", "the exercise", exercise);
    if (rc != LLM_OK) return rc;
    if (level < 1) return llm_fail(LLM_ERR_ARG, "store: lab_hint_used: hint level %d must be 1 or more", level);
    return write_args(st, "lab_hint_used", "INSERT OR IGNORE INTO lab_hints (lab_id, exercise, level) VALUES (?1, ?2, ?3)",
                      "ttn", lab, exercise, level);
}

llm_status store_lab_hint_level(store *st, const char *lab, const char *exercise, int *level)
{
    int64_t v;
    llm_status rc = query_int(st, "lab_hint_level", &v, 0,
                              "SELECT max(level) FROM lab_hints WHERE lab_id = ?1 AND exercise = ?2", "tt", lab,
                              exercise);
    *level = rc == LLM_OK ? (int)v : 0;
    return rc;
}

/* ------------------------------------------------------------ quizzes */

llm_status store_quiz_attempt_open(store *st, int week, const char *student, int64_t *attempt)
{
    return query_int(st, "quiz_attempt_open", attempt, 0,
                     "SELECT id FROM quiz_attempts WHERE week = ?1 AND student = ?2 AND finished_at IS NULL "
                     "ORDER BY id DESC LIMIT 1",
                     "nt", week, student);
}

llm_status store_quiz_attempt_start(store *st, int week, const char *student, int64_t seed, int64_t *attempt)
{
    *attempt = 0;
    llm_status rc = need_text("quiz_attempt_start", "the student", student);
    if (rc != LLM_OK) return rc;
    rc = write_args(st, "quiz_attempt_start", "INSERT INTO quiz_attempts (week, student, seed) VALUES (?1, ?2, ?3)",
                    "nti", week, student, seed);
    if (rc == LLM_OK) *attempt = sqlite3_last_insert_rowid(st->db);
    return rc;
}

llm_status store_quiz_attempt_get(store *st, int64_t attempt, store_row_fn fn, void *ud)
{
    return query_args(st, "quiz_attempt", fn, ud,
                      QUIZ_ATTEMPT_SELECT "WHERE id = ?1",
                      "i", attempt);
}

llm_status store_quiz_attempts_each(store *st, int week, const char *student, store_row_fn fn, void *ud)
{
    return query_args(st, "quiz_attempts", fn, ud,
                      QUIZ_ATTEMPT_SELECT "WHERE week = ?1 AND student = ?2 ORDER BY id DESC",
                      "nt", week, student);
}

llm_status store_quiz_answer(store *st, int64_t attempt, const char *question, const char *answer)
{
    const char *op = "quiz_answer";
    llm_status rc = need_text(op, "the question id", question);
    if (rc != LLM_OK) return rc;
    if (!answer) return llm_fail(LLM_ERR_ARG, "store: %s: the answer must be a string", op);
    rc = store_begin(st);
    if (rc != LLM_OK) return rc;
    rc = attempt_open_check(st, op, "quiz_attempts", "quiz attempt", attempt);
    if (rc == LLM_OK)
        rc = exec_args(st, op,
                       "INSERT INTO quiz_answers (attempt_id, question, answer) VALUES (?1, ?2, ?3) "
                       "ON CONFLICT (attempt_id, question) DO UPDATE SET answer = excluded.answer, saved_at = " NOW,
                       "itt", attempt, question, answer);
    return finish_tx(st, rc);
}

llm_status store_quiz_answers_each(store *st, int64_t attempt, store_row_fn fn, void *ud)
{
    return query_args(st, "quiz_answers", fn, ud,
                      "SELECT question, answer FROM quiz_answers WHERE attempt_id = ?1 ORDER BY question", "i", attempt);
}

llm_status store_quiz_attempt_finish(store *st, int64_t attempt, double points, double max, int passed, size_t n,
                                     const store_quiz_result *results)
{
    const char *op = "quiz_attempt_finish";
    for (size_t i = 0; i < n; i++) {
        llm_status rc = need_text(op, "each result's question", results[i].question);
        if (rc != LLM_OK) return rc;
    }
    llm_status rc = store_begin(st);
    if (rc != LLM_OK) return rc;
    rc = attempt_open_check(st, op, "quiz_attempts", "quiz attempt", attempt);
    for (size_t i = 0; rc == LLM_OK && i < n; i++) {
        rc = exec_args(st, op,
                       "INSERT OR REPLACE INTO quiz_results (attempt_id, question, points, max, feedback) "
                       "VALUES (?1, ?2, ?3, ?4, ?5)",
                       "itddt", attempt, results[i].question, results[i].points, results[i].max, results[i].feedback);
        if (i == n / 2) hook("quiz_finish:results");
    }
    if (rc == LLM_OK) hook("quiz_finish:score");
    if (rc == LLM_OK)
        rc = exec_args(st, op,
                       "UPDATE quiz_attempts SET finished_at = " NOW ", points = ?2, max = ?3, passed = ?4 WHERE id = ?1",
                       "iddn", attempt, points, max, passed ? 1 : 0);
    return finish_tx(st, rc);
}

llm_status store_quiz_results_each(store *st, int64_t attempt, store_row_fn fn, void *ud)
{
    return query_args(st, "quiz_results", fn, ud,
                      "SELECT question, points, max, feedback FROM quiz_results WHERE attempt_id = ?1 ORDER BY rowid",
                      "i", attempt);
}

llm_status store_quiz_best(store *st, int week, const char *student, store_row_fn fn, void *ud)
{
    return query_args(st, "quiz_best", fn, ud,
                      "SELECT id, points, max, passed FROM quiz_attempts "
                      "WHERE week = ?1 AND student = ?2 AND finished_at IS NOT NULL "
                      "ORDER BY points DESC, max DESC, id DESC LIMIT 1",
                      "nt", week, student);
}

llm_status store_gradebook_add(store *st, const char *batch, const char *student, const char *question, double points,
                               double max, const char *feedback)
{
    const char *op = "gradebook_add";
    llm_status rc = need_text(op, "the batch", batch);
    if (rc == LLM_OK) rc = need_text(op, "the student", student);
    if (rc == LLM_OK) rc = need_text(op, "the question", question);
    if (rc != LLM_OK) return rc;
    return write_args(st, op,
                      "INSERT OR REPLACE INTO gradebook (batch, student, question, points, max, feedback) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                      "tttddt", batch, student, question, points, max, feedback);
}

llm_status store_gradebook_each(store *st, const char *batch, store_row_fn fn, void *ud)
{
    return query_args(st, "gradebook", fn, ud,
                      "SELECT student, question, points, max, feedback, graded_at FROM gradebook "
                      "WHERE batch = ?1 ORDER BY student, rowid",
                      "t", batch);
}

/* ------------------------------------------------------------ runs */

llm_status store_run_start(store *st, const char *name, const char *lab, int64_t pid, const char *host, int64_t *run)
{
    *run = 0;
    llm_status rc = need_text("run start", "the run name", name);
    if (rc != LLM_OK) return rc;
    rc = write_args(st, "run start", "INSERT INTO runs (name, lab, pid, host) VALUES (?1, ?2, ?3, ?4)", "ttit", name,
                    lab, pid, host);
    if (rc == LLM_OK) *run = sqlite3_last_insert_rowid(st->db);
    return rc;
}

/* Inside a transaction: is this run there and still running? */
static llm_status run_open_check(store *st, const char *op, int64_t run)
{
    int64_t finished;
    llm_status rc = query_int(st, op, &finished, -1, "SELECT finished_at IS NOT NULL FROM runs WHERE id = ?1", "i", run);
    if (rc != LLM_OK) return rc;
    if (finished < 0) return llm_fail(LLM_ERR_ARG, "store: %s: there is no run %lld", op, (long long)run);
    if (finished) return llm_fail(LLM_ERR_STATE, "store: %s: run %lld is already finished", op, (long long)run);
    return LLM_OK;
}

static llm_status run_keyed(store *st, const char *op, const char *sql, int64_t run, const char *key,
                            const char *value)
{
    llm_status rc = need_text(op, "the key", key);
    if (rc != LLM_OK) return rc;
    rc = store_begin(st);
    if (rc != LLM_OK) return rc;
    rc = run_open_check(st, op, run);
    if (rc == LLM_OK) rc = exec_args(st, op, sql, "itt", run, key, value);
    return finish_tx(st, rc);
}

llm_status store_run_param(store *st, int64_t run, const char *key, const char *value)
{
    return run_keyed(st, "run param", "INSERT OR REPLACE INTO run_params (run_id, key, value) VALUES (?1, ?2, ?3)",
                     run, key, value);
}

llm_status store_run_manifest(store *st, int64_t run, const char *key, const char *value)
{
    return run_keyed(st, "run manifest",
                     "INSERT OR REPLACE INTO run_manifest (run_id, key, value) VALUES (?1, ?2, ?3)", run, key, value);
}

llm_status store_run_log(store *st, int64_t run, size_t n, const int64_t *steps, const char *const *keys,
                         const double *values)
{
    const char *op = "run log";
    for (size_t i = 0; i < n; i++) {
        if (!keys[i] || !*keys[i]) return llm_fail(LLM_ERR_ARG, "store: %s: metric %zu has an empty name", op, i + 1);
        if (steps[i] < 0)
            return llm_fail(LLM_ERR_ARG, "store: %s: step %lld is negative", op, (long long)steps[i]);
    }
    llm_status rc = store_begin(st);
    if (rc != LLM_OK) return rc;
    rc = run_open_check(st, op, run);
    sqlite3_stmt *s = NULL;
    if (rc == LLM_OK &&
        sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO run_metrics (run_id, key, step, value) VALUES (?1, ?2, ?3, ?4)",
                           -1, &s, NULL) != SQLITE_OK)
        rc = db_fail(st, op);
    for (size_t i = 0; rc == LLM_OK && i < n; i++) {
        sqlite3_reset(s);
        int r = sqlite3_bind_int64(s, 1, run);
        if (r == SQLITE_OK) r = sqlite3_bind_text(s, 2, keys[i], -1, SQLITE_STATIC);
        if (r == SQLITE_OK) r = sqlite3_bind_int64(s, 3, steps[i]);
        if (r == SQLITE_OK) r = isnan(values[i]) ? sqlite3_bind_null(s, 4) : sqlite3_bind_double(s, 4, values[i]);
        if (r != SQLITE_OK || sqlite3_step(s) != SQLITE_DONE) rc = db_fail(st, op);
        if (i == n / 2) hook("run_log:rows");
    }
    sqlite3_finalize(s);
    return finish_tx(st, rc);
}

llm_status store_run_artifact(store *st, int64_t run, const char *path, const char *sha256, int64_t bytes)
{
    const char *op = "run artifact";
    llm_status rc = need_text(op, "the path", path);
    if (rc != LLM_OK) return rc;
    rc = store_begin(st);
    if (rc != LLM_OK) return rc;
    rc = run_open_check(st, op, run);
    if (rc == LLM_OK)
        rc = exec_args(st, op,
                       "INSERT OR REPLACE INTO run_artifacts (run_id, path, sha256, bytes) VALUES (?1, ?2, ?3, ?4)",
                       "itti", run, path, sha256, bytes);
    return finish_tx(st, rc);
}

llm_status store_run_finish(store *st, int64_t run, const char *status)
{
    const char *op = "run finish";
    static const char *const ok[] = {"finished", "failed", "interrupted", "incomplete"};
    int known = 0;
    for (size_t i = 0; status && i < sizeof ok / sizeof ok[0]; i++) known |= strcmp(status, ok[i]) == 0;
    if (!known)
        return llm_fail(LLM_ERR_ARG, "store: %s: status '%s' is not one of finished, failed, interrupted, incomplete",
                        op, status ? status : "(none)");
    llm_status rc = store_begin(st);
    if (rc != LLM_OK) return rc;
    rc = run_open_check(st, op, run);
    if (rc == LLM_OK)
        rc = exec_args(st, op, "UPDATE runs SET status = ?2, finished_at = " NOW " WHERE id = ?1", "it", run, status);
    return finish_tx(st, rc);
}

#define RUN_COLUMNS                                                                                             \
    "SELECT r.id, r.name, r.lab, r.status, r.pid, r.host, r.started_at, r.finished_at, "                        \
    "(SELECT count(DISTINCT step) FROM run_metrics m WHERE m.run_id = r.id) AS steps FROM runs r "

llm_status store_runs_each(store *st, store_row_fn fn, void *ud)
{
    return query_args(st, "runs", fn, ud, RUN_COLUMNS "ORDER BY r.id", NULL);
}

llm_status store_run_get(store *st, int64_t run, store_row_fn fn, void *ud)
{
    return query_args(st, "run", fn, ud, RUN_COLUMNS "WHERE r.id = ?1", "i", run);
}

llm_status store_run_params_each(store *st, int64_t run, store_row_fn fn, void *ud)
{
    return query_args(st, "run params", fn, ud, "SELECT key, value FROM run_params WHERE run_id = ?1 ORDER BY key", "i",
                      run);
}

llm_status store_run_manifest_each(store *st, int64_t run, store_row_fn fn, void *ud)
{
    return query_args(st, "run manifest", fn, ud,
                      "SELECT key, value FROM run_manifest WHERE run_id = ?1 ORDER BY key", "i", run);
}

llm_status store_run_artifacts_each(store *st, int64_t run, store_row_fn fn, void *ud)
{
    return query_args(st, "run artifacts", fn, ud,
                      "SELECT path, sha256, bytes, added_at FROM run_artifacts WHERE run_id = ?1 ORDER BY rowid", "i",
                      run);
}

llm_status store_run_metrics_each(store *st, int64_t run, const char *key, store_row_fn fn, void *ud)
{
    if (key)
        return query_args(st, "run metrics", fn, ud,
                          "SELECT step, key, value FROM run_metrics WHERE run_id = ?1 AND key = ?2 ORDER BY step",
                          "it", run, key);
    return query_args(st, "run metrics", fn, ud,
                      "SELECT step, key, value FROM run_metrics WHERE run_id = ?1 ORDER BY key, step", "i", run);
}

llm_status store_run_metrics_last(store *st, int64_t run, store_row_fn fn, void *ud)
{
    return query_args(st, "run metrics", fn, ud,
                      "SELECT key, step, value, min, max, count FROM ("
                      "  SELECT key, step, value,"
                      "    min(value) OVER w AS min, max(value) OVER w AS max, count(*) OVER w AS count,"
                      "    row_number() OVER (PARTITION BY key ORDER BY step DESC) AS rn"
                      "  FROM run_metrics WHERE run_id = ?1 WINDOW w AS (PARTITION BY key))"
                      " WHERE rn = 1 ORDER BY key",
                      "i", run);
}
