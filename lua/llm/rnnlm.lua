-- llm.rnnlm: recurrent language models at the character level and at the
-- word or BPE level: a vocabulary, the model (an embedding, an RNN/LSTM/GRU
-- stack, a linear head), training by truncated backpropagation through time
-- with the hidden state carried (detached) from one chunk to the next, and
-- sampling with temperature and top-k.
--
--   local rnnlm = llm.rnnlm
--   local V = rnnlm.Vocab.chars(text)               -- one id per UTF-8 character
--   local V = rnnlm.Vocab.words(words, {min_count = 2, max_size = 10000})   -- with "<unk>"
--   local ids = V:encode(text_or_words)              -- 1-D int64 tensor of 0-based ids
--   V:decode(ids) -> string (chars joined; words joined by " "), V:size()
--   (a BPE tokenizer's ids, llm.bpe.*:encode, work as they are: vocab_size = tok:vocab_size())
--
--   local lm = llm.nn.RNNLM{vocab_size = V:size(), embed_dim = 64, hidden_size = 256,
--                           num_layers = 2, cell = "lstm", dropout = 0, tie_weights = false}
--   local logits, loss, state = lm(ids, targets, state)   -- ids, targets (B, T); logits (B, T, V)
--   lm:generate(prompt_ids, n, {temperature = 1, top_k = nil}) -> ids (1-D int64 of n new ids)
--   lm:perplexity(ids [, {seq_len =, batch_size =}]) -> perplexity of a 1-D id tensor
--
--   local history = rnnlm.train{model = lm, data = ids, val_data = ids2,
--     batch_size = 32, seq_len = 64, steps = 200 (or epochs = n), lr = 2e-3, grad_clip = 1.0,
--     on_step = function(step, m) end}   -- m: {step, loss, lr, grad_norm, tokens, tok_per_s}
--   -> {loss = {...}, val = {{step, loss}}, final_loss, val_loss, tokens, elapsed}
--
-- Training splits the token stream into batch_size parallel streams (rows)
-- and walks them in chunks of seq_len: each chunk starts from the state the
-- previous one ended with, detached, so gradients flow back at most seq_len
-- steps (truncated BPTT) while the state still carries context across chunks.
-- The model is saved and loaded with llm.nn.save / llm.nn.load (its config
-- goes in the checkpoint), and the vocabulary with V:save(path) /
-- rnnlm.Vocab.load(path) (one token per line).
local llm = require "llm"
local Module = require "llm.nn.module"
local layers = require "llm.nn.layers"
local rnn = require "llm.nn.rnn"
local sampling = require "llm.sampling"

local M = {}

-- Vocabulary ----------------------------------------------------------------------
local Vocab = {}
Vocab.__index = Vocab
M.Vocab = Vocab

local function new_vocab(tokens, kind, unk)
  local v = setmetatable({ itos = tokens, stoi = {}, kind = kind, unk = unk }, Vocab)
  for i, t in ipairs(tokens) do v.stoi[t] = i - 1 end
  return v
end

local function utf8_chars(s)
  if not utf8.len(s) then error("rnnlm: the text is not valid UTF-8 (repair it with llm.text.repair_utf8)", 3) end
  local out = {}
  for _, c in utf8.codes(s) do out[#out + 1] = utf8.char(c) end
  return out
end

-- Every character of text, sorted by code point.
function Vocab.chars(text)
  local seen, list = {}, {}
  for _, c in ipairs(utf8_chars(text)) do
    if not seen[c] then seen[c] = true; list[#list + 1] = c end
  end
  table.sort(list, function(a, b) return utf8.codepoint(a) < utf8.codepoint(b) end)
  return new_vocab(list, "chars")
end

-- Words seen at least min_count times (most frequent first, then
-- alphabetically), at most max_size of them, after "<unk>" (id 0).
function Vocab.words(words, opts)
  opts = opts or {}
  local min_count, max_size = opts.min_count or 1, opts.max_size
  local count = {}
  for _, w in ipairs(words) do count[w] = (count[w] or 0) + 1 end
  local list = {}
  for w, c in pairs(count) do if c >= min_count and w ~= "<unk>" then list[#list + 1] = w end end
  table.sort(list, function(a, b)
    if count[a] ~= count[b] then return count[a] > count[b] end
    return a < b
  end)
  local out = { "<unk>" }
  for i = 1, max_size and math.min(#list, max_size - 1) or #list do out[#out + 1] = list[i] end
  return new_vocab(out, "words", 0)
end

function Vocab:size() return #self.itos end

-- text (a string for chars) or a list of words -> 1-D int64 tensor
function Vocab:encode(x)
  local toks = type(x) == "string" and (self.kind == "chars" and utf8_chars(x) or llm.tokenize.whitespace(x)) or x
  local ids = {}
  for i, t in ipairs(toks) do
    local id = self.stoi[t] or self.unk
    if not id then error(string.format("rnnlm: %q is not in the vocabulary", t), 2) end
    ids[i] = id
  end
  return llm.tensor(ids, "int64")
end

function Vocab:decode(ids)
  if llm.is_tensor(ids) then ids = ids:totable() end
  local out = {}
  for i, id in ipairs(ids) do
    local t = self.itos[id + 1]
    if not t then error("rnnlm: id " .. tostring(id) .. " is outside the vocabulary", 2) end
    out[i] = t
  end
  return table.concat(out, self.kind == "chars" and "" or " ")
end

function Vocab:save(path)
  local f, err = io.open(path, "w")
  if not f then error("rnnlm: " .. err, 2) end
  f:write(self.kind, "\n")
  for _, t in ipairs(self.itos) do
    if t:find("[\n\\]") then t = t:gsub("\\", "\\\\"):gsub("\n", "\\n") end
    f:write(t, "\n")
  end
  f:close()
end

function Vocab.load(path)
  local f, err = io.open(path, "r")
  if not f then error("rnnlm: " .. err, 2) end
  local kind = f:read("l")
  if kind ~= "chars" and kind ~= "words" then
    f:close()
    error(path .. ": not a vocabulary file (its first line must be chars or words)", 2)
  end
  local list = {}
  for line in f:lines() do
    list[#list + 1] = line:gsub("\\(.)", function(c) return c == "n" and "\n" or c end)
  end
  f:close()
  return new_vocab(list, kind, kind == "words" and 0 or nil)
end

-- The model ----------------------------------------------------------------------
local RNNLM = Module:extend("RNNLM")
M.RNNLM = RNNLM

local CELLS = { lstm = rnn.LSTM, gru = rnn.GRU, rnn = rnn.RNN }

function RNNLM:init(config)
  local c = {}
  for k, v in pairs(config or {}) do c[k] = v end
  c.cell = c.cell or "lstm"
  c.embed_dim = c.embed_dim or 64
  c.hidden_size = c.hidden_size or 256
  c.num_layers = c.num_layers or 1
  c.dropout = c.dropout or 0
  c.tie_weights = c.tie_weights == true
  for _, k in ipairs({ "vocab_size", "embed_dim", "hidden_size", "num_layers" }) do
    if math.type(c[k]) ~= "integer" or c[k] < 1 then
      error(string.format("RNNLM: config.%s must be a positive integer, got %s", k, tostring(c[k])), 3)
    end
  end
  if not CELLS[c.cell] then error("RNNLM: cell must be lstm, gru or rnn", 3) end
  if c.tie_weights and c.embed_dim ~= c.hidden_size then
    error("RNNLM: tie_weights needs embed_dim == hidden_size", 3)
  end
  self.config = c
  self:add("embed", layers.Embedding(c.vocab_size, c.embed_dim))
  self:add("rnn", CELLS[c.cell](c.embed_dim, c.hidden_size, { num_layers = c.num_layers, dropout = c.dropout,
    impl = c.impl }))
  if c.dropout > 0 then self:add("drop", layers.Dropout(c.dropout)) end
  if not c.tie_weights then self:add("head", layers.Linear(c.hidden_size, c.vocab_size)) end
  if c.tie_weights then self:param("head_bias", llm.zeros(c.vocab_size), { no_decay = true }) end
end

function RNNLM:extra_repr()
  local c = self.config
  return string.format("vocab_size=%d, %s %d x %d%s", c.vocab_size, c.cell, c.num_layers, c.hidden_size,
    c.tie_weights and ", tied head" or "")
end

-- ids, targets (B, T) int; state from a previous call or nil.
-- -> logits (B, T, V), the mean loss (when targets are given), the new state.
-- Runs time-major inside: (T, B) ids, so no copies on the way.
function RNNLM:forward(ids, targets, state)
  if ids:dim() ~= 2 then error("RNNLM: ids must be (B, T), got " .. ids:dim() .. " dims", 2) end
  local x = self.embed(ids:t())                       -- (T, B, E)
  if self.drop then x = self.drop(x) end
  local h, st = self.rnn(x, state)                    -- (T, B, H)
  if self.drop then h = self.drop(h) end
  local logits
  if self.head then logits = self.head(h)             -- (T, B, V)
  else logits = h:linear(self.embed.weight, self.head_bias) end
  local loss
  if targets ~= nil then loss = logits:cross_entropy(targets:t()) end
  return logits:transpose(1, 2), loss, st
end

-- nn.load rebuilds an RNNLM from its checkpoint's config
require("llm.checkpoint").model_classes.RNNLM = function(cfg) return RNNLM(cfg) end

-- Feed the prompt, then draw n ids one at a time, carrying the state (so each
-- new id costs one step, not a pass over the whole history).
function RNNLM:generate(prompt, n, opts)
  opts = opts or {}
  local temperature = opts.temperature or 1
  if llm.is_tensor(prompt) then prompt = prompt:totable() end
  if type(prompt) ~= "table" or #prompt == 0 then error("RNNLM: generate needs a non-empty prompt of ids", 2) end
  local was = self.training
  self:eval()
  local out = {}
  llm.no_grad(function()
    local logits, _, state = self(llm.tensor({ prompt }, "int64"), nil, opts.state)
    local row = logits:select(2, #prompt):select(1, 1):totable()
    for i = 1, n do
      local id = sampling.sample_row(row, temperature, opts.top_k)
      out[i] = id
      if i == n then break end
      logits, _, state = self(llm.tensor({ { id } }, "int64"), nil, state)
      row = logits:select(2, 1):select(1, 1):totable()
    end
  end)
  self:train(was)
  return llm.tensor(out, "int64")
end

-- ids (N) -> (B, N // B) contiguous streams, the tail dropped
local function streams(ids, B)
  local n = ids:size(1) // B
  if n < 2 then error(string.format("rnnlm: %d tokens are too few for %d streams", ids:size(1), B), 3) end
  return ids:narrow(1, 1, n * B):reshape(B, n)
end

-- Perplexity over a held-out 1-D id tensor, walking it in order with the state carried.
function RNNLM:perplexity(ids, opts)
  opts = opts or {}
  local B, T = opts.batch_size or 1, opts.seq_len or 64
  local data = streams(ids, B)
  local n = data:size(2)
  local was = self.training
  self:eval()
  local total, count, state = 0, 0, nil
  llm.no_grad(function()
    local i = 1
    while i < n do
      local len = math.min(T, n - i)
      local x, y = data:narrow(2, i, len), data:narrow(2, i + 1, len)
      local _, loss
      _, loss, state = self(x, y, state)
      total = total + loss:item() * len * B
      count = count + len * B
      i = i + len
    end
  end)
  self:train(was)
  return math.exp(total / count), total / count
end

-- Training by truncated BPTT ---------------------------------------------------------
local known = { model = 1, data = 1, val_data = 1, batch_size = 1, seq_len = 1, steps = 1, epochs = 1, lr = 1,
  optimizer = 1, grad_clip = 1, weight_decay = 1, on_step = 1, on_eval = 1, eval_every = 1, progress = 1,
  schedule = 1 }

function M.train(o)
  if type(o) ~= "table" then error("rnnlm.train: expects a table of options", 2) end
  for k in pairs(o) do
    if not known[k] then error("rnnlm.train: unknown option '" .. tostring(k) .. "'", 2) end
  end
  local model = o.model
  if type(model) ~= "table" or not model.parameters then error("rnnlm.train: model must be an nn module", 2) end
  local train = require "llm.train"
  local ids = train.as_tokens(o.data, "data")
  local val = o.val_data and train.as_tokens(o.val_data, "val_data")
  local B, T = o.batch_size or 16, o.seq_len or 64
  local data = streams(ids, B)
  local n = data:size(2)
  local per_epoch = math.ceil((n - 1) / T)
  local steps = o.steps or (o.epochs or 1) * per_epoch
  local opt = o.optimizer or llm.optim.AdamW(model, { lr = o.lr or 2e-3, weight_decay = o.weight_decay or 0 })
  local clip = o.grad_clip == nil and 1.0 or o.grad_clip
  local label = o.progress == nil and "train" or o.progress
  local eval_every = o.eval_every or (val and math.max(1, steps // 5))
  local history = { loss = {}, val = {}, steps = 0, interrupted = false }
  local clock = llm.now or os.clock
  local t0, tokens = clock(), 0
  local state, pos = nil, 1
  model:train()
  for step = 1, steps do
    if pos >= n then pos, state = 1, nil end             -- a new epoch starts from a zero state
    local len = math.min(T, n - pos)
    local x, y = data:narrow(2, pos, len), data:narrow(2, pos + 1, len)
    pos = pos + len
    if o.schedule then opt:set_lr(o.schedule(step)) end
    opt:zero_grad()
    local _, loss, st = model(x, y, state)
    loss:backward()
    state = rnn.detach_state(st)                         -- carried, but no gradient across chunks
    local gn = clip and clip > 0 and llm.optim.clip_grad_norm(opt:params(), clip) or nil
    opt:step()
    tokens = tokens + B * len
    local l = loss:item()
    history.loss[step], history.steps = l, step
    local elapsed = clock() - t0
    local stop = o.on_step and o.on_step(step, { step = step, loss = l, lr = opt:get_lr(), grad_norm = gn,
      tokens = tokens, elapsed = elapsed, tok_per_s = elapsed > 0 and tokens / elapsed or 0 }) == false
    -- llm.progress returns true when the user asked to cancel
    local cancel = (label and llm.progress(label, step, steps)) and true or llm.interrupted()
    if val and (step % eval_every == 0 or step == steps) then
      local _, vl = model:perplexity(val, { seq_len = T, batch_size = math.min(B, math.max(1, val:size(1) // (2 * T))) })
      history.val[#history.val + 1] = { step = step, loss = vl }
      history.val_loss = vl
      if o.on_eval then o.on_eval(step, { step = step, val_loss = vl, train_loss = l }) end
    end
    if cancel then history.interrupted = true; break end
    if stop then break end
  end
  history.final_loss = history.loss[history.steps]
  history.tokens, history.elapsed = tokens, clock() - t0
  return history
end

return M
