/* test_store.c: the SQLite store: migrations from an empty file and from an
 * older schema, refusing files that are not ours, nested transactions, each
 * subject's reads and writes, SHA-256 vectors, and a process killed with
 * SIGKILL in the middle of a write (a test hook inside the transaction, and
 * kills at random moments) leaving a consistent database. Results are
 * checked with plain SQLite queries, independently of store.c. */
#include <check.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "sha256.h"
#include "store.h"

static char dir[256];
static char path[300];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/llmlab-test-store-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/sub/dir/llmlab.db", dir);
}

static void teardown(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* One integer from SQL run on the file directly. */
static long long sql_int(const char *sql)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
    long long v = -999;
    if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

static char text_buf[4096];
static const char *sql_text(const char *sql)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
    snprintf(text_buf, sizeof text_buf, "(no row)");
    if (sqlite3_step(s) == SQLITE_ROW)
        snprintf(text_buf, sizeof text_buf, "%s",
                 sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0) : "(null)");
    sqlite3_finalize(s);
    sqlite3_close(db);
    return text_buf;
}

static void raw_exec(const char *sql)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK, "%s", err ? err : "?");
    sqlite3_close(db);
}

static void assert_consistent(void)
{
    ck_assert_str_eq(sql_text("PRAGMA integrity_check"), "ok");
    ck_assert_str_eq(sql_text("PRAGMA foreign_key_check"), "(no row)");
}

/* Row callbacks used below. */
typedef struct rows {
    int n;
    char first[8][128]; /* first column of up to 8 rows */
    double num[8];      /* a numeric column chosen by the test */
    int col;
} rows;

static int collect(void *ud, const store_row *r)
{
    rows *rs = ud;
    if (rs->n < 8) {
        snprintf(rs->first[rs->n], sizeof rs->first[0], "%s", r->values[0] ? r->values[0] : "(null)");
        rs->num[rs->n] = rs->col < r->ncol ? r->reals[rs->col] : 0;
    }
    rs->n++;
    return 0;
}

/* ------------------------------------------------------------ opening, migrations */

START_TEST(migrates_from_empty)
{
    store *st;
    ck_assert_int_eq(store_open(path, &st), LLM_OK); /* creates sub/dir too */
    ck_assert_int_eq(store_schema_version(st), STORE_SCHEMA_VERSION);
    ck_assert_str_eq(store_path(st), path);
    store_close(st);
    ck_assert_int_eq(sql_int("PRAGMA user_version"), STORE_SCHEMA_VERSION);
    ck_assert_int_eq(sql_int("PRAGMA application_id"), STORE_APPLICATION_ID);
    ck_assert_str_eq(sql_text("PRAGMA journal_mode"), "wal");
    ck_assert_int_eq(sql_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                             "('checklist','settings','lab_attempts','lab_steps','lab_hints','quiz_attempts',"
                             "'quiz_answers','quiz_results','gradebook','runs','run_params','run_manifest',"
                             "'run_metrics','run_artifacts')"),
                     14);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM pragma_table_info('checklist') WHERE name = 'source'"), 1);
    /* Opening again is a no-op. */
    ck_assert_int_eq(store_open(path, &st), LLM_OK);
    store_close(st);
    ck_assert_int_eq(sql_int("PRAGMA user_version"), STORE_SCHEMA_VERSION);
}
END_TEST

