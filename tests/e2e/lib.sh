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
