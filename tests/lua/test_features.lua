-- llm.features: sparse matrices, CountVectorizer / TfidfVectorizer against
-- scikit-learn fixtures (tests/fixtures/sklearn_features.lua), cosine search,
-- and bad input.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect
local F = llm.features

local function fixture(name)
  return dofile(llm.home .. "/tests/fixtures/" .. name)
end

describe("sparse matrices", function()
  it("builds from triplets, sums duplicates, drops zeros", function()
    local m = F.sparse(2, 3, { 1, 2, 1, 2, 2 }, { 3, 1, 3, 2, 2 }, { 1.5, 2, 0.5, 1, -1 })
    expect({ m:shape() }).to_equal({ 2, 3 })
    expect(m:nnz()).to_be(2)
    local r, c, v = m:triplets()
    expect(r).to_equal({ 1, 2 })
    expect(c).to_equal({ 3, 1 })
    expect(v).to_equal({ 2, 2 })
    expect(m:to_dense()).to_equal({ { 0, 0, 2 }, { 2, 0, 0 } })
  end)

  it("round-trips dense, slices rows, multiplies, norms and top-k", function()
    local d = { { 1, 0, 2 }, { 0, 0, 0 }, { 3, 4, 0 } }
    local m = F.from_dense(d)
    expect(m:to_dense()).to_equal(d)
    expect(m:slice(2, 3):to_dense()).to_equal({ { 0, 0, 0 }, { 3, 4, 0 } })
    expect(m:matmul({ { 1, 2 }, { 3, 4 }, { 5, 6 } })).to_equal({ { 11, 14 }, { 0, 0 }, { 15, 22 } })
    expect(m:norms(2)).to_be_near({ math.sqrt(5), 0, 5 }, 1e-6)
    expect(m:norms(1)).to_be_near({ 3, 0, 7 }, 1e-6)
    expect(m:normalize(2):to_dense()[3]).to_be_near({ 0.6, 0.8, 0 }, 1e-6)
    local cols, vals = m:topk(3, 1)
    expect(cols).to_equal({ 2 })
    expect(vals).to_equal({ 4 })
    expect(m:get(3, 2)).to_be(4)
    local t = m:transpose()
    expect({ t:shape() }).to_equal({ 3, 3 })
    expect(t:to_dense()).to_equal({ { 1, 0, 3 }, { 0, 0, 4 }, { 2, 0, 0 } })
    expect(m:sum(1)).to_equal({ 4, 4, 2 })
    expect(m:sum(2)).to_equal({ 3, 0, 7 })
    -- X^T B through the transpose
    expect(t:matmul({ { 1 }, { 1 }, { 1 } })).to_equal({ { 4 }, { 4 }, { 2 } })
  end)

  it("rejects bad shapes and indices", function()
    expect(function() F.sparse(2, 2, { 3 }, { 1 }, { 1 }) end).to_error("outside the 2 x 2 shape")
    expect(function() F.sparse(2, 2, { 1, 2 }, { 1 }, { 1 }) end).to_error("same length")
    expect(function() F.from_dense({ { 1, 2 }, { 3 } }) end).to_error("row 2 does not have 2 numbers")
    local m = F.from_dense({ { 1, 0 } })
    expect(function() m:matmul({ { 1 } }) end).to_error("has 1 rows, need 2")
    expect(function() m:row(5) end).to_error("row 5 is outside 1..1")
  end)

  it("finds the nearest rows by cosine, ties by lower row", function()
    local m = F.from_dense({ { 1, 0, 0 }, { 1, 1, 0 }, { 0, 0, 1 }, { 2, 0, 0 } })
    local q = F.from_dense({ { 1, 0, 0 }, { 0, 0, 0 } })
    local idx, sims = m:cosine_topk(q, 3)
    expect(idx[1]).to_equal({ 1, 4, 2 })
    expect(sims[1]).to_be_near({ 1, 1, 1 / math.sqrt(2) }, 1e-6)
    expect(idx[2]).to_equal({ 1, 2, 3 }) -- a zero query: every similarity is 0
    expect(sims[2]).to_equal({ 0, 0, 0 })
  end)
end)

