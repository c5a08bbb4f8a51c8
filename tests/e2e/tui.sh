# tests/e2e/tui.sh: the workbench UI driven through tmux. llmlab runs in
# a detached tmux session of a fixed size (its own tmux server, so the
# user's sessions are never touched); keys go in with send-keys and the
# screen comes back with capture-pane. Every wait polls the screen for
# the text it expects, with a timeout, rather than sleeping blindly.
. "$SRCDIR/tests/e2e/lib.sh"

if ! command -v tmux > /dev/null; then
    failc "tmux" "tmux is not installed (bootstrap installs it)"
    finish
    exit 1
fi

SOCK="llmlab-e2e-$$"
TMUX_CMD="tmux -L $SOCK -f /dev/null"
export LLMLAB_DB="$E2E_TMP/ui.db"
export XDG_DATA_HOME="$E2E_TMP/xdg"
export LLMLAB_STUDENT=tester
export LLMLAB_LABS="$SRCDIR/tests/e2e/data/labs"
mkdir -p "$XDG_DATA_HOME"
trap '$TMUX_CMD kill-server 2>/dev/null; rm -rf "$E2E_TMP"' EXIT

# start_ui W H [ARGS...]: a fresh session running llmlab. (The new
# session starts before the old one is killed, so the tmux server never
# runs out of sessions and exits under us.)
SESSION_N=0
SESSION=
start_ui() {
    local w=$1 h=$2 old=$SESSION
    shift 2
    SESSION_N=$((SESSION_N + 1))
    SESSION=ui$SESSION_N
    $TMUX_CMD new-session -d -s "$SESSION" -x "$w" -y "$h" \
        "env TERM=screen LLMLAB_STUDENT=tester LLMLAB_DB='$LLMLAB_DB' XDG_DATA_HOME='$XDG_DATA_HOME' LLMLAB_LABS='$LLMLAB_LABS' $UI_ENV '$LLMLAB_BIN' $* 2> '$E2E_TMP/ui.err'; echo UI-EXITED=\$?; cat '$E2E_TMP/ui.err'; sleep 30"
    [ -n "$old" ] && $TMUX_CMD kill-session -t "$old" 2> /dev/null
}

screen() { $TMUX_CMD capture-pane -p -t "$SESSION"; }
keys() { $TMUX_CMD send-keys -t "$SESSION" "$@"; }

# wait_for NAME REGEX [SECONDS]: pass when the screen shows REGEX.
wait_for() {
    local name=$1 re=$2 limit=${3:-10}
    local end=$(($(date +%s%N) / 1000000 + limit * 1000))
    while [ "$(($(date +%s%N) / 1000000))" -lt "$end" ]; do
        if screen | grep -Eq -- "$re"; then
            pass "$name"
            return 0
        fi
        sleep 0.05
    done
    failc "$name" "the screen never showed /$re/ in ${limit}s; it shows:
$(screen)
stderr: $(head -c 600 "$E2E_TMP/ui.err" 2> /dev/null)"
    return 1
}

# wait_gone NAME REGEX: pass when REGEX has left the screen.
wait_gone() {
    local name=$1 re=$2 limit=${3:-10}
    local end=$(($(date +%s%N) / 1000000 + limit * 1000))
    while [ "$(($(date +%s%N) / 1000000))" -lt "$end" ]; do
        if ! screen | grep -Eq -- "$re"; then
            pass "$name"
            return 0
        fi
        sleep 0.05
    done
    failc "$name" "the screen still shows /$re/ after ${limit}s:
$(screen)"
    return 1
}

db_eval() { LLMLAB_DB="$LLMLAB_DB" "$LLMLAB_BIN" eval "$1" 2>&1; }

# ---------------------------------------------------------------- not a terminal
expect_cmd "no arguments and no terminal: the command-line help" 0 'usage: llmlab' - -- "$LLMLAB_BIN"
expect_cmd "--plain prints the help" 0 'commands:' - -- "$LLMLAB_BIN" --plain
expect_cmd "ui refuses to run without a terminal" 2 - 'needs a terminal' -- "$LLMLAB_BIN" ui

