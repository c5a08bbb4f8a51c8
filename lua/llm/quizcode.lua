-- llm.quizcode: the sandbox driver that runs ONE instructor test of a
-- `code` quiz question against a student's answer (runs INSIDE a sandbox
-- state; see lua/llm/quiz.lua). Each test gets its own sandbox, so a test
-- that loops or blows up costs only its own points.
-- args: {quiz_src, quiz_name, q = question index, t = test index (0: only load
-- the answer and find its function), answer = source}
-- returns {ok = bool, message = string}
local senv = require "llm.sandbox_env"
local check = require "llm.check"

local function errstr(e)
  if type(e) == "string" then return e end
  return "(error object is a " .. type(e) .. " value)"
end

return function(a)
  local fn, err = load(a.quiz_src, a.quiz_name, "t", setmetatable({}, { __index = _G }))
  if not fn then return { ok = false, message = "the quiz file does not load: " .. err } end
  local lok, quiz = pcall(fn)
  if not lok then return { ok = false, message = "the quiz file does not load: " .. errstr(quiz) } end
  local q = quiz.questions[a.q]
  -- pure Lua unless the question asks for the engine (`llm = true`)
  local mok, mod = pcall(senv.module, a.answer, "=answer", { llm = q.llm == true })
  if not mok then return { ok = false, message = "your answer does not run: " .. errstr(mod) } end
  local f = mod
  if type(mod) == "table" then f = rawget(mod, q.entry) end
  if type(f) ~= "function" then
    return { ok = false, message = "your answer does not define the function `" .. q.entry .. "`" }
  end
  if a.t == 0 then return { ok = true } end -- the probe: the answer loads and defines entry
  local t = q.tests[a.t]
  if t.check then
    local ok, good, msg = pcall(t.check, f)
    if not ok then return { ok = false, message = "raised an error: " .. errstr(good) } end
    return { ok = good == true, message = type(msg) == "string" and msg or nil }
  end
  local args = t.args or {}
  local ok, got = pcall(f, table.unpack(args, 1, #args))
  if not ok then return { ok = false, message = "raised an error: " .. errstr(got) } end
  local good
  if t.tol then good = check.near(got, t.expect, t.tol) else good = check.equal(got, t.expect) end
  if good then return { ok = true } end
  local shown = {}
  for i = 1, #args do shown[i] = check.show(args[i]) end
  return { ok = false, message = string.format("%s(%s) returned %s, expected %s", q.entry,
    table.concat(shown, ", "), check.show(got), check.show(t.expect)) }
end
