-- llm.optim.SGD: stochastic gradient descent with momentum, dampening,
-- Nesterov momentum and (L2) weight decay, as torch.optim.SGD computes it:
--   g = grad + wd * p
--   buf = g on the first step, else momentum * buf + (1 - dampening) * g
--   p = p - lr * (nesterov and g + momentum * buf or buf)
--
--   local opt = llm.optim.SGD(model, {lr = 0.1, momentum = 0.9, nesterov = true})
local llm = require "llm"
local Optimizer = require "llm.optim.optimizer"

local SGD = setmetatable({}, { __index = Optimizer })
SGD.__index = SGD
SGD.__tostring = Optimizer.__tostring

local defaults = { lr = 0.01, momentum = 0, dampening = 0, weight_decay = 0, nesterov = false }

function SGD.new(params, opts)
  local self = Optimizer.new(SGD, "SGD", params, opts, defaults)
  for _, g in ipairs(self.groups) do
    if g.nesterov and (g.momentum <= 0 or g.dampening ~= 0) then
      error("SGD: Nesterov momentum needs momentum > 0 and dampening 0", 2)
    end
  end
  return self
end

function SGD:step()
  self.step_count = self.step_count + 1
  for _, g in ipairs(self.groups) do
    for _, p in ipairs(g.params) do
      if p.grad then
        local st = self.state[p]
        local first = false
        if not st then
          st = { buf = g.momentum ~= 0 and llm.zeros_like(p) or nil }
          self.state[p] = st
          first = true
        end
        llm.sgd_step_(p, st.buf, { lr = g.lr, momentum = g.momentum, dampening = g.dampening,
          weight_decay = g.weight_decay, nesterov = g.nesterov, first = first })
      end
    end
  end
end

return setmetatable(SGD, { __index = Optimizer, __call = function(_, ...) return SGD.new(...) end })