# ---------------------------------------------------------------- course screen
start_ui 100 30
wait_for "course screen opens with the outline" 'Module I +Foundations of NLP'
wait_for "the overall gauge is shown" 'Course progress 0/[0-9]+ \(0%\)'
wait_for "week 1 is open on a new start" 'Week 1 +Introduction to NLP'
wait_for "the week's labs are listed" 'Lab 1: Explore different text data'
wait_for "the status line names the main keys" 'Enter opens .* c checklist'
check "with colours the screen has colour escapes" sh -c "$TMUX_CMD capture-pane -e -p -t \$0 | grep -q '\[4[0-7]m'" "$SESSION"

keys '?'
wait_for "? shows the help generated from the key table" 'cancel the running step'
keys G
wait_for "help scrolls to the lab keys" 'edit the exercise in \$VISUAL/\$EDITOR'
keys q
wait_for "q leaves the help" 'Course progress'

wait_for "a newcomer's cursor is on the welcome lab" 'Lab 0: Welcome: how a lab works'
wait_for "its details say Enter opens it" 'Enter opens the lab'

# ---------------------------------------------------------------- checklist
keys / w01.t01 Enter
wait_for "search finds a topic" 'found: w01.t01'
keys c
wait_for "c opens the week's checklist" 'Week 1 checklist'
wait_for "items start unticked" '\[ \] Learn about NLP and its applications'
keys Space
wait_for "Space ticks the item" '\[x\] Learn about NLP and its applications'
check "the tick is saved in the database" test "$(db_eval 'print(require("llm.store").open():is_checked("w01.t01"))')" = true
keys j Space Space
wait_for "Space twice unticks again" '\[ \] Understand text as data'
check "the untick is saved too" test "$(db_eval 'print(require("llm.store").open():is_checked("w01.t02"))')" = false
keys q
wait_for "the course gauge counts the tick" 'Course progress 1/[0-9]+'

# ---------------------------------------------------------------- search
keys / 'Lab 2' Enter
wait_for "/ finds a course item" 'found: w01.lab02'

# ---------------------------------------------------------------- resize
$TMUX_CMD resize-window -t "$SESSION" -x 60 -y 20
wait_for "below 80x24 a clear message" 'needs a 80x24 terminal; this one is 60x20'
$TMUX_CMD resize-window -t "$SESSION" -x 100 -y 30
wait_for "back to 100x30 the course screen returns" 'Course progress 1/'

# ---------------------------------------------------------------- lab screen
keys / 'w01.lab01' Enter
wait_for "search moves to lab 1" 'found: w01.lab01'
keys Enter
wait_for "Enter opens the lab" 'Lab 1: UI test lab'
wait_for "the step text is rendered markdown" 'This step prints a line and draws a loss plot'
wait_for "the step's code is shown" 'print\("hello from the step"\)'
keys r
wait_for "running the step streams its output" 'hello from the step'
wait_for "the step's plot is drawn" 'uitest loss'
wait_for "the check result has points" 'Check passed +2/2 points'
keys s
wait_for "s saves the plot" 'plot saved: .*w01\.lab01-step1-1\.png'
check "the saved plot is a PNG" sh -c "head -c 8 '$XDG_DATA_HOME/llmlab/plots/w01.lab01-step1-1.png' | od -c | grep -q 'P   N   G'"
keys H
wait_for "H shows the hint" 'The answer is forty-two'
check "the last lab is remembered" test "$(db_eval 'print(require("llm.store").open():last_lab())')" = w01.lab01

# ---------------------------------------------------------------- REPL
keys :
keys 'x = 6 * 7' Enter
keys 'print(x + #lab.steps)' Enter
wait_for "the Lua prompt runs in the lab's environment" '│45 '
keys 'for i = 1, 2 do' Enter
wait_for "an unfinished statement continues" '>> '
keys 'print("loop", i) end' Enter
wait_for "the multi-line statement runs" 'loop	2|loop +2'
keys 'local t = nil; print(t.x)' Enter
wait_for "an error shows file:line and a short traceback" '! repl:1: attempt to index a nil value'
check "the traceback leaves out the worker's own frames" sh -c "! $TMUX_CMD capture-pane -p -t \$0 | grep -q 'worker.lua'" "$SESSION"
keys 'llm.plo' Tab
wait_for "Tab completes llm. names" '> llm\.plot'
keys C-u Escape

