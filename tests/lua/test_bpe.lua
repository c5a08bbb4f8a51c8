-- llm.bpe and llm.bpe_naive from Lua: GPT-2's ids (fixture from
-- js-tiktoken), the tokenizer object's methods, training, save/load, the
-- naive Lua BPE giving the same merges as the engine, and bad input.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end
local fixtures = llm.home .. "/tests/fixtures/"
local text = read(fixtures .. "gpt2_text.txt")

describe("llm.bpe.gpt2", function()
  it("gives js-tiktoken's ids on the fixture text", function()
    local tok = llm.bpe.gpt2()
    local want = {}
    for n in read(fixtures .. "gpt2_ids.txt"):gmatch("%d+") do want[#want + 1] = tonumber(n) end
    expect(#want >= 5000).to_be(true)
    local got = tok:encode(text)
    expect(#got).to_be(#want)
    for i = 1, #want do
      if got[i] ~= want[i] then T.fail(("id %d: got %d, want %d"):format(i, got[i], want[i])) end
    end
    expect(tok:decode(got)).to_be(text)
  end)

  it("has the tokenizer methods", function()
    local tok = llm.bpe.gpt2()
    expect(tok:encode("Hello world, it's 2026!")).to_equal({ 15496, 995, 11, 340, 338, 1160, 2075, 0 })
    expect(tok:decode({ 15496, 995 })).to_be("Hello world")
    expect(tok:vocab_size()).to_be(50257)
    expect(tok:token_to_id(" the")).to_be(262)
    expect(tok:id_to_token(262)).to_be(" the")
    expect(tok:id_to_token(50257)).to_be(nil)
    expect(tok:token_to_id("no such token xyz")).to_be(nil)
    expect(tok:specials()).to_equal({ ["<|endoftext|>"] = 50256 })
    expect(tok:tokens("Hello world")).to_equal({ "Hello", " world" })
    expect(llm.bpe.gpt2()).to_be(tok) -- loaded once
  end)

  it("treats special tokens as the caller says", function()
    local tok = llm.bpe.gpt2()
    expect(function() tok:encode("a<|endoftext|>") end).to_error("special token '<|endoftext|>'")
    expect(tok:encode("a<|endoftext|>", { special = "allow" })).to_equal({ 64, 50256 })
    expect(#tok:encode("a<|endoftext|>", { special = "text" }) > 2).to_be(true)
    expect(function() tok:encode("a", { special = "maybe" }) end).to_error("invalid option")
    expect(tok:encode("a<|endoftext|>b", "allow")).to_equal({ 64, 50256, 65 })
    expect(tok:encode("a<|endoftext|>b", { special = { "<|endoftext|>" } })).to_equal({ 64, 50256, 65 })
    expect(function() tok:encode("a", { special = { "<|nope|>" } }) end).to_error("'<|nope|>' is not a special token")
    expect(function() tok:decode({ 1, 99999 }) end).to_error("outside the vocabulary")
    expect(function() tok:decode({ 1, "x" }) end).to_error("not an integer")
  end)

  it("names the fetch command when the files are missing", function()
    -- a fresh state would look in $LLMLAB_DATA; here: the error of from_files
    expect(function() llm.bpe.from_files("/nonexistent/encoder.json", "/nonexistent/vocab.bpe") end)
      .to_error("/nonexistent/encoder.json")
    local src = read(llm.home .. "/lua/llm/bpe.lua")
    expect(src:find("llmlab data fetch gpt2-bpe", 1, true) ~= nil).to_be(true)
  end)

  it("round-trips random bytes", function()
    local tok = llm.bpe.gpt2()
    llm.seed(11)
    for _ = 1, 200 do
      local n = llm.random(300) - 1
      local b = {}
      for i = 1, n do b[i] = string.char(llm.random(256) - 1) end
      local s = table.concat(b)
      expect(tok:decode(tok:encode(s))).to_be(s)
    end
  end)
end)

describe("llm.bpe.train", function()
  local small = text:sub(1, 3000)

  it("is deterministic, and saves and loads", function()
    local a = llm.bpe.train(small, { vocab_size = 350, special = { "<|endoftext|>" } })
    local b = llm.bpe.train(small, { vocab_size = 350, special = { "<|endoftext|>" } })
    expect(a:merges()).to_equal(b:merges())
    expect(a:vocab_size()).to_be(350)
    expect(a:specials()).to_equal({ ["<|endoftext|>"] = 349 })
    local path = os.tmpname()
    a:save(path)
    local c = llm.bpe.load(path)
    os.remove(path)
    expect(c:merges()).to_equal(a:merges())
    expect(c:encode(small)).to_equal(a:encode(small))
    expect(c:decode(c:encode(small))).to_be(small)
    expect(#a:encode(small) < #small).to_be(true)
  end)

  it("allows a chosen subset of special tokens, as tiktoken's allowed_special", function()
    local t = llm.bpe.train(small, { vocab_size = 300, special = { "<|a|>", "<|b|>" } })
    local A, B = t:specials()["<|a|>"], t:specials()["<|b|>"]
    local s = "x <|a|> y <|b|> z"
    local ids = t:encode(s, { special = { "<|a|>" }, others = "text" })
    local n_a, n_b = 0, 0
    for _, id in ipairs(ids) do
      if id == A then n_a = n_a + 1 end
      if id == B then n_b = n_b + 1 end
    end
    expect(n_a).to_be(1)
    expect(n_b).to_be(0)
    expect(t:decode(ids)).to_be(s)
    -- <|b|> as text gives the ids a model without special tokens would give
    local tail = t:encode(" y <|b|> z", "text")
    expect({ table.unpack(ids, #ids - #tail + 1) }).to_equal(tail)
    expect(function() t:encode(s, { special = { "<|a|>" } }) end).to_error("special token '<|b|>' at byte 11")
  end)

  it("gives the same merges as the naive Lua BPE", function()
    for _, pattern in ipairs({ "gpt2", "cl100k" }) do
      local fast = llm.bpe.train(small, { vocab_size = 330, pattern = pattern })
      local naive = llm.bpe_naive.train(small, { vocab_size = 330, pattern = pattern })
      expect(naive.merges).to_equal(fast:merges())
      expect(naive:encode(small)).to_equal(fast:encode(small))
      expect(naive:decode(naive:encode(small))).to_be(small)
    end
  end)

  it("reports bad input clearly", function()
    expect(function() llm.bpe.train("", { vocab_size = 300 }) end).to_error("corpus is empty")
    expect(function() llm.bpe.train("abc", { vocab_size = 100 }) end).to_error("smaller than the 256")
    expect(function() llm.bpe.train("abc") end).to_error("vocab_size")
    expect(function() llm.bpe.train("abc", { vocab_size = 300, pattern = "(" }) end).to_error("bad pattern")
    expect(function() llm.bpe.load("/nonexistent.json") end).to_error("/nonexistent.json")
    local path = os.tmpname()
    local f = io.open(path, "w")
    f:write('{"type": "llmlab-bpe", "version": 1, "pattern": "gpt2", "vocab_size": 257,'
      .. ' "byte_ids": [' .. table.concat((function() local t = {} for i = 0, 255 do t[#t + 1] = i end return t end)(), ",")
      .. '], "merges": [[1, 2, 256], [3, 999, 257]], "special": []}')
    f:close()
    expect(function() llm.bpe.load(path) end).to_error("merge 1 (3, 999)")
    os.remove(path)
  end)
end)
