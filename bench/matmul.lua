-- bench/matmul.lua: llmlab's matmul (llm.matmul, with its checks, output
-- allocation and autograd bookkeeping) against a raw cblas_sgemm call on the
-- same buffers, at square sizes and at the shapes of a transformer layer.
-- Prints GFLOP/s side by side and the ratio; the last line is
--   matmul ratio_min=R
-- Usage: llmlab run bench/matmul.lua [threads]   (default: llm.threads())
local threads = tonumber(arg and arg[1]) or llm.threads()
llm.threads(threads)
llm.seed(1)

local shapes = {
  { 256, 256, 256 }, { 512, 512, 512 }, { 1024, 1024, 1024 },
  { 2048, 384, 1152 }, { 2048, 384, 1536 }, { 2048, 1536, 384 },
}

-- Median seconds per call over enough calls to fill ~budget seconds.
local function time_it(fn, budget)
  fn(); fn()
  local t0 = llm.now()
  fn()
  local one = math.max(llm.now() - t0, 1e-6)
  local reps = math.max(5, math.min(200, math.floor(budget / one)))
  local times = {}
  for i = 1, reps do
    local s = llm.now()
    fn()
    times[i] = llm.now() - s
  end
  table.sort(times)
  return times[(reps + 1) // 2]
end

print(string.format("threads=%d  blas=%s", threads, llm.info().blas))
print(string.format("%-20s %12s %12s %8s", "M x K x N", "sgemm GF/s", "llmlab GF/s", "ratio"))
local ratio_min = math.huge
for _, s in ipairs(shapes) do
  local M, K, N = s[1], s[2], s[3]
  local a, b, c = llm.randn(M, K), llm.randn(K, N), llm.zeros(M, N)
  local flops = 2.0 * M * K * N
  -- interleave the two so that clock drift affects both alike
  local t_raw, t_llm = math.huge, math.huge
  for _ = 1, 3 do
    t_raw = math.min(t_raw, time_it(function() llm.blas_sgemm(a, b, c) end, 0.3))
    t_llm = math.min(t_llm, time_it(function() local y <close> = a:matmul(b) end, 0.3))
  end
  local g_raw, g_llm = flops / t_raw / 1e9, flops / t_llm / 1e9
  local r = g_llm / g_raw
  ratio_min = math.min(ratio_min, r)
  print(string.format("%-20s %12.1f %12.1f %8.3f", string.format("%dx%dx%d", M, K, N), g_raw, g_llm, r))
end
print(string.format("matmul ratio_min=%.3f", ratio_min))
