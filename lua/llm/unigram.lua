-- llm.unigram: a Unigram language-model tokenizer in the manner of
-- SentencePiece, written in Lua to be read.
--
--   local ug = llm.unigram.train(text, {vocab_size = 1000})
--   ug:tokens("Hello world")  --> {"▁Hello", "▁world"}
--   ug:encode(s) / ug:decode(ids) / ug:save(path) / llm.unigram.load(path)
--
-- Text: words are split at whitespace and each starts with "▁" (U+2581),
-- so decoding restores single spaces between words. Each piece has a
-- log-probability; a word is segmented by Viterbi into the pieces whose
-- log-probabilities sum highest. Characters no piece covers map to <unk>.
--
-- Training (after Kudo 2018 and SentencePiece's unigram trainer):
--  1. seed pieces: every substring of up to max_piece_chars characters that
--     occurs at least twice, the most frequent (count x length) kept, plus
--     every character;
--  2. EM: the E-step runs forward-backward over each word's lattice to get
--     the expected count of every piece, the M-step sets log p = log(count /
--     total) and drops pieces expected less than once (never characters);
--  3. pruning: each piece's loss is how much the corpus log-likelihood drops
--     if every use of it in the Viterbi segmentations is replaced by the best
--     segmentation of that piece without it; the pieces with the smallest
--     loss are removed, keeping shrink (0.75) of the vocabulary each round,
--     until vocab_size is reached.
-- Ids: 0 <unk>, 1 <s>, 2 </s>, then the pieces by decreasing probability.

local M = {}
local SPACE = "\u{2581}"
local NEG = -math.huge

local Tok = {}
Tok.__index = Tok

local function chars(w)
  local out = {}
  for _, cp in utf8.codes(w) do out[#out + 1] = utf8.char(cp) end
  return out
end

-- Words with their "▁" prefix, counted.
local function count_words(text)
  if not utf8.len(text) then error("unigram: the text is not valid UTF-8", 3) end
  local counts, n = {}, 0
  for w in text:gmatch("%S+") do
    w = SPACE .. w
    counts[w] = (counts[w] or 0) + 1
    n = n + 1
  end
  return counts, n
end

local function logsumexp(a, b)
  if a == NEG then return b end
  if b == NEG then return a end
  if a > b then return a + math.log(1 + math.exp(b - a)) end
  return b + math.log(1 + math.exp(a - b))
end

-- The lattice of a word: every piece cs[i+1..j] of up to maxlen characters
-- that logp scores, by start i then end j, written into the parallel arrays
-- of lat (from = i, to = j, piece, lp = its log p); returns how many.
local function lattice(cs, logp, maxlen, lat)
  local from, to, pieces, lps, n = lat.from, lat.to, lat.piece, lat.lp, 0
  local len = #cs
  for i = 0, len - 1 do
    local piece = ""
    for j = i + 1, math.min(len, i + maxlen) do
      piece = piece .. cs[j]
      local lp = logp[piece]
      if lp then
        n = n + 1
        from[n], to[n], pieces[n], lps[n] = i, j, piece, lp
      end
    end
  end
  return n
end

local function new_lattice() return { from = {}, to = {}, piece = {}, lp = {} } end

-- Viterbi over the characters cs with piece scores logp (piece -> log p),
-- pieces up to maxlen characters, optionally without one piece. Returns the
-- pieces (or nil when some character has no piece) and the total score.
-- lat: the lattice (new_lattice) to fill, reused so that a loop allocates
-- it once.
local function viterbi(cs, logp, maxlen, without, lat)
  local n = #cs
  local best, back = { [0] = 0 }, {}
  for i = 1, n do best[i] = NEG end
  local from, to, pieces, lps = lat.from, lat.to, lat.piece, lat.lp
  for e = 1, lattice(cs, logp, maxlen, lat) do
    local i, j = from[e], to[e]
    if best[i] > NEG and pieces[e] ~= without then
      local s = best[i] + lps[e]
      if s > best[j] then best[j], back[j] = s, i end
    end
  end
  if best[n] == NEG then return nil, NEG end
  local out, j = {}, n
  while j > 0 do
    local i = back[j]
    table.insert(out, 1, table.concat(cs, "", i + 1, j))
    j = i
  end
  return out, best[n]
end

-- Expected counts of the pieces over all words (forward-backward).
local function e_step(words, logp, maxlen)
  local expected, loglik = {}, 0
  local lat = new_lattice()
  local from, to, pieces, lps = lat.from, lat.to, lat.piece, lat.lp
  for _, w in ipairs(words) do
    local cs, n = w.cs, #w.cs
    local alpha, beta = { [0] = 0 }, {}
    for i = 1, n do alpha[i] = NEG end
    local edges = lattice(cs, logp, maxlen, lat)
    for e = 1, edges do
      local i = from[e]
      if alpha[i] > NEG then alpha[to[e]] = logsumexp(alpha[to[e]], alpha[i] + lps[e]) end
    end
    for i = 0, n - 1 do beta[i] = NEG end
    beta[n] = 0
    for j = n, 1, -1 do
      if beta[j] > NEG then
        local piece = ""
        for i = j - 1, math.max(0, j - maxlen), -1 do
          piece = cs[i + 1] .. piece
          local lp = logp[piece]
          if lp then beta[i] = logsumexp(beta[i], beta[j] + lp) end
        end
      end
    end
    local z = alpha[n]
    loglik = loglik + w.freq * z
    for e = 1, edges do
      local i, j, piece = from[e], to[e], pieces[e]
      if alpha[i] > NEG and beta[j] > NEG then
        local post = math.exp(alpha[i] + lps[e] + beta[j] - z)
        expected[piece] = (expected[piece] or 0) + w.freq * post
      end
    end
  end
  return expected, loglik
end

-- The keys of t (pieces) by decreasing value, ties in string order.
local function by_value(t)
  local list = {}
  for p in pairs(t) do list[#list + 1] = p end
  table.sort(list, function(a, b)
    if t[a] ~= t[b] then return t[a] > t[b] end
    return a < b
  end)
  return list
end

-- log p from expected counts. Pieces expected less than once are dropped
-- (characters never), unless that would leave fewer than min_keep pieces:
-- then the most expected ones are kept.
local function normalise(counts, is_char, min_keep)
  local list = by_value(counts)
  local keep, total = {}, 0
  for i, p in ipairs(list) do
    local c = counts[p]
    if c >= 1 or is_char[p] or i <= (min_keep or 0) then
      keep[p] = math.max(c, 1e-3)
      total = total + keep[p]
    end
  end
  local logp = {}
  for p, c in pairs(keep) do logp[p] = math.log(c / total) end
  return logp
end

local function new(pieces, logp, maxlen)
  local self = setmetatable({ pieces = { "<unk>", "<s>", "</s>" }, logp = logp, ids = {}, maxlen = maxlen }, Tok)
  for _, p in ipairs(pieces) do self.pieces[#self.pieces + 1] = p end
  for i, p in ipairs(self.pieces) do self.ids[p] = i - 1 end
  self.unk_logp = -1e6
  return self
end

-- Train. opts: vocab_size (required, counting <unk> <s> </s>),
-- max_piece_chars (8), seed_size (vocab_size * 8), shrink (0.75), em_iters (2).
function M.train(text, opts)
  if type(text) == "table" then text = table.concat(text, "\n") end
  opts = opts or {}
  local vocab_size = opts.vocab_size or error("unigram.train: vocab_size is required", 2)
  local maxlen = opts.max_piece_chars or 8
  local shrink = opts.shrink or 0.75
  local em_iters = opts.em_iters or 2
  local counts = count_words(text)
  local words = {}
  local wl = {}
  for w in pairs(counts) do wl[#wl + 1] = w end
  if #wl == 0 then error("unigram.train: the corpus is empty", 2) end
  table.sort(wl)
  for _, w in ipairs(wl) do words[#words + 1] = { cs = chars(w), freq = counts[w] } end

  -- 1. seed pieces
  local sub, is_char = {}, {}
  for _, w in ipairs(words) do
    local cs, n = w.cs, #w.cs
    for i = 1, n do
      is_char[cs[i]] = true
      local piece = ""
      for j = i, math.min(n, i + maxlen - 1) do
        piece = piece .. cs[j]
        sub[piece] = (sub[piece] or 0) + w.freq
      end
    end
  end
  local n_chars = 0
  for _ in pairs(is_char) do n_chars = n_chars + 1 end
  if vocab_size < n_chars + 3 then
    error(("unigram.train: vocab_size %d is smaller than the %d characters plus 3 special tokens"):format(
      vocab_size, n_chars), 2)
  end
  local cand = {}
  for p, c in pairs(sub) do
    if not is_char[p] and c >= 2 then cand[#cand + 1] = p end
  end
  table.sort(cand, function(a, b)
    local sa, sb = sub[a] * utf8.len(a), sub[b] * utf8.len(b)
    if sa ~= sb then return sa > sb end
    return a < b
  end)
  local seed_size = opts.seed_size or vocab_size * 8
  local init = {}
  for c in pairs(is_char) do init[c] = sub[c] end
  for i = 1, math.min(#cand, seed_size) do init[cand[i]] = sub[cand[i]] end
  local logp = normalise(init, is_char)

  local target = vocab_size - 3
  local function em()
    for _ = 1, em_iters do
      local expected = e_step(words, logp, maxlen)
      for c in pairs(is_char) do expected[c] = expected[c] or 0 end
      for p in pairs(logp) do expected[p] = expected[p] or 0 end
      logp = normalise(expected, is_char, target)
    end
  end
  em()
  local size = 0
  for _ in pairs(logp) do size = size + 1 end
  local round, lat = 0, new_lattice()
  while size > target do
    round = round + 1
    -- 3. loss of removing each piece
    local freq = {}
    for _, w in ipairs(words) do
      local seg = viterbi(w.cs, logp, maxlen, nil, lat)
      for _, p in ipairs(seg) do freq[p] = (freq[p] or 0) + w.freq end
    end
    local loss = {}
    local list = {}
    for p, lp in pairs(logp) do
      if not is_char[p] then
        local f = freq[p] or 0
        local _, alt = viterbi(chars(p), logp, maxlen, p, lat)
        loss[p] = f * (lp - alt)
        list[#list + 1] = p
      end
    end
    table.sort(list, function(a, b)
      if loss[a] ~= loss[b] then return loss[a] > loss[b] end
      return a < b
    end)
    local keep_n = math.max(target - n_chars, math.floor((size * shrink)) - n_chars)
    local kept = {}
    for c in pairs(is_char) do kept[c] = logp[c] end
    for i = 1, math.min(#list, keep_n) do kept[list[i]] = logp[list[i]] end
    -- renormalise the kept pieces, then EM again
    local counts2 = {}
    for p, lp in pairs(kept) do counts2[p] = math.exp(lp) * 1e6 end
    logp = normalise(counts2, is_char, target)
    em()
    local nsize = 0
    for _ in pairs(logp) do nsize = nsize + 1 end
    if nsize >= size then break end
    size = nsize
  end
  -- the final cut to exactly target (EM may have dropped a few below it)
  local list = by_value(logp)
  local final, fl = {}, {}
  for _, p in ipairs(list) do
    if #fl < target or is_char[p] then final[p] = logp[p]; fl[#fl + 1] = p end
  end
  return new(fl, final, maxlen)
end

-- The pieces of s (Viterbi per word; unknown characters as <unk>).
function Tok:tokens(s)
  local out, lat = {}, new_lattice()
  for w in s:gmatch("%S+") do
    local cs = chars(SPACE .. w)
    -- unknown characters get a very low score so that Viterbi always succeeds
    local logp = self.logp
    local extra = nil
    for _, c in ipairs(cs) do
      if not logp[c] then
        extra = extra or setmetatable({}, { __index = logp })
        extra[c] = self.unk_logp
      end
    end
    local seg = viterbi(cs, extra or logp, self.maxlen, nil, lat)
    for _, p in ipairs(seg) do out[#out + 1] = p end
  end
  return out
end

function Tok:encode(s)
  if not utf8.len(s) then error("unigram.encode: the text is not valid UTF-8", 2) end
  local ids = {}
  for i, p in ipairs(self:tokens(s)) do ids[i] = self.ids[p] or 0 end
  return ids
end

function Tok:decode(ids)
  local out = {}
  for i, id in ipairs(ids) do
    local p = self.pieces[id + 1] or error(("unigram.decode: id %s is outside the vocabulary"):format(tostring(id)), 2)
    if id < 3 then p = id == 0 and " \u{2047} " or "" end
    out[i] = p
  end
  return (table.concat(out):gsub(SPACE, " "):gsub("^ ", ""))
end

function Tok:vocab_size() return #self.pieces end
function Tok:token_to_id(p) return self.ids[p] end
function Tok:id_to_token(id) return self.pieces[id + 1] end
function Tok:score(p) return self.logp[p] end

-- Text format as SentencePiece's .vocab: "piece<TAB>log p" a line, in id order.
function Tok:save(path)
  local f, err = io.open(path, "w")
  if not f then error("unigram.save: " .. tostring(err), 2) end
  f:write("#llmlab-unigram 1 max_piece_chars=", self.maxlen, "\n")
  for i = 4, #self.pieces do
    local p = self.pieces[i]
    f:write(p, "\t", string.format("%.17g", self.logp[p]), "\n")
  end
  f:close()
end

-- The "piece<TAB>score" lines of the open file f (n lines read so far):
-- the pieces in file order and their scores. Closes f; a bad line raises
-- op's error naming it, at the caller of op.
local function read_scores(f, path, n, op)
  local pieces, scores = {}, {}
  for line in f:lines() do
    n = n + 1
    local p, s = line:match("^([^\t]+)\t(%S+)$")
    if not p or not tonumber(s) then
      f:close()
      error(("%s: %s line %d is not 'piece<TAB>score'"):format(op, path, n), 3)
    end
    pieces[#pieces + 1] = p
    scores[p] = tonumber(s)
  end
  f:close()
  return pieces, scores
end

function M.load(path)
  local f, err = io.open(path, "r")
  if not f then error("unigram.load: " .. tostring(err), 2) end
  local header = f:read("l") or ""
  local maxlen = tonumber(header:match("^#llmlab%-unigram 1 max_piece_chars=(%d+)"))
  if not maxlen then f:close(); error("unigram.load: " .. path .. " is not an llmlab unigram file", 2) end
  local pieces, logp = read_scores(f, path, 1, "unigram.load")
  return new(pieces, logp, maxlen)
end

-- A model from a SentencePiece .vocab file ("piece<TAB>score" lines, as
-- spm_train writes next to the .model): its Viterbi gives spm_encode's
-- pieces for a unigram model trained without normalisation. The control
-- pieces <unk>, <s> and </s> are skipped (ours have fixed ids 0-2).
function M.from_spm_vocab(path)
  local f, err = io.open(path, "r")
  if not f then error("unigram.from_spm_vocab: " .. tostring(err), 2) end
  local _, scores = read_scores(f, path, 0, "unigram.from_spm_vocab")
  scores["<unk>"], scores["<s>"], scores["</s>"] = nil, nil, nil
  return M.new(scores)
end

-- A model from pieces and their log-probabilities (for examples and tests).
function M.new(scores, opts)
  local logp, maxlen = {}, 1
  for p, s in pairs(scores) do logp[p] = s; maxlen = math.max(maxlen, utf8.len(p)) end
  return new(by_value(logp), logp, (opts and opts.max_piece_chars) or maxlen)
end

return M
