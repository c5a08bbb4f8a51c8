-- llm.train: the training loop for language models on a token array.
--
--   local history = llm.train{
--     model = model,                 -- model(x, y) -> logits, loss  (as nn.GPT), or give loss_fn
--     data = train_ids,              -- 1-D int tensor (or Lua array) of 0-based token ids
--     val_data = val_ids,            -- optional held-out ids
--     block_size = 64, batch_size = 16, steps = 300,
--     optimizer = opt,               -- default: AdamW(model, {lr = lr, weight_decay = weight_decay})
--     lr = 1e-3, weight_decay = 0.1, -- used when no optimizer is given
--     schedule = llm.optim.schedule.cosine{lr = 1e-3, warmup = 20, total = 300},  -- optional
--     grad_clip = 1.0,               -- optional global-norm clipping
--     accum_steps = 1,               -- micro-batches per optimizer step (gradient accumulation)
--     eval_every = 50, eval_batches = 4,
--     loss_fn = function(model, x, y) return loss end,      -- optional
--     on_step = function(step, metrics) end,  -- every step: {step, loss, lr, grad_norm, tokens, elapsed, tok_per_s}
--     on_eval = function(step, metrics) end,  -- every eval: {step, val_loss, train_loss}
--     progress = "train",            -- label for the engine's progress callback (false: none)
--     save_path = "run.safetensors", -- optional: checkpoint (model + path..".opt" optimizer)
--     save_every = 100,              --   every N steps and at the end
--   }
--   history = {loss = {...}, lr = {...}, val = {{step =, loss =}, ...}, steps = n,
--              final_loss =, val_loss =, tokens =, elapsed =, interrupted = bool}
--
-- Batches are random windows: x = ids[i .. i+T-1], y = ids[i+1 .. i+T], the
-- start i drawn from the engine PRNG (llm.seed makes a run repeat exactly).
-- Evaluation uses fixed windows spread evenly over the held-out ids, so
-- successive evals are comparable. on_step returning false stops the run;
-- so does a cancel (Ctrl-C in the CLI, the UI's cancel key; llm.progress
-- reports it). on_step / on_eval are where
-- the run store and live plots hook in.
local llm = require "llm"
local M = {}

local clock = llm.now or os.clock

-- A Lua array or string of ids -> 1-D int64 tensor.
function M.as_tokens(data, what)
  if llm.is_tensor(data) then
    if data:dim() ~= 1 then error("train: " .. what .. " must be a 1-D tensor of ids", 3) end
    if data:dtype() == "float32" then error("train: " .. what .. " must hold integer ids (int32/int64)", 3) end
    return data
  end
  if type(data) == "string" then return M.bytes(data) end
  if type(data) == "table" then return llm.tensor(data, "int64") end
  error("train: " .. what .. " must be a tensor, an array of ids or a string", 3)
end

