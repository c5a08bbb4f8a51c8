-- Your exercise file for lab 14 (masked language modelling). Fill in each
-- function, then run
--   llmlab lab run 14 --check
-- Stuck? `llmlab lab hint 14` gives the next hint.
--
-- Ids are 0-based integers. The label -100 means "not scored" (it is the
-- default ignore_index of cross_entropy).
local M = {}

-- BERT-style masking of one sequence (a Lua array of ids).
-- opts: mask_id, vocab_size, n_special (ids below it are never chosen),
-- prob (0.15 when absent). Each ordinary token is chosen with probability
-- prob; a chosen token gets its own id as label and, as input, [MASK] 80 %
-- of the time, a random ordinary id (n_special .. vocab_size-1) 10 %, and
-- itself 10 %. Every other position keeps its input and gets label -100.
-- Draw every random number with llm.random().
-- Returns inputs, labels (two arrays as long as ids).
function M.mask_tokens(ids, opts)
  -- TODO
end

-- Fraction of scored positions (label ~= -100) where pred equals the label.
-- pred and labels are arrays of the same length. Returns accuracy, n
-- (n = how many positions were scored); accuracy is nil when n is 0.
function M.masked_accuracy(pred, labels)
  -- TODO
end

-- The masked-LM loss of a batch: batch is a list of B rows of T ids.
-- Mask every row with M.mask_tokens(row, opts), turn inputs and labels into
-- int64 tensors (llm.tensor(rows, "int64")), run logits = model(inputs)
-- (B, T, V), and return the cross-entropy over the masked positions only,
-- then the logits and the label tensor: return loss, logits, labels.
function M.mlm_loss(model, batch, opts)
  -- TODO
end

-- The training loop: `steps` times, take a batch from next_batch(), clear
-- the gradients, compute M.mlm_loss(model, batch, opts), backpropagate,
-- clip the gradient norm to 1 (llm.optim.clip_grad_norm(model, 1.0)) and
-- let the optimizer step. Call on_step(step, loss_number) when on_step is
-- given. Return the list of loss numbers (one per step).
function M.train(model, opt, steps, next_batch, opts, on_step)
  -- TODO
end

-- The causal objective's pairs: from a window of T+1 ids, the inputs
-- window[1..T] and the targets window[2..T+1].
-- causal_pairs({5, 6, 7}) --> {5, 6}, {6, 7}
function M.causal_pairs(window)
  -- TODO
end

return M
