-- Reference solution of lab 6 (for checks and instructors).
local M = {}

local function chars(s)
  local cs = {}
  for _, c in utf8.codes(s) do cs[#cs + 1] = utf8.char(c) end
  return cs
end

function M.wordpiece_tokens(vocab, word)
  local cs = chars(word)
  local out, start = {}, 1
  while start <= #cs do
    local found, stop = nil, #cs
    while stop >= start do
      local piece = table.concat(cs, "", start, stop)
      if start > 1 then piece = "##" .. piece end
      if vocab[piece] then found = piece; break end
      stop = stop - 1
    end
    if not found then return { "[UNK]" } end
    out[#out + 1] = found
    start = stop + 1
  end
  return out
end

function M.viterbi(logp, word)
  local cs = chars(word)
  local n = #cs
  local best, from = { [0] = 0 }, {}
  for i = 1, n do
    for j = 1, i do
      if best[j - 1] then
        local piece = table.concat(cs, "", j, i)
        local lp = logp[piece]
        if lp then
          local s = best[j - 1] + lp
          if not best[i] or s > best[i] then best[i], from[i] = s, j end
        end
      end
    end
  end
  if not best[n] or n == 0 then return nil end
  local out, i = {}, n
  while i > 0 do
    table.insert(out, 1, table.concat(cs, "", from[i], i))
    i = from[i] - 1
  end
  return out
end

return M
