-- llm.labstep: the sandbox driver for one lab step (runs INSIDE a sandbox
-- state; see src/app/sandbox.c and lua/llm/lab.lua). It loads the lab file
-- and the student's exercise copy (each in its own environment), runs the
-- step's `run` and `check`, and returns plain data:
--   {status = "ok"|"failed"|"error", points=, max=, message=}
-- Limits (time, memory) are enforced around it by the sandbox, which
-- reports "timeout"/"memory" itself. Runs the step logs through llm.runs
-- come back in `runs` (see llm.runs_relay).
local senv = require "llm.sandbox_env"

local function merged(a, b)
  local t = {}
  for k, v in pairs(a or {}) do t[k] = v end
  for k, v in pairs(b or {}) do t[k] = v end
  return t
end

local function errstr(e)
  if type(e) == "string" then return e end
  return "(error object is a " .. type(e) .. " value)"
end

-- llm.runs inside the sandbox records runs for the parent to store.
local relay = require "llm.runs_relay"
package.loaded["llm.runs"] = relay

local function step(a)
  local lab_env = setmetatable({}, { __index = _G })
  local fn, err = load(a.lab_src, a.lab_name, "t", lab_env)
  if not fn then return { status = "error", message = "the lab file does not load: " .. err } end
  local ok, lab = pcall(fn)
  if not ok then return { status = "error", message = "the lab file does not load: " .. errstr(lab) } end
  local step = lab.steps and lab.steps[a.step]
  if type(step) ~= "table" then return { status = "error", message = "no step " .. tostring(a.step) } end
  local size = a.size or "full"
  local ctx = {
    lab = lab, step = a.step, size = size, mode = a.mode,
    params = merged((lab.size or {})[size], (step.size or {})[size]),
  }
  local max = step.points or (step.check and 1 or 0)
  if a.ex_src then
    local lok, mod = pcall(senv.module, a.ex_src, a.ex_name)
    if not lok then
      return { status = step.check and "failed" or "error", points = 0, max = max,
        message = "your exercise file does not run: " .. errstr(mod) }
    end
    ctx.ex = mod
  end
  if step.run then
    local rok, res = pcall(step.run, ctx)
    if not rok then
      return { status = step.check and "failed" or "error", points = 0, max = max,
        message = "error while running the step: " .. errstr(res) }
    end
    ctx.result = res
  end
  if not step.check then return { status = "ok", points = 0, max = 0 } end
  local cok, r = pcall(step.check, ctx)
  if not cok then
    return { status = "failed", points = 0, max = max, message = "the check raised an error: " .. errstr(r) }
  end
  if type(r) ~= "table" or type(rawget(r, "points")) ~= "number" or type(rawget(r, "max")) ~= "number" then
    return { status = "error", points = 0, max = max,
      message = "the check did not return {points=, max=, message=} (got " .. type(r) .. ")" }
  end
  local p, m = rawget(r, "points"), rawget(r, "max")
  local msg = rawget(r, "message")
  return { status = (p >= m) and "ok" or "failed", points = p, max = m,
    message = type(msg) == "string" and msg or nil }
end

return function(a)
  local r = step(a)
  r.runs = relay.export()
  return r
end
