# tests/e2e/labs_module1.sh: the Module I labs (1-10) end to end, as CI and
# a student run them: every lab's checks pass headless against its
# reference solution at the small size; a passed student attempt ticks the
# week's checklist item; and the workbench UI opens lab 5 and runs a step.
# Needs the default data set (bootstrap fetches it).
. "$SRCDIR/tests/e2e/lib.sh"
L="$LLMLAB_BIN"
# the corpora stay where bootstrap put them (found before XDG_DATA_HOME moves)
export LLMLAB_DATA="${LLMLAB_DATA:-${XDG_DATA_HOME:-${HOME:-.}/.local/share}/llmlab/data}"
export XDG_DATA_HOME="$E2E_TMP/xdg"
export LLMLAB_DB="$E2E_TMP/m1.db"
mkdir -p "$XDG_DATA_HOME"

ids="01:w01.lab01 02:w01.lab02 03:w02.lab03 04:w02.lab04 05:w03.lab05 06:w03.lab06 07:w03.lab07 08:w04.lab08 09:w04.lab09 10:w04.lab10"

# ---------------------------------------------------------------- every lab, headless
for pair in $ids; do
    n=${pair%%:*}
    id=${pair#*:}
    expect_cmd "lab $n passes its checks with the reference solution" 0 "$id: [0-9.]+/[0-9.]+ points, 0 steps not passing" - -- \
        $L lab run "$((10#$n))" --check --solution --small
done

# ---------------------------------------------------------------- the checklist ticks
db_eval() { "$L" eval "$1" 2>&1; }
check "lab items of weeks 1-4 start unticked" test "$(db_eval 'local s = require("llm.store").open(); return tostring(s:is_checked("w03.lab05")) .. tostring(s:is_checked("w04.lab09"))')" = falsefalse
for pair in "05:week03/lab05_tokenizers:w03.lab05" "09:week04/lab09_ngram:w04.lab09"; do
    n=${pair%%:*}
    rest=${pair#*:}
    file=${rest%%:*}
    id=${rest#*:}
    mkdir -p "$XDG_DATA_HOME/llmlab/work/$(dirname "$file")"
    cp "$SRCDIR/labs/$(dirname "$file")/solutions/$(basename "$file").lua" "$XDG_DATA_HOME/llmlab/work/$file.lua"
    expect_cmd "a student's passing attempt at lab $n" 0 "$id: .*0 steps not passing" - -- $L lab run "$((10#$n))" --check --small
    check "it ticks $id" test "$(db_eval "return tostring(require('llm.store').open():is_checked('$id'))")" = true
done
check "an untried lab stays unticked" test "$(db_eval 'return tostring(require("llm.store").open():is_checked("w01.lab01"))')" = false
rm -f "$XDG_DATA_HOME/llmlab/work/week04/lab09_ngram.lua"
cp "$SRCDIR/labs/week04/exercises/lab09_ngram.lua" "$XDG_DATA_HOME/llmlab/work/week04/lab09_ngram.lua"
expect_cmd "the untouched template fails lab 9's checks" 1 'w04.lab09: .*steps? not passing' - -- $L lab run 9 --check --small

# ---------------------------------------------------------------- lab 5 in the UI
if command -v tmux > /dev/null; then
    tmux_start ui 110 34 "env TERM=screen LLMLAB_STUDENT=tester LLMLAB_DB='$LLMLAB_DB' XDG_DATA_HOME='$XDG_DATA_HOME' LLMLAB_DATA='$LLMLAB_DATA' '$L' ui --lab w03.lab05 2> '$E2E_TMP/ui.err'; echo UI-EXITED=\$?; sleep 30"
    expect_screen "the UI opens lab 5" ui 'Lab 5: Tokenisation: words, BPE and GPT-2' 20
    expect_screen "at its first step" ui 'Step 1/8: Why tokenise' 10
    tmux_keys ui n
    expect_screen "n moves to the word tokenizers" ui 'Step 2/8: Three word tokenizers' 10
    tmux_keys ui r
    expect_screen "running the step shows its output" ui 'distinct tokens in [0-9]+ chars' 60
    expect_screen "and its check passes" ui 'step 2: passed, 1/1 points' 30
    tmux_keys ui q
    expect_screen "q goes back to the course" ui 'Course progress' 10
    tmux_keys ui q
    expect_screen "and quits" ui 'UI-EXITED=0' 10
    tmux_stop
else
    failc "tmux" "tmux is not installed (bootstrap installs it)"
fi

finish
