-- llm.wordcorpus: the real corpora of weeks 5 and 6 as plain lower-case
-- words, one sentence per entry, ready for llm.embed (one sentence per
-- line), for word-level vocabularies (llm.mlm.Vocab) and for RNN language
-- models. Lab steps call it inside their sandbox, so it only reads files
-- (through the sandbox's read-only io) and stops early when a lab asks for
-- a small piece of a corpus.
--
--   local wc = require "llm.wordcorpus"
--   local sents = wc.kjv{verses = 5000}        -- {"in the beginning god created ...", ...}
--   local sents = wc.sotu{speeches = 20, from = 1900}   -- sentences of State of the Union speeches
--   wc.text(sents)   -> one sentence per line (what llm.embed trains on)
--   wc.words(sents)  -> {"in", "the", "beginning", ...}
--   wc.clean("Let there be light: and...")  -> "let there be light and"
--   wc.split(ids, 0.9)        -> the first 90% and the rest of a 1-D id tensor
--   wc.unigram_entropy(ids)   -> entropy (nats) of the ids' frequencies: the loss
--                                of a model that knows only how often each id occurs
--
-- Cleaning keeps letters (ASCII, lower-cased) and inner apostrophes and
-- turns everything else into spaces, so "LORD's" -> "lord's" and verse
-- numbers and punctuation disappear. A corpus that is not fetched gives an
-- error naming `llmlab data fetch NAME`.
local M = {}

local function data_dir()
  return require("llm.data").dir()
end

local function open(name, file)
  local path = data_dir() .. "/" .. name .. "/" .. file
  -- (a sandbox's io.open raises where the plain one returns nil)
  local ok, f = pcall(io.open, path, "r")
  if not ok or not f then
    error(("wordcorpus: %s is missing; run `llmlab data fetch %s`"):format(path, name), 3)
  end
  return f, path
end

-- Text -> lower-case words joined by single spaces; newlines are kept
-- (so a whole corpus can be cleaned at once, one sentence per line).
function M.clean(s)
  s = (" " .. s:lower() .. " "):gsub("[^a-z'\n]+", " ")
  s = s:gsub("'+([ \n])", "%1"):gsub("([ \n])'+", "%1") -- quotes, not apostrophes
  s = s:gsub(" *\n[ \n]*", "\n"):gsub("  +", " ")
  return (s:gsub("^[ \n]+", ""):gsub("[ \n]+$", ""))
end

local function split_lines(s, out)
  for line in s:gmatch("[^\n]+") do out[#out + 1] = line end
  return out
end

-- King James Bible verses (31,102 of them), from `start` (1), at most
-- `verses` (all). Book and chapter headings are skipped.
function M.kjv(opts)
  opts = opts or {}
  local start, limit = opts.start or 1, opts.verses or math.huge
  local f = open("kjv", "kjv.txt")
  local raw, seen = {}, 0
  for line in f:lines() do
    local v = line:match("^%s+%d+%s+(.*)$")
    if v then
      seen = seen + 1
      if seen >= start then
        raw[#raw + 1] = v
        if #raw >= limit then break end
      end
    end
  end
  f:close()
  return split_lines(M.clean(table.concat(raw, "\n")), {})
end

-- Sentences from State of the Union speeches, in date order: at most
-- `speeches` (all) of those from year `from` (1790) on. Sentences end at
-- . ! or ?; those of fewer than `min_words` (3) words are dropped.
function M.sotu(opts)
  opts = opts or {}
  local from, limit, min_words = opts.from or 1790, opts.speeches or math.huge, opts.min_words or 3
  -- the package's datapackage.json lists every speech (a sandbox cannot list folders)
  local f = open("sotu", "package/datapackage.json")
  local index = f:read("a")
  f:close()
  local root = data_dir() .. "/sotu/package/"
  local files = {}
  for p in index:gmatch('"path"%s*:%s*"%./(data/[^"]+%.txt)"') do files[#files + 1] = root .. p end
  if #files == 0 then error("wordcorpus: the sotu index lists no speeches; fetch it again", 2) end
  table.sort(files)
  local out, used = {}, 0
  for _, path in ipairs(files) do
    local year = tonumber(path:match("(%d%d%d%d)_[^/]*$") or "")
    if year and year >= from then
      local f = io.open(path, "r")
      if f then
        local text = f:read("a")
        f:close()
        text = M.clean((text:gsub("\n", " "):gsub("[.!?]+", "\n")))
        for c in text:gmatch("[^\n]+") do
          local n = select(2, c:gsub("%S+", ""))
          if n >= min_words then out[#out + 1] = c end
        end
        used = used + 1
        if used >= limit then break end
      end
    end
  end
  return out
end

function M.text(sentences) return table.concat(sentences, "\n") end

function M.words(sentences)
  local out = {}
  for _, s in ipairs(sentences) do
    for w in s:gmatch("%S+") do out[#out + 1] = w end
  end
  return out
end

-- Training and held-out parts of a 1-D tensor: the first `frac` of it and the rest.
function M.split(ids, frac)
  local n = ids:size(1)
  local nt = math.floor(n * frac)
  return ids:narrow(1, 1, nt), ids:narrow(1, nt + 1, n - nt)
end

function M.unigram_entropy(ids)
  local c, n = {}, 0
  for _, id in ipairs(ids:totable()) do c[id] = (c[id] or 0) + 1; n = n + 1 end
  local h = 0
  for _, k in pairs(c) do h = h - k / n * math.log(k / n) end
  return h
end

return M
