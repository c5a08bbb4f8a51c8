-- llm.quiz: weekly quizzes (DESIGN.md "Quiz" format): loading, linting,
-- grading of every kind, the per-student choice order, submissions.
--
-- quizzes/weekNN.lua returns
--   {week = N, title = "...", pass = 0.6,        -- fraction of the points to pass
--    questions = {
--      {id = "q1", kind = "choice", points = 1, prompt = "...", choices = {...}, answer = 2, explain = "..."},
--      {kind = "multi", choices = {...}, answer = {1, 3}, ...},        -- partial credit
--      {kind = "numeric", answer = 0.5, tolerance = 0.01, rel = 0.02, ...}, -- units stripped
--      {kind = "text", answers = {"..."}, patterns = {"^...$"}, ...},  -- normalised
--      {kind = "code", entry = "fname", template = "...", solution = "...", llm = false,
--       tests = {{name=, args = {...}, expect = v, tol =, hidden = true, points = 1}
--                | {name=, check = function(f) return ok, message end}}, time = 2, memory = 32},
--        (a code answer is pure Lua; `llm = true` gives it the engine too)
--    }}
-- Answers are strings (what a student typed / the take command saved):
-- choice "2" (the ORIGINAL index, so shuffling never changes grading),
-- multi "1,3", numeric "0.5 bits", text "...", code = Lua source.
local lint = require "llm.lint"
local sandbox = require "llm.sandbox"

local M = {}

M.KINDS = { choice = true, multi = true, numeric = true, text = true, code = true }
M.MAX_ANSWER = 20000

function M.home()
  local llm = require "llm"
  return os.getenv("LLMLAB_HOME") or llm.home or "."
end

-- A quiz by week number ("3") or file path.
function M.resolve(what)
  what = tostring(what or "")
  if what:match("%.lua$") then return what end
  local n = math.tointeger(tonumber(what))
  if not n then return nil, "'" .. what .. "' is not a week number or quiz file" end
  local path = string.format("%s/quizzes/week%02d.lua", M.home(), n)
  local f = io.open(path, "rb")
  if not f then return nil, "there is no quiz for week " .. n .. " (" .. path .. ")" end
  f:close()
  return path
end

function M.load(path)
  local quiz, src = lint.load_file(path)
  if not quiz then return nil, src end
  if type(quiz) ~= "table" then return nil, path .. ":1: the quiz file must return a table" end
  return quiz, src
end

-- ------------------------------------------------------------------ answers

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

-- Normalised text: lower case, whitespace collapsed, outer punctuation and
-- quotes removed.
function M.normalise(s)
  s = tostring(s or ""):lower()
  s = s:gsub("%s+", " ")
  s = trim(s)
  s = s:gsub("^[%p%s]+", ""):gsub("[%p%s]+$", "")
  return s
end

