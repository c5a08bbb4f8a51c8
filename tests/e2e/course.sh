#!/bin/bash
# End-to-end tests of `llmlab lab` and `llmlab quiz` with the real store:
# the demo lab from template to passing with hints and the solution gate,
# a looping exercise, reset, dev-check, new and lint; a quiz taken through a
# pipe and resumed, one killed with SIGKILL mid-quiz, batch grading with
# broken and malicious submissions.
. "$SRCDIR/tests/e2e/lib.sh"
L=$LLMLAB_BIN
T=$E2E_TMP
export XDG_DATA_HOME="$T/xdg"
DB="$T/c.db"
WORK="$XDG_DATA_HOME/llmlab/work/week00/lab00_welcome.lua"
SOL="$SRCDIR/labs/week00/solutions/lab00_welcome.lua"

# ---------------------------------------------------------------- labs
expect_cmd "lab --help" 0 'dev-check' - -- $L lab --help
expect_cmd "lab list" 0 '^0 +w00\.lab00 +- +Welcome' - -- $L --db "$DB" lab list
expect_cmd "lab show renders text" 0 '^Welcome to llmlab$' - -- $L lab show 0
expect_cmd "lab show lists objectives" 0 '^- Read a lab' - -- $L lab show 0
expect_cmd "lab run on the template fails" 1 'FAIL\] step 3 Count words: 0/3' - -- $L --db "$DB" lab run 0
check "lab run created the student's copy" cmp -s "$WORK" "$SRCDIR/labs/week00/exercises/lab00_welcome.lua"
expect_cmd "lab run prints step output" 1 'seed 42 twice gives 0\.[0-9]+ and 0\.[0-9]+' - -- $L --db "$DB" lab run 0
expect_cmd "lab run --solution passes" 0 'w00\.lab00: 6/6 points, 0 steps not passing' - -- $L --db "$DB" lab run 0 --solution --small
expect_cmd "a lab step's run reaches the store" 0 '^1 +welcome +w00\.lab00 +finished +5 ' - -- $L --db "$DB" runs list
expect_cmd "with the step's seed in its manifest" 0 '^  seed +42$' - -- $L --db "$DB" runs show 1
expect_cmd "lab run --step" 1 '^\[FAIL\] step 4 Sentence length' - -- $L --db "$DB" lab run 0 --step 4
expect_cmd "lab run --step out of range" 1 - 'step number from 1 to 5' -- $L lab run 0 --step 9
expect_cmd "lab run unknown lab" 1 - 'there is no lab 42' -- $L lab run 42
expect_cmd "lab hint 1" 0 'Hint 1 of 3' - -- $L --db "$DB" lab hint 0
expect_cmd "lab hint 2 (recorded)" 0 'Hint 2 of 3' - -- $L --db "$DB" lab hint 0
expect_cmd "lab hint for a named exercise" 0 'Hint 1 of 3.*mean_sentence_length' - -- $L --db "$DB" lab hint 0 mean_sentence_length
expect_cmd "lab hint unknown exercise" 1 - "no exercise 'nope'" -- $L --db "$DB" lab hint 0 nope
expect_cmd "lab solution is locked" 1 - 'still failing: mean_sentence_length, word_counts' -- $L --db "$DB" lab solution 0
expect_cmd "lab solution --instructor" 0 'function M\.word_counts' - -- $L --db "$DB" lab solution 0 --instructor

# the student writes a looping mean_sentence_length: step 4 times out, step 5 still runs
sed 's/^function M.mean_sentence_length(text)$/&\n  while true do end/' "$SOL" > "$WORK"
expect_cmd "a looping exercise hits the time limit" 1 \
  '\[TIMEOUT\] step 4 Sentence length: 0/2 - time limit of 5 s exceeded in step 4' - -- $L --db "$DB" lab run 0 --check --small
