-- Your exercise file for lab 5. Fill in each function, then run
--   llmlab lab run 5 --check
-- Stuck? `llmlab lab hint 5` gives the next hint.
local M = {}

-- The tokens of `text`: runs of ASCII letters/digits (an apostrophe between
-- two runs stays inside: "don't") or single ASCII punctuation characters.
-- word_tokens("Call me Ishmael. Don't!")
--   --> {"Call", "me", "Ishmael", ".", "Don't", "!"}
function M.word_tokens(text)
  -- TODO
end

-- Byte-level BPE training: the first `num_merges` merges (fewer when the
-- best pair occurs less than twice), each {left_id, right_id, new_id},
-- new ids from 256. Pieces from llm.tokenize.pretokenize(text, "gpt2");
-- ties go to the smallest left id, then the smallest right id.
function M.train_bpe(text, num_merges)
  -- TODO
end

return M
