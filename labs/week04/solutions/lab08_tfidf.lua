-- Reference solution of lab 8 (for checks and instructors).
local M = {}

function M.tfidf(docs)
  local n, df = #docs, {}
  local counts = {}
  for i, doc in ipairs(docs) do
    local c = {}
    for _, t in ipairs(doc) do c[t] = (c[t] or 0) + 1 end
    for t in pairs(c) do df[t] = (df[t] or 0) + 1 end
    counts[i] = c
  end
  local out = {}
  for i, c in ipairs(counts) do
    local w, sq = {}, 0
    for t, k in pairs(c) do
      local v = k * (math.log((1 + n) / (1 + df[t])) + 1)
      w[t] = v
      sq = sq + v * v
    end
    if sq > 0 then
      local norm = math.sqrt(sq)
      for t, v in pairs(w) do w[t] = v / norm end
    end
    out[i] = w
  end
  return out
end

function M.cosine(a, b)
  local dot, na, nb = 0, 0, 0
  for t, v in pairs(a) do
    na = na + v * v
    if b[t] then dot = dot + v * b[t] end
  end
  for _, v in pairs(b) do nb = nb + v * v end
  if na == 0 or nb == 0 then return 0 end
  return dot / math.sqrt(na * nb)
end

return M
