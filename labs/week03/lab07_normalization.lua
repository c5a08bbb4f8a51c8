-- Lab 7 (week 3): normalisation compared. Lowercasing, stop-word removal,
-- Porter and Snowball stemming and WordNet lemmatisation, measured by how
-- much they shrink the vocabulary of Moby Dick and by how they change a
-- small retrieval task over King James verses.
local check = require "llm.check"
local N = llm.normalize

local function moby_tokens(chapters)
  local out = {}
  for _, c in ipairs(llm.corpora.moby_dick({ limit = chapters })) do
    for _, w in ipairs(llm.text.words(c.text)) do out[#out + 1] = w end
  end
  return out
end

-- Memoised normalisers: name -> function(word) -> normalised word or nil.
local function normalisers()
  local stop = N.stopwords("en")
  local function memo(f)
    local cache = {}
    return function(w)
      local v = cache[w]
      if v == nil then v = f(w) or false; cache[w] = v end
      return v or nil
    end
  end
  local porter, snowball = N.stemmer("porter"), N.stemmer("english")
  local lemma = memo(function(w)
    local l = N.lower(w)
    local n = N.lemmatize(l, "n")
    if n ~= l then return n end
    return N.lemmatize(l, "v")
  end)
  return {
    { "none", function(w) return w end },
    { "lowercase", memo(function(w) return N.lower(w) end) },
    { "lower+stopwords", memo(function(w) local l = N.lower(w); if stop[l] then return nil end; return l end) },
    { "porter", memo(function(w) return porter:stem(N.lower(w)) end) },
    { "snowball", memo(function(w) return snowball:stem(N.lower(w)) end) },
    { "lemma", lemma },
  }
end

-- Retrieval task: verses as documents; each query holds the dictionary
-- forms (WordNet lemmas) of three content words of one verse.
local function task(ndocs, nqueries)
  local all = llm.corpora.kjv()
  local step = #all // ndocs
  local docs = {}
  for i = 1, ndocs do docs[i] = llm.text.words(all[(i - 1) * step + 1].text) end
  local stop = N.stopwords("en")
  local queries = {}
  llm.seed(7)
  local tries = 0
  while #queries < nqueries and tries < 10 * nqueries do
    tries = tries + 1
    local target = llm.random(ndocs)
    local changed, q, seen = 0, {}, {}
    for _, w in ipairs(docs[target]) do
      local l = N.lower(w)
      if #l > 3 and not stop[l] and not seen[l] and #q < 3 then
        seen[l] = true
        local base = N.lemmatize(l, "n")
        if base == l then base = N.lemmatize(l, "v") end
        if base ~= l then changed = changed + 1 end
        q[#q + 1] = base
      end
    end
    if #q == 3 and changed >= 1 then queries[#queries + 1] = { terms = q, target = target } end
  end
  return docs, queries
end

local function apply(f, words)
  local out = {}
  for _, w in ipairs(words) do
    local v = f(w)
    if v and v ~= "" then out[#out + 1] = v end
  end
  return out
end

return {
  id = "w03.lab07",
  week = 3,
  title = "Normalisation compared: lowercasing, stemming, lemmatisation",
  objectives = {
    "Apply lowercasing, stop-word removal, Porter/Snowball stemming and WordNet lemmatisation",
    "Measure how each one shrinks a vocabulary",
    "Rank documents for a query and score the ranking by reciprocal rank",
    "Judge which normalisation helps retrieval, and what each one breaks",
  },
  size = { small = { chapters = 6, docs = 1500, queries = 40 }, full = { chapters = 135, docs = 5000, queries = 100 } },
  time = 90,
  memory = 256,
  exercises = {
    { name = "vocabulary_size", hints = {
      "Keep a set: for each token `local v = normalize(t)`; if v is a non-empty string, `set[v] = true`.",
      "Count the keys of the set at the end (`for _ in pairs(set) do n = n + 1 end`).",
    } },
    { name = "rank", hints = {
      "Turn the query into a set of distinct terms first.",
      "For each document, count how many distinct query terms occur in it (make a set of the document's terms, or mark terms as you see them).",
      "Collect {index, score} for scores > 0 and sort by score descending, then index ascending; return just the indices.",
    } },
    { name = "reciprocal_rank", hints = {
      "Find the position of `target` in `ranking`.",
      "Return 1 / position, or 0 when the target is not in the ranking.",
    } },
  },
  steps = {
    {
      title = "Many words, one meaning",
      text = [[
# Normalisation
*Whale*, *whales*, *Whale's* and *WHALE* are four vocabulary entries for
one idea. Normalisation maps them together:

- **lowercasing**: cheap, loses *Ahab* vs *ahab* (rarely matters) and
  *US* vs *us* (sometimes does);
- **stop-word removal**: drops frequent function words (stopwords-iso list);
- **stemming** (Porter 1980, Snowball "english" = Porter2): chops suffixes
  by rules, giving stems that need not be words (*studies* -> *studi*);
- **lemmatisation** (WordNet's morphy): maps to the dictionary form using
  exception lists and a part of speech (*went* -> *go* as a verb,
  *children* -> *child*), but only for words WordNet knows.
]],
      run = function()
        local ns = normalisers()
        local words = { "Running", "ran", "studies", "children", "begat", "whales", "spake", "happily", "Ishmael" }
        local head = { "word" }
        for _, n in ipairs(ns) do if n[1] ~= "none" and n[1] ~= "lower+stopwords" then head[#head + 1] = n[1] end end
        print(string.format("%-10s %-10s %-10s %-10s %-10s", table.unpack(head)))
        for _, w in ipairs(words) do
          local row = { w }
          for _, n in ipairs(ns) do
            if n[1] ~= "none" and n[1] ~= "lower+stopwords" then row[#row + 1] = n[2](w) or "-" end
          end
          print(string.format("%-10s %-10s %-10s %-10s %-10s", table.unpack(row)))
        end
        return { child = N.lemmatize("children", "n") }
      end,
      check = function(ctx)
        return check.result(ctx.result.child == "child" and 1 or 0, 1, "WordNet lemmatiser available")
      end,
    },
    {
      title = "Counting the vocabulary",
      exercise = "vocabulary_size",
      points = 2,
      text = [[
Write `vocabulary_size(tokens, normalize)`: how many distinct values
`normalize(token)` takes over the list `tokens`, ignoring tokens for which
it returns `nil` or `""` (that is how a stop-word filter drops a word).

```
vocabulary_size({"The", "the", "cat"}, string.lower) --> 2
```
]],
      check = function(ctx)
        return check.cases(ctx.ex.vocabulary_size, {
          { args = { { "The", "the", "cat" }, string.lower }, expect = 2 },
          { name = "identity", args = { { "a", "b", "a" }, function(w) return w end }, expect = 2 },
          { name = "dropping words", args = { { "a", "the", "b" }, function(w) if w ~= "the" then return w end end }, expect = 2 },
          { name = "empty results", args = { { "x", "y" }, function() return "" end }, expect = 0 },
        }, { name = "vocabulary_size" })
      end,
    },
    {
      title = "How much each one shrinks Moby Dick",
      exercise = "vocabulary_size",
      points = 1,
      heavy = true,
      text = [[
Your `vocabulary_size` over the book's tokens with each normaliser.
Stemmers merge the most (they also merge words that should stay apart:
*university*/*universe* -> *univers*); the lemmatiser is more careful.
]],
      run = function(ctx)
        local toks = moby_tokens(ctx.params.chapters)
        local labels, sizes = {}, {}
        for _, n in ipairs(normalisers()) do
          local v = ctx.ex.vocabulary_size(toks, n[2])
          labels[#labels + 1], sizes[#sizes + 1] = n[1], type(v) == "number" and v or 0
          print(string.format("%-16s %6s types", n[1], tostring(v)))
        end
        llm.plot.bar { title = string.format("vocabulary of %d tokens of Moby Dick", #toks), labels = labels, values = sizes }
        return { sizes = sizes }
      end,
      check = function(ctx)
        local s = ctx.result.sizes
        local ok = s[1] > s[2] and s[2] > s[4] and s[2] > s[6] and s[6] > s[4] and s[4] > 0
        return check.result(ok and 1 or 0, 1, "none > lowercase > lemma > porter: " .. check.show(s))
      end,
    },
    {
      title = "Ranking documents",
      exercise = "rank",
      points = 3,
      text = [[
A tiny search engine: the score of a document is how many **distinct**
query terms it contains. Write `rank(query, docs)`: `query` is a list of
terms, `docs` a list of documents (each a list of terms). Return the
indices of the documents with a score above 0, best first, ties by
smaller index.

```
rank({"whale", "white"}, {{"a", "whale"}, {"white", "whale"}, {"ship"}}) --> {2, 1}
```
]],
      check = function(ctx)
        return check.cases(ctx.ex.rank, {
          { args = { { "whale", "white" }, { { "a", "whale" }, { "white", "whale" }, { "ship" } } }, expect = { 2, 1 } },
          { name = "ties by index", args = { { "x" }, { { "x" }, { "y" }, { "x", "x" } } }, expect = { 1, 3 } },
          { name = "repeats count once", args = { { "a", "a", "b" }, { { "a", "a", "a" }, { "b", "a" } } }, expect = { 2, 1 } },
          { name = "nothing matches", args = { { "q" }, { { "a" } } }, expect = {} },
        }, { name = "rank" })
      end,
    },
    {
      title = "Reciprocal rank",
      exercise = "reciprocal_rank",
      points = 2,
      text = [[
When each query has one right answer, a ranking is scored by the
**reciprocal rank**: 1 if the answer is first, 1/2 if second, ... and 0 if
it is missing. Its mean over the queries is the MRR. Write
`reciprocal_rank(ranking, target)`.
]],
      check = function(ctx)
        return check.cases(ctx.ex.reciprocal_rank, {
          { args = { { 5, 3, 9 }, 3 }, expect = 0.5, tol = 1e-12 },
          { name = "first", args = { { 7 }, 7 }, expect = 1, tol = 1e-12 },
          { name = "missing", args = { { 1, 2 }, 3 }, expect = 0, tol = 1e-12 },
        }, { name = "reciprocal_rank" })
      end,
    },
    {
      title = "Retrieval with each normalisation",
      exercise = "rank",
      points = 2,
      heavy = true,
      text = [[
The task: verses of the King James Bible are the documents. Each query
is three content words of one verse written in their **dictionary form**
(as people type searches: *child* for *children*, *go* for *went*,
*beget* for *begat*). The query and the documents go through the same
normaliser; your `rank` and `reciprocal_rank` give the MRR. Without
normalisation the inflected verse words never match; stemming fixes the
regular forms, lemmatisation the irregular ones too. (The queries are
built with WordNet, so this task flatters the lemmatiser: a fair test
would use queries written by people.)
]],
      run = function(ctx)
        local docs, queries = task(ctx.params.docs, ctx.params.queries)
        local labels, mrrs = {}, {}
        for _, n in ipairs(normalisers()) do
          if n[1] ~= "lower+stopwords" then
            local nd = {}
            for i, d in ipairs(docs) do nd[i] = apply(n[2], d) end
            local sum = 0
            for _, q in ipairs(queries) do
              local ranking = ctx.ex.rank(apply(n[2], q.terms), nd)
              local rr = type(ranking) == "table" and ctx.ex.reciprocal_rank(ranking, q.target) or 0
              sum = sum + (type(rr) == "number" and rr or 0)
            end
            labels[#labels + 1], mrrs[#mrrs + 1] = n[1], sum / #queries
            print(string.format("%-10s MRR %.3f", n[1], sum / #queries))
          end
        end
        print(string.format("%d queries over %d verses, e.g. %s", #queries, #docs, table.concat(queries[1].terms, " ")))
        llm.plot.bar { title = "mean reciprocal rank by normalisation", labels = labels, values = mrrs }
        return { mrrs = mrrs }
      end,
      check = function(ctx)
        local m = ctx.result.mrrs
        -- none, lowercase, porter, snowball, lemma
        local ok = m[5] > m[2] and m[3] > m[2] and m[2] >= m[1] and m[5] > 0.3
        return check.result(ok and 2 or 0, 2, "MRR " .. check.show(m))
      end,
    },
  },
}
