-- Your exercise file for lab 1. Fill in each function, then run
--   llmlab lab run 1 --check
-- Stuck? `llmlab lab hint 1` gives the next hint.
local M = {}

-- The paragraphs of a hard-wrapped text: blank (or all-space) lines
-- separate paragraphs; inside one, lines are trimmed and joined by one space.
-- unwrap("Call me\nIshmael.\n\nSome years\n") --> {"Call me Ishmael.", "Some years"}
function M.unwrap(text)
  -- TODO
end

-- A post's text for a language model: URLs (http:// or https:// up to a
-- space) and @mentions removed, "#tag" -> "tag", whitespace collapsed, trimmed.
-- clean_post("@ana Loving #nlp https://x.org/1 !") --> "Loving nlp !"
function M.clean_post(text)
  -- TODO
end

return M
