-- Your exercise file for lab 7. Fill in each function, then run
--   llmlab lab run 7 --check
-- Stuck? `llmlab lab hint 7` gives the next hint.
local M = {}

-- How many distinct values normalize(t) takes over `tokens`, ignoring
-- nil and "" results.
-- vocabulary_size({"The", "the", "cat"}, string.lower) --> 2
function M.vocabulary_size(tokens, normalize)
  -- TODO
end

-- Indices of the documents (lists of terms) containing at least one query
-- term, ranked by the number of distinct query terms they contain (most
-- first), ties by smaller index.
-- rank({"whale", "white"}, {{"a", "whale"}, {"white", "whale"}, {"ship"}}) --> {2, 1}
function M.rank(query, docs)
  -- TODO
end

-- 1 / (position of target in ranking), 0 when it is not there.
-- reciprocal_rank({5, 3, 9}, 3) --> 0.5
function M.reciprocal_rank(ranking, target)
  -- TODO
end

return M
