-- bench/lstm.lua: training tokens per second of a character-level LSTM
-- language model in llmlab (the Targets' LSTM LM: 2 layers, hidden 256,
-- sequence 128, batch 32), the model and step of bench/torch_lstm.py:
-- embedding (96 chars -> 64), nn.LSTM (fused kernel), linear head,
-- cross-entropy, backward, gradient clipping at 1.0, Adam. Two warm-up
-- steps, then the median of the timed steps (wall clock and CPU time).
--
--   llmlab run bench/lstm.lua [THREADS [STEPS]]        (default 1 thread, 5 steps)
--   bench/lstm.sh [STEPS]                              this and PyTorch side by side
-- Last line:  lstm threads=T tok_per_s=X cpu_tok_per_s=Y rss_mb=Z
local threads = tonumber(arg and arg[1]) or 1
local steps = tonumber(arg and arg[2]) or 5
local V, E, H, L, T, B = 96, 64, 256, 2, 128, 32

local function median(t)
  local s = table.move(t, 1, #t, 1, {})
  table.sort(s)
  local n = #s
  return n % 2 == 1 and s[(n + 1) // 2] or (s[n // 2] + s[n // 2 + 1]) / 2
end

llm.threads(threads)
llm.seed(0)
local model = llm.nn.RNNLM { vocab_size = V, embed_dim = E, hidden_size = H, num_layers = L, cell = "lstm" }
local opt = llm.optim.Adam(model, { lr = 2e-3 })
local function random_ids()
  local t = {}
  for b = 1, B do
    t[b] = {}
    for i = 1, T do t[b][i] = llm.random(V) - 1 end
  end
  return llm.tensor(t, "int64")
end
local x, y = random_ids(), random_ids()
local state
local function step()
  opt:zero_grad()
  local _, loss, st = model(x, y, state)
  loss:backward()
  state = llm.nn.detach_state(st)          -- truncated BPTT, as a real run carries it
  llm.optim.clip_grad_norm(opt:params(), 1.0)
  opt:step()
  return loss:item()
end
for _ = 1, 2 do step() end
local times, cpu = {}, {}
for i = 1, math.max(3, steps) do
  local t0, c0 = llm.now(), os.clock()
  step()
  times[i], cpu[i] = llm.now() - t0, os.clock() - c0
end
local tok = B * T / median(times)
print(string.format("lstm threads=%d step_ms=%.1f cpu_ms=%.1f", threads, median(times) * 1e3, median(cpu) * 1e3))
print(string.format("lstm threads=%d tok_per_s=%.0f cpu_tok_per_s=%.0f rss_mb=%.0f", threads, tok,
  B * T / median(cpu), llm.peak_rss_mb()))
