-- llm.optim.Adam and llm.optim.AdamW, as torch.optim computes them:
--   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2        (g = grad)
--   p = p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
-- Adam's weight_decay adds wd * p to g (L2); AdamW decouples it and shrinks
-- p by lr * wd before the update. Given a module, AdamW decays only the
-- weight matrices (see llm.optim.Optimizer).
--
--   local opt = llm.optim.AdamW(model, {lr = 3e-4, betas = {0.9, 0.95}, weight_decay = 0.1})
local llm = require "llm"
local Optimizer = require "llm.optim.optimizer"

local function make(name, decoupled, defaults)
  local C = setmetatable({}, { __index = Optimizer })
  C.__index = C
  C.__tostring = Optimizer.__tostring
  function C.new(params, opts)
    local self = Optimizer.new(C, name, params, opts, defaults)
    for _, g in ipairs(self.groups) do
      local b = g.betas
      if type(b) ~= "table" or type(b[1]) ~= "number" or type(b[2]) ~= "number"
          or b[1] < 0 or b[1] >= 1 or b[2] < 0 or b[2] >= 1 then
        error(name .. ": betas must be {b1, b2} with both in [0, 1)", 2)
      end
    end
    return self
  end
  function C:step()
    self.step_count = self.step_count + 1
    for _, g in ipairs(self.groups) do
      for _, p in ipairs(g.params) do
        if p.grad then
          local st = self.state[p]
          if not st then
            st = { m = llm.zeros_like(p), v = llm.zeros_like(p), step = 0 }
            self.state[p] = st
          end
          st.step = st.step + 1
          llm.adam_step_(p, st.m, st.v, { lr = g.lr, beta1 = g.betas[1], beta2 = g.betas[2], eps = g.eps,
            weight_decay = g.weight_decay, decoupled = decoupled, step = st.step })
        end
      end
    end
  end
  return setmetatable(C, { __index = Optimizer, __call = function(_, ...) return C.new(...) end })
end

return {
  Adam = make("Adam", false, { lr = 1e-3, betas = { 0.9, 0.999 }, eps = 1e-8, weight_decay = 0 }),
  AdamW = make("AdamW", true, { lr = 1e-3, betas = { 0.9, 0.999 }, eps = 1e-8, weight_decay = 0.01 }),
}
