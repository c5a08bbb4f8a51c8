-- ELMo-style contextual embeddings (llm.elmo): training lowers both language
-- model losses; the token layer gives a word the same vector everywhere while
-- the LSTM layers give "bank" by a river a vector closer to "bank" by another
-- river than to "bank" of money; the layer mix; the character-CNN input
-- (vectors for words never seen); checkpoints; bad input.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect
local elmo = llm.elmo
local nn = llm.nn

local river = { "the river bank was muddy", "we walked along the bank of the river", "fish swim near the river bank" }
local money = { "the bank gave me a loan", "i put money in the bank", "the bank pays interest on money" }
local sents = {}
for _ = 1, 20 do
  for _, s in ipairs(river) do sents[#sents + 1] = s .. " ." end
  for _, s in ipairs(money) do sents[#sents + 1] = s .. " ." end
end
local words = llm.tokenize.whitespace(table.concat(sents, " "))
local V = llm.rnnlm.Vocab.words(words)

local trained
local function model()
  if trained then return trained end
  llm.seed(2)
  local m = nn.ELMo { vocab_size = V:size(), hidden_size = 24, num_layers = 2 }
  local h = elmo.train { model = m, data = V:encode(words), batch_size = 8, seq_len = 12, steps = 150, lr = 1e-2,
    progress = false }
  trained = { m = m, h = h }
  return trained
end

describe("ELMo-style biLM", function()
  it("trains: the mean of the forward and backward LM losses falls", function()
    local h = model().h
    expect(h.loss[1] > 3).to_equal(true)
    expect(h.final_loss < 0.4).to_equal(true)
    local m = model().m
    local ids = V:encode(llm.tokenize.whitespace("the bank gave me a loan ."))
    local loss, lf, lb = m(ids:reshape(1, ids:size(1)))
    expect(loss:item()).to_be_near((lf:item() + lb:item()) / 2, 1e-6)
  end)
  it("gives one word different vectors in different contexts", function()
    local m = model().m
    local r = elmo.contexts(m, V, { "the river bank was muddy", "fish swim near the river bank",
      "the bank gave me a loan" }, "bank")
    expect(#r.layers).to_equal(3)
    -- layer 0 is context-free: identical vectors
    expect(r.layers[1].cosine[1][2]).to_be_near(1, 1e-6)
    expect(r.layers[1].cosine[1][3]).to_be_near(1, 1e-6)
    -- the LSTM layers and the mix tell the senses apart
    for _, g in ipairs({ r.layers[2], r.layers[3], r.mix }) do
      expect(g.cosine[1][3] < 0.999).to_equal(true)
      expect(g.cosine[1][2] > g.cosine[1][3]).to_equal(true)
    end
  end)
  it("mixes layers with softmax weights and gamma", function()
    local m = model().m
    local ids = V:encode({ "the", "bank", "." }):reshape(1, 3)
    local ls = m:layers(ids)
    expect(table.concat(ls[2]:shape(), ",")).to_equal("1,3,48")
    local only_top = m:embed(ids, { weights = { -1e9, -1e9, 0 }, gamma = 2 })
    local d = (only_top - ls[3] * 2):abs():max():item()
    expect(d < 1e-5).to_equal(true)
    expect(function() m:embed(ids, { weights = { 1, 2 } }) end).to_error("3 layers")
  end)
  it("character-CNN input: trains, and spells out words it never saw", function()
    llm.seed(4)
    local chars = elmo.char_list(V.itos)
    local m = nn.ELMo { vocab_size = V:size(), hidden_size = 12, num_layers = 1, input = "chars", chars = chars,
      max_word_len = 8, char_dim = 6, filters = { { 1, 8 }, { 2, 8 } } }
    m:set_words(V.itos)
    local h = elmo.train { model = m, data = V:encode(words), batch_size = 4, seq_len = 8, steps = 25, lr = 1e-2,
      progress = false }
    expect(h.final_loss < h.loss[1]).to_equal(true)
    local c = {}
    for i, ch in ipairs(chars) do c[ch] = i - 1 end
    expect(m:word_char_ids("bank")).to_equal({ c["<w>"], c.b, c.a, c.n, c.k, c["</w>"], 0, 0 })
    expect(#m:word_char_ids("interestingly")).to_equal(8)
    -- "banks" is not in the vocabulary, yet it gets its own token vector from its characters
    local ids = V:encode({ "the", "bank" }):reshape(1, 2)
    local cids = llm.tensor({ { m:word_char_ids("the"), m:word_char_ids("banks") } }, "int64")
    local a, b = m:layers(ids)[1], m:layers(ids, cids)[1]
    local same = (a:select(2, 1) - b:select(2, 1)):abs():max():item()
    local diff = (a:select(2, 2) - b:select(2, 2)):abs():max():item()
    expect(same < 1e-6).to_equal(true)
    expect(diff > 1e-4).to_equal(true)
  end)
  it("round-trips through a checkpoint", function()
    llm.seed(5)
    local cfg = { vocab_size = V:size(), hidden_size = 8, num_layers = 2 }
    local m = nn.ELMo(cfg)
    local path = os.tmpname()
    nn.save(m, path)
    local m2 = nn.load(path)
    os.remove(path)
    local ids = V:encode({ "the", "bank", "." }):reshape(1, 3)
    expect((m:embed(ids) - m2:embed(ids)):abs():max():item()).to_equal(0)
  end)
  it("rejects bad configs and inputs", function()
    expect(function() nn.ELMo { vocab_size = 10, input = "bytes" } end).to_error("input must be")
    expect(function() nn.ELMo { vocab_size = 10, input = "chars" } end).to_error("char_list")
    local m = nn.ELMo { vocab_size = 10, hidden_size = 4 }
    expect(function() m(llm.tensor({ { 1 } }, "int64")) end).to_error("T >= 2")
    expect(function() elmo.contexts(m, V, { "the river" }, "bank") end).to_error("does not occur")
  end)
end)
