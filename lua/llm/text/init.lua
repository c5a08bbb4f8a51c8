-- llm.text: cleaning, statistics and duplicate detection for corpora.
-- The work happens in the C engine (src/engine/text/, bound as
-- llm.core._text); this file gives it named options and returns plain Lua
-- tables, ready to print or plot.
--
--   text.normalize(s [, form [, {casefold=}]])  form "nfc"|"nfd"|"nfkc"|"nfkd"|"none"
--   text.nfc(s), text.nfkc(s), text.casefold(s)
--   text.repair_utf8(s) -> s, count     text.is_utf8(s) -> ok, byte offset of the first bad byte
--   text.html_to_text(html [, {boilerplate = false}])
--   text.standardize(s [, {control, whitespace, quotes, dashes, zerowidth}]) -> s, changes
--   text.clean(s [, opts]) -> s, report   (repair, html, standardise, normalise in one pass)
--   text.quality(s [, opts]) -> report {keep, rule, reason, words, ...}
--   text.statistics(docs [, opts]) -> {bytes, chars, words, sentences, lines, types, hapax, ttr,
--                                       top = {{word, count}}, hapax_words, sentence_lengths = {x, y, mean},
--                                       zipf = {s, a, r2, rank, freq}}
--   text.words(s) -> list of words (the engine's definition)
--   text.shingles(s [, {kind="word"|"char", size=3}]) ; text.jaccard(a, b)
--   text.exact_duplicates(docs) -> groups of equal documents
--   text.dedup(docs [, {kind, size, perms, bands, threshold, seed}]) -> clusters
--   text.edit_distance(a, b), text.similarity(a, b), text.fuzzy_duplicates(list [, threshold])
--   text.passive(sentence) -> spans ; text.is_passive(sentence)
local C = require("llm.core")._text
local M = {}

M.null = C.null

local forms = { none = true, nfc = true, nfd = true, nfkc = true, nfkd = true }

function M.normalize(s, form, opts)
  form = form or "nfc"
  if type(s) ~= "string" then error("text.normalize: expected a string, got " .. type(s), 2) end
  if not forms[form] then error(("text.normalize: unknown form '%s' (nfc, nfd, nfkc, nfkd, none)"):format(tostring(form)), 2) end
  return C.normalize(s, form, opts and opts.casefold)
end

function M.nfc(s) return (C.normalize(s, "nfc", false)) end
function M.nfkc(s) return (C.normalize(s, "nfkc", false)) end
function M.casefold(s) return (C.normalize(s, "none", true)) end

function M.repair_utf8(s) return C.utf8_repair(s) end
function M.is_utf8(s)
  local at = C.utf8_check(s)
  if at then return false, at end
  return true
end
M.utf8_length = C.utf8_length

-- opts.boilerplate = false also drops nav, footer, aside, menu and form contents.
function M.html_to_text(s, opts)
  return C.html_to_text(s, opts ~= nil and opts.boilerplate == false)
end

local rule_bits = {
  control = C.STD_CONTROL, whitespace = C.STD_WHITESPACE, quotes = C.STD_QUOTES,
  dashes = C.STD_DASHES, zerowidth = C.STD_ZEROWIDTH,
}

-- opts: a table of rule = true/false; missing rules are on.
local function std_mask(opts, fname)
  local mask = 0
  for name, bit in pairs(rule_bits) do
    if not opts or opts[name] ~= false then mask = mask | bit end
  end
  if opts then
    for k in pairs(opts) do
      if rule_bits[k] == nil and k ~= "html" and k ~= "form" and k ~= "casefold" and k ~= "standardize"
          and k ~= "boilerplate" then
        error(("%s: unknown option '%s'"):format(fname, tostring(k)), 3)
      end
    end
  end
  return mask
end

-- Returns the text, the number of changes and the number of invalid UTF-8
-- sequences repaired (to U+FFFD) on the way.
function M.standardize(s, opts)
  return C.standardize(s, std_mask(opts, "text.standardize"))
end

-- One cleaning pass: repair UTF-8, optionally HTML to text, standardise,
-- normalise. opts: html (false), form ("nfc"), casefold (false),
-- standardize (true) plus the standardize rules.
function M.clean(s, opts)
  opts = opts or {}
  local report = {}
  report.invalid_utf8 = 0
  local mask = opts.standardize ~= false and std_mask(opts, "text.clean") or nil
  -- standardize repairs invalid UTF-8 itself (and counts it): no separate pass
  if (opts.html or not mask) and C.utf8_check(s) then s, report.invalid_utf8 = C.utf8_repair(s) end
  if opts.html then s = C.html_to_text(s, opts.boilerplate == false) end
  if mask then
    local bad
    s, report.standardized, bad = C.standardize(s, mask)
    report.invalid_utf8 = report.invalid_utf8 + bad
  end
  local form = opts.form or "nfc"
  if not forms[form] then error(("text.clean: unknown form '%s'"):format(tostring(form)), 2) end
  if form ~= "none" or opts.casefold then s = C.normalize(s, form, opts.casefold) end
  return s, report
end

function M.quality(s, opts) return C.quality(s, opts) end

-- The words of s, as the statistics and shingles see them.
M.words = C.words

-- Statistics over one string, a list of strings, or an iterator of strings.
-- opts: casefold (true), top (50), max_sentence_len (100), zipf_ranks (0 = all).
function M.statistics(docs, opts)
  opts = opts or {}
  local st <close> = C.stats_new(opts.casefold ~= false, opts.max_sentence_len or 100)
  local n = 0
  if type(docs) == "string" then st:add(docs) n = 1
  elseif type(docs) == "table" then for _, d in ipairs(docs) do st:add(d) n = n + 1 end
  elseif type(docs) == "function" then for d in docs do st:add(d) n = n + 1 end
  else error("text.statistics: expected a string, a list of strings or an iterator, got " .. type(docs), 2) end
  local t = st:totals()
  local out = { documents = n }
  for k, v in pairs(t) do out[k] = v end
  out.top = {}
  for i, p in ipairs(st:top(opts.top or 50)) do out.top[i] = { word = p[1], count = p[2] } end
  out.hapax_words = st:hapax(opts.hapax_words or 50) -- a sample, in byte order
  local hist = st:sentence_lengths()
  local xs, ys = {}, {}
  local total_len, count = 0, 0
  for i, c in ipairs(hist) do
    xs[i], ys[i] = i - 1, c
    total_len, count = total_len + (i - 1) * c, count + c
  end
  out.sentence_lengths = { x = xs, y = ys, mean = count > 0 and total_len / count or 0 }
  if t.types >= 2 then
    local s, a, r2 = st:zipf(opts.zipf_ranks or 0)
    local ranks, freqs = {}, {}
    local topn = st:top(math.min(t.types, opts.zipf_points or 1000))
    for i, p in ipairs(topn) do ranks[i], freqs[i] = i, p[2] end
    out.zipf = { s = s, a = a, r2 = r2, rank = ranks, freq = freqs }
  end
  return out
end

function M.shingles(s, opts)
  opts = opts or {}
  return C.shingles(s, opts.kind or "word", opts.size or 3)
end

function M.jaccard(a, b, opts)
  if type(a) == "string" then a = M.shingles(a, opts) end
  if type(b) == "string" then b = M.shingles(b, opts) end
  return C.jaccard(a, b)
end

function M.hash(s) return C.hash64(s) end

-- Groups of identical documents (by 64-bit hash, confirmed byte for byte):
-- a list of lists of indices, only groups of two or more.
function M.exact_duplicates(docs)
  local by, order = {}, {}
  for i, d in ipairs(docs) do
    local h = C.hash64(d)
    local g = by[h]
    if not g then g = {} by[h] = g order[#order + 1] = h end
    local placed = false
    for _, grp in ipairs(g) do
      if docs[grp[1]] == d then grp[#grp + 1] = i placed = true break end
    end
    if not placed then g[#g + 1] = { i } end
  end
  local out = {}
  for _, h in ipairs(order) do
    for _, grp in ipairs(by[h]) do if #grp > 1 then out[#out + 1] = grp end end
  end
  return out
end

-- Near-duplicate detection with MinHash + LSH, verified by Jaccard.
-- docs: list of strings or an iterator. Returns
--   { cluster = {rep of each doc}, keep = {indices kept}, removed = {indices},
--     clusters = { {rep, member, ...}, ... } (size >= 2), pairs = {{i, j, jaccard}},
--     candidates = pairs checked, exact = identical pairs }
function M.dedup(docs, opts)
  opts = opts or {}
  local d <close> = C.dedup_new(opts.kind or "word", opts.size or 3, opts.perms or 128, opts.bands or 32,
                                opts.threshold or 0.8, opts.seed)
  if type(docs) == "table" then for _, s in ipairs(docs) do d:add(s) end
  elseif type(docs) == "function" then for s in docs do d:add(s) end
  else error("text.dedup: expected a list of strings or an iterator, got " .. type(docs), 2) end
  local r = d:run()
  r.keep, r.removed, r.clusters = {}, {}, {}
  local groups = {}
  for i, rep in ipairs(r.cluster) do
    if rep == i then r.keep[#r.keep + 1] = i else r.removed[#r.removed + 1] = i end
    local g = groups[rep]
    if not g then g = {} groups[rep] = g end
    g[#g + 1] = i
  end
  for _, i in ipairs(r.keep) do
    if #groups[i] > 1 then r.clusters[#r.clusters + 1] = groups[i] end
  end
  return r
end

M.edit_distance = C.edit_distance
M.similarity = C.similarity

-- Pairs of short strings whose normalised edit similarity is >= threshold
-- (0.9 by default), as {i, j, similarity}. Quadratic, with a length filter:
-- strings whose lengths differ by more than (1 - threshold) cannot match.
function M.fuzzy_duplicates(list, threshold)
  threshold = threshold or 0.9
  local lens = {}
  for i, s in ipairs(list) do lens[i] = C.utf8_length(s) end
  local out = {}
  for i = 1, #list do
    for j = i + 1, #list do
      local m = math.max(lens[i], lens[j])
      if m == 0 or math.abs(lens[i] - lens[j]) <= (1 - threshold) * m then
        local sim = C.similarity(list[i], list[j])
        if sim >= threshold then out[#out + 1] = { i, j, sim } end
      end
    end
  end
  return out
end

-- Passive voice lives in its own file (word lists and rules).
function M.passive(s, opts) return require("llm.text.passive").find(s, opts) end
function M.is_passive(s, opts) return #require("llm.text.passive").find(s, opts) > 0 end

return M
