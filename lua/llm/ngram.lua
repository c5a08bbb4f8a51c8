-- llm.ngram: n-gram language models (n <= 5) over words or characters.
--
--   local ngram = llm.ngram
--   local lm = ngram.KneserNey{order = 3, discount = 0.1}
--   lm:fit(sents)                      -- array of arrays of tokens (or strings)
--   print(lm:perplexity(test_sents))   -- NLTK's padding and formula
--   print(lm:prob("said", {"God"}))    -- P(said | God)
--   llm.seed(1); print(table.concat(lm:generate{context = {"And"}, n = 12, top_k = 10}, " "))
--   lm:save("kjv.ngram"); lm:save_arpa("kjv.arpa")
--
-- Models: MLE, Laplace, Lidstone/AddK (k), KneserNey (NLTK's
-- KneserNeyInterpolated), ModifiedKneserNey (three discounts),
-- Interpolated (Jelinek-Mercer; :tune(heldout) fits the weights by EM),
-- StupidBackoff, and Bigram (a small pure-Lua model with a count matrix).
-- Every model takes order = n, unk_cutoff = c (words seen fewer than c
-- times become <UNK>) and level = "word" | "char" (how strings are split).
local llm = require "llm"
local C = llm._ngram

local M = {}

-- ---------------------------------------------------------------- tokens
local word_splitter
--- Split text into words and punctuation marks (Unicode-aware, case kept).
function M.words(text)
  word_splitter = word_splitter or llm.features.CountVectorizer{
    token_pattern = "\\w+(?:['’]\\w+)*|[^\\w\\s]", lowercase = false }
  return word_splitter:analyze(text)
end

