-- bench/matmul.lua: llmlab's matmul (llm.matmul, with its checks, output
-- allocation and autograd bookkeeping) against a raw cblas_sgemm call on the
-- same buffers, at square sizes and at the shapes of a transformer layer.
-- Prints GFLOP/s side by side and the ratio; the last line is
--   matmul ratio_min=R
-- At 1 thread the times are CPU seconds of the process (steady on a shared,
-- busy machine, where wall-clock medians swing by 2x); at more threads they
-- are wall-clock seconds. Both are medians over repeated calls.
-- Usage: llmlab run bench/matmul.lua [threads]   (default: llm.threads())
local threads = tonumber(arg and arg[1]) or llm.threads()
llm.threads(threads)
llm.seed(1)

local shapes = {
  { 256, 256, 256 }, { 512, 512, 512 }, { 1024, 1024, 1024 },
  { 2048, 384, 1152 }, { 2048, 384, 1536 }, { 2048, 1536, 384 },
}

local clock = threads == 1 and llm.cpu_time or llm.now

-- Median seconds per call over enough calls to fill ~budget seconds.
local function time_it(fn, budget)
  fn(); fn()
  local t0 = llm.now()
  fn()
  local one = math.max(llm.now() - t0, 1e-6)
  local reps = math.max(5, math.min(200, math.floor(budget / one)))
  local times = {}
  for i = 1, reps do
    local s = clock()
    fn()
    times[i] = clock() - s
  end
  table.sort(times)
  return times[(reps + 1) // 2]
end

print(string.format("threads=%d  blas=%s  timing=%s", threads, llm.info().blas,
  threads == 1 and "cpu-time" or "wall-clock"))
-- This machine's speed drifts by up to 40% within a minute, so the two are
-- measured in alternation, shape by shape: five rounds of (llmlab, raw),
-- each a median over ~0.15 s of calls, and the ratio is the median of the
-- five rounds' ratios. After the raw calls at 2+ threads OpenBLAS's own
-- workers keep spinning for ~0.1 s; a busy wait (a fork for "sleep" would
-- leave copy-on-write faults behind) lets them stop before llmlab's
-- OpenMP threads need the cores.
local function settle()
  if threads > 1 then
    local t0 = llm.now()
    while llm.now() - t0 < 0.25 do end
  end
end
local function median(t)
  local c = table.move(t, 1, #t, 1, {})
  table.sort(c)
  local n = #c
  return n % 2 == 1 and c[(n + 1) // 2] or (c[n // 2] + c[n // 2 + 1]) / 2
end

print(string.format("%-20s %12s %12s %8s", "M x K x N", "sgemm GF/s", "llmlab GF/s", "ratio"))
local ratio_min = math.huge
for _, s in ipairs(shapes) do
  local M, K, N = s[1], s[2], s[3]
  local a, b, c = llm.randn(M, K), llm.randn(K, N), llm.zeros(M, N)
  local flops = 2.0 * M * K * N
  local raw, mine, ratios = {}, {}, {}
  for r = 1, 5 do
    mine[r] = flops / time_it(function() local y <close> = a:matmul(b) end, 0.15) / 1e9
    raw[r] = flops / time_it(function() llm.blas_sgemm(a, b, c) end, 0.15) / 1e9
    settle()
    ratios[r] = mine[r] / raw[r]
  end
  local ratio = median(ratios)
  ratio_min = math.min(ratio_min, ratio)
  print(string.format("%-20s %12.1f %12.1f %8.3f", string.format("%dx%dx%d", M, K, N), median(raw), median(mine), ratio))
end
print(string.format("matmul ratio_min=%.3f", ratio_min))
