-- llm.tokenize: word tokenizers and a sentence splitter.
--
--   llm.tokenize.whitespace("a  b")            --> {"a", "b"}
--   llm.tokenize.regex("x=12, y=345", "\\d+")  --> {"12", "345"}   (PCRE2, UTF)
--   llm.tokenize.pretokenize(s, "gpt2")        --> GPT-2's pre-token pieces
--   llm.tokenize.treebank([["Don't," he said.]])
--        --> {"``", "Do", "n't", ",", "''", "he", "said", "."}
--   llm.tokenize.sentences("Dr. Smith left. It rained.")
--        --> {"Dr. Smith left.", "It rained."}
--
-- With {offsets = true} every function returns tables
--   {text = ..., start = c1, stop = c2, byte_start = b1, byte_stop = b2}
-- where start/stop are 1-based character positions (inclusive) and
-- byte_start/byte_stop the bytes, so s:sub(byte_start, byte_stop) is the
-- source of the token (the treebank tokenizer writes quotes as `` and '',
-- so its text can differ from the source span).
local llm = require "llm"
local C = llm._tokenize

local M = {}

-- Characters before byte position b (continuation bytes 0x80-0xBF do not
-- start a character), counted incrementally: tokens come in order.
local function char_counter(s)
  local pos, chars = 1, 0
  return function(b)
    if b < pos then pos, chars = 1, 0 end
    for i = pos, b - 1 do
      local c = s:byte(i)
      if c < 0x80 or c >= 0xC0 then chars = chars + 1 end
    end
    pos = b
    return chars
  end
end

-- Word tokenizers want UTF-8: report the first bad byte (BPE pre-tokens,
-- which keep every byte, do not need this).
local function check_utf8(s, op)
  assert(type(s) == "string", "tokenize." .. op .. ": expected a string")
  local ok, bad = utf8.len(s)
  if not ok then
    error(("tokenize.%s: the text is not valid UTF-8 (bad byte 0x%02x at byte %d)"):format(op, s:byte(bad), bad), 3)
  end
end

-- Turn {text, b1, b2} triples into the result the caller asked for.
local function finish(s, toks, opts)
  local out = {}
  if not (opts and opts.offsets) then
    for i, t in ipairs(toks) do out[i] = t[1] end
    return out
  end
  local before = char_counter(s)
  for i, t in ipairs(toks) do
    local c1 = before(t[2]) + 1
    local c2 = before(t[3] + 1)
    out[i] = { text = t[1], start = c1, stop = c2, byte_start = t[2], byte_stop = t[3] }
  end
  return out
end

-- Split on runs of whitespace (ASCII whitespace and the Unicode spaces of
-- GPT-2's pattern, via PCRE2's \S+ in UCP mode).
function M.whitespace(s, opts)
  check_utf8(s, "whitespace")
  local toks = C.split(s, "\\S+", true)
  return finish(s, toks, opts)
end

-- The matches of a PCRE2 pattern (UTF + UCP), as re.findall would give them.
function M.regex(s, pattern, opts)
  check_utf8(s, "regex")
  assert(type(pattern) == "string", "tokenize.regex: expected a pattern")
  return finish(s, C.split(s, pattern, true), opts)
end

-- All pieces of the BPE pre-tokenizer ("gpt2", "cl100k" or a regex): every
-- byte of s is in exactly one piece.
function M.pretokenize(s, pattern, opts)
  return finish(s, C.split(s, pattern or "gpt2", false), opts)
end

---------------------------------------------------------------- Penn Treebank

local OPEN = { ["("] = true, ["["] = true, ["{"] = true, ["<"] = true }
local CLOSE = { [")"] = true, ["]"] = true, ["}"] = true, [">"] = true }
local TRAIL = { [","] = true, [";"] = true, [":"] = true, ["!"] = true, ["?"] = true, ["%"] = true }
local LEAD = { ["$"] = true, ["#"] = true, ["@"] = true, ["&"] = true }
-- multi-byte marks: their PTB text
local LDQ, RDQ, LSQ, RSQ = "\u{201C}", "\u{201D}", "\u{2018}", "\u{2019}"
local ELLIPSIS = "\u{2026}"

-- Abbreviations whose final period stays on the word (lowercase, no period).
local ABBREV = {}
for w in ([[mr mrs ms dr prof st jr sr vs etc e.g i.e inc ltd co corp no fig figs
  jan feb mar apr jun jul aug sep sept oct nov dec mt ft ave blvd gen col capt lt sgt rev
  hon gov sen rep approx dept est vol p pp ch cf al]]):gmatch("%S+") do ABBREV[w] = true end
M.abbreviations = ABBREV

local function is_abbrev(word)
  local w = word:lower()
  if ABBREV[w] then return true end
  if w:find("^%a$") then return true end          -- an initial: "J."
  if w:find("^%a[%a%.]*%.%a$") then return true end -- "U.S", "e.g", "Ph.D"
  return false
end

