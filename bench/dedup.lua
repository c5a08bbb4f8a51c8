-- bench/dedup.lua: near-duplicate detection over 100,000 generated short
-- documents (25-40 words from a 20,000-word vocabulary) with 10,000 planted
-- near-duplicates (1-3 words changed) and 2,000 exact copies. Word 3-gram
-- shingles, 128 MinHash permutations, 32 bands, Jaccard >= 0.8.
-- Targets: < 10 s on 2 cores, < 1 GB peak memory. Recall is measured on the
-- planted pairs whose true Jaccard is >= 0.8.
-- Usage: llmlab run bench/dedup.lua [N] [THREADS]
local text = llm.text
local C = require("llm.core")._text
local N = tonumber(arg and arg[1]) or 100000
local threads = tonumber(arg and arg[2]) or 2
llm.threads(threads)
llm.seed(11)
local vocab = {}
for i = 1, 20000 do vocab[i] = "w" .. i end
local docs, planted = {}, {}
local base_n = N - N // 10 - N // 50
for i = 1, base_n do
  local w = {}
  for k = 1, 25 + llm.random(16) - 1 do w[k] = vocab[llm.random(#vocab)] end
  docs[i] = table.concat(w, " ")
end
while #docs < N - N // 50 do
  local b = llm.random(base_n)
  local w = {}
  for x in docs[b]:gmatch("%S+") do w[#w + 1] = x end
  for _ = 1, llm.random(3) do w[llm.random(#w)] = vocab[llm.random(#vocab)] end
  docs[#docs + 1] = table.concat(w, " ")
  planted[#planted + 1] = { b, #docs }
end
while #docs < N do
  local b = llm.random(base_n)
  docs[#docs + 1] = docs[b]
  planted[#planted + 1] = { b, #docs }
end
local t0, c0 = C.wall_clock(), os.clock()
local r = text.dedup(docs, { threshold = 0.8, perms = 128, bands = 32 })
local t1, c1 = C.wall_clock(), os.clock()
local found = {}
for _, p in ipairs(r.pairs) do found[p[1] .. ":" .. p[2]] = true end
local want, hit = 0, 0
for _, p in ipairs(planted) do
  if text.jaccard(docs[p[1]], docs[p[2]]) >= 0.8 then
    want = want + 1
    if found[p[1] .. ":" .. p[2]] or r.cluster[p[1]] == r.cluster[p[2]] then hit = hit + 1 end
  end
end
local status = io.open("/proc/self/status"):read("a")
local peak_kb = tonumber(status:match("VmHWM:%s*(%d+)")) or 0
print(("documents        %d (%d planted near/exact duplicates)"):format(N, #planted))
print(("threads          %d"):format(threads))
print(("candidates       %d   verified pairs %d   clusters %d   removed %d"):format(r.candidates, #r.pairs, #r.clusters, #r.removed))
print(("recall           %.4f on %d planted pairs with Jaccard >= 0.8"):format(hit / math.max(want, 1), want))
print(("time             %.2f s wall, %.2f s CPU over all threads (target < 10 s)"):format(t1 - t0, c1 - c0))
print(("load average     %s"):format((io.open("/proc/loadavg") or io.stdin):read("l") or "?"))
print(("peak RSS         %.0f MB (target < 1024 MB; includes the Lua strings)"):format(peak_kb / 1024))
print(("BENCH dedup docs=%d threads=%d seconds=%.2f cpu_seconds=%.2f peak_mb=%.0f recall=%.4f %s"):format(N, threads, t1 - t0, c1 - c0,
      peak_kb / 1024, hit / math.max(want, 1), ((t1 - t0) < 10 and peak_kb < 1024 * 1024) and "PASS" or "MISS"))
