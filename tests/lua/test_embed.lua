-- llm.embed: the Lua API over the embedding engine, with known answers.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect

local tmp = os.tmpname()

local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

-- Vectors built so that king - man + woman = queen exactly.
local function toy()
  write(tmp, table.concat({
    "6 3",
    "man 1 0 0",
    "woman 1 1 0",
    "king 1 0 1",
    "queen 1 1 1",
    "apple 0 0.1 -1",
    "pear 0.1 0 -1",
  }, "\n") .. "\n")
  return llm.embed.load(tmp)
end

local function topic_text()
  llm.seed(5)
  local lines = {}
  for s = 1, 2000 do
    local topic = s % 2 == 0 and "x" or "y"
    local words = {}
    for w = 1, 8 do words[w] = topic .. llm.random(10) end
    lines[s] = table.concat(words, " ")
  end
  return table.concat(lines, "\n")
end

describe("llm.embed", function()
  it("loads word2vec text vectors and answers similarity questions", function()
    local v = toy()
    expect(v:size()).to_be(6)
    expect(v:dim()).to_be(3)
    expect(v:words(2)).to_equal({ "man", "woman" })
    expect(v:similarity("apple", "pear")).to_be_near(1 / 1.01, 1e-6)
    expect(v:similarity("man", "man")).to_be_near(1, 1e-6)
    expect(v:nearest("apple", 1)[1].word).to_be("pear")
    expect(v:has("queen")).to_be(true)
    expect(v:has("prince")).to_be(false)
    -- the model by vocabulary index (counts of a loaded file fall with the rank)
    expect({ v.model:word(1), v.model:word(6), v.model:count(1), v.model:count(6) }).to_equal({ "man", "pear", 6, 1 })
    expect(function() v.model:word(0) end).to_error("word: index 0 is not between 1 and 6")
    expect(function() v.model:count(7) end).to_error("count: index 7 is not between 1 and 6")
    expect(function() v.model:count("x") end).to_error("bad argument #1 to 'count'")
  end)

  it("solves analogies with 3CosAdd and 3CosMul", function()
    local v = toy()
    expect((v:analogy("man", "king", "woman"))).to_be("queen")
    expect((v:analogy("man", "king", "woman", { method = "mul" }))).to_be("queen")
    local best, list = v:analogy("man", "king", "woman", { k = 3 })
    expect(#list).to_be(3)
    expect(list[1].word).to_be(best)
    expect(list[1].score >= list[2].score).to_be(true)
    local acc, used, skipped = v:evaluate_analogies({ { "man", "king", "woman", "queen" }, { "man", "prince", "woman", "x" } })
    expect({ acc, used, skipped }).to_equal({ 1, 1, 1 })
    expect(function() v:analogy("man", "prince", "woman") end).to_error("'prince' is not in the vocabulary")
  end)

  it("computes Spearman's rho with ties", function()
    expect(llm.embed.spearman({ 1, 2, 3, 4 }, { 10, 20, 30, 40 })).to_be_near(1, 1e-12)
    expect(llm.embed.spearman({ 1, 2, 3, 4 }, { 4, 3, 2, 1 })).to_be_near(-1, 1e-12)
    -- ranks x: 1 2.5 2.5 4 ; y: 1 2 3 4 -> rho = 0.9486832981
    expect(llm.embed.spearman({ 1, 2, 2, 3 }, { 1, 2, 3, 4 })).to_be_near(0.9486832980505138, 1e-12)
  end)

  it("projects with PCA onto the direction of most variance", function()
    local rows = {}
    for i = 1, 10 do rows[i] = { i, 2 * i, 0.001 * ((i * 7) % 3) } end
    local proj, comps = llm.embed.pca(rows, 2)
    expect(#proj).to_be(10)
    local c = comps[1]
    local ratio = c[2] / c[1]
    expect(ratio).to_be_near(2, 1e-3)
    expect(math.abs(proj[10][1] - proj[1][1])).to_be_near(9 * math.sqrt(5), 1e-3)
  end)

  it("round-trips vectors through both file formats", function()
    local v = toy()
    for _, binary in ipairs({ false, true }) do
      v:save(tmp .. ".out", { binary = binary })
      local back = llm.embed.load(tmp .. ".out", { binary = binary })
      expect(back:words()).to_equal(v:words())
      expect(back:vector("queen")).to_equal(v:vector("queen"))
    end
    os.remove(tmp .. ".out")
  end)

  it("reports corrupt files with the file and line", function()
    write(tmp, "2 3\nman 1 0 0\nwoman 1 1\n")
    expect(function() llm.embed.load(tmp) end).to_error(":3: 'woman' has 2 numbers, expected 3")
    expect(function() llm.embed.load(tmp .. ".missing") end).to_error("cannot open")
  end)

  it("trains word2vec, fastText-style and GloVe vectors that separate two topics", function()
    local text = topic_text()
    local function topic_score(v)
      local good = 0
      for _, w in ipairs(v:words()) do
        if v:nearest(w, 1)[1].word:sub(1, 1) == w:sub(1, 1) then good = good + 1 end
      end
      return good
    end
    llm.seed(1)
    local sg = llm.embed.word2vec(text, { dim = 16, epochs = 3, min_count = 1, threads = 1 })
    expect(tostring(sg)).to_match("skip%-gram, 20 words, dim 16")
    expect(topic_score(sg) >= 19).to_be(true)
    local cbow = llm.embed.word2vec(text, { dim = 16, epochs = 3, min_count = 1, threads = 1, cbow = true })
    expect(topic_score(cbow) >= 19).to_be(true)
    local ft = llm.embed.fasttext(text, { dim = 16, epochs = 3, min_count = 1, threads = 1, minn = 1, maxn = 2, buckets = 500 })
    expect(#ft:vector("x")).to_be(16) -- an unseen word gets a vector from its n-grams
    expect(function() sg:vector("x") end).to_error("'x' is not in the vocabulary")
    local gl = llm.embed.glove(text, { dim = 16, epochs = 15, min_count = 1, window = 4, x_max = 10 })
    expect(topic_score(gl) >= 19).to_be(true)
  end)

  it("is reproducible with a seed and one thread", function()
    local text = topic_text()
    llm.seed(42)
    local a = llm.embed.word2vec(text, { dim = 8, epochs = 1, min_count = 1, threads = 1 }):vector("x3")
    llm.seed(42)
    local b = llm.embed.word2vec(text, { dim = 8, epochs = 1, min_count = 1, threads = 1 }):vector("x3")
    expect(a).to_equal(b)
  end)

  it("t-SNE keeps clusters apart", function()
    llm.seed(3)
    local rows = {}
    for c = 1, 3 do
      for _ = 1, 20 do
        local r = {}
        for k = 1, 8 do r[k] = (k == c and 8 or 0) + llm.randn_scalar() end
        rows[#rows + 1] = r
      end
    end
    local y = llm.embed.tsne(rows, { iterations = 600, perplexity = 10 })
    expect(#y).to_be(60)
    expect(#y[1]).to_be(2)
    local function d(a, b) return math.sqrt((a[1] - b[1]) ^ 2 + (a[2] - b[2]) ^ 2) end
    local intra, inter, ni, ne = 0, 0, 0, 0
    for i = 1, 60 do
      for j = i + 1, 60 do
        if (i - 1) // 20 == (j - 1) // 20 then intra, ni = intra + d(y[i], y[j]), ni + 1
        else inter, ne = inter + d(y[i], y[j]), ne + 1 end
      end
    end
    expect(inter / ne > 3 * intra / ni).to_be(true)
    expect(function() llm.embed.tsne({ { 1 } }) end).to_error("exact t-SNE takes 2 to 5000")
    expect(function() llm.embed.tsne(rows, { perplexity = 50 }) end).to_error("perplexity 50 must be between 1")
    expect(function() llm.embed.tsne({ { 1, 2 }, { 1 } }) end).to_error("row 2 is not an array of 2 numbers")
  end)

  it("initialises an nn.Embedding from vectors, frozen or trainable", function()
    local v = toy()
    llm.seed(1)
    local emb, index = v:to_embedding({ "man", "queen", "unicorn" }, { freeze = true })
    expect(index).to_equal({ man = 0, queen = 1, unicorn = 2 })
    local rows = emb.weight:totable()
    expect(rows[1]).to_be_near({ 1, 0, 0 }, 1e-7)
    expect(rows[2]).to_be_near({ 1, 1, 1 }, 1e-7)
    expect(math.abs(rows[3][1]) < 1).to_be(true) -- unknown word: small random start
    local out = emb:forward(llm.tensor({ 1 }, "int64"))
    expect(out:totable()).to_be_near({ { 1, 1, 1 } }, 1e-7)
    -- frozen: nothing to train; trainable: one SGD step on sum(embedding(ids)) moves the rows
    expect(emb:forward(llm.tensor({ 0, 1 }, "int64")):needs_grad()).to_be(false)
    local function step(e)
      local opt = llm.optim.SGD(e, { lr = 0.5 })
      local loss = e:forward(llm.tensor({ 0, 1 }, "int64")):sum()
      loss:backward()
      opt:step()
      return e.weight:totable()
    end
    local tuned = v:to_embedding({ "man", "queen" })
    expect(step(tuned)[1]).to_be_near({ 0.5, -0.5, -0.5 }, 1e-6)
    expect(function() v:to_embedding({ "man", "man" }) end).to_error("listed twice")
  end)

  it("reads the project's evaluation sets (at least 200 items each)", function()
    local an = llm.embed.read_analogies(llm.home .. "/datasets/eval/kjv_analogies.txt")
    local sim = llm.embed.read_similarity(llm.home .. "/datasets/eval/kjv_similarity.txt")
    expect(#an >= 200).to_be(true)
    expect(#sim >= 200).to_be(true)
    expect(an[1]).to_equal({ "man", "men", "woman", "women", section = "plural" })
    expect(sim[1]).to_equal({ "sheep", "goats", 8 })
    write(tmp, ": x\na b c\n")
    expect(function() llm.embed.read_analogies(tmp) end).to_error(":2: expected four words")
    write(tmp, "a b high\n")
    expect(function() llm.embed.read_similarity(tmp) end).to_error(":1: expected 'word word score'")
    -- evaluation on the toy vectors: the one complete question is answered right
    local v = toy() -- (writes tmp itself, so first)
    write(tmp, ": gender\nman woman king queen\nman woman apple zebra\n")
    local acc, used, skipped = v:evaluate_analogies(llm.embed.read_analogies(tmp))
    expect({ acc, used, skipped }).to_equal({ 1, 1, 1 })
  end)

  it("rejects bad options and bad corpora clearly", function()
    expect(function() llm.embed.word2vec(42) end).to_error("corpus must be a string")
    expect(function() llm.embed.word2vec("a b", { dim = 0, min_count = 1 }) end).to_error("dim=0")
    expect(function() llm.embed.word2vec("a b", { dim = 2.5 }) end).to_error("option 'dim' must be an integer")
    expect(function() llm.embed.word2vec("a b a", { min_count = 5 }) end).to_error("min_count=5")
  end)
end)
os.remove(tmp)
