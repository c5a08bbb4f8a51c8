-- Reference solution of lab 9 (for checks and instructors).
local M = {}

function M.bigram_counts(sents)
  local counts = {}
  for _, s in ipairs(sents) do
    local prev = "<s>"
    for i = 1, #s + 1 do
      local w = s[i] or "</s>"
      counts[prev] = counts[prev] or {}
      counts[prev][w] = (counts[prev][w] or 0) + 1
      prev = w
    end
  end
  return counts
end

function M.add_k(counts, V, k)
  local totals = {}
  return function(word, prev)
    local row = counts[prev]
    local n = totals[prev]
    if not n then
      n = 0
      for _, c in pairs(row or {}) do n = n + c end
      totals[prev] = n
    end
    local c = row and row[word] or 0
    local den = n + k * V
    if den == 0 then return 0 end
    return (c + k) / den
  end
end

function M.perplexity(prob, sents)
  local sum, n = 0, 0
  for _, s in ipairs(sents) do
    local prev = "<s>"
    for i = 1, #s + 1 do
      local w = s[i] or "</s>"
      local p = prob(w, prev)
      if p <= 0 then return math.huge end
      sum, n = sum + math.log(p, 2), n + 1
      prev = w
    end
  end
  return 2 ^ (-sum / n)
end

return M
