-- llm.optim.Optimizer: what SGD, Adam and AdamW share: parameter groups,
-- per-parameter state, zero_grad, the learning rate.
--
-- An optimizer takes
--   * a module: its parameters in two groups, weight decay on the weight
--     matrices only; norms, biases and embeddings get none (they registered
--     with no_decay). opts.decay_all = true puts everything in one group;
--   * an array of tensors: one group;
--   * an array of groups {params = {...}, lr = ..., weight_decay = ..., ...}:
--     a group's own settings override the optimizer's.
--
--   opt:step()        update every parameter that has a grad
--   opt:zero_grad()   drop the grads (the next backward starts from zero)
--   opt:set_lr(lr)    set every group's lr (a schedule calls this each step)
--   opt:get_lr()      the first group's lr
--   opt.groups, opt.state[param], opt.step_count
--   opt:state_dict() -> tensors, info   the per-parameter state (moments,
--   opt:load_state_dict(tensors, info)  momentum buffers) by parameter position,
--                                       for resuming a run (llm.checkpoint.save_optimizer)
local llm = require "llm"
local Module = require "llm.nn.module"

local Optimizer = {}
Optimizer.__index = Optimizer

-- Split a module's parameters into decay / no-decay groups.
function Optimizer.module_groups(model, weight_decay, decay_all)
  local decay, no_decay = {}, {}
  for _, e in ipairs(model:named_parameters({ with_module = true })) do
    local t, m, local_name = e[2], e[3], e[4]
    if decay_all or m:decays(local_name) then decay[#decay + 1] = t else no_decay[#no_decay + 1] = t end
  end
  local groups = {}
  if #decay > 0 then groups[#groups + 1] = { params = decay, weight_decay = weight_decay } end
  if #no_decay > 0 then groups[#groups + 1] = { params = no_decay, weight_decay = 0 } end
  return groups
end

function Optimizer.new(class, name, params, opts, defaults)
  opts = opts or {}
  local self = setmetatable({ name = name, state = {}, step_count = 0, groups = {} }, class)
  local d = {}
  for k, v in pairs(defaults) do d[k] = v end
  for k, v in pairs(opts) do
    if defaults[k] == nil and k ~= "decay_all" then
      error(string.format("%s: unknown option '%s'", name, tostring(k)), 3)
    end
    d[k] = v
  end
  self.defaults = d
  local groups
  if Module.is_module(params) then
    groups = Optimizer.module_groups(params, d.weight_decay or 0, opts.decay_all)
  elseif type(params) == "table" and llm.is_tensor(params[1]) then
    groups = { { params = params } }
  elseif type(params) == "table" and type(params[1]) == "table" and params[1].params then
    groups = params
  else
    error(name .. ": expects a module, an array of tensors or an array of {params = ...} groups", 3)
  end
  local seen = {}
  for gi, g in ipairs(groups) do
    local group = { params = {} }
    for k, v in pairs(d) do group[k] = v end
    for k, v in pairs(g) do if k ~= "params" then group[k] = v end end
    for _, p in ipairs(g.params) do
      if not llm.is_tensor(p) then error(string.format("%s: group %d holds something that is not a tensor", name, gi), 3) end
      if seen[p] then error(string.format("%s: a tensor appears in two groups", name), 3) end
      seen[p] = true
      group.params[#group.params + 1] = p
    end
    self.groups[gi] = group
  end
  if type(d.lr) ~= "number" or d.lr < 0 then error(name .. ": lr must be a non-negative number", 3) end
  return self
end

function Optimizer:params()
  local out = {}
  for _, g in ipairs(self.groups) do
    for _, p in ipairs(g.params) do out[#out + 1] = p end
  end
  return out
end

function Optimizer:zero_grad()
  for _, g in ipairs(self.groups) do
    for _, p in ipairs(g.params) do p:zero_grad() end
  end
end

function Optimizer:set_lr(lr)
  for _, g in ipairs(self.groups) do g.lr = lr * (g.lr_scale or 1) end
end

function Optimizer:get_lr() return self.groups[1] and self.groups[1].lr end

-- The state as "<i>.<key>" = tensor (i: the parameter's position in
-- opt:params()) and info = {step_count =, ["<i>.step"] = n, lr = }.
function Optimizer:state_dict()
  local tensors, info = {}, { step_count = self.step_count, lr = self:get_lr(), kind = self.name }
  for i, p in ipairs(self:params()) do
    local st = self.state[p]
    if st then
      for k, v in pairs(st) do
        if llm.is_tensor(v) then tensors[i .. "." .. k] = v
        elseif type(v) == "number" then info[i .. "." .. k] = v end
      end
    end
  end
  return tensors, info
end

function Optimizer:load_state_dict(tensors, info)
  info = info or {}
  if info.kind and info.kind ~= self.name then
    error(string.format("%s: the saved state is from %s", self.name, info.kind), 2)
  end
  local params = self:params()
  local state = {}
  for key, t in pairs(tensors) do
    local i, k = key:match("^(%d+)%.([%w_]+)$")
    i = tonumber(i)
    local p = i and params[i]
    if not p then error(string.format("%s: saved state '%s' has no parameter here", self.name, key), 2) end
    if t:numel() ~= p:numel() then
      error(string.format("%s: saved state '%s' has %d values, the parameter %d", self.name, key, t:numel(), p:numel()), 2)
    end
    state[p] = state[p] or {}
    state[p][k] = t:reshape(p:shape()):contiguous()
    local step = info[i .. ".step"]
    if step then state[p].step = math.tointeger(tonumber(step)) end
  end
  self.state = state
  self.step_count = math.tointeger(tonumber(info.step_count or 0)) or 0
  if info.lr then self:set_lr(tonumber(info.lr)) end
end

function Optimizer:__tostring()
  local n = 0
  for _, g in ipairs(self.groups) do n = n + #g.params end
  local parts = {}
  for k, v in pairs(self.defaults) do parts[#parts + 1] = k .. "=" .. tostring(v) end
  table.sort(parts)
  return string.format("%s(%s) over %d tensors in %d groups", self.name, table.concat(parts, ", "), n, #self.groups)
end

return Optimizer
