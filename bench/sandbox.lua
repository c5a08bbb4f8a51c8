-- bench/sandbox.lua: what one sandboxed run costs, wall clock
-- (llmlab run bench/sandbox.lua [N]). Every lab step and every quiz code
-- test pays it once. References: the same chunk as a plain Lua call, and in
-- a sandbox state inside the caller's process (fork = false), so the price
-- of the fresh state and of the fork show separately.
local sandbox = require "llm.sandbox"
local n = tonumber(arg and arg[1]) or 200
local now = llm.now

local code = "local s = 0 for i = 1, 1000 do s = s + i end return s"
local plain = load(code)

local cases = {
  { "plain Lua call", function() assert(plain() == 500500) end },
  { "sandbox in-process", function() assert(sandbox.run { code = code, fork = false, time = 5 }.value == 500500) end },
  { "sandbox forked", function() assert(sandbox.run { code = code, time = 5 }.value == 500500) end },
}
local lab = require "llm.lab"
local info = assert(lab.resolve("0"))
local L = assert(lab.load(info))
cases[#cases + 1] = { "lab step 3 of lab 0", function()
  assert(lab.run_step(info, L, 3, { mode = "solution", size = "small" }).status == "ok")
end }

local ms = {}
print(string.format("%-22s %8s %12s", "case", "runs", "ms per run"))
for i, c in ipairs(cases) do
  c[2]() -- warm up
  local t0 = now()
  for _ = 1, n do c[2]() end
  ms[i] = 1000 * (now() - t0) / n
  print(string.format("%-22s %8d %12.3f", c[1], n, ms[i]))
end
print(string.format("sandbox n=%d plain_ms=%.4f inproc_ms=%.3f fork_ms=%.3f labstep_ms=%.3f", n, ms[1], ms[2], ms[3], ms[4]))