-- Contractions the treebank splits in two (lowercase): {first length}.
local WHOLE = { cannot = 3, gonna = 3, gotta = 3, wanna = 3, gimme = 3, lemme = 3 }

local function push(list, text, b1, b2) list[#list + 1] = { text, b1, b2 } end

-- Split the core of a chunk (no leading/trailing punctuation) at
-- contractions: "do|n't", "it|'s", "we|'ll", "can|not".
local split_contraction
function split_contraction(s, a, b, out)
  local w = s:sub(a, b)
  local lw = w:lower():gsub(RSQ, "'")
  local n = #w
  local function cut(k) -- last k bytes of w become a token; the rest may hold more ("we'd've")
    if n - k >= 1 then
      split_contraction(s, a, b - k, out)
      push(out, w:sub(n - k + 1), b - k + 1, b)
      return true
    end
  end
  local curly = w:sub(-5):find(RSQ, 1, true) ~= nil
  local ext = curly and 2 or 0 -- the curly apostrophe is 3 bytes
  if lw:find("n't$") and cut(3 + ext) then return end
  for _, suf in ipairs({ "'s", "'m", "'d", "'ll", "'re", "'ve" }) do
    if lw:sub(-#suf) == suf and #lw > #suf and cut(#suf + ext) then return end
  end
  if WHOLE[lw] then
    local k = WHOLE[lw]
    push(out, w:sub(1, k), a, a + k - 1)
    push(out, w:sub(k + 1), a + k, b)
    return
  end
  push(out, w, a, b)
end

-- Split inside a chunk: "--", the symbols ; @ # $ % &, and commas or colons
-- that are not between digits ("1,000" and "4:05" stay whole).
local function split_inside(s, a, b, out)
  local start, i = a, a
  while i <= b do
    local c = s:sub(i, i)
    local len = 0
    if c == "-" and s:sub(i + 1, i + 1) == "-" and i + 1 <= b then
      len = 2
      while i + len <= b and s:sub(i + len, i + len) == "-" do len = len + 1 end
    elseif c == ";" or c == "@" or c == "#" or c == "$" or c == "%" or c == "&" or c == "!" or c == "?" then
      len = 1
    elseif (c == "," or c == ":") and not (i > a and i < b and s:sub(i - 1, i - 1):find("%d")
                                             and s:sub(i + 1, i + 1):find("%d")) then
      len = 1
    elseif c == '"' then
      len = 1
    end
    if len > 0 then
      if i > start then split_contraction(s, start, i - 1, out) end
      push(out, c == '"' and "''" or s:sub(i, i + len - 1), i, i + len - 1)
      i = i + len
      start = i
    else
      i = i + 1
    end
  end
  if b >= start then split_contraction(s, start, b, out) end
end

local function treebank_chunk(s, a, b, out)
  local pre, post = {}, {}
  -- leading marks
  while a <= b do
    local c = s:sub(a, a)
    if c == '"' then push(pre, "``", a, a); a = a + 1
    elseif s:sub(a, a + 2) == LDQ then push(pre, "``", a, a + 2); a = a + 3
    elseif s:sub(a, a + 1) == "``" then push(pre, "``", a, a + 1); a = a + 2
    elseif s:sub(a, a + 2) == LSQ then push(pre, "`", a, a + 2); a = a + 3
    elseif c == "'" and a < b and not s:sub(a, b):lower():find("^'[smd]$")
        and not s:sub(a, b):lower():find("^'ll$") and not s:sub(a, b):lower():find("^'[rv]e$")
        and not s:sub(a + 1, a + 1):find("%d") then
      push(pre, "`", a, a); a = a + 1
    elseif OPEN[c] or LEAD[c] then push(pre, c, a, a); a = a + 1
    elseif s:sub(a, a + 1) == "\u{BF}" or s:sub(a, a + 1) == "\u{A1}" then push(pre, s:sub(a, a + 1), a, a + 1); a = a + 2
    else break end
  end
  -- trailing marks (collected right to left)
  while b >= a do
    local c = s:sub(b, b)
    if c == '"' then push(post, "''", b, b); b = b - 1
    elseif b - 2 >= a and s:sub(b - 2, b) == RDQ then push(post, "''", b - 2, b); b = b - 3
    elseif b - 1 >= a and s:sub(b - 1, b) == "''" then push(post, "''", b - 1, b); b = b - 2
    elseif c == "'" and b > a and not s:sub(a, b):lower():find("n't$") then push(post, "'", b, b); b = b - 1
    elseif b - 2 >= a and s:sub(b - 2, b) == RSQ and b - 2 > a and not s:sub(a, b):lower():find("n" .. RSQ .. "t$") then
      push(post, "'", b - 2, b); b = b - 3
    elseif CLOSE[c] or TRAIL[c] then push(post, c, b, b); b = b - 1
    elseif b - 2 >= a and s:sub(b - 2, b) == ELLIPSIS then push(post, "...", b - 2, b); b = b - 3
    elseif c == "." then
      local dots = 0
      while b - dots >= a and s:sub(b - dots, b - dots) == "." do dots = dots + 1 end
      if dots >= 2 then push(post, s:sub(b - dots + 1, b), b - dots + 1, b); b = b - dots
      elseif b > a and is_abbrev(s:sub(a, b - 1)) then break
      else push(post, ".", b, b); b = b - 1 end
    elseif b - 1 >= a and s:sub(b - 1, b) == "--" then push(post, "--", b - 1, b); b = b - 2
    else break end
  end
  for _, t in ipairs(pre) do out[#out + 1] = t end
  if a <= b then split_inside(s, a, b, out) end
  for i = #post, 1, -1 do out[#out + 1] = post[i] end
end

-- Penn Treebank conventions: contractions split (do n't, it 's, ca n't),
-- punctuation and brackets separate, opening quotes `` and closing '',
-- abbreviations and initials keep their period, numbers keep their commas
-- and decimal points.
function M.treebank(s, opts)
  check_utf8(s, "treebank")
  local out = {}
  for a, b in s:gmatch("()%S+()") do treebank_chunk(s, a, b - 1, out) end
  return finish(s, out, opts)
end
M.ptb = M.treebank

---------------------------------------------------------------- sentences

local CLOSERS = { ['"'] = 1, ["'"] = 1, [")"] = 1, ["]"] = 1, ["}"] = 1 }
local CLOSERS3 = { [RDQ] = true, [RSQ] = true }

-- Split text into sentences. A sentence ends at ., ! or ? (or a run of
-- them, or an ellipsis), with any closing quotes and brackets after it,
-- when whitespace and then a capital letter, digit or opening quote follow.
-- A period does not end a sentence after an abbreviation (Dr., e.g.,
-- U.S.) or an initial (J. R. R. Tolkien); decimals (3.14) have no space
-- after the point so they never split. A blank line always ends one.
function M.sentences(s, opts)
  check_utf8(s, "sentences")
  local out = {}
  local n = #s
  local start = s:find("%S")
  if not start then return finish(s, out, opts) end
  local i = start
  local function emit(last) -- sentence from start to last (trimmed)
    local a = start
    local b = last
    while b >= a and s:sub(b, b):find("%s") do b = b - 1 end
    if b >= a then push(out, s:sub(a, b), a, b) end
    start = s:find("%S", last + 1)
  end
  while start and i <= n do
    local c = s:sub(i, i)
    local is_end, j = false, i
    if c == "\n" and s:find("^\n[ \t\r]*\n", i) then
      emit(i)
      if not start then break end
      i = start
      goto continue
    end
    if c == "." or c == "!" or c == "?" or s:sub(i, i + 2) == ELLIPSIS then
      -- the run of end marks
      j = i
      while j <= n do
        local d = s:sub(j, j)
        if d == "." or d == "!" or d == "?" then j = j + 1
        elseif s:sub(j, j + 2) == ELLIPSIS then j = j + 3
        else break end
      end
      -- closing quotes and brackets
      while j <= n do
        if CLOSERS[s:sub(j, j)] then j = j + 1
        elseif CLOSERS3[s:sub(j, j + 2)] then j = j + 3
        else break end
      end
      local last = j - 1
      local ws = s:match("^%s+", j)
      if j > n then
        is_end = true
      elseif ws then
        local nxt = j + #ws
        local d = s:sub(nxt, nxt)
        local starts_upper = d:find("[%u%d\"'(%[]") or s:sub(nxt, nxt + 2) == LDQ
            or s:sub(nxt, nxt + 2) == LSQ or (d:byte() or 0) >= 0xC3
        if starts_upper then
          is_end = true
          if c == "." and j - 1 == i then -- a single period: check the word before it
            local w = s:sub(start, i - 1):match("([^%s%(%[\"']+)$") or ""
            if w ~= "" and is_abbrev(w) then is_end = false end
          end
        end
      end
      if is_end then
        emit(last)
        if not start then break end
        i = start
        goto continue
      end
      i = j
      goto continue
    end
    i = i + 1
    ::continue::
  end
  if start and start <= n then emit(n) end
  return finish(s, out, opts)
end

---------------------------------------------------------------- comparing

-- Compare subword tokenizers on one text (lab 6): for each {name = ...,
-- tok = <object with encode/decode/vocab_size>} the vocabulary size, the
-- number of tokens, tokens per whitespace word, bytes per token and
-- whether decode(encode(text)) gives the text back exactly.
function M.compare(list, text)
  local words = #M.whitespace(text)
  local rows = {}
  for i, e in ipairs(list) do
    local ids = e.tok:encode(text)
    local ok, back = pcall(e.tok.decode, e.tok, ids)
    rows[i] = {
      name = e.name or ("tokenizer " .. i),
      vocab_size = e.tok:vocab_size(),
      tokens = #ids,
      tokens_per_word = words > 0 and #ids / words or 0,
      bytes_per_token = #ids > 0 and #text / #ids or 0,
      round_trip = ok and back == text,
    }
  end
  return rows
end

return M
