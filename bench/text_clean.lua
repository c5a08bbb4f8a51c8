-- bench/text_clean.lua: cleaning + NFC throughput on one core.
-- Input: Moby Dick + KJV + the SOTU speeches when fetched (else a generated
-- mixed-script text), repeated to about 64 MB, with a sprinkle of curly
-- quotes, dashes, combining accents, NBSPs and invalid bytes. Pipeline:
-- UTF-8 repair, standardise (all rules), NFC. Reference: Python's
-- unicodedata.normalize('NFC') on the same bytes, when python3 is there.
-- Usage: llmlab run bench/text_clean.lua [MB]
local text, data = llm.text, llm.data
local C = require("llm.core")._text
local target_mb = tonumber(arg and arg[1]) or 64
llm.threads(1)

local parts = {}
local function add_file(name, file)
  if data.fetched(name) then
    local f = io.open(data.path(name, file), "rb")
    parts[#parts + 1] = f:read("a")
    f:close()
  end
end
add_file("moby-dick", "package/data/data.txt")
add_file("kjv", "kjv.txt")
if #parts == 0 then
  parts[1] = ("The caf\u{E9} \u{201C}na\u{EF}ve\u{201D} r\u{E9}sum\u{E9} \u{2014} cr\u{E8}me br\u{FB}l\u{E9}e. "):rep(2000)
end
local extra = "  \u{201C}Quoted\u{201D} text\u{A0}with e\u{301}\u{301} and \u{2013} dashes\xFF.\r\n"
local base = table.concat(parts, "\n") .. extra:rep(2000)
local reps = math.max(1, math.floor(target_mb * 1e6 / #base + 0.5))
local input = base:rep(reps)
local mb = #input / 1e6

local t0, c0 = C.wall_clock(), os.clock()
local out = text.clean(input, { form = "nfc" })
local t1, c1 = C.wall_clock(), os.clock()
local cpu_mbps = mb / (c1 - c0)
local clean_s = t1 - t0
local n0 = C.wall_clock()
local nfc_only = text.nfc(input)
local n1 = C.wall_clock()
local nfc_s = n1 - n0
local mbps = mb / clean_s
print(("input            %.1f MB (%s)"):format(mb, #parts > 0 and "fetched corpora + noise" or "generated"))
print(("clean+NFC        %.3f s   %.1f MB/s wall, %.1f MB/s per CPU second (1 thread)"):format(clean_s, mbps, cpu_mbps))
print(("load average     %s"):format((io.open("/proc/loadavg") or io.stdin):read("l") or "?"))
print(("NFC alone        %.3f s   %.1f MB/s"):format(nfc_s, mb / nfc_s))
assert(#out > 0 and #nfc_only > 0)

-- reference: Python unicodedata NFC on the same input
local tmp = os.tmpname()
local f = io.open(tmp, "wb") f:write(C.utf8_repair(input)) f:close()
local py = io.popen(("python3 -c \"import sys,time,unicodedata;s=open(sys.argv[1],encoding='utf-8').read();t=time.perf_counter();unicodedata.normalize('NFC',s);print(time.perf_counter()-t)\" %s 2>/dev/null"):format(tmp))
local ref = py and tonumber(py:read("a"))
if py then py:close() end
os.remove(tmp)
if ref then print(("reference        python3 unicodedata NFC %.3f s   %.1f MB/s"):format(ref, mb / ref))
else print("reference        python3 not available") end
print(("BENCH text_clean mb=%.1f clean_nfc_mbps=%.1f clean_nfc_cpu_mbps=%.1f nfc_mbps=%.1f ref_python_nfc_mbps=%s target_mbps=50 %s")
      :format(mb, mbps, cpu_mbps, mb / nfc_s, ref and ("%.1f"):format(mb / ref) or "NA",
              mbps >= 50 and "PASS" or (cpu_mbps >= 50 and "PASS_CPU" or "MISS")))
