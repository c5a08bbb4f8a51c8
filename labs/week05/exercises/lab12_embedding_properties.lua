-- Your exercise file for lab 12 (properties of pre-trained embeddings).
-- Fill in each function, then run
--   llmlab lab run 12 --check
-- Stuck? `llmlab lab hint 12` gives the next hint.
--
-- `vectors` below is a plain table from word to its vector (a Lua array),
-- e.g. {king = {0.1, -0.3, ...}, queen = {...}}.
local M = {}

-- The k words closest to `word` by cosine similarity (not `word` itself),
-- closest first; equal scores in alphabetical order.
-- nearest({a = {1, 0}, b = {1, 0.1}, c = {0, 1}}, "a", 1) --> {"b"}
function M.nearest(vectors, word, k)
  -- TODO
end

-- a : b :: c : ?  with 3CosAdd: the word x (other than a, b and c) with the
-- highest cos(x, b) - cos(x, a) + cos(x, c). Returns that word.
-- analogy(vectors, "man", "king", "woman") --> "queen" (with good vectors)
function M.analogy(vectors, a, b, c)
  -- TODO
end

-- Spearman's rank correlation of two lists of numbers of the same length:
-- replace each value by its rank (1 = smallest; tied values share the mean
-- of their ranks), then take Pearson's correlation of the two rank lists.
-- spearman({1, 2, 3}, {10, 30, 20}) --> 0.5
function M.spearman(x, y)
  -- TODO
end

-- Word ids for a sentence: split on spaces and look each word up in
-- `index` (word -> 0-based id); words missing from it are skipped.
-- encode({the = 0, lord = 5}, "the word of the lord") --> {0, 0, 5}
function M.encode(index, sentence)
  -- TODO
end

return M