/* A file written by the first schema (a frozen SQL fixture) upgrades in place. */
START_TEST(migrates_from_v1_fixture)
{
    char fixture[512];
    snprintf(fixture, sizeof fixture, "%s/tests/unit/data/store_v1.sql", TEST_SRCDIR);
    FILE *f = fopen(fixture, "rb");
    ck_assert_ptr_nonnull(f);
    static char sql[65536];
    size_t n = fread(sql, 1, sizeof sql - 1, f);
    fclose(f);
    sql[n] = '\0';
    store *st;
    ck_assert_int_eq(store_open_version(path, 1, &st), LLM_OK); /* only to make the folders */
    store_close(st);
    remove(path);
    raw_exec(sql);
    ck_assert_int_eq(sql_int("PRAGMA user_version"), 1);

    ck_assert_int_eq(store_open(path, &st), LLM_OK);
    ck_assert_int_eq(store_schema_version(st), STORE_SCHEMA_VERSION);
    int done;
    ck_assert_int_eq(store_item_get(st, "w01.t02", &done), LLM_OK);
    ck_assert_int_eq(done, 1);
    ck_assert_int_eq(store_item_get(st, "w01.lab01", &done), LLM_OK);
    ck_assert_int_eq(done, 0);
    const char *v;
    ck_assert_int_eq(store_setting_get(st, "last_lab", &v), LLM_OK);
    ck_assert_str_eq(v, "w01.lab02");
    rows best = {.col = 1};
    ck_assert_int_eq(store_lab_best(st, "w01.lab02", collect, &best), LLM_OK);
    ck_assert_int_eq(best.n, 1);
    ck_assert_double_eq(best.num[0], 7.0);
    int level;
    ck_assert_int_eq(store_lab_hint_level(st, "w01.lab02", "count", &level), LLM_OK);
    ck_assert_int_eq(level, 1);
    int64_t open_attempt;
    ck_assert_int_eq(store_quiz_attempt_open(st, 2, "ann", &open_attempt), LLM_OK);
    ck_assert_int_eq(open_attempt, 3);
    /* The new tables work on the upgraded file. */
    int64_t run;
    ck_assert_int_eq(store_run_start(st, "after upgrade", NULL, 1, "h", &run), LLM_OK);
    ck_assert_int_eq(store_item_set(st, "w01.lab01", 1, "lab"), LLM_OK);
    store_close(st);
    /* Migration 3 filled the new columns: old rows got defaults, passed from the score. */
    ck_assert_str_eq(sql_text("SELECT source FROM checklist WHERE item_id = 'w01.t01'"), "user");
    ck_assert_str_eq(sql_text("SELECT source FROM checklist WHERE item_id = 'w01.lab01'"), "lab");
    ck_assert_int_eq(sql_int("SELECT passed FROM quiz_attempts WHERE id = 1"), 1);
    ck_assert_int_eq(sql_int("SELECT passed FROM quiz_attempts WHERE id = 2"), 0);
    ck_assert_str_eq(sql_text("SELECT passed FROM quiz_attempts WHERE id = 3"), "(null)");
    ck_assert_str_eq(sql_text("SELECT updated_at FROM checklist WHERE item_id = 'w01.t01'"), "2026-01-05T10:00:00.000Z");
    ck_assert_int_eq(sql_int("SELECT count(*) FROM quiz_answers"), 2);
    assert_consistent();
}
END_TEST

/* Each intermediate version upgrades too (opened by this build at v1, v2). */
START_TEST(migrates_step_by_step)
{
    for (int v = 1; v < STORE_SCHEMA_VERSION; v++) {
        teardown();
        setup();
        store *st;
        ck_assert_int_eq(store_open_version(path, v, &st), LLM_OK);
        ck_assert_int_eq(store_schema_version(st), v);
        store_close(st);
        raw_exec("INSERT INTO checklist (item_id, done) VALUES ('w02.t01', 1)");
        ck_assert_int_eq(sql_int("SELECT count(*) FROM sqlite_master WHERE name = 'runs'"), v >= 2);
        ck_assert_int_eq(store_open(path, &st), LLM_OK);
        ck_assert_int_eq(store_schema_version(st), STORE_SCHEMA_VERSION);
        int done;
        ck_assert_int_eq(store_item_get(st, "w02.t01", &done), LLM_OK);
        ck_assert_int_eq(done, 1);
        store_close(st);
    }
}
END_TEST

START_TEST(refuses_foreign_files)
{
    store *st = (store *)1;
    ck_assert_int_eq(store_open("", &st), LLM_ERR_ARG);
    ck_assert_ptr_null(st);
    /* a text file */
    ck_assert_int_eq(store_open_version(path, 1, &st), LLM_OK);
    store_close(st);
    FILE *f = fopen(path, "wb");
    fputs("this is not a database, just some text that is long enough to look like a header\n", f);
    fclose(f);
    remove(strcat(strcpy(text_buf, path), "-wal"));
    remove(strcat(strcpy(text_buf, path), "-shm"));
    ck_assert_int_eq(store_open(path, &st), LLM_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "is not an llmlab database"));
    /* another program's database */
    remove(path);
    raw_exec("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('mine')");
    ck_assert_int_eq(store_open(path, &st), LLM_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "not an llmlab database"));
    ck_assert_str_eq(sql_text("SELECT x FROM notes"), "mine"); /* untouched */
    /* a newer llmlab's database */
    remove(path);
    ck_assert_int_eq(store_open(path, &st), LLM_OK);
    store_close(st);
    raw_exec("PRAGMA user_version = 99");
    ck_assert_int_eq(store_open(path, &st), LLM_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "schema version 99, newer"));
    /* a folder that cannot be made */
    ck_assert_int_eq(store_open("/proc/llmlab-no/x.db", &st), LLM_ERR_IO);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "cannot create folder"));
    ck_assert_int_eq(store_open_version(path, 0, &st), LLM_ERR_ARG);
}
END_TEST