--- Split text into UTF-8 characters.
function M.chars(text)
  local out = {}
  local ok, err = pcall(function()
    for _, c in utf8.codes(text) do out[#out + 1] = utf8.char(c) end
  end)
  if not ok then error("ngram: text is not valid UTF-8 (" .. tostring(err) .. ")", 3) end
  return out
end

-- Sentences as arrays of tokens: strings are split by the model's level.
local function sentences(self, sents, op)
  if type(sents) ~= "table" then error(op .. ": expected an array of sentences, got " .. type(sents), 3) end
  local out = {}
  for i, s in ipairs(sents) do
    if type(s) == "string" then
      out[i] = self.level == "char" and M.chars(s) or M.words(s)
    elseif type(s) == "table" then
      out[i] = s
    else
      error(string.format("%s: sentence %d is a %s, not a string or an array of tokens", op, i, type(s)), 3)
    end
  end
  return out
end

-- ---------------------------------------------------------------- models
local Model = {}
Model.__index = Model

local known = { order = true, unk_cutoff = true, level = true, gamma = true, k = true, discount = true, alpha = true }

local function make(kind, opts, extra)
  opts = opts or {}
  for k in pairs(opts) do
    if not known[k] then error(string.format("ngram: unknown option %q", tostring(k)), 3) end
  end
  local order = opts.order or 3
  if math.type(order) ~= "integer" or order < 1 or order > 5 then
    error("ngram: order must be an integer from 1 to 5, got " .. tostring(order), 3)
  end
  local level = opts.level or "word"
  if level ~= "word" and level ~= "char" then error("ngram: level must be \"word\" or \"char\"", 3) end
  local c = { unk_cutoff = opts.unk_cutoff }
  for k, v in pairs(extra or {}) do c[k] = v end
  local ok, m = pcall(C.new, kind, order, c)
  if not ok then error(m, 3) end
  return setmetatable({ _m = m, kind = kind, order = order, level = level }, Model)
end

function M.MLE(o) return make("mle", o) end
function M.Laplace(o) return make("lidstone", o, { gamma = 1 }) end
function M.Lidstone(o) return make("lidstone", o, { gamma = (o or {}).gamma or (o or {}).k or 1 }) end
M.AddK = M.Lidstone
function M.KneserNey(o) return make("kneser_ney", o, { discount = (o or {}).discount or 0.1 }) end
function M.ModifiedKneserNey(o) return make("modified_kneser_ney", o) end
function M.Interpolated(o) return make("interpolated", o) end
function M.StupidBackoff(o) return make("stupid_backoff", o, { alpha = (o or {}).alpha or 0.4 }) end

--- Count the training sentences (padded everygrams, as NLTK's padded_everygram_pipeline).
function Model:fit(sents)
  self._m:fit(sentences(self, sents, "fit"))
  return self
end

--- Jelinek-Mercer only: tune the interpolation weights by EM on held-out sentences.
-- Returns the held-out cross-entropy (bits per token) at the end.
function Model:tune(heldout, max_iter)
  return self._m:tune(sentences(self, heldout, "tune"), max_iter)
end

--- Interpolation weights (one per order; set them with a table).
function Model:weights(w) return self._m:weights(w) end
--- Modified Kneser-Ney discounts {D1, D2, D3+} of order k.
function Model:discounts(k) return self._m:discounts(k) end

local function ctx_tokens(self, context)
  if context == nil then return {} end
  if type(context) == "string" then
    return self.level == "char" and M.chars(context) or M.words(context)
  end
  return context
end

--- P(word | context); context is an array of tokens (oldest first) or a string.
function Model:prob(word, context) return self._m:prob(word, ctx_tokens(self, context)) end
--- log2 P(word | context) (-inf for probability 0), as NLTK's logscore.
function Model:logprob(word, context)
  local p = self:prob(word, context)
  return p > 0 and math.log(p, 2) or -math.huge
end
Model.score = Model.prob
Model.logscore = Model.logprob

--- Perplexity of sentences: each padded with <s>/</s> (pad_both_ends) and
-- scored over its order-grams; 2 ^ cross-entropy. Returns the perplexity
-- and a table {cross_entropy, events, zero_events, oov, note}.
function Model:perplexity(sents)
  local r = self._m:evaluate(sentences(self, sents, "perplexity"))
  if r.zero_events > 0 then
    r.note = string.format(
      "perplexity is inf: %d of %d %d-grams have probability 0 under the %s model "
        .. "(it gives nothing to n-grams it never saw); use Laplace, KneserNey or Interpolated",
      r.zero_events, r.events, self.order, self.kind)
  end
  return r.perplexity, r
end

--- Cross-entropy in bits per token (NLTK's entropy).
function Model:cross_entropy(sents)
  local _, r = self:perplexity(sents)
  return r.cross_entropy
end

--- Sample tokens: opts = {context = {...} or string, n = 20, temperature = 1,
-- top_k = 0 (all), seed = optional}. Stops at </s>. Returns the tokens and
-- the text (joined by spaces for words, nothing for characters).
function Model:generate(opts)
  opts = opts or {}
  if opts.seed then llm.seed(opts.seed) end
  local toks = self._m:generate(ctx_tokens(self, opts.context), opts.n or 20, opts.temperature or 1.0, opts.top_k or 0)
  return toks, table.concat(toks, self.level == "char" and "" or " ")
end

--- Count of an n-gram (array of tokens) in the training text.
function Model:count(ngram) return self._m:count(ngram) end
--- Words in the vocabulary (with <s>, </s> and <UNK>).
function Model:vocab() return self._m:vocab() end
--- kind, order, vocab_size, ngrams = {count per order}, ...
function Model:info() return self._m:info() end

--- Save in llmlab's native n-gram format (exact for every model).
function Model:save(path) self._m:save(path) end
--- Write an ARPA file (exact for KneserNey, ModifiedKneserNey, Interpolated).
function Model:save_arpa(path) self._m:write_arpa(path) end

local function wrap(m, opts)
  local info = m:info()
  return setmetatable({ _m = m, kind = info.kind, order = info.order, level = (opts or {}).level or "word" }, Model)
end

--- Load a model saved with :save (opts.level = "char" for character models).
function M.load(path, opts) return wrap(C.load(path), opts) end
--- Read an ARPA file as a back-off model.
function M.load_arpa(path, opts) return wrap(C.read_arpa(path), opts) end

-- ---------------------------------------------------------------- bigram
-- A bigram model in plain Lua for the lab: counts[prev][word], add-k
-- smoothing (k = 0: MLE), NLTK's padding (one <s> and one </s>), and the
-- count matrix of the most frequent words for a heat map.
local Bigram = {}
Bigram.__index = Bigram

function M.Bigram(opts)
  opts = opts or {}
  local k = opts.k or 0
  if type(k) ~= "number" or k < 0 then error("Bigram: k must be a number >= 0", 2) end
  return setmetatable({ k = k, level = opts.level or "word", counts = {}, totals = {}, unigrams = {},
                        vocab = {}, nvocab = 0 }, Bigram)
end

local function padded(s) local t = { "<s>" }; for _, w in ipairs(s) do t[#t + 1] = w end; t[#t + 1] = "</s>"; return t end

function Bigram:fit(sents)
  sents = sentences(self, sents, "Bigram:fit")
  self.counts, self.totals, self.unigrams, self.vocab = {}, {}, {}, { ["<UNK>"] = true }
  local nv = 1
  for _, s in ipairs(sents) do
    local t = padded(s)
    for i, w in ipairs(t) do
      if not self.vocab[w] then self.vocab[w] = true; nv = nv + 1 end
      self.unigrams[w] = (self.unigrams[w] or 0) + 1
      if i > 1 then
        local p = t[i - 1]
        local row = self.counts[p] or {}
        self.counts[p] = row
        row[w] = (row[w] or 0) + 1
        self.totals[p] = (self.totals[p] or 0) + 1
      end
    end
  end
  self.nvocab = nv
  return self
end

function Bigram:prob(word, prev)
  if not self.vocab[word] then word = "<UNK>" end
  if not self.vocab[prev] then prev = "<UNK>" end
  local c = (self.counts[prev] or {})[word] or 0
  local n = self.totals[prev] or 0
  if self.k == 0 then return n > 0 and c / n or 0 end
  return (c + self.k) / (n + self.k * self.nvocab)
end

function Bigram:perplexity(sents)
  sents = sentences(self, sents, "Bigram:perplexity")
  local sum, n, zeros = 0, 0, 0
  for _, s in ipairs(sents) do
    local t = padded(s)
    for i = 2, #t do
      local p = self:prob(t[i], t[i - 1])
      n = n + 1
      if p > 0 then sum = sum + math.log(p, 2) else zeros = zeros + 1 end
    end
  end
  if n == 0 then error("Bigram:perplexity: no bigrams to score", 2) end
  if zeros > 0 then
    return math.huge, { zero_events = zeros, events = n,
      note = string.format("perplexity is inf: %d of %d bigrams were never seen (k = 0); use k > 0", zeros, n) }
  end
  return 2 ^ (-sum / n), { cross_entropy = -sum / n, events = n, zero_events = 0 }
end

--- The count matrix over the `top` most frequent tokens (plus <s> and </s>):
-- {labels = {...}, counts = {{...}, ...}} with counts[i][j] = c(labels[i] labels[j]).
function Bigram:matrix(top)
  top = top or 20
  local words = {}
  for w, c in pairs(self.unigrams) do
    if w ~= "<s>" and w ~= "</s>" then words[#words + 1] = { w = w, c = c } end
  end
  table.sort(words, function(a, b) if a.c ~= b.c then return a.c > b.c end return a.w < b.w end)
  local labels = { "<s>" }
  for i = 1, math.min(top, #words) do labels[#labels + 1] = words[i].w end
  labels[#labels + 1] = "</s>"
  local counts = {}
  for i, a in ipairs(labels) do
    counts[i] = {}
    for j, b in ipairs(labels) do counts[i][j] = (self.counts[a] or {})[b] or 0 end
  end
  return { labels = labels, counts = counts }
end

--- Sample a sentence: opts = {n = 20, temperature = 1, seed = optional, start = "<s>"}.
function Bigram:generate(opts)
  opts = opts or {}
  if opts.seed then llm.seed(opts.seed) end
  local temp = opts.temperature or 1
  local out, prev = {}, opts.start or "<s>"
  for _ = 1, opts.n or 20 do
    local row = self.counts[prev]
    if not row then break end
    local cands, total = {}, 0
    for w, c in pairs(row) do cands[#cands + 1] = { w = w, p = c ^ (1 / temp) } end
    table.sort(cands, function(a, b) return a.w < b.w end) -- pairs order is not reproducible
    for _, c in ipairs(cands) do total = total + c.p end
    local u, acc, pick = llm.random() * total, 0, cands[#cands].w
    for _, c in ipairs(cands) do
      acc = acc + c.p
      if u < acc then pick = c.w; break end
    end
    if pick == "</s>" then break end
    out[#out + 1] = pick
    prev = pick
  end
  return out, table.concat(out, self.level == "char" and "" or " ")
end

return M
