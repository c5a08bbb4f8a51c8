-- Your exercise file for lab 4. Fill in each function, then run
--   llmlab lab run 4 --check
-- Stuck? `llmlab lab hint 4` gives the next hint.
local M = {}

-- The set {[shingle] = true} of lower-cased word k-shingles; words are
-- runs of %w characters, a shingle is k words joined by single spaces.
-- shingle_set("In the beginning God", 2)
--   --> {["in the"] = true, ["the beginning"] = true, ["beginning god"] = true}
function M.shingle_set(text, k)
  -- TODO
end

-- |a ∩ b| / |a ∪ b| for sets {[x] = true}; 0 when both are empty.
function M.jaccard(a, b)
  -- TODO
end

-- precision, recall of `found` pairs against `truth` pairs ({i, j}, either
-- order). Nothing found: precision 1. Nothing to find: recall 1.
function M.precision_recall(found, truth)
  -- TODO
end

return M
