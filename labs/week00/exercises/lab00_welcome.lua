-- Your exercise file for lab 0. Fill in each function, then run
--   llmlab lab run 0 --check
-- Stuck? `llmlab lab hint 0` gives the next hint.
local M = {}

-- A table from each lower-cased word (letters only) to its count.
-- word_counts("the cat the") --> {the = 2, cat = 1}
function M.word_counts(text)
  -- TODO
end

-- Average number of words per sentence (sentences end with . ! or ?).
-- mean_sentence_length("One two. Three!") --> 1.5 ; "" --> 0
function M.mean_sentence_length(text)
  -- TODO
end

return M
