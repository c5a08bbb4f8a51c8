-- llm.runs_relay: what `llm.runs` is INSIDE a lab step's sandbox. The
-- sandbox has no database, so a step's runs are recorded here as plain
-- data (name, params, metric rows, artifact paths, final status), returned
-- with the step's result, and written to the store by the lab runner in the
-- parent process (lua/llm/lab.lua) through the real llm.runs, with the lab
-- and lab file in the run's manifest. Same calls as llm.runs:
--   local run = llm.runs.start{name = "bigram", params = {lr = 0.1}}
--   run:log(step, {loss = 2.3}) ; run:artifact(path) ; run:finish()
local M = { recorded = {} }

local Run = {}
Run.__index = Run

local function plain_params(p)
  local out = {}
  for k, v in pairs(p or {}) do
    if type(k) ~= "string" then error("runs.start: param names must be strings", 3) end
    local t = type(v)
    if t ~= "string" and t ~= "number" and t ~= "boolean" then
      error("runs.start: param '" .. k .. "' must be a string, number or boolean", 3)
    end
    out[k] = v
  end
  return out
end

function M.start(opts)
  if type(opts) ~= "table" or type(opts.name) ~= "string" or opts.name == "" then
    error("runs.start: expected {name = \"...\", params = {...}}", 2)
  end
  local r = setmetatable({ name = opts.name, params = plain_params(opts.params), rows = {}, artifacts = {},
    inputs = {}, seed = llm.info().seed }, Run)
  for _, p in ipairs(opts.inputs or {}) do r.inputs[#r.inputs + 1] = tostring(p) end
  M.recorded[#M.recorded + 1] = r
  return r
end

function Run:log(step, metrics)
  if self.status then error("runs: the run is finished", 2) end
  if math.type(step) ~= "integer" or step < 0 then error("runs: log: step must be a non-negative integer", 2) end
  if type(metrics) ~= "table" then error("runs: log: metrics must be a table {name = number}", 2) end
  local m = {}
  for k, v in pairs(metrics) do
    if type(k) ~= "string" or type(v) ~= "number" then error("runs: log: metrics must be {name = number}", 2) end
    m[k] = v
  end
  self.rows[#self.rows + 1] = { step, m }
end

function Run:artifact(path)
  if type(path) ~= "string" then error("runs: artifact: path must be a string", 2) end
  self.artifacts[#self.artifacts + 1] = path
end

function Run:finish(status) self.status = self.status or status or "finished" end

Run.__close = function(self, err) self:finish(err and "failed" or "finished") end

-- The recorded runs as plain data (a run never finished is "incomplete").
function M.export()
  local out = {}
  for i, r in ipairs(M.recorded) do
    out[i] = { name = r.name, params = r.params, rows = r.rows, artifacts = r.artifacts, inputs = r.inputs,
      seed = r.seed, status = r.status or "incomplete" }
  end
  return out
end

return M
