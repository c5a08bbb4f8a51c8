# tests/e2e/plot.sh: plots and progress from `llmlab run` (headless).
. "$SRCDIR/tests/e2e/lib.sh"

cat > "$E2E_TMP/plot.lua" <<'LUA'
local p = llm.plot.line { title = "demo loss", xlabel = "step", y = { 3, 2, 1.5, 1.2 }, name = "train" }
for i = 1, 3 do p:push("train", 4 + i, 1.1 - i * 0.1) end
print("done plotting")
LUA
expect_cmd "run prints the dumb plot" 0 'demo loss' - -- "$LLMLAB_BIN" run "$E2E_TMP/plot.lua"
check "the printed plot has the axis label and the legend" grep -q 'step' "$E2E_TMP/out"
check "the printed plot has no form feed" sh -c "! grep -q \"$(printf '\f')\" '$E2E_TMP/out'"
check "live pushes are not printed headless (one plot only)" test "$(grep -c 'demo loss' "$E2E_TMP/out")" = 1

expect_cmd "--plot-dir saves PNG files" 0 'plot saved: .*/plot-001.png' - -- \
    "$LLMLAB_BIN" run --plot-dir "$E2E_TMP/plots" "$E2E_TMP/plot.lua"
check "the saved file is a PNG" sh -c "head -c 8 '$E2E_TMP/plots/plot-001.png' | od -c | grep -q 'P   N   G'"
expect_cmd "--plot-dir without a folder" 2 - 'plot-dir needs a folder' -- "$LLMLAB_BIN" run --plot-dir

# Without gnuplot the script still runs, with one notice.
expect_cmd "missing gnuplot: a notice, the rest works" 0 'done plotting' 'gnuplot not found.*gnuplot-nox' -- \
    env LLMLAB_GNUPLOT=/nonexistent "$LLMLAB_BIN" run "$E2E_TMP/plot.lua"

cat > "$E2E_TMP/progress.lua" <<'LUA'
for i = 1, 50 do llm.progress("counting", i, 50) end
print("counted")
LUA
expect_cmd "progress in a log: plain lines" 0 'counted' 'counting +100% 50/50' -- "$LLMLAB_BIN" run "$E2E_TMP/progress.lua"
check "plain progress lines are few (every 10%)" test "$(grep -c counting "$E2E_TMP/err")" -le 12
check "plain progress has no carriage returns" sh -c "! grep -q \"$(printf '\r')\" '$E2E_TMP/err'"
expect_cmd "llm.progress checks its arguments" 1 - 'label must be a string' -- "$LLMLAB_BIN" eval 'llm.progress(1, 2, 3)'

# On a terminal (script(1) gives a pty): one line redrawn with \r and an ETA.
if command -v script > /dev/null; then
    script -qec "$LLMLAB_BIN run $E2E_TMP/progress.lua" /dev/null > "$E2E_TMP/tty" 2>&1
    check "progress on a terminal redraws one line" grep -q "$(printf '\r')counting \[" "$E2E_TMP/tty"
    check "the terminal bar ends with the time taken" grep -q 'took' "$E2E_TMP/tty"
fi
finish