-- The number in an answer, units and thousands separators stripped:
-- "1,024 tokens" -> 1024 ; "-3.5e-2 nats" -> -0.035 ; "50 %" -> 50.
function M.parse_number(s)
  s = trim(tostring(s or ""))
  s = s:gsub("(%d),(%d%d%d)", "%1%2"):gsub("(%d),(%d%d%d)", "%1%2")
  local num = s:match("^[-+]?%d*%.?%d+[eE][-+]?%d+") or s:match("^[-+]?%d+%.?%d*") or s:match("^[-+]?%.%d+")
  if not num then return nil end
  local rest = trim(s:sub(#num + 1))
  if rest ~= "" and not rest:match("^[%a%%°µ/][%w%s%%/°µ.^-]*$") then return nil end
  return tonumber(num)
end

-- A set of choice indices from "1,3" / "a c" / "A, C" (letters map to the
-- displayed order through `order`, when given).
function M.parse_choices(s, nchoices, order)
  local set, list = {}, {}
  for tok in tostring(s or ""):gmatch("[^%s,;]+") do
    local i = math.tointeger(tonumber(tok))
    if not i and tok:match("^%a$") then i = tok:lower():byte() - 96 end
    if not i or i < 1 or i > nchoices then return nil, "'" .. tok .. "' is not one of the choices" end
    if order then i = order[i] end
    if not set[i] then set[i] = true; list[#list + 1] = i end
  end
  table.sort(list)
  return list
end

-- ------------------------------------------------------------------ grading

local function res(points, max, feedback) return { points = points, max = max, feedback = feedback } end

function M.grade_choice(q, ans)
  local pts = q.points or 1
  local list = M.parse_choices(ans, #q.choices)
  if not list or #list ~= 1 then return res(0, pts, "no single choice given") end
  if list[1] == q.answer then return res(pts, pts, "correct") end
  return res(0, pts, "incorrect: the answer is " .. string.char(96 + q.answer) .. ") " .. q.choices[q.answer])
end

-- Partial credit: (right picks - wrong picks) / number of right answers, at least 0.
function M.grade_multi(q, ans)
  local pts = q.points or 1
  local list = M.parse_choices(ans, #q.choices)
  if not list then return res(0, pts, "no valid choices given") end
  local right = {}
  for _, i in ipairs(q.answer) do right[i] = true end
  local good, bad = 0, 0
  for _, i in ipairs(list) do
    if right[i] then good = good + 1 else bad = bad + 1 end
  end
  local frac = math.max(0, good - bad) / #q.answer
  local got = pts * frac
  local fb
  if frac == 1 then fb = "correct"
  else
    fb = string.format("%d of %d right choices, %d wrong; the answer is %s", good, #q.answer, bad,
      table.concat((function()
        local t = {}
        for _, i in ipairs(q.answer) do t[#t + 1] = string.char(96 + i) end
        return t
      end)(), ", "))
  end
  return res(got, pts, fb)
end

function M.grade_numeric(q, ans)
  local pts = q.points or 1
  local x = M.parse_number(ans)
  if not x then return res(0, pts, "not a number: '" .. tostring(ans):sub(1, 40) .. "'") end
  local a = q.answer
  local err = math.abs(x - a)
  local ok = err <= (q.tolerance or 0) or err <= (q.rel or 0) * math.abs(a)
    or err <= 1e-9 * math.max(1, math.abs(a))
  if ok then return res(pts, pts, "correct") end
  return res(0, pts, string.format("incorrect: %s is not within the tolerance of %s", tostring(x), tostring(a)))
end

function M.grade_text(q, ans)
  local pts = q.points or 1
  local s = M.normalise(tostring(ans or ""):sub(1, 1000))
  if s == "" then return res(0, pts, "no answer") end
  for _, a in ipairs(q.answers or {}) do
    if s == M.normalise(a) then return res(pts, pts, "correct") end
  end
  for _, p in ipairs(q.patterns or {}) do
    local ok, found = pcall(string.find, s, p)
    if ok and found then return res(pts, pts, "correct") end
  end
  local shown = q.answers and q.answers[1]
  return res(0, pts, "incorrect" .. (shown and (": expected \"" .. shown .. "\"") or ""))
end

-- Run each test of a code question in its own sandbox; partial credit per test.
-- Hidden tests are reported by number only.
function M.grade_code(q, ans, ctx)
  local pts = q.points or 1
  ans = tostring(ans or "")
  if trim(ans) == "" then return res(0, pts, "no answer") end
  if #ans > M.MAX_ANSWER then return res(0, pts, "the answer is longer than " .. M.MAX_ANSWER .. " characters") end
  -- Probe first: an answer that does not load (or loops while loading)
  -- fails every test at once instead of once per test.
  local probe = sandbox.run {
    driver = "llm.quizcode",
    args = { quiz_src = ctx.src, quiz_name = "@" .. ctx.path, q = ctx.index, t = 0, answer = ans },
    time = q.time or 2, memory = (q.memory or 32) * 2 ^ 20, label = "loading your answer",
  }
  if probe.status ~= "ok" or type(probe.value) ~= "table" or not probe.value.ok then
    local msg = probe.status == "ok" and type(probe.value) == "table" and probe.value.message or probe.message
    return res(0, pts, "every test failed: " .. tostring(msg))
  end
  local total, got, lines, hidden_n = 0, 0, {}, 0
  for ti, t in ipairs(q.tests) do
    local w = t.points or 1
    total = total + w
    local label
    if t.hidden then
      hidden_n = hidden_n + 1
      label = "hidden test " .. hidden_n
    else
      label = "test '" .. (t.name or tostring(ti)) .. "'"
    end
    local r = sandbox.run {
      driver = "llm.quizcode",
      args = { quiz_src = ctx.src, quiz_name = "@" .. ctx.path, q = ctx.index, t = ti, answer = ans },
      time = t.time or q.time or 2,
      memory = (q.memory or 32) * 2 ^ 20,
      label = label,
    }
    local ok, msg
    if r.status == "ok" and type(r.value) == "table" then
      ok, msg = r.value.ok == true, r.value.message
    else
      ok, msg = false, r.message
    end
    if ok then got = got + w end
    if t.hidden then
      -- names and inputs of hidden tests stay hidden; limits are still named
      local why = ""
      if not ok and r.status ~= "ok" then why = " (" .. r.status .. ")" end
      lines[#lines + 1] = label .. ": " .. (ok and "passed" or ("failed" .. why))
    else
      lines[#lines + 1] = label .. ": " .. (ok and "passed" or ("failed" .. (msg and (" - " .. msg) or "")))
    end
  end
  local points = total > 0 and pts * got / total or 0
  return res(points, pts, table.concat(lines, "; "))
end

-- Grade one answer; ctx = {src = quiz source, path = quiz file, index = question index}.
function M.grade_question(q, ans, ctx)
  if ans == nil then return res(0, q.points or 1, "not answered") end
  local f = M["grade_" .. q.kind]
  local ok, r = pcall(f, q, ans, ctx)
  if not ok then return res(0, q.points or 1, "could not grade this answer: " .. tostring(r)) end
  return r
end

-- Grade a whole answer map {qid = answer}; returns points, max, results
-- ({question=, points=, max=, feedback=} per question, in order).
function M.grade(quiz, src, path, answers)
  local results, points, max = {}, 0, 0
  for i, q in ipairs(quiz.questions) do
    local r = M.grade_question(q, answers[q.id], { src = src, path = path, index = i })
    r.question = q.id
    results[#results + 1] = r
    points, max = points + r.points, max + r.max
  end
  return points, max, results
end

-- A score for people: at most two decimals, no trailing zeros.
function M.fmt(x)
  local s = string.format("%.2f", x):gsub("0+$", ""):gsub("%.$", "")
  return s
end

function M.passed(quiz, points, max)
  return max > 0 and points / max >= (quiz.pass or 0.6) - 1e-12
end

-- ------------------------------------------------------------------ order

-- A stable seed for a student and week (the same every time they open it).
function M.seed_for(student, week)
  local s = tostring(student) .. "\0" .. tostring(week)
  local h = 2166136261
  for i = 1, #s do h = ((h ~ s:byte(i)) * 16777619) & 0xffffffff end
  return h
end

-- The displayed order of a question's choices: order[displayed] = original.
-- Uses the engine PRNG seeded from (seed, question index).
function M.choice_order(seed, qindex, n)
  local llm = require "llm"
  llm.seed(seed * 1000 + qindex)
  return llm.sampling.permutation(n)
end

-- ------------------------------------------------------------------ lint

local Q_KEYS = { id = 1, kind = 1, points = 1, prompt = 1, explain = 1, choices = 1, answer = 1, answers = 1,
  patterns = 1, tolerance = 1, rel = 1, units = 1, entry = 1, template = 1, solution = 1, tests = 1,
  time = 1, memory = 1, llm = 1 }
local QUIZ_KEYS = { week = 1, title = 1, pass = 1, questions = 1, intro = 1 }
local T_KEYS = { name = 1, args = 1, expect = 1, tol = 1, check = 1, hidden = 1, points = 1, time = 1 }

local is_list = lint.is_list

local function nonempty(s) return type(s) == "string" and s:find("%S") ~= nil end

-- Lint a quiz file: a list of "file:line: message". Code questions'
-- tests are also run (sandboxed) on their `solution` (all must pass) and
-- on their `template` (must not all pass).
function M.lint(path, opts)
  opts = opts or {}
  local quiz, src = lint.load_file(path)
  if not quiz then return { src } end
  local E = lint.collector(path, lint.source_map(src))
  if type(quiz) ~= "table" then E:add("", "the quiz file must return a table"); return E:list() end
  E:unknown_fields("", quiz, QUIZ_KEYS, "quiz")
  if math.type(quiz.week) ~= "integer" or quiz.week < 0 or quiz.week > 33 then
    E:add("week", "`week` must be an integer from 0 to 33")
  else
    local fw = path:match("week(%d+)%.lua$")
    if fw and tonumber(fw) ~= quiz.week then E:add("week", "`week` is " .. quiz.week .. " but the file is " .. path:match("[^/]+$")) end
  end
  if not nonempty(quiz.title) then E:add("title", "`title` must be a non-empty string") end
  if quiz.pass ~= nil and (type(quiz.pass) ~= "number" or quiz.pass <= 0 or quiz.pass > 1) then
    E:add("pass", "`pass` must be a fraction in (0, 1]")
  end
  if not is_list(quiz.questions) or #quiz.questions == 0 then
    E:add("questions", "`questions` must be a non-empty list")
      return E:list()
  end
  local ids = {}
  for i, q in ipairs(quiz.questions) do
    local p = "questions[" .. i .. "]"
    if type(q) ~= "table" then E:add(p, "must be a table"); goto continue end
    E:unknown_fields(p, q, Q_KEYS, "question")
    if type(q.id) ~= "string" or not q.id:match("^[%w_.-]+$") then
      E:add(p .. ".id", "`id` must be a string of letters, digits, _ . -")
    elseif ids[q.id] then
      E:add(p .. ".id", "id `" .. q.id .. "` is used twice")
    else
      ids[q.id] = true
    end
    if not M.KINDS[q.kind] then
      E:add(p .. ".kind", "`kind` must be one of choice, multi, numeric, text, code (got " .. tostring(q.kind) .. ")")
      goto continue
    end
    if type(q.points) ~= "number" or q.points <= 0 then E:add(p .. ".points", "`points` must be a number > 0") end
    if not nonempty(q.prompt) then E:add(p .. ".prompt", "`prompt` must be a non-empty string") end
    if not nonempty(q.explain) then E:add(p .. ".explain", "`explain` must say why the answer is right") end
    if q.kind == "choice" or q.kind == "multi" then
      if not is_list(q.choices) or #q.choices < 2 then
        E:add(p .. ".choices", "`choices` must list at least two strings")
      else
        for j, c in ipairs(q.choices) do
          if not nonempty(c) then E:add(p .. ".choices[" .. j .. "]", "must be a non-empty string") end
        end
        if #q.choices > 26 then E:add(p .. ".choices", "at most 26 choices") end
        if q.kind == "choice" then
          if math.type(q.answer) ~= "integer" or q.answer < 1 or q.answer > #q.choices then
            E:add(p .. ".answer", "`answer` must be the index of the right choice (1.." .. #q.choices .. ")")
          end
        else
          if not is_list(q.answer) or #q.answer == 0 then
            E:add(p .. ".answer", "`answer` must list the indices of the right choices")
          else
            local seen = {}
            for _, a in ipairs(q.answer) do
              if math.type(a) ~= "integer" or a < 1 or a > #q.choices or seen[a] then
                E:add(p .. ".answer", "`answer` has an invalid or repeated index " .. tostring(a))
              end
              seen[a] = true
            end
          end
        end
      end
    elseif q.kind == "numeric" then
      if type(q.answer) ~= "number" or q.answer ~= q.answer then E:add(p .. ".answer", "`answer` must be a number") end
      if q.tolerance ~= nil and (type(q.tolerance) ~= "number" or q.tolerance < 0) then
        E:add(p .. ".tolerance", "`tolerance` must be a number >= 0 (absolute)")
      end
      if q.rel ~= nil and (type(q.rel) ~= "number" or q.rel < 0) then
        E:add(p .. ".rel", "`rel` must be a number >= 0 (relative tolerance)")
      end
    elseif q.kind == "text" then
      local n = 0
      if q.answers ~= nil then
        if not is_list(q.answers) then E:add(p .. ".answers", "`answers` must be a list of strings")
        else
          for j, a in ipairs(q.answers) do
            if not nonempty(a) then E:add(p .. ".answers[" .. j .. "]", "must be a non-empty string") end
            n = n + 1
          end
        end
      end
      if q.patterns ~= nil then
        if not is_list(q.patterns) then E:add(p .. ".patterns", "`patterns` must be a list of Lua patterns")
        else
          for j, pat in ipairs(q.patterns) do
            local ok, e = pcall(string.find, "", pat)
            if type(pat) ~= "string" or not ok then
              E:add(p .. ".patterns[" .. j .. "]", "not a valid Lua pattern" .. (ok and "" or (": " .. tostring(e))))
            end
            n = n + 1
          end
        end
      end
      if n == 0 then E:add(p, "a text question needs `answers` or `patterns`") end
    elseif q.kind == "code" then
      if type(q.entry) ~= "string" or not q.entry:match("^[%a_][%w_]*$") then
        E:add(p .. ".entry", "`entry` must name the function the answer defines")
      end
      if q.template ~= nil and type(q.template) ~= "string" then E:add(p .. ".template", "must be a string") end
      if not nonempty(q.solution) then E:add(p .. ".solution", "a code question needs a reference `solution` (source)") end
      if not is_list(q.tests) or #q.tests == 0 then
        E:add(p .. ".tests", "`tests` must be a non-empty list")
      else
        for j, t in ipairs(q.tests) do
          local tp = p .. ".tests[" .. j .. "]"
          if type(t) ~= "table" then E:add(tp, "must be a table")
          else
            E:unknown_fields(tp, t, T_KEYS, "test")
            if not nonempty(t.name) then E:add(tp, "a test needs a `name`") end
            if t.check == nil and t.args == nil then E:add(tp, "a test needs `args` and `expect`, or `check`") end
            if t.check ~= nil and type(t.check) ~= "function" then E:add(tp .. ".check", "must be a function(f)") end
            if t.args ~= nil and type(t.args) ~= "table" then E:add(tp .. ".args", "must be a list of arguments") end
            if t.points ~= nil and (type(t.points) ~= "number" or t.points <= 0) then
              E:add(tp .. ".points", "must be a number > 0")
            end
          end
        end
      end
    end
    ::continue::
  end
  -- Run the code questions on their solution and template (only when the rest is sound).
  if E:count() == 0 and not opts.no_run then
    for i, q in ipairs(quiz.questions) do
      if q.kind == "code" then
        local p = "questions[" .. i .. "]"
        local ctx = { src = src, path = path, index = i }
        local r = M.grade_code(q, q.solution, ctx)
        if r.points < r.max then E:add(p .. ".solution", "the reference solution fails its tests: " .. r.feedback) end
        if q.template then
          local t = M.grade_code(q, q.template, ctx)
          if t.points >= t.max then E:add(p .. ".template", "the template already passes every test") end
        end
      end
    end
  end
  return E:list()
end

-- ------------------------------------------------------------------ submissions

-- Read a submission file in the sandbox: {ok, student, week, answers} or {ok=false, message}.
function M.read_submission(path)
  local f, err = io.open(path, "rb")
  if not f then return { ok = false, message = "cannot open: " .. tostring(err) } end
  local src = f:read((1 << 20) + 1)
  f:close()
  src = src or ""
  if #src > (1 << 20) then return { ok = false, message = "larger than 1 MB" } end
  local r = sandbox.run { driver = "llm.submission", args = { src = src, name = "@" .. path },
    time = 2, memory = 32 * 2 ^ 20, label = "reading the submission" }
  if r.status ~= "ok" then return { ok = false, message = r.message } end
  if type(r.value) ~= "table" then return { ok = false, message = "no result" } end
  return r.value
end

-- Serialise answers as a submission file (what `quiz take --export` writes).
function M.submission_text(student, week, quiz, answers)
  local lines = { "-- llmlab quiz answers (submit this file)", "return {",
    string.format("  student = %q,", student), string.format("  week = %d,", week), "  answers = {" }
  for _, q in ipairs(quiz.questions) do
    if answers[q.id] ~= nil then lines[#lines + 1] = string.format("    [%q] = %q,", q.id, answers[q.id]) end
  end
  lines[#lines + 1] = "  },"
  lines[#lines + 1] = "}"
  return table.concat(lines, "\n") .. "\n"
end

-- CSV field quoting (RFC 4180). Text a spreadsheet would run as a formula
-- (a student could name themselves "=HYPERLINK(...)") gets a leading '.
function M.csv(v)
  v = tostring(v)
  if v:match("^[=+@\t\r]") or v:match("^%-[^%d.]") then v = "'" .. v end
  if v:find('[,"\n\r]') then v = '"' .. v:gsub('"', '""') .. '"' end
  return v
end

return M
