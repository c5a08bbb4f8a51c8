-- llm.runs: experiment tracking for training labs (week 5 on).
--
--   local run = llm.runs.start{name = "bigram", params = {lr = 0.1, steps = 500}}
--   for step = 1, 500 do ... run:log(step, {loss = loss, lr = lr}) end
--   run:artifact("model.safetensors")
--   run:finish()                  -- or run:finish("failed")
--
-- Each run records its params, metrics per step, artifacts (path, size,
-- sha256) and a manifest: seed, threads, BLAS, llmlab and Lua versions, the
-- lab and the sha256 of the lab file and of every input named in `inputs`.
-- Metrics are buffered and written in batches, one transaction each (every
-- `flush_rows` rows or `flush_seconds` seconds, and at finish), so logging
-- costs little and another process (the UI) sees the curve grow. A killed
-- process loses at most its unflushed rows, never half a batch.
local M = {}

-- The database is loaded on first use, so that code which only reads
-- llm.runs.context (a sandbox without the database) still loads.
local store, C
local function load_store()
  if store then return end
  local ok, err = pcall(function()
    store = require "llm.store"
    C = require "llm.store_c"
  end)
  if not ok then
    store = nil
    error("runs: the run database is not available here (" .. tostring(err):match("^[^\n]*") .. ")", 3)
  end
end

-- Set by the lab runner while a lab step runs: {lab = "w05.lab11", lab_file = path}.
M.context = {}
function M.set_context(ctx) M.context = ctx or {} end

local Run = {}
Run.__index = Run

local function value_string(v, what)
  local t = type(v)
  if t == "string" then return v end
  if t == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    local s
    for digits = 15, 17 do -- the shortest form that reads back as the same number
      s = string.format("%." .. digits .. "g", v)
      if tonumber(s) == v then break end
    end
    return s
  end
  if t == "boolean" then return tostring(v) end
  error("runs: " .. what .. " must be a string, number or boolean, got " .. t, 4)
end

-- Start a run. opts: name (required), params = {k = v}, lab, lab_file,
-- inputs = {paths}, db (an open llm.store database; default store.open()),
-- flush_rows (default 1000), flush_seconds (default 2).
function M.start(opts)
  load_store()
  if type(opts) ~= "table" then error("runs.start: expected a table {name = ..., params = {...}}", 2) end
  if type(opts.name) ~= "string" or opts.name == "" then error("runs.start: name must be a non-empty string", 2) end
  local params = opts.params or {}
  if type(params) ~= "table" then error("runs.start: params must be a table", 2) end
  local pstr = {}
  for k, v in pairs(params) do
    if type(k) ~= "string" then error("runs.start: param names must be strings, got " .. type(k), 2) end
    pstr[k] = value_string(v, "param '" .. k .. "'")
  end
  local lab = opts.lab or M.context.lab
  local lab_file = opts.lab_file or M.context.lab_file
  local manifest = {}
  local info = require("llm").info()
  manifest.seed = tostring(info.seed)
  manifest.threads = tostring(info.threads)
  manifest.blas = info.blas
  manifest.llmlab_version = info.version
  manifest.lua = info.lua
  if lab_file then
    local ok, hex = pcall(C.sha256_file, lab_file)
    if not ok then error("runs.start: lab file: " .. tostring(hex), 2) end
    manifest.lab_file = C.realpath(lab_file) or lab_file
    manifest.lab_sha256 = hex
  end
  for i, path in ipairs(opts.inputs or {}) do
    local ok, hex = pcall(C.sha256_file, path)
    if not ok then error("runs.start: input " .. i .. ": " .. tostring(hex), 2) end
    manifest["input:" .. (C.realpath(path) or path)] = hex
  end

  local db, own = opts.db, false
  if not db then db, own = store.open(), true end
  local h = db:handle()
  local id = db:transaction(function()
    local id = h:run_start(opts.name, lab, C.getpid(), C.hostname())
    for k, v in pairs(pstr) do h:run_param(id, k, v) end
    for k, v in pairs(manifest) do h:run_manifest(id, k, v) end
    return id
  end)
  return setmetatable({
    id = id, name = opts.name, db = db, own_db = own, h = h,
    steps = {}, keys = {}, values = {}, n = 0,
    flush_rows = opts.flush_rows or 1000, flush_seconds = opts.flush_seconds or 2,
    last_flush = os.time(), finished = false,
  }, Run)
end

-- Write the buffered metric rows (one transaction).
function Run:flush()
  if self.n > 0 then
    local n = self.n
    self.n = 0
    self.h:run_log(self.id, self.steps, self.keys, self.values, n)
  end
  self.last_flush = os.time()
end

-- Record metrics at a step: run:log(step, {loss = 2.3, lr = 1e-3}).
function Run:log(step, metrics)
  if self.finished then error("runs: run " .. self.id .. " is finished", 2) end
  if math.type(step) ~= "integer" or step < 0 then
    error("runs: log: step must be a non-negative integer, got " .. tostring(step), 2)
  end
  if type(metrics) ~= "table" then error("runs: log: metrics must be a table {name = number}", 2) end
  local n, steps, keys, values = self.n, self.steps, self.keys, self.values
  for k, v in pairs(metrics) do
    if type(k) ~= "string" or k == "" then error("runs: log: metric names must be non-empty strings", 2) end
    if type(v) ~= "number" then error("runs: log: metric '" .. k .. "' must be a number, got " .. type(v), 2) end
    n = n + 1
    steps[n], keys[n], values[n] = step, k, v
  end
  self.n = n
  if n >= self.flush_rows or os.time() - self.last_flush >= self.flush_seconds then self:flush() end
end

-- Record a file the run produced (path, size, sha256).
function Run:artifact(path)
  if self.finished then error("runs: run " .. self.id .. " is finished", 2) end
  if type(path) ~= "string" then error("runs: artifact: path must be a string", 2) end
  local ok, hex, bytes = pcall(C.sha256_file, path)
  if not ok then error("runs: artifact: " .. tostring(hex), 2) end
  self.h:run_artifact(self.id, C.realpath(path) or path, hex, bytes)
end

-- End the run: status "finished" (default), "failed" or "interrupted".
function Run:finish(status)
  if self.finished then return end
  self:flush()
  self.h:run_finish(self.id, status or "finished")
  self.finished = true
  if self.own_db then self.db:close() end
end

-- A run dropped without finish() (the script raised, or forgot) is marked
-- "incomplete" with whatever it logged.
Run.__gc = function(self)
  if self.finished then return end
  pcall(function()
    self:flush()
    self.h:run_finish(self.id, "incomplete")
  end)
  self.finished = true
  if self.own_db then pcall(self.db.close, self.db) end
end

-- `local run <close> = runs.start{...}`: finished, or failed on an error.
Run.__close = function(self, err)
  if not self.finished then self:finish(err and "failed" or "finished") end
end

Run.__tostring = function(self) return string.format("run %d (%s)", self.id, self.name) end

return M
