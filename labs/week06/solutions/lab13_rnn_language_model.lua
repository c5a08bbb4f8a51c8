-- Reference solution of lab 13 (for checks and instructors).
local M = {}

function M.rnn_step(x, h, w_ih, w_hh, b_ih, b_hh)
  return (x:matmul(w_ih:t()) + b_ih + h:matmul(w_hh:t()) + b_hh):tanh()
end

function M.streams(ids, B)
  local L = #ids // B
  local rows = {}
  for b = 1, B do
    rows[b] = table.move(ids, (b - 1) * L + 1, b * L, 1, {})
  end
  return rows
end

function M.train_tbptt(model, data, opt, opts)
  local T, N = opts.seq_len, data:size(2)
  local losses, state, pos = {}, nil, 1
  for step = 1, opts.steps do
    if pos >= N then pos, state = 1, nil end
    local len = math.min(T, N - pos)
    local x, y = data:narrow(2, pos, len), data:narrow(2, pos + 1, len)
    pos = pos + len
    opt:zero_grad()
    local _, loss, st = model(x, y, state)
    loss:backward()
    state = llm.nn.detach_state(st)
    llm.optim.clip_grad_norm(model, 1.0)
    opt:step()
    losses[step] = loss:item()
    if opts.on_step then opts.on_step(step, losses[step]) end
  end
  return losses
end

function M.perplexity(nll_sum, count)
  return math.exp(nll_sum / count)
end

function M.sample(logits, temperature, top_k)
  local n = #logits
  if temperature == 0 then
    local best = 1
    for i = 2, n do if logits[i] > logits[best] then best = i end end
    return best - 1
  end
  local cutoff = -math.huge
  if top_k and top_k < n then
    local sorted = table.move(logits, 1, n, 1, {})
    table.sort(sorted, function(a, b) return a > b end)
    cutoff = sorted[top_k]
  end
  local mx = -math.huge
  for i = 1, n do if logits[i] > mx then mx = logits[i] end end
  local p, total = {}, 0
  for i = 1, n do
    p[i] = logits[i] >= cutoff and math.exp((logits[i] - mx) / temperature) or 0
    total = total + p[i]
  end
  local r = llm.random() * total
  for i = 1, n do
    r = r - p[i]
    if r <= 0 and p[i] > 0 then return i - 1 end
  end
  for i = n, 1, -1 do if p[i] > 0 then return i - 1 end end
end

return M
