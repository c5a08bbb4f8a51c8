-- llm.ui.worker: the code that runs in the UI's worker thread (its own Lua
-- state; see src/app/tui/worker.c for why). The UI sends small chunks
-- like `return require("llm.ui.worker").job("run_step", path, 2)`; every
-- job returns its result serialised (llm.ui.serial), never raises, and
-- flushes a pending live plot before it ends.
--
-- While a job runs, print and io.write stream into the UI's output pane
-- and llm.plot sends plots to the plot pane (llm.plot's UI sink: "show"
-- at once, live pushes at most 5 times a second).
--
-- Lab steps run as the course's lab runner runs them (a fresh sandbox per
-- step, with its time and memory budget, on the student's exercise copy;
-- lua/llm/lab.lua), in a child process of the worker with the sandbox in
-- live mode, so the step's print streams too. The REPL and completion run
-- in the worker's own state, where the lab's environment persists.
local channel = require "llm.worker"
local serial = require "llm.ui.serial"

local W = {}

local function out_write(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do
    local v = select(i, ...)
    if type(v) ~= "string" and type(v) ~= "number" then
      error(("bad argument #%d to 'write' (string expected, got %s)"):format(i, type(v)), 2)
    end
    parts[i] = tostring(v)
  end
  channel.emit("out", table.concat(parts))
end

function W.setup()
  _G.print = function(...)
    local n = select("#", ...)
    local parts = {}
    for i = 1, n do parts[i] = tostring((select(i, ...))) end
    channel.emit("out", table.concat(parts, "\t") .. "\n")
  end
  io.write = function(...)
    out_write(...)
    return io.stdout
  end
end

-- The lab the worker has open: its table, a context shared by its steps
-- (so a later step sees what an earlier one computed), an environment for
-- the REPL.
local current = { path = nil }

local function open_lab(path)
  if current.path == path then return current end
  local env = setmetatable({}, { __index = _G })
  local f, err = loadfile(path, "t", env)
  if not f then error(err, 0) end
  local lab = f()
  if type(lab) ~= "table" or type(lab.steps) ~= "table" then
    error(path .. ": a lab file must return a table with steps", 0)
  end
  local ctx = { lab = lab, size = os.getenv("LLMLAB_SIZE") or "full", params = {} }
  env.ctx, env.lab = ctx, lab
  current = { path = path, lab = lab, ctx = ctx, env = env }
  return current
end

local jobs = {}

-- Run step k of the lab file at `path` the way `llmlab lab run` does
-- (llm.lab.run_step), with the sandbox's output live. Result: the step's
-- {status, points, max, message, elapsed}.
function jobs.lab_step(path, k, size)
  local labm = require "llm.lab"
  local sandbox = require "llm.sandbox"
  local info = labm.info_from_path(path)
  local lab, err = labm.load(info)
  if not lab then error(err, 0) end
  local st = lab.steps[k]
  if not st then error(("no step %d"):format(k), 0) end
  if not (st.run or st.check) then return { status = "ok", points = 0, max = 0, text_only = true } end
  local ex_src, ex_path
  if lab.exercises and #lab.exercises > 0 then
    local ok, e = labm.ensure_work(info)
    if not ok then error(e, 0) end
    ex_src, ex_path = labm.exercise_source(info, "student")
  end
  local max = st.points or (st.check and 1 or 0)
  local res = sandbox.run {
    driver = "llm.labstep",
    args = { lab_src = info.src, lab_name = "@" .. info.path, ex_src = ex_src,
      ex_name = ex_path and ("@" .. ex_path), step = k, size = size or "full", mode = "student" },
    time = st.time or lab.time or labm.DEFAULT_TIME,
    memory = (st.memory or lab.memory or labm.DEFAULT_MEMORY) * 2 ^ 20,
    label = "step " .. k,
    live = true,
  }
  local out = { status = res.status, points = 0, max = max, elapsed = res.elapsed, message = res.message }
  if res.status == "ok" and type(res.value) == "table" then
    local v = res.value
    out.status, out.points, out.max, out.message = v.status, v.points or 0, v.max or max, v.message
    -- runs the step logged (llm.runs inside the sandbox) go to the store,
    -- as `llmlab lab run` stores them
    if v.runs and #v.runs > 0 and labm.store_runs then
      local ok, e = pcall(function()
        local db = labm.open_db()
        labm.store_runs(db, info, lab, v.runs)
        if db then db:close() end
      end)
      if not ok then print("! the step's runs could not be saved: " .. tostring(e)) end
    end
  elseif res.status == "ok" or res.status == "crash" then
    out.status = "error"
    out.message = res.message or "the step returned no result"
  end
  return out
end

-- Run step i: its run, then its check. Result: {status, points, max, message}.
function jobs.run_step(path, i)
  local cur = open_lab(path)
  local step = cur.lab.steps[i]
  if not step then error(("no step %d"):format(i), 0) end
  local ctx = cur.ctx
  ctx.step = i
  ctx.params = (cur.lab.size or {})[ctx.size] or {}
  local res = { status = "ok" }
  if step.run then ctx.result = step.run(ctx) end
  if step.check then
    local c = step.check(ctx)
    if type(c) ~= "table" then c = { points = c and 1 or 0, max = 1 } end
    res.points, res.max, res.message = c.points or 0, c.max or 1, c.message
    res.status = (res.points >= res.max) and "passed" or "failed"
  end
  return res
end

-- Grade a quiz's answers (code answers run in the sandbox, so this runs
-- in the worker, not in the UI thread). Result: points, max, passed and
-- each question's {question, points, max, feedback}.
function jobs.quiz_grade(path, answers)
  local quiz = require "llm.quiz"
  local q, src = quiz.load(path)
  if not q then error(src, 0) end
  local points, max, results = quiz.grade(q, src, path, answers)
  return { points = points, max = max, results = results, passed = quiz.passed(q, points, max) }
