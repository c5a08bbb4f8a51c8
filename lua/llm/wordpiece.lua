-- llm.wordpiece: BERT's WordPiece tokenizer, written in Lua to be read.
--
--   local wp = llm.wordpiece.train(text, {vocab_size = 1000})
--   wp:tokens("unaffable")   --> {"un", "##aff", "##able"}   (with a fitting vocabulary)
--   wp:encode(s) --> ids (0-based, the line numbers of vocab.txt minus one)
--   wp:decode(ids); wp:save("vocab.txt"); llm.wordpiece.load("vocab.txt")
--
-- Pre-tokenisation as BERT's BasicTokenizer: optional lowercasing (on by
-- default, {lowercase = false} to keep case), whitespace splits words, every
-- punctuation character and every CJK ideograph is a word of its own.
-- Encoding is greedy longest-match-first inside each word; pieces after the
-- first carry the "##" prefix; a word with a part no piece covers, or longer
-- than max_chars (100) characters, becomes [UNK].
--
-- Training follows the WordPiece recipe of Hugging Face's tokenizers: start
-- from the characters (non-initial ones as "##c"), then repeatedly merge the
-- adjacent pair with the best score count(ab) / (count(a) * count(b)),
-- ties going to the smallest (a, b) as strings.
local llm = require "llm"
local C = llm._tokenize

