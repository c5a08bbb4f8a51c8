-- Your exercise file for lab 6. Fill in each function, then run
--   llmlab lab run 6 --check
-- Stuck? `llmlab lab hint 6` gives the next hint.
local M = {}

-- WordPiece's greedy longest-match-first encoding of one word. vocab is a
-- set {["piece"] = true}; pieces after the first start with "##". A word
-- with a part no piece covers is {"[UNK]"}.
-- wordpiece_tokens({un = true, ["##aff"] = true, ["##able"] = true}, "unaffable")
--   --> {"un", "##aff", "##able"}
function M.wordpiece_tokens(vocab, word)
  -- TODO
end

-- The most probable segmentation of `word` (UTF-8) into pieces of `logp`
-- (piece -> log-probability): the list of pieces with the highest sum, or
-- nil when the word cannot be cut into known pieces.
-- viterbi({a = -1, b = -1, ab = -1.5}, "ab") --> {"ab"}
function M.viterbi(logp, word)
  -- TODO
end

return M
