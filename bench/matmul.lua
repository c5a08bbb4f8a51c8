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
-- The two run in separate phases (all shapes llmlab, then all shapes raw),
-- three rounds, keeping the best median of each: OpenBLAS's own worker
-- threads keep spinning for a while after a raw call and would steal the
-- cores from llmlab's OpenMP threads if the two were interleaved call by call.
local cases = {}
for i, s in ipairs(shapes) do
  local M, K, N = s[1], s[2], s[3]
  cases[i] = { M = M, K = K, N = N, a = llm.randn(M, K), b = llm.randn(K, N), c = llm.zeros(M, N),
               raw = math.huge, llm = math.huge }
end
local function pause() if threads > 1 then os.execute("sleep 0.5") end end
for _ = 1, 3 do
  for _, c in ipairs(cases) do
    c.llm = math.min(c.llm, time_it(function() local y <close> = c.a:matmul(c.b) end, 0.3))
  end
  pause()
  for _, c in ipairs(cases) do
    c.raw = math.min(c.raw, time_it(function() llm.blas_sgemm(c.a, c.b, c.c) end, 0.3))
  end
  pause()
end

print(string.format("%-20s %12s %12s %8s", "M x K x N", "sgemm GF/s", "llmlab GF/s", "ratio"))
local ratio_min = math.huge
for _, c in ipairs(cases) do
  local flops = 2.0 * c.M * c.K * c.N
  local g_raw, g_llm = flops / c.raw / 1e9, flops / c.llm / 1e9
  local r = g_llm / g_raw
  ratio_min = math.min(ratio_min, r)
  print(string.format("%-20s %12.1f %12.1f %8.3f", string.format("%dx%dx%d", c.M, c.K, c.N), g_raw, g_llm, r))
end
print(string.format("matmul ratio_min=%.3f", ratio_min))
