-- Your exercise file for lab 10. Fill in each function, then run
--   llmlab lab run 10 --check
-- Stuck? `llmlab lab hint 10` gives the next hint.
local M = {}

-- Keep each token when rand() >= p (one rand() call per token, in order).
-- If none survive, return {tokens[floor(rand() * #tokens) + 1]}; {} -> {}.
-- random_deletion({"a", "b", "c"}, 0.5, rand) with rand giving 0.9, 0.1, 0.7 --> {"a", "c"}
function M.random_deletion(tokens, p, rand)
  -- TODO
end

-- Multinomial naive Bayes with add-one smoothing. examples: list of
-- {text = "...", label = 0 or 1}; tokens are text:lower():gmatch("%a+").
-- Returns a model table (your design).
function M.train_nb(examples)
  -- TODO
end

-- The label (0 or 1) with the higher score
--   log P(c) + sum over known tokens of log((count(w, c) + 1) / (total(c) + V));
-- 0 on a tie.
function M.predict_nb(model, text)
  -- TODO
end

return M
