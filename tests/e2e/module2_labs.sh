#!/bin/bash
# End-to-end: the week 5-6 labs (11-14) and quizzes run headless at the small-CPU size
# with the reference solutions, exactly as a student runs them
# (`llmlab lab run N --check --solution --small`): every check passes and
# the exit status is 0. A lab whose corpus is not fetched is skipped with a
# note (CI runs bootstrap first, which fetches kjv and sotu).
. "$SRCDIR/tests/e2e/lib.sh"
L=$LLMLAB_BIN
export LLMLAB_DATA="${LLMLAB_DATA:-${XDG_DATA_HOME:-$HOME/.local/share}/llmlab/data}"
export XDG_DATA_HOME="$E2E_TMP/xdg"
mkdir -p "$XDG_DATA_HOME"

have() { [ -f "$LLMLAB_DATA/$1" ]; }

run_lab() { # NUMBER ID CORPUS-FILE...
    local n=$1 id=$2
    shift 2
    for f in "$@"; do
        if ! have "$f"; then
            echo "SKIP lab $n: $LLMLAB_DATA/$f is not fetched"
            return
        fi
    done
    expect_cmd "lab $n passes every check with the solution (small size)" 0 \
        "^$id: ([0-9.]+)/\\1 points, 0 steps not passing" - -- \
        $L lab run "$n" --check --solution --small
}

run_lab 11 w05.lab11 kjv/kjv.txt
run_lab 12 w05.lab12 kjv/kjv.txt
run_lab 13 w06.lab13 kjv/kjv.txt
run_lab 14 w06.lab14 kjv/kjv.txt

# The untouched templates do not pass (a student has work to do).
if have kjv/kjv.txt; then
    expect_cmd "lab 14 template fails its checks" 1 'w06.lab14: .* [1-9][0-9]* steps? not passing' - -- \
        $L lab run 14 --check --small
fi
# The week 5 and 6 quizzes lint clean (their code questions' reference
# solutions pass their tests and the templates do not).
expect_cmd "quiz lint week 5" 0 'week05\.lua: ok' - -- $L quiz lint "$SRCDIR/quizzes/week05.lua"
expect_cmd "quiz lint week 6" 0 'week06\.lua: ok' - -- $L quiz lint "$SRCDIR/quizzes/week06.lua"
finish
