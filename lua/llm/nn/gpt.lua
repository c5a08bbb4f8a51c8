-- llm.nn.TransformerBlock and llm.nn.GPT.
--
--   local block = nn.TransformerBlock(C, H [, opts])   pre-norm:
--       x = x + attn(norm1(x));  x = x + mlp(norm2(x))
--   local model = nn.GPT{vocab_size = 256, block_size = 128, d_model = 128,
--                        n_layer = 4, n_head = 4}
--   local logits, loss = model(ids, targets)   ids, targets (B, T) int 0-based
--   model:generate(ids, n [, {temperature = 1, top_k = nil}]) -> ids (B, T + n)
--
-- Config (all but the first five optional): vocab_size, block_size, d_model,
-- n_layer, n_head, mlp_ratio (4), dropout (0), bias (true), norm ("layer"
-- or "rms"), activation ("gelu"), tie_weights (true: the output head is the
-- token embedding), attention ("fused" or "composed"), init_std (0.02).
-- Weights start as GPT-2's: N(0, 0.02), residual projections scaled by
-- 1/sqrt(2 n_layer). model.config is the table (saved in checkpoints).
local llm = require "llm"
local Module = require "llm.nn.module"
local layers = require "llm.nn.layers"
local norm = require "llm.nn.norm"
local MultiHeadAttention = require "llm.nn.attention"
local init = require "llm.optim.init_schemes"
local sampling = require "llm.sampling"

local M = {}

local TransformerBlock = Module:extend("TransformerBlock")
M.TransformerBlock = TransformerBlock

function TransformerBlock:init(dim, heads, opts)
  opts = opts or {}
  self:add("norm1", norm.make(opts.norm, dim, { bias = opts.bias }))
  self:add("attn", MultiHeadAttention(dim, heads, { causal = opts.causal, dropout = opts.dropout,
    bias = opts.bias, impl = opts.attention }))
  self:add("norm2", norm.make(opts.norm, dim, { bias = opts.bias }))
  self:add("mlp", layers.MLP(dim, math.floor((opts.mlp_ratio or 4) * dim),
    { activation = opts.activation, dropout = opts.dropout, bias = opts.bias }))
end

function TransformerBlock:forward(x, mask)
  x = x + self.attn(self.norm1(x), mask)
  return x + self.mlp(self.norm2(x))
end

local GPT = Module:extend("GPT")
M.GPT = GPT

local defaults = { mlp_ratio = 4, dropout = 0, bias = true, norm = "layer", activation = "gelu",
  tie_weights = true, attention = "fused", init_std = 0.02 }
local required = { "vocab_size", "block_size", "d_model", "n_layer", "n_head" }
M.config_keys = { "vocab_size", "block_size", "d_model", "n_layer", "n_head", "mlp_ratio", "dropout",
  "bias", "norm", "activation", "tie_weights", "attention", "init_std" }

function M.check_config(c)
  if type(c) ~= "table" then error("GPT: expects a config table", 3) end
  local cfg = {}
  for _, k in ipairs(required) do
    local v = c[k]
    if math.type(v) ~= "integer" or v < 1 then
      error(string.format("GPT: config.%s must be a positive integer, got %s", k, tostring(v)), 3)
    end
    cfg[k] = v
  end
  for k, v in pairs(defaults) do
    if c[k] == nil then cfg[k] = v else cfg[k] = c[k] end
  end
  for k in pairs(c) do
    if cfg[k] == nil then error("GPT: unknown config key '" .. tostring(k) .. "'", 3) end
  end
  if cfg.d_model % cfg.n_head ~= 0 then
    error(string.format("GPT: d_model %d is not a multiple of n_head %d", cfg.d_model, cfg.n_head), 3)
  end
  return cfg
end

function GPT:init(config)
  local c = M.check_config(config)
  self.config = c
  self:add("wte", layers.Embedding(c.vocab_size, c.d_model))
  self:add("wpe", layers.Embedding(c.block_size, c.d_model))
  if c.dropout > 0 then self:add("drop", layers.Dropout(c.dropout)) end
  local blocks = layers.Sequential()
  for _ = 1, c.n_layer do
    blocks:append(TransformerBlock(c.d_model, c.n_head, { norm = c.norm, bias = c.bias, dropout = c.dropout,
      mlp_ratio = c.mlp_ratio, activation = c.activation, attention = c.attention }))
  end
  self:add("blocks", blocks)
  self:add("norm_f", norm.make(c.norm, c.d_model, { bias = c.bias }))
  if not c.tie_weights then
    self:add("head", layers.Linear(c.d_model, c.vocab_size, { bias = false }))
  end
  init.gpt2_(self, { std = c.init_std, n_layer = c.n_layer })
  self.pos = llm.arange(c.block_size, "int64")
end

-- Switch every attention layer between "fused" and "composed".
function GPT:set_attention(impl)
  for _, m in ipairs(self:modules()) do
    if m:class_name() == "MultiHeadAttention" then m.impl = impl end
  end
  self.config.attention = impl
end

-- ids (B, T) -> logits (B, T, V); with targets (B, T) also the mean cross-entropy.
function GPT:forward(ids, targets)
  if ids:dim() ~= 2 then error("GPT: ids must be (B, T), got " .. ids:dim() .. " dims", 2) end
  local T = ids:size(2)
  if T > self.config.block_size then
    error(string.format("GPT: sequence of %d tokens is longer than block_size %d", T, self.config.block_size), 2)
  end
  local x = self.wte(ids) + self.wpe(self.pos:narrow(1, 1, T))   -- (B, T, C) + (T, C)
  if self.drop then x = self.drop(x) end
  x = self.blocks(x)
  x = self.norm_f(x)
  local logits = self.head and self.head(x) or x:linear(self.wte.weight)   -- (B, T, V)
  if targets == nil then return logits end
  return logits, logits:cross_entropy(targets)
end

function GPT:extra_repr()
  local c = self.config
  return string.format("vocab_size=%d, block_size=%d, d_model=%d, n_layer=%d, n_head=%d%s",
    c.vocab_size, c.block_size, c.d_model, c.n_layer, c.n_head, c.tie_weights and ", tied head" or "")
end

-- Extend ids (B, T) by n tokens, one at a time (temperature 0: greedy).
function GPT:generate(ids, n, opts)
  opts = opts or {}
  local temperature = opts.temperature or 1
  local was_training = self.training
  self:eval()
  local out = ids
  llm.no_grad(function()
    for _ = 1, n do
      local T = out:size(2)
      local ctx = T > self.config.block_size and out:narrow(2, T - self.config.block_size + 1, self.config.block_size) or out
      local logits = self(ctx)
      local last = logits:select(2, ctx:size(2)):totable()   -- (B, V)
      local next_ids = {}
      for b = 1, #last do next_ids[b] = { sampling.sample_row(last[b], temperature, opts.top_k) } end
      out = llm.cat({ out, llm.tensor(next_ids, "int64") }, 2)
    end
  end)
  self:train(was_training)
  return out
end

return M