/* ------------------------------------------------------------ transactions */

START_TEST(nested_transactions)
{
    store *st;
    ck_assert_int_eq(store_open(path, &st), LLM_OK);
    ck_assert_int_eq(store_begin(st), LLM_OK);
    ck_assert_int_eq(store_item_set(st, "a", 1, NULL), LLM_OK); /* a savepoint inside */
    ck_assert_int_eq(store_begin(st), LLM_OK);
    ck_assert_int_eq(store_item_set(st, "b", 1, NULL), LLM_OK);
    store_rollback(st); /* drops b only */
    ck_assert_int_eq(store_tx_depth(st), 1);
    ck_assert_int_eq(store_item_set(st, "c", 1, NULL), LLM_OK);
    ck_assert_int_eq(store_commit(st), LLM_OK);
    ck_assert_int_eq(store_tx_depth(st), 0);
    ck_assert_int_eq(store_commit(st), LLM_ERR_STATE);
    /* an outer rollback drops everything inside it */
    ck_assert_int_eq(store_begin(st), LLM_OK);
    ck_assert_int_eq(store_item_set(st, "d", 1, NULL), LLM_OK);
    store_rollback(st);
    /* a failing write inside a transaction leaves the outer one usable */
    ck_assert_int_eq(store_begin(st), LLM_OK);
    ck_assert_int_eq(store_lab_attempt_finish(st, 12345, 1, 1, 1), LLM_ERR_ARG);
    ck_assert_int_eq(store_item_set(st, "e", 1, NULL), LLM_OK);
    ck_assert_int_eq(store_commit(st), LLM_OK);
    /* close with an open transaction rolls it back */
    ck_assert_int_eq(store_begin(st), LLM_OK);
    ck_assert_int_eq(store_item_set(st, "f", 1, NULL), LLM_OK);
    store_close(st);
    ck_assert_int_eq(sql_int("SELECT group_concat(item_id, '') = 'ace' FROM (SELECT item_id FROM checklist ORDER BY 1)"),
                     1);
}
END_TEST

/* ------------------------------------------------------------ subjects */

START_TEST(checklist_and_settings)
{
    store *st;
    ck_assert_int_eq(store_open(path, &st), LLM_OK);
    int done = -1;
    ck_assert_int_eq(store_item_get(st, "w03.lab05", &done), LLM_OK);
    ck_assert_int_eq(done, 0);
    ck_assert_int_eq(store_item_set(st, "w03.lab05", 1, "lab"), LLM_OK);
    ck_assert_int_eq(store_item_set(st, "w03.t04", 1, NULL), LLM_OK);
    ck_assert_int_eq(store_item_set(st, "w03.t04", 0, NULL), LLM_OK);
    ck_assert_int_eq(store_item_get(st, "w03.lab05", &done), LLM_OK);
    ck_assert_int_eq(done, 1);
    rows rs = {0};
    ck_assert_int_eq(store_items_each(st, collect, &rs), LLM_OK);
    ck_assert_int_eq(rs.n, 2);
    ck_assert_str_eq(rs.first[0], "w03.lab05");
    ck_assert_int_eq(store_item_set(st, "", 1, NULL), LLM_ERR_ARG);
    const char *v = "x";
    ck_assert_int_eq(store_setting_get(st, "last_lab", &v), LLM_OK);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(store_setting_set(st, "last_lab", "w03.lab05"), LLM_OK);
    ck_assert_int_eq(store_setting_get(st, "last_lab", &v), LLM_OK);
    ck_assert_str_eq(v, "w03.lab05");
    ck_assert_int_eq(store_setting_set(st, "last_lab", NULL), LLM_OK);
    ck_assert_int_eq(store_setting_get(st, "last_lab", &v), LLM_OK);
    ck_assert_ptr_null(v);
    store_close(st);
    ck_assert_str_eq(sql_text("SELECT source FROM checklist WHERE item_id = 'w03.lab05'"), "lab");
}
END_TEST

