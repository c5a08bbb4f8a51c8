-- bench/embeddings.lua: word2vec / fastText-mode training speed and
-- nearest-neighbour agreement. Run through bench/embeddings.sh.
--   llmlab run bench/embeddings.lua train CORPUS THREADS MODE OUT.vec
--   llmlab run bench/embeddings.lua agree A.vec B.vec     (top-500 words, 10 neighbours)
local cmd = arg[1]
if cmd == "train" then
  local path, threads, mode, out = arg[2], tonumber(arg[3]), arg[4], arg[5]
  local f = assert(io.open(path)); local text = f:read("a"); f:close()
  llm.seed(1)
  local opts = { dim = 100, window = 5, epochs = 5, negative = 5, min_count = 5, threads = threads }
  local v
  local wall0 = io.popen("date +%s.%N"):read("l")
  if mode == "fasttext" then v = llm.embed.fasttext(text, opts) else v = llm.embed.word2vec(text, opts) end
  local wall1 = io.popen("date +%s.%N"):read("l")
  print(string.format("llmlab %s threads=%d seconds=%.2f vocab=%d", mode, threads, tonumber(wall1) - tonumber(wall0), v:size()))
  if out and out ~= "" then v:save(out) end
elseif cmd == "agree" then
  local a, b = llm.embed.load(arg[2]), llm.embed.load(arg[3])
  local words, total, n = a:words(500), 0, 0
  for _, w in ipairs(words) do
    if b:has(w) then
      local na, nb, set = a:nearest(w, 10), b:nearest(w, 10), {}
      for _, x in ipairs(na) do set[x.word] = true end
      local common = 0
      for _, x in ipairs(nb) do if set[x.word] then common = common + 1 end end
      total, n = total + common / 10, n + 1
    end
  end
  print(string.format("%.3f", total / n))
else
  error("usage: embeddings.lua train CORPUS THREADS MODE OUT | agree A B")
end
