-- Your exercise file for lab 3. Fill in each function, then run
--   llmlab lab run 3 --check
-- Stuck? `llmlab lab hint 3` gives the next hint.
local M = {}

-- Decode &amp; &lt; &gt; &quot; &apos; &nbsp; (to U+00A0) and numeric
-- entities (&#233; &#xE9;) to UTF-8; leave any other text unchanged.
-- decode_entities("caf&#233; &amp; tea &copy;") --> "café & tea &copy;"
function M.decode_entities(s)
  -- TODO
end

-- keep, reason for a document; rules in order:
--   fewer than 20 words                              -> false, "too short"
--   under 80% of the words contain a letter          -> false, "too few words with letters"
--   over 30% of non-empty trimmed lines are repeats   -> false, "repeated lines"
-- otherwise true, nil.
function M.quality_filter(doc)
  -- TODO
end

return M