START_TEST(lab_attempts)
{
    store *st;
    ck_assert_int_eq(store_open(path, &st), LLM_OK);
    int64_t a1, a2, a3;
    ck_assert_int_eq(store_lab_attempt_start(st, "w03.lab05", "student", "h1", &a1), LLM_OK);
    store_step s1 = {"Split words", "ok", 2, 2, "all right", "out"};
    store_step s2 = {"BPE merges", "failed", 1, 3, "merge 2 is wrong", NULL};
    ck_assert_int_eq(store_lab_step_result(st, a1, 1, &s1), LLM_OK);
    ck_assert_int_eq(store_lab_step_result(st, a1, 2, &s2), LLM_OK);
    store_step bad = {"x", "crashed", 0, 0, NULL, NULL};
    ck_assert_int_eq(store_lab_step_result(st, a1, 3, &bad), LLM_ERR_ARG);
    ck_assert_int_eq(store_lab_step_result(st, a1, 0, &s1), LLM_ERR_ARG);
    ck_assert_int_eq(store_lab_attempt_finish(st, a1, 3, 5, 0), LLM_OK);
    ck_assert_int_eq(store_lab_attempt_finish(st, a1, 3, 5, 0), LLM_ERR_STATE);
    ck_assert_int_eq(store_lab_step_result(st, a1, 3, &s1), LLM_ERR_STATE);
    ck_assert_ptr_nonnull(strstr(llm_last_error(), "already finished"));
    ck_assert_int_eq(store_lab_attempt_start(st, "w03.lab05", "student", "h1", &a2), LLM_OK);
    ck_assert_int_eq(store_lab_attempt_finish(st, a2, 5, 5, 1), LLM_OK);
    /* a solution run and an unfinished attempt never count as the student's best */
    ck_assert_int_eq(store_lab_attempt_start(st, "w03.lab05", "solution", "h1", &a3), LLM_OK);
    ck_assert_int_eq(store_lab_attempt_finish(st, a3, 9, 9, 1), LLM_OK);
    int64_t a4;
    ck_assert_int_eq(store_lab_attempt_start(st, "w03.lab05", "student", "h1", &a4), LLM_OK);
    ck_assert_int_eq(store_lab_attempt_start(st, "w03.lab05", "teacher", "h1", &a4), LLM_ERR_ARG);
    rows best = {.col = 1};
    ck_assert_int_eq(store_lab_best(st, "w03.lab05", collect, &best), LLM_OK);
    ck_assert_int_eq(best.n, 1);
    ck_assert_int_eq(atoi(best.first[0]), (int)a2);
    ck_assert_double_eq(best.num[0], 5.0);
    rows none = {0};
    ck_assert_int_eq(store_lab_best(st, "w04.lab08", collect, &none), LLM_OK);
    ck_assert_int_eq(none.n, 0);
    rows steps = {.col = 3};
    ck_assert_int_eq(store_lab_steps_each(st, a1, collect, &steps), LLM_OK);
    ck_assert_int_eq(steps.n, 2);
    ck_assert_double_eq(steps.num[1], 1.0);
    /* hints: the highest level used */
    int level = -1;
    ck_assert_int_eq(store_lab_hint_level(st, "w03.lab05", "bpe_merge", &level), LLM_OK);
    ck_assert_int_eq(level, 0);
    ck_assert_int_eq(store_lab_hint_used(st, "w03.lab05", "bpe_merge", 1), LLM_OK);
    ck_assert_int_eq(store_lab_hint_used(st, "w03.lab05", "bpe_merge", 2), LLM_OK);
    ck_assert_int_eq(store_lab_hint_used(st, "w03.lab05", "bpe_merge", 1), LLM_OK); /* again: no error */
    ck_assert_int_eq(store_lab_hint_level(st, "w03.lab05", "bpe_merge", &level), LLM_OK);
    ck_assert_int_eq(level, 2);
    ck_assert_int_eq(store_lab_hint_used(st, "w03.lab05", "bpe_merge", 0), LLM_ERR_ARG);
    store_close(st);
    ck_assert_str_eq(sql_text("SELECT message FROM lab_steps WHERE step = 2"), "merge 2 is wrong");
    assert_consistent();
}
END_TEST

