-- llm.ui.model: what the UI's screens read, in one place: the course
-- manifest (llm.course), the student's database (llm.store: checklist,
-- last lab, lab and quiz results, runs), and where lab and quiz files are.
-- Screens ask the model and never open files or the database themselves,
-- so a screen can be drawn from any model (the tests use a scratch
-- database through LLMLAB_DB).
local M = {}
local Model = {}
Model.__index = Model

function M.new()
  return setmetatable({ checked_cache = nil }, Model)
end

-- The course manifest, or nil and a message.
function Model:course()
  if self._course == nil then
    local ok, c = pcall(require, "llm.course")
    if ok then self._course = c else self._course, self._course_err = false, tostring(c) end
  end
  return self._course or nil, self._course_err
end

-- The database (opened once); nil when it cannot be opened, with the
-- reason kept for the status line: the UI still works, nothing is saved.
function Model:db()
  if self._db == nil then
    local ok, store = pcall(require, "llm.store")
    local db
    if ok then ok, db = pcall(store.open) end
    if ok then self._db = db else self._db, self._db_err = false, tostring(db or store) end
  end
  return self._db or nil
end

function Model:store_error()
  self:db()
  return self._db_err
end

-- {id = true} of ticked items.
function Model:checked()
  if not self.checked_cache then
    local db = self:db()
    self.checked_cache = db and db:checked() or {}
  end
  return self.checked_cache
end

function Model:is_checked(id) return self:checked()[id] == true end

-- Tick or untick an item; returns the new state (saved at once).
function Model:toggle(id)
  local db = self:db()
  local now = not self:is_checked(id)
  if db then db:check(id, now) end
  self:checked()[id] = now or nil
  return now
end

function Model:refresh()
  self.checked_cache = nil
  self.best_cache = nil
end

function Model:setting(key)
  local db = self:db()
  if not db then return nil end
  local ok, v = pcall(db.setting, db, key)
  return ok and v or nil
end

function Model:set_setting(key, value)
  local db = self:db()
  if db then pcall(db.set_setting, db, key, value) end
end

function Model:last_lab()
  local db = self:db()
  return db and db:last_lab() or nil
end

function Model:set_last_lab(id)
  local db = self:db()
  if db then pcall(db.set_last_lab, db, id) end
end

-- Labs whose week is not in the outline (week 0, the welcome lab), as
-- course-like items {id, kind = "lab", lab, week, text}.
function Model:extra_labs()
  if self._extra then return self._extra end
  local out = {}
  local c = self:course()
  local ok, labm = pcall(require, "llm.lab")
  if ok and c then
    for _, info in ipairs(labm.find_all()) do
      if info.id and not c.item(info.id) then
        local lab = labm.load(info)
        out[#out + 1] = { id = info.id, kind = "lab", lab = info.number, week = info.week,
          text = ("**Lab %d:** %s"):format(info.number, lab and lab.title or info.slug), path = info.path }
      end
    end
  end
  self._extra = out
  return out
end

-- The course item of a lab, by id ("w03.lab05") or number (5).
function Model:lab_item(id)
  local c = self:course()
  if not c then return nil end
  for _, it in ipairs(self:extra_labs()) do
    if it.id == id or it.lab == tonumber(id) then return it end
  end
  local n = tonumber(id)
  if n then return c.lab(n) end
  local it = c.item(id)
  if it and it.kind == "lab" then return it end
  return nil
end

-- Files in a folder (sorted); {} when it does not exist.
local function list_dir(dir)
  local out = {}
  local p = io.popen(("ls -1 %q 2>/dev/null"):format(dir))
  if not p then return out end
  for f in p:lines() do out[#out + 1] = f end
  p:close()
  return out
end

-- The lab file of a lab item: labs/weekNN/labMM_<slug>.lua, or nil.
-- LLMLAB_LABS names another labs folder (the UI's tests use their own).
function Model:lab_file(item)
  if not item or not item.lab then return nil end
  local roots = { llm.home .. "/labs" }
  local extra = os.getenv("LLMLAB_LABS")
  if extra and extra ~= "" then table.insert(roots, 1, extra) end
  for _, root in ipairs(roots) do
    local dir = ("%s/week%02d"):format(root, item.week or 0)
    local prefix = ("lab%02d_"):format(item.lab)
    for _, f in ipairs(list_dir(dir)) do
      if f:sub(1, #prefix) == prefix and f:match("%.lua$") then return dir .. "/" .. f end
    end
  end
  return item.path
end

-- The quiz file of a week, or nil.
function Model:quiz_file(week)
  local path = ("%s/quizzes/week%02d.lua"):format(llm.home, week)
  local f = io.open(path, "r")
  if not f then return nil end
  f:close()
  return path
end

-- Load a lab file for its text (titles, steps); the worker runs it.
function Model:load_lab(path)
  local env = setmetatable({}, { __index = _G })
  local f, err = loadfile(path, "t", env)
  if not f then error(err, 0) end
  local ok, lab = pcall(f)
  if not ok then error(path .. ": " .. tostring(lab), 0) end
  if type(lab) ~= "table" or type(lab.steps) ~= "table" then
    error(path .. ": a lab file must return a table with steps", 0)
  end
  return lab
end

-- The best result db:<method>(arg) gives, or nil; cached under key until
-- refresh (the course screen asks for every visible lab and quiz).
local function best(self, method, arg, key)
  local db = self:db()
  if not db then return nil end
  self.best_cache = self.best_cache or {}
  local c = self.best_cache[key]
  if c == nil then
    local ok, r = pcall(db[method], db, arg)
    c = ok and r or false
    self.best_cache[key] = c
  end
  return c or nil
end

-- The best finished attempt at a week's quiz, or nil (cached).
function Model:quiz_best(week) return best(self, "quiz_best", week, "quiz" .. week) end

-- The best recorded result of a lab: {points=, max=, passed=} or nil (cached).
function Model:lab_best(id) return best(self, "lab_best", id, id) end

-- The student's copy of a lab's exercise (made by the lab runner when
-- it exists), or nil and why not.
function Model:exercise_path(item, path, lab)
  _ = path
  _ = item
  if not lab.exercises or next(lab.exercises) == nil then
    return nil, "this lab has no exercise to edit"
  end
  local labm = require "llm.lab"
  local info = labm.info_from_path(path)
  local ok, err = labm.ensure_work(info)
  if not ok then return nil, err end
  return info.work
end

-- Record that a hint was shown (the store keeps the highest level).
function Model:hint_used(lab_id, exercise, level)
  local db = self:db()
  if db then pcall(db.lab_hint_used, db, lab_id, exercise, level) end
end

-- Record a whole lab that passed in the UI (every step run and passing):
-- an attempt with each step's result; the store ticks the lab's item.
function Model:record_lab(lab_id, results, nsteps)
  local db = self:db()
  if not db then return false end
  local ok = pcall(function()
    local attempt = db:lab_attempt_start(lab_id, { mode = "student" })
    local total, max = 0, 0
    for k = 1, nsteps do
      local r = results[k]
      db:lab_step_result(attempt, k, { title = r.title, status = r.status, points = r.points or 0,
        max = r.max or 0, message = r.message, output = "" })
      total, max = total + (r.points or 0), max + (r.max or 0)
    end
    db:lab_attempt_finish(attempt, { points = total, max = max, passed = true })
  end)
  self:refresh()
  return ok
end

return M
