-- llm.embed: static word embeddings for week 5 (word2vec, fastText-style
-- subwords, GloVe), loading and saving vectors in word2vec/fastText formats,
-- and the tools a lab uses to look at them: similarity, nearest neighbours,
-- analogies, evaluation on similarity and analogy sets, PCA to 2-D.
--
--   local vecs = llm.embed.word2vec(text, {dim = 50, epochs = 5})   -- skip-gram
--   vecs:nearest("king", 5)          --> { {word = "queen", sim = 0.71}, ... }
--   vecs:analogy("man", "king", "woman")  --> "queen" (best), list
--   vecs:save("kjv.vec")  ;  llm.embed.load("kjv.vec")
local C = require("llm.core").embed_c

local embed = {}

local Vectors = {}
Vectors.__index = Vectors
Vectors.__name = "llm.embed.Vectors"

local function wrap(model, kind)
  return setmetatable({ model = model, kind = kind }, Vectors)
end

function Vectors:__tostring()
  return string.format("Vectors(%s, %d words, dim %d)", self.kind, self:size(), self:dim())
end

function Vectors:size() return self.model:size() end
function Vectors:dim() return self.model:dim() end
function Vectors:has(word) return self.model:index(word) ~= nil end
function Vectors:vector(word) return self.model:vector(word) end

-- The vocabulary in frequency order (the n most frequent when n is given).
function Vectors:words(n)
  n = math.min(n or self:size(), self:size())
  local out = {}
  for i = 1, n do out[i] = self.model:word(i) end
  return out
end

local function cosine(a, b)
  local dot, na, nb = 0, 0, 0
  for i = 1, #a do
    dot = dot + a[i] * b[i]
    na = na + a[i] * a[i]
    nb = nb + b[i] * b[i]
  end
  if na == 0 or nb == 0 then return 0 end
  return dot / math.sqrt(na * nb)
end
embed.cosine = cosine

function Vectors:similarity(a, b)
  return cosine(self.model:vector(a), self.model:vector(b))
end

-- Nearest words to a word or a vector, excluding the word itself.
function Vectors:nearest(query, k)
  local exclude = type(query) == "string" and { query } or nil
  local words, sims = self.model:nearest(query, k or 10, exclude)
  local out = {}
  for i = 1, #words do out[i] = { word = words[i], sim = sims[i] } end
  return out
end

-- a : b :: c : ?   ("man", "king", "woman" -> "queen"). opts.method "add" or "mul".
function Vectors:analogy(a, b, c, opts)
  opts = opts or {}
  local words, scores = self.model:analogy(a, b, c, opts.k or 1, opts.method == "mul")
  local out = {}
  for i = 1, #words do out[i] = { word = words[i], score = scores[i] } end
  return words[1], out
end