START_TEST(quizzes)
{
    store *st;
    ck_assert_int_eq(store_open(path, &st), LLM_OK);
    int64_t open = -1, q;
    ck_assert_int_eq(store_quiz_attempt_open(st, 3, "ann", &open), LLM_OK);
    ck_assert_int_eq(open, 0);
    ck_assert_int_eq(store_quiz_attempt_start(st, 3, "ann", 1234, &q), LLM_OK);
    ck_assert_int_eq(store_quiz_attempt_open(st, 3, "ann", &open), LLM_OK);
    ck_assert_int_eq(open, q);
    ck_assert_int_eq(store_quiz_attempt_open(st, 3, "bob", &open), LLM_OK);
    ck_assert_int_eq(open, 0);
    ck_assert_int_eq(store_quiz_answer(st, q, "q1", "b"), LLM_OK);
    ck_assert_int_eq(store_quiz_answer(st, q, "q2", "0.5"), LLM_OK);
    ck_assert_int_eq(store_quiz_answer(st, q, "q1", "c"), LLM_OK); /* changed mind */
    rows ans = {0};
    ck_assert_int_eq(store_quiz_answers_each(st, q, collect, &ans), LLM_OK);
    ck_assert_int_eq(ans.n, 2);
    store_quiz_result res[2] = {{"q1", 2, 2, "right"}, {"q2", 0.5, 1, "partly"}};
    ck_assert_int_eq(store_quiz_attempt_finish(st, q, 2.5, 3, 1, 2, res), LLM_OK);
    ck_assert_int_eq(store_quiz_attempt_finish(st, q, 2.5, 3, 1, 2, res), LLM_ERR_STATE);
    ck_assert_int_eq(store_quiz_answer(st, q, "q1", "a"), LLM_ERR_STATE);
    ck_assert_int_eq(store_quiz_answer(st, 777, "q1", "a"), LLM_ERR_ARG);
    ck_assert_int_eq(store_quiz_attempt_open(st, 3, "ann", &open), LLM_OK);
    ck_assert_int_eq(open, 0);
    int64_t q2;
    ck_assert_int_eq(store_quiz_attempt_start(st, 3, "ann", 1235, &q2), LLM_OK);
    ck_assert_int_eq(store_quiz_attempt_finish(st, q2, 1, 3, 0, 0, NULL), LLM_OK);
    rows best = {.col = 1};
    ck_assert_int_eq(store_quiz_best(st, 3, "ann", collect, &best), LLM_OK);
    ck_assert_int_eq(best.n, 1);
    ck_assert_double_eq(best.num[0], 2.5);
    rows results = {.col = 1};
    ck_assert_int_eq(store_quiz_results_each(st, q, collect, &results), LLM_OK);
    ck_assert_int_eq(results.n, 2);
    ck_assert_str_eq(results.first[1], "q2");
    ck_assert_double_eq(results.num[1], 0.5);
    /* gradebook: replacing a row, one batch apart from another */
    ck_assert_int_eq(store_gradebook_add(st, "w03", "bob", "q1", 0, 2, "wrong"), LLM_OK);
    ck_assert_int_eq(store_gradebook_add(st, "w03", "ann", "q1", 2, 2, "right"), LLM_OK);
    ck_assert_int_eq(store_gradebook_add(st, "w03", "bob", "q1", 1, 2, "regraded"), LLM_OK);
    ck_assert_int_eq(store_gradebook_add(st, "w04", "bob", "q1", 1, 2, NULL), LLM_OK);
    ck_assert_int_eq(store_gradebook_add(st, "w04", "", "q1", 1, 2, NULL), LLM_ERR_ARG);
    rows gb = {.col = 2};
    ck_assert_int_eq(store_gradebook_each(st, "w03", collect, &gb), LLM_OK);
    ck_assert_int_eq(gb.n, 2);
    ck_assert_str_eq(gb.first[0], "ann");
    ck_assert_double_eq(gb.num[1], 1.0);
    store_close(st);
    ck_assert_str_eq(sql_text("SELECT answer FROM quiz_answers WHERE question = 'q1'"), "c");
    assert_consistent();
}
END_TEST

