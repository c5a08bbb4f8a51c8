-- Lab 9 (week 4): n-gram language models on the King James Bible: bigram
-- counts and a heat map, add-k smoothing and perplexity written by the
-- student and checked against llm.ngram, smoothing methods compared on
-- held-out verses (plot), and generated text.
local check = require "llm.check"

-- Lower-cased word/punctuation tokens of `verses` KJV verses, split into
-- training (9 in 10) and held-out (every 10th verse) sets.
local function split(verses)
  local train, held = {}, {}
  for i, v in ipairs(llm.corpora.kjv({ limit = verses })) do
    local toks = llm.ngram.words(v.text:lower())
    if i % 10 == 0 then held[#held + 1] = toks else train[#train + 1] = toks end
  end
  return train, held
end

-- The vocabulary size the Bigram model uses: training types + <s>, </s>, <UNK>.
local function vocab_size(train)
  return llm.ngram.Bigram():fit(train).nvocab
end

return {
  id = "w04.lab09",
  week = 4,
  title = "N-gram language models: counts, smoothing, perplexity",
  objectives = {
    "Count bigrams with sentence boundaries and read a bigram heat map",
    "Write add-k smoothing and perplexity, and match the engine's numbers",
    "Compare MLE, Laplace, Lidstone and Kneser-Ney by held-out perplexity",
    "Generate text from a model and see what the order buys",
  },
  size = { small = { verses = 3000 }, full = { verses = 31102 } },
  time = 60,
  memory = 512,
  exercises = {
    { name = "bigram_counts", hints = {
      "Pad each sentence: put \"<s>\" before the first token and \"</s>\" after the last.",
      "For each adjacent pair (prev, word) of the padded sentence do `counts[prev] = counts[prev] or {}` and add 1 to `counts[prev][word]`.",
    } },
    { name = "add_k", hints = {
      "Return a function(word, prev). Inside, c = counts[prev] and counts[prev][word] or 0.",
      "The denominator is how many bigrams start with prev: the sum of counts[prev]'s values (compute it once per prev, not on every call).",
      "P(word | prev) = (c + k) / (n_prev + k * V). With k = 0 an unseen prev has n_prev = 0: return 0 then.",
    } },
    { name = "perplexity", hints = {
      "Score every bigram of each padded sentence (\"<s>\" ... \"</s>\"): the first token scored is the first real word, the last one is \"</s>\".",
      "Sum log2 p over all scored tokens and count them; the perplexity is 2 ^ (-sum / count).",
      "If any p is 0 the perplexity is infinite: return math.huge.",
    } },
  },
  steps = {
    {
      title = "Language models",
      text = [[
# N-gram models
A language model gives a probability to every next word. A **bigram**
model looks at one word back:

```
P(w_i | w_{i-1}) = count(w_{i-1} w_i) / count(w_{i-1} .)
```

Each sentence is padded with `<s>` and `</s>`, so the model also learns
how sentences start and end. Trained on nine verses in ten of the King
James Bible, it is scored on the tenth by **perplexity**: 2 to the mean
negative log2 probability of the held-out tokens (lower is better; a
model that guesses uniformly among V words has perplexity V).
]],
    },
    {
      title = "Count bigrams",
      exercise = "bigram_counts",
      points = 3,
      text = [[
Write `bigram_counts(sents)`: `sents` is a list of sentences, each a list
of tokens. Return `counts` with `counts[prev][word]` = how often `word`
follows `prev`, with `<s>` and `</s>` padding.

```
bigram_counts({{"in", "the", "beginning"}})
  --> {["<s>"] = {["in"] = 1}, ["in"] = {["the"] = 1},
       ["the"] = {["beginning"] = 1}, ["beginning"] = {["</s>"] = 1}}
```
]],
      check = function(ctx)
        return check.cases(ctx.ex.bigram_counts, {
          { args = { { { "in", "the", "beginning" } } }, expect = {
            ["<s>"] = { ["in"] = 1 }, ["in"] = { ["the"] = 1 }, ["the"] = { ["beginning"] = 1 },
            ["beginning"] = { ["</s>"] = 1 } } },
          { name = "two sentences", args = { { { "a", "a" }, { "a" } } }, expect = {
            ["<s>"] = { a = 2 }, a = { a = 1, ["</s>"] = 2 } } },
          { name = "no sentences", args = { {} }, expect = {} },
        }, { name = "bigram_counts" })
      end,
    },
    {
      title = "A bigram heat map",
      exercise = "bigram_counts",
      points = 1,
      heavy = true,
      text = [[
Your counts over the training verses, for the 14 most frequent words (plus
`<s>`, `</s>`): row = previous word, column = next word, shade = log count.
*And* opens most verses; *of the*, *the lord* and *; and* stand out.
]],
      run = function(ctx)
        local train = split(ctx.params.verses)
        local counts = ctx.ex.bigram_counts(train)
        local ref = llm.ngram.Bigram():fit(train):matrix(14)
        local M, same = {}, true
        for i, a in ipairs(ref.labels) do
          M[i] = {}
          for j, b in ipairs(ref.labels) do
            local row = type(counts) == "table" and rawget(counts, a)
            local c = type(row) == "table" and rawget(row, b) or 0
            if c ~= ref.counts[i][j] then same = false end
            M[i][j] = math.log(1 + (type(c) == "number" and c or 0))
          end
        end
        llm.plot.heatmap { title = "log(1 + bigram count), KJV", matrix = M, xlabels = ref.labels, ylabels = ref.labels }
        print(string.format("%d training verses; your counts %s the engine's on the top words",
          #train, same and "match" or "do NOT match"))
        return { same = same }
      end,
      check = function(ctx)
        if ctx.result.same then return check.result(1, 1, "your counts match llm.ngram.Bigram") end
        return check.result(0, 1, "your counts differ from llm.ngram.Bigram's on the most frequent words")
      end,
    },
    {
      title = "Add-k smoothing",
      exercise = "add_k",
      points = 3,
      text = [[
MLE gives probability 0 to every bigram it never saw, so one new word
pair makes a held-out sentence impossible. **Add-k** (Lidstone; k = 1 is
Laplace) pretends every bigram was seen k more times:

```
P(w | prev) = (count(prev w) + k) / (count(prev .) + k V)
```

Write `add_k(counts, V, k)` returning a function `prob(word, prev)`.
]],
      check = function(ctx)
        local counts = { ["<s>"] = { a = 2 }, a = { a = 1, ["</s>"] = 2 } }
        local function case(word, prev, V, k, want)
          return { name = string.format("P(%s | %s), V=%d, k=%g", word, prev, V, k), args = { counts, V, k },
            check = function(f)
              if type(f) ~= "function" then return false, "add_k must return a function, got " .. type(f) end
              local ok, p = pcall(f, word, prev)
              if not ok then return false, "prob raised " .. tostring(p) end
              return check.near(p, want, 1e-12), string.format("prob gave %s, expected %g", check.show(p), want)
            end }
        end
        return check.cases(ctx.ex.add_k, {
          case("a", "<s>", 4, 1, 3 / 6),
          case("</s>", "a", 4, 0.5, 2.5 / 5),
          case("b", "a", 4, 1, 1 / 7),
          case("a", "zzz", 4, 1, 1 / 4),
          case("a", "a", 4, 0, 1 / 3),
        }, { name = "add_k" })
      end,
    },
    {
      title = "Perplexity",
      exercise = "perplexity",
      points = 3,
      text = [[
Write `perplexity(prob, sents)`: pad each sentence with `<s>`/`</s>`,
score every token after `<s>` (the words and `</s>`) with
`prob(word, prev)`, and return `2 ^ (-(sum of log2 p) / (number scored))`;
`math.huge` if any probability is 0.
]],
      check = function(ctx)
        local uniform = function() return 0.25 end
        local half = function(w) return w == "</s>" and 0.5 or 0.125 end
        return check.cases(ctx.ex.perplexity, {
          { name = "uniform model", args = { uniform, { { "a", "b" }, { "c" } } }, expect = 4, tol = 1e-9 },
          { name = "two probabilities", args = { half, { { "a" } } }, expect = 4, tol = 1e-9 },
          { name = "a zero", args = { function() return 0 end, { { "a" } } }, expect = math.huge },
        }, { name = "perplexity" })
      end,
    },
    {
      title = "Your numbers against the engine",
      exercise = "perplexity",
      points = 2,
      heavy = true,
      text = [[
Your `add_k` + `perplexity` on the held-out verses against
`llm.ngram.Bigram{k = ...}:perplexity`, for k = 1 and k = 0.01.
]],
      run = function(ctx)
        local train, held = split(ctx.params.verses)
        local V = vocab_size(train)
        local counts = ctx.ex.bigram_counts(train)
        local out = {}
        for _, k in ipairs({ 1, 0.01 }) do
          local ref = llm.ngram.Bigram { k = k }:fit(train):perplexity(held)
          local ok, mine = pcall(function() return ctx.ex.perplexity(ctx.ex.add_k(counts, V, k), held) end)
          if not ok then mine = nil end
          print(string.format("k = %-5g engine %.3f, yours %s", k, ref, mine and string.format("%.3f", mine) or "error"))
          out[#out + 1] = { ref = ref, mine = mine }
        end
        return out
      end,
      check = function(ctx)
        local good = 0
        for _, r in ipairs(ctx.result) do
          if type(r.mine) == "number" and math.abs(r.mine - r.ref) <= 1e-6 * r.ref then good = good + 1 end
        end
        return check.result(good, 2, good .. " of 2 perplexities agree with the engine")
      end,
    },
    {
      title = "Smoothing compared",
      heavy = true,
      text = [[
Held-out perplexity of bigram models: add-k for k from 1 down to 0.001,
and Kneser-Ney (which subtracts a discount from every seen count and
gives the mass to a lower-order model that asks "in how many contexts
does this word appear?"). MLE is infinite: the held-out verses hold
bigrams it never saw. (Here words seen once in training become `<UNK>`,
`unk_cutoff = 2`, so every model has a way to score a new word.) Too much add-k mass (k = 1) is as bad as too
little; Kneser-Ney beats every k.
]],
      run = function(ctx)
        local train, held = split(ctx.params.verses)
        local mle, info = llm.ngram.MLE { order = 2, unk_cutoff = 2 }:fit(train):perplexity(held)
        print(string.format("MLE: %s (%d of %d held-out bigrams unseen)", tostring(mle), info.zero_events, info.events))
        local ks, pps = {}, {}
        for _, k in ipairs({ 1, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001 }) do
          local pp = llm.ngram.Lidstone { order = 2, k = k, unk_cutoff = 2 }:fit(train):perplexity(held)
          ks[#ks + 1], pps[#pps + 1] = math.log(k, 10), pp
          print(string.format("add-k  k = %-6g perplexity %8.2f", k, pp))
        end
        local kn2 = llm.ngram.KneserNey { order = 2, discount = 0.75, unk_cutoff = 2 }:fit(train):perplexity(held)
        local kn3 = llm.ngram.KneserNey { order = 3, discount = 0.75, unk_cutoff = 2 }:fit(train):perplexity(held)
        print(string.format("Kneser-Ney bigram %.2f, trigram %.2f", kn2, kn3))
        llm.plot.line { title = "held-out perplexity (KJV)", xlabel = "log10 k", ylabel = "perplexity",
          series = { { name = "add-k bigram", x = ks, y = pps },
                     { name = "Kneser-Ney bigram", x = { ks[1], ks[#ks] }, y = { kn2, kn2 } } } }
        local best = math.huge
        for _, p in ipairs(pps) do best = math.min(best, p) end
        return { mle = mle, best_k = best, k1 = pps[1], kn2 = kn2 }
      end,
      check = function(ctx)
        local r = ctx.result
        if r.mle == math.huge and r.best_k < r.k1 and r.kn2 < r.best_k then
          return check.result(1, 1, string.format("MLE inf, best add-k %.1f, Kneser-Ney %.1f", r.best_k, r.kn2))
        end
        return check.result(0, 1, "unexpected ordering " .. check.show(r))
      end,
    },
    {
      title = "Generating verses",
      text = [[
Sampling word after word from the model. The bigram model keeps only one
word of context; the Kneser-Ney trigram keeps two and reads a little more
like scripture. The seed makes the samples repeatable.
]],
      run = function(ctx)
        local train = split(ctx.params.verses)
        local bi = llm.ngram.Bigram():fit(train)
        local kn = llm.ngram.KneserNey { order = 3, discount = 0.75 }:fit(train)
        for i = 1, 3 do
          local _, t = bi:generate { seed = i, n = 20 }
          print("bigram : " .. t)
        end
        for i = 1, 3 do
          local _, t = kn:generate { seed = i, n = 20, context = { "and" }, top_k = 20 }
          print("trigram: and " .. t)
        end
        local _, a = kn:generate { seed = 5, n = 12, context = { "and" } }
        local _, b = kn:generate { seed = 5, n = 12, context = { "and" } }
        return { same = a == b }
      end,
      check = function(ctx)
        return check.result(ctx.result.same and 1 or 0, 1, "the same seed gives the same text")
      end,
    },
  },
}
