-- bench/kn_trigram.lua TRAIN HELDOUT N_CHECK: llm.ngram.KneserNey{order=3,
-- unk_cutoff=2 (words seen once become <UNK>, so unseen words score > 0)}
-- fit on one tokenised sentence per line, perplexity on the whole held-out
-- file, and on its first N_CHECK sentences (to compare with NLTK's value).
-- Times are CPU seconds (single thread), excluding reading the files.
local function read(path)
  local s = {}
  for line in io.lines(path) do
    local t = {}
    for w in line:gmatch("%S+") do t[#t + 1] = w end
    if #t > 0 then s[#s + 1] = t end
  end
  return s
end
local train, held, n_check = read(arg[1]), read(arg[2]), tonumber(arg[3])
local ntrain, nheld = 0, 0
for _, s in ipairs(train) do ntrain = ntrain + #s end
for _, s in ipairs(held) do nheld = nheld + #s end

collectgarbage()
local t0 = os.clock()
local lm = llm.ngram.KneserNey{ order = 3, discount = 0.1, unk_cutoff = 2 }:fit(train)
local fit_s = os.clock() - t0
t0 = os.clock()
local ppl, r = lm:perplexity(held)
local ppl_s = os.clock() - t0
local check = {}
for i = 1, n_check do check[i] = held[i] end
local cppl, cr = lm:perplexity(check)
print(string.format("train %d tokens in %d sentences, held-out %d tokens", ntrain, #train, nheld))
print(string.format("llmlab_fit_seconds %.4f", fit_s))
print(string.format("llmlab_perplexity %.6g over %d trigrams (%d held-out tokens outside the vocabulary, scored as <UNK>)",
  ppl, r.events, r.oov))
print(string.format("llmlab_perplexity_seconds %.4f", ppl_s))
print(string.format("llmlab_check_events %d", cr.events))
print(string.format("llmlab_check_perplexity %.12g", cppl))