START_TEST(runs)
{
    store *st;
    ck_assert_int_eq(store_open(path, &st), LLM_OK);
    int64_t run;
    ck_assert_int_eq(store_run_start(st, "bigram", "w04.lab09", 42, "host", &run), LLM_OK);
    ck_assert_int_eq(store_run_param(st, run, "lr", "0.1"), LLM_OK);
    ck_assert_int_eq(store_run_manifest(st, run, "seed", "7"), LLM_OK);
    int64_t steps[6] = {1, 1, 2, 2, 3, 3};
    const char *keys[6] = {"loss", "lr", "loss", "lr", "loss", "lr"};
    double values[6] = {3.0, 0.1, 2.0, 0.1, NAN, 0.05};
    ck_assert_int_eq(store_run_log(st, run, 6, steps, keys, values), LLM_OK);
    const char *badkeys[1] = {""};
    ck_assert_int_eq(store_run_log(st, run, 1, steps, badkeys, values), LLM_ERR_ARG);
    ck_assert_int_eq(store_run_log(st, 999, 1, steps, keys, values), LLM_ERR_ARG);
    ck_assert_int_eq(store_run_artifact(st, run, "/tmp/model.safetensors", "abc", 10), LLM_OK);
    rows last = {.col = 4}; /* key, step, value, min, max, count */
    ck_assert_int_eq(store_run_metrics_last(st, run, collect, &last), LLM_OK);
    ck_assert_int_eq(last.n, 2);
    ck_assert_str_eq(last.first[0], "loss");
    ck_assert_double_eq(last.num[0], 3.0); /* max of 3, 2 (NaN stored as NULL) */
    ck_assert_double_eq(last.num[1], 0.1);
    rows all = {0};
    ck_assert_int_eq(store_run_metrics_each(st, run, "lr", collect, &all), LLM_OK);
    ck_assert_int_eq(all.n, 3);
    ck_assert_int_eq(store_run_finish(st, run, "done"), LLM_ERR_ARG);
    ck_assert_int_eq(store_run_finish(st, run, "finished"), LLM_OK);
    ck_assert_int_eq(store_run_log(st, run, 1, steps, keys, values), LLM_ERR_STATE);
    rows list = {.col = 8};
    ck_assert_int_eq(store_runs_each(st, collect, &list), LLM_OK);
    ck_assert_int_eq(list.n, 1);
    ck_assert_double_eq(list.num[0], 3.0); /* three distinct steps */
    store_close(st);
    ck_assert_str_eq(sql_text("SELECT status FROM runs"), "finished");
    ck_assert_str_eq(sql_text("SELECT coalesce(value, 'null') FROM run_metrics WHERE key = 'loss' AND step = 3"), "null");
    assert_consistent();
}
END_TEST