# ---------------------------------------------------------------- cancel
keys n
wait_for "n moves to the next step" 'Step 2/3: Spin'
keys r
wait_for "a long step streams while it runs" 'tick 2'
wait_for "the gauge shows its progress" 'spinning \['
wait_for "the plot updates live" 'live curve'
keys x
wait_for "x cancels the step" 'step 2 cancelled'
wait_gone "the gauge goes away" 'spinning \['
keys n r
wait_for "an error in a step names the file and line" '┃ week01/lab01_uitest\.lua:[0-9]+: attempt'
wait_for "the step pane says it failed" '^┃ Error +┃'
keys p p r
wait_for "after a cancel the next run works" 'Check passed +2/2 points'

# ---------------------------------------------------------------- quit
keys n r
wait_for "a second long run starts" 'tick 1'
keys q
wait_for "q while running asks first" 'Leave the lab and cancel it\? \(y/n\)'
keys y
wait_for "y leaves the lab" 'Course progress'
keys q
wait_for "q on the course screen quits" 'UI-EXITED=0'

# ---------------------------------------------------------------- resume
start_ui 100 30
wait_for "llmlab reopens at the last lab" 'Lab 1: UI test lab'
wait_for "at the step the student was on" 'Step 2/3: Spin'
keys : Up
wait_for "the Lua prompt's history survived the restart" '> local t = nil; print\(t\.x\)'
keys C-u Escape p
keys q
wait_for "q goes back to the course" 'Course progress'
keys q
wait_for "and quits" 'UI-EXITED=0'

# ---------------------------------------------------------------- quiz
start_ui 100 30
wait_for "the UI is up again" 'Lab 1: UI test lab'
keys q / 'w01.t04' Enter
wait_for "back on week 1" 'found: w01.t04'
keys Q
wait_for "Q opens the week's quiz" 'Question 1 of [0-9]+ +\(choice, 1 point\)'
# Choices are shuffled per student: find where the right one is shown.
pos=$(screen | grep -E '^┃ [> ] \( \) ' | grep -n 'Removing noise from a photograph' | cut -d: -f1)
for _ in $(seq 2 "${pos:-1}"); do keys j; done
keys Space
wait_for "Space chooses the option" '> \(\*\) Removing noise from a photograph'
check "the answer is saved at once" test "$(db_eval 'local db = require("llm.store").open(); local a = db:quiz_attempt_open(1, "tester"); a = type(a) == "table" and a.id or a; print(db:quiz_answers(a).apps)')" = 3
keys n n Enter 1 2 Enter
wait_for "a numeric answer is typed in" 'Answer: 12'
keys s
wait_for "submitting with questions left asks first" 'not answered\. Submit anyway\? \(y/n\)'
keys y
wait_for "the score is shown" 'Score 2/[0-9]+ \([0-9]+%\): not passed'
wait_for "each question's points and feedback" '1\. apps +1/1'
wait_for "and the explanations" 'Denoising a photograph works on pixels'
check "the attempt is recorded" test "$(db_eval 'print(("%g"):format(require("llm.store").open():quiz_best(1, "tester").points))')" = 2
keys q
wait_for "the course tree shows the quiz's best score" 'Week 1 quiz +best 2/[0-9]+'
keys q q
wait_for "quits from the course" 'UI-EXITED=0'

# ---------------------------------------------------------------- edit and re-check (the welcome lab)
UI_ENV="EDITOR='cp $SRCDIR/labs/week00/solutions/lab00_welcome.lua'" start_ui 100 30 ui --lab w00.lab00
wait_for "--lab opens the welcome lab" 'Lab 0: Welcome: how a lab works'
keys n n
wait_for "step 3 has an exercise" 'Step 3/5: Count words'
keys r
wait_for "the untouched exercise fails its check" 'Check failed +0/3 points'
keys p r
wait_for "step 2 runs" 'seed 42 twice gives'
wait_for "and finishes" 'step 2: done'
check "the run it logged is in the database" test "$(db_eval 'for _, r in ipairs(require("llm.store").open():runs()) do if r.name == "welcome" then print(r.lab) end end')" = w00.lab00
keys n
wait_for "the step names its exercise" 'Exercise word_counts'
keys H
wait_for "H shows the exercise's first hint" 'Hint 1/3'
check "the hint is recorded" test "$(db_eval 'print(require("llm.store").open():lab_hint_level("w00.lab00", "word_counts"))')" = 1
keys e
wait_for "e edits the exercise and re-checks it" 'Check passed +3/3 points'
check "the student's copy was edited" grep -q 'counts\[w\]' "$XDG_DATA_HOME/llmlab/work/week00/lab00_welcome.lua"
keys q q
wait_for "and quits" 'UI-EXITED=0'

