-- Your exercise file for lab 2. Fill in each function, then run
--   llmlab lab run 2 --check
-- Stuck? `llmlab lab hint 2` gives the next hint.
local M = {}

-- The frequency list of `words`: {{word = w, count = c}, ...}, most
-- frequent first, ties in alphabetical order.
-- word_frequencies({"b", "a", "b"}) --> {{word = "b", count = 2}, {word = "a", count = 1}}
function M.word_frequencies(words)
  -- TODO
end

-- Least-squares fit of ln(count) = a - s * ln(rank) over `counts`
-- (sorted from largest down; rank 1 first). Returns s, a.
-- zipf_fit({60, 30, 20, 15, 12}) --> 1, ln(60)
function M.zipf_fit(counts)
  -- TODO
end

return M
