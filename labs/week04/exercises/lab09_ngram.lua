-- Your exercise file for lab 9. Fill in each function, then run
--   llmlab lab run 9 --check
-- Stuck? `llmlab lab hint 9` gives the next hint.
local M = {}

-- Bigram counts with <s> / </s> padding: counts[prev][word].
-- bigram_counts({{"a", "a"}}) --> {["<s>"] = {a = 1}, a = {a = 1, ["</s>"] = 1}}
function M.bigram_counts(sents)
  -- TODO
end

-- Add-k smoothing: returns prob(word, prev) =
--   (counts[prev][word] + k) / (sum of counts[prev] + k * V)
-- (0 when that denominator is 0).
function M.add_k(counts, V, k)
  -- TODO
end

-- Perplexity of `sents` (lists of tokens) under prob(word, prev), with
-- <s> / </s> padding: 2 ^ (-(sum of log2 p) / tokens scored); math.huge
-- when some p is 0.
function M.perplexity(prob, sents)
  -- TODO
end

return M
