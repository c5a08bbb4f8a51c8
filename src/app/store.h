/*
 * store.h: the student's database (one SQLite file per user) holding the
 * progress checklist, lab attempts and their step results, hints used, quiz
 * attempts, answers and results, the instructor's gradebook, and tracked
 * runs (params, metrics per step, artifacts, manifest).
 *
 * Why SQLite and why this shape: every write is one transaction (BEGIN
 * IMMEDIATE .. COMMIT, or a SAVEPOINT inside an outer transaction), so a
 * process killed at any instant leaves either the whole write or none of
 * it; WAL lets the UI read while a lab writes; the schema version lives in
 * PRAGMA user_version and store_open() upgrades an older file in place.
 *
 * Errors: functions return an llm_status and leave a message naming the
 * operation and the problem in llm_last_error(). Strings returned through
 * a store_row are valid only during the callback.
 */
#ifndef LLM_STORE_H
#define LLM_STORE_H

#include <stdint.h>
#include "core.h"

/* The schema this build writes; older files are migrated up to it. */
#define STORE_SCHEMA_VERSION 3
/* PRAGMA application_id of an llmlab database ("LLML"). */
#define STORE_APPLICATION_ID 0x4c4c4d4c

typedef struct store store;

/* One result row handed to a callback: column names and values. A value
 * is NULL for SQL NULL; numbers come both as text (value) and as double. */
typedef struct store_row {
    int ncol;
    const char *const *names;
    const char *const *values; /* text form, NULL for SQL NULL */
    const int *types;          /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_NULL */
    const int64_t *ints;
    const double *reals;
} store_row;

/* Called once per row; return nonzero to stop (the function then returns
 * LLM_ERR_INTERRUPTED without touching the message set by the callback). */
typedef int (*store_row_fn)(void *ud, const store_row *row);

/* ---- opening ------------------------------------------------------------ */

/* Open (creating the file and its folders) and migrate to the current
 * schema. Sets WAL, foreign keys, a busy timeout. */
llm_status store_open(const char *path, store **out);
/* Open and migrate only up to `version` (1..STORE_SCHEMA_VERSION): for
 * tests that build an older database and then upgrade it. */
llm_status store_open_version(const char *path, int version, store **out);
/* Close; rolls back an unfinished transaction. NULL is ignored. */
void store_close(store *st);
const char *store_path(const store *st);
/* The schema version of the open file. */
int store_schema_version(store *st);
/* A test hook called inside multi-statement writes at named points (e.g.
 * "quiz_finish:results"), so tests can kill the process mid-transaction. */
void store_set_test_hook(void (*hook)(const char *point));

/* ---- transactions (nest: inner levels are savepoints) -------------------- */
llm_status store_begin(store *st);
llm_status store_commit(store *st);
void store_rollback(store *st);
/* Depth of open transactions (0 = none). */
int store_tx_depth(const store *st);

/* ---- checklist and settings --------------------------------------------- */
/* source: who set it ("user", "import", "lab", "quiz"; NULL = "user"). */
llm_status store_item_set(store *st, const char *item, int done, const char *source);
llm_status store_item_get(store *st, const char *item, int *done);
/* Rows: item, done, source, updated_at. */
llm_status store_items_each(store *st, store_row_fn fn, void *ud);
/* *value is NULL when unset; it stays valid until the next call on st. */
llm_status store_setting_get(store *st, const char *key, const char **value);
llm_status store_setting_set(store *st, const char *key, const char *value);

/* ---- labs ----------------------------------------------------------------- */
typedef struct store_step {
    const char *title;
    const char *status; /* ok | failed | error | timeout | memory */
    double points, max;
    const char *message;
    const char *output;
} store_step;

/* mode: "student" or "solution". */
llm_status store_lab_attempt_start(store *st, const char *lab, const char *mode, const char *lab_hash,
                                   int64_t *attempt);
