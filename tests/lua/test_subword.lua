-- llm.wordpiece and llm.unigram: known answers (the WordPiece merges of
-- Hugging Face's course example, worked out by hand with this module's tie
-- rule), greedy longest-match encoding, Viterbi, training properties,
-- save/load and bad input.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end
-- the plain English parts of the fixture text (the story and the table of numbers)
local fixture = read(llm.home .. "/tests/fixtures/gpt2_text.txt")
local corpus = fixture:match("Chapter 6%.(.-)Chapter 7") .. fixture:match("Chapter 9%.(.-)Chapter 10")

describe("llm.wordpiece", function()
  it("encodes greedy longest-match-first with ## and [UNK]", function()
    local wp = llm.wordpiece.new({ "[PAD]", "[UNK]", "un", "##aff", "##able", "play", "##ing", "##ed", "the", "," })
    expect(wp:tokens("The unaffable, playing xyz played")).to_equal(
      { "the", "un", "##aff", "##able", ",", "play", "##ing", "[UNK]", "play", "##ed" })
    expect(wp:encode("unaffable")).to_equal({ 2, 3, 4 })
    expect(wp:decode({ 2, 3, 4, 5, 6 })).to_be("unaffable playing")
    expect(wp:tokens(string.rep("un", 60))).to_equal({ "[UNK]" }) -- longer than 100 characters
    expect(wp:vocab_size()).to_be(10)
    expect(wp:token_to_id("##ing")).to_be(6)
    expect(wp:id_to_token(0)).to_be("[PAD]")
  end)

  it("learns the merges of the hug/pug/pun/bun/hugs example", function()
    local words = {}
    for _, wn in ipairs({ { "hug", 10 }, { "pug", 5 }, { "pun", 12 }, { "bun", 4 }, { "hugs", 5 } }) do
      for _ = 1, wn[2] do words[#words + 1] = wn[1] end
    end
    local wp = llm.wordpiece.train(table.concat(words, " "), { vocab_size = 15 })
    -- ##g ##s scores 5/(20*5) = 1/20, the best; then every pair scores 1/36
    -- and the smallest pair (as strings) wins; then 1/21 ties again.
    expect(wp.merges).to_equal({ { "##g", "##s" }, { "##u", "##g" }, { "##u", "##gs" } })
    expect(wp:tokens("hugs bun")).to_equal({ "h", "##ugs", "b", "##u", "##n" })
  end)

  it("trains deterministically and saves vocab.txt", function()
    local a = llm.wordpiece.train(corpus, { vocab_size = 300 })
    local b = llm.wordpiece.train(corpus, { vocab_size = 300 })
    expect(a.vocab).to_equal(b.vocab)
    expect(a:vocab_size()).to_be(300)
    local path = os.tmpname()
    a:save(path)
    local c = llm.wordpiece.load(path)
    os.remove(path)
    expect(c:encode(corpus)).to_equal(a:encode(corpus))
    -- more pieces than words, far fewer than characters
    local n, words = #a:encode(corpus), #llm.wordpiece.pretokenize(corpus)
    expect(n > words and n < #corpus * 0.7).to_be(true)
  end)

  it("reports bad input", function()
    expect(function() llm.wordpiece.train("", { vocab_size = 100 }) end).to_error("corpus is empty")
    expect(function() llm.wordpiece.train("abcdefg hij", { vocab_size = 6 }) end).to_error("smaller than")
    expect(function() llm.wordpiece.train("ab\xff", { vocab_size = 100 }) end).to_error("not valid UTF-8")
    expect(function() llm.wordpiece.new({ "a", "b" }) end).to_error("no [UNK]")
    expect(function() llm.wordpiece.load("/nonexistent/vocab.txt") end).to_error("/nonexistent/vocab.txt")
  end)
end)

describe("llm.unigram", function()
  it("segments by Viterbi", function()
    local m = llm.unigram.new({ ["\u{2581}"] = -3, ["\u{2581}a"] = -1, ["b"] = -2, ["\u{2581}ab"] = -2.5, ["a"] = -2 })
    expect(m:tokens("ab")).to_equal({ "\u{2581}ab" })     -- -2.5 beats -1-2 = -3
    local m2 = llm.unigram.new({ ["\u{2581}"] = -3, ["\u{2581}a"] = -1, ["b"] = -2, ["\u{2581}ab"] = -3.5, ["a"] = -2 })
    expect(m2:tokens("ab")).to_equal({ "\u{2581}a", "b" })
    expect(m2:tokens("ab ba")).to_equal({ "\u{2581}a", "b", "\u{2581}", "b", "a" })
    local ids = m2:encode("abz")
    expect(ids[#ids]).to_be(0) -- z: <unk>
  end)

  it("segments as spm_encode with SentencePiece's own model", function()
    local dir = llm.home .. "/tests/fixtures/"
    local m = llm.unigram.from_spm_vocab(dir .. "spm_unigram.vocab")
    expect(m:vocab_size()).to_be(300)
    local want = {}
    for line in io.lines(dir .. "spm_unigram_pieces.txt") do want[#want + 1] = line end
    local i = 0
    for line in io.lines(dir .. "spm_unigram_lines.txt") do
      i = i + 1
      expect(table.concat(m:tokens(line), " ")).to_be(want[i])
    end
    expect(i > 100).to_be(true)
    expect(function() llm.unigram.from_spm_vocab(dir .. "gpt2_ids.txt") end).to_error("not 'piece<TAB>score'")
  end)

  it("reads SentencePiece's control pieces as its own ids 0-2", function()
    local path = os.tmpname()
    local f = io.open(path, "w")
    f:write("<unk>\t0\n<s>\t0\n</s>\t0\n\u{2581}ab\t-2\n\u{2581}a\t-1.5\nb\t-3\na\t-4\n\u{2581}\t-5\n")
    f:close()
    local m = llm.unigram.from_spm_vocab(path)
    os.remove(path)
    expect(m.pieces).to_equal({ "<unk>", "<s>", "</s>", "\u{2581}a", "\u{2581}ab", "b", "a", "\u{2581}" })
    expect(m:score("<unk>")).to_be(nil)
    expect(m:tokens("ab ba")).to_equal({ "\u{2581}ab", "\u{2581}", "b", "a" })
  end)

  it("trains to the vocabulary size, deterministically, and round-trips", function()
    local a = llm.unigram.train(corpus, { vocab_size = 400 })
    local b = llm.unigram.train(corpus, { vocab_size = 400 })
    expect(a:vocab_size()).to_be(400)
    expect(a.pieces).to_equal(b.pieces)
    expect(a:token_to_id("\u{2581}the") ~= nil).to_be(true)
    local norm = corpus:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")
    expect(a:decode(a:encode(corpus))).to_be(norm)
    local path = os.tmpname()
    a:save(path)
    local c = llm.unigram.load(path)
    os.remove(path)
    expect(c:encode(corpus)).to_equal(a:encode(corpus))
    -- fewer pieces than characters: the model has learnt words
    expect(#a:encode(corpus) < utf8.len(corpus) / 2).to_be(true)
  end)

  -- Recorded from this implementation (the E-step, M-step and pruning as
  -- they stood when the lattice loops were shared): any change to the
  -- training arithmetic shows here.
  it("trains the recorded pieces and log-probabilities", function()
    local m = llm.unigram.train(corpus, { vocab_size = 120 })
    expect({ table.unpack(m.pieces, 4, 10) }).to_equal({ "\u{2581}is", "\u{2581}the", "\u{2581}its", "\u{2581}square",
      "\u{2581}", "6", "4" })
    expect(m:score("\u{2581}is")).to_be_near(-2.7353496342289789, 1e-12)
    expect(m:score("\u{2581}square")).to_be_near(-3.1449545241572023, 1e-12)
    expect(m:score("z")).to_be_near(-15.821030798933009, 1e-12)
  end)

  it("reports bad input", function()
    expect(function() llm.unigram.train("   ", { vocab_size = 100 }) end).to_error("corpus is empty")
    expect(function() llm.unigram.train("abcdef", { vocab_size = 5 }) end).to_error("smaller than")
    expect(function() llm.unigram.train("a\xff", { vocab_size = 50 }) end).to_error("not valid UTF-8")
    local path = os.tmpname()
    local f = io.open(path, "w"); f:write("not a model\n"); f:close()
    expect(function() llm.unigram.load(path) end).to_error("not an llmlab unigram file")
    f = io.open(path, "w"); f:write("#llmlab-unigram 1 max_piece_chars=4\n\u{2581}a\t-1\nb -2\n"); f:close()
    -- the error names the file and line, and points at the caller
    local ok, err = pcall(llm.unigram.load, path)
    expect(ok).to_be(false)
    expect(err).to_be("unigram.load: " .. path .. " line 3 is not 'piece<TAB>score'")
    f = io.open(path, "w"); f:write("<unk>\t0\n\u{2581}a\t-1\nb\tlow\n"); f:close()
    ok, err = pcall(function() llm.unigram.from_spm_vocab(path) end)
    expect(err:match("([%w_]+%.lua):%d+: unigram")).to_be("test_subword.lua")
    expect(err:match(": (unigram.*)$")).to_be("unigram.from_spm_vocab: " .. path .. " line 3 is not 'piece<TAB>score'")
    os.remove(path)
  end)
end)

describe("llm.tokenize.compare", function()
  it("reports size, tokens per word and round trip for each scheme", function()
    local text = corpus:sub(1, 3000)
    local rows = llm.tokenize.compare({
      { name = "bpe", tok = llm.bpe.train(corpus, { vocab_size = 400 }) },
      { name = "wordpiece", tok = llm.wordpiece.train(corpus, { vocab_size = 400 }) },
      { name = "unigram", tok = llm.unigram.train(corpus, { vocab_size = 400 }) },
    }, text)
    expect(#rows).to_be(3)
    expect(rows[1].name).to_be("bpe")
    expect(rows[1].vocab_size).to_be(400)
    expect(rows[1].round_trip).to_be(true)     -- byte-level BPE keeps every byte
    expect(rows[2].round_trip).to_be(false)    -- WordPiece lowercases and drops spaces
    expect(rows[3].round_trip).to_be(false)    -- Unigram collapses whitespace runs
    local words = #llm.tokenize.whitespace(text)
    for _, r in ipairs(rows) do
      expect(r.tokens_per_word).to_be_near(r.tokens / words, 1e-12)
      expect(r.tokens_per_word >= 1).to_be(true)
    end
  end)
end)
