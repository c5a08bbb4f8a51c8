-- llm.elmo: ELMo-style contextual word embeddings (Peters et al. 2018, made
-- small): a token layer (a word embedding, or a character CNN with a highway
-- layer and a projection, so unseen words get vectors from their spelling),
-- then two stacks of LSTM layers -- one reads the sentence left to right and
-- predicts the next word, the other reads it right to left and predicts the
-- previous word -- sharing the token layer and the output softmax. Training
-- minimises the sum of both language-model losses. A word's contextual
-- vector is a weighted mix of the layers: layer 0 (the token vector, the same
-- in every context) and layer k = [forward_k ; backward_k], which depend on
-- the words around it.
--
--   local elmo = llm.elmo
--   local V = llm.rnnlm.Vocab.words(words, {min_count = 2})
--   local m = llm.nn.ELMo{vocab_size = V:size(), hidden_size = 64, num_layers = 2,
--                         input = "embedding"}              -- or input = "chars" with
--                         -- chars = {"<pad>", "<w>", "</w>", "a", ...} (elmo.char_list(words)),
--                         -- char_dim = 16, max_word_len = 16, filters = {{1, 32}, {2, 32}, {3, 64}}
--   if chars: m:set_words(V.itos)                           -- the spelling of each vocabulary word
--   local h = elmo.train{model = m, data = V:encode(words), batch_size = 16, seq_len = 20, steps = 300, lr = 3e-3}
--   local layers = m:layers(ids)          -- ids (B, T) -> {layer0, layer1, ...}, each (B, T, 2H)
--   local v = m:embed(ids [, {weights = {s0, s1, s2}, gamma = 1}])   -- (B, T, 2H) layer mix:
--                                         -- gamma * sum_k softmax(weights)_k * layer_k
--   elmo.contexts(m, V, {"he sat on the bank of the river", "she put money in the bank"}, "bank")
--     -> {vectors = {...}, cosine = {{1, c12}, {c12, 1}}} per layer and for the mix
--
-- The mix weights default to equal. ELMo learns them per downstream task; here
-- they are plain numbers, and a task model that learns its own mix combines the
-- tensors of m:layers(ids) (computed without gradients: the biLM stays frozen).
-- Sequences in a batch share one length (windows of a token stream), so the
-- backward stack reads each window simply reversed in time.
local llm = require "llm"
local Module = require "llm.nn.module"
local layers = require "llm.nn.layers"
local rnn = require "llm.nn.rnn"

local M = {}

