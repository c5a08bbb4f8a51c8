-- bench/train_gpt.lua: tokens per second of full GPT training steps
-- (forward, cross-entropy, backward, AdamW) in llmlab, the model and step of
-- bench/torch_gpt.py. After two warm-up steps it times at least five steps
-- and reports the median, the MFU (model FLOPs per step over its time, over
-- the raw cblas_sgemm peak at the same thread count measured just before
-- and just after that step; the median over steps) and the peak RSS of the
-- process.
--
--   llmlab run bench/train_gpt.lua CONFIG THREADS [STEPS]   one run (CONFIG: S or M)
--   llmlab run bench/train_gpt.lua                           S and M at 1 and 2 threads,
--                                                            each in its own process
-- One line per run:  train CONFIG threads=T tok_per_s=X mfu=Y rss_mb=Z
-- (after an information line with the step time, the CPU time per step and
-- the sgemm peak). OpenBLAS does not recognise every CPU: on one it takes
-- for an old "Prescott" it runs 3-4x below its real sgemm speed; set
-- OPENBLAS_CORETYPE (bench/compare.sh does, for both llmlab and PyTorch).
local configs = {
  S = { vocab_size = 256, block_size = 128, d_model = 128, n_layer = 4, n_head = 4, batch = 16 },
  M = { vocab_size = 8192, block_size = 256, d_model = 384, n_layer = 6, n_head = 6, batch = 8 },
}

-- 6 x matmul parameters + attention (12 * layers * d * ctx), as the issue counts.
local function flops_per_token(c)
  local n = c.n_layer * 12 * c.d_model ^ 2 + c.vocab_size * c.d_model
  return 6 * n + 12 * c.n_layer * c.d_model * c.block_size
end

local function median(t)
  local s = table.move(t, 1, #t, 1, {})
  table.sort(s)
  local n = #s
  return n % 2 == 1 and s[(n + 1) // 2] or (s[n // 2] + s[n // 2 + 1]) / 2
end

-- The best raw cblas_sgemm rate (1024^3) over a few calls: by the wall clock
-- and per CPU second (steadier when the machine is shared).
local function sgemm_peak(reps)
  local n = 1024
  local a, b, c = llm.randn(n, n), llm.randn(n, n), llm.zeros(n, n)
  local best, best_cpu = 0, 0
  for _ = 1, reps or 8 do
    local t0, c0 = llm.now(), os.clock()
    llm.blas_sgemm(a, b, c)
    local w, cpu = llm.now() - t0, os.clock() - c0
    best = math.max(best, 2 * n ^ 3 / w / 1e9)
    if cpu > 0 then best_cpu = math.max(best_cpu, 2 * n ^ 3 / cpu / 1e9) end
  end
  return best, best_cpu
end

-- After a raw call at 2+ threads OpenBLAS's own workers spin for ~0.1 s
-- before they sleep; let them, so they do not take cores from the step.
-- (A busy wait: os.execute("sleep") would fork, and the copy-on-write
-- faults afterwards would slow the step.)
local function settle(threads)
  if threads > 1 then
    local t0 = llm.now()
    while llm.now() - t0 < 0.25 do end
  end
end

local function run(name, threads, steps)
  local c = configs[name]
  if not c then error("train_gpt: unknown config '" .. tostring(name) .. "' (S or M)") end
  llm.threads(threads)
  llm.seed(0)
  local model = llm.nn.GPT { vocab_size = c.vocab_size, block_size = c.block_size, d_model = c.d_model,
    n_layer = c.n_layer, n_head = c.n_head }
  local opt = llm.optim.AdamW(model, { lr = 3e-4, betas = { 0.9, 0.95 }, weight_decay = 0.1 })
  local B, T = c.batch, c.block_size
  local function random_ids()
    local t = {}
    for b = 1, B do
      t[b] = {}
      for i = 1, T do t[b][i] = llm.random(c.vocab_size) - 1 end
    end
    return llm.tensor(t, "int64")
  end
  local x, y = random_ids(), random_ids()
  local function step()
    opt:zero_grad()
    local _, loss = model(x, y)
    loss:backward()
    opt:step()
    return loss:item()
  end
  for _ = 1, 2 do step() end
  -- The speed of this machine's cores drifts by up to 40% within a minute
  -- (its virtual CPUs share physical cores with other guests). So each
  -- timed step sits between two short sgemm peak measurements, and its MFU
  -- is taken against the mean of the two; `mfu` is the median of those.
  -- `mfu_max_peak` is the older, harsher figure: tokens/s against the best
  -- peak seen at any moment of the run.
  local n = math.max(5, steps)
  local times, cpu, peaks, peaks_cpu = {}, {}, {}, {}
  peaks[1], peaks_cpu[1] = sgemm_peak(3)
  for i = 1, n do
    settle(threads)
    local t0, c0 = llm.now(), os.clock()
    step()
    times[i], cpu[i] = llm.now() - t0, os.clock() - c0
    peaks[i + 1], peaks_cpu[i + 1] = sgemm_peak(3)
  end
  local F = flops_per_token(c) * B * T / 1e9 -- GFLOP per step
  local mfus, mfus_cpu = {}, {}
  for i = 1, n do
    mfus[i] = F / times[i] / ((peaks[i] + peaks[i + 1]) / 2)
    mfus_cpu[i] = F / cpu[i] / ((peaks_cpu[i] + peaks_cpu[i + 1]) / 2)
  end
  local med = median(times)
  local tok = B * T / med
  local peak_max = math.max(table.unpack(peaks))
  local cpu_tok = B * T / median(cpu)
  -- CPU seconds per step (all threads): on a shared machine the 1-thread
  -- figure tokens / CPU second is steadier than the wall clock. cpu_mfu:
  -- per CPU second against sgemm per CPU second, the share of each core's
  -- time that does model FLOPs at sgemm speed.
  print(string.format("train %s threads=%d step_ms=%.1f cpu_ms=%.1f cpu_tok_per_s=%.0f cpu_mfu=%.3f sgemm_gflops=%.1f sgemm_min=%.1f mfu_max_peak=%.3f",
    name, threads, med * 1e3, median(cpu) * 1e3, cpu_tok, median(mfus_cpu), median(peaks),
    math.min(table.unpack(peaks)), tok * flops_per_token(c) / 1e9 / peak_max))
  print(string.format("train %s threads=%d tok_per_s=%.0f mfu=%.3f rss_mb=%.0f", name, threads, tok, median(mfus),
    llm.peak_rss_mb()))
end

local blas = llm.info().blas or ""
if blas:find("Prescott") and not os.getenv("OPENBLAS_CORETYPE") then
  io.stderr:write("train_gpt: OpenBLAS runs its generic 'Prescott' kernels here; on an AVX-512 CPU set ",
    "OPENBLAS_CORETYPE=SkylakeX (bench/compare.sh does) for 3-4x faster sgemm\n")
end

if arg and arg[1] then
  run(arg[1], tonumber(arg[2]) or 1, tonumber(arg[3]) or 7)
else
  local bin = os.getenv("LLMLAB_BIN") or "./llmlab"
  local script = debug.getinfo(1, "S").source:sub(2)
  for _, name in ipairs({ "S", "M" }) do
    for _, th in ipairs({ 1, 2 }) do
      local p = assert(io.popen(string.format("%q run %q %s %d", bin, script, name, th)))
      io.write(p:read("a"))
      io.flush()
      p:close()
    end
  end
end
