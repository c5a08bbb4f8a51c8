# tests/e2e/lib.sh: helpers for end-to-end shell tests. Source it, call
# `expect_cmd` for each case, then `finish`. Each case runs a command and
# checks its exit status and that stdout/stderr contain given text.
#   expect_cmd NAME STATUS 'STDOUT_REGEX|-' 'STDERR_REGEX|-' -- CMD ARGS...
: "${LLMLAB_BIN:?}"
: "${SRCDIR:=.}"
E2E_PASSED=0
E2E_FAILED=0
E2E_TMP=$(mktemp -d)
trap 'rm -rf "$E2E_TMP"' EXIT

pass() { E2E_PASSED=$((E2E_PASSED + 1)); echo "PASS $1"; }
failc() { E2E_FAILED=$((E2E_FAILED + 1)); echo "FAIL $1: $2"; }

expect_cmd() {
    local name=$1 want=$2 out_re=$3 err_re=$4
    shift 4
    [ "$1" = "--" ] && shift
    "$@" > "$E2E_TMP/out" 2> "$E2E_TMP/err" < "${E2E_STDIN:-/dev/null}"
    local rc=$?
    if [ "$rc" != "$want" ]; then
        failc "$name" "exit status $rc, expected $want; stderr: $(head -c 400 "$E2E_TMP/err")"
        return
    fi
    if [ "$out_re" != "-" ] && ! grep -Eq -- "$out_re" "$E2E_TMP/out"; then
        failc "$name" "stdout does not match /$out_re/: $(head -c 400 "$E2E_TMP/out")"
        return
    fi
    if [ "$err_re" != "-" ] && ! grep -Eq -- "$err_re" "$E2E_TMP/err"; then
        failc "$name" "stderr does not match /$err_re/: $(head -c 400 "$E2E_TMP/err")"
        return
    fi
    pass "$name"
}

# Assert a shell condition: check NAME CONDITION-COMMAND...
check() {
    local name=$1
    shift
    if "$@"; then pass "$name"; else failc "$name" "condition failed: $*"; fi
}

finish() {
    echo "RESULT passed=$E2E_PASSED failed=$E2E_FAILED"
    [ "$E2E_FAILED" -eq 0 ]
}

# tmux helpers for tests of interactive programs. Each session gets its own
# tmux server (socket named after the test process and the session), so tests
# never disturb each other or a user's tmux.
TMUX_SOCK="llmlab-test-$$"
TMUX_SESSIONS=""
tmux_start() { # NAME WIDTH HEIGHT COMMAND
    TMUX_SESSIONS="$TMUX_SESSIONS $1"
    tmux -L "$TMUX_SOCK-$1" new-session -d -s "$1" -x "$2" -y "$3" "$4"
}
tmux_keys() { local s=$1; shift; tmux -L "$TMUX_SOCK-$s" send-keys -t "$s" "$@"; }
tmux_screen() { tmux -L "$TMUX_SOCK-$1" capture-pane -p -t "$1" 2>/dev/null; }
tmux_stop() { # [NAME]: stop one session's server, or all of them
    local s
    for s in ${1:-$TMUX_SESSIONS}; do tmux -L "$TMUX_SOCK-$s" kill-server 2>/dev/null; done
}
# Wait until the screen matches an extended regex (default 10 s); 0 when it did.
tmux_wait() { # SESSION REGEX [SECONDS]
    local deadline=$((SECONDS + ${3:-10}))
    while [ $SECONDS -lt $deadline ]; do
        tmux_screen "$1" | grep -Eq -- "$2" && return 0
        sleep 0.1
    done
    return 1
}
# Wait until the screen's last non-empty line matches (a prompt that is
# waiting for input, not one that scrolled up): keys sent before a line
# editor is reading again can be lost by the terminal's mode switch.
tmux_wait_last() { # SESSION REGEX [SECONDS]
    local deadline=$((SECONDS + ${3:-10}))
    while [ $SECONDS -lt $deadline ]; do
        tmux_screen "$1" | sed '/^ *$/d' | tail -n 1 | grep -Eq -- "$2" && return 0
        sleep 0.1
    done
    return 1
}
# expect_screen NAME SESSION REGEX [SECONDS]: a test case that waits for the screen.
expect_screen() {
    if tmux_wait "$2" "$3" "${4:-10}"; then pass "$1"
    else failc "$1" "screen never matched /$3/; it shows:
$(tmux_screen "$2" | sed '/^$/d' | tail -n 15)"
    fi
}
