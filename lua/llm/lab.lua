-- llm.lab: the lab runner (DESIGN.md "Lab" format).
--
-- A lab is labs/weekNN/labMM_slug.lua returning
--   {id = "wNN.labMM", week = N, title = "...", objectives = {...},
--    size = {small = {...}, full = {...}},          -- parameters per CPU size
--    time = 10, memory = 256,                       -- default step budget (s, MB)
--    exercises = {{name = "fn", hints = {"...", ...}}, ...},
--    steps = {{title=, text=, run = function(ctx) end, check = function(ctx) end,
--              exercise = "fn", points = n, time = s, memory = MB, size = {...}, heavy = bool}, ...}}
-- The exercise template is labs/weekNN/exercises/labMM_slug.lua, the
-- reference solution labs/weekNN/solutions/labMM_slug.lua; the student's
-- copy lives in $XDG_DATA_HOME/llmlab/work/weekNN/labMM_slug.lua and is
-- what gets checked. Every step runs in a fresh sandbox (src/app/sandbox.c)
-- through the driver llm.labstep; ctx has .ex (the exercise module),
-- .params (size parameters), .size, .result (what run returned), .step.
local fs = require "llm.fs"
local lint = require "llm.lint"
local fileio = require "llm.fileio"
local sandbox = require "llm.sandbox"

local M = {}

M.DEFAULT_TIME = 10     -- seconds per step
M.DEFAULT_MEMORY = 256  -- MB per step

function M.home()
  local llm = require "llm"
  return os.getenv("LLMLAB_HOME") or llm.home or "."
end

function M.data_dir()
  local xdg = os.getenv("XDG_DATA_HOME")
  if not xdg or xdg == "" then xdg = (os.getenv("HOME") or ".") .. "/.local/share" end
  return xdg .. "/llmlab"
end

function M.work_dir() return M.data_dir() .. "/work" end

local read_file = fileio.read
M.read_file = read_file

local function write_file(path, data)
  local dir = path:match("^(.*)/[^/]*$")
  if dir and dir ~= "" then
    local ok, err = fs.mkdir(dir)
    if not ok then return nil, err end
  end
  return fileio.replace(path, data)
end
M.write_file = write_file

local exists = fileio.exists

-- FNV-1a (32-bit) of a string, as 8 hex digits: identifies a lab version.
function M.hash(s)
  local h = 2166136261
  for i = 1, #s do
    h = ((h ~ s:byte(i)) * 16777619) & 0xffffffff
  end
  return string.format("%08x", h)
end

-- The hash recorded with an attempt: sha256 from the store when present.
function M.file_hash(s)
  local ok, store = pcall(require, "llm.store")
  if ok and type(store) == "table" and store.sha256 then return store.sha256(s) end
  return M.hash(s)
end

-- Describe a lab file from its path: number, week, slug, sibling paths.
function M.info_from_path(path)
  local dir, base = path:match("^(.*)/([^/]+)$")
  if not dir then dir, base = ".", path end
  local num, slug = base:match("^lab(%d+)_([%w_]+)%.lua$")
  local week = dir:match("week(%d+)$")
  local info = { path = path, dir = dir, base = base, slug = slug,
    number = num and tonumber(num), week = week and tonumber(week) }
  if info.number and info.week then
    info.id = string.format("w%02d.lab%02d", info.week, info.number)
    info.weekdir = string.format("week%02d", info.week)
  end
  info.template = dir .. "/exercises/" .. base
  info.solution = dir .. "/solutions/" .. base
  info.work = M.work_dir() .. "/" .. (info.weekdir or "other") .. "/" .. base
  return info
end