local M = {}
M.SPECIALS = { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" }

local Tok = {}
Tok.__index = Tok

local function is_punct(ch)
  local b = ch:byte()
  if #ch == 1 then
    return (b >= 33 and b <= 47) or (b >= 58 and b <= 64) or (b >= 91 and b <= 96) or (b >= 123 and b <= 126)
  end
  return C.remove_punctuation(ch, false) == ""
end

local function is_cjk(ch)
  local cp = utf8.codepoint(ch)
  return (cp >= 0x4E00 and cp <= 0x9FFF) or (cp >= 0x3400 and cp <= 0x4DBF) or (cp >= 0x20000 and cp <= 0x2A6DF)
      or (cp >= 0xF900 and cp <= 0xFAFF)
end

-- BERT's basic pre-tokenisation: an array of words.
function M.pretokenize(s, lowercase)
  if not utf8.len(s) then error("wordpiece: the text is not valid UTF-8", 3) end
  if lowercase ~= false then s = C.lowercase(s) end
  local words, cur = {}, {}
  local function flush()
    if #cur > 0 then words[#words + 1] = table.concat(cur); cur = {} end
  end
  for _, cp in utf8.codes(s) do
    local ch = utf8.char(cp)
    if ch:find("^%s$") or cp == 0xA0 or cp == 0x3000 or (cp >= 0x2000 and cp <= 0x200A) then
      flush()
    elseif is_punct(ch) or is_cjk(ch) then
      flush()
      words[#words + 1] = ch
    else
      cur[#cur + 1] = ch
    end
  end
  flush()
  return words
end

local function chars(w)
  local out = {}
  for _, cp in utf8.codes(w) do out[#out + 1] = utf8.char(cp) end
  return out
end

local function new(vocab, opts)
  local self = setmetatable({ vocab = vocab, ids = {}, lowercase = opts.lowercase ~= false,
    max_chars = opts.max_chars or 100, unk = opts.unk or "[UNK]" }, Tok)
  for i, t in ipairs(vocab) do
    if self.ids[t] == nil then self.ids[t] = i - 1 end
  end
  if not self.ids[self.unk] then error("wordpiece: the vocabulary has no " .. self.unk .. " token", 3) end
  return self
end

-- A tokenizer from a vocabulary (array of pieces, id = index - 1).
function M.new(vocab, opts)
  assert(type(vocab) == "table" and #vocab > 0, "wordpiece.new: expected an array of pieces")
  return new(vocab, opts or {})
end

-- Train. opts: vocab_size (required), lowercase (true), specials (M.SPECIALS).
function M.train(text, opts)
  if type(text) == "table" then text = table.concat(text, "\n") end
  opts = opts or {}
  local vocab_size = opts.vocab_size or error("wordpiece.train: vocab_size is required", 2)
  local specials = opts.specials or M.SPECIALS
  local counts = {}
  for _, w in ipairs(M.pretokenize(text, opts.lowercase)) do counts[w] = (counts[w] or 0) + 1 end
  local words = {}
  local wlist = {}
  for w in pairs(counts) do wlist[#wlist + 1] = w end
  if #wlist == 0 then error("wordpiece.train: the corpus is empty", 2) end
  table.sort(wlist)
  local alphabet, seen = {}, {}
  for _, w in ipairs(wlist) do
    local cs = chars(w)
    for i = 2, #cs do cs[i] = "##" .. cs[i] end
    for _, c in ipairs(cs) do
      if not seen[c] then seen[c] = true; alphabet[#alphabet + 1] = c end
    end
    words[#words + 1] = { syms = cs, freq = counts[w] }
  end
  table.sort(alphabet)
  local vocab, invocab = {}, {}
  for _, t in ipairs(specials) do vocab[#vocab + 1] = t; invocab[t] = true end
  for _, t in ipairs(alphabet) do
    if not invocab[t] then vocab[#vocab + 1] = t; invocab[t] = true end
  end
  if #vocab > vocab_size then
    error(("wordpiece.train: vocab_size %d is smaller than the %d special tokens and characters"):format(
      vocab_size, #vocab), 2)
  end
  -- Symbols are numbers (index into `name`) so that pairs are cheap keys.
  local name, num = {}, {}
  local function sym(str)
    if not num[str] then name[#name + 1] = str; num[str] = #name end
    return num[str]
  end
  for _, w in ipairs(words) do
    for i, c in ipairs(w.syms) do w.syms[i] = sym(c) end
  end
  local K = 2 ^ 24 -- pair key a * K + b (exact: ids stay far below 2^24)
  local merges = {}
  while #vocab < vocab_size do
    -- count every symbol and every adjacent pair, weighted by word frequency
    local tc, pc = {}, {}
    for _, w in ipairs(words) do
      local s, f = w.syms, w.freq
      for i = 1, #s do tc[s[i]] = (tc[s[i]] or 0) + f end
      for i = 1, #s - 1 do
        local key = s[i] * K + s[i + 1]
        pc[key] = (pc[key] or 0) + f
      end
    end
    -- best score count(ab) / (count(a) * count(b)), compared exactly with
    -- integers; ties go to the smaller (a, b) as strings
    local best, ba, bb, bn, bd
    for key, n in pairs(pc) do
      local a, b = key // K, key % K
      local d = tc[a] * tc[b]
      if not best or n * bd > bn * d or (n * bd == bn * d and (name[a] < name[ba]
          or (name[a] == name[ba] and name[b] < name[bb]))) then
        best, ba, bb, bn, bd = key, a, b, n, d
      end
    end
    if not best then break end
    local merged = name[ba] .. name[bb]:gsub("^##", "")
    local m = sym(merged)
    -- merge the pair, left to right, in the words that hold it
    for _, w in ipairs(words) do
      local s = w.syms
      for i = 1, #s - 1 do
        if s[i] == ba and s[i + 1] == bb then
          local out, j = {}, 1
          while j <= #s do
            if j < #s and s[j] == ba and s[j + 1] == bb then out[#out + 1] = m; j = j + 2
            else out[#out + 1] = s[j]; j = j + 1 end
          end
          w.syms = out
          break
        end
      end
    end
    merges[#merges + 1] = { name[ba], name[bb] }
    if not invocab[merged] then vocab[#vocab + 1] = merged; invocab[merged] = true end
  end
  local tok = new(vocab, opts)
  tok.merges = merges
  return tok
end

-- The pieces of one word (greedy longest match first).
function Tok:word_pieces(word)
  local cs = chars(word)
  if #cs > self.max_chars then return { self.unk } end
  local out, start = {}, 1
  while start <= #cs do
    local stop, found = #cs, nil
    while stop >= start do
      local piece = table.concat(cs, "", start, stop)
      if start > 1 then piece = "##" .. piece end
      if self.ids[piece] then found = piece; break end
      stop = stop - 1
    end
    if not found then return { self.unk } end
    out[#out + 1] = found
    start = stop + 1
  end
  return out
end

function Tok:tokens(s)
  local out = {}
  for _, w in ipairs(M.pretokenize(s, self.lowercase)) do
    for _, p in ipairs(self:word_pieces(w)) do out[#out + 1] = p end
  end
  return out
end

function Tok:encode(s)
  local ids = {}
  for i, t in ipairs(self:tokens(s)) do ids[i] = self.ids[t] end
  return ids
end

-- Pieces joined: "##" pieces glue to the one before, others get a space.
function Tok:decode(ids)
  local out = {}
  for _, id in ipairs(ids) do
    local t = self.vocab[id + 1] or error(("wordpiece.decode: id %s is outside the vocabulary"):format(tostring(id)), 2)
    if t:sub(1, 2) == "##" and #out > 0 then out[#out + 1] = t:sub(3)
    else
      if #out > 0 then out[#out + 1] = " " end
      out[#out + 1] = t
    end
  end
  return table.concat(out)
end

function Tok:vocab_size() return #self.vocab end
function Tok:token_to_id(t) return self.ids[t] end
function Tok:id_to_token(id) return self.vocab[id + 1] end

-- BERT's vocab.txt: one piece a line, in id order.
function Tok:save(path)
  local f, err = io.open(path, "w")
  if not f then error("wordpiece.save: " .. tostring(err), 2) end
  f:write(table.concat(self.vocab, "\n"), "\n")
  f:close()
end

function M.load(path, opts)
  local f, err = io.open(path, "r")
  if not f then error("wordpiece.load: " .. tostring(err), 2) end
  local vocab = {}
  for line in f:lines() do
    line = line:gsub("\r$", "")
    if line ~= "" then vocab[#vocab + 1] = line end
  end
  f:close()
  if #vocab == 0 then error("wordpiece.load: " .. path .. " holds no pieces", 2) end
  return new(vocab, opts or {})
end

return M
