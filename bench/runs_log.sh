#!/bin/bash
# bench/runs_log.sh [ROWS]: the cost of logging metric rows with llm.runs
# (run:log buffering, one transaction per batch of 1000 rows, WAL) against
# the sqlite3 command-line shell inserting the same rows into the same table
# in one transaction, and Python's sqlite3 module with the same batches of
# 1000 rows (references: SQLite's own speed, without Lua). Milliseconds of
# CPU time of the logging itself (os.clock / time.process_time: nothing
# waits on the disk, as WAL with synchronous=NORMAL does not fsync at
# commit), best of 5; the sqlite3 shell figure is wall-clock and includes
# starting the shell and parsing 10,000 INSERT statements. The target is
# < 100 ms for 10,000 rows. Last line is machine-readable.
set -eu
ROWS=${1:-10000}
here=$(cd "$(dirname "$0")/.." && pwd)
LLMLAB=${LLMLAB_BIN:-$here/llmlab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/log.lua" <<'LUA'
local rows, db_path = tonumber(arg[1]), arg[2]
local function now_ms() return os.clock() * 1000 end
local best = math.huge
for rep = 1, 5 do
  os.remove(db_path); os.remove(db_path .. "-wal"); os.remove(db_path .. "-shm")
  local db = require("llm.store").open(db_path)
  local run = llm.runs.start{name = "bench", params = {lr = 0.1}, db = db}
  local t0 = now_ms()
  for step = 1, rows // 2 do run:log(step, {loss = 1 / step, lr = 0.1}) end
  run:finish()
  local ms = now_ms() - t0
  assert(#db:run_metrics(run.id) == rows // 2 * 2)
  db:close()
  if ms < best then best = ms end
end
print(string.format("%.1f", best))
LUA
ours=$("$LLMLAB" run "$tmp/log.lua" "$ROWS" "$tmp/bench.db")

ref="n/a"
if command -v sqlite3 > /dev/null; then
  {
    echo "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
    echo "CREATE TABLE run_metrics (run_id INTEGER NOT NULL, key TEXT NOT NULL, step INTEGER NOT NULL, value REAL, PRIMARY KEY (run_id, key, step)) WITHOUT ROWID;"
    echo "BEGIN;"
    awk -v n=$((ROWS / 2)) 'BEGIN { for (s = 1; s <= n; s++) { printf "INSERT INTO run_metrics VALUES (1, %s, %d, %.17g);\n", "\"loss\"", s, 1 / s; printf "INSERT INTO run_metrics VALUES (1, %s, %d, 0.1);\n", "\"lr\"", s } }'
    echo "COMMIT;"
  } > "$tmp/ref.sql"
  best=""
  for _ in 1 2 3 4 5; do
    rm -f "$tmp/ref.db"*
    t0=$(date +%s%N)
    sqlite3 "$tmp/ref.db" < "$tmp/ref.sql" > /dev/null
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000 ))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  ref=$(awk -v us="$best" 'BEGIN { printf "%.1f", us / 1000 }')
fi

pyref="n/a"
if command -v python3 > /dev/null && python3 -c 'import sqlite3' 2> /dev/null; then
  pyref=$(python3 - "$ROWS" "$tmp/py.db" <<'PY'
import os, sqlite3, sys, time
rows, path = int(sys.argv[1]), sys.argv[2]
best = float("inf")
for _ in range(5):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix): os.remove(path + suffix)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL"); db.execute("PRAGMA synchronous = NORMAL")
    db.execute("CREATE TABLE run_metrics (run_id INTEGER NOT NULL, key TEXT NOT NULL, step INTEGER NOT NULL, "
               "value REAL, PRIMARY KEY (run_id, key, step)) WITHOUT ROWID")
    t0 = time.process_time()
    batch = []
    for step in range(1, rows // 2 + 1):
        batch.append((1, "loss", step, 1 / step)); batch.append((1, "lr", step, 0.1))
        if len(batch) >= 1000:
            db.execute("BEGIN"); db.executemany("INSERT OR REPLACE INTO run_metrics VALUES (?, ?, ?, ?)", batch)
            db.execute("COMMIT"); batch = []
    if batch:
        db.execute("BEGIN"); db.executemany("INSERT OR REPLACE INTO run_metrics VALUES (?, ?, ?, ?)", batch)
        db.execute("COMMIT")
    best = min(best, (time.process_time() - t0) * 1000)
    db.close()
print("%.1f" % best)
PY
)
fi

printf '%-44s %10s\n' "what ($ROWS metric rows)" "ms (best of 5)"
printf '%-44s %10s\n' "llm.runs: run:log + finish (llmlab)" "$ours"
printf '%-44s %10s\n' "python3 sqlite3, same batches (reference)" "$pyref"
printf '%-44s %10s\n' "sqlite3 shell, one transaction (reference)" "$ref"
printf '%-44s %10s\n' "target" "100"
echo "BENCH runs_log rows=$ROWS ms=$ours ref_python_sqlite3_ms=$pyref ref_sqlite3_shell_ms=$ref target_ms=100"
