-- llm.mlm: masked language modelling (BERT-style) and the causal objective
-- beside it, on the same small Transformer, so week 6 can contrast the two.
--
--   local mlm = llm.mlm
--   local vocab = mlm.Vocab(words, {size = 2000})     -- [PAD] [UNK] [MASK] + frequent words
--   local ids = vocab:encode(words)                    -- 1-D int64 tensor of 0-based ids
--   local model = mlm.Encoder{vocab_size = vocab:size(), block_size = 32,
--                             d_model = 64, n_layer = 2, n_head = 4, causal = false}
--   local inputs, labels = mlm.mask_tokens(x, {mask_id = vocab.mask_id,
--       vocab_size = vocab:size(), n_special = 3})    -- 80/10/10 over 15 % of the tokens
--   local loss = mlm.masked_loss(model(inputs), labels)      -- only masked positions count
--   local acc, n = mlm.masked_accuracy(model(inputs), labels)
--   local hist = mlm.train{model = model, data = ids, objective = "mlm" | "clm",
--       steps = 200, batch_size = 16, block_size = 32, lr = 3e-3, on_step = fn}
--   mlm.evaluate(model, ids, {objective = "mlm", ...}) -> {loss =, accuracy =, tokens =}
--   mlm.fill_mask(model, vocab, {"the", "[MASK]", ...}, k) -> top-k words per mask
--
-- Masking (Devlin et al. 2018): each non-special position is chosen with
-- probability `prob` (0.15). A chosen position keeps its true id as the
-- label; its input becomes [MASK] 80 % of the time, a random ordinary token
-- 10 %, and stays itself 10 %. Positions not chosen get the label
-- IGNORE (-100, cross_entropy's default ignore_index), so the loss and the
-- accuracy look only at chosen positions. The random replacements and the
-- kept tokens make the model build a representation of every input token,
-- not only of [MASK], since it cannot tell which inputs will be scored.
--
-- The causal objective ("clm") uses the same model with causal attention:
-- inputs ids[i..i+T-1], targets ids[i+1..i+T], every position scored. The
-- encoder with causal = false sees both sides of each token, which is why
-- it can only be trained with masking: asked to predict the next token it
-- would simply read it.
local llm = require "llm"
local Module = require "llm.nn.module"
local layers = require "llm.nn.layers"
local norm = require "llm.nn.norm"
local gpt = require "llm.nn.gpt"
local init = require "llm.optim.init_schemes"

local M = {}

M.IGNORE = -100
M.SPECIALS = { "[PAD]", "[UNK]", "[MASK]" }

-- Vocabulary -----------------------------------------------------------

local Vocab = {}
Vocab.__index = Vocab

-- A word-level vocabulary: the specials, then the `opts.size` most
-- frequent words (ties broken alphabetically, so it is reproducible).
function M.Vocab(words, opts)
  opts = opts or {}
  if type(words) ~= "table" then error("mlm.Vocab: expects a list of words", 2) end
  local counts = {}
  for _, w in ipairs(words) do counts[w] = (counts[w] or 0) + 1 end
  local list = {}
  for w, c in pairs(counts) do
    if c >= (opts.min_count or 1) then list[#list + 1] = w end
  end
  table.sort(list, function(a, b)
    if counts[a] ~= counts[b] then return counts[a] > counts[b] end
    return a < b
  end)
  local self = setmetatable({ itos = {}, stoi = {}, counts = counts }, Vocab)
  for _, s in ipairs(M.SPECIALS) do self:add(s) end
  local size = opts.size or #list
  for i = 1, math.min(size, #list) do self:add(list[i]) end
  self.pad_id, self.unk_id, self.mask_id = 0, 1, 2
  self.n_special = #M.SPECIALS
  return self
end

function Vocab:add(w)
  if self.stoi[w] == nil then
    self.itos[#self.itos + 1] = w
    self.stoi[w] = #self.itos - 1
  end
  return self.stoi[w]
end

function Vocab:size() return #self.itos end
function Vocab:id(w) return self.stoi[w] or self.unk_id end
function Vocab:word(id) return self.itos[id + 1] end

-- words -> 1-D int64 tensor of ids (unknown words -> [UNK]).
function Vocab:encode(words)
  local ids = {}
  for i, w in ipairs(words) do ids[i] = self.stoi[w] or self.unk_id end
  return llm.tensor(ids, "int64")
end

function Vocab:decode(ids)
  if llm.is_tensor(ids) then ids = ids:totable() end
  local out = {}
  for i, id in ipairs(ids) do out[i] = self.itos[id + 1] or "?" end
  return out
end

-- Masking --------------------------------------------------------------

local function as_rows(x)
  if llm.is_tensor(x) then
    if x:dim() == 1 then return { x:totable() }, true end
    if x:dim() ~= 2 then error("mlm.mask_tokens: ids must be (B, T) or (T), got " .. x:dim() .. " dims", 3) end
    return x:totable(), false
  end
  if type(x) == "table" then
    if type(x[1]) == "number" then return { x }, true end
    return x, false
  end
  error("mlm.mask_tokens: ids must be a tensor or a table of ids", 3)
end

-- ids (B, T) or (T) -> inputs, labels (int64, same shape) and stats
-- {chosen =, masked =, random =, kept =, tokens =}. opts: mask_id,
-- vocab_size, n_special (ids below it are never chosen; default 0 but
-- mask_id itself is never chosen), prob (0.15), mask_frac (0.8),
-- random_frac (0.1), at_least_one (true: when nothing was chosen in the
-- batch, one position is). Random replacements come from [n_special,
-- vocab_size). Uses the engine PRNG.
function M.mask_tokens(ids, opts)
  opts = opts or {}
  local mask_id, V = opts.mask_id, opts.vocab_size
  if math.type(mask_id) ~= "integer" then error("mlm.mask_tokens: opts.mask_id must be an integer id", 2) end
  if math.type(V) ~= "integer" or V < 1 then error("mlm.mask_tokens: opts.vocab_size must be a positive integer", 2) end
  local n_special = opts.n_special or 0
  if n_special >= V then error("mlm.mask_tokens: no ordinary tokens to draw (n_special >= vocab_size)", 2) end
  local prob = opts.prob or 0.15
  local mask_frac = opts.mask_frac or 0.8
  local random_frac = opts.random_frac or 0.1
  if prob < 0 or prob > 1 or mask_frac < 0 or random_frac < 0 or mask_frac + random_frac > 1 then
    error("mlm.mask_tokens: prob, mask_frac and random_frac must be fractions with mask_frac + random_frac <= 1", 2)
  end
  local rows, flat = as_rows(ids)
  local inputs, labels = {}, {}
  local st = { chosen = 0, masked = 0, random = 0, kept = 0, tokens = 0 }
  local candidates = {}
  for b, row in ipairs(rows) do
    local inp, lab = {}, {}
    for t, id in ipairs(row) do
      inp[t], lab[t] = id, M.IGNORE
      if id >= n_special and id ~= mask_id then
        st.tokens = st.tokens + 1
        candidates[#candidates + 1] = { b, t }
        if llm.random() < prob then
          lab[t] = id
          st.chosen = st.chosen + 1
          local r = llm.random()
          if r < mask_frac then
            inp[t] = mask_id; st.masked = st.masked + 1
          elseif r < mask_frac + random_frac then
            inp[t] = n_special + llm.random(V - n_special) - 1; st.random = st.random + 1
          else
            st.kept = st.kept + 1
          end
        end
      end
    end
    inputs[b], labels[b] = inp, lab
  end
  if st.chosen == 0 and opts.at_least_one ~= false and #candidates > 0 and prob > 0 then
    local c = candidates[llm.random(#candidates)]
    labels[c[1]][c[2]] = inputs[c[1]][c[2]]
    inputs[c[1]][c[2]] = mask_id
    st.chosen, st.masked = 1, 1
  end
  if flat then inputs, labels = inputs[1], labels[1] end
  return llm.tensor(inputs, "int64"), llm.tensor(labels, "int64"), st
end

-- Scoring --------------------------------------------------------------

-- Mean cross-entropy over the positions whose label is not IGNORE.
-- logits (B, T, V) or (N, V); labels (B, T) or (N).
function M.masked_loss(logits, labels)
  return logits:cross_entropy(labels, { ignore_index = M.IGNORE })
end

-- Fraction of scored positions (label ~= IGNORE) whose argmax is the label;
-- returns accuracy (nil when none is scored), correct, scored.
function M.masked_accuracy(logits, labels)
  local pred = llm.no_grad(function() return logits:detach():argmax(-1) end)
  local p = pred:reshape(-1):totable()
  local l = labels:reshape(-1):totable()
  if #p ~= #l then error(string.format("mlm.masked_accuracy: %d predictions for %d labels", #p, #l), 2) end
  local right, n = 0, 0
  for i = 1, #l do
    if l[i] ~= M.IGNORE then
      n = n + 1
      if p[i] == l[i] then right = right + 1 end
    end
  end
  return n > 0 and right / n or nil, right, n
end

-- The model -----------------------------------------------------------

-- A small Transformer: token + position embeddings, n_layer pre-norm blocks,
-- a final norm and an output layer tied to the token embedding. causal =
-- false (default) is a BERT-style encoder; causal = true the same network as
-- a GPT-style decoder, for the side-by-side comparison.
local Encoder = Module:extend("MLMEncoder")
M.Encoder = Encoder

function Encoder:init(c)
  if type(c) ~= "table" then error("mlm.Encoder: expects a config table", 2) end
  for _, k in ipairs({ "vocab_size", "block_size", "d_model", "n_layer", "n_head" }) do
    if math.type(c[k]) ~= "integer" or c[k] < 1 then
      error(string.format("mlm.Encoder: config.%s must be a positive integer, got %s", k, tostring(c[k])), 2)
    end
  end
  if c.d_model % c.n_head ~= 0 then
    error(string.format("mlm.Encoder: d_model %d is not a multiple of n_head %d", c.d_model, c.n_head), 2)
  end
  self.config = { vocab_size = c.vocab_size, block_size = c.block_size, d_model = c.d_model,
    n_layer = c.n_layer, n_head = c.n_head, causal = c.causal == true, mlp_ratio = c.mlp_ratio or 4,
    dropout = c.dropout or 0 }
  self:add("wte", layers.Embedding(c.vocab_size, c.d_model))
  self:add("wpe", layers.Embedding(c.block_size, c.d_model))
  local blocks = layers.Sequential()
  for _ = 1, c.n_layer do
    blocks:append(gpt.TransformerBlock(c.d_model, c.n_head, { causal = self.config.causal,
      mlp_ratio = self.config.mlp_ratio, dropout = self.config.dropout }))
  end
  self:add("blocks", blocks)
  self:add("norm_f", norm.LayerNorm(c.d_model))
  init.gpt2_(self, { std = c.init_std or 0.02, n_layer = c.n_layer })
  self.pos = llm.arange(c.block_size, "int64")
end

-- ids (B, T) -> logits (B, T, V)
function Encoder:forward(ids)
  if ids:dim() ~= 2 then error("mlm.Encoder: ids must be (B, T), got " .. ids:dim() .. " dims", 2) end
  local T = ids:size(2)
  if T > self.config.block_size then
    error(string.format("mlm.Encoder: %d tokens is longer than block_size %d", T, self.config.block_size), 2)
  end
  local x = self.wte(ids) + self.wpe(self.pos:narrow(1, 1, T))
  x = self.norm_f(self.blocks(x))
  return x:linear(self.wte.weight)
end

function Encoder:extra_repr()
  local c = self.config
  return string.format("vocab_size=%d, block_size=%d, d_model=%d, n_layer=%d, n_head=%d, %s",
    c.vocab_size, c.block_size, c.d_model, c.n_layer, c.n_head, c.causal and "causal" or "bidirectional")
end

-- Objectives -----------------------------------------------------------

-- One batch of random windows of T (+1 for the causal targets): (B, T+1).
function M.windows(ids, B, T)
  local n = ids:size(1)
  if n < T + 1 then error(string.format("mlm: %d tokens are too few for windows of %d (+1)", n, T), 2) end
  local rows = {}
  for b = 1, B do rows[b] = ids:narrow(1, llm.random(n - T), T + 1) end
  return llm.stack(rows, 1)
end

-- The loss of one batch of windows w (B, T+1) under an objective; returns
-- loss (a scalar tensor on the tape), logits, labels.
function M.objective_loss(model, w, objective, mopts)
  local T = w:size(2) - 1
  if objective == "clm" then
    local x, y = w:narrow(2, 1, T), w:narrow(2, 2, T)
    local logits = model(x)
    return logits:cross_entropy(y), logits, y
  elseif objective == "mlm" then
    local inputs, labels = M.mask_tokens(w:narrow(2, 1, T), mopts)
    local logits = model(inputs)
    return M.masked_loss(logits, labels), logits, labels
  end
  error("mlm: objective must be 'mlm' or 'clm', got " .. tostring(objective), 3)
end

local function mask_opts(o, model)
  return { mask_id = o.mask_id or 2, vocab_size = o.vocab_size or model.config.vocab_size,
    n_special = o.n_special or #M.SPECIALS, prob = o.mask_prob }
end

-- Train with the masked ("mlm") or causal ("clm") objective on a 1-D id
-- tensor. opts: model, data, objective, steps, batch_size, block_size, lr,
-- weight_decay (0.01), grad_clip (1), mask_id, n_special, mask_prob,
-- on_step(step, {loss =, accuracy =}) (returning false stops).
-- Returns {loss = {...}, accuracy = {...}, steps =, final_loss =}.
function M.train(o)
  if type(o) ~= "table" then error("mlm.train: expects a table of options", 2) end
  local model, data = o.model, o.data
  if type(model) ~= "table" or not model.parameters then error("mlm.train: model must be an nn module", 2) end
  if not llm.is_tensor(data) then error("mlm.train: data must be a 1-D tensor of ids", 2) end
  local objective = o.objective or "mlm"
  local steps, B = o.steps or 100, o.batch_size or 16
  local T = o.block_size or model.config.block_size
  local opt = o.optimizer or llm.optim.AdamW(model, { lr = o.lr or 3e-3, weight_decay = o.weight_decay or 0.01 })
  local mopts = mask_opts(o, model)
  local hist = { loss = {}, accuracy = {}, steps = 0 }
  model:train()
  for step = 1, steps do
    local w = M.windows(data, B, T)
    opt:zero_grad()
    local loss, logits, labels = M.objective_loss(model, w, objective, mopts)
    loss:backward()
    if o.grad_clip ~= false then llm.optim.clip_grad_norm(model, o.grad_clip or 1.0) end
    opt:step()
    local l = loss:item()
    local acc = M.masked_accuracy(logits, labels)
    hist.loss[step], hist.accuracy[step], hist.steps = l, acc or 0, step
    if o.on_step and o.on_step(step, { loss = l, accuracy = acc or 0 }) == false then break end
    if llm.interrupted and llm.interrupted() then break end
  end
  hist.final_loss = hist.loss[#hist.loss]
  return hist
end

-- Loss and accuracy over fixed windows spread evenly over ids (no grad).
-- For "mlm" the masking is drawn with opts.seed (default 1234) so two
-- models are scored on the very same masks; the PRNG is re-seeded with a
-- draw from it afterwards so training remains reproducible.
function M.evaluate(model, ids, o)
  o = o or {}
  local objective = o.objective or "mlm"
  local T = o.block_size or model.config.block_size
  local B, batches = o.batch_size or 16, o.batches or 4
  local n = ids:size(1)
  if n < T + 1 then error(string.format("mlm.evaluate: %d tokens are too few for windows of %d (+1)", n, T), 2) end
  local windows = math.max(1, math.min(B * batches, n - T))
  local stride = (n - T - 1) / math.max(1, windows - 1)
  local resume = llm.random(2 ^ 31 - 1)
  llm.seed(o.seed or 1234)
  local mopts = mask_opts(o, model)
  local was = model.training
  model:eval()
  local total_loss, right, scored = 0, 0, 0
  llm.no_grad(function()
    local done = 0
    while done < windows do
      local rows = {}
      for b = 1, math.min(B, windows - done) do
        rows[b] = ids:narrow(1, 1 + math.floor((done + b - 1) * stride + 0.5), T + 1)
      end
      local w = llm.stack(rows, 1)
      local loss, logits, labels = M.objective_loss(model, w, objective, mopts)
      local _, r, s = M.masked_accuracy(logits, labels)
      total_loss = total_loss + loss:item() * s
      right, scored = right + r, scored + s
      done = done + #rows
    end
  end)
  model:train(was)
  llm.seed(resume)
  return { loss = total_loss / math.max(scored, 1), accuracy = scored > 0 and right / scored or 0, tokens = scored }
end

-- The top-k words the model puts at each [MASK] of a list of words.
-- Returns { {position =, words = {...}, probs = {...}}, ... }.
function M.fill_mask(model, vocab, words, k)
  k = k or 5
  local ids = {}
  for i, w in ipairs(words) do ids[i] = w == "[MASK]" and vocab.mask_id or vocab:id(w) end
  local out = {}
  local was = model.training
  model:eval()
  llm.no_grad(function()
    local probs = model(llm.tensor({ ids }, "int64")):softmax(-1):select(1, 1):totable()
    for t, id in ipairs(ids) do
      if id == vocab.mask_id then
        local row, order = probs[t], {}
        for i = vocab.n_special + 1, #row do order[#order + 1] = i end
        table.sort(order, function(a, b) return row[a] > row[b] end)
        local ws, ps = {}, {}
        for j = 1, math.min(k, #order) do ws[j], ps[j] = vocab:word(order[j] - 1), row[order[j]] end
        out[#out + 1] = { position = t, words = ws, probs = ps }
      end
    end
  end)
  model:train(was)
  return out
end

return M
