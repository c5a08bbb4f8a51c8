-- llm.augment: text augmentation, seeded by llm.seed(n) (every random
-- choice comes from the engine PRNG), after "EDA" (Wei & Zou, 2019) plus
-- character noise:
--
--   llm.seed(1)
--   local A = llm.augment
--   A.synonyms("happy", "a")                      --> {"felicitous", "glad", ...} (WordNet)
--   A.synonym_replacement("the film was good", {n = 1})
--   A.random_insertion(tokens, {n = 1}); A.random_swap(tokens, {n = 2})
--   A.random_deletion(tokens, {p = 0.1})
--   A.keyboard_typos("hello world", {p = 0.1}); A.char_swaps(text, {p = 0.05})
--   A.eda("a sentence to vary", {num_aug = 4})    --> 4 variants
--   A.augment_dataset(examples, {per_example = 2, check = function(orig, new, label) ... end})
--
-- Text in, text out (tokens split on whitespace, joined with one space);
-- arrays of tokens in, arrays out.
local llm = require "llm"
local C = llm._ngram

local M = {}

local POS = { n = 1, noun = 1, v = 2, verb = 2, a = 3, adj = 3, s = 3, r = 4, adv = 4 }

--- WordNet synonyms of a word; pos: nil (any), "n", "v", "a", "r" (or "noun", ...).
function M.synonyms(word, pos)
  local p = 0
  if pos ~= nil then
    p = POS[pos]
    if not p then error("synonyms: part of speech must be n, v, a or r, got " .. tostring(pos), 2) end
  end
  return C.synonyms(word, p)
end

-- A few English function words never replaced (written for this project).
M.stop_words = {}
for w in ("a an the and or but if of to in on at by for with from as is are was were be been being "
  .. "it its this that these those i you he she we they me him her us them my your his our their "
  .. "not no so do does did have has had will would can could shall should may might must"):gmatch("%S+") do
  M.stop_words[w] = true
end