# ---------------------------------------------------------------- runs
db_eval 'for r = 1, 2 do
  local run = llm.runs.start { name = "bigram" .. r, params = { lr = 0.1 * r } }
  for s = 1, 20 do run:log(s, { loss = 3 / (s * r) }) end
  run:finish()
end' > /dev/null
start_ui 100 30
wait_for "the UI is up for runs" 'Step [0-9]+/'
keys q R
wait_for "R lists the runs" 'bigram2 .*finished +20 +0\.075'
keys Space j Space Enter
wait_for "two selected runs are compared in one plot" 'comparing 2 run\(s\)'
wait_for "the plot has both curves' names" '#[0-9]+ bigram2'
wait_for "and the other one" '#[0-9]+ bigram1'
keys q q
wait_for "quits after runs" 'UI-EXITED=0'

# ---------------------------------------------------------------- no colour, ASCII
UI_ENV="NO_COLOR=1 LLMLAB_ASCII=1" start_ui 100 30
wait_for "ASCII mode draws boxes with + - |" '^\+ Step [0-9]+/[0-9]+: [^-]+ -+\+'
check "NO_COLOR: no colour escapes at all" sh -c "! $TMUX_CMD capture-pane -e -p -t \$0 | grep -q '\[3[0-7]m\|\[4[0-7]m'" "$SESSION"
check "ASCII mode has no box-drawing characters" sh -c "! $TMUX_CMD capture-pane -p -t $SESSION | grep -q '[┃━│─]'"
keys q q
wait_for "and it quits cleanly" 'UI-EXITED=0'

# ---------------------------------------------------------------- SIGTERM while a step runs
start_ui 100 30 ui --lab w01.lab01
wait_for "the lab opens for the SIGTERM test" 'Lab 1: UI test lab'
keys g
for _ in 1 2 3; do keys p; done
keys n r
wait_for "the long step runs" 'tick 1'
# children of a process named llmlab, from /proc (no procps needed)
llmlab_children() {
    for c in $(cat /proc/"$1"/task/*/children 2> /dev/null); do
        [ "$(cat /proc/"$c"/comm 2> /dev/null)" = llmlab ] && printf '%s ' "$c"
    done
}
shell_pid=$($TMUX_CMD list-panes -t "$SESSION" -F '#{pane_pid}')
ui_pid=$(llmlab_children "$shell_pid" | cut -d' ' -f1)
step_pids=$(llmlab_children "$ui_pid")
check "the step runs in a child process of the UI" test -n "$step_pids"
kill -TERM "$ui_pid"
wait_for "SIGTERM ends the UI cleanly" 'UI-EXITED=0'
check "and the step's process is gone" sh -c "for p in $step_pids; do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"

# ---------------------------------------------------------------- a lab that does not exist
start_ui 100 30 ui --lab w99.lab99
wait_for "--lab with an unknown id says so on the course screen" "there is no lab 'w99.lab99'"
keys q
wait_for "quits" 'UI-EXITED=0'

# ---------------------------------------------------------------- an unusable terminal
UI_ENV="TERM=dumb" start_ui 100 30 ui
wait_for "TERM=dumb: a clear message instead of the UI" 'cannot start the terminal UI on this terminal \(TERM=dumb\)'
UI_ENV="TERM=dumb" start_ui 100 30 ""
wait_for "llmlab with no command on a dumb terminal prints the help" 'usage: llmlab'
UI_ENV="TERM=no-such-terminal" start_ui 100 30 ui
wait_for "an unknown TERM: the same message, no crash" 'UI-EXITED=1'

# ---------------------------------------------------------------- a monochrome terminal
UI_ENV="TERM=vt100" start_ui 100 30
wait_for "a terminal without colours still shows the lab" 'Step [0-9]+/[0-9]+: '
check "and uses no colour escapes" sh -c "! $TMUX_CMD capture-pane -e -p -t \$0 | grep -q '\[3[0-7]m\|\[4[0-7]m'" "$SESSION"
keys q q
wait_for "quits on vt100 too" 'UI-EXITED=0'

finish
