#!/bin/bash
# End-to-end tests of the llmlab command line: help, version, run, eval,
# repl, and bad input of every kind.
. "$SRCDIR/tests/e2e/lib.sh"
L=$LLMLAB_BIN
T=$E2E_TMP

expect_cmd "no arguments prints help" 0 '^usage: llmlab' - -- $L --plain
expect_cmd "--help" 0 'commands:' - -- $L --help
expect_cmd "help lists run/eval/repl" 0 'repl' - -- $L --help
expect_cmd "--version" 0 '^llmlab [0-9]+\.[0-9]+\.[0-9]+$' - -- $L --version
expect_cmd "unknown command" 2 - "unknown command 'frobnicate'" -- $L frobnicate
expect_cmd "unknown command points to help" 2 - "Try 'llmlab --help'" -- $L frobnicate
expect_cmd "unknown option" 2 - "unknown option '--bogus'" -- $L --bogus

# run
cat > "$T/args.lua" <<'LUA'
print(arg[0], arg[1], arg[2], select("#", ...), ...)
LUA
expect_cmd "run passes arg and ..." 0 "args.lua	one	two	2	one	two" - -- $L run "$T/args.lua" one two
expect_cmd "run --help" 0 'usage: llmlab run' - -- $L run --help
expect_cmd "run without file" 2 - 'missing the script file' -- $L run
expect_cmd "run missing file" 1 - 'cannot open .*nope\.lua' -- $L run "$T/nope.lua"
printf 'local x = = 1\n' > "$T/syntax.lua"
expect_cmd "run syntax error names file:line" 1 - 'syntax\.lua:1:' -- $L run "$T/syntax.lua"
cat > "$T/runtime.lua" <<'LUA'
local function inner() error("deliberate failure") end
local function outer() inner() end
outer()
LUA
expect_cmd "run runtime error names file:line" 1 - 'runtime\.lua:1: deliberate failure' -- $L run "$T/runtime.lua"
expect_cmd "run runtime error has a traceback" 1 - 'stack traceback:' -- $L run "$T/runtime.lua"
expect_cmd "run traceback shows the caller" 1 - "runtime\.lua:2: in (local|upvalue) 'outer'" -- $L run "$T/runtime.lua"
expect_cmd "run rejects non-UTF-8 file" 1 - 'not_utf8\.lua:1:[0-9]+: not valid UTF-8' -- $L run "$SRCDIR/tests/e2e/data/not_utf8.lua"
printf '\033LuaT\0garbage' > "$T/binary.lua"
expect_cmd "run rejects binary chunks" 1 - 'binary\.lua' -- $L run "$T/binary.lua"
printf '#!/usr/bin/env llmlab\nprint(debug.getinfo(1,"l").currentline)\n' > "$T/shebang.lua"
expect_cmd "run skips a #! line keeping line numbers" 0 '^2$' - -- $L run "$T/shebang.lua"
printf 'error({})\n' > "$T/tableerr.lua"
expect_cmd "run error with a table value" 1 - 'error object is a table value' -- $L run "$T/tableerr.lua"
printf 'os.exit(3)\n' > "$T/exit3.lua"
expect_cmd "run keeps os.exit status" 3 - - -- $L run "$T/exit3.lua"

# eval
expect_cmd "eval prints an expression" 0 '^3$' - -- $L eval '1 + 2'
expect_cmd "eval runs statements" 0 '^hi$' - -- $L eval 'print("hi")'
expect_cmd "eval sees llm global" 0 '^string$' - -- $L eval 'type(llm.version)'
expect_cmd "eval syntax error" 1 - 'eval' -- $L eval 'x = = 1'
expect_cmd "eval runtime error" 1 - 'attempt to perform arithmetic' -- $L eval 'return nil + 1'
expect_cmd "eval needs code" 2 - 'exactly one argument' -- $L eval
expect_cmd "eval rejects invalid UTF-8" 1 - 'not valid UTF-8' -- $L eval "$(printf 'print("\xff")')"
expect_cmd "llm.info from eval" 0 'OpenBLAS' - -- $L eval 'llm.info().blas'
expect_cmd "seed is reproducible across runs" 0 '^0\.[0-9]+$' - -- $L eval 'llm.seed(1); return llm.random()'
a=$($L eval 'llm.seed(77); return llm.random()')
b=$($L eval 'llm.seed(77); return llm.random()')
check "same seed, same number in two processes" [ -n "$a" ] && [ "$a" = "$b" ]

# repl (stdin not a terminal: no prompt, same evaluation rules)
printf '1 + 1\nt = {}\nfor i = 1, 3 do\n  t[#t+1] = i\nend\nprint(#t)\nerror("oops")\nprint("still here")\nx = = 2\nprint("after syntax")\n' > "$T/repl.in"
E2E_STDIN="$T/repl.in" expect_cmd "repl prints expression values" 0 '^2$' - -- $L repl
E2E_STDIN="$T/repl.in" expect_cmd "repl continues multi-line statements" 0 '^3$' - -- $L repl
E2E_STDIN="$T/repl.in" expect_cmd "repl survives an error" 0 'still here' 'oops' -- $L repl
E2E_STDIN="$T/repl.in" expect_cmd "repl survives a syntax error" 0 'after syntax' "unexpected symbol" -- $L repl
expect_cmd "repl rejects arguments" 2 - 'unexpected argument' -- $L repl extra

# LLMLAB_HOME pointing nowhere: a clear error, not a crash
LLMLAB_HOME="$T/nowhere" expect_cmd "bad LLMLAB_HOME is reported" 1 - 'cannot load the llm module' -- $L eval '1'

# OpenMP idle threads sleep instead of spinning unless the user chose a policy
out=$(env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT $L eval 'os.getenv("OMP_WAIT_POLICY")')
check "OMP_WAIT_POLICY defaults to PASSIVE" [ "$out" = PASSIVE ]
out=$(env OMP_WAIT_POLICY=ACTIVE $L eval 'os.getenv("OMP_WAIT_POLICY")')
check "a user's OMP_WAIT_POLICY is kept" [ "$out" = ACTIVE ]
out=$(env OPENBLAS_CORETYPE=Prescott $L eval 'llm.info().blas')
check "a user's OPENBLAS_CORETYPE is kept" sh -c "echo '$out' | grep -q ' Prescott '"
out=$(env -u OMP_WAIT_POLICY $L eval 'io.open("/proc/self/comm"):read("l")')
check "after that restart the process is still named llmlab" [ "$out" = llmlab ]

# Where lua/ is found: LLMLAB_HOME wins; a copy of the binary outside the
# build tree looks in the installed data folder ($(pkgdatadir)), not here.
LLMLAB_HOME="$SRCDIR" expect_cmd "LLMLAB_HOME sets llm.home" 0 "^$SRCDIR\$" - -- $L eval 'llm.home'
home=$(env -u LLMLAB_HOME $L eval 'llm.home')
check "the build-tree binary finds the source tree's lua/" [ -f "$home/lua/llm/init.lua" ]
mkdir -p "$T/elsewhere"
cp "$L" "$T/elsewhere/llmlab"
out=$(env -u LLMLAB_HOME "$T/elsewhere/llmlab" eval 'llm.home' 2>&1)
case "$out" in
    *share/llmlab*) pass "binary outside the build tree uses pkgdatadir" ;;
    *) failc "binary outside the build tree uses pkgdatadir" "got: $out" ;;
esac

finish