end

-- The REPL: an expression prints its values, else the statements run.
function jobs.eval(path, code)
  local env = path and open_lab(path).env or _G
  local f = load("return " .. code, "=repl", "t", env)
  if not f then
    local err
    f, err = load(code, "=repl", "t", env)
    if not f then
      if err:match("<eof>$") then return { incomplete = true } end
      error(err, 0)
    end
  end
  local r = table.pack(f())
  if r.n > 0 then
    local parts = {}
    for i = 1, r.n do parts[i] = tostring(r[i]) end
    print(table.concat(parts, "\t"))
  end
  return { ok = true }
end

-- Names for completion of `llm.`: the module's fields and its lazily
-- loaded submodules (lua/llm/*.lua).
function jobs.complete(prefix)
  local names = {}
  local base, part = prefix:match("^(.-)%.?([%w_]*)$")
  local t = _G
  for name in base:gmatch("[%w_]+") do
    t = type(t) == "table" and rawget(t, name) or (t == _G and nil)
    if t == nil then t = _G[name] end
  end
  if type(t) ~= "table" then return { names = {} } end
  local seen = {}
  for k in pairs(t) do
    if type(k) == "string" and k:sub(1, #part) == part then seen[k] = true end
  end
  if base == "llm" then
    local p = io.popen(("ls %q/lua/llm 2>/dev/null"):format(llm.home or "."))
    if p then
      for f in p:lines() do
        local m = f:match("^([%w_]+)%.lua$") or f:match("^([%w_]+)$")
        if m and m ~= "init" and m:sub(1, #part) == part then seen[m] = true end
      end
      p:close()
    end
  end
  for k in pairs(seen) do names[#names + 1] = k end
  table.sort(names)
  return { names = names }
end

-- The error with a short traceback: the student's frames only (the
-- worker's own frames below xpcall are dropped).
local function traceback(e)
  if type(e) ~= "string" then e = "(error object is a " .. type(e) .. " value)" end
  local tb = debug.traceback(e, 2)
  local out = {}
  for line in tb:gmatch("[^\n]+") do
    if line:find("in function 'xpcall'", 1, true) or line:find("llm/ui/worker.lua", 1, true) then break end
    out[#out + 1] = line
  end
  return table.concat(out, "\n")
end

-- Run job `name` with its arguments; always returns serialised
-- {ok = true, value = ...} or {ok = false, error = "msg\ntraceback"}.
function W.job(name, ...)
  local f = jobs[name]
  local ok, v
  if not f then ok, v = false, "no worker job " .. tostring(name)
  else ok, v = xpcall(f, traceback, ...) end
  pcall(llm.plot.flush)
  io.stdout:flush()
  if ok then return serial.encode({ ok = true, value = v }) end
  local msg = tostring(v)
  return serial.encode({ ok = false, error = msg, cancelled = msg:lower():match("interrupt") ~= nil })
end

W.jobs = jobs
return W
