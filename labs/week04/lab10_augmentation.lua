-- Lab 10 (week 4): text augmentation (EDA: synonym replacement, random
-- insertion, swap, deletion) on labelled review sentences, and its effect
-- on a naive Bayes classifier the student writes, trained on a few
-- examples and tested on held-out sentences.
local check = require "llm.check"
local A = llm.augment

-- A balanced training sample of n sentences (seeded) and a test set.
local function split(n_train, n_test, seed)
  local all = llm.corpora.sentiment("all")
  llm.seed(seed)
  local idx = {}
  for i = 1, #all do idx[i] = i end
  for i = #idx, 2, -1 do
    local j = llm.random(i)
    idx[i], idx[j] = idx[j], idx[i]
  end
  local train, test, per = {}, {}, { [0] = 0, [1] = 0 }
  for _, i in ipairs(idx) do
    local ex = all[i]
    if per[ex.label] < n_train // 2 then
      train[#train + 1] = ex
      per[ex.label] = per[ex.label] + 1
    elseif #test < n_test then
      test[#test + 1] = ex
    end
  end
  return train, test
end

local function accuracy(ex, model, test)
  local ok = 0
  for _, t in ipairs(test) do
    local p = ex.predict_nb(model, t.text)
    if p == t.label then ok = ok + 1 end
  end
  return ok / #test
end

-- A scripted random source for exact checks.
local function scripted(values)
  local i = 0
  return function() i = i + 1; return values[(i - 1) % #values + 1] end
end

return {
  id = "w04.lab10",
  week = 4,
  title = "Text augmentation and a small classifier",
  objectives = {
    "Apply the four EDA operations and read what they do to a sentence",
    "Write random deletion with an injected random source, so it can be tested exactly",
    "Write a multinomial naive Bayes sentiment classifier",
    "Measure whether augmentation helps a classifier trained on few examples",
  },
  size = { small = { train = 40, test = 600, seeds = 3, factors = { 0, 1, 2, 4 } },
           full = { train = 100, test = 2000, seeds = 5, factors = { 0, 1, 2, 4, 8 } } },
  time = 120,
  memory = 256,
  exercises = {
    { name = "random_deletion", hints = {
      "Go through the tokens in order and call `rand()` once for each; keep the token when `rand() >= p`.",
      "If nothing survives (or the input had one token), return a list with one token: `tokens[math.floor(rand() * #tokens) + 1]` (one more rand call).",
      "An empty input gives an empty list, without calling rand.",
    } },
    { name = "train_nb", hints = {
      "Tokens: `for w in text:lower():gmatch(\"%a+\")`. Count documents per label, words per label, and the vocabulary.",
      "Return a table holding those counts: e.g. {docs = {[0] = n0, [1] = n1}, words = {[0] = {...}, [1] = {...}}, total = {[0] = ..., [1] = ...}, vocab = {...}, V = number of distinct words}.",
    } },
    { name = "predict_nb", hints = {
      "score(c) = log(docs[c] / all docs) + sum over the text's tokens of log((count(w, c) + 1) / (total[c] + V)).",
      "Skip tokens that are not in the training vocabulary; return 1 when score(1) > score(0), else 0.",
    } },
  },
  steps = {
    {
      title = "Easy data augmentation",
      text = [[
# Augmentation
When labelled data is scarce, new training examples can be made from the
old ones by changes that keep the label. **EDA** (Wei and Zou, 2019) uses
four word-level operations, each touching about alpha x n of a
sentence's n words:

- **SR** synonym replacement (WordNet synonyms of non-stop words);
- **RI** random insertion of a synonym of some word;
- **RS** random swap of two words;
- **RD** random deletion of each word with probability p.

Here they run on review sentences (Amazon, IMDB, Yelp; 1 = positive).
All randomness comes from the engine's generator, seeded.
]],
      run = function()
        local s = "The battery lasts a long time and the sound quality is great"
        llm.seed(10)
        print("original : " .. s)
        print("SR       : " .. A.synonym_replacement(s, { n = 2 }))
        print("RI       : " .. A.random_insertion(s, { n = 2 }))
        print("RS       : " .. A.random_swap(s, { n = 2 }))
        print("RD       : " .. A.random_deletion(s, { p = 0.2 }))
        print("synonyms of 'great': " .. table.concat(A.synonyms("great", "a"), ", ", 1, 6))
        llm.seed(10)
        local a = A.eda(s, { num_aug = 4 })
        llm.seed(10)
        local b = A.eda(s, { num_aug = 4 })
        return { same = table.concat(a, "|") == table.concat(b, "|") }
      end,
      check = function(ctx)
        return check.result(ctx.result.same and 1 or 0, 1, "the same seed gives the same variants")
      end,
    },
    {
      title = "Your random deletion",
      exercise = "random_deletion",
      points = 3,
      text = [[
Write `random_deletion(tokens, p, rand)`: go through `tokens` in order,
calling `rand()` (uniform in [0, 1)) once per token, and keep the token
when the value is at least `p`. If no token survives, return a list of
one token chosen with one more call: `tokens[floor(rand() * #tokens) + 1]`.
An empty list gives an empty list. Passing `rand` in (instead of calling
`llm.random`) makes the function testable with scripted numbers.
]],
      check = function(ctx)
        return check.cases(ctx.ex.random_deletion, {
          { args = { { "a", "b", "c" }, 0.5, scripted({ 0.9, 0.1, 0.7 }) }, expect = { "a", "c" } },
          { name = "none survive", args = { { "a", "b", "c" }, 0.5, scripted({ 0.1, 0.2, 0.3, 0.5 }) }, expect = { "b" } },
          { name = "p = 0 keeps all", args = { { "x", "y" }, 0, scripted({ 0 }) }, expect = { "x", "y" } },
          { name = "empty", args = { {}, 0.5, scripted({ 0.1 }) }, expect = {} },
        }, { name = "random_deletion" })
      end,
    },
    {
      title = "Naive Bayes",
      exercise = "train_nb",
      points = 3,
      text = [[
A **multinomial naive Bayes** classifier scores each label c by

```
log P(c) + sum over tokens w of log( (count(w, c) + 1) / (total(c) + V) )
```

where count(w, c) is how often w occurs in training texts of label c,
total(c) the number of tokens of label c, V the vocabulary size (add-one
smoothing). Tokens are the lower-cased letter runs (`%a+`); tokens never
seen in training are skipped.

Write `train_nb(examples)` (examples: `{text =, label = 0|1}`) returning a
model table of your design, and `predict_nb(model, text)` returning 0 or
1 (0 on a tie).
]],
      check = function(ctx)
        local train = {
          { text = "great phone, great sound", label = 1 }, { text = "I love it", label = 1 },
          { text = "terrible battery", label = 0 }, { text = "broke after a week, terrible", label = 0 },
        }
        local function case(name, text, want)
          return { name = name, args = { train }, check = function(model)
            if type(model) ~= "table" then return false, "train_nb returned " .. type(model) end
            local ok, got = pcall(ctx.ex.predict_nb, model, text)
            if not ok then return false, "predict_nb raised " .. tostring(got) end
            return got == want, string.format("predict_nb(%q) gave %s, expected %d", text, check.show(got), want)
          end }
        end
        return check.cases(ctx.ex.train_nb, {
          case("positive words", "great sound", 1),
          case("negative words", "terrible", 0),
          -- 7 tokens per label, V = 12. "great battery": positive 3/19 * 1/19,
          -- negative 1/19 * 2/19, so positive wins; without smoothing both are 0
          case("smoothing", "great battery", 1),
          -- "love week": 2/19 * 1/19 either way, a tie
          case("a tie", "love week", 0),
          case("unknown words only: a tie", "zzz qqq", 0),
        }, { name = "train_nb/predict_nb" })
      end,
    },
    {
      title = "A classifier from 40 sentences",
      exercise = "predict_nb",
      points = 2,
      heavy = true,
      text = [[
Your classifier trained on a small balanced sample and tested on
held-out sentences, for several samples (seeds). Few examples means many
test words were never seen: accuracy is well below what the full data
gives.
]],
      run = function(ctx)
        local accs = {}
        for seed = 1, ctx.params.seeds do
          local train, test = split(ctx.params.train, ctx.params.test, seed)
          local model = ctx.ex.train_nb(train)
          accs[#accs + 1] = accuracy(ctx.ex, model, test)
        end
        local train, test = split(2000, ctx.params.test, 1)
        local big = accuracy(ctx.ex, ctx.ex.train_nb(train), test)
        local mean = 0
        for _, a in ipairs(accs) do mean = mean + a end
        mean = mean / #accs
        print(string.format("%d training sentences: accuracy %.3f (mean of %d samples); %d sentences: %.3f",
          ctx.params.train, mean, #accs, #train, big))
        return { small = mean, big = big }
      end,
      check = function(ctx)
        local r = ctx.result
        if r.big >= 0.75 and r.small > 0.5 then
          return check.result(2, 2, string.format("accuracy %.2f with few examples, %.2f with many", r.small, r.big))
        end
        if r.big > 0.6 then return check.result(1, 2, string.format("accuracy %.2f with many examples (want >= 0.75)", r.big)) end
        return check.result(0, 2, "accuracy " .. check.show(r))
      end,
    },
    {
      title = "Does augmentation help?",
      exercise = "random_deletion",
      points = 1,
      heavy = true,
      text = [[
Each training sentence gets k EDA variants (`llm.augment.augment_dataset`
with `per_example = k`), or k variants made by **your** random deletion
(p = 0.1); the classifier trains on originals + variants. The paper
reports gains for very small training sets; the plot shows what happens
here. Augmentation is not free: variants can change the label (delete the
*not*), and they add no new vocabulary except WordNet synonyms.
]],
      run = function(ctx)
        local eda_acc, rd_acc, xs = {}, {}, {}
        for _, k in ipairs(ctx.params.factors) do
          local se, sr = 0, 0
          for seed = 1, ctx.params.seeds do
            local train, test = split(ctx.params.train, ctx.params.test, seed)
            llm.seed(100 + seed)
            local aug = k > 0 and A.augment_dataset(train, { per_example = k, alpha = 0.1 }) or train
            se = se + accuracy(ctx.ex, ctx.ex.train_nb(aug), test)
            local rd = {}
            for _, ex in ipairs(train) do rd[#rd + 1] = ex end
            for _, ex in ipairs(train) do
              for _ = 1, k do
                local toks = {}
                for w in ex.text:gmatch("%S+") do toks[#toks + 1] = w end
                local out = ctx.ex.random_deletion(toks, 0.1, llm.random)
                if type(out) == "table" then rd[#rd + 1] = { text = table.concat(out, " "), label = ex.label } end
              end
            end
            sr = sr + accuracy(ctx.ex, ctx.ex.train_nb(rd), test)
          end
          xs[#xs + 1], eda_acc[#eda_acc + 1], rd_acc[#rd_acc + 1] = k, se / ctx.params.seeds, sr / ctx.params.seeds
          print(string.format("k = %2d variants per sentence: EDA %.3f, your deletion %.3f", k, eda_acc[#eda_acc], rd_acc[#rd_acc]))
        end
        llm.plot.line { title = string.format("accuracy vs augmentation (%d training sentences)", ctx.params.train),
          xlabel = "variants per sentence", ylabel = "test accuracy",
          series = { { name = "EDA", x = xs, y = eda_acc }, { name = "random deletion", x = xs, y = rd_acc } } }
        return { eda = eda_acc, rd = rd_acc }
      end,
      check = function(ctx)
        local r = ctx.result
        local ok = true
        for i = 1, #r.eda do ok = ok and r.eda[i] > 0.4 and r.rd[i] > 0.4 end
        return check.result(ok and 1 or 0, 1, "accuracies measured: EDA " .. check.show(r.eda))
      end,
    },
    {
      title = "Keeping only label-preserving variants",
      text = [[
A filter against label flips: keep a variant only if a classifier
trained on the originals still gives it the original label
(`augment_dataset{check = ...}`). It rejects the variants that moved
toward the other class, at the cost of keeping only "safe" ones.
]],
      run = function(ctx)
        local train = split(ctx.params.train, ctx.params.test, 1)
        -- a reference classifier written here, independent of the exercise
        local counts, totals, docs, vocab, V = { [0] = {}, [1] = {} }, { [0] = 0, [1] = 0 }, { [0] = 0, [1] = 0 }, {}, 0
        for _, ex in ipairs(train) do
          docs[ex.label] = docs[ex.label] + 1
          for w in ex.text:lower():gmatch("%a+") do
            counts[ex.label][w] = (counts[ex.label][w] or 0) + 1
            totals[ex.label] = totals[ex.label] + 1
            if not vocab[w] then vocab[w] = true; V = V + 1 end
          end
        end
        local function predict(text)
          local s = {}
          for c = 0, 1 do
            s[c] = math.log(docs[c] / #train)
            for w in text:lower():gmatch("%a+") do
              if vocab[w] then s[c] = s[c] + math.log(((counts[c][w] or 0) + 1) / (totals[c] + V)) end
            end
          end
          return s[1] > s[0] and 1 or 0
        end
        llm.seed(3)
        local _, stats = A.augment_dataset(train, { per_example = 4,
          check = function(_, new, label) return predict(new) == label end })
        print(string.format("kept %d variants, rejected %d (unchanged or label-changing)", stats.kept, stats.rejected))
        return stats
      end,
      check = function(ctx)
        local r = ctx.result
        return check.result(r.kept > 0 and 1 or 0, 1, r.kept .. " kept, " .. r.rejected .. " rejected")
      end,
    },
  },
}