expect_cmd "the step after a timeout still runs" 1 '\[PASS\] step 5 A bigger text: 1/1' - -- $L --db "$DB" lab run 0 --check --small
cp "$SOL" "$WORK"
expect_cmd "lab run --check on a finished copy" 0 '6/6 points, 0 steps not passing' - -- $L --db "$DB" lab run 0 --check --small
expect_cmd "lab list shows the best score" 0 '^0 +w00\.lab00 +6/6\*' - -- $L --db "$DB" lab list
expect_cmd "lab solution opens after passing" 0 'function M\.mean_sentence_length' - -- $L --db "$DB" lab solution 0
expect_cmd "lab reset" 0 'previous copy is .*\.bak' - -- $L lab reset 0
check "reset restored the template" cmp -s "$WORK" "$SRCDIR/labs/week00/exercises/lab00_welcome.lua"
check "reset kept a backup" cmp -s "$WORK.bak" "$SOL"
last=$($L --db "$DB" eval 'local db = require("llm.store").open(); return db:last_lab()')
check "the last lab is remembered" [ "$last" = "w00.lab00" ]
expect_cmd "lab dev-check one lab" 0 '^RESULT passed=8 failed=0$' - -- $L lab dev-check 0
expect_cmd "lab new" 0 'wrote .*week05/lab77_demo\.lua' - -- $L lab new 5 77 demo --dir "$T/labs"
expect_cmd "lab new refuses to overwrite" 1 - 'already exists' -- $L lab new 5 77 demo --dir "$T/labs"
expect_cmd "a new lab lints clean" 0 'lab77_demo\.lua: ok' - -- $L lab lint "$T/labs/week05/lab77_demo.lua"
expect_cmd "a new lab dev-checks" 0 '^RESULT passed=3 failed=0$' - -- $L lab dev-check "$T/labs/week05/lab77_demo.lua"
printf 'return {\n  id = "w05.lab78",\n  week = 5,\n  title = "x",\n  objectives = {"o"},\n  steps = {\n    { title = "a", run = 3 },\n  },\n}\n' > "$T/labs/week05/lab78_bad.lua"
expect_cmd "lab lint names file and line" 1 - 'lab78_bad\.lua:7: steps\[1\]\.run: `run` must be a function' -- $L lab lint "$T/labs/week05/lab78_bad.lua"
expect_cmd "lab unknown subcommand" 2 - "unknown command 'frob'" -- $L lab frob

# ---------------------------------------------------------------- quizzes
expect_cmd "quiz lint week 1" 0 'week01\.lua: ok' - -- $L quiz lint "$SRCDIR/quizzes/week01.lua"
printf 'return {\n  week = 3,\n  title = "x",\n  questions = {\n    { id = "a", kind = "numeric", points = 1, prompt = "p", explain = "e" },\n  },\n}\n' > "$T/week03.lua"
expect_cmd "quiz lint names file and line" 1 - 'week03\.lua:5: questions\[1\]\.answer: `answer` must be a number' -- $L quiz lint "$T/week03.lua"

# take: three answers, then the input ends; the answers are kept
printf 'a\na b\n12 bytes\n' > "$T/part1"
E2E_STDIN="$T/part1" expect_cmd "quiz take saves partial answers" 0 'answers so far are saved' - -- \
  $L --db "$DB" quiz take 1 --student ann
n=$($L --db "$DB" eval 'local db = require("llm.store").open(); local id = db:quiz_attempt_open(1, "ann"); local n = 0; for _ in pairs(db:quiz_answers(id)) do n = n + 1 end; return n')
check "three answers are in the database" [ "$n" = 3 ]
# resume with the rest (code answers end with a line holding only ".")
{ printf '20000\ncorpus\n'; printf 'x\nc\n'; printf 'bytes\na b c\n'
  printf 'function sentence_lengths(t)\n  local o = {}\n  for p in t:gmatch("[^.!?]+") do\n    local n = 0\n    for _ in p:gmatch("%%S+") do n = n + 1 end\n    if n > 0 then o[#o + 1] = n end\n  end\n  return o\nend\n.\n'
  printf 'function type_token_ratio(t) return 0 end\n.\n'; } > "$T/part2"
E2E_STDIN="$T/part2" expect_cmd "quiz take resumes" 0 'Resuming week 1.s quiz for ann \(3 of 10 answered\)' - -- \
  $L --db "$DB" quiz take 1 --student ann --export "$T/ann.lua"
cp "$E2E_TMP/out" "$T/ann.out"
check "a choice answer out of range is asked again" grep -q "'x' is not one of the choices" "$T/ann.out"
check "the code answer got full marks" grep -q 'sentence-lengths: 3/3' "$T/ann.out"
check "the finished attempt is recorded" [ "$($L --db "$DB" eval 'local b = require("llm.store").open():quiz_best(1, "ann"); return b and string.format("%g", b.max)')" = 16 ]
check "take --export wrote a submission" grep -q 'student = "ann"' "$T/ann.lua"

