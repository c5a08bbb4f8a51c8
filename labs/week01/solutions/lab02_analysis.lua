-- Reference solution of lab 2 (for checks and instructors).
local M = {}

function M.word_frequencies(words)
  local counts = {}
  for _, w in ipairs(words) do counts[w] = (counts[w] or 0) + 1 end
  local list = {}
  for w, c in pairs(counts) do list[#list + 1] = { word = w, count = c } end
  table.sort(list, function(a, b)
    if a.count ~= b.count then return a.count > b.count end
    return a.word < b.word
  end)
  return list
end

function M.zipf_fit(counts)
  local n, sx, sy, sxx, sxy = #counts, 0, 0, 0, 0
  for r, c in ipairs(counts) do
    local x, y = math.log(r), math.log(c)
    sx, sy, sxx, sxy = sx + x, sy + y, sxx + x * x, sxy + x * y
  end
  local den = n * sxx - sx * sx
  local b = den ~= 0 and (n * sxy - sx * sy) / den or 0
  return -b, (sy - b * sx) / n
end

return M