-- Character list for input = "chars": specials first, then every character of the words.
function M.char_list(words)
  local seen, list = {}, {}
  for _, w in ipairs(words) do
    for _, c in utf8.codes(w) do
      local ch = utf8.char(c)
      if not seen[ch] then seen[ch] = true; list[#list + 1] = ch end
    end
  end
  table.sort(list)
  table.insert(list, 1, "</w>")
  table.insert(list, 1, "<w>")
  table.insert(list, 1, "<pad>")
  return list
end

-- The character CNN token layer: (N, W) char ids -> (N, out_dim).
local CharCNN = Module:extend("CharCNN")
M.CharCNN = CharCNN

function CharCNN:init(num_chars, char_dim, filters, out_dim)
  self.filters = filters
  self:add("chars", layers.Embedding(num_chars, char_dim))
  local total = 0
  for i, f in ipairs(filters) do
    self:add("conv" .. i, layers.Linear(f[1] * char_dim, f[2]))   -- a width-f[1] convolution as a linear map
    total = total + f[2]
  end
  self:add("highway_t", layers.Linear(total, total))
  self:add("highway_h", layers.Linear(total, total))
  self:add("proj", layers.Linear(total, out_dim))
end

function CharCNN:forward(cids)                   -- (N, W) -> (N, out_dim)
  local W = cids:size(2)
  local e = self.chars(cids)                     -- (N, W, C)
  local feats = {}
  for i, f in ipairs(self.filters) do
    local k = f[1]
    if k > W then error(string.format("CharCNN: filter width %d exceeds max_word_len %d", k, W), 2) end
    local win = {}
    for o = 1, k do win[o] = e:narrow(2, o, W - k + 1) end
    local x = k == 1 and win[1] or llm.cat(win, 3)          -- (N, W-k+1, k*C): every window
    local y = self["conv" .. i](x)                          -- (N, W-k+1, filters)
    feats[i] = y:max(2):tanh()                              -- max over positions -> (N, filters)
  end
  local h = llm.cat(feats, 2)
  local t = self.highway_t(h):sigmoid()                     -- highway: t*relu(Wh) + (1-t)*h
  h = t * self.highway_h(h):relu() + (1 - t) * h
  return self.proj(h)
end

-- The model ----------------------------------------------------------------------------
local ELMo = Module:extend("ELMo")
M.ELMo = ELMo

function ELMo:init(config)
  local c = {}
  for k, v in pairs(config or {}) do c[k] = v end
  c.hidden_size = c.hidden_size or 64
  c.num_layers = c.num_layers or 2
  c.input = c.input or "embedding"
  c.dropout = c.dropout or 0
  for _, k in ipairs({ "vocab_size", "hidden_size", "num_layers" }) do
    if math.type(c[k]) ~= "integer" or c[k] < 1 then
      error(string.format("ELMo: config.%s must be a positive integer, got %s", k, tostring(c[k])), 3)
    end
  end
  local H = c.hidden_size
  if c.input == "embedding" then
    self:add("token", layers.Embedding(c.vocab_size, H))
  elseif c.input == "chars" then
    if type(c.chars) ~= "table" or #c.chars < 4 then
      error("ELMo: input = \"chars\" needs chars = elmo.char_list(words)", 3)
    end
    c.char_dim = c.char_dim or 16
    c.max_word_len = c.max_word_len or 16
    c.filters = c.filters or { { 1, 32 }, { 2, 32 }, { 3, 64 } }
    self.char_ids = {}
    for i, ch in ipairs(c.chars) do self.char_ids[ch] = i - 1 end
    self:add("token", CharCNN(#c.chars, c.char_dim, c.filters, H))
    self:buffer("word_chars", llm.zeros({ c.vocab_size, c.max_word_len }, "int64"))
  else
    error("ELMo: input must be \"embedding\" or \"chars\"", 3)
  end
  self.config = c
  for l = 1, c.num_layers do
    self:add("fwd" .. l, rnn.LSTM(H, H))
    self:add("bwd" .. l, rnn.LSTM(H, H))
  end
  if c.dropout > 0 then self:add("drop", layers.Dropout(c.dropout)) end
  self:add("head", layers.Linear(H, c.vocab_size))            -- shared by both directions
end

-- nn.load rebuilds an ELMo from its checkpoint's config (input = "embedding";
-- a char-CNN model's config holds tables: build it, then nn.load_into)
require("llm.checkpoint").model_classes.ELMo = function(cfg) return ELMo(cfg) end

-- The character ids of one word: <w> chars </w>, cut or padded with <pad> to W.
function ELMo:word_char_ids(word)
  local c = self.config
  local W = c.max_word_len
  local out = { self.char_ids["<w>"] }
  for _, cp in utf8.codes(word) do
    if #out >= W - 1 then break end
    out[#out + 1] = self.char_ids[utf8.char(cp)] or 0
  end
  out[#out + 1] = self.char_ids["</w>"]
  for i = #out + 1, W do out[i] = 0 end
  return out
end

-- Spell out the vocabulary (input = "chars"): itos[i] is the word of id i-1.
function ELMo:set_words(itos)
  if self.config.input ~= "chars" then return end
  if #itos ~= self.config.vocab_size then error("ELMo: set_words needs one word per vocabulary id", 2) end
  local rows = {}
  for i, w in ipairs(itos) do rows[i] = self:word_char_ids(w) end
  llm.no_grad(function() self.word_chars:copy_(llm.tensor(rows, "int64")) end)
end

-- Token vectors (B, T, H) for ids (B, T), or from char ids (B, T, W).
function ELMo:tokens(ids, cids)
  if self.config.input == "embedding" then return self.token(ids) end
  local B, T = ids:size(1), ids:size(2)
  cids = cids or self.word_chars:index_select(1, ids:reshape(B * T))
  return self.token(cids:reshape(B * T, self.config.max_word_len)):reshape(B, T, self.config.hidden_size)
end

local function time_reverse(x)                 -- (B, T, ...) reversed along T
  local T = x:size(2)
  local idx = {}
  for t = 1, T do idx[t] = T - t end
  return x:index_select(2, llm.tensor(idx, "int64"))
end

-- Run both stacks: token vectors (B, T, H) -> list of {fwd_k, bwd_k} (B, T, H) per layer
-- (bwd_k already back in reading order).
function ELMo:run(x)
  local f, b = x:transpose(1, 2), time_reverse(x):transpose(1, 2)   -- (T, B, H)
  local out = {}
  for l = 1, self.config.num_layers do
    local f2 = self["fwd" .. l](f)
    local b2 = self["bwd" .. l](b)
    if l > 1 then f2, b2 = f2 + f, b2 + b end                        -- residual between layers, as ELMo
    if self.drop then f2, b2 = self.drop(f2), self.drop(b2) end
    f, b = f2, b2
    out[l] = { f:transpose(1, 2), time_reverse(b:transpose(1, 2)) }
  end
  return out
end

-- ids (B, T) -> the mean of the forward LM loss (predict t+1) and the backward one (predict t-1).
function ELMo:forward(ids, cids)
  if ids:dim() ~= 2 or ids:size(2) < 2 then error("ELMo: ids must be (B, T) with T >= 2", 2) end
  local T = ids:size(2)
  local x = self:tokens(ids, cids)
  if self.drop then x = self.drop(x) end
  local top = self:run(x)[self.config.num_layers]
  local lf = self.head(top[1]:narrow(2, 1, T - 1)):cross_entropy(ids:narrow(2, 2, T - 1))
  local lb = self.head(top[2]:narrow(2, 2, T - 1)):cross_entropy(ids:narrow(2, 1, T - 1))
  return (lf + lb) * 0.5, lf, lb
end

-- The representation of every layer, each (B, T, 2H): layer 0 = [token ; token].
function ELMo:layers(ids, cids)
  local out
  llm.no_grad(function()
    local was = self.training
    self:eval()
    local x = self:tokens(ids, cids)
    out = { llm.cat({ x, x }, 3) }
    for l, pair in ipairs(self:run(x)) do out[l + 1] = llm.cat(pair, 3) end
    self:train(was)
  end)
  return out
end

-- The layer mix: gamma * sum_k softmax(weights)_k * layer_k (equal weights by default).
function ELMo:embed(ids, opts)
  opts = opts or {}
  local ls = self:layers(ids, opts.char_ids)
  local w = opts.weights
  local n = #ls
  local s = {}
  if w == nil then
    for k = 1, n do s[k] = 1 / n end
  else
    if #w ~= n then error(string.format("ELMo: %d mix weights for %d layers", #w, n), 2) end
    local mx, total = -math.huge, 0
    for k = 1, n do mx = math.max(mx, w[k]) end
    for k = 1, n do s[k] = math.exp(w[k] - mx); total = total + s[k] end
    for k = 1, n do s[k] = s[k] / total end
  end
  local out = ls[1] * s[1]
  for k = 2, n do out = out + ls[k] * s[k] end
  return out * (opts.gamma or 1)
end

function ELMo:extra_repr()
  local c = self.config
  return string.format("vocab_size=%d, %s input, 2 x %d-layer LSTM %d", c.vocab_size, c.input, c.num_layers,
    c.hidden_size)
end

-- Training: random windows of the token stream (llm.train's batches).
function M.train(o)
  local train = require "llm.train"
  return train.run {
    model = o.model, data = o.data, val_data = o.val_data, block_size = o.seq_len or 20,
    batch_size = o.batch_size or 16, steps = o.steps or 200, lr = o.lr or 3e-3, weight_decay = 0,
    grad_clip = o.grad_clip or 1.0, on_step = o.on_step, on_eval = o.on_eval, progress = o.progress,
    loss_fn = function(model, x, y) return (model(x)) end,
  }
end

local function cos(a, b)
  local d, na, nb = 0, 0, 0
  for i = 1, #a do d = d + a[i] * b[i]; na = na + a[i] ^ 2; nb = nb + b[i] ^ 2 end
  return d / math.sqrt(na * nb + 1e-30)
end

-- The demonstration: the vectors of `word` in each sentence (whitespace
-- tokens, lower-case as given) and their cosine similarities, per layer and
-- for the equal mix. -> {layers = {{vectors =, cosine =}, ...}, mix = {vectors =, cosine =}}
function M.contexts(model, vocab, sentences, word)
  local per_layer, mix = nil, { vectors = {} }
  for s, sent in ipairs(sentences) do
    local words = llm.tokenize.whitespace(sent)
    local pos
    for i, w in ipairs(words) do if w == word then pos = i; break end end
    if not pos then error(string.format("elmo.contexts: %q does not occur in sentence %d", word, s), 2) end
    local ids = vocab:encode(words):reshape(1, #words)
    local ls = model:layers(ids)
    per_layer = per_layer or {}
    for k, l in ipairs(ls) do
      per_layer[k] = per_layer[k] or { vectors = {} }
      per_layer[k].vectors[s] = l:select(2, pos):select(1, 1):totable()
    end
    mix.vectors[s] = model:embed(ids):select(2, pos):select(1, 1):totable()
  end
  local function sims(group)
    group.cosine = {}
    for i = 1, #group.vectors do
      group.cosine[i] = {}
      for j = 1, #group.vectors do group.cosine[i][j] = cos(group.vectors[i], group.vectors[j]) end
    end
  end
  for _, g in ipairs(per_layer) do sims(g) end
  sims(mix)
  return { layers = per_layer, mix = mix }
end

return M