# SIGKILL in the middle of a quiz: the database stays consistent and the quiz resumes
mkfifo "$T/fifo"
$L --db "$DB" quiz take 2 --student kim < "$T/fifo" > "$T/kill.out" 2>&1 &
pid=$!
exec 7> "$T/fifo"
printf 'a\na\n' >&7
count() { $L --db "$DB" eval 'local db = require("llm.store").open(); local id = db:quiz_attempt_open(2, "kim"); if not id then return 0 end; local n = 0; for _ in pairs(db:quiz_answers(id)) do n = n + 1 end; return n'; }
for _ in $(seq 1 100); do [ "$(count)" = 2 ] && break; sleep 0.1; done
kill -9 $pid
wait $pid 2>/dev/null
exec 7>&-
check "two answers survived the kill" [ "$(count)" = 2 ]
check "the database passes integrity_check" [ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ]
printf '0.5\n5\nnfc\nb\nb\na b c\nfunction strip_html(s) return s end\n.\nfunction jaccard(a, b) return 1 end\n.\n' > "$T/rest"
E2E_STDIN="$T/rest" expect_cmd "the killed quiz resumes where it stopped" 0 '\(2 of 10 answered\)' - -- \
  $L --db "$DB" quiz take 2 --student kim
check "and finishes" grep -q '^Total: ' "$E2E_TMP/out"

expect_cmd "quiz list shows the best score" 0 '^1 +10 +[0-9.]+/16\*? +Introduction to NLP' - -- $L --db "$DB" quiz list --student ann
expect_cmd "quiz list without attempts" 0 '^4 +10 +- +Features' - -- $L --db "$DB" quiz list --student nobody

# batch grading: good, broken and malicious submissions
mkdir -p "$T/subs"
cp "$T/ann.lua" "$T/subs/ann.lua"
printf 'return {student = "bo", week = 1, answers = {apps = "3", zipf = "2e4", ["sentence-lengths"] = "while true do end"}}\n' > "$T/subs/bo.lua"
printf 'return {{{\n' > "$T/subs/broken.lua"
printf 'local s = "x" while true do s = s .. s end\n' > "$T/subs/bomb.lua"
printf 'return {student = "eve", answers = {ttr = "os.execute(\\"touch %s/pwned\\") function type_token_ratio() return 1 end"}}\n' "$T" > "$T/subs/eve.lua"
expect_cmd "quiz grade a batch" 0 '5 submissions graded \(2 broken\)' 'broken\.lua: broken submission: .*broken\.lua:2:' -- \
  $L --db "$DB" quiz grade 1 "$T/subs" --out "$T/grades" --batch b1
check "a memory bomb is reported" grep -q 'bomb.lua: broken submission: memory limit of 32 MB exceeded' "$E2E_TMP/err"
check "the gradebook CSV has a header" grep -q '^student,question,points,max,feedback$' "$T/grades/gradebook.csv"
check "the gradebook has ann's code answer" grep -q '^ann,sentence-lengths,3,3,' "$T/grades/gradebook.csv"
check "a looping answer loses only its question" grep -q '^bo,sentence-lengths,0,3,every test failed: time limit of 2 s' "$T/grades/gradebook.csv"
check "bo's other answers count" grep -q '^bo,apps,1,1,correct' "$T/grades/gradebook.csv"
check "os.execute is not there" grep -q "^eve,ttr,0,3,every test failed: .*field 'execute'" "$T/grades/gradebook.csv"
check "nothing was executed" [ ! -e "$T/pwned" ]
check "feedback files per student" [ -f "$T/grades/feedback/ann.md" ] && [ -f "$T/grades/feedback/broken.md" ]
check "feedback has explanations" grep -q 'Under Zipf' "$T/grades/feedback/bo.md"
rows=$($L --db "$DB" eval 'return #require("llm.store").open():gradebook("b1")')
check "the gradebook is in the database" [ "$rows" = 32 ]
expect_cmd "quiz grade needs submissions" 1 - 'needs submission files' -- $L --db "$DB" quiz grade 1
expect_cmd "quiz of a missing week" 1 - 'no quiz for week 31' -- $L --db "$DB" quiz take 31
expect_cmd "quiz unknown subcommand" 2 - "unknown command 'frob'" -- $L quiz frob

finish
