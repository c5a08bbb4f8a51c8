-- Reference solution of lab 10 (for checks and instructors).
local M = {}

function M.random_deletion(tokens, p, rand)
  if #tokens == 0 then return {} end
  local out = {}
  for _, t in ipairs(tokens) do
    if rand() >= p then out[#out + 1] = t end
  end
  if #out == 0 then out[1] = tokens[math.floor(rand() * #tokens) + 1] end
  return out
end

function M.train_nb(examples)
  local m = { docs = { [0] = 0, [1] = 0 }, words = { [0] = {}, [1] = {} }, total = { [0] = 0, [1] = 0 },
    vocab = {}, V = 0, n = #examples }
  for _, ex in ipairs(examples) do
    local c = ex.label
    m.docs[c] = m.docs[c] + 1
    for w in ex.text:lower():gmatch("%a+") do
      m.words[c][w] = (m.words[c][w] or 0) + 1
      m.total[c] = m.total[c] + 1
      if not m.vocab[w] then m.vocab[w] = true; m.V = m.V + 1 end
    end
  end
  return m
end

function M.predict_nb(m, text)
  local score = {}
  for c = 0, 1 do
    local s = math.log(m.docs[c] / m.n)
    for w in text:lower():gmatch("%a+") do
      if m.vocab[w] then s = s + math.log(((m.words[c][w] or 0) + 1) / (m.total[c] + m.V)) end
    end
    score[c] = s
  end
  return score[1] > score[0] and 1 or 0
end

return M
