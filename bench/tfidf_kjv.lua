-- bench/tfidf_kjv.lua VERSES SKLEARN_OUT [THREADS...]: llm.features.TfidfVectorizer
-- with unigrams+bigrams on one document per line, once per thread count
-- (default 1 and 2); checks each matrix against scikit-learn's (same shape,
-- vocabulary, indices, values within 1e-6) and prints the wall time (best of
-- 3) and, for one thread, the CPU time too.
local verses, ref = arg[1], arg[2]
local counts = {}
for i = 3, #arg do counts[#counts + 1] = assert(tonumber(arg[i]), "thread counts are numbers") end
if #counts == 0 then counts = { 1, 2 } end
local docs = {}
for line in io.lines(verses) do docs[#docs + 1] = line end

-- scikit-learn's output
local f = assert(io.open(ref))
local sr, sc, snnz = f:read("n", "n", "n")
f:read("l")
local svoc = {}
for i = 1, sc do svoc[i] = f:read("l") end
local function nums(line) local t = {}; for x in line:gmatch("%S+") do t[#t + 1] = tonumber(x) end; return t end
local indptr, indices, data = nums(f:read("l")), nums(f:read("l")), nums(f:read("l"))
f:close()

local function compare(X, vec)
  local nr, nc = X:shape()
  if nr ~= sr or nc ~= sc or X:nnz() ~= snnz then return false, "shape or stored values differ" end
  local voc = vec:vocabulary()
  for i = 1, sc do
    if svoc[i] ~= voc[i] then return false, "vocabulary differs at " .. i .. ": " .. svoc[i] .. " vs " .. tostring(voc[i]) end
  end
  local maxdiff = 0
  for r = 1, nr do
    local cols, vals = X:row(r)
    local a = indptr[r]
    if #cols ~= indptr[r + 1] - a then return false, "row " .. r .. " differs" end
    for j = 1, #cols do
      if cols[j] ~= indices[a + j] + 1 then return false, "row " .. r .. " columns differ" end
      maxdiff = math.max(maxdiff, math.abs(vals[j] - data[a + j]))
    end
  end
  return maxdiff <= 1e-6, string.format("max |difference| %.2g", maxdiff)
end

local saved = llm.threads()
for _, n in ipairs(counts) do
  llm.threads(n)
  local best, cpu, X, vec = math.huge, math.huge, nil, nil
  for _ = 1, 3 do
    vec = llm.features.TfidfVectorizer{ ngram_range = { 1, 2 } }
    collectgarbage()
    local t0, c0 = llm.now(), llm.cpu_time()
    X = vec:fit_transform(docs)
    best = math.min(best, llm.now() - t0)
    cpu = math.min(cpu, llm.cpu_time() - c0)
  end
  local nr, nc = X:shape()
  local same, note = compare(X, vec)
  print(string.format("llmlab, %d thread%s: %d docs, %d terms, %d stored values; same output as scikit-learn: %s (%s)",
    n, n == 1 and "" or "s", nr, nc, X:nnz(), same and "yes" or "NO", note))
  print(string.format("llmlab_seconds %d %.4f %.4f", n, best, cpu))
end
llm.threads(saved)
