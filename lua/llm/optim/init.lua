-- llm.optim: optimizers, gradient clipping, learning-rate schedules and
-- weight initialisation.
--
--   local opt = llm.optim.AdamW(model, {lr = 3e-4, weight_decay = 0.1})
--   llm.optim.SGD(params, {lr =, momentum =, nesterov =, dampening =, weight_decay =})
--   llm.optim.Adam(params, {lr =, betas = {b1, b2}, eps =, weight_decay =})
--   llm.optim.clip_grad_norm(params_or_model, max_norm) -> the norm before clipping
--   llm.optim.grad_norm(params_or_model) -> the global L2 norm of the grads
--   llm.optim.schedule.cosine{...} etc.   (schedule.lua)
--   llm.optim.init.normal_(...) etc.      (init_schemes.lua)
--
-- Gradient accumulation: grads add up over backward calls until zero_grad,
-- so k micro-batches with loss / k each, then one step, equal one big batch
-- (llm.train does this with accum_steps = k).
local llm = require "llm"
local Module = require "llm.nn.module"
local M = {}

M.Optimizer = require "llm.optim.optimizer"
M.SGD = require "llm.optim.sgd"
local adam = require "llm.optim.adam"
M.Adam, M.AdamW = adam.Adam, adam.AdamW
M.schedule = require "llm.optim.schedule"
M.init = require "llm.optim.init_schemes"

local function param_list(x)
  if Module.is_module(x) then return x:parameters() end
  if type(x) == "table" and x.groups then return x:params() end
  if llm.is_tensor(x) then return { x } end
  return x
end

function M.grad_norm(params)
  return math.sqrt(llm.grad_sum_squares(param_list(params)))
end

-- Scale all grads together so that their global L2 norm is at most
-- max_norm (as torch.nn.utils.clip_grad_norm_); returns the norm before.
function M.clip_grad_norm(params, max_norm)
  if type(max_norm) ~= "number" or max_norm <= 0 then error("clip_grad_norm: max_norm must be > 0", 2) end
  local list = param_list(params)
  local norm = math.sqrt(llm.grad_sum_squares(list))
  local coef = max_norm / (norm + 1e-6)
  if coef < 1 then llm.grad_scale_(list, coef) end
  return norm
end

return M
