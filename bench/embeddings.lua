-- bench/embeddings.lua: word2vec / fastText-mode training speed and
-- nearest-neighbour agreement. Run through bench/embeddings.sh.
--   llmlab run bench/embeddings.lua train CORPUS THREADS MODE OUT.vec [SEED]
--   llmlab run bench/embeddings.lua agree REF.vec A.vec [B.vec ...]  (REF's top-500 words, 10 neighbours)
local cmd = arg[1]
if cmd == "train" then
  local path, threads, mode, out = arg[2], tonumber(arg[3]), arg[4], arg[5]
  local f = assert(io.open(path)); local text = f:read("a"); f:close()
  llm.seed(tonumber(arg[6]) or 1)
  local opts = { dim = 100, window = 5, epochs = 5, negative = 5, min_count = 5, threads = threads }
  local v
  local wall0 = io.popen("date +%s.%N"):read("l")
  if mode == "fasttext" then v = llm.embed.fasttext(text, opts) else v = llm.embed.word2vec(text, opts) end
  local wall1 = io.popen("date +%s.%N"):read("l")
  print(string.format("llmlab %s threads=%d seconds=%.2f vocab=%d", mode, threads, tonumber(wall1) - tonumber(wall0), v:size()))
  if out and out ~= "" then v:save(out) end
elseif cmd == "agree" then
  -- agree REF A [B ...]: for each file after REF, the mean overlap of the
  -- 10-nearest-neighbour lists with REF's, over REF's 500 most frequent words
  -- (the same word set for every file compared, so figures are comparable).
  local ref = llm.embed.load(arg[2])
  local words, lists = ref:words(500), {}
  for i, w in ipairs(words) do
    local set = {}
    for _, x in ipairs(ref:nearest(w, 10)) do set[x.word] = true end
    lists[i] = set
  end
  local out = {}
  for k = 3, #arg do
    local b = llm.embed.load(arg[k])
    local total, n = 0, 0
    for i, w in ipairs(words) do
      if b:has(w) then
        local common = 0
        for _, x in ipairs(b:nearest(w, 10)) do if lists[i][x.word] then common = common + 1 end end
        total, n = total + common / 10, n + 1
      end
    end
    out[#out + 1] = string.format("%.3f", n > 0 and total / n or 0)
  end
  print(table.concat(out, " "))
else
  error("usage: embeddings.lua train CORPUS THREADS MODE OUT [SEED] | agree REF A [B ...]")
end
