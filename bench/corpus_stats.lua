-- bench/corpus_stats.lua: read Moby Dick + SOTU (233 speeches) + KJV with
-- the streaming readers and compute every statistic (counts, top-k, hapax,
-- TTR, sentence lengths, Zipf fit). Target: under 1 s. Needs the three
-- corpora fetched (llmlab data fetch moby-dick sotu kjv).
-- Usage: llmlab run bench/corpus_stats.lua
local text, data = llm.text, llm.data
local C = require("llm.core")._text
for _, n in ipairs({ "moby-dick", "sotu", "kjv" }) do
  if not data.fetched(n) then
    print("BENCH corpus_stats SKIP (run `llmlab data fetch moby-dick sotu kjv`)")
    return
  end
end
local t0, c0 = C.wall_clock(), os.clock()
local files = { data.path("moby-dick", "package/data/data.txt"), data.path("kjv", "kjv.txt") }
for _, f in ipairs(data.files(data.path("sotu", "package/data"), "%.txt$")) do files[#files + 1] = f end
-- documents: 1 MB blocks cut at paragraph breaks (streamed), so sentences never cross blocks
local function docs()
  local i, it = 0, nil
  return function()
    while true do
      if it then
        local p = it()
        if p then return p end
      end
      i = i + 1
      if not files[i] then return nil end
      it = data.blocks(files[i])
    end
  end
end
local s = text.statistics(docs(), { top = 100 })
local t1, c1 = C.wall_clock(), os.clock()
print(("files            %d"):format(#files))
print(("bytes            %d   chars %d   lines %d"):format(s.bytes, s.chars, s.lines))
print(("words            %d   types %d   hapax %d   TTR %.4f"):format(s.words, s.types, s.hapax, s.ttr))
print(("sentences        %d   mean length %.1f words"):format(s.sentences, s.sentence_lengths.mean))
print(("zipf             s=%.3f  r2=%.3f"):format(s.zipf.s, s.zipf.r2))
print(("top 5            %s %s %s %s %s"):format(s.top[1].word, s.top[2].word, s.top[3].word, s.top[4].word, s.top[5].word))
print(("time             %.3f s wall, %.3f s CPU (target < 1 s; CPU time is what a quiet machine would show)"):format(t1 - t0, c1 - c0))
print(("load average     %s"):format((io.open("/proc/loadavg") or io.stdin):read("l") or "?"))
local wc = io.popen("cat " .. table.concat(files, " "):gsub("[^%w/%._ -]", "") .. " | wc -w"):read("a")
print(("reference        wc -w counts %s whitespace-separated tokens"):format(wc:match("%d+") or "?"))
print(("BENCH corpus_stats seconds=%.3f cpu_seconds=%.3f words=%d target_seconds=1 %s"):format(t1 - t0, c1 - c0, s.words,
      (t1 - t0) < 1 and "PASS" or ((c1 - c0) < 1 and "PASS_CPU" or "MISS")))