START_TEST(sha256_vectors)
{
    /* FIPS 180-4 examples */
    app_sha256 c;
    char hex[65];
    app_sha256_init(&c);
    app_sha256_update(&c, "abc", 3);
    app_sha256_final_hex(&c, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    app_sha256_init(&c);
    app_sha256_final_hex(&c, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    app_sha256_init(&c);
    for (const char *p = two; *p; p++) app_sha256_update(&c, p, 1); /* byte by byte */
    app_sha256_final_hex(&c, hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* a million 'a' through the file reader */
    snprintf(text_buf, sizeof text_buf, "%s/a.txt", dir);
    FILE *f = fopen(text_buf, "wb");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 1000000; i++) fputc('a', f);
    fclose(f);
    int64_t bytes;
    ck_assert_int_eq(app_sha256_file(text_buf, hex, &bytes), LLM_OK);
    ck_assert_int_eq(bytes, 1000000);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    ck_assert_int_eq(app_sha256_file("/nonexistent/x", hex, &bytes), LLM_ERR_IO);
}
END_TEST

/* ------------------------------------------------------------ SIGKILL mid-write */

static const char *kill_point;
static void kill_at(const char *point)
{
    if (kill_point && strcmp(point, kill_point) == 0) raise(SIGKILL);
}

static void expect_killed(pid_t pid)
{
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child was not killed (status %d)", status);
}

START_TEST(kill_mid_quiz_finish)
{
    store *st;
    int64_t q;
    ck_assert_int_eq(store_open(path, &st), LLM_OK);
    ck_assert_int_eq(store_quiz_attempt_start(st, 5, "ann", 7, &q), LLM_OK);
    ck_assert_int_eq(store_quiz_answer(st, q, "q1", "a"), LLM_OK);
    ck_assert_int_eq(store_quiz_answer(st, q, "q2", "b"), LLM_OK);
    store_close(st);
    for (int round = 0; round < 2; round++) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            kill_point = round == 0 ? "quiz_finish:results" : "quiz_finish:score";
            store_set_test_hook(kill_at);
            store *c;
            if (store_open(path, &c) != LLM_OK) _exit(3);
            store_quiz_result res[10];
            char names[10][8];
            for (int i = 0; i < 10; i++) {
                snprintf(names[i], sizeof names[i], "q%d", i + 1);
                res[i] = (store_quiz_result){names[i], 1, 1, "ok"};
            }
            store_quiz_attempt_finish(c, q, 10, 10, 1, 10, res);
            _exit(0); /* not reached: the hook kills us inside the transaction */
        }
        expect_killed(pid);
        /* Nothing of the finish landed: no results, no score; the answers are there. */
        ck_assert_int_eq(sql_int("SELECT count(*) FROM quiz_results"), 0);
        ck_assert_str_eq(sql_text("SELECT coalesce(finished_at, 'open') FROM quiz_attempts"), "open");
        ck_assert_int_eq(sql_int("SELECT count(*) FROM quiz_answers"), 2);
        assert_consistent();
    }
    /* The attempt resumes and finishes. */
    ck_assert_int_eq(store_open(path, &st), LLM_OK);
    int64_t open;
    ck_assert_int_eq(store_quiz_attempt_open(st, 5, "ann", &open), LLM_OK);
    ck_assert_int_eq(open, q);
    store_quiz_result r1 = {"q1", 1, 1, NULL};
    ck_assert_int_eq(store_quiz_attempt_finish(st, q, 1, 2, 0, 1, &r1), LLM_OK);
    store_close(st);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM quiz_results"), 1);
}
END_TEST

START_TEST(kill_mid_run_log)
{
    store *st;
    int64_t run;
    ck_assert_int_eq(store_open(path, &st), LLM_OK);
    ck_assert_int_eq(store_run_start(st, "train", NULL, 1, "h", &run), LLM_OK);
    store_close(st);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        store *c;
        if (store_open(path, &c) != LLM_OK) _exit(3);
        enum { N = 1000 };
        static int64_t steps[N];
        static const char *keys[N];
        static double values[N];
        for (int i = 0; i < N; i++) {
            steps[i] = i;
            keys[i] = "loss";
            values[i] = 1.0 / (i + 1);
        }
        if (store_run_log(c, run, N, steps, keys, values) != LLM_OK) _exit(4); /* first batch lands */
        for (int i = 0; i < N; i++) steps[i] = N + i;
        kill_point = "run_log:rows";
        store_set_test_hook(kill_at);
        store_run_log(c, run, N, steps, keys, values); /* killed half-way through */
        _exit(0);
    }
    expect_killed(pid);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM run_metrics"), 1000);
    ck_assert_int_eq(sql_int("SELECT max(step) FROM run_metrics"), 999);
    ck_assert_str_eq(sql_text("SELECT status FROM runs"), "running");
    assert_consistent();
}
END_TEST

/* Kill a busy writer at random moments: every quiz attempt is either
 * finished with all its 40 results or open with none. */
