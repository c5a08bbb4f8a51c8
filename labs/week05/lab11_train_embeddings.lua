-- Lab 11 (week 5): train word2vec (skip-gram and CBOW), fastText-style
-- subword vectors and GloVe on the King James Bible with llm.embed, look at
-- their neighbours, and draw them: PCA and t-SNE scatter plots and a
-- similarity heat map. The student writes the small pieces each method is
-- built from (pairs, subsampling, character n-grams, co-occurrence counts)
-- and the projection for the plot.
local check = require "llm.check"

-- Word groups for the plots: the same groups should come out as clusters.
local GROUPS = {
  { name = "animals", words = { "sheep", "oxen", "goats", "camels", "asses", "lambs", "rams", "cattle" } },
  { name = "metals", words = { "gold", "silver", "brass", "iron", "copper", "tin", "lead" } },
  { name = "people", words = { "moses", "aaron", "david", "joshua", "abraham", "jacob", "joseph", "saul" } },
  { name = "places", words = { "egypt", "jerusalem", "babylon", "canaan", "jordan", "assyria", "syria" } },
  { name = "family", words = { "father", "mother", "son", "daughter", "brother", "sister", "wife" } },
}

local function corpus(p)
  local wc = require "llm.wordcorpus"
  local sents = wc.kjv { verses = p.verses }
  return wc.text(sents), #wc.words(sents)
end

-- Train one kind of vectors on the lab's corpus ("skipgram", "cbow",
-- "fasttext", "glove") with the size's settings.
local function train(kind, p, text)
  text = text or corpus(p)
  llm.threads(1)
  llm.seed(11)
  local o = { dim = p.dim, epochs = p.epochs, min_count = p.min_count, window = 5, threads = 1 }
  if kind == "cbow" then
    o.cbow = true
    return llm.embed.word2vec(text, o)
  elseif kind == "fasttext" then
    o.minn, o.maxn, o.buckets, o.epochs = 3, 5, p.buckets, p.ft_epochs
    return llm.embed.fasttext(text, o)
  elseif kind == "glove" then
    o.epochs = p.glove_epochs
    return llm.embed.glove(text, o)
  end
  return llm.embed.word2vec(text, o)
end

local PROBES = { "god", "king", "moses", "gold", "sheep", "jerusalem" }

local function neighbours(v, w, k)
  if not v:has(w) then return "(not in the vocabulary)" end
  local out = {}
  for i, x in ipairs(v:nearest(w, k or 6)) do out[i] = x.word end
  return table.concat(out, " ")
end

local function similarity_score(v)
  local sim = llm.embed.read_similarity(llm.home .. "/datasets/eval/kjv_similarity.txt")
  local rho, used = v:evaluate_similarity(sim)
  return rho or 0, used
end

local function packed(f)
  if type(f) ~= "function" then return f end
  return function(...) return table.pack(f(...)) end
end

local function same_multiset(a, b)
  if type(a) ~= "table" or #a ~= #b then return false end
  local c = {}
  for _, x in ipairs(b) do c[x] = (c[x] or 0) + 1 end
  for _, x in ipairs(a) do
    if not c[x] or c[x] == 0 then return false end
    c[x] = c[x] - 1
  end
  return true
end

