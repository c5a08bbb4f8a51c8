-- Reference solution of lab 12 (for checks and instructors).
local M = {}

local function cosine(a, b)
  local dot, na, nb = 0, 0, 0
  for i = 1, #a do
    dot = dot + a[i] * b[i]
    na = na + a[i] * a[i]
    nb = nb + b[i] * b[i]
  end
  if na == 0 or nb == 0 then return 0 end
  return dot / math.sqrt(na * nb)
end

function M.nearest(vectors, word, k)
  local q = vectors[word]
  local scored = {}
  for w, v in pairs(vectors) do
    if w ~= word then scored[#scored + 1] = { w, cosine(q, v) } end
  end
  table.sort(scored, function(x, y)
    if x[2] ~= y[2] then return x[2] > y[2] end
    return x[1] < y[1]
  end)
  local out = {}
  for i = 1, math.min(k, #scored) do out[i] = scored[i][1] end
  return out
end

function M.analogy(vectors, a, b, c)
  local va, vb, vc = vectors[a], vectors[b], vectors[c]
  local best, best_score
  for w, v in pairs(vectors) do
    if w ~= a and w ~= b and w ~= c then
      local s = cosine(v, vb) - cosine(v, va) + cosine(v, vc)
      if not best_score or s > best_score or (s == best_score and w < best) then best, best_score = w, s end
    end
  end
  return best
end

local function ranks(x)
  local idx = {}
  for i = 1, #x do idx[i] = i end
  table.sort(idx, function(p, q) return x[p] < x[q] end)
  local r, i = {}, 1
  while i <= #idx do
    local j = i
    while j < #idx and x[idx[j + 1]] == x[idx[i]] do j = j + 1 end
    for k = i, j do r[idx[k]] = (i + j) / 2 end
    i = j + 1
  end
  return r
end

function M.spearman(x, y)
  local rx, ry = ranks(x), ranks(y)
  local n, mx, my = #x, 0, 0
  for i = 1, n do mx, my = mx + rx[i], my + ry[i] end
  mx, my = mx / n, my / n
  local sxy, sxx, syy = 0, 0, 0
  for i = 1, n do
    sxy = sxy + (rx[i] - mx) * (ry[i] - my)
    sxx = sxx + (rx[i] - mx) ^ 2
    syy = syy + (ry[i] - my) ^ 2
  end
  return sxy / math.sqrt(sxx * syy)
end

function M.encode(index, sentence)
  local ids = {}
  for w in sentence:gmatch("%S+") do
    if index[w] then ids[#ids + 1] = index[w] end
  end
  return ids
end

return M
