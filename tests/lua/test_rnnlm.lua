-- Recurrent language models (llm.rnnlm): vocabularies, generation with
-- temperature and top-k (known probabilities), training by truncated BPTT
-- that learns a pattern, determinism with a fixed seed, the carried state,
-- save/load round trips, a word-level and a BPE-level model.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect
local rnnlm = llm.rnnlm
local nn = llm.nn

local function flat(t)
  local out = {}
  local function walk(v)
    if type(v) == "table" then for _, x in ipairs(v) do walk(x) end else out[#out + 1] = v end
  end
  walk(t:totable())
  return out
end

local function max_diff(a, b)
  local fa, fb = flat(a), flat(b)
  local m = 0
  for i = 1, #fa do m = math.max(m, math.abs(fa[i] - fb[i])) end
  return m
end

describe("vocabularies", function()
  it("characters: sorted, UTF-8 aware, encode/decode round trip", function()
    local V = rnnlm.Vocab.chars("baé ab")
    expect(V:size()).to_equal(4)
    expect(V:decode({ 0, 1, 2, 3 })).to_equal(" abé")
    expect(flat(V:encode("abé"))).to_equal({ 1, 2, 3 })
    expect(V:decode(V:encode("é ba"))).to_equal("é ba")
    expect(function() V:encode("z") end).to_error("not in the vocabulary")
    expect(function() rnnlm.Vocab.chars("a\xffb") end).to_error("not valid UTF%-8")
    expect(function() V:decode({ 9 }) end).to_error("outside the vocabulary")
  end)
  it("words: <unk> first, min_count, frequency order, save/load", function()
    local words = llm.tokenize.whitespace("the cat sat on the mat the end cat")
    local V = rnnlm.Vocab.words(words, { min_count = 2 })
    expect(V.itos).to_equal({ "<unk>", "the", "cat" })
    expect(flat(V:encode("the dog cat"))).to_equal({ 1, 0, 2 })
    local path = os.tmpname()
    V:save(path)
    local V2 = rnnlm.Vocab.load(path)
    expect(V2.itos).to_equal(V.itos)
    local f = io.open(path, "w"); f:write("nonsense\n"); f:close()
    expect(function() rnnlm.Vocab.load(path) end).to_error("not a vocabulary file")
    os.remove(path)
  end)
end)


describe("character-level LSTM language model", function()
  local text = string.rep("hello world. ", 40)
  local function train(seed, steps)
    llm.seed(seed)
    local V = rnnlm.Vocab.chars(text)
    local lm = nn.RNNLM { vocab_size = V:size(), embed_dim = 12, hidden_size = 24, num_layers = 2 }
    local h = rnnlm.train { model = lm, data = V:encode(text), batch_size = 4, seq_len = 12, steps = steps,
      lr = 1e-2, progress = false }
    return V, lm, h
  end
  it("learns a repeating text and greedy sampling continues it", function()
    local V, lm, h = train(1, 120)
    expect(h.loss[1] > 2.0).to_equal(true)
    expect(h.final_loss < 0.1).to_equal(true)
    expect(V:decode(lm:generate(V:encode("hel"), 14, { temperature = 0 }))).to_equal("lo world. hell")
    expect(lm:perplexity(V:encode(text)) < 1.2).to_equal(true)
  end)
  it("is deterministic with a fixed seed and one thread", function()
    local was = llm.threads()
    llm.threads(1)
    local _, _, a = train(4, 15)
    local _, _, b = train(4, 15)
    llm.threads(was)
    expect(a.loss).to_equal(b.loss)
    local _, _, c = train(5, 15)
    expect(a.loss[15] ~= c.loss[15]).to_equal(true)   -- the seed matters
  end)
  it("carries the state: two chunks with the state passed equal one pass", function()
    llm.seed(6)
    local lm = nn.RNNLM { vocab_size = 7, embed_dim = 5, hidden_size = 6, cell = "gru", num_layers = 2 }
    local ids = llm.tensor({ { 1, 2, 3, 4, 5, 6 }, { 6, 5, 4, 3, 2, 1 } }, "int64")
    local full = lm(ids)
    local _, _, st = lm(ids:narrow(2, 1, 3))
    local second = lm(ids:narrow(2, 4, 3), nil, st)
    expect(max_diff(second, full:narrow(2, 4, 3)) < 1e-6).to_equal(true)
  end)
  it("saves and loads through a safetensors checkpoint", function()
    llm.seed(8)
    local lm = nn.RNNLM { vocab_size = 11, embed_dim = 4, hidden_size = 5, num_layers = 2, cell = "lstm" }
    local path = os.tmpname()
    nn.save(lm, path)
    local lm2 = nn.load(path)
    os.remove(path)
    expect(lm2.config.hidden_size).to_equal(5)
    local ids = llm.tensor({ { 1, 2, 3, 10 } }, "int64")
    expect(max_diff(lm(ids), lm2(ids))).to_equal(0)
  end)
  it("rejects bad configs and inputs", function()
    expect(function() nn.RNNLM { vocab_size = 0 } end).to_error("vocab_size")
    expect(function() nn.RNNLM { vocab_size = 5, cell = "transformer" } end).to_error("cell")
    expect(function() nn.RNNLM { vocab_size = 5, tie_weights = true, embed_dim = 3, hidden_size = 4 } end)
      .to_error("tie_weights")
    local lm = nn.RNNLM { vocab_size = 5, embed_dim = 3, hidden_size = 4 }
    expect(function() lm(llm.tensor({ 1, 2 }, "int64")) end).to_error("%(B, T%)")
    expect(function() rnnlm.train { model = lm, data = { 1, 2 }, batch_size = 4 } end).to_error("too few")
    expect(function() rnnlm.train { model = lm, data = { 1, 2 }, bogus = 1 } end).to_error("unknown option")
  end)
end)

describe("word- and BPE-level models", function()
  it("a word-level GRU LM learns a tiny corpus", function()
    llm.seed(10)
    local words = llm.tokenize.whitespace(string.rep("the cat sat on the mat . ", 30))
    local V = rnnlm.Vocab.words(words)
    local lm = nn.RNNLM { vocab_size = V:size(), embed_dim = 8, hidden_size = 16, cell = "gru", tie_weights = false }
    local h = rnnlm.train { model = lm, data = V:encode(words), batch_size = 2, seq_len = 8, steps = 100,
      lr = 2e-2, progress = false }
    expect(h.final_loss < 0.3).to_equal(true)
    expect(V:decode(lm:generate(V:encode({ "the", "cat" }), 5, { temperature = 0 }))).to_equal("sat on the mat .")
  end)
  it("runs on a BPE tokenizer's ids", function()
    llm.seed(11)
    local text = string.rep("low lower lowest newer newest ", 20)
    local tok = llm.bpe.train(text, { vocab_size = 270 })
    local ids = tok:encode(text)
    local lm = nn.RNNLM { vocab_size = tok:vocab_size(), embed_dim = 16, hidden_size = 16, tie_weights = true }
    local h = rnnlm.train { model = lm, data = ids, batch_size = 2, seq_len = 8, steps = 80, lr = 2e-2,
      progress = false }
    expect(h.final_loss < h.loss[1] / 3).to_equal(true)
    local out = lm:generate({ ids[1] }, 4, { temperature = 0.5, top_k = 5 })
    expect(type(tok:decode(out:totable()))).to_equal("string")
  end)
end)
