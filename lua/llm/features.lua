-- llm.features: bag-of-words and TF-IDF with scikit-learn's option names,
-- defaults and values, over CSR sparse matrices from the C engine.
--
--   local F = llm.features
--   local tf = F.TfidfVectorizer{ngram_range = {1, 2}, min_df = 2, sublinear_tf = true}
--   local X = tf:fit_transform(docs)          -- docs: array of strings
--   print(X:shape())                          -- documents, terms
--   local rows, cols, vals = X:triplets()     -- 1-based
--   local terms = tf:vocabulary()             -- column order (sorted as sklearn)
--   local idx, sims = X:cosine_topk(tf:transform{"in the beginning"}, 5)
--
-- fit_transform runs on llm.threads() threads (the "word" analyzer); the
-- result does not depend on how many.
--
-- min_df / max_df follow scikit-learn: an integer (2) is a document count,
-- a float (0.5, 1.0) a proportion of the documents. analyzer, preprocessor
-- and tokenizer may be Lua functions, as the Python callables.
local llm = require "llm"
local C = llm._features

local M = {}

-- Options each class accepts, with scikit-learn's defaults (for docs and checks).
local common = {
  lowercase = true, token_pattern = "(?u)\\b\\w\\w+\\b", analyzer = "word", tokenizer = false, preprocessor = false,
  ngram_range = { 1, 1 }, stop_words = false, min_df = 1, max_df = 1.0,
  max_features = false, binary = false, vocabulary = false,
}
local tfidf_only = { norm = "l2", use_idf = true, smooth_idf = true, sublinear_tf = false }

