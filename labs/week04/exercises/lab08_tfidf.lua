-- Your exercise file for lab 8. Fill in each function, then run
--   llmlab lab run 8 --check
-- Stuck? `llmlab lab hint 8` gives the next hint.
local M = {}

-- TF-IDF as scikit-learn computes it by default. docs: a list of documents,
-- each a list of tokens. Returns a list of tables term -> weight:
-- weight = count(t, doc) * (ln((1 + n) / (1 + df(t))) + 1), then each
-- document scaled to unit (l2) length.
-- tfidf({{"a", "b"}, {"a"}}) --> {{a = 0.58, b = 0.81}, {a = 1}}
function M.tfidf(docs)
  -- TODO
end

-- Cosine similarity of two sparse vectors (tables term -> weight);
-- 0 when either is empty.
-- cosine({x = 1, y = 1}, {x = 1}) --> 0.7071...
function M.cosine(a, b)
  -- TODO
end

return M
