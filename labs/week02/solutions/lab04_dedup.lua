-- Reference solution of lab 4 (for checks and instructors).
local M = {}

function M.shingle_set(text, k)
  local words, set = {}, {}
  for w in text:lower():gmatch("%w+") do words[#words + 1] = w end
  for i = 1, #words - k + 1 do set[table.concat(words, " ", i, i + k - 1)] = true end
  return set
end

function M.jaccard(a, b)
  local inter, na, nb = 0, 0, 0
  for x in pairs(a) do
    na = na + 1
    if b[x] then inter = inter + 1 end
  end
  for _ in pairs(b) do nb = nb + 1 end
  local union = na + nb - inter
  if union == 0 then return 0 end
  return inter / union
end

local function key(p)
  local i, j = p[1], p[2]
  if i > j then i, j = j, i end
  return i .. "," .. j
end

function M.precision_recall(found, truth)
  local set = {}
  for _, p in ipairs(truth) do set[key(p)] = true end
  local hits, seen = 0, {}
  for _, p in ipairs(found) do
    local k = key(p)
    if set[k] and not seen[k] then hits = hits + 1; seen[k] = true end
  end
  local precision = #found == 0 and 1 or hits / #found
  local recall = #truth == 0 and 1 or hits / #truth
  return precision, recall
end

return M
