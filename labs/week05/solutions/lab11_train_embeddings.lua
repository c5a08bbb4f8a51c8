-- Reference solution of lab 11 (for checks and instructors).
local M = {}

function M.cosine(a, b)
  local dot, na, nb = 0, 0, 0
  for i = 1, #a do
    dot = dot + a[i] * b[i]
    na = na + a[i] * a[i]
    nb = nb + b[i] * b[i]
  end
  if na == 0 or nb == 0 then return 0 end
  return dot / math.sqrt(na * nb)
end

function M.skipgram_pairs(words, window)
  local pairs = {}
  for i, w in ipairs(words) do
    for j = math.max(1, i - window), math.min(#words, i + window) do
      if j ~= i then pairs[#pairs + 1] = { w, words[j] } end
    end
  end
  return pairs
end

function M.keep_probability(count, total, t)
  local f = count / total
  return math.min(1, math.sqrt(t / f))
end

function M.char_ngrams(word, minn, maxn)
  local w = "<" .. word .. ">"
  local out = {}
  for n = minn, maxn do
    for i = 1, #w - n + 1 do out[#out + 1] = w:sub(i, i + n - 1) end
  end
  return out
end

function M.cooccurrence(words, window)
  local X = {}
  local function add(a, b, x)
    X[a] = X[a] or {}
    X[a][b] = (X[a][b] or 0) + x
  end
  for i = 1, #words do
    for d = 1, window do
      local j = i + d
      if j > #words then break end
      add(words[i], words[j], 1 / d)
      add(words[j], words[i], 1 / d)
    end
  end
  return X
end

function M.scatter_points(vecs, words)
  local known, rows = {}, {}
  for _, w in ipairs(words) do
    if vecs:has(w) then
      known[#known + 1] = w
      rows[#rows + 1] = vecs:vector(w)
    end
  end
  local xy = llm.embed.pca(rows, 2)
  local points = {}
  for i, w in ipairs(known) do points[i] = { xy[i][1], xy[i][2], w } end
  return points
end

function M.layer_mix(vectors, weights, gamma)
  local mx = -math.huge
  for _, w in ipairs(weights) do mx = math.max(mx, w) end
  local s, total = {}, 0
  for k, w in ipairs(weights) do s[k] = math.exp(w - mx); total = total + s[k] end
  local out = {}
  for d = 1, #vectors[1] do
    local x = 0
    for k = 1, #vectors do x = x + s[k] / total * vectors[k][d] end
    out[d] = gamma * x
  end
  return out
end

return M