local function check_opts(opts, tfidf, cls)
  opts = opts or {}
  if type(opts) ~= "table" then error(cls .. ": options must be a table", 3) end
  local clean = {}
  for k, v in pairs(opts) do
    if common[k] == nil and not (tfidf and tfidf_only[k] ~= nil) then
      error(string.format("%s: unknown option %q", cls, tostring(k)), 3)
    end
    clean[k] = v
  end
  if clean.stop_words == "english" then
    error(cls .. ": stop_words=\"english\" (scikit-learn's list) is not bundled; pass an array or a set of "
      .. "words, e.g. llm.normalize.stopwords(\"en\")", 3)
  end
  if type(clean.stop_words) == "table" and #clean.stop_words == 0 and next(clean.stop_words) ~= nil then
    local list = {} -- a set (word -> true), as llm.normalize.stopwords returns
    for w, on in pairs(clean.stop_words) do
      if on then list[#list + 1] = w end
    end
    table.sort(list)
    clean.stop_words = list
  end
  if clean.stop_words ~= nil and clean.stop_words ~= false and type(clean.stop_words) ~= "table" then
    error(cls .. ": stop_words must be an array of words", 3)
  end
  if clean.stop_words == false then clean.stop_words = nil end
  if clean.max_features == false then clean.max_features = nil end
  if clean.vocabulary == false then clean.vocabulary = nil end
  if clean.norm == false then clean.norm = "none" end
  for _, k in ipairs({ "tokenizer", "preprocessor" }) do
    if clean[k] == false then clean[k] = nil end
    if clean[k] ~= nil and type(clean[k]) ~= "function" then error(cls .. ": " .. k .. " must be a function", 3) end
  end
  if clean.analyzer ~= nil and type(clean.analyzer) ~= "string" and type(clean.analyzer) ~= "function" then
    error(cls .. ": analyzer must be \"word\", \"char\", \"char_wb\" or a function", 3)
  end
  return clean
end

-- Callables (scikit-learn's analyzer / preprocessor / tokenizer functions)
-- run here in Lua; their terms reach the engine joined by a separator
-- byte (U+001F) that a fixed pattern splits again.
local SEP = "\31"
local function joined(terms, what)
  if type(terms) ~= "table" then error(what .. " must return an array of strings", 4) end
  for i, t in ipairs(terms) do
    if type(t) ~= "string" then error(what .. ": term " .. i .. " is not a string", 4) end
    if t:find(SEP, 1, true) then error(what .. ": term " .. i .. " holds the byte 0x1f", 4) end
  end
  return table.concat(terms, SEP)
end

local function engine_opts(o)
  local e = {}
  for k, v in pairs(o) do e[k] = v end
  e.tokenizer, e.preprocessor = nil, nil
  if type(o.analyzer) == "function" then
    e.analyzer, e.token_pattern, e.lowercase, e.ngram_range, e.stop_words = "word", "[^\31]+", false, nil, nil
  elseif o.tokenizer then
    e.token_pattern, e.lowercase = "[^\31]+", false
  elseif o.preprocessor then
    e.lowercase = false
  end
  return e
end

-- The documents as the engine should see them (identity without callables).
local function prepare(o, docs)
  if type(o.analyzer) ~= "function" and not o.tokenizer and not o.preprocessor then return docs end
  if type(docs) ~= "table" then return docs end
  local out = {}
  for i, d in ipairs(docs) do
    if type(d) ~= "string" then error(string.format("document %d is a %s, not a string", i, type(d)), 3) end
    if type(o.analyzer) == "function" then
      out[i] = joined(o.analyzer(d), "analyzer")
    else
      if o.preprocessor then d = o.preprocessor(d)
      elseif o.lowercase ~= false then d = C.lower(d) end
      if type(d) ~= "string" then error("preprocessor must return a string", 3) end
      out[i] = o.tokenizer and joined(o.tokenizer(d), "tokenizer") or d
    end
  end
  return out
end

local Vectorizer = {}
Vectorizer.__index = Vectorizer

local function new(cls, opts, tfidf)
  local o = check_opts(opts, tfidf, cls)
  local self = setmetatable({ _v = C.vectorizer(engine_opts(o), tfidf), options = o, kind = cls }, Vectorizer)
  return self
end

--- Learn the vocabulary (and idf) and return the document-term matrix.
function Vectorizer:fit_transform(docs) return self._v:fit_transform(prepare(self.options, docs)) end
--- Learn only; returns self.
function Vectorizer:fit(docs) self._v:fit_transform(prepare(self.options, docs)); return self end
--- The matrix of new documents over the fitted vocabulary.
function Vectorizer:transform(docs) return self._v:transform(prepare(self.options, docs)) end
--- Terms in column order.
function Vectorizer:vocabulary() return self._v:vocabulary() end
--- Column (1-based) of a term, or nil.
function Vectorizer:index(term) return self._v:index(term) end
--- idf weight of each column (TF-IDF).
function Vectorizer:idf() return self._v:idf() end
--- The terms the analyzer makes of one document (sklearn's build_analyzer()).
function Vectorizer:analyze(doc) return self._v:analyze(prepare(self.options, { doc })[1]) end
Vectorizer.get_feature_names_out = Vectorizer.vocabulary

function M.CountVectorizer(opts) return new("CountVectorizer", opts, false) end
function M.TfidfVectorizer(opts) return new("TfidfVectorizer", opts, true) end

--- Sparse matrix from 1-based triplets (duplicates summed).
function M.sparse(nrows, ncols, rows, cols, vals) return C.from_triplets(nrows, ncols, rows, cols, vals) end
--- Sparse matrix from a dense Lua matrix (table of rows).
function M.from_dense(t) return C.from_dense(t) end

--- Top-k documents most similar (cosine) to each query document.
-- vec: a fitted vectorizer, X: its matrix, queries: array of strings.
-- Returns, per query, an array of {doc = i, score = s} best first.
function M.search(vec, X, queries, k)
  local Q = vec:transform(queries)
  local idx, sims = X:cosine_topk(Q, k or 5)
  local out = {}
  for q = 1, #idx do
    local hits = {}
    for j = 1, #idx[q] do hits[j] = { doc = idx[q][j], score = sims[q][j] } end
    out[q] = hits
  end
  return out
end

M.defaults = { common = common, tfidf = tfidf_only }
return M
