-- llm.nn.MultiHeadAttention: self-attention over a sequence (B, T, C).
--
--   local attn = nn.MultiHeadAttention(C, H [, {causal = true, dropout = 0,
--                                               bias = true, impl = "fused"}])
--   y = attn(x)                  -- x (B, T, C) -> (B, T, C)
--
-- One Linear makes queries, keys and values at once (C -> 3C); they are split
-- into H heads of D = C/H, attend, and a second Linear mixes the heads back.
-- impl = "fused" calls the engine's attention kernel on the packed projection
-- (llm.attention_packed: the kernel reads each head in place, online softmax,
-- no T x T matrix kept, and the backward writes one (B, T, 3C) gradient
-- instead of three head views to add up); impl = "composed" writes the same thing out
-- from matmul, masked_fill and softmax (llm.nn.functional.attention_composed),
-- the version to read. attn.impl can be switched at any time; the tests check
-- that both give the same outputs and gradients.
local llm = require "llm"
local Module = require "llm.nn.module"
local layers = require "llm.nn.layers"
local F = require "llm.nn.functional"

local MultiHeadAttention = Module:extend("MultiHeadAttention")

function MultiHeadAttention:init(dim, heads, opts)
  opts = opts or {}
  assert(math.type(dim) == "integer" and math.type(heads) == "integer" and heads > 0,
    "MultiHeadAttention: dim and heads must be integers")
  if dim % heads ~= 0 then
    error(string.format("MultiHeadAttention: dim %d is not a multiple of heads %d", dim, heads), 2)
  end
  self.dim, self.heads, self.head_dim = dim, heads, dim // heads
  self.causal = opts.causal ~= false
  self.dropout = opts.dropout or 0
  self.impl = opts.impl or "fused"
  self:add("qkv", layers.Linear(dim, 3 * dim, { bias = opts.bias }))
  self:add("proj", layers.Linear(dim, dim, { bias = opts.bias }))
  self.proj.residual_proj = true
  if self.dropout > 0 then self:add("resid_drop", layers.Dropout(self.dropout)) end
end

-- (B, T, C) -> q, k, v each (B, H, T, D), views of the one (B, T, 3C)
-- product. Selecting from (B, T, 3, H, D) before moving the heads forward
-- keeps the gradients of q, k and v landing in a (B, T, 3, H, D) buffer
-- that is already the (B, T, 3C) layout of the product: no copy back.
function MultiHeadAttention:split_heads(x)
  local s = x:shape()
  local B, T = s[1], s[2]
  local H, D = self.heads, self.head_dim
  local qkv = self.qkv(x):view(B, T, 3, H, D)
  return qkv:select(3, 1):transpose(2, 3), qkv:select(3, 2):transpose(2, 3), qkv:select(3, 3):transpose(2, 3)
end

function MultiHeadAttention:forward(x, mask)
  if x:dim() ~= 3 then
    error("MultiHeadAttention: input must be (B, T, C), got " .. x:dim() .. " dims", 2)
  end
  local s = x:shape()
  local B, T, C = s[1], s[2], s[3]
  if C ~= self.dim then
    error(string.format("MultiHeadAttention: input has %d features, the layer expects %d", C, self.dim), 2)
  end
  local y
  local p = self.training and self.dropout or 0
  if self.impl == "composed" or p > 0 then
    local q, k, v = self:split_heads(x)
    y = F.attention_composed(q, k, v, { causal = self.causal, mask = mask, dropout = p })
    y = y:transpose(2, 3):reshape(B, T, C)   -- heads side by side again
  elseif self.impl == "fused" then
    y = llm.attention_packed(self.qkv(x), self.heads, { causal = self.causal, mask = mask })   -- (B, T, C)
  else
    error("MultiHeadAttention: impl must be 'fused' or 'composed', got " .. tostring(self.impl), 2)
  end
  y = self.proj(y)
  if self.resid_drop then y = self.resid_drop(y) end
  return y
end

function MultiHeadAttention:extra_repr()
  return string.format("dim=%d, heads=%d, %s%s", self.dim, self.heads, self.impl,
    self.causal and ", causal" or "")
end

return MultiHeadAttention
