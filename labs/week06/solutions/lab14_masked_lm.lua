-- Reference solution of lab 14 (for checks and instructors).
local M = {}

local IGNORE = -100

function M.mask_tokens(ids, opts)
  local mask_id, V = opts.mask_id, opts.vocab_size
  local n_special, prob = opts.n_special or 0, opts.prob or 0.15
  local inputs, labels = {}, {}
  for t, id in ipairs(ids) do
    inputs[t], labels[t] = id, IGNORE
    if id >= n_special and id ~= mask_id and llm.random() < prob then
      labels[t] = id
      local r = llm.random()
      if r < 0.8 then
        inputs[t] = mask_id
      elseif r < 0.9 then
        inputs[t] = n_special + llm.random(V - n_special) - 1
      end
    end
  end
  return inputs, labels
end

function M.masked_accuracy(pred, labels)
  local right, n = 0, 0
  for i, l in ipairs(labels) do
    if l ~= IGNORE then
      n = n + 1
      if pred[i] == l then right = right + 1 end
    end
  end
  if n == 0 then return nil, 0 end
  return right / n, n
end

function M.mlm_loss(model, batch, opts)
  local inputs, labels = {}, {}
  for b, row in ipairs(batch) do
    inputs[b], labels[b] = M.mask_tokens(row, opts)
  end
  local x = llm.tensor(inputs, "int64")
  local y = llm.tensor(labels, "int64")
  local logits = model(x)
  return logits:cross_entropy(y, { ignore_index = IGNORE }), logits, y
end

function M.train(model, opt, steps, next_batch, opts, on_step)
  local losses = {}
  for step = 1, steps do
    opt:zero_grad()
    local loss = M.mlm_loss(model, next_batch(), opts)
    loss:backward()
    llm.optim.clip_grad_norm(model, 1.0)
    opt:step()
    losses[step] = loss:item()
    if on_step then on_step(step, losses[step]) end
  end
  return losses
end

function M.causal_pairs(window)
  local inputs, targets = {}, {}
  for i = 1, #window - 1 do
    inputs[i], targets[i] = window[i], window[i + 1]
  end
  return inputs, targets
end

return M
