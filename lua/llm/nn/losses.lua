-- llm.nn losses, as functions and as modules.
--
--   nn.cross_entropy(logits, targets [, {ignore_index=, label_smoothing=, reduction=}])
--       logits (..., C) float, targets (...) int 0-based class ids (fused kernel)
--   nn.mse_loss(pred, target [, reduction]), nn.l1_loss(pred, target [, reduction])
--   nn.nll_loss(log_probs (N, C), targets (N))
--   nn.binary_cross_entropy_with_logits(logits, targets)
--   nn.CrossEntropyLoss(opts), nn.MSELoss(), ... : modules whose forward(pred, target) calls them
local llm = require "llm"
local Module = require "llm.nn.module"
local M = {}

local function reduce(x, reduction)
  reduction = reduction or "mean"
  if reduction == "mean" then return x:mean() end
  if reduction == "sum" then return x:sum() end
  if reduction == "none" then return x end
  error("loss: reduction must be mean, sum or none, got " .. tostring(reduction), 3)
end

function M.cross_entropy(logits, targets, opts)
  return logits:cross_entropy(targets, opts)
end

function M.mse_loss(pred, target, reduction)
  local d = pred - target
  return reduce(d * d, reduction)
end

function M.l1_loss(pred, target, reduction)
  return reduce((pred - target):abs(), reduction)
end

function M.nll_loss(log_probs, targets, reduction)
  local C = log_probs:size(-1)
  return reduce(-log_probs:reshape(-1, C):gather(2, targets:reshape(-1, 1)), reduction)
end

-- log(1 + exp(-|x|)) + max(x, 0) - x*y, the stable form
function M.binary_cross_entropy_with_logits(logits, targets, reduction)
  local l = (-logits:abs()):exp():add(1):log() + logits:relu() - logits * targets
  return reduce(l, reduction)
end

local function loss_module(name, fn)
  local L = Module:extend(name)
  function L:init(opts) self.opts = opts end
  function L:forward(pred, target) return fn(pred, target, self.opts) end
  M[name] = L
end
loss_module("CrossEntropyLoss", M.cross_entropy)
loss_module("MSELoss", M.mse_loss)
loss_module("L1Loss", M.l1_loss)
loss_module("NLLLoss", M.nll_loss)
loss_module("BCEWithLogitsLoss", M.binary_cross_entropy_with_logits)

return M
