-- llm.sampling: drawing the next token id from a row of logits, shared by
-- every language model that generates text (GPT, the recurrent LMs), so
-- temperature and top-k mean the same thing everywhere.
--
--   llm.sampling.sample_row(row, temperature, top_k) -> 0-based id
--     row: a Lua array of logits; temperature 0 is greedy (argmax);
--     top_k keeps only the k largest logits. Draws use the engine PRNG,
--     so llm.seed(n) makes them reproducible.
--   llm.sampling.permutation(n) -> a random order of 1..n (Fisher-Yates on
--     the engine PRNG: the same seed gives the same order, which saved
--     quiz attempts rely on)
local llm = require "llm"

local M = {}

function M.permutation(n)
  local idx = {}
  for i = 1, n do idx[i] = i end
  for i = n, 2, -1 do
    local j = llm.random(i)
    idx[i], idx[j] = idx[j], idx[i]
  end
  return idx
end

function M.sample_row(row, temperature, top_k)
  local n = #row
  if temperature == 0 then
    local best = 1
    for i = 2, n do if row[i] > row[best] then best = i end end
    return best - 1
  end
  if type(temperature) ~= "number" or temperature < 0 then
    error("sample: temperature must be a number >= 0", 2)
  end
  local cutoff = -math.huge
  if top_k and top_k < n then
    if math.type(top_k) ~= "integer" or top_k < 1 then error("sample: top_k must be a positive integer", 2) end
    local sorted = table.move(row, 1, n, 1, {})
    table.sort(sorted, function(a, b) return a > b end)
    cutoff = sorted[top_k]
  end
  local mx = -math.huge
  for i = 1, n do if row[i] > mx then mx = row[i] end end
  local probs, total = {}, 0
  for i = 1, n do
    local p = row[i] >= cutoff and math.exp((row[i] - mx) / temperature) or 0
    probs[i] = p
    total = total + p
  end
  local r = llm.random() * total
  for i = 1, n do
    r = r - probs[i]
    if r <= 0 and probs[i] > 0 then return i - 1 end
  end
  -- rounding left r above 0: take the last id that had any mass
  for i = n, 1, -1 do if probs[i] > 0 then return i - 1 end end
  return n - 1
end

return M
