-- llm.ngram: NLTK fixtures (tests/fixtures/nltk_ngram.lua), hand-computed
-- cases for every smoothing, save/load, ARPA round trips and bad input.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect
local ng = llm.ngram

local fx = dofile(llm.home .. "/tests/fixtures/nltk_ngram.lua")

local function split(lines)
  local out = {}
  for i, l in ipairs(lines) do
    out[i] = {}
    for w in l:gmatch("%S+") do out[i][#out[i] + 1] = w end
  end
  return out
end

local function rel_near(a, b, tol)
  if a == math.huge or b == math.huge then return a == b end
  return math.abs(a - b) <= tol * math.max(math.abs(b), 1e-300)
end

local ctor = {
  mle = "MLE", laplace = "Laplace", ["lidstone_0.5"] = "Lidstone", kneser_ney = "KneserNey",
  ["kneser_ney_d0.75"] = "KneserNey", stupid_backoff = "StupidBackoff", laplace_cutoff2 = "Laplace",
  mle_cutoff2 = "MLE", kneser_ney_cutoff2 = "KneserNey", char_kneser_ney = "KneserNey", char_laplace = "Laplace",
}

describe("n-gram models match NLTK's nltk.lm", function()
  local train, seen, oov = split(fx.train), split(fx.test_seen), split(fx.test_oov)
  for _, c in ipairs(fx.cases) do
    it(string.format("%s order %d", c.name, c.order), function()
      local opts = { order = c.order, unk_cutoff = c.unk_cutoff, level = c.level }
      for k, v in pairs(c.opts) do opts[k] = v end
      local m = ng[ctor[c.name]](opts)
      if c.level == "char" then
        m:fit(fx.char_train)
        local p, r = m:perplexity(fx.char_test)
        if not rel_near(p, c.ppl.chars, 1e-6) then T.fail(string.format("perplexity %.12g, NLTK %.12g", p, c.ppl.chars)) end
        expect(rel_near(r.cross_entropy, c.xent.chars, 1e-6)).to_be(true)
        return
      end
      m:fit(train)
      expect(m:info().vocab_size).to_be(c.vocab_size)
      for name, sents in pairs({ seen = seen, oov = oov }) do
        local p, r = m:perplexity(sents)
        if not rel_near(p, c.ppl[name], 1e-6) then
          T.fail(string.format("%s perplexity %.12g, NLTK %.12g", name, p, c.ppl[name]))
        end
        expect(rel_near(r.cross_entropy, c.xent[name], 1e-6)).to_be(true)
      end
      for _, pr in ipairs(c.probes) do
        local p = m:prob(pr.word, pr.context)
        if not rel_near(p, pr.p, 1e-9) and math.abs(p - pr.p) > 1e-15 then
          T.fail(string.format("P(%s | %s) = %.12g, NLTK %.12g", pr.word, table.concat(pr.context, " "), p, pr.p))
        end
      end
    end)
  end
end)

-- Training text for hand computation: "a b" and "a a" (order 2).
-- Padded: <s> a b </s> and <s> a a </s>.
-- unigrams: <s>=2 a=3 b=1 </s>=2 (N=8); bigrams: <s>a=2 ab=1 b</s>=1 aa=1 a</s>=1
local tiny = { { "a", "b" }, { "a", "a" } }

describe("hand-computed smoothing", function()
  it("MLE", function()
    local m = ng.MLE{ order = 2 }:fit(tiny)
    expect(m:prob("b", { "a" })).to_be_near(1 / 3, 1e-12)
    expect(m:prob("a")).to_be_near(3 / 8, 1e-12)
    expect(m:prob("b", { "b" })).to_be(0)
    expect(m:count({ "<s>", "a" })).to_be(2)
    -- perplexity of "a b": P(a|<s>) = 1, P(b|a) = 1/3, P(</s>|b) = 1
    expect(m:perplexity({ { "a", "b" } })).to_be_near((1 / 3) ^ (-1 / 3), 1e-12)
  end)

  it("MLE gives inf with a note for unseen n-grams", function()
    local m = ng.MLE{ order = 2 }:fit(tiny)
    local p, r = m:perplexity({ { "b", "a" } })
    expect(p).to_be(math.huge)
    expect(r.zero_events).to_be(2)
    expect(r.note).to_match("perplexity is inf: 2 of 3 2%-grams have probability 0")
    expect(m:logprob("b", { "b" })).to_be(-math.huge)
  end)

  it("Laplace and add-k", function()
    -- V = <s>, </s>, a, b, <UNK> = 5
    local m = ng.Laplace{ order = 2 }:fit(tiny)
    expect(m:prob("b", { "a" })).to_be_near((1 + 1) / (3 + 5), 1e-12)
    expect(m:prob("zzz", { "a" })).to_be_near(1 / 8, 1e-12)
    local k = ng.AddK{ order = 2, k = 0.5 }:fit(tiny)
    expect(k:prob("b", { "a" })).to_be_near(1.5 / (3 + 2.5), 1e-12)
  end)

  it("Kneser-Ney (NLTK's interpolated form)", function()
    -- continuation counts: a follows <s>, a -> cont(a) = 2; b follows a -> 1;
    -- </s> follows b, a -> 2; distinct bigrams = 5.
    -- P(b|a) = max(1-0.1,0)/3 + 0.1*3/3 * 1/5
    local m = ng.KneserNey{ order = 2, discount = 0.1 }:fit(tiny)
    expect(m:prob("b", { "a" })).to_be_near(0.9 / 3 + 0.1 * 1 / 5, 1e-12)
    expect(m:prob("a")).to_be_near(2 / 5, 1e-12)
    -- unseen context: falls back to the unigram continuation probability
    expect(m:prob("a", { "zzz" })).to_be_near(2 / 5, 1e-12)
  end)

  it("stupid backoff", function()
    local m = ng.StupidBackoff{ order = 2 }:fit(tiny)
    expect(m:prob("a", { "a" })).to_be_near(1 / 3, 1e-12)
    expect(m:prob("b", { "b" })).to_be_near(0.4 * 1 / 8, 1e-12)
  end)

  it("modified Kneser-Ney sums to one over the vocabulary", function()
    local m = ng.ModifiedKneserNey{ order = 3 }:fit(split(fx.train))
    for _, ctx in ipairs({ {}, { "the" }, { "on", "the" }, { "zebra", "crossing" }, { "<s>", "<s>" } }) do
      local s = 0
      for _, w in ipairs(m:vocab()) do s = s + m:prob(w, ctx) end
      expect(s).to_be_near(1, 1e-9)
    end
    local d = m:discounts(3)
    expect(#d).to_be(3)
    expect(d[1] > 0 and d[1] <= 1).to_be(true)
  end)

  it("interpolation: hand-computed weights, then EM on held-out text", function()
    local m = ng.Interpolated{ order = 2 }:fit(tiny)
    m:weights({ 0.5, 0.8 })
    -- P(b|a) = 0.8 * 1/3 + 0.2 * (0.5 * 1/8 + 0.5 * 1/5)
    expect(m:prob("b", { "a" })).to_be_near(0.8 / 3 + 0.2 * (0.5 / 8 + 0.5 / 5), 1e-12)
    local big = ng.Interpolated{ order = 3 }:fit(split(fx.train))
    local held = split(fx.test_oov)
    local before = big:cross_entropy(held)
    local after = big:tune(held)
    expect(after < before).to_be(true)
    expect(big:cross_entropy(held)).to_be_near(after, 1e-6)
    local s = 0
    for _, w in ipairs(big:vocab()) do s = s + big:prob(w, { "on", "the" }) end
    expect(s).to_be_near(1, 1e-9)
  end)

  it("unk cut-off maps rare words to <UNK>", function()
    local m = ng.MLE{ order = 1, unk_cutoff = 2 }:fit({ { "x", "x", "y" } })
    -- vocabulary: x (2), <UNK>; y counted as <UNK>
    expect(m:prob("y")).to_be_near(1 / 3, 1e-12)
    expect(m:prob("never")).to_be_near(1 / 3, 1e-12)
    expect(m:info().vocab_size).to_be(2)
  end)
end)

describe("bigram model", function()
  it("counts, matrix and perplexity agree with the engine's Laplace", function()
    local b = ng.Bigram{ k = 1 }:fit(split(fx.train))
    local l = ng.Laplace{ order = 2 }:fit(split(fx.train))
    local test = split(fx.test_oov)
    expect(b:perplexity(test)).to_be_near(l:perplexity(test), 1e-9)
    local mx = b:matrix(3)
    expect(mx.labels).to_equal({ "<s>", "the", "cat", "dog", "</s>" })
    expect(mx.counts[2][3]).to_be(l:count({ "the", "cat" }))
    local mle = ng.Bigram{}:fit(tiny)
    expect(mle:prob("b", "a")).to_be_near(1 / 3, 1e-12)
    local p, r = mle:perplexity({ { "b", "a" } })
    expect(p).to_be(math.huge)
    expect(r.note).to_match("never seen")
  end)

  it("generates reproducibly", function()
    local b = ng.Bigram{}:fit(split(fx.train))
    local a1 = b:generate{ seed = 3, n = 10 }
    local a2 = b:generate{ seed = 3, n = 10 }
    expect(a1).to_equal(a2)
    expect(#a1 > 0).to_be(true)
  end)
end)

describe("sampling", function()
  it("is seeded, respects top_k = 1 and temperature", function()
    local m = ng.KneserNey{ order = 3 }:fit(split(fx.train))
    local a = m:generate{ context = { "the" }, n = 15, seed = 7 }
    local b = m:generate{ context = { "the" }, n = 15, seed = 7 }
    expect(a).to_equal(b)
    -- top_k = 1 is greedy: the most probable next word each time
    local g = m:generate{ context = { "the" }, n = 1, top_k = 1 }
    local best, bp = nil, -1
    for _, w in ipairs(m:vocab()) do
      if w ~= "<s>" and w ~= "<UNK>" then
        local p = m:prob(w, { "<s>", "the" })
        if p > bp then best, bp = w, p end
      end
    end
    expect(g[1]).to_be(best)
    expect(function() m:generate{ temperature = 0 } end).to_error("temperature must be > 0")
  end)

  it("character models generate text", function()
    local m = ng.KneserNey{ order = 3, level = "char" }:fit(fx.char_train)
    local toks, text = m:generate{ n = 8, seed = 1 }
    expect(#text >= #toks).to_be(true)
  end)
end)

describe("files", function()
  local dir = os.getenv("HOME") or "/tmp"
  it("native save/load keeps every model exactly", function()
    local train, test = split(fx.train), split(fx.test_oov)
    for _, mk in ipairs({ "MLE", "Laplace", "KneserNey", "ModifiedKneserNey", "Interpolated", "StupidBackoff" }) do
      local m = ng[mk]{ order = 3 }:fit(train)
      local path = dir .. "/ngram_" .. mk .. ".ngram"
      m:save(path)
      local m2 = ng.load(path)
      local p1, p2 = m:perplexity(test), m2:perplexity(test)
      expect(p1 == p2 or math.abs(p1 - p2) <= 1e-12 * p1).to_be(true)
      os.remove(path)
    end
  end)

  it("ARPA round trip gives the same perplexity for interpolated models", function()
    local train, test = split(fx.train), split(fx.test_seen)
    for _, mk in ipairs({ "KneserNey", "ModifiedKneserNey", "Interpolated" }) do
      local m = ng[mk]{ order = 3 }:fit(train)
      local path = dir .. "/ngram_" .. mk .. ".arpa"
      m:save_arpa(path)
      local a = ng.load_arpa(path)
      expect(a:info().order).to_be(3)
      local p1, p2 = m:perplexity(test), a:perplexity(test)
      if math.abs(p1 - p2) > 1e-6 * p1 then T.fail(string.format("%s: %.10g vs ARPA %.10g", mk, p1, p2)) end
      expect(a:prob("cat", { "the" })).to_be_near(m:prob("cat", { "the" }), 1e-8)
      os.remove(path)
    end
  end)

  it("ARPA writes the unknown word as <unk> and reads it back", function()
    local m = ng.KneserNey{ order = 3, unk_cutoff = 2 }:fit(split(fx.train))
    local path = dir .. "/unk.arpa"
    m:save_arpa(path)
    local text = assert(io.open(path)):read("a")
    expect(text:find("\t<unk>", 1, true) ~= nil).to_be(true)
    local a = ng.load_arpa(path)
    expect(a:prob("zebra", { "on", "the" })).to_be_near(m:prob("zebra", { "on", "the" }), 1e-9)
    local test = split(fx.test_oov)
    expect(a:perplexity(test)).to_be_near(m:perplexity(test), 1e-6 * m:perplexity(test))
    os.remove(path)
  end)

  it("character models save with their spaces; ARPA refuses whitespace tokens", function()
    local m = ng.KneserNey{ order = 3, level = "char" }:fit(fx.char_train)
    local path = dir .. "/chars.ngram"
    m:save(path)
    local m2 = ng.load(path, { level = "char" })
    expect(m2:perplexity(fx.char_test)).to_be(m:perplexity(fx.char_test))
    expect(m2:prob(" ", { "e" })).to_be(m:prob(" ", { "e" }))
    expect(function() m:save_arpa(dir .. "/chars.arpa") end).to_error("holds whitespace")
    os.remove(path)
  end)

  it("ARPA of an add-k model keeps seen n-grams exact and stays normalised", function()
    local m = ng.Laplace{ order = 2 }:fit(split(fx.train))
    local path = dir .. "/laplace.arpa"
    m:save_arpa(path)
    local a = ng.load_arpa(path)
    expect(a:prob("cat", { "the" })).to_be_near(m:prob("cat", { "the" }), 1e-9)
    local s = 0
    for _, w in ipairs(a:vocab()) do s = s + a:prob(w, { "the" }) end
    expect(s).to_be_near(1, 1e-6)
    os.remove(path)
  end)

  it("reads a hand-written ARPA file with back-off", function()
    local path = dir .. "/hand.arpa"
    local f = assert(io.open(path, "w"))
    f:write("\\data\\\nngram 1=3\nngram 2=1\n\n\\1-grams:\n-1\t<s>\t-0.5\n-0.5\ta\t-0.3\n-0.5\t</s>\n\n",
      "\\2-grams:\n-0.1\t<s> a\n\n\\end\\\n")
    f:close()
    local m = ng.load_arpa(path)
    expect(m:prob("a", { "<s>" })).to_be_near(10 ^ -0.1, 1e-12)
    expect(m:prob("</s>", { "a" })).to_be_near(10 ^ (-0.3 - 0.5), 1e-12)
    expect(m:prob("</s>", { "<s>" })).to_be_near(10 ^ (-0.5 - 0.5), 1e-12)
    os.remove(path)
  end)

  it("rejects corrupt ARPA and native files with clear messages", function()
    local cases = {
      { "no data", "hello\n", "no \\data\\ section" },
      { "bad header", "\\data\\\nngram x\n", "expected \"ngram K=N\"" },
      { "count mismatch", "\\data\\\nngram 1=2\n\n\\1-grams:\n-1\ta\n\\end\\\n", "header says 2" },
      { "bad number", "\\data\\\nngram 1=1\n\n\\1-grams:\nxyz\ta\n\\end\\\n", "bad log10 probability" },
      { "unknown word", "\\data\\\nngram 1=1\nngram 2=1\n\n\\1-grams:\n-1\ta\t0\n\n\\2-grams:\n-1\ta b\n\\end\\\n",
        "is not among the 1-grams" },
      { "truncated", "\\data\\\nngram 1=1\n\n\\1-grams:\n-1\ta\n", "no \\end\\ line" },
      { "positive log", "\\data\\\nngram 1=1\n\n\\1-grams:\n2\ta\n\\end\\\n", "bad log10 probability" },
    }
    for _, c in ipairs(cases) do
      local path = dir .. "/bad.arpa"
      local f = assert(io.open(path, "w"))
      f:write(c[2])
      f:close()
      local ok, err = pcall(ng.load_arpa, path)
      if ok or not tostring(err):find(c[3], 1, true) then T.fail(c[1] .. ": got " .. tostring(err)) end
    end
    expect(function() ng.load_arpa(dir .. "/missing.arpa") end).to_error("cannot open")
    local path = dir .. "/bad.ngram"
    local f = assert(io.open(path, "w"))
    f:write("llmlab-ngram 1\nkind mle\norder 2\nwords 3\n0 <s>\n0 </s>\n0 <UNK>\nngrams 1\n2 1 0 9\nend\n")
    f:close()
    expect(function() ng.load(path) end).to_error("word id out of range")
    f = assert(io.open(path, "w"))
    f:write("not a model\n")
    f:close()
    expect(function() ng.load(path) end).to_error("not an llmlab n-gram file")
    os.remove(path)
    os.remove(dir .. "/bad.arpa")
  end)
end)

describe("bad input", function()
  it("checks options and data", function()
    expect(function() ng.MLE{ order = 6 } end).to_error("order must be an integer from 1 to 5")
    expect(function() ng.KneserNey{ order = 1 } end).to_error("Kneser-Ney needs order >= 2")
    expect(function() ng.KneserNey{ order = 2, discount = 1.5 } end).to_error("discount must be in (0, 1)")
    expect(function() ng.MLE{ colour = 1 } end).to_error("unknown option")
    expect(function() ng.MLE{ order = 2 }:fit({}) end).to_error("no sentences")
    expect(function() ng.MLE{ order = 2 }:fit({ { "a", 3 } }) end).to_error("token 2 of sentence 1 is a number")
    expect(function() ng.MLE{ order = 2 }:perplexity({ { "a" } }) end).to_error("not fitted")
    expect(function() ng.MLE{ order = 1 }:fit({ { "a" } }):perplexity({ {} }) end).to_error("no 1-grams to score")
    expect(function() ng.Laplace{ order = 2 }:fit({ { "a" } }):tune({ { "a" } }) end).to_error("only the interpolated")
    expect(function() ng.MLE{ order = 2, level = "char" }:fit({ "ok", "bad \xff" }) end).to_error("not valid UTF-8")
  end)

  it("n larger than the text still scores the padded sentence", function()
    -- one word, order 5: padded to 4 + 1 + 4 tokens, 5 five-grams
    local m = ng.Laplace{ order = 5 }:fit({ { "w" } })
    local p, r = m:perplexity({ { "w" } })
    expect(r.events).to_be(5)
    expect(p > 1).to_be(true)
    -- and an empty sentence has n-grams too: 4 <s> + 4 </s>
    local _, r2 = m:perplexity({ {} })
    expect(r2.events).to_be(4)
  end)

  it("splits strings into words or characters", function()
    expect(ng.words("Don't stop, İstanbul!")).to_equal({ "Don't", "stop", ",", "İstanbul", "!" })
    expect(ng.chars("añb")).to_equal({ "a", "ñ", "b" })
  end)
end)
