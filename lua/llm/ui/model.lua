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

function Model:refresh() self.checked_cache = nil end

function Model:last_lab()
  local db = self:db()
  return db and db:last_lab() or nil
end

function Model:set_last_lab(id)
  local db = self:db()
  if db then pcall(db.set_last_lab, db, id) end
end

-- The course item of a lab, by id ("w03.lab05") or number (5).
function Model:lab_item(id)
  local c = self:course()
  if not c then return nil end
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
  local root = os.getenv("LLMLAB_LABS")
  if not root or root == "" then root = llm.home .. "/labs" end
  local dir = ("%s/week%02d"):format(root, item.week or 0)
  local prefix = ("lab%02d_"):format(item.lab)
  for _, f in ipairs(list_dir(dir)) do
    if f:sub(1, #prefix) == prefix and f:match("%.lua$") then return dir .. "/" .. f end
  end
  return nil
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

-- The best recorded result of a lab: {points=, max=, passed=} or nil.
function Model:lab_best(id)
  local db = self:db()
  if not db then return nil end
  local ok, r = pcall(db.lab_best, db, id)
  return ok and r or nil
end

-- The student's copy of a lab's exercise (made by the lab runner when
-- it exists), or nil and why not.
function Model:exercise_path(item, path, lab)
  _ = path
  if not lab.exercises or next(lab.exercises) == nil then
    return nil, "this lab has no exercise to edit"
  end
  local ok, labmod = pcall(require, "llm.lab")
  if ok and type(labmod) == "table" and labmod.exercise_path then
    local ok2, p = pcall(labmod.exercise_path, item.id)
    if ok2 and p then return p end
    return nil, "cannot prepare the exercise: " .. tostring(p)
  end
  return nil, "the lab runner (llm.lab) is not available"
end

return M