-- The Python callables of the fixture script, in Lua.
local callables = {
  ["@split"] = function(s) local t = {}; for w in s:gmatch("%S+") do t[#t + 1] = w end; return t end,
  ["@the_upper"] = function(s) return (s:gsub("the", "THE")) end,
}

-- Compare one fixture case: same vocabulary, same shape, same triplets within 1e-6.
local function check_case(case, docs)
  local opts = {}
  for k, v in pairs(case.opts) do opts[k] = callables[v] or v end
  local vec = F[case.class](opts)
  local X = vec:fit_transform(docs)
  expect({ X:shape() }).to_equal(case.shape)
  expect(vec:vocabulary()).to_equal(case.vocabulary)
  local r, c, v = X:triplets()
  expect(r).to_equal(case.rows)
  expect(c).to_equal(case.cols)
  expect(v).to_be_near(case.vals, 1e-6)
  if case.idf then expect(vec:idf()).to_be_near(case.idf, 1e-9) end
end

describe("vectorizers match scikit-learn", function()
  local fx = fixture("sklearn_features.lua")
  for _, case in ipairs(fx.cases) do
    it(case.name, function() check_case(case, fx.docs) end)
  end

  it("every fixture holds with 1 and with 3 threads (documents analysed in parts, merged)", function()
    local saved = llm.threads()
    local ok, err = pcall(function()
      for _, n in ipairs({ 1, 3 }) do
        llm.threads(n)
        for _, case in ipairs(fx.cases) do check_case(case, fx.docs) end
      end
    end)
    llm.threads(saved)
    if not ok then error(err, 0) end
  end)

  it("hand-computed tf-idf for two documents", function()
    -- docs "a b" and "a a" with a one-letter pattern: df(a)=2, df(b)=1, n=2;
    -- idf(a) = ln(3/3)+1 = 1, idf(b) = ln(3/2)+1; doc 1 = (1, idf_b)/sqrt(1+idf_b^2)
    local vec = F.TfidfVectorizer{ token_pattern = "\\w" }
    local X = vec:fit_transform({ "a b", "a a" })
    local ib = math.log(1.5) + 1
    local n = math.sqrt(1 + ib * ib)
    expect(vec:vocabulary()).to_equal({ "a", "b" })
    expect(X:to_dense()).to_be_near({ { 1 / n, ib / n }, { 1, 0 } }, 1e-6)
  end)
end)

describe("vectorizer usage and bad input", function()
  it("transform maps new text onto the fitted vocabulary", function()
    local vec = F.CountVectorizer()
    vec:fit_transform({ "red green", "green blue" })
    local X = vec:transform({ "green green purple", "" })
    expect(X:to_dense()).to_equal({ { 0, 2, 0 }, { 0, 0, 0 } })
    expect(vec:index("green")).to_be(2)
    expect(vec:index("purple")).to_be(nil)
  end)

  it("search returns the closest documents", function()
    local docs = { "the cat sat on the mat", "dogs chase cats", "the mat was red", "stock prices fell" }
    local vec = F.TfidfVectorizer()
    local X = vec:fit_transform(docs)
    local hits = F.search(vec, X, { "red mat" }, 2)
    expect(hits[1][1].doc).to_be(3)
    expect(hits[1][2].doc).to_be(1)
    expect(hits[1][1].score > hits[1][2].score).to_be(true)
  end)

  it("stop words may be an array or a set", function()
    local a = F.CountVectorizer{ stop_words = { "the" } }
    a:fit_transform({ "the cat", "the dog" })
    local b = F.CountVectorizer{ stop_words = { the = true } }
    b:fit_transform({ "the cat", "the dog" })
    expect(a:vocabulary()).to_equal({ "cat", "dog" })
    expect(b:vocabulary()).to_equal({ "cat", "dog" })
    expect(function() F.CountVectorizer{ stop_words = "english" } end).to_error("not bundled")
  end)

  it("char_wb takes a word of 100,000 characters", function()
    -- padded " abc...j ": bigrams " a" and "j " once, "ab".."ij" 10000 times, "ja" 9999
    local vec = F.CountVectorizer{ analyzer = "char_wb", ngram_range = { 2, 2 } }
    local X = vec:fit_transform({ string.rep("abcdefghij", 10000) })
    expect(vec:vocabulary()).to_equal({ " a", "ab", "bc", "cd", "de", "ef", "fg", "gh", "hi", "ij", "j ", "ja" })
    expect(X:to_dense()).to_equal({ { 1, 10000, 10000, 10000, 10000, 10000, 10000, 10000, 10000, 10000, 1, 9999 } })
  end)

  it("a fixed vocabulary keeps its order", function()
    local vec = F.CountVectorizer{ vocabulary = { "zebra", "apple" } }
    local X = vec:fit_transform({ "apple zebra apple" })
    expect(X:to_dense()).to_equal({ { 1, 2 } })
    expect(function() F.CountVectorizer{ vocabulary = { "a", "a" } } end).to_error("twice")
    expect(function() F.CountVectorizer{ vocabulary = { "b", "a", "c", "a" } } end)
      .to_error('vectorizer: the vocabulary has "a" twice')
    -- terms that no document holds still get their column; words outside the vocabulary none
    local fixed = F.CountVectorizer{ vocabulary = { "zebra", "apple", "mango" }, ngram_range = { 1, 2 } }
    expect(fixed:fit_transform({ "apple zebra apple", "pear", "mango mango" }):to_dense())
      .to_equal({ { 1, 2, 0 }, { 0, 0, 0 }, { 0, 0, 2 } })
    expect(fixed:vocabulary()).to_equal({ "zebra", "apple", "mango" })
  end)

  it("reports empty vocabularies, bad options and bad documents", function()
    expect(function() F.CountVectorizer():fit_transform({ "", "a" }) end).to_error("empty vocabulary")
    expect(function() F.CountVectorizer{ stop_words = { "only", "stop" } }:fit_transform({ "only stop" }) end)
      .to_error("empty vocabulary")
    expect(function() F.CountVectorizer():fit_transform({}) end).to_error("no documents")
    expect(function() F.CountVectorizer{ min_df = 2 }:fit_transform({ "aa bb", "cc" }) end).to_error("no terms remain")
    expect(function() F.CountVectorizer{ min_df = 2, max_df = 1 }:fit_transform({ "aa", "aa" }) end)
      .to_error("max_df corresponds to < documents than min_df")
    expect(function() F.CountVectorizer{ ngram_range = { 2, 1 } } end).to_error("invalid ngram_range")
    expect(function() F.CountVectorizer{ min_df = 1.5 } end).to_error("proportion")
    expect(function() F.CountVectorizer{ colour = "red" } end).to_error("unknown option \"colour\"")
    expect(function() F.CountVectorizer{ token_pattern = "(" } end).to_error("does not compile")
    expect(function() F.CountVectorizer{ token_pattern = "(a)(b)" } end).to_error("capture groups")
    expect(function() F.TfidfVectorizer{ norm = "l3" } end).to_error("norm must be")
    expect(function() F.CountVectorizer():fit_transform({ "ok", 42 }) end).to_error("document 2 is a number")
    expect(function() F.CountVectorizer():fit_transform({ "ok doc", "bad \xff byte" }) end)
      .to_error("document 2 is not valid UTF-8")
    expect(function() F.CountVectorizer():transform({ "x" }) end).to_error("before fit")
  end)
end)