local function to_tokens(x, op)
  if type(x) == "string" then
    local t = {}
    for w in x:gmatch("%S+") do t[#t + 1] = w end
    return t, true
  elseif type(x) == "table" then
    local t = {}
    for i, w in ipairs(x) do
      if type(w) ~= "string" then error(op .. ": token " .. i .. " is not a string", 3) end
      t[i] = w
    end
    return t, false
  end
  error(op .. ": expected a string or an array of tokens, got " .. type(x), 3)
end

local function back(t, was_text) if was_text then return table.concat(t, " ") end return t end

local function pos_of(opts, i)
  local p = opts.pos
  if type(p) == "table" then return p[i] end
  return p
end

local function candidates(word, pos)
  local ok, syn = pcall(M.synonyms, word:lower(), pos)
  if not ok then error("augment: " .. tostring(syn), 4) end
  local out = {}
  for _, s in ipairs(syn) do if s ~= word:lower() then out[#out + 1] = s end end
  return out
end

--- Replace up to n words (not stop words) by a random WordNet synonym.
-- opts: n (1), pos (one tag or one per token), stop_words (set).
function M.synonym_replacement(x, opts)
  opts = opts or {}
  local t, was_text = to_tokens(x, "synonym_replacement")
  local stop = opts.stop_words or M.stop_words
  local n, done = opts.n or 1, 0
  for _, i in ipairs(llm.sampling.permutation(#t)) do
    if done >= n then break end
    local w = t[i]
    if not stop[w:lower()] and w:find("%a") then
      local syn = candidates(w, pos_of(opts, i))
      if #syn > 0 then
        t[i] = syn[llm.random(#syn)]
        done = done + 1
      end
    end
  end
  return back(t, was_text), done
end

--- Insert a synonym of a random word at a random place, n times.
function M.random_insertion(x, opts)
  opts = opts or {}
  local t, was_text = to_tokens(x, "random_insertion")
  local stop = opts.stop_words or M.stop_words
  for _ = 1, opts.n or 1 do
    if #t == 0 then break end
    for _ = 1, 10 do -- a few tries to find a word with synonyms
      local i = llm.random(#t)
      if not stop[t[i]:lower()] then
        local syn = candidates(t[i], pos_of(opts, i))
        if #syn > 0 then
          table.insert(t, llm.random(#t + 1), syn[llm.random(#syn)])
          break
        end
      end
    end
  end
  return back(t, was_text)
end

--- Swap two random words, n times.
function M.random_swap(x, opts)
  opts = opts or {}
  local t, was_text = to_tokens(x, "random_swap")
  if #t >= 2 then
    for _ = 1, opts.n or 1 do
      local i, j = llm.random(#t), llm.random(#t - 1)
      if j >= i then j = j + 1 end
      t[i], t[j] = t[j], t[i]
    end
  end
  return back(t, was_text)
end

--- Delete each word with probability p (0.1); one word always stays.
function M.random_deletion(x, opts)
  opts = opts or {}
  local p = opts.p or 0.1
  if type(p) ~= "number" or p < 0 or p > 1 then error("random_deletion: p must be in [0, 1]", 2) end
  local t, was_text = to_tokens(x, "random_deletion")
  if #t <= 1 then return back(t, was_text) end
  local out = {}
  for _, w in ipairs(t) do if llm.random() >= p then out[#out + 1] = w end end
  if #out == 0 then out[1] = t[llm.random(#t)] end
  return back(out, was_text)
end

-- QWERTY neighbours of each letter (for typos).
local rows = { "qwertyuiop", "asdfghjkl", "zxcvbnm" }
local neighbours = {}
for r, row in ipairs(rows) do
  for c = 1, #row do
    local ch, list = row:sub(c, c), {}
    for dr = -1, 1 do
      local other = rows[r + dr]
      if other then
        for dc = -1, 1 do
          local cc = c + dc
          if not (dr == 0 and dc == 0) and cc >= 1 and cc <= #other then list[#list + 1] = other:sub(cc, cc) end
        end
      end
    end
    neighbours[ch] = list
  end
end
M.keyboard_neighbours = neighbours

local function chars(s)
  local t = {}
  local ok = pcall(function() for _, c in utf8.codes(s) do t[#t + 1] = utf8.char(c) end end)
  if not ok then error("augment: text is not valid UTF-8", 3) end
  return t
end

--- Replace each ASCII letter, with probability p (0.05), by a key next to it.
function M.keyboard_typos(s, opts)
  opts = opts or {}
  if type(s) ~= "string" then error("keyboard_typos: expected a string", 2) end
  local p = opts.p or 0.05
  local t = chars(s)
  for i, c in ipairs(t) do
    local lower = c:lower()
    local nb = neighbours[lower]
    if nb and llm.random() < p then
      local r = nb[llm.random(#nb)]
      t[i] = c ~= lower and r:upper() or r
    end
  end
  return table.concat(t)
end

--- Swap adjacent characters inside words with probability p (0.05) each.
function M.char_swaps(s, opts)
  opts = opts or {}
  if type(s) ~= "string" then error("char_swaps: expected a string", 2) end
  local p = opts.p or 0.05
  local t = chars(s)
  local i = 1
  while i < #t do
    if t[i]:match("%S") and t[i + 1]:match("%S") and llm.random() < p then
      t[i], t[i + 1] = t[i + 1], t[i]
      i = i + 2
    else
      i = i + 1
    end
  end
  return table.concat(t)
end

--- Character noise mixing typos, swaps and deletions (p per character).
function M.char_noise(s, opts)
  opts = opts or {}
  local p = opts.p or 0.05
  local t = chars(M.char_swaps(M.keyboard_typos(s, { p = p / 2 }), { p = p / 4 }))
  local out = {}
  for _, c in ipairs(t) do if not (c:match("%a") and llm.random() < p / 4) then out[#out + 1] = c end end
  return table.concat(out)
end

--- EDA: num_aug (4) variants of a sentence, each from one of the four
-- operations with strength alpha (0.1) of the words, as in the paper.
function M.eda(x, opts)
  opts = opts or {}
  local t, was_text = to_tokens(x, "eda")
  local num = opts.num_aug or 4
  local n = math.max(1, math.floor((opts.alpha or 0.1) * #t + 0.5))
  local ops = {
    function(v) return (M.synonym_replacement(v, { n = n, pos = opts.pos })) end,
    function(v) return M.random_insertion(v, { n = n }) end,
    function(v) return M.random_swap(v, { n = n }) end,
    function(v) return M.random_deletion(v, { p = opts.alpha or 0.1 }) end,
  }
  local out = {}
  for i = 1, num do out[i] = back(ops[(i - 1) % 4 + 1](t), was_text) end
  return out
end

--- Augment a labelled dataset with a label-preserving check.
-- examples: array of {text = ..., label = ...}; opts: per_example (1),
-- fn (function(text) -> new text; default one EDA variant), check
-- (function(original, augmented, label) -> true to keep; e.g. a
-- classifier's prediction still equals the label). Returns the original
-- examples followed by the kept new ones, and {kept = k, rejected = r}.
function M.augment_dataset(examples, opts)
  opts = opts or {}
  local fn = opts.fn or function(text) return M.eda(text, { num_aug = 1, alpha = opts.alpha })[1] end
  local out, kept, rejected = {}, 0, 0
  for i, ex in ipairs(examples) do
    if type(ex) ~= "table" or type(ex.text) ~= "string" then
      error("augment_dataset: example " .. i .. " needs a text field", 2)
    end
    out[#out + 1] = ex
  end
  for _, ex in ipairs(examples) do
    for _ = 1, opts.per_example or 1 do
      local new = fn(ex.text)
      if new ~= ex.text and (not opts.check or opts.check(ex.text, new, ex.label)) then
        out[#out + 1] = { text = new, label = ex.label, augmented = true }
        kept = kept + 1
      else
        rejected = rejected + 1
      end
    end
  end
  return out, { kept = kept, rejected = rejected }
end

return M
