-- bench/attention.lua: the fused causal attention kernel, forward + backward,
-- at the shapes of the GPT configs S (B=16, H=4, T=128, D=32) and
-- M (B=8, H=6, T=256, D=64), next to the same attention composed from
-- primitive ops (matmul, masked_fill, softmax, matmul) in llmlab.
-- bench/torch_attention.py prints PyTorch's composed attention for the same
-- shapes. One line per config:
--   attention CONFIG threads=T fused_ms=X composed_ms=Y
-- (wall-clock medians; at 1 thread the CPU-time medians follow, steadier on a busy machine)
-- Usage: llmlab run bench/attention.lua [threads]
local threads = tonumber(arg and arg[1]) or llm.threads()
llm.threads(threads)
llm.seed(1)

local configs = {
  { name = "S", B = 16, H = 4, T = 128, D = 32 },
  { name = "M", B = 8, H = 6, T = 256, D = 64 },
}

local function median_ms(fn, reps)
  fn()
  local t, c = {}, {}
  for i = 1, reps do
    local s, cs = llm.now(), llm.cpu_time()
    fn()
    t[i] = (llm.now() - s) * 1000
    c[i] = (llm.cpu_time() - cs) * 1000
  end
  table.sort(t)
  table.sort(c)
  return t[(reps + 1) // 2], c[(reps + 1) // 2]
end

local function composed(q, k, v, mask)
  local s = q:matmul(k:transpose(-2, -1)) * (1 / math.sqrt(q:size(-1)))
  return s:masked_fill(mask, -math.huge):softmax(-1):matmul(v)
end

for _, c in ipairs(configs) do
  local shape = { c.B, c.H, c.T, c.D }
  local q = llm.randn(shape):requires_grad()
  local k = llm.randn(shape):requires_grad()
  local v = llm.randn(shape):requires_grad()
  local g = llm.randn(shape)
  local i = llm.arange(c.T):view(c.T, 1)
  local mask = llm.arange(c.T):view(1, c.T):gt(i)
  local function step(f)
    return function()
      local y <close> = f()
      y:backward(g)
      q:zero_grad(); k:zero_grad(); v:zero_grad()
    end
  end
  local fused, fused_cpu = median_ms(step(function() return llm.attention(q, k, v, { causal = true }) end), 7)
  local comp, comp_cpu = median_ms(step(function() return composed(q, k, v, mask) end), 5)
  local extra = threads == 1 and string.format(" fused_cpu_ms=%.2f composed_cpu_ms=%.2f", fused_cpu, comp_cpu) or ""
  print(string.format("attention %s threads=%d fused_ms=%.2f composed_ms=%.2f%s", c.name, threads, fused, comp, extra))
end
