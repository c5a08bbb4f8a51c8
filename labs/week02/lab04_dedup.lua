-- Lab 4 (week 2): near-duplicate detection on the King James Bible (which
-- repeats itself more than one might think) plus planted near-copies:
-- shingles -> Jaccard -> MinHash -> LSH -> clusters, precision and recall
-- against the threshold (plot), and passive-voice detection as a second
-- dataset utility.
local check = require "llm.check"
local text = llm.text

local function words_of(s)
  local w = {}
  for x in s:lower():gmatch("%w+") do w[#w + 1] = x end
  return w
end

-- Verses spread over the whole Bible plus `planted` edited copies.
-- Returns docs and, for each planted copy, the index of its source.
local function collection(n, planted)
  local all = llm.corpora.kjv()
  local docs = {}
  local step = #all // n
  for i = 1, n do docs[i] = all[(i - 1) * step + 1].text end
  llm.seed(4)
  local source = {}
  for _ = 1, planted do
    local src = llm.random(n)
    local w = words_of(docs[src])
    local orig = {}
    for x in docs[src]:gmatch("%S+") do orig[#orig + 1] = x end
    for _ = 1, llm.random(3) do
      local k = llm.random(#orig)
      local op = llm.random(3)
      if op == 1 and #orig > 4 then table.remove(orig, k)
      elseif op == 2 then orig[k] = w[llm.random(#w)]
      else table.insert(orig, k, w[llm.random(#w)]) end
    end
    docs[#docs + 1] = table.concat(orig, " ")
    source[#docs] = src
  end
  return docs, source
end

-- Every pair with word-3-shingle Jaccard >= t (exact, all pairs).
local function true_pairs(docs, t)
  local sh = {}
  for i, d in ipairs(docs) do sh[i] = text.shingles(d, { size = 3 }) end
  local out = {}
  for i = 1, #docs do
    for j = i + 1, #docs do
      if #sh[i] > 0 and #sh[j] > 0 and text.jaccard(sh[i], sh[j]) >= t then out[#out + 1] = { i, j } end
    end
  end
  return out
end

return {
  id = "w02.lab04",
  week = 2,
  title = "Near-duplicates and passive voice",
  objectives = {
    "Measure document overlap with word shingles and the Jaccard index",
    "Explain how MinHash estimates Jaccard and how LSH banding picks candidate pairs",
    "Run a dedup pipeline and trade precision against recall with its threshold",
    "Detect passive voice and measure the detector on labelled sentences",
  },
  size = { small = { docs = 400, planted = 60 }, full = { docs = 1200, planted = 150 } },
  time = 30,
  memory = 256,
  exercises = {
    { name = "shingle_set", hints = {
      "Collect the words first: `for w in text:lower():gmatch(\"%w+\") do words[#words + 1] = w end`.",
      "For i = 1 .. #words - k + 1, the shingle is `table.concat(words, \" \", i, i + k - 1)`; store `set[shingle] = true`.",
    } },
    { name = "jaccard", hints = {
      "Count the keys of a that are also in b (the intersection) and the keys of a and b (the sizes).",
      "|a ∪ b| = |a| + |b| - |a ∩ b|; return 0 when the union is empty.",
    } },
    { name = "precision_recall", hints = {
      "Make a set of the true pairs keyed by `i .. \",\" .. j` (with i < j; swap when needed).",
      "Count the found pairs that are in that set: precision = hits / #found, recall = hits / #truth.",
      "Mind the empty cases: no pairs found gives precision 1; no true pairs gives recall 1.",
    } },
  },
  steps = {
    {
      title = "Why deduplicate",
      text = [[
# Duplicates in training data
Web crawls repeat themselves: mirrored pages, boilerplate, quoted posts,
templates. Duplicates waste compute, tilt the model toward the repeated
text and make it memorise. **Exact** duplicates are found by hashing
whole documents; **near**-duplicates need a similarity. Our collection:
verses spread over the King James Bible, plus edited copies planted
with the engine's seeded generator (a word dropped, swapped in or
replaced).
]],
      run = function(ctx)
        local all = llm.corpora.kjv()
        local texts = {}
        for i, v in ipairs(all) do texts[i] = v.text end
        local groups = text.exact_duplicates(texts)
        table.sort(groups, function(a, b) return #a > #b end)
        local dup = 0
        for _, g in ipairs(groups) do dup = dup + #g - 1 end
        print(string.format("the whole KJV: %d verses, %d exact duplicates in %d groups", #texts, dup, #groups))
        for k = 1, 3 do
          local g = groups[k]
          print(string.format("%3d x  %s", #g, texts[g[1]]))
        end
        return { dup = dup }
      end,
      check = function(ctx)
        return check.result(ctx.result.dup > 0 and 1 or 0, 1, ctx.result.dup .. " exact duplicate verses")
      end,
    },
    {
      title = "Shingles and Jaccard",
      exercise = "shingle_set",
      points = 3,
      text = [[
A document's **k-shingles** are its runs of k consecutive words. Two
documents are similar when they share many shingles; the **Jaccard
index** |A ∩ B| / |A ∪ B| of their shingle sets is 1 for equal sets and 0
for disjoint ones.

Write `shingle_set(text, k)`: the set (`{[shingle] = true}`) of the
lower-cased word k-shingles of `text`, where words are runs of letters and
digits (`%w+`) and a shingle is its words joined by single spaces.

```
shingle_set("In the beginning God", 2) --> {["in the"] = true, ["the beginning"] = true, ["beginning god"] = true}
```
]],
      check = function(ctx)
        return check.cases(ctx.ex.shingle_set, {
          { args = { "In the beginning God", 2 },
            expect = { ["in the"] = true, ["the beginning"] = true, ["beginning god"] = true } },
          { name = "punctuation", args = { "Let there be light: and there was light.", 3 }, expect = {
            ["let there be"] = true, ["there be light"] = true, ["be light and"] = true,
            ["light and there"] = true, ["and there was"] = true, ["there was light"] = true } },
          { name = "shorter than k", args = { "Jesus wept.", 3 }, expect = {} },
        }, { name = "shingle_set" })
      end,
    },
    {
      title = "Your Jaccard",
      exercise = "jaccard",
      points = 3,
      text = [[
Write `jaccard(a, b)` for two sets (`{[x] = true}`): the size of the
intersection over the size of the union, 0 when both are empty. Then it
meets the planted copies: each one against its source verse.
]],
      run = function(ctx)
        local docs, source = collection(ctx.params.docs, ctx.params.planted)
        local sums, n = 0, 0
        local vals = {}
        for i, src in pairs(source) do
          local a, b = {}, {}
          for _, x in ipairs(llm.text.words(docs[i]:lower())) do a[x] = true end
          for _, x in ipairs(llm.text.words(docs[src]:lower())) do b[x] = true end
          local ok, j = pcall(ctx.ex.jaccard, a, b)
          if ok and type(j) == "number" then sums = sums + j; vals[#vals + 1] = j end
          n = n + 1
        end
        if #vals > 0 then
          print(string.format("word-set Jaccard of the %d planted copies with their sources: mean %.3f", n, sums / n))
          llm.plot.histogram { title = "Jaccard (word sets): planted copy vs source", values = vals, bins = 10,
            range = { 0, 1 } }
        end
        return {}
      end,
      check = function(ctx)
        return check.cases(ctx.ex.jaccard, {
          { args = { { a = true, b = true }, { b = true, c = true } }, expect = 1 / 3, tol = 1e-12 },
          { name = "equal", args = { { x = true }, { x = true } }, expect = 1, tol = 1e-12 },
          { name = "disjoint", args = { { x = true }, { y = true } }, expect = 0, tol = 1e-12 },
          { name = "both empty", args = { {}, {} }, expect = 0, tol = 1e-12 },
        }, { name = "jaccard" })
      end,
    },
    {
      title = "MinHash and LSH",
      text = [[
Comparing every pair is quadratic: 10^6 documents make 5 x 10^11 pairs.
**MinHash** compresses a shingle set into a signature of m numbers, the
minimum of m random hash functions over the set; two signatures agree in
a position with probability equal to the Jaccard index. **LSH** cuts the
signature into b bands of r rows and makes two documents a *candidate
pair* if any band is identical: that happens with probability
1 - (1 - s^r)^b, an S-shaped curve in the similarity s. Only candidates
are verified with the exact Jaccard. The plot shows the curve for 128
permutations split three ways.
]],
      run = function()
        local xs, series = {}, {}
        for i = 0, 50 do xs[#xs + 1] = i / 50 end
        for _, br in ipairs({ { 64, 2 }, { 32, 4 }, { 16, 8 } }) do
          local ys = {}
          for i, s in ipairs(xs) do ys[i] = 1 - (1 - s ^ br[2]) ^ br[1] end
          series[#series + 1] = { name = string.format("b=%d, r=%d", br[1], br[2]), x = xs, y = ys }
        end
        llm.plot.line { title = "LSH: chance that a pair becomes a candidate", xlabel = "Jaccard similarity",
          ylabel = "P(candidate)", series = series }
        print(string.format("b=32, r=4: a pair at s = 0.3 is a candidate with p = %.3f, at s = 0.7 with p = %.3f",
          1 - (1 - 0.3 ^ 4) ^ 32, 1 - (1 - 0.7 ^ 4) ^ 32))
      end,
    },
    {
      title = "Precision and recall",
      exercise = "precision_recall",
      points = 3,
      text = [[
Write `precision_recall(found, truth)`: both are lists of pairs `{i, j}`
(in either order). Precision is the share of `found` that is in `truth`
(1 when nothing was found), recall the share of `truth` that was found
(1 when there is nothing to find). Return `precision, recall`.
]],
      check = function(ctx)
        local function pr(found, truth, p, r)
          return { args = { found, truth }, check = function()
            local ok, gp, gr = pcall(ctx.ex.precision_recall, found, truth)
            if not ok then return false, "raised " .. tostring(gp) end
            return check.near(gp, p, 1e-12) and check.near(gr, r, 1e-12),
              string.format("returned %s, %s; expected %g, %g", check.show(gp), check.show(gr), p, r)
          end }
        end
        return check.cases(ctx.ex.precision_recall, {
          pr({ { 1, 2 }, { 3, 4 } }, { { 1, 2 }, { 5, 6 }, { 7, 8 } }, 0.5, 1 / 3),
          pr({ { 2, 1 } }, { { 1, 2 } }, 1, 1),
          pr({}, { { 1, 2 } }, 1, 0),
          pr({ { 1, 2 } }, {}, 0, 1),
        }, { name = "precision_recall" })
      end,
    },
    {
      title = "The threshold trade-off",
      exercise = "precision_recall",
      points = 2,
      heavy = true,
      text = [[
`llm.text.dedup` runs the pipeline (word 3-shingles, 128 permutations,
32 bands of 4, verified pairs). The **truth** here: every pair whose exact
Jaccard is at least 0.5, found by brute force. A low verification
threshold finds them all but also lesser overlaps (formulaic verses like
*And the LORD spake unto Moses, saying*); a high one is precise and
misses the more edited copies. Your `precision_recall` scores each
threshold.
]],
      run = function(ctx)
        local docs = collection(ctx.params.docs, ctx.params.planted)
        local truth = true_pairs(docs, 0.5)
        local ts, ps, rs = {}, {}, {}
        local sample
        for t = 0.3, 0.91, 0.1 do
          local r = text.dedup(docs, { size = 3, threshold = t, seed = 1 })
          local found = {}
          for _, p in ipairs(r.pairs) do found[#found + 1] = { p[1], p[2] } end
          local p, rc = ctx.ex.precision_recall(found, truth)
          print(string.format("threshold %.1f: %4d candidates, %4d pairs, %3d clusters, precision %s, recall %s",
            t, r.candidates, #r.pairs, #r.clusters, check.show(p), check.show(rc)))
          ts[#ts + 1], ps[#ps + 1], rs[#rs + 1] = t, type(p) == "number" and p or 0, type(rc) == "number" and rc or 0
          if not sample and #r.clusters > 0 then sample = { r.clusters[1], docs } end
        end
        print(string.format("%d true pairs (Jaccard >= 0.5) among %d documents", #truth, #docs))
        if sample then
          print("a cluster:")
          for _, i in ipairs(sample[1]) do print("  " .. docs[i]:sub(1, 100)) end
        end
        llm.plot.line { title = "dedup against the threshold", xlabel = "Jaccard threshold",
          series = { { name = "precision", x = ts, y = ps }, { name = "recall", x = ts, y = rs } } }
        return { ps = ps, rs = rs }
      end,
      check = function(ctx)
        local ps, rs = ctx.result.ps, ctx.result.rs
        -- precision rises and recall falls as the threshold goes up
        local ok = ps[#ps] >= ps[1] and rs[1] >= rs[#rs] and ps[1] < 1 and rs[1] > 0.8
        return check.result(ok and 2 or 0, 2, string.format("precision %.2f -> %.2f, recall %.2f -> %.2f",
          ps[1], ps[#ps], rs[1], rs[#rs]))
      end,
    },
    {
      title = "Passive voice",
      text = [[
Another dataset utility: flag **passive** sentences ("The ship was
sunk by the whale"), which style checkers and some filters count.
`llm.text.is_passive` looks for a form of *be*/*get* followed by a past
participle, and avoids traps such as *she was tired* (an adjective).
It is measured on the project's labelled sentences (the *test* rows were
written after the detector), then used to compare two books.
]],
      run = function(ctx)
        local tp, fp, tn, fn = 0, 0, 0, 0
        for line in llm.data.lines(llm.data.path("passive-voice", "passive.tsv")) do
          local label, sent, split = line:match("^([01])\t(.-)\t(%a+)$")
          if label and split == "test" then
            local got = text.is_passive(sent)
            if label == "1" then if got then tp = tp + 1 else fn = fn + 1 end
            else if got then fp = fp + 1 else tn = tn + 1 end end
          end
        end
        local acc = (tp + tn) / (tp + tn + fp + fn)
        print(string.format("test sentences: accuracy %.3f, precision %.3f, recall %.3f (tp %d fp %d tn %d fn %d)",
          acc, tp / math.max(1, tp + fp), tp / math.max(1, tp + fn), tp, fp, tn, fn))
        local shares, labels = {}, {}
        local sources = {
          { "KJV", function() local t = {}; for i, v in ipairs(llm.corpora.kjv({ limit = 600 })) do t[i] = v.text end; return t end },
          { "SOTU 2000s", function()
              local t = {}
              for _, s in ipairs(llm.corpora.sotu({ from = 2000, limit = 3 })) do
                for _, x in ipairs(llm.tokenize.sentences(s.text)) do t[#t + 1] = x; if #t >= 600 then break end end
              end
              return t
            end },
          { "SOTU 1800s", function()
              local t = {}
              for _, s in ipairs(llm.corpora.sotu({ from = 1800, to = 1899, limit = 3 })) do
                for _, x in ipairs(llm.tokenize.sentences(s.text)) do t[#t + 1] = x; if #t >= 600 then break end end
              end
              return t
            end },
        }
        for _, src in ipairs(sources) do
          local sents, n = src[2](), 0
          for _, s in ipairs(sents) do if text.is_passive(s) then n = n + 1 end end
          labels[#labels + 1], shares[#shares + 1] = src[1], n / #sents
          print(string.format("%-11s %3d sentences, %.0f%% with a passive", src[1], #sents, 100 * n / #sents))
        end
        llm.plot.bar { title = "share of sentences with a passive", labels = labels, values = shares }
        return { acc = acc }
      end,
      check = function(ctx)
        local a = ctx.result.acc
        return check.result(a >= 0.75 and 1 or 0, 1, string.format("detector accuracy %.2f on the test sentences", a))
      end,
    },
  },
}
