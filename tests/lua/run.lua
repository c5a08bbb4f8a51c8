-- tests/lua/run.lua FILE...: run Lua test files with llm.test and print the
-- RESULT line that tests/run-all collects. Exit status 1 on any failure.
local T = require "llm.test"
for i = 1, #arg do T.run_file(arg[i]) end
if not T.summary() then os.exit(1) end