-- The bytes of a string as ids 0..255 (a byte-level vocabulary).
function M.bytes(s)
  local t = {}
  for i = 1, #s, 4096 do
    local chunk = { s:byte(i, math.min(i + 4095, #s)) }
    table.move(chunk, 1, #chunk, #t + 1, t)
  end
  return llm.tensor(t, "int64")
end

-- Ids 0..255 back to a string (inverse of bytes); a table or a 1-D tensor.
function M.text(ids)
  if llm.is_tensor(ids) then ids = ids:reshape(-1):totable() end
  local parts = {}
  for i = 1, #ids, 4096 do
    parts[#parts + 1] = string.char(table.unpack(ids, i, math.min(i + 4095, #ids)))
  end
  return table.concat(parts)
end

-- One batch of random windows: x, y (B, T) int64.
function M.batch(ids, batch_size, block_size)
  local n = ids:size(1)
  if n < block_size + 1 then
    error(string.format("train: %d tokens are too few for windows of %d (+1)", n, block_size), 2)
  end
  local xs, ys = {}, {}
  for b = 1, batch_size do
    local i = llm.random(n - block_size)          -- 1 .. n - T
    xs[b] = ids:narrow(1, i, block_size)
    ys[b] = ids:narrow(1, i + 1, block_size)
  end
  return llm.stack(xs, 1), llm.stack(ys, 1)
end

local function default_loss(model, x, y)
  local _, loss = model(x, y)
  if not loss then error("train: the model returned no loss (give loss_fn)", 3) end
  return loss
end

-- Mean loss over fixed windows spread over ids (no grad, eval mode).
function M.evaluate(model, ids, o)
  o = o or {}
  local T, B = o.block_size, o.batch_size or 8
  local batches = o.batches or 4
  local loss_fn = o.loss_fn or default_loss
  local n = ids:size(1)
  if n < T + 1 then error(string.format("train: %d held-out tokens are too few for windows of %d (+1)", n, T), 2) end
  local windows = math.max(1, math.min(B * batches, n - T))
  local stride = (n - T - 1) / math.max(1, windows - 1)
  local was = model.training
  model:eval()
  local total, count = 0, 0
  llm.no_grad(function()
    local w = 0
    while w < windows do
      local xs, ys = {}, {}
      for b = 1, math.min(B, windows - w) do
        local i = 1 + math.floor((w + b - 1) * stride + 0.5)
        xs[b] = ids:narrow(1, i, T)
        ys[b] = ids:narrow(1, i + 1, T)
      end
      local loss = loss_fn(model, llm.stack(xs, 1), llm.stack(ys, 1))
      total = total + loss:item() * #xs
      count = count + #xs
      w = w + #xs
    end
  end)
  model:train(was)
  return total / count
end

local known = { model = 1, data = 1, val_data = 1, block_size = 1, batch_size = 1, steps = 1, optimizer = 1,
  lr = 1, weight_decay = 1, schedule = 1, grad_clip = 1, accum_steps = 1, eval_every = 1, eval_batches = 1,
  loss_fn = 1, on_step = 1, on_eval = 1, progress = 1, save_path = 1, save_every = 1 }

function M.run(o)
  if type(o) ~= "table" then error("train: expects a table of options", 2) end
  for k in pairs(o) do
    if not known[k] then error("train: unknown option '" .. tostring(k) .. "'", 2) end
  end
  local model = o.model
  if type(model) ~= "table" or not model.parameters then error("train: model must be an nn module", 2) end
  local ids = M.as_tokens(o.data, "data")
  local val = o.val_data and M.as_tokens(o.val_data, "val_data")
  local T = o.block_size or (model.config and model.config.block_size)
  local B = o.batch_size or 8
  local steps = o.steps or 100
  local accum = o.accum_steps or 1
  for name, v in pairs({ block_size = T, batch_size = B, steps = steps, accum_steps = accum }) do
    if math.type(v) ~= "integer" or v < 1 then error("train: " .. name .. " must be a positive integer", 2) end
  end
  local opt = o.optimizer or llm.optim.AdamW(model, { lr = o.lr or 1e-3, weight_decay = o.weight_decay or 0.1 })
  local schedule = o.schedule
  local loss_fn = o.loss_fn or default_loss
  local eval_every = o.eval_every or (val and math.max(1, steps // 10))
  local label = o.progress == nil and "train" or o.progress

  local checkpoint = o.save_path and require("llm.checkpoint")
  local function save(step)
    checkpoint.save(model, o.save_path, { step = step })
    checkpoint.save_optimizer(opt, o.save_path .. ".opt")
  end

  local history = { loss = {}, lr = {}, grad_norm = {}, val = {}, steps = 0, interrupted = false }
  local t0 = clock()
  local tokens = 0
  model:train()
  for step = 1, steps do
    local lr = schedule and schedule(step) or opt:get_lr()
    if schedule then opt:set_lr(lr) end
    opt:zero_grad()
    local loss_sum = 0
    for _ = 1, accum do
      local x, y = M.batch(ids, B, T)
      local loss = loss_fn(model, x, y)
      loss_sum = loss_sum + loss:item()
      if accum > 1 then loss = loss / accum end
      loss:backward()
    end
    local grad_norm
    if o.grad_clip then grad_norm = llm.optim.clip_grad_norm(opt:params(), o.grad_clip) end
    opt:step()
    tokens = tokens + B * T * accum
    local loss = loss_sum / accum
    history.loss[step], history.lr[step], history.grad_norm[step] = loss, lr, grad_norm
    history.steps = step
    local elapsed = clock() - t0
    local metrics = { step = step, loss = loss, lr = lr, grad_norm = grad_norm, tokens = tokens,
      elapsed = elapsed, tok_per_s = elapsed > 0 and tokens / elapsed or 0 }
    local stop = o.on_step and o.on_step(step, metrics) == false
    -- llm.progress returns true when the user asked to cancel
    local cancel = (label and llm.progress(label, step, steps)) and true or llm.interrupted()
    if val and (step % eval_every == 0 or step == steps) then
      local vl = M.evaluate(model, val, { block_size = T, batch_size = B, batches = o.eval_batches, loss_fn = loss_fn })
      history.val[#history.val + 1] = { step = step, loss = vl }
      history.val_loss = vl
      if o.on_eval then o.on_eval(step, { step = step, val_loss = vl, train_loss = loss }) end
    end
    local last = step == steps or stop or cancel
    if checkpoint and (last or (o.save_every and step % o.save_every == 0)) then save(step) end
    if cancel then
      history.interrupted = true
      break
    end
    if stop then break end
  end
  history.final_loss = history.loss[history.steps]
  history.tokens = tokens
  history.elapsed = clock() - t0
  return history
end

return setmetatable(M, { __call = function(_, o) return M.run(o) end })
