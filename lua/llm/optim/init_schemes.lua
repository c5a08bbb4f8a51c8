-- llm.optim.init (also llm.nn.init): weight initialisation schemes.
--
-- Each works in place on a tensor (outside the tape) and returns it:
--   init.normal_(t, std [, mean])          N(mean, std^2)           (GPT-2: std 0.02)
--   init.uniform_(t, a, b)                  U(a, b)
--   init.zeros_(t), init.ones_(t), init.constant_(t, v)
--   init.xavier_uniform_(t [, gain])        U(-b, b), b = gain*sqrt(6/(fan_in+fan_out))
--   init.xavier_normal_(t [, gain])         std = gain*sqrt(2/(fan_in+fan_out))
--   init.kaiming_uniform_(t [, {a=0, mode="fan_in", nonlinearity="leaky_relu"}])
--   init.kaiming_normal_(t [, {...}])       std = gain/sqrt(fan), gain = sqrt(2/(1+a^2)) for (leaky) relu
--   init.gpt2_(model [, {std=0.02}])        the whole GPT: normal(0, std) weights, zero biases,
--                                           residual projections scaled by 1/sqrt(2*n_layer)
--   init.fans(t) -> fan_in, fan_out        (a weight of shape {out, in, ...})
local llm = require "llm"
local M = {}

local function inplace(t, fn)
  llm.no_grad(fn)
  return t
end

function M.fans(t)
  local s = t:shape()
  if #s < 2 then error("init: fan_in and fan_out need a tensor of at least 2 dims, got " .. #s, 2) end
  local receptive = 1
  for i = 3, #s do receptive = receptive * s[i] end
  return s[2] * receptive, s[1] * receptive
end

function M.normal_(t, std, mean)
  return inplace(t, function() t:normal_(mean or 0, std or 1) end)
end

function M.uniform_(t, a, b)
  return inplace(t, function() t:uniform_(a or 0, b or 1) end)
end

function M.constant_(t, v)
  return inplace(t, function() t:fill_(v) end)
end

function M.zeros_(t) return M.constant_(t, 0) end
function M.ones_(t) return M.constant_(t, 1) end

function M.xavier_uniform_(t, gain)
  local fi, fo = M.fans(t)
  local b = (gain or 1) * math.sqrt(6 / (fi + fo))
  return M.uniform_(t, -b, b)
end

function M.xavier_normal_(t, gain)
  local fi, fo = M.fans(t)
  return M.normal_(t, (gain or 1) * math.sqrt(2 / (fi + fo)))
end

-- The gain PyTorch's calculate_gain gives for these nonlinearities.
function M.gain(nonlinearity, a)
  if nonlinearity == "linear" or nonlinearity == "sigmoid" or nonlinearity == nil then return 1 end
  if nonlinearity == "tanh" then return 5 / 3 end
  if nonlinearity == "relu" then return math.sqrt(2) end
  if nonlinearity == "leaky_relu" then return math.sqrt(2 / (1 + (a or 0.01) ^ 2)) end
  if nonlinearity == "selu" then return 3 / 4 end
  error("init: unknown nonlinearity '" .. tostring(nonlinearity) .. "'", 2)
end

local function kaiming_std(t, o)
  o = o or {}
  local fi, fo = M.fans(t)
  local mode = o.mode or "fan_in"
  if mode ~= "fan_in" and mode ~= "fan_out" then error("init: mode must be fan_in or fan_out", 3) end
  local fan = mode == "fan_in" and fi or fo
  return M.gain(o.nonlinearity or "leaky_relu", o.a or 0) / math.sqrt(fan)
end

function M.kaiming_uniform_(t, o)
  local b = math.sqrt(3) * kaiming_std(t, o)
  return M.uniform_(t, -b, b)
end

function M.kaiming_normal_(t, o)
  return M.normal_(t, kaiming_std(t, o))
end

-- GPT-2's scheme for a whole model: every Linear and Embedding weight from
-- N(0, std), biases zero, norms one; the projections that write into the
-- residual stream (modules flagged `residual_proj`) get std/sqrt(2*n_layer)
-- so that the stream's variance does not grow with depth.
function M.gpt2_(model, o)
  o = o or {}
  local std = o.std or 0.02
  local n_layer = o.n_layer or (model.config and model.config.n_layer) or 1
  for _, m in ipairs(model:modules()) do
    local name = m:class_name()
    if name == "Linear" then
      M.normal_(m.weight, m.residual_proj and std / math.sqrt(2 * n_layer) or std)
      if m.bias then M.zeros_(m.bias) end
    elseif name == "Embedding" then
      M.normal_(m.weight, std)
    elseif name == "LayerNorm" or name == "RMSNorm" then
      if m.weight then M.ones_(m.weight) end
      if m.bias then M.zeros_(m.bias) end
    end
  end
  return model
end

return M
