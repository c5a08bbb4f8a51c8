-- A database as llmlab's first schema (user_version 1) left it, with some
-- progress in it: tests/unit/test_store.c opens it with the current store
-- and checks that the upgrade keeps every row and adds the newer tables.
-- (Frozen: do not edit when the schema changes; add a new fixture instead.)
PRAGMA application_id = 1280068940;
CREATE TABLE checklist (
  item_id TEXT PRIMARY KEY,
  done INTEGER NOT NULL CHECK (done IN (0, 1)),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE lab_attempts (
  id INTEGER PRIMARY KEY,
  lab_id TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('student', 'solution')),
  lab_hash TEXT,
  started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  finished_at TEXT,
  points REAL, max REAL, passed INTEGER);
CREATE INDEX lab_attempts_by_lab ON lab_attempts (lab_id);
CREATE TABLE lab_steps (
  attempt_id INTEGER NOT NULL REFERENCES lab_attempts (id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  title TEXT,
  status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'error', 'timeout', 'memory')),
  points REAL, max REAL, message TEXT, output TEXT,
  PRIMARY KEY (attempt_id, step));
CREATE TABLE lab_hints (
  lab_id TEXT NOT NULL, exercise TEXT NOT NULL, level INTEGER NOT NULL,
  used_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  PRIMARY KEY (lab_id, exercise, level));
CREATE TABLE quiz_attempts (
  id INTEGER PRIMARY KEY,
  week INTEGER NOT NULL, student TEXT NOT NULL, seed INTEGER NOT NULL,
  started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  finished_at TEXT, points REAL, max REAL);
CREATE TABLE quiz_answers (
  attempt_id INTEGER NOT NULL REFERENCES quiz_attempts (id) ON DELETE CASCADE,
  question TEXT NOT NULL, answer TEXT NOT NULL,
  saved_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  PRIMARY KEY (attempt_id, question));
CREATE TABLE quiz_results (
  attempt_id INTEGER NOT NULL REFERENCES quiz_attempts (id) ON DELETE CASCADE,
  question TEXT NOT NULL, points REAL NOT NULL, max REAL NOT NULL, feedback TEXT,
  PRIMARY KEY (attempt_id, question));
CREATE TABLE gradebook (
  batch TEXT NOT NULL, student TEXT NOT NULL, question TEXT NOT NULL,
  points REAL NOT NULL, max REAL NOT NULL, feedback TEXT,
  graded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  PRIMARY KEY (batch, student, question));
INSERT INTO checklist (item_id, done, updated_at) VALUES
  ('w01.t01', 1, '2026-01-05T10:00:00.000Z'),
  ('w01.t02', 1, '2026-01-05T10:01:00.000Z'),
  ('w01.lab01', 0, '2026-01-06T09:00:00.000Z');
INSERT INTO settings VALUES ('last_lab', 'w01.lab02');
INSERT INTO lab_attempts (id, lab_id, mode, lab_hash, started_at, finished_at, points, max, passed) VALUES
  (1, 'w01.lab02', 'student', 'aa11', '2026-01-07T09:00:00.000Z', '2026-01-07T09:05:00.000Z', 7, 10, 1);
INSERT INTO lab_steps VALUES (1, 1, 'Count words', 'ok', 7, 10, 'good', 'the 12');
INSERT INTO lab_hints (lab_id, exercise, level) VALUES ('w01.lab02', 'count', 1);
INSERT INTO quiz_attempts (id, week, student, seed, started_at, finished_at, points, max) VALUES
  (1, 1, 'ann', 99, '2026-01-08T09:00:00.000Z', '2026-01-08T09:20:00.000Z', 8, 10),
  (2, 1, 'bob', 98, '2026-01-08T09:00:00.000Z', '2026-01-08T09:20:00.000Z', 4, 10),
  (3, 2, 'ann', 97, '2026-01-15T09:00:00.000Z', NULL, NULL, NULL);
INSERT INTO quiz_answers (attempt_id, question, answer) VALUES (1, 'q1', 'b'), (3, 'q1', 'a');
INSERT INTO quiz_results VALUES (1, 'q1', 8, 10, 'right');
PRAGMA user_version = 1;
