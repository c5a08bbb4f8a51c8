-- bench/tfidf_kjv.lua VERSES SKLEARN_OUT: llm.features.TfidfVectorizer with
-- unigrams+bigrams on one document per line; checks the matrix against
-- scikit-learn's (same shape, vocabulary, indices, values within 1e-6) and
-- prints the time (CPU seconds, single thread).
local verses, ref = arg[1], arg[2]
local docs = {}
for line in io.lines(verses) do docs[#docs + 1] = line end

local best, X, vec = math.huge, nil, nil
for _ = 1, 2 do
  vec = llm.features.TfidfVectorizer{ ngram_range = { 1, 2 } }
  collectgarbage()
  local t0 = os.clock()
  X = vec:fit_transform(docs)
  best = math.min(best, os.clock() - t0)
end
local nr, nc = X:shape()
print(string.format("llmlab: %d docs, %d terms, %d stored values", nr, nc, X:nnz()))

-- compare with scikit-learn's output
local f = assert(io.open(ref))
local sr, sc, snnz = f:read("n", "n", "n")
f:read("l")
local same = sr == nr and sc == nc and snnz == X:nnz()
local voc = vec:vocabulary()
for i = 1, sc do
  local t = f:read("l")
  if same and t ~= voc[i] then same = false; print("vocabulary differs at " .. i .. ": " .. t .. " vs " .. tostring(voc[i])) end
end
local function nums(line) local t = {}; for x in line:gmatch("%S+") do t[#t + 1] = tonumber(x) end; return t end
local indptr, indices, data = nums(f:read("l")), nums(f:read("l")), nums(f:read("l"))
f:close()
local maxdiff = 0
if same then
  for r = 1, nr do
    local cols, vals = X:row(r)
    local a = indptr[r]
    if #cols ~= indptr[r + 1] - a then same = false; print("row " .. r .. " differs"); break end
    for j = 1, #cols do
      if cols[j] ~= indices[a + j] + 1 then same = false; print("row " .. r .. " columns differ"); break end
      maxdiff = math.max(maxdiff, math.abs(vals[j] - data[a + j]))
    end
    if not same then break end
  end
end
print(string.format("same output as scikit-learn: %s (max |difference| %.2g)", same and maxdiff <= 1e-6 and "yes" or "NO", maxdiff))
print(string.format("llmlab_seconds %.4f", best))
