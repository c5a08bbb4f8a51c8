-- llm.bpe_naive: byte-level BPE written the slow, plain way (lab 5).
--
-- This is the version a student writes first: count every adjacent pair in
-- every word, merge the most frequent one everywhere, and start counting
-- again. It does in O(merges x corpus) what the engine's bpe.c does with
-- incremental counts and a priority queue, and it gives the same merges on
-- the same input (same pre-tokenizer, same tie rule), so the two can be
-- compared ("Comparing BPE implementations").
--
--   local naive = llm.bpe_naive.train(text, {vocab_size = 300})
--   naive.merges      --> { {left, right, result}, ... } by rank, ids as in llm.bpe
--   naive:encode(s)   --> ids;  naive:decode(ids) --> s
local llm = require "llm"

local M = {}

local Tok = {}
Tok.__index = Tok

-- Train on text. opts: vocab_size (256 + merges), pattern ("gpt2"),
-- min_frequency (2). Words come from the same pre-tokenizer as llm.bpe.
function M.train(text, opts)
  assert(type(text) == "string" and #text > 0, "bpe_naive.train: the corpus is empty")
  opts = opts or {}
  local vocab_size = assert(opts.vocab_size, "bpe_naive.train: vocab_size is required")
  assert(vocab_size >= 256, "bpe_naive.train: vocab_size is smaller than the 256 byte tokens")
  local min_freq = opts.min_frequency or 2
  local pattern = opts.pattern or "gpt2"

  -- 1. Count the words (pre-token pieces).
  local count = {}
  for _, piece in ipairs(llm.tokenize.pretokenize(text, pattern)) do
    count[piece] = (count[piece] or 0) + 1
  end
  -- 2. Each word becomes a list of byte ids.
  local words = {}
  for piece, n in pairs(count) do
    words[#words + 1] = { syms = { piece:byte(1, -1) }, freq = n }
  end
  -- 3. Byte tokens.
  local vocab = {}
  for b = 0, 255 do vocab[b] = string.char(b) end

  local merges = {}
  local next_id = 256
  while next_id < vocab_size do
    -- count every adjacent pair, weighted by word frequency
    local pairs_count = {}
    for _, w in ipairs(words) do
      local s = w.syms
      for i = 1, #s - 1 do
        local key = s[i] * 2^32 + s[i + 1]    -- exact in a double below 2^53
        pairs_count[key] = (pairs_count[key] or 0) + w.freq
      end
    end
    -- the most frequent pair; ties go to the smallest (left, right)
    local best, best_n = nil, 0
    for key, n in pairs(pairs_count) do
      if n > best_n or (n == best_n and key < best) then best, best_n = key, n end
    end
    if not best or best_n < min_freq then break end
    local a, b = math.floor(best / 2^32), math.floor(best % 2^32)
    a, b = math.tointeger(a), math.tointeger(b)
    -- merge it in every word, left to right
    for _, w in ipairs(words) do
      local s, out, i = w.syms, {}, 1
      while i <= #s do
        if i < #s and s[i] == a and s[i + 1] == b then
          out[#out + 1] = next_id
          i = i + 2
        else
          out[#out + 1] = s[i]
          i = i + 1
        end
      end
      w.syms = out
    end
    merges[#merges + 1] = { a, b, next_id }
    vocab[next_id] = vocab[a] .. vocab[b]
    next_id = next_id + 1
  end
  local rank = {}
  for r, m in ipairs(merges) do rank[m[1] * 2^32 + m[2]] = r end
  return setmetatable({ merges = merges, vocab = vocab, rank = rank, pattern = pattern }, Tok)
end

-- Encode: in each piece, merge the adjacent pair of lowest rank (leftmost
-- on ties) until no pair has a merge.
function Tok:encode(s)
  local ids = {}
  for _, piece in ipairs(llm.tokenize.pretokenize(s, self.pattern)) do
    local syms = { piece:byte(1, -1) }
    while #syms > 1 do
      local best, best_i = nil, nil
      for i = 1, #syms - 1 do
        local r = self.rank[syms[i] * 2^32 + syms[i + 1]]
        if r and (not best or r < best) then best, best_i = r, i end
      end
      if not best then break end
      syms[best_i] = self.merges[best][3]
      table.remove(syms, best_i + 1)
    end
    for _, id in ipairs(syms) do ids[#ids + 1] = id end
  end
  return ids
end

function Tok:decode(ids)
  local parts = {}
  for i, id in ipairs(ids) do
    parts[i] = self.vocab[id] or error("bpe_naive.decode: unknown id " .. tostring(id))
  end
  return table.concat(parts)
end

function Tok:vocab_size() return 256 + #self.merges end
function Tok:id_to_token(id) return self.vocab[id] end
function Tok:token_to_id(bytes)
  for id = #self.merges + 255, 0, -1 do      -- slow and plain, like the rest
    if self.vocab[id] == bytes then return id end
  end
  return nil
end

return M
