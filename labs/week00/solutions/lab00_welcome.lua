-- Reference solution of lab 0 (for checks and instructors).
local M = {}

function M.word_counts(text)
  local counts = {}
  for w in text:gmatch("%a+") do
    w = w:lower()
    counts[w] = (counts[w] or 0) + 1
  end
  return counts
end

function M.mean_sentence_length(text)
  local sentences, words = 0, 0
  for s in text:gmatch("[^.!?]+") do
    local n = 0
    for _ in s:gmatch("%S+") do n = n + 1 end
    if n > 0 then sentences, words = sentences + 1, words + n end
  end
  if sentences == 0 then return 0 end
  return words / sentences
end

return M
