#!/bin/bash
# The REPL on a real terminal (tmux): prompt, expression values, multi-line
# input, Ctrl-C interrupting a running loop and clearing a typed line,
# history persisted across sessions, Ctrl-D quitting.
. "$SRCDIR/tests/e2e/lib.sh"
command -v tmux >/dev/null || { echo "tmux missing (bootstrap installs it)"; failc tmux "not installed"; finish; exit 1; }
trap 'tmux_stop; rm -rf "$E2E_TMP"' EXIT
export XDG_DATA_HOME="$E2E_TMP/xdg"
run="env XDG_DATA_HOME=$XDG_DATA_HOME LLMLAB_HOME=$LLMLAB_HOME $LLMLAB_BIN repl; echo EXITED \$?; sleep 30"

tmux_start r 100 30 "$run"
expect_screen "prompt appears" r '^> ?$'
tmux_keys r 'x = 20 * 2' Enter 'x + 2' Enter
expect_screen "expression value printed" r '^42$'
tmux_keys r 'for i = 1, 2 do' Enter
expect_screen "continuation prompt" r '^>> ?$'
tmux_keys r 'print("row" .. i) end' Enter
expect_screen "multi-line statement ran" r '^row2$'
tmux_keys r 'print("looping now") while true do end' Enter
tmux_wait r '^looping now$' 20
sleep 0.3
tmux_keys r C-c
expect_screen "Ctrl-C interrupts a running loop" r 'interrupted!'
tmux_keys r 'print("alive after interrupt")' Enter
expect_screen "REPL continues after the interrupt" r '^alive after interrupt$'
tmux_keys r 'half typed line'
tmux_wait r 'half typed line' 20
tmux_keys r C-c
tmux_wait r '^\^C$' 20
tmux_keys r 'print("line was dropped")' Enter
expect_screen "Ctrl-C at the prompt drops the typed line" r '^line was dropped$'
tmux_keys r 'error("boom")' Enter
expect_screen "errors are shown" r 'boom'
tmux_wait_last r '^> ?$'
tmux_keys r C-d
expect_screen "Ctrl-D quits with status 0" r 'EXITED 0'
check "history file written" grep -q 'alive' "$XDG_DATA_HOME/llmlab/repl_history"
tmux_stop r

tmux_start r2 100 30 "$run"
expect_screen "second session prompt" r2 '^> ?$'
tmux_keys r2 Up
expect_screen "history persists across sessions" r2 'error\("boom"\)'
tmux_stop
finish