START_TEST(kill_at_random_moments)
{
    store *st;
    ck_assert_int_eq(store_open(path, &st), LLM_OK);
    store_close(st);
    srand(12345);
    for (int round = 0; round < 6; round++) {
        int pipefd[2];
        ck_assert_int_eq(pipe(pipefd), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            close(pipefd[0]);
            store *c;
            if (store_open(path, &c) != LLM_OK) _exit(3);
            store_quiz_result res[40];
            char names[40][8];
            for (int i = 0; i < 40; i++) {
                snprintf(names[i], sizeof names[i], "q%02d", i);
                res[i] = (store_quiz_result){names[i], 1, 2, "feedback text for this question"};
            }
            for (;;) {
                int64_t q, lab;
                if (store_quiz_attempt_start(c, 1, "stress", 1, &q) != LLM_OK) _exit(4);
                for (int i = 0; i < 3; i++) store_quiz_answer(c, q, names[i], "x");
                store_quiz_attempt_finish(c, q, 20, 40, 1, 40, res);
                store_lab_attempt_start(c, "w01.lab01", "student", NULL, &lab);
                store_step s = {"step", "ok", 1, 1, "m", "o"};
                store_lab_step_result(c, lab, 1, &s);
                store_lab_attempt_finish(c, lab, 1, 1, 1);
                if (pipefd[1] >= 0) { /* one full round done: the parent may kill us now */
                    if (write(pipefd[1], "r", 1) != 1) _exit(5);
                    close(pipefd[1]);
                    pipefd[1] = -1;
                }
            }
        }
        close(pipefd[1]);
        char ready;
        ck_assert_int_eq(read(pipefd[0], &ready, 1), 1); /* the child has done one round */
        close(pipefd[0]);
        struct timespec ts = {0, (rand() % 60) * 1000000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        expect_killed(pid);
        assert_consistent();
        ck_assert_int_eq(sql_int("SELECT count(*) FROM quiz_attempts a WHERE finished_at IS NOT NULL AND "
                                 "(SELECT count(*) FROM quiz_results r WHERE r.attempt_id = a.id) <> 40"),
                         0);
        ck_assert_int_eq(sql_int("SELECT count(*) FROM quiz_attempts a WHERE finished_at IS NULL AND "
                                 "(SELECT count(*) FROM quiz_results r WHERE r.attempt_id = a.id) <> 0"),
                         0);
        ck_assert_int_eq(sql_int("SELECT count(*) FROM quiz_attempts WHERE finished_at IS NOT NULL AND "
                                 "(points IS NULL OR passed IS NULL)"),
                         0);
        ck_assert_int_eq(sql_int("SELECT count(*) FROM lab_attempts WHERE finished_at IS NOT NULL AND points IS NULL"),
                         0);
    }
    /* The writer did real work before each kill. */
    ck_assert_int_gt(sql_int("SELECT count(*) FROM quiz_attempts WHERE finished_at IS NOT NULL"), 0);
}
END_TEST

/* Two processes writing at once both succeed (busy timeout, BEGIN IMMEDIATE):
 * the UI and a lab run share the file. */
START_TEST(concurrent_writers)
{
    store *st;
    ck_assert_int_eq(store_open(path, &st), LLM_OK);
    store_close(st);
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        ck_assert_int_ge(kids[k], 0);
        if (kids[k] == 0) {
            store *c;
            if (store_open(path, &c) != LLM_OK) _exit(3);
            char id[32];
            for (int i = 0; i < 60; i++) {
                snprintf(id, sizeof id, "p%d.item%03d", k, i);
                if (store_item_set(c, id, 1, NULL) != LLM_OK) _exit(4);
            }
            store_close(c);
            _exit(0);
        }
    }
    for (int k = 0; k < 2; k++) {
        int status;
        ck_assert_int_eq(waitpid(kids[k], &status, 0), kids[k]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d failed (status %d)", k, status);
    }
    ck_assert_int_eq(sql_int("SELECT count(*) FROM checklist WHERE done = 1"), 120);
    assert_consistent();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("store");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, migrates_from_empty);
    tcase_add_test(tc, migrates_from_v1_fixture);
    tcase_add_test(tc, migrates_step_by_step);
    tcase_add_test(tc, refuses_foreign_files);
    tcase_add_test(tc, nested_transactions);
    tcase_add_test(tc, checklist_and_settings);
    tcase_add_test(tc, lab_attempts);
    tcase_add_test(tc, quizzes);
    tcase_add_test(tc, runs);
    tcase_add_test(tc, sha256_vectors);
    tcase_add_test(tc, kill_mid_quiz_finish);
    tcase_add_test(tc, kill_mid_run_log);
    tcase_add_test(tc, kill_at_random_moments);
    tcase_add_test(tc, concurrent_writers);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_ENV);
    int f = srunner_ntests_failed(r);
    srunner_free(r);
    return f != 0;
}
