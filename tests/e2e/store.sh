#!/bin/bash
# End-to-end tests of the database commands: llmlab course, progress
# (check/uncheck/import/export, byte for byte against the outline's
# checklist half), runs (list/show/compare/metrics), the --db option and
# LLMLAB_DB, bad input, and a training script killed with SIGKILL.
. "$SRCDIR/tests/e2e/lib.sh"
L=$LLMLAB_BIN
T=$E2E_TMP
FIX="$SRCDIR/tests/e2e/data/course-checklist.md"
export LLMLAB_DB="$T/env.db"

expect_cmd "progress --help" 0 'usage: llmlab progress' - -- $L progress --help
expect_cmd "progress on a new database" 0 '^Progress: 0 of 237 items \(0%\)' - -- $L progress
check "LLMLAB_DB names the database" test -f "$T/env.db"
expect_cmd "progress lists every module" 0 '^Module XII: Advanced Topics and Future Directions +0/' - -- $L progress
expect_cmd "progress lists week 33" 0 'Week 33: Capstone Project & Future Directions' - -- $L progress

# --db before and after the command; it wins over LLMLAB_DB
expect_cmd "--db before the command" 0 'imported 237 items .*: 2 ticked, 235 not' - -- $L --db "$T/a.db" progress import "$FIX"
expect_cmd "--db after the command" 0 '^Progress: 2 of 237' - -- $L progress --db "$T/a.db"
expect_cmd "--db=PATH form" 0 '^Progress: 2 of 237' - -- $L progress --db="$T/a.db"
expect_cmd "LLMLAB_DB untouched by --db" 0 '^Progress: 0 of 237' - -- $L progress
expect_cmd "--db without a path" 2 - '--db needs a path' -- $L progress --db

# export reproduces the outline's checklist byte for byte
$L --db "$T/a.db" progress export > "$T/export.md"
check "export equals the outline's checklist half" cmp -s "$T/export.md" "$FIX"
expect_cmd "export -o FILE" 0 - - -- $L --db "$T/a.db" progress export -o "$T/export2.md"
check "export -o writes the same bytes" cmp -s "$T/export2.md" "$FIX"
expect_cmd "export with a stray argument" 2 - 'export takes only -o FILE' -- $L --db "$T/a.db" progress export now

# tick, untick; the export changes only in the ticks
expect_cmd "check two items" 0 '^\[x\] w03\.lab05 Lab 5: Implement different tokenization' - -- $L --db "$T/a.db" progress check w03.lab05 w08.t02.3
expect_cmd "uncheck an item" 0 '^\[ \] w01\.t02 ' - -- $L --db "$T/a.db" progress uncheck w01.t02
$L --db "$T/a.db" progress export > "$T/export3.md"
check "ticks changed" test "$(diff "$T/export3.md" "$FIX" | grep -c '^<')" = 3
check "only the ticks changed" cmp -s <(sed 's/- \[x\] /- [ ] /' "$T/export3.md") <(sed 's/- \[x\] /- [ ] /' "$FIX")
expect_cmd "progress shows the week" 0 'Week  3: Tokenization & Text Normalization +1/16 +6%' - -- $L --db "$T/a.db" progress
expect_cmd "progress --week" 0 '\[x\] w08\.t02\.3 ' - -- $L --db "$T/a.db" progress --week 8
expect_cmd "progress --week 34" 2 - 'there is no week 34' -- $L --db "$T/a.db" progress --week 34
expect_cmd "check an unknown item" 1 - "unknown item 'w03\.lab99' \(week 3 has w03\.t01" -- $L --db "$T/a.db" progress check w03.lab99
expect_cmd "check nothing" 2 - 'needs at least one item id' -- $L --db "$T/a.db" progress check
expect_cmd "unknown subcommand" 2 - "unknown subcommand 'tick'" -- $L --db "$T/a.db" progress tick w01.t01

# import: the export round-trips; bad files are reported with line numbers, nothing changes
cp "$T/export3.md" "$T/b-in.md"
expect_cmd "import an export" 0 ': 3 ticked, 234 not' - -- $L --db "$T/b.db" progress import "$T/b-in.md"
$L --db "$T/b.db" progress export > "$T/b-out.md"
check "import then export round-trips" cmp -s "$T/b-out.md" "$T/b-in.md"
sed 's/Learn about lowercasing: converting text to lowercase\./Learn about uppercasing./' "$FIX" > "$T/bad.md"
expect_cmd "import names the bad line" 1 - 'bad\.md:31: not an item of week 3: Learn about uppercasing\.' -- $L --db "$T/b.db" progress import "$T/bad.md"
$L --db "$T/b.db" progress export > "$T/b-out2.md"
check "a rejected import changes nothing" cmp -s "$T/b-out2.md" "$T/b-in.md"
expect_cmd "import a missing file" 1 - 'cannot open .*nope\.md' -- $L --db "$T/b.db" progress import "$T/nope.md"
printf '\377\376 not text\n' > "$T/binary.md"
expect_cmd "import a binary file" 1 - 'not valid UTF-8' -- $L --db "$T/b.db" progress import "$T/binary.md"
printf 'hello\n' > "$T/empty.md"
expect_cmd "import a file without items" 1 - 'no checklist items found' -- $L --db "$T/b.db" progress import "$T/empty.md"

