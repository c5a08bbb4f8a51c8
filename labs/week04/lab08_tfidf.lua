-- Lab 8 (week 4): bag-of-words and TF-IDF on the State of the Union
-- addresses: the student's own TF-IDF (scikit-learn's formula) checked
-- against llm.features, top terms per speech, cosine search, and a map of
-- which speeches resemble which.
local check = require "llm.check"

local function speeches(n) return llm.corpora.sotu({ limit = n }) end

local function texts(list)
  local t = {}
  for i, s in ipairs(list) do t[i] = s.text end
  return t
end

-- Stop words: the stopwords-iso English list (default data set).
local function stop_list()
  local set = llm.normalize.stopwords("en")
  local l = {}
  for w in pairs(set) do l[#l + 1] = w end
  table.sort(l)
  return l
end

-- The engine's rows as tables term -> weight.
local function engine_rows(vec, X)
  local vocab = vec:vocabulary()
  local rows = {}
  for i = 1, (X:shape()) do
    local cols, vals = X:row(i)
    local r = {}
    for j, c in ipairs(cols) do r[vocab[c]] = vals[j] end
    rows[i] = r
  end
  return rows
end

local function max_diff(mine, ref)
  if type(mine) ~= "table" or rawlen(mine) ~= #ref then return math.huge end
  local worst = 0
  for i, r in ipairs(ref) do
    local m = rawget(mine, i)
    if type(m) ~= "table" then return math.huge end
    for t, v in pairs(r) do
      local x = rawget(m, t)
      if type(x) ~= "number" then return math.huge end
      worst = math.max(worst, math.abs(x - v))
    end
    for t in next, m do if r[t] == nil then return math.huge end end
  end
  return worst
end

return {
  id = "w04.lab08",
  week = 4,
  title = "Bag of words and TF-IDF: searching the State of the Union",
  objectives = {
    "Turn documents into bag-of-words count vectors and see what raw counts rank highest",
    "Compute TF-IDF exactly as scikit-learn does (smoothed idf, l2 norm) and match the engine",
    "Find the terms that characterise one document among many",
    "Search documents by cosine similarity and read a similarity heat map",
  },
  size = { small = { speeches = 30 }, full = { speeches = 233 } },
  time = 60,
  memory = 512,
  exercises = {
    { name = "tfidf", hints = {
      "First count, for each term, in how many documents it occurs (df); n is the number of documents.",
      "idf(t) = ln((1 + n) / (1 + df(t))) + 1. A document's raw weight for t is count(t in doc) * idf(t).",
      "Then divide each document's weights by the square root of the sum of their squares (skip an empty document).",
    } },
    { name = "cosine", hints = {
      "cosine(a, b) = dot(a, b) / (|a| * |b|), with the vectors as tables term -> weight.",
      "The dot product runs over the terms of `a` that are also in `b`; |a| = sqrt(sum of a's squared weights). Return 0 when either norm is 0.",
    } },
  },
  steps = {
    {
      title = "Documents as vectors",
      text = [[
# Bag of words
A **bag of words** forgets order: a document becomes a vector with one
entry per vocabulary term, holding how often the term occurs. Raw counts
favour words that are common everywhere (*the*, *of*), so **TF-IDF**
multiplies each count by the term's inverse document frequency:

```
idf(t) = ln((1 + n) / (1 + df(t))) + 1      (scikit-learn, smooth_idf)
```

and scales each document vector to length 1. Our corpus: State of the
Union addresses from 1790 to 2021, a sample spread over the years.
]],
    },
    {
      title = "Counts first",
      text = [[
`llm.features.CountVectorizer` has scikit-learn's options and defaults
(lower-casing, tokens of two or more word characters). The summed counts
show why raw frequency does not describe a document.
]],
      run = function(ctx)
        local list = speeches(ctx.params.speeches)
        local cv = llm.features.CountVectorizer()
        local X = cv:fit_transform(texts(list))
        local n, v = X:shape()
        print(string.format("%d speeches (%d-%d), %d terms, %d non-zero counts (%.1f%%)",
          n, list[1].year, list[#list].year, v, X:nnz(), 100 * X:nnz() / (n * v)))
        local total = {}
        local rows, cols, vals = X:triplets()
        for k = 1, #rows do total[cols[k]] = (total[cols[k]] or 0) + vals[k] end
        local vocab = cv:vocabulary()
        local order = {}
        for c in pairs(total) do order[#order + 1] = c end
        table.sort(order, function(a, b) return total[a] > total[b] end)
        local top = {}
        for i = 1, 10 do top[i] = vocab[order[i]] .. " " .. total[order[i]] end
        print("most frequent: " .. table.concat(top, ", "))
        return { terms = v, top = vocab[order[1]] }
      end,
      check = function(ctx)
        if ctx.result.top == "the" then return check.result(1, 1, "'the' leads, as expected of raw counts") end
        return check.result(0, 1, "the most frequent term is " .. tostring(ctx.result.top))
      end,
    },
    {
      title = "Your TF-IDF",
      exercise = "tfidf",
      points = 4,
      text = [[
Write `tfidf(docs)`: `docs` is a list of documents, each a list of tokens.
Return a list of the same length; entry i is a table term -> weight for
document i, with the **raw count** as tf, the smoothed idf above, and the
vector scaled to unit length (l2). Terms absent from a document are absent
from its table.
]],
      check = function(ctx)
        local idf_b = math.log(3 / 2) + 1
        local n = math.sqrt(1 + idf_b ^ 2)
        return check.cases(ctx.ex.tfidf, {
          { name = "two documents", args = { { { "a", "b" }, { "a" } } },
            expect = { { a = 1 / n, b = idf_b / n }, { a = 1 } }, check = function(got)
              local ok = type(got) == "table" and type(rawget(got, 1)) == "table" and type(rawget(got, 2)) == "table"
                and check.near(rawget(got[1], "a"), 1 / n, 1e-9) and check.near(rawget(got[1], "b"), idf_b / n, 1e-9)
                and check.near(rawget(got[2], "a"), 1, 1e-9)
              return ok, "expected {{a=" .. 1 / n .. ", b=" .. idf_b / n .. "}, {a=1}}, got " .. check.show(got)
            end },
          { name = "repeated term", args = { { { "x", "x" } } }, check = function(got)
              return type(got) == "table" and type(rawget(got, 1)) == "table" and check.near(rawget(got[1], "x"), 1, 1e-9),
                "one term repeated: its weight is 1 after l2, got " .. check.show(got)
            end },
          { name = "empty document", args = { { {}, { "y" } } }, check = function(got)
              return type(got) == "table" and type(rawget(got, 1)) == "table" and next(got[1]) == nil
                and type(rawget(got, 2)) == "table" and check.near(rawget(got[2], "y"), 1, 1e-9),
                "an empty document gives an empty table, got " .. check.show(got)
            end },
        }, { name = "tfidf" })
      end,
    },
    {
      title = "Same numbers as the engine",
      exercise = "tfidf",
      points = 3,
      heavy = true,
      text = [[
Your `tfidf` on the speeches (tokens from the vectorizer's own analyzer)
against `llm.features.TfidfVectorizer`, the engine's version of
scikit-learn's. The engine keeps its matrix in 32-bit floats, so the check
wants every weight within 1e-6.
]],
      run = function(ctx)
        local list = speeches(ctx.params.speeches)
        local tv = llm.features.TfidfVectorizer()
        local X = tv:fit_transform(texts(list))
        local docs = {}
        for i, s in ipairs(list) do docs[i] = tv:analyze(s.text) end
        local t0 = os.clock()
        local mine = ctx.ex.tfidf(docs)
        local secs = os.clock() - t0
        local d = max_diff(mine, engine_rows(tv, X))
        print(string.format("largest difference from the engine: %g (your tfidf took %.2f s)", d, secs))
        return { diff = d }
      end,
      check = function(ctx)
        local d = ctx.result.diff
        if d <= 1e-6 then return check.result(3, 3, "every weight agrees (within 1e-6)") end
        if d <= 1e-3 then return check.result(2, 3, "close, but off by " .. d) end
        if d < math.huge then return check.result(1, 3, "the same terms, but weights differ by up to " .. d) end
        return check.result(0, 3, "your tables do not have the engine's terms (or are missing)")
      end,
    },
    {
      title = "What each speech is about",
      text = [[
Sort one row of the TF-IDF matrix and the top entries are the words that
are frequent **in this speech** and rare in the others. Stop words (the
stopwords-iso English list) are removed first.
]],
      run = function(ctx)
        local list = speeches(ctx.params.speeches)
        local tv = llm.features.TfidfVectorizer { stop_words = stop_list(), min_df = 2 }
        local X = tv:fit_transform(texts(list))
        local vocab = tv:vocabulary()
        local step = math.max(1, #list // 6)
        local last_terms, last_vals, last_year
        for i = 1, #list, step do
          local cols, vals = X:topk(i, 6)
          local terms = {}
          for j, c in ipairs(cols) do terms[j] = vocab[c] end
          print(string.format("%d %-22s %s", list[i].year, list[i].name, table.concat(terms, ", ")))
          last_terms, last_vals, last_year = terms, vals, list[i].year
        end
        llm.plot.bar { title = "top TF-IDF terms, " .. last_year, labels = last_terms, values = last_vals }
        return { n = #last_terms }
      end,
      check = function(ctx)
        return check.result(ctx.result.n == 6 and 1 or 0, 1, "top terms listed")
      end,
    },
    {
      title = "Cosine similarity",
      exercise = "cosine",
      points = 3,
      text = [[
Write `cosine(a, b)` for two sparse vectors given as tables term -> weight:
the dot product over the lengths, 0 when either vector is empty.
]],
      check = function(ctx)
        return check.cases(ctx.ex.cosine, {
          { args = { { x = 1, y = 1 }, { x = 1 } }, expect = 1 / math.sqrt(2), tol = 1e-12 },
          { name = "same vector", args = { { a = 3, b = 4 }, { a = 3, b = 4 } }, expect = 1, tol = 1e-12 },
          { name = "no shared terms", args = { { a = 1 }, { b = 2 } }, expect = 0, tol = 1e-12 },
          { name = "empty vector", args = { {}, { b = 2 } }, expect = 0, tol = 1e-12 },
        }, { name = "cosine" })
      end,
    },
    {
      title = "Search the speeches",
      exercise = "cosine",
      points = 2,
      heavy = true,
      text = [[
A query is just a short document: vectorise it with the fitted vocabulary
and rank the speeches by cosine. The engine's `X:cosine_topk` does this
over the sparse matrix; your `cosine` must find the same best speech.
]],
      run = function(ctx)
        local list = speeches(ctx.params.speeches)
        local tv = llm.features.TfidfVectorizer { stop_words = stop_list() }
        local X = tv:fit_transform(texts(list))
        local rows = engine_rows(tv, X)
        local agree, total = 0, 0
        for _, q in ipairs({ "slavery emancipation rebellion", "depression unemployment relief banks",
                             "terrorism terrorists iraq", "indians treaty frontier" }) do
          local hits = llm.features.search(tv, X, { q }, 3)[1]
          local shown = {}
          for j, h in ipairs(hits) do shown[j] = string.format("%d (%.3f)", list[h.doc].year, h.score) end
          local qv = engine_rows(tv, tv:transform({ q }))[1]
          local best, best_s = nil, -1
          for i, r in ipairs(rows) do
            local s = ctx.ex.cosine(qv, r)
            if type(s) == "number" and s > best_s + 1e-12 then best, best_s = i, s end
          end
          total = total + 1
          if best == hits[1].doc then agree = agree + 1 end
          print(string.format("%-40s engine: %s; yours: %s", q, table.concat(shown, ", "),
            best and list[best].year or "none"))
        end
        return { agree = agree, total = total }
      end,
      check = function(ctx)
        local r = ctx.result
        return check.result(r.agree == r.total and 2 or (r.agree > 0 and 1 or 0), 2,
          string.format("%d of %d queries: same best speech as the engine", r.agree, r.total))
      end,
    },
    {
      title = "Which speeches resemble which",
      text = [[
Cosine similarity between every pair of speeches, in year order. Speeches
close in time share vocabulary (the bright band along the diagonal); the
language of 1800 and of 2000 have little in common.
]],
      run = function(ctx)
        local list = speeches(math.min(ctx.params.speeches, 24))
        local tv = llm.features.TfidfVectorizer { stop_words = stop_list() }
        local X = tv:fit_transform(texts(list))
        local n = #list
        local M, labels = {}, {}
        for i = 1, n do
          labels[i] = tostring(list[i].year)
          M[i] = {}
        end
        local idx, sims = X:cosine_topk(X, n)
        for i = 1, n do
          for j = 1, n do M[i][j] = 0 end
          for k, j in ipairs(idx[i]) do M[i][j] = sims[i][k] end
        end
        llm.plot.heatmap { title = "cosine similarity of speeches", matrix = M, xlabels = labels, ylabels = labels }
        local near, far = 0, 0
        for i = 1, n - 1 do near = near + M[i][i + 1] end
        for i = 1, n // 2 do far = far + M[i][n - i + 1] end
        near, far = near / (n - 1), far / (n // 2)
        print(string.format("mean similarity of neighbours in time %.3f, of speeches far apart %.3f", near, far))
        return { near = near, far = far }
      end,
      check = function(ctx)
        local r = ctx.result
        if r.near > r.far then return check.result(1, 1, "neighbours in time are more alike") end
        return check.result(0, 1, string.format("near %.3f vs far %.3f", r.near, r.far))
      end,
    },
  },
}
