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
-- min_df / max_df follow scikit-learn: an integer (2) is a document count,
-- a float (0.5, 1.0) a proportion of the documents.
local llm = require "llm"
local C = llm._features

local M = {}

-- Options each class accepts, with scikit-learn's defaults (for docs and checks).
local common = {
  lowercase = true, token_pattern = "(?u)\\b\\w\\w+\\b", analyzer = "word",
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
    error(cls .. ": stop_words=\"english\" is not bundled (third-party list); pass an array of words", 3)
  end
  if clean.stop_words ~= nil and clean.stop_words ~= false and type(clean.stop_words) ~= "table" then
    error(cls .. ": stop_words must be an array of words", 3)
  end
  if clean.stop_words == false then clean.stop_words = nil end
  if clean.max_features == false then clean.max_features = nil end
  if clean.vocabulary == false then clean.vocabulary = nil end
  if clean.norm == false then clean.norm = "none" end
  return clean
end

local Vectorizer = {}
Vectorizer.__index = Vectorizer

local function new(cls, opts, tfidf)
  local o = check_opts(opts, tfidf, cls)
  local self = setmetatable({ _v = C.vectorizer(o, tfidf), options = o, kind = cls }, Vectorizer)
  return self
end

--- Learn the vocabulary (and idf) and return the document-term matrix.
function Vectorizer:fit_transform(docs) return self._v:fit_transform(docs) end
--- Learn only; returns self.
function Vectorizer:fit(docs) self._v:fit_transform(docs); return self end
--- The matrix of new documents over the fitted vocabulary.
function Vectorizer:transform(docs) return self._v:transform(docs) end
--- Terms in column order.
function Vectorizer:vocabulary() return self._v:vocabulary() end
--- Column (1-based) of a term, or nil.
function Vectorizer:index(term) return self._v:index(term) end
--- idf weight of each column (TF-IDF).
function Vectorizer:idf() return self._v:idf() end
--- The terms the analyzer makes of one document (sklearn's build_analyzer()).
function Vectorizer:analyze(doc) return self._v:analyze(doc) end
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