-- An nn.Embedding whose rows are these vectors, for the words given (all
-- words by default): the course's "fine-tuning word embeddings". Row i-1
-- (ids are 0-based) holds words[i]; words without a vector (and no
-- subwords to build one) start from N(0, opts.unknown_std or 0.1).
-- opts.freeze = true keeps the rows fixed during training.
-- Returns the module and a table word -> id.
function Vectors:to_embedding(words, opts)
  opts = opts or {}
  local nn = require "llm.nn"
  words = words or self:words()
  if #words == 0 then error("to_embedding: no words given", 2) end
  local rows, index, std = {}, {}, opts.unknown_std or 0.1
  for i, w in ipairs(words) do
    if index[w] then error("to_embedding: the word '" .. tostring(w) .. "' is listed twice", 2) end
    index[w] = i - 1
    local ok, v = pcall(self.model.vector, self.model, w)
    if not ok then
      v = {}
      for k = 1, self:dim() do v[k] = std * llm.randn_scalar() end
    end
    rows[i] = v
  end
  local emb = nn.Embedding(#words, self:dim())
  llm.no_grad(function() emb.weight:copy_(llm.tensor(rows)) end)
  if opts.freeze then emb.weight:requires_grad(false) end
  return emb, index
end

function Vectors:save(path, opts)
  self.model:save(path, opts and opts.binary or false)
end

-- Training ------------------------------------------------------------------

local function train(text, opts, defaults, kind)
  if type(text) ~= "string" then error("embed: the corpus must be a string (one sentence per line)", 3) end
  local o = {}
  for k, v in pairs(defaults) do o[k] = v end
  for k, v in pairs(opts or {}) do o[k] = v end
  return wrap(C.train(text, o), kind)
end

-- Skip-gram (default) or CBOW (opts.cbow = true), negative sampling and/or
-- hierarchical softmax (opts.hs = true, negative = 0).
function embed.word2vec(text, opts)
  return train(text, opts, {}, opts and opts.cbow and "cbow" or "skip-gram")
end

-- Skip-gram with character n-grams (minn..maxn), so unseen words get vectors.
function embed.fasttext(text, opts)
  return train(text, opts, { subwords = true }, "fasttext")
end

function embed.glove(text, opts)
  return train(text, opts, { glove = true }, "glove")
end

-- Vectors from a file: word2vec text (also fastText .vec) or binary format.
function embed.load(path, opts)
  return wrap(C.load(path, opts and opts.binary or false), "loaded")
end

-- Evaluation ----------------------------------------------------------------

local function ranks(values)
  local idx = {}
  for i = 1, #values do idx[i] = i end
  table.sort(idx, function(a, b) return values[a] < values[b] end)
  local r, i = {}, 1
  while i <= #idx do -- ties share the mean rank
    local j = i
    while j < #idx and values[idx[j + 1]] == values[idx[i]] do j = j + 1 end
    for k = i, j do r[idx[k]] = (i + j) / 2 end
    i = j + 1
  end
  return r
end

function embed.spearman(x, y)
  assert(#x == #y and #x > 1, "spearman: need two lists of the same length (> 1)")
  local rx, ry = ranks(x), ranks(y)
  local n, mx, my = #x, 0, 0
  for i = 1, n do mx = mx + rx[i]; my = my + ry[i] end
  mx, my = mx / n, my / n
  local sxy, sxx, syy = 0, 0, 0
  for i = 1, n do
    sxy = sxy + (rx[i] - mx) * (ry[i] - my)
    sxx = sxx + (rx[i] - mx) ^ 2
    syy = syy + (ry[i] - my) ^ 2
  end
  return sxy / math.sqrt(sxx * syy)
end

-- pairs: { {"w1", "w2", score}, ... }. Returns Spearman's rho over the pairs
-- whose words are both known, and how many were used / skipped.
function Vectors:evaluate_similarity(pairs)
  local human, model, skipped = {}, {}, 0
  for _, p in ipairs(pairs) do
    if self:has(p[1]) and self:has(p[2]) then
      human[#human + 1] = p[3]
      model[#model + 1] = self:similarity(p[1], p[2])
    else
      skipped = skipped + 1
    end
  end
  if #human < 2 then return nil, 0, skipped end
  return embed.spearman(human, model), #human, skipped
end

-- items: { {"a", "b", "c", "d"}, ... } meaning a : b :: c : d. Accuracy of the
-- top answer over items whose four words are known.
function Vectors:evaluate_analogies(items, method)
  local right, used, skipped = 0, 0, 0
  for _, q in ipairs(items) do
    if self:has(q[1]) and self:has(q[2]) and self:has(q[3]) and self:has(q[4]) then
      used = used + 1
      if self:analogy(q[1], q[2], q[3], { method = method }) == q[4] then right = right + 1 end
    else
      skipped = skipped + 1
    end
  end
  return used > 0 and right / used or nil, used, skipped
end

-- Evaluation sets (datasets/eval/, see tools/make-embed-eval.lua). Lines
-- starting with # are comments. Analogies: ": section" headers and
-- "a b c d" lines -> { {a, b, c, d, section = ...}, ... }. Similarity:
-- "w1 w2 score" lines -> { {w1, w2, score}, ... }. Errors name file:line.
local function read_lines(path)
  local f, err = io.open(path, "r")
  if not f then error("embed: cannot open " .. path .. ": " .. tostring(err), 3) end
  local lines = {}
  for line in f:lines() do lines[#lines + 1] = line end
  f:close()
  return lines
end

function embed.read_analogies(path)
  local items, section = {}, nil
  for i, line in ipairs(read_lines(path)) do
    if line:match("^%s*$") or line:match("^#") then
      -- skip
    elseif line:match("^:") then
      section = line:match("^:%s*(.-)%s*$")
    else
      local a, b, c, d = line:match("^%s*(%S+)%s+(%S+)%s+(%S+)%s+(%S+)%s*$")
      if not a then error(string.format("embed: %s:%d: expected four words 'a b c d'", path, i), 2) end
      items[#items + 1] = { a, b, c, d, section = section }
    end
  end
  return items
end

function embed.read_similarity(path)
  local pairs_ = {}
  for i, line in ipairs(read_lines(path)) do
    if not (line:match("^%s*$") or line:match("^#")) then
      local a, b, s = line:match("^%s*(%S+)%s+(%S+)%s+(%S+)%s*$")
      local score = tonumber(s)
      if not score then error(string.format("embed: %s:%d: expected 'word word score'", path, i), 2) end
      pairs_[#pairs_ + 1] = { a, b, score }
    end
  end
  return pairs_
end

-- PCA: project row vectors (a list of arrays) onto their top `dims`
-- principal components (power iteration with deflation on the covariance).
function embed.pca(rows, dims)
  dims = dims or 2
  local n, d = #rows, #rows[1]
  assert(n >= 2, "pca: need at least two vectors")
  local mean = {}
  for j = 1, d do
    local s = 0
    for i = 1, n do s = s + rows[i][j] end
    mean[j] = s / n
  end
  local X = {}
  for i = 1, n do
    local r = {}
    for j = 1, d do r[j] = rows[i][j] - mean[j] end
    X[i] = r
  end
  local cov = {}
  for a = 1, d do
    cov[a] = {}
    for b = 1, d do cov[a][b] = 0 end
  end
  for i = 1, n do
    local r = X[i]
    for a = 1, d do
      local ra, ca = r[a], cov[a]
      for b = a, d do ca[b] = ca[b] + ra * r[b] end
    end
  end
  for a = 1, d do for b = a, d do cov[b][a] = cov[a][b] end end
  local comps = {}
  for c = 1, dims do
    local v = {}
    for j = 1, d do v[j] = ((j * 7919 + c * 104729) % 1000) / 1000 - 0.5 end -- fixed start
    local lambda = 0
    for _ = 1, 200 do
      local w = {}
      for a = 1, d do
        local s, ca = 0, cov[a]
        for b = 1, d do s = s + ca[b] * v[b] end
        w[a] = s
      end
      local norm = 0
      for a = 1, d do norm = norm + w[a] * w[a] end
      norm = math.sqrt(norm)
      if norm == 0 then break end
      for a = 1, d do v[a] = w[a] / norm end
      lambda = norm
    end
    comps[c] = v
    for a = 1, d do -- deflate
      for b = 1, d do cov[a][b] = cov[a][b] - lambda * v[a] * v[b] end
    end
  end
  local out = {}
  for i = 1, n do
    local p = {}
    for c = 1, dims do
      local s = 0
      for j = 1, d do s = s + X[i][j] * comps[c][j] end
      p[c] = s
    end
    out[i] = p
  end
  return out, comps
end

-- Exact t-SNE to `opts.dims` (2) dimensions: rows is a list of arrays (at
-- most 5,000). opts.perplexity (30, at most (#rows - 1) / 3), opts.iterations (1000).
function embed.tsne(rows, opts)
  opts = opts or {}
  return C.tsne(rows, opts.dims or 2, opts.perplexity or math.min(30, (#rows - 1) / 3), opts.iterations or 1000)
end

embed.Vectors = Vectors
return embed
