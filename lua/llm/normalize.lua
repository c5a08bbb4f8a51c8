-- llm.normalize: text and word normalisation.
--
--   llm.normalize.lower("ÀB")                    --> "àb"
--   llm.normalize.casefold("Straße")             --> "strasse"  (full Unicode folding)
--   llm.normalize.stem("running")                --> "run"      (Snowball english = porter2)
--   llm.normalize.stem({"ponies", "caresses"}, "porter")
--   llm.normalize.lemmatize("went", "v")         --> "go"       (WordNet morphy)
--   llm.normalize.morphstr("axes", "n")          --> {"ax", "axis"} (libwordnet's morphstr)
--   llm.normalize.stopwords("en")                --> set from npm stopwords-iso (data folder)
--   llm.normalize.stopwords("project")           --> llmlab's own short English list
--   llm.normalize.remove_stopwords(tokens, set_or_list)
--   llm.normalize.remove_punctuation("a, b!")    --> "a b"
--   llm.normalize.standardize_punctuation("“Hi” — ok…") --> "\"Hi\" - ok..."
local llm = require "llm"
local C = llm._tokenize

local M = {}

M.lower = C.lowercase
M.lowercase = C.lowercase
M.casefold = C.casefold

-- Remove punctuation (Unicode P* categories); {space = true} puts a space
-- in its place so that words do not run together.
function M.remove_punctuation(s, opts)
  return C.remove_punctuation(s, opts and opts.space or false)
end
M.standardize_punctuation = C.standardize_punctuation

-- Drop tokens made only of punctuation (after Unicode categories).
function M.remove_punctuation_tokens(tokens)
  local out = {}
  for _, t in ipairs(tokens) do
    if C.remove_punctuation(t, false) ~= "" then out[#out + 1] = t end
  end
  return out
end

local stemmers = {}
-- A Snowball stemmer object: st:stem(word). Algorithms: M.stemmers().
function M.stemmer(algorithm)
  algorithm = algorithm or "english"
  local s = stemmers[algorithm]
  if not s then
    s = C.stemmer(algorithm)
    stemmers[algorithm] = s
  end
  return s
end
M.stemmers = C.stemmers

-- Stem a word or an array of words ("english" = porter2 by default).
function M.stem(w, algorithm)
  local st = M.stemmer(algorithm)
  if type(w) == "table" then
    local out = {}
    for i, x in ipairs(w) do out[i] = st:stem(x) end
    return out
  end
  return st:stem(w)
end

-- WordNet lemma of a word for a part of speech: "n" (default), "v", "a", "r":
-- morphy's exception lists and suffix rules, choosing as NLTK's
-- WordNetLemmatizer does (the shortest base form WordNet lists).
-- Words WordNet does not know come back lowercased and unchanged.
function M.lemmatize(w, pos)
  if type(w) == "table" then
    local out = {}
    for i, x in ipairs(w) do out[i] = C.lemmatize(x, pos or "n") end
    return out
  end
  return C.lemmatize(w, pos or "n")
end

-- Every base form libwordnet's own morphstr() finds (an array, maybe empty).
function M.morphstr(w, pos) return C.morphstr(w, pos or "n") end

local function set_of(list)
  local set = {}
  for _, w in ipairs(list) do set[w] = true end
  return set
end

local loaded = {}
-- A stop-word set (word -> true):
--   stopwords("en"), stopwords("fr"), ...: the npm package stopwords-iso in the
--     data folder (<data>/stopwords-iso/package/stopwords-iso.json);
--   stopwords("project"): the project's short English list (datasets/stopwords_en.txt);
--   stopwords({"a", "the"}): a set from the caller's list.
function M.stopwords(which)
  which = which or "en"
  if type(which) == "table" then return set_of(which) end
  if loaded[which] then return loaded[which] end
  local list = {}
  if which == "project" then
    local path = (llm.home or ".") .. "/datasets/stopwords_en.txt"
    local f, err = io.open(path, "r")
    if not f then error("normalize.stopwords: cannot read the project list: " .. tostring(err), 2) end
    for line in f:lines() do
      local w = line:match("^%s*([^#%s]+)")
      if w then list[#list + 1] = w end
    end
    f:close()
  else
    local path = llm.data.dir() .. "/stopwords-iso/package/stopwords-iso.json"
    local f = io.open(path, "r")
    if not f then
      error("normalize.stopwords: " .. path .. " is missing (run `llmlab data fetch stopwords-iso`, " ..
            "or use stopwords(\"project\") or your own list)", 2)
    end
    f:close()
    list = C.json_string_list(path, which)
  end
  loaded[which] = set_of(list)
  return loaded[which]
end

-- Tokens that are not stop words; words compare lowercased unless
-- {keep_case = true}.
function M.remove_stopwords(tokens, stop, opts)
  if stop == nil or type(stop) == "string" then stop = M.stopwords(stop) end
  if #stop > 0 then stop = set_of(stop) end
  local keep_case = opts and opts.keep_case
  local out = {}
  for _, t in ipairs(tokens) do
    local key = keep_case and t or C.lowercase(t)
    if not stop[key] then out[#out + 1] = t end
  end
  return out
end

return M
