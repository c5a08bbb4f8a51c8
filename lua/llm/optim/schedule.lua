-- llm.optim.schedule: learning-rate schedules. Each is a callable object:
-- `sched(step)` gives the learning rate for optimizer step `step` (1 for the
-- first step), so a training loop does `opt:set_lr(sched(step))` before
-- `opt:step()`. `tostring(sched)` describes it; `sched:table(n)` lists the
-- first n rates (handy for plotting in a lab).
--
--   local S = llm.optim.schedule
--   S.constant(3e-4)
--   S.step(0.1, 30, 0.5)                  -- halve every 30 steps
--   S.exponential(0.1, 0.99)              -- lr * 0.99^(step-1)
--   S.cosine{lr = 6e-4, warmup = 100, total = 5000, min_lr = 6e-5}
--   S.linear{lr = 1e-3, warmup = 50, total = 1000, end_lr = 0}
local M = {}

local Schedule = {}
Schedule.__index = Schedule
Schedule.__call = function(self, step) return self.fn(step) end
Schedule.__tostring = function(self) return "schedule " .. self.desc end

function Schedule:table(n)
  local t = {}
  for i = 1, n do t[i] = self.fn(i) end
  return t
end

local function make(desc, fn)
  return setmetatable({ desc = desc, fn = fn }, Schedule)
end

local function check_step(step)
  if math.type(step) ~= "integer" then
    step = tonumber(step)
    if not step or step ~= math.floor(step) then error("schedule: step must be an integer", 3) end
    step = math.tointeger(step)
  end
  if step < 1 then error("schedule: steps start at 1, got " .. step, 3) end
  return step
end

local function positive(name, v)
  if type(v) ~= "number" or v < 0 then
    error(string.format("schedule: %s must be a non-negative number, got %s", name, tostring(v)), 3)
  end
  return v
end

function M.constant(lr)
  positive("lr", lr)
  return make(string.format("constant(lr=%g)", lr), function(step)
    check_step(step)
    return lr
  end)
end

-- lr * gamma^floor((step-1) / step_size)
function M.step(lr, step_size, gamma)
  positive("lr", lr)
  if math.type(step_size) ~= "integer" or step_size < 1 then
    error("schedule: step_size must be a positive integer", 2)
  end
  gamma = positive("gamma", gamma or 0.1)
  return make(string.format("step(lr=%g, every %d steps x%g)", lr, step_size, gamma), function(step)
    step = check_step(step)
    return lr * gamma ^ ((step - 1) // step_size)
  end)
end

-- lr * gamma^(step-1)
function M.exponential(lr, gamma)
  positive("lr", lr)
  positive("gamma", gamma)
  return make(string.format("exponential(lr=%g, gamma=%g)", lr, gamma), function(step)
    step = check_step(step)
    return lr * gamma ^ (step - 1)
  end)
end

local function warm_args(o, kind)
  if type(o) ~= "table" then error("schedule." .. kind .. ": expects a table {lr=, warmup=, total=}", 3) end
  local lr = positive("lr", o.lr)
  local warmup = o.warmup or 0
  local total = o.total
  if math.type(warmup) ~= "integer" or warmup < 0 then error("schedule: warmup must be an integer >= 0", 3) end
  if math.type(total) ~= "integer" or total < 1 then error("schedule: total must be a positive integer", 3) end
  if warmup > total then error("schedule: warmup is longer than total", 3) end
  return lr, warmup, total
end

-- Linear warm-up from lr/warmup to lr over `warmup` steps, then
-- decay(progress), progress going from 0 to 1 between steps `warmup` and
-- `total`; `final` from step `total` on.
local function warm_then(desc, lr, warmup, total, final, decay)
  return make(desc, function(step)
    step = check_step(step)
    if step <= warmup then return lr * step / warmup end
    if step >= total then return final end
    return decay((step - warmup) / (total - warmup))
  end)
end

-- Linear warm-up, then a cosine from lr down to min_lr at step `total`;
-- min_lr after that.
function M.cosine(o)
  local lr, warmup, total = warm_args(o, "cosine")
  local min_lr = positive("min_lr", o.min_lr or 0)
  return warm_then(string.format("cosine(lr=%g, warmup=%d, total=%d, min_lr=%g)", lr, warmup, total, min_lr),
    lr, warmup, total, min_lr, function(progress)
      return min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * progress))
    end)
end

-- Linear warm-up, then linear decay from lr to end_lr at step `total`.
function M.linear(o)
  local lr, warmup, total = warm_args(o, "linear")
  local end_lr = positive("end_lr", o.end_lr or 0)
  return warm_then(string.format("linear(lr=%g, warmup=%d, total=%d, end_lr=%g)", lr, warmup, total, end_lr),
    lr, warmup, total, end_lr, function(progress) return lr + (end_lr - lr) * progress end)
end

return M