# course
expect_cmd "course --help" 0 'usage: llmlab course' - -- $L course --help
expect_cmd "course shows the outline" 0 '^Module I: Foundations of Natural Language Processing \(NLP\) and Text Data' - -- $L --db "$T/a.db" course
expect_cmd "course shows ticks" 0 '\[x\] Lab 5: Implement different tokenization' - -- $L --db "$T/a.db" course --week 3
expect_cmd "course --ids" 0 '\[ \] w33\.capstone +Capstone Project: Build and deploy' - -- $L --db "$T/a.db" course --week 33 --ids
expect_cmd "course --module" 0 'Week 17: Understanding LoRA' - -- $L --db "$T/a.db" course --module vii
expect_cmd "course --week 0" 2 - 'week number from 1 to 33' -- $L course --week 0
expect_cmd "course bad argument" 2 - "unknown argument '--wek'" -- $L course --wek 3
cat > "$T/lab.lua" <<'LUA'
local db = require("llm.store").open()
local a = db:lab_attempt_start("w03.lab06", {lab_hash = "x"})
db:lab_attempt_finish(a, {points = 7, max = 10, passed = true})
db:close()
LUA
expect_cmd "a passed lab attempt (via --db)" 0 - - -- $L --db "$T/a.db" run "$T/lab.lua"
expect_cmd "course shows the lab's best score" 0 '\[x\] Lab 6: .*\[best 7/10, passed\]' - -- $L --db "$T/a.db" course --week 3
cat > "$T/quiz.lua" <<'LUA'
local db = require("llm.store").open()
local q = db:quiz_attempt_start(3, nil, 1)
db:quiz_attempt_finish(q, {points = 9, max = 12, results = {{question = "q1", points = 9, max = 12}}})
db:close()
LUA
expect_cmd "a passed quiz" 0 - - -- $L --db "$T/a.db" run "$T/quiz.lua"
expect_cmd "course shows the quiz score" 0 'Week 3: Tokenization & Text Normalization  \(15/16\)  \[quiz best 9/12\]' - -- $L --db "$T/a.db" course --week 3
expect_cmd "a passed quiz ticked the week's topics" 0 'Week  3: Tokenization & Text Normalization +15/16 +93%' - -- $L --db "$T/a.db" progress

# runs
expect_cmd "runs on a new database" 0 '^no runs yet' - -- $L --db "$T/r.db" runs
cat > "$T/train.lua" <<'LUA'
local lr = tonumber(arg[1])
local run = llm.runs.start{name = "toy", params = {lr = lr, steps = 50}}
local loss = 4
for step = 1, 50 do
  loss = loss * (1 - lr)
  run:log(step, {loss = loss, lr = lr})
end
run:artifact(arg[0])
run:finish()
print("run " .. run.id)
LUA
expect_cmd "a training script records a run" 0 '^run 1$' - -- $L --db "$T/r.db" run "$T/train.lua" 0.1
expect_cmd "a second run" 0 '^run 2$' - -- $L --db "$T/r.db" run "$T/train.lua" 0.05
expect_cmd "runs list" 0 '^2 +toy +- +finished +50 ' - -- $L --db "$T/r.db" runs list
expect_cmd "runs show: params" 0 '^  lr +0\.1$' - -- $L --db "$T/r.db" runs show 1
expect_cmd "runs show: final loss" 0 '^  loss +0\.0206151 +50 ' - -- $L --db "$T/r.db" runs show 1
expect_cmd "runs show: manifest" 0 '^  llmlab_version +[0-9]+\.[0-9]+\.[0-9]+$' - -- $L --db "$T/r.db" runs show 1
expect_cmd "runs show: artifact" 0 'train\.lua +[0-9]+ bytes +sha256 [0-9a-f]{64}' - -- $L --db "$T/r.db" runs show 2
expect_cmd "runs compare" 0 '^param lr +0\.1 +0\.05$' - -- $L --db "$T/r.db" runs compare 1 2
expect_cmd "runs compare final" 0 '^final loss +0\.0206151 +0\.30778$' - -- $L --db "$T/r.db" runs compare 1 2
expect_cmd "runs metrics CSV" 0 '^1,loss,3\.6000000000000001$' - -- $L --db "$T/r.db" runs metrics 1 loss
expect_cmd "runs show a missing run" 1 - 'there is no run 9' -- $L --db "$T/r.db" runs show 9
expect_cmd "runs compare needs two" 2 - 'compare needs two run ids' -- $L --db "$T/r.db" runs compare 1
expect_cmd "runs show a bad id" 2 - "'x' is not a run id" -- $L --db "$T/r.db" runs show x
expect_cmd "runs unknown subcommand" 2 - "unknown subcommand 'delete'" -- $L --db "$T/r.db" runs delete 1

# a training script killed with SIGKILL: the database stays readable, the run shows as died
cat > "$T/forever.lua" <<'LUA'
local run = llm.runs.start{name = "forever", params = {lr = 0.1}, flush_rows = 100}
local step = 0
while true do
  step = step + 1
  run:log(step, {loss = 1 / step})
  if step == 1000 then io.stdout:write("ready\n"); io.stdout:flush() end
end
LUA
$L --db "$T/k.db" run "$T/forever.lua" > "$T/forever.out" &
pid=$!
for _ in $(seq 1 300); do grep -q ready "$T/forever.out" 2>/dev/null && break; sleep 0.1; done
kill -9 $pid
wait $pid 2>/dev/null
expect_cmd "a killed run shows as died" 0 '^1 +forever +- +died +[0-9]+ ' - -- $L --db "$T/k.db" runs list
expect_cmd "a killed run keeps its flushed metrics" 0 '^  loss +' - -- $L --db "$T/k.db" runs show 1

# files that are not llmlab databases
printf 'just text, not a database at all, long enough for sqlite to look at it\n' > "$T/text.db"
expect_cmd "a text file as --db" 1 - 'is not an llmlab database' -- $L --db "$T/text.db" progress
expect_cmd "a folder that cannot be made" 1 - 'cannot create folder' -- $L --db /proc/nope/x.db progress

finish
