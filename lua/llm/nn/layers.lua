-- llm.nn layers: Linear, Embedding, Dropout, the activations as modules
-- (ReLU, GELU, Tanh, Sigmoid, SiLU), Sequential and MLP.
--
--   local lin = nn.Linear(4, 3)                 -- y = x W^T + b, W {3,4}
--   local emb = nn.Embedding(256, 64)           -- ids (any shape, int) -> (..., 64)
--   local net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
--   local mlp = nn.MLP(64, 256)                 -- Linear, GELU, Linear (back to 64)
local llm = require "llm"
local Module = require "llm.nn.module"
local init = require "llm.optim.init_schemes"

local M = {}

-- Linear ----------------------------------------------------------------------
local Linear = Module:extend("Linear")
M.Linear = Linear

-- opts: bias (default true). Initialised as PyTorch does: U(-k, k), k = 1/sqrt(in).
function Linear:init(in_features, out_features, opts)
  opts = opts or {}
  assert(math.type(in_features) == "integer" and in_features > 0, "Linear: in_features must be a positive integer")
  assert(math.type(out_features) == "integer" and out_features > 0, "Linear: out_features must be a positive integer")
  self.in_features, self.out_features = in_features, out_features
  local k = 1 / math.sqrt(in_features)
  self:param("weight", init.uniform_(llm.empty(out_features, in_features), -k, k))
  if opts.bias ~= false then
    self:param("bias", init.uniform_(llm.empty(out_features), -k, k), { no_decay = true })
  end
end

function Linear:forward(x)
  return x:linear(self.weight, self.bias)
end

function Linear:extra_repr()
  return string.format("%d -> %d%s", self.in_features, self.out_features, self.bias and "" or ", no bias")
end

-- Embedding -------------------------------------------------------------------
local Embedding = Module:extend("Embedding")
M.Embedding = Embedding

-- A table of num x dim vectors, N(0, 1) at first (as in PyTorch); no weight decay.
function Embedding:init(num, dim)
  assert(math.type(num) == "integer" and num > 0, "Embedding: the number of rows must be a positive integer")
  assert(math.type(dim) == "integer" and dim > 0, "Embedding: dim must be a positive integer")
  self.num, self.dim = num, dim
  self:param("weight", llm.randn(num, dim), { no_decay = true })
end

-- ids: an int tensor of 0-based ids, any shape -> (..., dim)
function Embedding:forward(ids)
  return llm.embedding(ids, self.weight)
end

function Embedding:extra_repr() return string.format("%d, %d", self.num, self.dim) end

-- Dropout ---------------------------------------------------------------------
local Dropout = Module:extend("Dropout")
M.Dropout = Dropout

function Dropout:init(p)
  p = p or 0.5
  assert(type(p) == "number" and p >= 0 and p < 1, "Dropout: p must be in [0, 1)")
  self.p = p
end

function Dropout:forward(x)
  if not self.training or self.p == 0 then return x end
  return x:dropout(self.p, true)
end

function Dropout:extra_repr() return string.format("p=%g", self.p) end

-- Activations -----------------------------------------------------------------
local function activation(name, fn)
  local A = Module:extend(name)
  A.forward = function(_, x) return fn(x) end
  M[name] = A
  return A
end
activation("ReLU", function(x) return x:relu() end)
activation("Tanh", function(x) return x:tanh() end)
activation("Sigmoid", function(x) return x:sigmoid() end)
activation("SiLU", function(x) return x:silu() end)
local GELU = activation("GELU", nil)
-- approximate = "tanh" (GPT-2) or "none" (erf, the exact form)
function GELU:init(approximate)
  self.approximate = approximate or "tanh"
  assert(self.approximate == "tanh" or self.approximate == "none", "GELU: approximate must be 'tanh' or 'none'")
end
function GELU:forward(x)
  if self.approximate == "tanh" then return x:gelu("tanh") end
  return x:gelu()
end
-- the name x:linear_act knows this activation by (MLP fuses fc and the activation)
function GELU:fused_name() return self.approximate == "tanh" and "gelu_tanh" or "gelu" end
M.SiLU.fused_name = function() return "silu" end
function GELU:extra_repr() return self.approximate == "tanh" and "tanh" or "" end

-- the activation module for a name ("gelu", "relu", ...)
function M.activation(name)
  local map = { gelu = function() return GELU("tanh") end, gelu_exact = function() return GELU("none") end,
    relu = M.ReLU, tanh = M.Tanh, sigmoid = M.Sigmoid, silu = M.SiLU }
  local make = map[name or "gelu"]
  if not make then error("nn: unknown activation '" .. tostring(name) .. "'", 2) end
  return make()
end

-- Sequential ------------------------------------------------------------------
local Sequential = Module:extend("Sequential")
M.Sequential = Sequential

-- nn.Sequential(m1, m2, ...) or nn.Sequential{m1, m2, ...}; children are named 1, 2, ...
function Sequential:init(...)
  local list = { ... }
  if #list == 1 and type(list[1]) == "table" and not Module.is_module(list[1]) then list = list[1] end
  self.n = 0
  for _, m in ipairs(list) do self:append(m) end
end

function Sequential:append(m)
  self.n = self.n + 1
  self:add(tostring(self.n), m)
  return self
end

function Sequential:forward(x, ...)
  for i = 1, self.n do x = self._children[tostring(i)](x, ...) end
  return x
end

Sequential.__len = function(self) return self.n end

function Sequential:get(i) return self._children[tostring(i)] end

-- MLP -------------------------------------------------------------------------
local MLP = Module:extend("MLP")
M.MLP = MLP

-- dim -> hidden -> dim (out_dim), with an activation and optional dropout.
-- opts: activation ("gelu"), dropout (0), bias (true), out_dim (dim)
function MLP:init(dim, hidden, opts)
  opts = opts or {}
  hidden = hidden or 4 * dim
  self:add("fc", Linear(dim, hidden, { bias = opts.bias }))
  self:add("act", M.activation(opts.activation or "gelu"))
  self:add("proj", Linear(hidden, opts.out_dim or dim, { bias = opts.bias }))
  self.proj.residual_proj = true
  if (opts.dropout or 0) > 0 then self:add("drop", Dropout(opts.dropout)) end
end

-- A plain Linear (its class's forward, not a LoRA wrapper or an override).
local function plain_linear(m) return getmetatable(m) == Linear and rawget(m, "forward") == nil end
-- A GELU or SiLU of its own class (a subclass may have its own forward).
local function plain_activation(m)
  local cls = getmetatable(m)
  return (cls == M.GELU or cls == M.SiLU) and rawget(m, "forward") == nil
end

-- With plain Linears and a GELU or SiLU activation the MLP runs as one op
-- (x:mlp: the same values, far less memory traffic; the hidden activation
-- is never stored); with only fc plain, fc and the activation run as one
-- (x:linear_act); anything else (a LoRA-wrapped layer, ReLU, ...) runs as written.
function MLP:forward(x)
  local fc, act, proj = self.fc, self.act, self.proj
  local fusable = plain_activation(act) and plain_linear(fc)
  local y
  if fusable and plain_linear(proj) then
    y = x:mlp(fc.weight, fc.bias, proj.weight, proj.bias, act:fused_name())
  elseif fusable then
    y = proj(x:linear_act(fc.weight, fc.bias, act:fused_name()))
  else
    y = proj(act(fc(x)))
  end
  if self.drop then y = self.drop(y) end
  return y
end

return M