-- Every lab under HOME/labs, sorted by number.
function M.find_all()
  local root = M.home() .. "/labs"
  local out = {}
  for _, wd in ipairs(fs.list(root) or {}) do
    if wd:match("^week%d+$") and fs.isdir(root .. "/" .. wd) then
      for _, f in ipairs(fs.list(root .. "/" .. wd) or {}) do
        if f:match("^lab%d+_[%w_]+%.lua$") then
          out[#out + 1] = M.info_from_path(root .. "/" .. wd .. "/" .. f)
        end
      end
    end
  end
  table.sort(out, function(a, b) return a.number < b.number end)
  return out
end

-- A lab by number ("5"), id ("w03.lab05") or file path.
function M.resolve(what)
  what = tostring(what or "")
  if what:match("%.lua$") and exists(what) then return M.info_from_path(what) end
  local n = tonumber(what) or tonumber(what:match("^w%d+%.lab(%d+)$") or "")
  if not n then return nil, "'" .. what .. "' is not a lab number, id (w03.lab05) or lab file" end
  for _, info in ipairs(M.find_all()) do
    if info.number == n then return info end
  end
  return nil, "there is no lab " .. what .. " (see `llmlab lab list`)"
end

-- Load the lab table (trusted instructor code) in its own environment.
function M.load(info)
  local lab, src = lint.load_file(info.path)
  if not lab then return nil, src end
  if type(lab) ~= "table" then return nil, info.path .. ":1: the lab file must return a table" end
  info.src = src
  return lab
end

-- ------------------------------------------------------------------ lint

local STEP_KEYS = { title = 1, text = 1, run = 1, check = 1, exercise = 1, time = 1, memory = 1,
  points = 1, size = 1, heavy = 1 }
local LAB_KEYS = { id = 1, week = 1, number = 1, title = 1, objectives = 1, steps = 1, exercises = 1,
  size = 1, time = 1, memory = 1, summary = 1 }

local is_list = lint.is_list

local function check_size(E, path, size)
  if size == nil then return end
  if type(size) ~= "table" then return E:add(path, "`size` must be a table {small = {...}, full = {...}}") end
  for k, v in pairs(size) do
    if k ~= "small" and k ~= "full" then E:add(path, "`size` has key `" .. tostring(k) .. "`; only small and full")
    elseif type(v) ~= "table" then E:add(path .. "." .. k, "must be a table of parameters") end
  end
  if not size.small then E:add(path, "`size` needs a `small` entry (the small-CPU size)") end
end

local function check_budget(E, path, t)
  if t.time ~= nil and (type(t.time) ~= "number" or t.time <= 0 or t.time > 3600) then
    E:add(path .. ".time", "`time` must be seconds between 0 and 3600")
  end
  if t.memory ~= nil and (type(t.memory) ~= "number" or t.memory < 4 or t.memory > 65536) then
    E:add(path .. ".memory", "`memory` must be megabytes between 4 and 65536")
  end
end

-- Load an exercise module file (template or solution) in a plain env.
local function load_module(path)
  local src = read_file(path)
  if not src then return nil, "missing file " .. path end
  local env = setmetatable({}, { __index = _G })
  local fn, err = load(src, "@" .. path, "t", env)
  if not fn then return nil, err end
  local ok, mod = pcall(fn)
  if not ok then return nil, tostring(mod) end
  if mod == nil then mod = env end
  if type(mod) ~= "table" then return nil, path .. ": must return a table of functions" end
  return mod
end

-- Lint a lab file: returns a list of "file:line: message" strings.
function M.lint(path)
  local info = M.info_from_path(path)
  local lab, src = lint.load_file(path)
  if not lab then return { src } end
  local E = lint.collector(path, lint.source_map(src))
  if type(lab) ~= "table" then
    E:add("", "the lab file must return a table")
    return E:list()
  end
  E:unknown_fields("", lab, LAB_KEYS, "lab")
  if type(lab.id) ~= "string" or not lab.id:match("^w%d%d%.lab%d%d$") then
    E:add("id", "`id` must be a string like \"w03.lab05\"")
  elseif info.id and lab.id ~= info.id then
    E:add("id", "`id` is " .. lab.id .. " but the file name and folder say " .. info.id)
  end
  if math.type(lab.week) ~= "integer" or lab.week < 0 or lab.week > 33 then
    E:add("week", "`week` must be an integer from 0 to 33")
  elseif info.week and lab.week ~= info.week then
    E:add("week", "`week` is " .. lab.week .. " but the file is in week" .. string.format("%02d", info.week))
  end
  if type(lab.title) ~= "string" or lab.title == "" then E:add("title", "`title` must be a non-empty string") end
  if not is_list(lab.objectives) or #lab.objectives == 0 then
    E:add("objectives", "`objectives` must be a non-empty list of strings")
  else
    for i, o in ipairs(lab.objectives) do
      if type(o) ~= "string" then E:add("objectives[" .. i .. "]", "must be a string") end
    end
  end
  check_size(E, "size", lab.size)
  check_budget(E, "", lab)
  local exnames = {}
  if lab.exercises ~= nil then
    if not is_list(lab.exercises) then
      E:add("exercises", "`exercises` must be a list")
    else
      for i, ex in ipairs(lab.exercises) do
        local p = "exercises[" .. i .. "]"
        if type(ex) ~= "table" then E:add(p, "must be a table {name=, hints=}")
        else
          if type(ex.name) ~= "string" or not ex.name:match("^[%a_][%w_]*$") then
            E:add(p .. ".name", "`name` must be a Lua identifier (the function the student writes)")
          elseif exnames[ex.name] then
            E:add(p .. ".name", "exercise `" .. ex.name .. "` is listed twice")
          else
            exnames[ex.name] = { index = i, used = false }
          end
          if not is_list(ex.hints) or #ex.hints == 0 then
            E:add(p .. ".hints", "`hints` must be a non-empty list (the hint ladder)")
          else
            for j, h in ipairs(ex.hints) do
              if type(h) ~= "string" or h == "" then E:add(p .. ".hints[" .. j .. "]", "must be a non-empty string") end
            end
          end
        end
      end
    end
  end
  if not is_list(lab.steps) or #lab.steps == 0 then
    E:add("steps", "`steps` must be a non-empty list")
  else
    for i, st in ipairs(lab.steps) do
      local p = "steps[" .. i .. "]"
      if type(st) ~= "table" then E:add(p, "must be a table")
      else
        E:unknown_fields(p, st, STEP_KEYS, "step")
        if type(st.title) ~= "string" or st.title == "" then E:add(p, "missing `title` (a non-empty string)") end
        if st.text ~= nil and type(st.text) ~= "string" then E:add(p .. ".text", "`text` must be a string (Markdown)") end
        if st.run ~= nil and type(st.run) ~= "function" then E:add(p .. ".run", "`run` must be a function(ctx)") end
        if st.check ~= nil and type(st.check) ~= "function" then E:add(p .. ".check", "`check` must be a function(ctx)") end
        if st.text == nil and st.run == nil and st.check == nil then E:add(p, "a step needs text, run or check") end
        if st.points ~= nil and (type(st.points) ~= "number" or st.points < 0) then
          E:add(p .. ".points", "`points` must be a number >= 0")
        end
        if st.exercise ~= nil then
          if not exnames[st.exercise] then
            E:add(p .. ".exercise", "exercise `" .. tostring(st.exercise) .. "` is not in `exercises`")
          else
            exnames[st.exercise].used = true
          end
          if type(st.check) ~= "function" then E:add(p, "a step with an exercise needs a `check`") end
        end
        check_budget(E, p, st)
        check_size(E, p .. ".size", st.size)
        if st.heavy and not (st.size and st.size.small) and not (lab.size and lab.size.small) then
          E:add(p, "a heavy step needs a small-CPU size (`size = {small = {...}}` on the step or the lab)")
        end
      end
    end
  end
  for name, e in pairs(exnames) do
    if not e.used then E:add("exercises[" .. e.index .. "]", "exercise `" .. name .. "` is not checked by any step") end
  end
  if next(exnames) then
    for _, which in ipairs({ "template", "solution" }) do
      local mod, err = load_module(info[which])
      if not mod then
        E:add("exercises", "the " .. which .. " file: " .. err)
      else
        for name, e in pairs(exnames) do
          if type(rawget(mod, name)) ~= "function" then
            E:add("exercises[" .. e.index .. "]", "the " .. which .. " " .. info[which] ..
              " does not define function `" .. name .. "`")
          end
        end
      end
    end
  end
  return E:list()
end

-- ------------------------------------------------------------------ running

-- Make sure the student's copy exists (copied from the template).
function M.ensure_work(info)
  if exists(info.work) then return true end
  local src = read_file(info.template)
  if not src then return nil, "this lab has no exercise template (" .. info.template .. ")" end
  local ok, err = write_file(info.work, src)
  if not ok then return nil, "cannot create your copy " .. info.work .. ": " .. tostring(err) end
  return true, "created"
end

-- Which exercise source a mode checks.
function M.exercise_source(info, mode)
  local path = mode == "solution" and info.solution or mode == "template" and info.template or info.work
  return read_file(path), path
end

-- Run step k; returns {title, status, points, max, message, output, elapsed}.
-- status: ok | failed | error | timeout | memory.
function M.run_step(info, lab, k, opts)
  opts = opts or {}
  local st = lab.steps[k]
  local ex_src, ex_path
  if lab.exercises and #lab.exercises > 0 then
    ex_src, ex_path = M.exercise_source(info, opts.mode or "student")
  end
  local max = st.points or (st.check and 1 or 0)
  local res = sandbox.run {
    driver = "llm.labstep",
    args = { lab_src = info.src, lab_name = "@" .. info.path, ex_src = ex_src,
      ex_name = ex_path and ("@" .. ex_path), step = k, size = opts.size or "full", mode = opts.mode },
    time = st.time or lab.time or M.DEFAULT_TIME,
    memory = (st.memory or lab.memory or M.DEFAULT_MEMORY) * 2 ^ 20,
    label = "step " .. k,
    fork = opts.fork ~= false,
    live = opts.live,
  }
  local out = { title = st.title, output = res.output, elapsed = res.elapsed, max = max, points = 0 }
  if res.status == "ok" and type(res.value) == "table" then
    local v = res.value
    out.status, out.points, out.max, out.message = v.status, v.points or 0, v.max or max, v.message
    out.runs = v.runs
  else
    out.status = (res.status == "crash" or res.status == "ok") and "error" or res.status
    out.message = res.message or "the step returned no result"
  end
  return out
end

-- Write the runs a step recorded in its sandbox (llm.runs_relay) to the
-- store through llm.runs, tagged with the lab and its file.
function M.store_runs(db, info, lab, runs)
  if not db or not runs or #runs == 0 then return end
  local llm_runs = require "llm.runs"
  llm_runs.set_context({ lab = lab.id, lab_file = info.path })
  for _, r in ipairs(runs) do
    local inputs = {}
    for _, p in ipairs(r.inputs or {}) do
      if io.open(p, "rb") then inputs[#inputs + 1] = p end
    end
    -- the manifest records the seed the step had set when it started the run
    if math.type(r.seed) == "integer" then require("llm").seed(r.seed) end
    local run = llm_runs.start { name = r.name, params = r.params, db = db, inputs = inputs,
      flush_rows = math.max(1000, #r.rows * 4) }
    for _, row in ipairs(r.rows) do run:log(row[1], row[2]) end
    for _, p in ipairs(r.artifacts or {}) do
      if io.open(p, "rb") then run:artifact(p) end
    end
    run:finish(r.status == "incomplete" and "failed" or r.status)
  end
  llm_runs.set_context({})
end

-- Open the progress store when it is available (nil otherwise).
function M.open_db(path)
  local ok, store = pcall(require, "llm.store")
  if not ok or type(store) ~= "table" or not store.open then return nil end
  return store.open(path)
end

-- Run a lab's steps and record the attempt. opts: mode, step (only that
-- one), check_only, size, db, out (writer), color, live (print output as
-- it comes, for a terminal; it is recorded either way).
function M.run(info, lab, opts)
  opts = opts or {}
  local md = require "llm.markdown"
  local w = opts.out or io.write
  local mode = opts.mode or "student"
  local results = {}
  local db = opts.db
  local attempt
  if db then attempt = db:lab_attempt_start(lab.id, { mode = mode, lab_hash = M.file_hash(info.src) }) end
  local total, total_max, failed = 0, 0, 0
  for k, st in ipairs(lab.steps) do
    if (not opts.step or opts.step == k) and (not opts.check_only or st.check) then
      if not opts.check_only then
        w(md.render(string.format("## Step %d/%d: %s", k, #lab.steps, st.title), { color = opts.color }))
        if st.text then w(md.render(st.text, { color = opts.color, width = opts.width })) end
      end
      local r
      if opts.live and not opts.check_only and (st.run or st.check) then w("--- output ---\n") end
      if st.run or st.check then
        r = M.run_step(info, lab, k, opts)
      else
        r = { title = st.title, status = "ok", points = 0, max = 0, output = "" }
      end
      results[k] = r
      if not opts.check_only and not opts.live and r.output ~= "" then
        w("--- output ---\n", r.output, (r.output:sub(-1) == "\n") and "" or "\n")
      end
      total, total_max = total + r.points, total_max + r.max
      if r.status ~= "ok" then failed = failed + 1 end
      if st.check or r.status ~= "ok" then
        local mark = r.status == "ok" and "PASS" or (r.status == "failed" and "FAIL" or r.status:upper())
        w(string.format("[%s] step %d %s: %g/%g%s\n", mark, k, st.title, r.points, r.max,
          r.message and (" - " .. r.message) or ""))
      end
      if not opts.check_only then w("\n") end
      if db then
        M.store_runs(db, info, lab, r.runs)
        db:lab_step_result(attempt, k, { title = st.title, status = r.status, points = r.points, max = r.max,
          message = r.message, output = r.output })
      end
    end
  end
  local passed = failed == 0
  w(string.format("%s: %g/%g points, %d step%s not passing\n", lab.id, total, total_max, failed,
    failed == 1 and "" or "s"))
  if db then
    -- a passed student attempt ticks the lab's checklist item (the store
    -- does it in the same transaction); a single --step run never counts
    -- as finishing the lab
    db:lab_attempt_finish(attempt, { points = total, max = total_max, passed = passed and not opts.step })
    db:set_last_lab(lab.id)
  end
  return passed, results, total, total_max
end

-- dev-check one lab: lint; each exercise's steps fail on the template and
-- pass on the solution; other steps pass with the solution. Returns
-- passed, failed counts and writes one line per assertion.
function M.dev_check(info, w)
  w = w or io.write
  local p, f = 0, 0
  local function report(ok, what)
    if ok then p = p + 1 else f = f + 1 end
    w(string.format("%s %s\n", ok and "ok  " or "FAIL", what))
  end
  local errs = M.lint(info.path)
  report(#errs == 0, (info.id or info.path) .. ": lint" .. (#errs > 0 and (" - " .. table.concat(errs, "; ")) or ""))
  if #errs > 0 then return p, f end
  local lab = assert(M.load(info))
  for k, st in ipairs(lab.steps) do
    if st.run or st.check then
      local what = string.format("%s step %d (%s)", lab.id, k, st.title)
      local sol = M.run_step(info, lab, k, { mode = "solution", size = "small" })
      report(sol.status == "ok", what .. ": passes with the solution" ..
        (sol.status ~= "ok" and (" - " .. sol.status .. ": " .. tostring(sol.message)) or ""))
      if st.exercise then
        local tpl = M.run_step(info, lab, k, { mode = "template", size = "small" })
        report(tpl.status ~= "ok" and tpl.points < tpl.max,
          what .. ": fails on the untouched template" ..
          (tpl.status == "ok" and " - but it passed" or string.format(" (%g/%g)", tpl.points, tpl.max)))
      end
    end
  end
  return p, f
end

-- Exercise names whose steps all pass in `results` (from M.run).
function M.passed_exercises(lab, results)
  local state = {}
  for k, st in ipairs(lab.steps) do
    if st.exercise then
      local r = results[k]
      local ok = r and r.status == "ok"
      if state[st.exercise] == nil then state[st.exercise] = ok else state[st.exercise] = state[st.exercise] and ok end
    end
  end
  return state
end

-- The scaffold `llmlab lab new` writes: lab file, template, solution.
function M.scaffold(week, number, slug)
  local id = string.format("w%02d.lab%02d", week, number)
  local lab = string.format([==[
-- %s: <one line on what this lab teaches>
return {
  id = "%s",
  week = %d,
  title = "<title>",
  objectives = {
    "<what the student can do afterwards>",
  },
  -- Parameters per CPU size: ctx.params in run/check (dev-check uses small).
  size = { small = { n = 10 }, full = { n = 1000 } },
  exercises = {
    { name = "solve", hints = {
      "<a nudge>",
      "<a stronger hint>",
      "<almost the answer>",
    } },
  },
  steps = {
    { title = "Read", text = [[
# <heading>
Explain the idea in a few short paragraphs. **Bold** and `code` work.
]] },
    { title = "Your turn", exercise = "solve", points = 2, time = 5, memory = 64,
      text = [[Write `solve` in your copy of the exercise file.]],
      check = function(ctx)
        local check = require "llm.check"
        return check.cases(ctx.ex.solve, {
          { args = { 1 }, expect = 2 },
          { args = { 2 }, expect = 4 },
        }, { name = "solve" })
      end },
  },
}
]==], id, id, week)
  local template = [[
-- Exercise file: fill in each function, then `llmlab lab run N --check`.
local M = {}

function M.solve(x)
  -- TODO
end

return M
]]
  local solution = [[
-- Reference solution (for checks and instructors only).
local M = {}

function M.solve(x)
  return 2 * x
end

return M
]]
  return lab, template, solution
end

return M
