-- llm.store: the student's database (progress checklist, lab attempts,
-- hints, quiz attempts and answers, gradebook, runs), a friendly layer over
-- the C store (src/app/store.c, preloaded as `llm.store_c`).
--
--   local store = require "llm.store"
--   local db = store.open()            -- or store.open(path)
--   db:check("w03.lab05", true)
--   db:transaction(function() ... end) -- all or nothing
--   db:close()                         -- also on garbage collection / <close>
--
-- Where the file lives: store.set_default_path(p) (the CLI's --db), else
-- $LLMLAB_DB, else $XDG_DATA_HOME/llmlab/llmlab.db (~/.local/share/...).
-- Every write is one SQLite transaction; writes inside db:transaction()
-- join the outer one (savepoints).
local C = require "llm.store_c"

local M = {}
M.schema_version = C.schema_version

local default_path

-- Set the path store.open() uses when given none (nil to forget it).
function M.set_default_path(path)
  assert(path == nil or type(path) == "string", "store.set_default_path: path must be a string")
  default_path = path
end

function M.default_path()
  if default_path and default_path ~= "" then return default_path end
  local env = os.getenv("LLMLAB_DB")
  if env and env ~= "" then return env end
  local xdg = os.getenv("XDG_DATA_HOME")
  if not xdg or xdg == "" then
    local home = os.getenv("HOME")
    if not home or home == "" then error("store: neither LLMLAB_DB, XDG_DATA_HOME nor HOME is set", 2) end
    xdg = home .. "/.local/share"
  end
  return xdg .. "/llmlab/llmlab.db"
end

-- The student name quizzes are recorded under when none is given.
function M.student()
  local u = os.getenv("LLMLAB_STUDENT") or os.getenv("USER") or os.getenv("LOGNAME")
  if not u or u == "" then u = "student" end
  return u
end

M.sha256 = C.sha256
M.sha256_file = C.sha256_file

local DB = {}
DB.__index = DB
DB.__close = function(self) self:close() end
DB.__tostring = function(self) return tostring(self.h) end

-- Open (creating it and its folders) and migrate the database.
function M.open(path)
  if path ~= nil and type(path) ~= "string" then error("store.open: path must be a string", 2) end
  local h = C.open(path or M.default_path())
  return setmetatable({ h = h }, DB)
end

-- Open at an older schema version (for tests of migrations).
function M.open_version(path, version)
  return setmetatable({ h = C.open(path, version) }, DB)
end

function DB:close() self.h:close() end
function DB:path() return self.h:path() end
function DB:schema_version() return self.h:schema_version() end
-- The C handle (for code that needs a method not wrapped here).
function DB:handle() return self.h end

-- Run fn(db, ...) inside one transaction: commit when it returns, roll back
-- and re-raise when it raises. Returns fn's results. Nests.
function DB:transaction(fn, ...)
  local h = self.h
  h:begin()
  local res = table.pack(pcall(fn, self, ...))
  if res[1] then
    h:commit()
    return table.unpack(res, 2, res.n)
  end
  h:rollback()
  error(res[2], 0)
end

local function opt_string(v, what)
  if v == nil then return nil end
  if type(v) == "string" then return v end
  if type(v) == "number" or type(v) == "boolean" then return tostring(v) end
  error("store: " .. what .. " must be a string, got " .. type(v), 3)
end

local function course()
  local ok, c = pcall(require, "llm.course")
  return ok and c or nil
end

-- ---------------------------------------------------------------- checklist

-- Tick (done = true or nil) or untick (done = false) an item. `source` says
-- who did it: "user" (default), "import", "lab", "quiz".
function DB:check(id, done, source)
  if type(id) ~= "string" then error("store: check: item id must be a string", 2) end
  if done == nil then done = true end
  self.h:item_set(id, done and true or false, source)
end

function DB:uncheck(id) self:check(id, false) end

function DB:is_checked(id) return self.h:item_get(id) end

-- {id = true, ...} for every ticked item.
function DB:checked()
  local out = {}
  for _, r in ipairs(self.h:items()) do
    if r.done == 1 then out[r.item] = true end
  end
  return out
end

-- Every stored item state: {{item=, done=bool, source=, updated_at=}, ...}.
function DB:checklist()
  local rows = self.h:items()
  for _, r in ipairs(rows) do r.done = r.done == 1 end
  return rows
end

-- ---------------------------------------------------------------- settings

function DB:setting(key) return self.h:setting_get(key) end
function DB:set_setting(key, value) self.h:setting_set(key, opt_string(value, "setting value")) end
function DB:last_lab() return self.h:setting_get("last_lab") end
function DB:set_last_lab(lab_id) self.h:setting_set("last_lab", opt_string(lab_id, "lab id")) end

-- ---------------------------------------------------------------- labs

-- opts: mode = "student" (default) | "solution", lab_hash = sha256 of the lab file.
function DB:lab_attempt_start(lab_id, opts)
  opts = opts or {}
  return self.h:lab_attempt_start(lab_id, opts.mode or "student", opts.lab_hash)
end

-- r: {title=, status = "ok"|"failed"|"error"|"timeout"|"memory", points=, max=, message=, output=}
function DB:lab_step_result(attempt_id, step_index, r)
  if type(r) ~= "table" then error("store: lab_step_result: the result must be a table", 2) end
  self.h:lab_step_result(attempt_id, step_index, {
    title = opt_string(r.title, "title"),
    status = opt_string(r.status, "status"),
    points = r.points, max = r.max,
    message = opt_string(r.message, "message"),
    output = opt_string(r.output, "output"),
  })
end

-- r: {points=, max=, passed=bool}. A passed student attempt of a lab whose
-- id is a course item (e.g. "w03.lab05") ticks that item, in the same
-- transaction.
function DB:lab_attempt_finish(attempt_id, r)
  r = r or {}
  self:transaction(function()
    self.h:lab_attempt_finish(attempt_id, r.points or 0, r.max or 0, r.passed and true or false)
    local a = self.h:lab_attempt(attempt_id)
    local c = r.passed and a.mode == "student" and course()
    if c and c.item(a.lab_id) then self.h:item_set(a.lab_id, true, "lab") end
  end)
end

-- {id=, lab_id=, mode=, lab_hash=, started_at=, finished_at=, points=, max=, passed=bool} or nil
function DB:lab_attempt(attempt_id)
  local a = self.h:lab_attempt(attempt_id)
  if a and a.passed ~= nil then a.passed = a.passed == 1 end
  return a
end

-- Every attempt at a lab, newest first (as lab_attempt gives them).
function DB:lab_attempts(lab_id)
  local rows = self.h:lab_attempts(lab_id)
  for _, a in ipairs(rows) do if a.passed ~= nil then a.passed = a.passed == 1 end end
  return rows
end

-- {{step=, title=, status=, points=, max=, message=, output=}, ...}
function DB:lab_steps(attempt_id) return self.h:lab_steps(attempt_id) end

-- The best finished student attempt: {points=, max=, passed=, attempt=} or nil.
function DB:lab_best(lab_id)
  local r = self.h:lab_best(lab_id)
  if not r then return nil end
  return { points = r.points, max = r.max, passed = r.passed == 1, attempt = r.id }
end

function DB:lab_hint_used(lab_id, exercise, level)
  self.h:lab_hint_used(lab_id, opt_string(exercise, "exercise"), level)
end

function DB:lab_hint_level(lab_id, exercise)
  return self.h:lab_hint_level(lab_id, opt_string(exercise, "exercise"))
end

-- ---------------------------------------------------------------- quizzes

function DB:quiz_attempt_open(week, student)
  return self.h:quiz_attempt_open(week, student or M.student())
end

function DB:quiz_attempt_start(week, student, seed)
  return self.h:quiz_attempt_start(week, student or M.student(), seed or 0)
end

-- {id=, week=, student=, seed=, started_at=, finished_at=, points=, max=, passed=} or nil
function DB:quiz_attempt(attempt_id)
  local a = self.h:quiz_attempt(attempt_id)
  if a and a.passed ~= nil then a.passed = a.passed == 1 end
  return a
end

-- Every attempt of a student at a week's quiz, newest first.
function DB:quiz_attempts(week, student)
  local rows = self.h:quiz_attempts(week, student or M.student())
  for _, a in ipairs(rows) do if a.passed ~= nil then a.passed = a.passed == 1 end end
  return rows
end

-- Saved at once, in its own transaction, so a quiz can be resumed.
function DB:quiz_answer(attempt_id, question_id, answer)
  self.h:quiz_answer(attempt_id, opt_string(question_id, "question id"), opt_string(answer, "answer") or "")
end

-- {question_id = answer_string, ...}
function DB:quiz_answers(attempt_id)
  local out = {}
  for _, r in ipairs(self.h:quiz_answers(attempt_id)) do out[r.question] = r.answer end
  return out
end

-- r: {points=, max=, results = {{question=, points=, max=, feedback=}, ...},
--     passed = bool (default: points >= 60% of max), ticks = {item ids}
--     (default: the week's topics)}. Results, score and ticks: one transaction.
function DB:quiz_attempt_finish(attempt_id, r)
  r = r or {}
  local points, max = r.points or 0, r.max or 0
  local passed = r.passed
  if passed == nil then passed = max > 0 and points >= 0.6 * max end
  local results = {}
  for i, q in ipairs(r.results or {}) do
    if type(q) ~= "table" then error("store: quiz_attempt_finish: result " .. i .. " is not a table", 2) end
    results[i] = { question = opt_string(q.question, "question"), points = q.points or 0, max = q.max or 0,
                   feedback = opt_string(q.feedback, "feedback") }
  end
  self:transaction(function()
    self.h:quiz_attempt_finish(attempt_id, points, max, passed and true or false, results)
    if not passed then return end
    local ticks = r.ticks
    if ticks == nil then
      local c = course()
      local a = self.h:quiz_attempt(attempt_id)
      ticks = c and c.week_topic_ids(a.week) or {}
    end
    for _, id in ipairs(ticks) do self.h:item_set(id, true, "quiz") end
  end)
end

function DB:quiz_results(attempt_id) return self.h:quiz_results(attempt_id) end

-- The best finished attempt: {points=, max=, passed=, attempt=} or nil.
function DB:quiz_best(week, student)
  local r = self.h:quiz_best(week, student or M.student())
  if not r then return nil end
  return { points = r.points, max = r.max, passed = r.passed == 1, attempt = r.id }
end

function DB:gradebook_add(batch, student, question, points, max, feedback)
  self.h:gradebook_add(opt_string(batch, "batch"), opt_string(student, "student"),
                       opt_string(question, "question"), points, max, opt_string(feedback, "feedback"))
end

-- {{student=, question=, points=, max=, feedback=, graded_at=}, ...} ordered by student.
function DB:gradebook(batch) return self.h:gradebook(opt_string(batch, "batch")) end

-- ---------------------------------------------------------------- runs (see llm.runs)

function DB:runs() return self.h:runs() end
function DB:run(id) return self.h:run(id) end
function DB:run_params(id)
  local out = {}
  for _, r in ipairs(self.h:run_params(id)) do out[r.key] = r.value end
  return out
end
function DB:run_manifest(id)
  local out = {}
  for _, r in ipairs(self.h:run_manifest_list(id)) do out[r.key] = r.value end
  return out
end
function DB:run_artifacts(id) return self.h:run_artifacts(id) end
-- {{step=, key=, value=}, ...}; key nil = all metrics (ordered by key, step).
function DB:run_metrics(id, key) return self.h:run_metrics(id, key) end
-- {key = {step=, value=, min=, max=, count=}, ...}: the last value of each metric.
function DB:run_final_metrics(id)
  local out = {}
  for _, r in ipairs(self.h:run_metrics_last(id)) do
    out[r.key] = { step = r.step, value = r.value, min = r.min, max = r.max, count = r.count }
  end
  return out
end

return M
