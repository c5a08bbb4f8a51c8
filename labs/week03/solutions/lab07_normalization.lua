-- Reference solution of lab 7 (for checks and instructors).
local M = {}

function M.vocabulary_size(tokens, normalize)
  local set, n = {}, 0
  for _, t in ipairs(tokens) do
    local v = normalize(t)
    if v and v ~= "" and not set[v] then set[v] = true; n = n + 1 end
  end
  return n
end

function M.rank(query, docs)
  local q, terms = {}, {}
  for _, t in ipairs(query) do
    if not q[t] then q[t] = true; terms[#terms + 1] = t end
  end
  local scored = {}
  for i, d in ipairs(docs) do
    local seen, s = {}, 0
    for _, t in ipairs(d) do
      if q[t] and not seen[t] then seen[t] = true; s = s + 1 end
    end
    if s > 0 then scored[#scored + 1] = { i = i, s = s } end
  end
  table.sort(scored, function(a, b)
    if a.s ~= b.s then return a.s > b.s end
    return a.i < b.i
  end)
  local out = {}
  for k, e in ipairs(scored) do out[k] = e.i end
  return out
end

function M.reciprocal_rank(ranking, target)
  for i, d in ipairs(ranking) do
    if d == target then return 1 / i end
  end
  return 0
end

return M