return {
  id = "w05.lab11",
  week = 5,
  title = "Training and visualising word embeddings: word2vec, fastText, GloVe",
  objectives = {
    "Explain what skip-gram, CBOW, fastText and GloVe each learn from",
    "Build the pieces by hand: training pairs, subsampling, character n-grams, co-occurrence counts",
    "Train all four on the King James Bible and compare their nearest neighbours",
    "Draw embeddings: PCA and t-SNE scatter plots and a similarity heat map",
    "See a contextual (ELMo-style) model give one word different vectors in different verses",
  },
  size = {
    small = { verses = 10000, dim = 40, epochs = 4, min_count = 3, buckets = 20000, ft_epochs = 3, glove_epochs = 15, tsne_words = 150,
      elmo_verses = 3000, elmo_hidden = 32, elmo_steps = 120 },
    full = { verses = 31102, dim = 100, epochs = 5, min_count = 5, buckets = 200000, ft_epochs = 5, glove_epochs = 25, tsne_words = 500,
      elmo_verses = 31102, elmo_hidden = 128, elmo_steps = 1500 },
  },
  time = 10,
  memory = 256,
  exercises = {
    { name = "cosine", hints = {
      "Three sums in one loop: a[i]*b[i], a[i]^2 and b[i]^2.",
      "The answer is dot / math.sqrt(na * nb); check for na == 0 or nb == 0 first and return 0.",
    } },
    { name = "skipgram_pairs", hints = {
      "Two loops: the center position i, and the context position j from i - window to i + window.",
      "Clamp j with math.max(1, i - window) and math.min(#words, i + window), and skip j == i.",
      "```lua\nfor i, w in ipairs(words) do\n  for j = math.max(1, i - window), math.min(#words, i + window) do\n    if j ~= i then pairs[#pairs + 1] = { w, words[j] } end\n  end\nend\n```",
    } },
    { name = "keep_probability", hints = {
      "First the word's frequency: f = count / total.",
      "Then math.sqrt(t / f); a rare word gives more than 1, so cap it with math.min(1, ...).",
    } },
    { name = "char_ngrams", hints = {
      "Wrap first: local w = \"<\" .. word .. \">\".",
      "For n from minn to maxn, every start i from 1 to #w - n + 1 gives w:sub(i, i + n - 1).",
    } },
    { name = "cooccurrence", hints = {
      "For each position i, look only forward: j = i + d for d = 1 .. window (stop at the end of the list).",
      "Each pair adds 1 / d in both directions. A little helper add(a, b, x) that creates X[a] when missing keeps it short.",
      "The same word twice at distance d adds 1/d to X[w][w] twice (once per direction), as GloVe's counter does.",
    } },
    { name = "scatter_points", hints = {
      "Collect two lists in one loop: the known words and their vectors (vecs:vector(w) is a Lua array).",
      "llm.embed.pca(rows, 2) returns one {x, y} per row, in the same order.",
      "Build {xy[i][1], xy[i][2], known[i]} for each i.",
    } },
    { name = "layer_mix", hints = {
      "First turn the weights into a softmax: s_k = exp(w_k) / sum_j exp(w_j). Equal weights give 1/K each.",
      "The result has one entry per dimension d: gamma * sum over layers k of s_k * vectors[k][d].",
      "```lua\nlocal out = {}\nfor d = 1, #vectors[1] do\n  local x = 0\n  for k = 1, #vectors do x = x + s[k] * vectors[k][d] end\n  out[d] = gamma * x\nend\n```",
    } },
  },
  steps = {
    {
      title = "Words as dense vectors",
      text = [[
# Word embeddings
A one-hot vector says *which* word it is and nothing else: every two words
are equally far apart. An **embedding** gives each word a short dense
vector (here 40 numbers at the small size, 100 at the full size) so that
words used in similar contexts end up close together — the
*distributional hypothesis*: you know a word by the company it keeps.

Four ways to learn such vectors, all trained in this lab on the King James
Bible:

- **skip-gram** (word2vec): from a word, predict each word around it.
- **CBOW** (word2vec): from the words around, predict the word in the middle.
- **fastText**: skip-gram where a word's vector is the sum of its
  character n-grams' vectors, so unseen words get vectors too.
- **GloVe**: count how often words occur near each other, then fit vectors
  whose dot products match the logarithms of those counts.

Closeness is measured with the **cosine** of the angle between two vectors.
]],
    },
    {
      title = "Cosine similarity",
      exercise = "cosine",
      points = 2,
      text = "Write `cosine(a, b)`. It is how every neighbour list in this lab is ranked.",
      check = function(ctx)
        return check.cases(ctx.ex.cosine, {
          { name = "45 degrees", args = { { 1, 0 }, { 1, 1 } }, expect = math.sqrt(0.5), tol = 1e-9 },
          { name = "opposite", args = { { 1, 2, 3 }, { -2, -4, -6 } }, expect = -1, tol = 1e-9 },
          { name = "orthogonal", args = { { 1, 1, 0 }, { 0, 0, 5 } }, expect = 0, tol = 1e-9 },
          { name = "zero vector", args = { { 0, 0 }, { 1, 2 } }, expect = 0, tol = 1e-9 },
        }, { name = "cosine" })
      end,
    },
    {
      title = "Skip-gram's training pairs",
      exercise = "skipgram_pairs",
      points = 2,
      text = [[
Skip-gram turns text into (center, context) pairs and trains a tiny
network to tell real pairs from random ones (**negative sampling**). Write
`skipgram_pairs(words, window)`. (word2vec also shrinks the window at
random for each center, which gives near words more weight; here the
window is fixed.)
]],
      check = function(ctx)
        return check.cases(ctx.ex.skipgram_pairs, {
          { name = "window 1", args = { { "a", "b", "c" }, 1 },
            expect = { { "a", "b" }, { "b", "a" }, { "b", "c" }, { "c", "b" } } },
          { name = "window 2", args = { { "in", "the", "beginning" }, 2 },
            expect = { { "in", "the" }, { "in", "beginning" }, { "the", "in" }, { "the", "beginning" },
              { "beginning", "in" }, { "beginning", "the" } } },
          { name = "one word", args = { { "amen" }, 3 }, expect = {} },
        }, { name = "skipgram_pairs" })
      end,
    },
    {
      title = "Subsampling frequent words",
      exercise = "keep_probability",
      points = 2,
      text = [[
"the", "and" and "of" are in almost every window and say little about
their neighbours. word2vec drops each occurrence of a frequent word at
random, keeping it with probability sqrt(t / f) (f: its share of the text,
t: a threshold around 1e-3 to 1e-5). Write `keep_probability(count, total, t)`.
]],
      check = function(ctx)
        return check.cases(ctx.ex.keep_probability, {
          { name = "frequent word", args = { 1000, 100000, 1e-3 }, expect = math.sqrt(0.1), tol = 1e-9 },
          { name = "the in the KJV (about 64,000 of 790,000)", args = { 64000, 790000, 1e-4 },
            expect = math.sqrt(1e-4 / (64000 / 790000)), tol = 1e-9 },
          { name = "rare word: always kept", args = { 3, 100000, 1e-3 }, expect = 1, tol = 1e-12 },
        }, { name = "keep_probability" })
      end,
    },
    {
      title = "Train word2vec: skip-gram and CBOW",
      heavy = true,
      points = 2,
      time = 600,
      memory = 512,
      text = [[
Both word2vec flavours train on the same verses. For a few probe words the
lists show the nearest neighbours by cosine. The score is Spearman's rank
correlation with the project's similarity set (`datasets/eval/kjv_similarity.txt`,
pairs of words rated 1 to 8): 1 would mean the vectors rank the pairs
exactly as the ratings do.
]],
      run = function(ctx)
        local p = ctx.params
        local text, nwords = corpus(p)
        print(string.format("%d verses, %d words; dim %d, %d epochs, window 5", p.verses, nwords, p.dim, p.epochs))
        local out = {}
        for _, kind in ipairs { "skipgram", "cbow" } do
          local t0 = llm.now()
          local v = train(kind, p, text)
          local rho, used = similarity_score(v)
          out[kind] = { rho = rho, gold = v:has("gold") and v:similarity("gold", "silver") or 0,
            gold_far = v:has("gold") and v:similarity("gold", "moses") or 0 }
          print(string.format("\n%s: %d words in the vocabulary, %.1f s, Spearman %.3f over %d pairs",
            kind, v:size(), llm.now() - t0, rho, used))
          for _, w in ipairs(PROBES) do print(string.format("  %-10s %s", w, neighbours(v, w))) end
        end
        return out
      end,
      check = function(ctx)
        local r = ctx.result
        local pts, notes = 0, {}
        if r.skipgram.rho > 0.25 and r.cbow.rho > 0.25 then pts = pts + 1
        else notes[#notes + 1] = string.format("Spearman %.3f / %.3f (want > 0.25)", r.skipgram.rho, r.cbow.rho) end
        if r.skipgram.gold > r.skipgram.gold_far then pts = pts + 1
        else notes[#notes + 1] = "gold is not closer to silver than to moses" end
        return check.result(pts, 2, #notes == 0 and string.format("Spearman: skip-gram %.2f, CBOW %.2f",
          r.skipgram.rho, r.cbow.rho) or table.concat(notes, "; "))
      end,
    },
    {
      title = "fastText's character n-grams",
      exercise = "char_ngrams",
      points = 3,
      text = [[
fastText represents "kingdoms" by the vectors of `<ki`, `kin`, `ing`, ...,
`ms>` (plus the word itself when it is in the vocabulary). The `<` and `>`
mark the start and end, so the suffix `ms>` differs from `ms` inside a
word. Write `char_ngrams(word, minn, maxn)`.
]],
      check = function(ctx)
        return check.cases(packed(ctx.ex.char_ngrams), {
          { name = "the, 3..4", args = { "the", 3, 4 },
            check = function(r) return same_multiset(r[1], { "<th", "the", "he>", "<the", "the>" }),
              "returned " .. check.show(r[1]) end },
          { name = "order: shortest first", args = { "ox", 2, 3 },
            check = function(r) return check.equal(r[1], { "<o", "ox", "x>", "<ox", "ox>" }),
              "returned " .. check.show(r[1]) end },
          { name = "longer than the word", args = { "a", 3, 6 },
            check = function(r) return check.equal(r[1], { "<a>" }), "returned " .. check.show(r[1]) end },
        }, { name = "char_ngrams" })
      end,
    },
    {
      title = "Train fastText: vectors for unseen words",
      heavy = true,
      points = 2,
      time = 600,
      memory = 512,
      text = [[
The same skip-gram, but each word is its n-grams (3 to 5 characters,
hashed into buckets). Look at two things: words that never occur in the
text still get sensible neighbours, and frequent words pick up neighbours
that merely *look* alike (subwords add noise when data is small).
]],
      run = function(ctx)
        local p = ctx.params
        local t0 = llm.now()
        local v = train("fasttext", p)
        local rho = similarity_score(v)
        print(string.format("fastText: %d words, %.1f s, Spearman %.3f", v:size(), llm.now() - t0, rho))
        for _, w in ipairs(PROBES) do print(string.format("  %-12s %s", w, neighbours(v, w))) end
        local unseen = { "kingdomes", "egyptians's", "jerusalems", "shepherdess", "commandeth", "sacrificeth",
          "offerings's", "moseses" }
        print("\nwords not in the vocabulary:")
        local hits = 0
        for _, w in ipairs(unseen) do
          local nn = v:nearest(w, 5)
          local ws = {}
          for i, x in ipairs(nn) do ws[i] = x.word end
          print(string.format("  %-12s %s%s", w, table.concat(ws, " "), v:has(w) and " (in the vocabulary!)" or ""))
          local stem = w:sub(1, 4)
          for _, x in ipairs(ws) do if x:sub(1, 4) == stem then hits = hits + 1; break end end
        end
        local s1, s2 = v:similarity("kingdomes", "kingdom"), v:similarity("kingdomes", "egypt")
        local s3, s4 = v:similarity("moseses", "moses"), v:similarity("moseses", "gold")
        print(string.format("\ncosine kingdomes-kingdom %.4f, kingdomes-egypt %.4f; moseses-moses %.4f, moseses-gold %.4f",
          s1, s2, s3, s4))
        print("(all cosines are close to 1: with this little text the vectors share a large common")
        print(" component, and only the small differences between them carry meaning)")
        return { rho = rho, hits = hits, n = #unseen, oov = not v:has("kingdomes"), spelled = s1 > s2 and s3 > s4 }
      end,
      check = function(ctx)
        local r = ctx.result
        local pts = 0
        if r.oov and r.hits >= 5 then pts = pts + 1 end
        if r.spelled then pts = pts + 1 end
        return check.result(pts, 2, string.format("%d of %d unseen words have a neighbour with the same first letters; %s",
          r.hits, r.n, r.spelled and "misspellings sit closest to their word" or "a misspelling is not closest to its word"))
      end,
    },
    {
      title = "GloVe's co-occurrence counts",
      exercise = "cooccurrence",
      points = 3,
      text = [[
GloVe starts from a table X of how often word j occurs near word i, where
a neighbour at distance d counts 1/d. It then fits vectors so that
w_i . w~_j + b_i + b~_j is close to log X_ij, weighting each pair by how
much evidence it has. Write `cooccurrence(words, window)`.
]],
      check = function(ctx)
        return check.cases(ctx.ex.cooccurrence, {
          { name = "a b a, window 2", args = { { "a", "b", "a" }, 2 }, tol = 1e-12,
            check = function(X) return type(X) == "table" and check.near(X.a and X.a.b, 2, 1e-12) and
              check.near(X.a and X.a.a, 1, 1e-12) and check.near(X.b and X.b.a, 2, 1e-12) and X.b.b == nil,
              "returned " .. check.show(X) end },
          { name = "distance weighting", args = { { "x", "y", "z" }, 2 },
            check = function(X) return type(X) == "table" and X.x and check.near(X.x.z, 0.5, 1e-12) and
              check.near(X.z.x, 0.5, 1e-12) and check.near(X.y.z, 1, 1e-12), "returned " .. check.show(X) end },
          { name = "window 1 ignores distance 2", args = { { "x", "y", "z" }, 1 },
            check = function(X) return type(X) == "table" and X.x and X.x.z == nil and check.near(X.y.x, 1, 1e-12),
              "returned " .. check.show(X) end },
        }, { name = "cooccurrence" })
      end,
    },
    {
      title = "Train GloVe",
      heavy = true,
      points = 1,
      time = 600,
      memory = 512,
      text = [[
GloVe counts co-occurrences once (window 5, 1/d weighting) and then runs
AdaGrad over the non-zero cells; the word and context vectors are summed at
the end. Compare its neighbours with word2vec's above.
]],
      run = function(ctx)
        local p = ctx.params
        local t0 = llm.now()
        local v = train("glove", p)
        local rho = similarity_score(v)
        print(string.format("GloVe: %d words, %.1f s, Spearman %.3f", v:size(), llm.now() - t0, rho))
        for _, w in ipairs(PROBES) do print(string.format("  %-10s %s", w, neighbours(v, w))) end
        return { rho = rho }
      end,
      check = function(ctx)
        local rho = ctx.result.rho
        return check.result(rho > 0.15 and 1 or 0, 1, string.format("Spearman %.3f (want > 0.15)", rho))
      end,
    },
    {
      title = "Draw the vectors",
      exercise = "scatter_points",
      points = 3,
      heavy = true,
      time = 600,
      memory = 512,
      text = [[
Forty or a hundred dimensions do not fit on a screen. **PCA** keeps the two
directions along which the chosen words vary most; **t-SNE** instead keeps
each word's nearest neighbours near, at the cost of distorting large
distances. Write `scatter_points(vecs, words)` (PCA); the step then draws
five word groups with it, a t-SNE map of the most frequent words, and a
heat map of the cosine similarities within and across the groups.
]],
      run = function(ctx)
        local p = ctx.params
        -- a quick try on three made-up vectors before the training
        local fake = { a = { 1, 0, 0 }, b = { 0, 1, 0 }, c = { 0, 0, 1 } }
        local probe = ctx.ex.scatter_points({ has = function(_, w) return fake[w] ~= nil end,
          vector = function(_, w) return fake[w] end }, { "a", "b", "x", "c" })
        if type(probe) ~= "table" or #probe ~= 3 then
          error("scatter_points on three known words (and one unknown) returned " .. check.show(probe), 0)
        end
        local v = train("skipgram", p)
        local words, group_of = {}, {}
        for _, g in ipairs(GROUPS) do
          for _, w in ipairs(g.words) do words[#words + 1] = w; group_of[w] = g.name end
        end
        local pts = ctx.ex.scatter_points(v, words)
        if type(pts) ~= "table" or #pts == 0 then error("scatter_points returned no points", 0) end
        local labelled = {}
        for i, pt in ipairs(pts) do labelled[i] = { pt[1], pt[2], tostring(pt[3]) } end
        llm.plot.scatter { title = "PCA of five word groups (skip-gram)", points = labelled }
        -- the reference projection, for the check
        local known, rows = {}, {}
        for _, w in ipairs(words) do
          if v:has(w) then known[#known + 1] = w; rows[#rows + 1] = v:vector(w) end
        end
        local ref = llm.embed.pca(rows, 2)
        -- t-SNE of the most frequent words (skipping the 20 most frequent)
        local top = v:words(20 + p.tsne_words)
        local trows, tlabels = {}, {}
        for i = 21, #top do trows[#trows + 1] = v:vector(top[i]); tlabels[#tlabels + 1] = top[i] end
        local xy = llm.embed.tsne(trows, { iterations = 500 })
        local tp = {}
        for i = 1, #xy do tp[i] = { xy[i][1], xy[i][2], (i % 3 == 1) and tlabels[i] or nil } end
        llm.plot.scatter { title = string.format("t-SNE of %d frequent words (every third labelled)", #tp), points = tp }
        -- the similarity heat map over the first three words of each group
        local hw = {}
        for _, g in ipairs(GROUPS) do
          local n = 0
          for _, w in ipairs(g.words) do
            if v:has(w) and n < 3 then hw[#hw + 1] = w; n = n + 1 end
          end
        end
        local m = {}
        for i, a in ipairs(hw) do
          m[i] = {}
          for j, b in ipairs(hw) do m[i][j] = v:similarity(a, b) end
        end
        llm.plot.heatmap { title = "cosine similarity", matrix = m, xlabels = hw, ylabels = hw }
        -- how well do groups separate? mean cosine within vs across groups
        local within, wn, across, an = 0, 0, 0, 0
        for i, a in ipairs(hw) do
          for j, b in ipairs(hw) do
            if i < j then
              if group_of[a] == group_of[b] then within, wn = within + m[i][j], wn + 1
              else across, an = across + m[i][j], an + 1 end
            end
          end
        end
        print(string.format("mean cosine within a group %.3f, across groups %.3f", within / wn, across / an))
        return { pts = pts, ref = ref, known = known, within = within / wn, across = across / an }
      end,
      check = function(ctx)
        local r = ctx.result
        local pts, notes = 0, {}
        if #r.pts == #r.known then
          local names_ok = true
          for i, w in ipairs(r.known) do if r.pts[i][3] ~= w then names_ok = false end end
          if names_ok then pts = pts + 1 else notes[#notes + 1] = "the points' words are not the known words in order" end
        else
          notes[#notes + 1] = string.format("%d points for %d known words", #r.pts, #r.known)
        end
        local close = #r.pts == #r.known
        for i = 1, math.min(#r.pts, #r.ref) do
          if not (check.near(r.pts[i][1], r.ref[i][1], 1e-6) and check.near(r.pts[i][2], r.ref[i][2], 1e-6)) then close = false end
        end
        if close then pts = pts + 1 else notes[#notes + 1] = "the coordinates are not the PCA projection of the vectors" end
        if r.within > r.across then pts = pts + 1
        else notes[#notes + 1] = string.format("groups do not separate (%.3f within, %.3f across)", r.within, r.across) end
        return check.result(pts, 3, #notes == 0 and string.format("%d points; cosine within groups %.2f, across %.2f",
          #r.pts, r.within, r.across) or table.concat(notes, "; "))
      end,
    },
    {
      title = "Contextual vectors: ELMo",
      exercise = "layer_mix",
      points = 4,
      heavy = true,
      time = 1800,
      memory = 512,
      text = [[
Every method so far gives **one** vector per word: "light" in *let there
be light* and in *a light unto my path* is the same point. ELMo runs two
LSTM language models over the sentence, one left to right and one right to
left, and takes a word's vector from their hidden states, so it depends on
the words around it. The layers are mixed with learned weights:

```
ELMo(word) = gamma * sum_k softmax(w)_k * layer_k
```

Layer 0 is the plain token vector (the same in every context); layers 1
and 2 are the LSTM states. Write `layer_mix(vectors, weights, gamma)`: the
mix of a list of per-layer vectors (Lua arrays). The step trains a small
ELMo on the KJV and compares "light" across three verses, layer by layer.
]],
      run = function(ctx)
        local p = ctx.params
        local probe = ctx.ex.layer_mix({ { 1, 2 } }, { 0 }, 1)
        if type(probe) ~= "table" then error("layer_mix returned " .. type(probe) .. ", not an array", 0) end
        llm.threads(1)
        local wc = require "llm.wordcorpus"
        local words = wc.words(wc.kjv { verses = p.elmo_verses })
        local V = llm.rnnlm.Vocab.words(words, { min_count = 3 })
        llm.seed(5)
        local m = llm.nn.ELMo { vocab_size = V:size(), hidden_size = p.elmo_hidden, num_layers = 2, input = "embedding" }
        local run = llm.runs.start { name = "lab11-elmo", params = { hidden = p.elmo_hidden, steps = p.elmo_steps } }
        local plot = llm.plot.line { title = "ELMo: mean of the forward and backward LM losses", xlabel = "step",
          ylabel = "loss (nats)", series = { { name = "train", x = {}, y = {} } }, show = false }
        local h = llm.elmo.train { model = m, data = V:encode(words), batch_size = 16, seq_len = 20,
          steps = p.elmo_steps, lr = 3e-3, on_step = function(step, mt)
            run:log(step, { loss = mt.loss })
            plot:push("train", step, mt.loss)
          end }
        run:finish()
        plot:show()
        local sentences = {
          "and god said let there be light and there was light",
          "thy word is a lamp unto my feet and a light unto my path",
          "and the light of the moon shall be as the light of the sun",
        }
        local r = llm.elmo.contexts(m, V, sentences, "light")
        for i, s in ipairs(sentences) do print(string.format("  %d: %s", i, s)) end
        print("cosine of 'light' between verses 1-2, 1-3, 2-3:")
        local bars, names = {}, {}
        for k, l in ipairs(r.layers) do
          local c = l.cosine
          print(string.format("  layer %d   %.3f  %.3f  %.3f", k - 1, c[1][2], c[1][3], c[2][3]))
          names[#names + 1] = "layer " .. (k - 1)
          bars[#bars + 1] = (c[1][2] + c[1][3] + c[2][3]) / 3
        end
        local mc = r.mix.cosine
        print(string.format("  mix       %.3f  %.3f  %.3f", mc[1][2], mc[1][3], mc[2][3]))
        llm.plot.bar { title = "mean cosine of 'light' across the three verses", labels = names, values = bars }
        -- your layer mix of verse 1's vectors, equal weights, against the model's own
        local per = {}
        for k, l in ipairs(r.layers) do per[k] = l.vectors[1] end
        local zeros = {}
        for k = 1, #per do zeros[k] = 0 end
        local mine = ctx.ex.layer_mix(per, zeros, 1)
        return { first = h.loss[1], last = h.loss[#h.loss], layer0 = r.layers[1].cosine[1][2],
          layer1 = r.layers[2].cosine[1][2], mine = mine, ref = r.mix.vectors[1] }
      end,
      check = function(ctx)
        local r = ctx.result
        local pts, notes = 0, {}
        local good = check.cases(ctx.ex.layer_mix, {
          { name = "equal weights", args = { { { 1, 2 }, { 3, 4 } }, { 0, 0 }, 1 }, expect = { 2, 3 }, tol = 1e-9 },
          { name = "gamma", args = { { { 1, 2 }, { 3, 4 } }, { 0, 0 }, 2 }, expect = { 4, 6 }, tol = 1e-9 },
          { name = "softmax weights", args = { { { 1, 0 }, { 0, 1 } }, { math.log(3), 0 }, 1 }, expect = { 0.75, 0.25 },
            tol = 1e-9 },
        }, { name = "layer_mix" })
        pts = pts + (good.points == good.max and 1 or 0)
        if good.points < good.max then notes[#notes + 1] = good.message end
        if type(r.mine) == "table" and check.near(r.mine, r.ref, 1e-4) then pts = pts + 1
        else notes[#notes + 1] = "your mix of the model's layers differs from model:embed" end
        if r.last < r.first - 1 then pts = pts + 1
        else notes[#notes + 1] = string.format("the ELMo loss only went from %.2f to %.2f", r.first, r.last) end
        if math.abs(r.layer0 - 1) < 1e-6 and r.layer1 < 0.999 then pts = pts + 1
        else notes[#notes + 1] = string.format("layer 0 cosine %.4f (want 1), layer 1 %.4f (want < 1)", r.layer0, r.layer1) end
        return check.result(pts, 4, #notes == 0 and string.format(
          "layer 0 gives the same vector in every verse; layer 1 does not (cosine %.3f)", r.layer1)
          or table.concat(notes, "; "))
      end,
    },
    {
      title = "What to take away",
      text = [[
# Summary
- Skip-gram and CBOW learn vectors by predicting words from their
  neighbours (or the reverse); negative sampling makes that cheap.
- fastText adds character n-grams: unseen and rare words get vectors, at
  the cost of some look-alike noise.
- GloVe fits vectors to global co-occurrence counts instead of sliding
  over the text.
- ELMo-style models give each occurrence its own vector from the sentence
  around it: the step from static to contextual embeddings that BERT and
  GPT take further.
- PCA shows the main directions of variation; t-SNE keeps neighbourhoods.
  Neither shows distances faithfully, so check a plot against the numbers
  (nearest neighbours, similarity scores).

Try the full size (`llmlab lab run 11`): the whole Bible, 100 dimensions.
Which method gains most from more text?
]],
    },
  },
}
