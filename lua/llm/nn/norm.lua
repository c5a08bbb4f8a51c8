-- llm.nn norms: LayerNorm and RMSNorm over the last dimension, calling the
-- engine's fused kernels. Their readable compositions from primitive ops are
-- in llm.nn.functional (layer_norm_composed, rms_norm_composed); the tests
-- check that both agree.
--
--   nn.LayerNorm(dim [, {eps = 1e-5, bias = true, affine = true}])
--   nn.RMSNorm(dim [, {eps = 1e-6}])
-- The gains (and LayerNorm's bias) get no weight decay.
local llm = require "llm"
local Module = require "llm.nn.module"

local M = {}

local LayerNorm = Module:extend("LayerNorm")
M.LayerNorm = LayerNorm

function LayerNorm:init(dim, opts)
  opts = opts or {}
  assert(math.type(dim) == "integer" and dim > 0, "LayerNorm: dim must be a positive integer")
  self.dim, self.eps = dim, opts.eps or 1e-5
  if opts.affine ~= false then
    self:param("weight", llm.ones(dim), { no_decay = true })
    if opts.bias ~= false then self:param("bias", llm.zeros(dim), { no_decay = true }) end
  end
end

function LayerNorm:forward(x)
  return x:layer_norm(self.weight, self.bias, self.eps)
end

function LayerNorm:extra_repr()
  return string.format("%d, eps=%g%s", self.dim, self.eps, self.weight and "" or ", no affine")
end

local RMSNorm = Module:extend("RMSNorm")
M.RMSNorm = RMSNorm

function RMSNorm:init(dim, opts)
  opts = opts or {}
  assert(math.type(dim) == "integer" and dim > 0, "RMSNorm: dim must be a positive integer")
  self.dim, self.eps = dim, opts.eps or 1e-6
  self:param("weight", llm.ones(dim), { no_decay = true })
end

function RMSNorm:forward(x)
  return x:rms_norm(self.weight, self.eps)
end

function RMSNorm:extra_repr() return string.format("%d, eps=%g", self.dim, self.eps) end

-- The norm module for a config name ("layer" or "rms").
function M.make(kind, dim, opts)
  if kind == nil or kind == "layer" or kind == "layernorm" then return LayerNorm(dim, opts) end
  if kind == "rms" or kind == "rmsnorm" then return RMSNorm(dim, opts) end
  error("nn: unknown norm '" .. tostring(kind) .. "' (layer or rms)", 2)
end

return M
