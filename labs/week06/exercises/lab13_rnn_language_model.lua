-- Your exercise file for lab 13 (a neural language model with an RNN).
-- Fill in each function, then run
--   llmlab lab run 13 --check
-- Stuck? `llmlab lab hint 13` gives the next hint.
local M = {}

-- One step of a plain (Elman, tanh) RNN, with tensors:
--   h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)
-- x (B, I), h (B, H), w_ih (H, I), w_hh (H, H), b_ih and b_hh (H).
-- Returns h' (B, H). Use tensor ops (matmul, t, +, tanh) so gradients flow.
function M.rnn_step(x, h, w_ih, w_hh, b_ih, b_hh)
  -- TODO
end

-- Cut a list of ids into B parallel streams of equal length L = #ids // B
-- (the tail that does not fill a row is dropped): row b holds
-- ids[(b-1)*L + 1 .. b*L]. streams({1,2,3,4,5,6,7}, 2) --> {{1,2,3}, {4,5,6}}
function M.streams(ids, B)
  -- TODO
end

-- Truncated backpropagation through time. data is a (B, N) int64 tensor
-- of B streams. Walk it in chunks of opts.seq_len: at position pos the
-- inputs are data:narrow(2, pos, len) and the targets data:narrow(2, pos+1, len),
-- len = min(seq_len, N - pos). Each step: clear the gradients, run
-- `local _, loss, st = model(x, y, state)`, backpropagate, keep
-- state = llm.nn.detach_state(st) for the next chunk, clip the gradient
-- norm to 1 (llm.optim.clip_grad_norm(model, 1.0)) and step the optimizer.
-- When pos reaches N, start again at 1 with state nil. Run opts.steps
-- steps, call opts.on_step(step, loss_number) if given, and return the
-- list of loss numbers.
function M.train_tbptt(model, data, opt, opts)
  -- TODO
end

-- Perplexity from the summed negative log-likelihood (nats) of `count`
-- tokens: exp(nll_sum / count).
function M.perplexity(nll_sum, count)
  -- TODO
end

-- Draw a 0-based id from a Lua array of logits. temperature 0: the argmax
-- (the first one on ties). Otherwise keep the top_k largest logits (all
-- when top_k is nil), turn logits / temperature into probabilities
-- (softmax) and draw one with llm.random().
function M.sample(logits, temperature, top_k)
  -- TODO
end

return M