llm_status store_lab_step_result(store *st, int64_t attempt, int step, const store_step *r);
llm_status store_lab_attempt_finish(store *st, int64_t attempt, double points, double max, int passed);
/* Row of one attempt: id, lab, mode, lab_hash, started_at, finished_at, points, max, passed. */
llm_status store_lab_attempt_get(store *st, int64_t attempt, store_row_fn fn, void *ud);
/* Every attempt of a lab, newest first (rows as store_lab_attempt_get). */
llm_status store_lab_attempts_each(store *st, const char *lab, store_row_fn fn, void *ud);
/* Rows: step, title, status, points, max, message, output. */
llm_status store_lab_steps_each(store *st, int64_t attempt, store_row_fn fn, void *ud);
/* Best finished student attempt (passed first, then points): one row or none. */
llm_status store_lab_best(store *st, const char *lab, store_row_fn fn, void *ud);
llm_status store_lab_hint_used(store *st, const char *lab, const char *exercise, int level);
llm_status store_lab_hint_level(store *st, const char *lab, const char *exercise, int *level);

/* ---- quizzes -------------------------------------------------------------- */
typedef struct store_quiz_result {
    const char *question;
    double points, max;
    const char *feedback;
} store_quiz_result;

/* The newest unfinished attempt (0 when none). */
llm_status store_quiz_attempt_open(store *st, int week, const char *student, int64_t *attempt);
llm_status store_quiz_attempt_start(store *st, int week, const char *student, int64_t seed, int64_t *attempt);
/* Row: id, week, student, seed, started_at, finished_at, points, max, passed. */
llm_status store_quiz_attempt_get(store *st, int64_t attempt, store_row_fn fn, void *ud);
/* Every attempt of a student at a week's quiz, newest first (rows as above). */
llm_status store_quiz_attempts_each(store *st, int week, const char *student, store_row_fn fn, void *ud);
llm_status store_quiz_answer(store *st, int64_t attempt, const char *question, const char *answer);
/* Rows: question, answer. */
llm_status store_quiz_answers_each(store *st, int64_t attempt, store_row_fn fn, void *ud);
/* Results and the score in one transaction; refuses a finished attempt. */
llm_status store_quiz_attempt_finish(store *st, int64_t attempt, double points, double max, int passed,
                                     size_t n, const store_quiz_result *results);
/* Rows: question, points, max, feedback. */
llm_status store_quiz_results_each(store *st, int64_t attempt, store_row_fn fn, void *ud);
/* Best finished attempt: one row (id, points, max, passed) or none. */
llm_status store_quiz_best(store *st, int week, const char *student, store_row_fn fn, void *ud);
llm_status store_gradebook_add(store *st, const char *batch, const char *student, const char *question,
                               double points, double max, const char *feedback);
/* Rows: student, question, points, max, feedback, graded_at (ordered). */
llm_status store_gradebook_each(store *st, const char *batch, store_row_fn fn, void *ud);

/* ---- runs ----------------------------------------------------------------- */
llm_status store_run_start(store *st, const char *name, const char *lab, int64_t pid, const char *host,
                           int64_t *run);
llm_status store_run_param(store *st, int64_t run, const char *key, const char *value);
llm_status store_run_manifest(store *st, int64_t run, const char *key, const char *value);
/* n metric rows in one transaction; a NaN value is stored as NULL. */
llm_status store_run_log(store *st, int64_t run, size_t n, const int64_t *steps, const char *const *keys,
                         const double *values);
llm_status store_run_artifact(store *st, int64_t run, const char *path, const char *sha256, int64_t bytes);
/* status: finished | failed | interrupted | incomplete. */
llm_status store_run_finish(store *st, int64_t run, const char *status);
/* Rows: id, name, lab, status, pid, host, started_at, finished_at, steps (count of distinct steps). */
llm_status store_runs_each(store *st, store_row_fn fn, void *ud);
llm_status store_run_get(store *st, int64_t run, store_row_fn fn, void *ud);
/* Rows: key, value. */
llm_status store_run_params_each(store *st, int64_t run, store_row_fn fn, void *ud);
llm_status store_run_manifest_each(store *st, int64_t run, store_row_fn fn, void *ud);
/* Rows: path, sha256, bytes, added_at. */
llm_status store_run_artifacts_each(store *st, int64_t run, store_row_fn fn, void *ud);
/* Rows: step, key, value, ordered by key then step; key NULL = every key. */
llm_status store_run_metrics_each(store *st, int64_t run, const char *key, store_row_fn fn, void *ud);
/* The last logged value of each metric: rows key, step, value, min, max, count. */
llm_status store_run_metrics_last(store *st, int64_t run, store_row_fn fn, void *ud);

#endif
