-- Lab 12 (week 5): what pre-trained word vectors know. Nearest neighbours,
-- analogies (3CosAdd), rank correlation with human similarity ratings on
-- the project's KJV evaluation sets, and using the vectors to start an
-- nn.Embedding (frozen or fine-tuned) for a small classifier, against a
-- random start.
local check = require "llm.check"

-- "Pre-trained" vectors: skip-gram on half Old and half New Testament
-- verses (the first verses of each), the same every time (fixed seed).
local function pretrained(p)
  local wc = require "llm.wordcorpus"
  local half = p.verses // 2
  local ot = wc.kjv { verses = half }
  local nt = wc.kjv { start = 23146, verses = half }
  local all = {}
  for i = 1, math.max(#ot, #nt) do
    all[#all + 1] = ot[i]
    all[#all + 1] = nt[i]
  end
  llm.threads(1)
  llm.seed(12)
  return llm.embed.word2vec(table.concat(all, "\n"),
    { dim = p.dim, epochs = p.epochs, min_count = p.min_count, window = 5, threads = 1 })
end

-- The vectors as a plain table word -> array (the n most frequent words).
local function as_table(v, n)
  local t = {}
  for _, w in ipairs(v:words(n)) do t[w] = v:vector(w) end
  return t
end

local PROBES = { "god", "king", "jesus", "gold", "sheep", "egypt", "sea", "bread" }

local function eval_path(name) return llm.home .. "/datasets/eval/" .. name end

return {
  id = "w05.lab12",
  week = 5,
  title = "Properties of pre-trained word embeddings: similarity, analogies, evaluation, reuse",
  objectives = {
    "Find nearest neighbours and solve analogies with cosine similarity (3CosAdd)",
    "Evaluate vectors against human similarity ratings with Spearman's rank correlation",
    "Read analogy and similarity evaluation sets and see where vectors fail",
    "Start a model's embedding layer from pre-trained vectors, frozen or fine-tuned, and compare with a random start",
  },
  size = {
    small = { verses = 8000, dim = 32, epochs = 3, min_count = 3, top = 1500, analogies = 10, train_per_class = 50,
      test_per_class = 500, epochs_cls = 10 },
    -- verses: half from each Testament; the rest of the New Testament (7,957
    -- verses) must still hold train_per_class + test_per_class verses
    full = { verses = 12000, dim = 100, epochs = 5, min_count = 5, top = 4000, analogies = 40, train_per_class = 200,
      test_per_class = 1000, epochs_cls = 10 },
  },
  time = 10,
  memory = 256,
  exercises = {
    { name = "nearest", hints = {
      "Score every other word with the cosine of its vector and the query's vector.",
      "Keep {word, score} pairs in a list and sort it with table.sort and a comparison: higher score first, then word < word.",
      "Return the first k words of the sorted list (fewer if there are fewer words).",
    } },
    { name = "analogy", hints = {
      "Loop over all words with pairs(vectors) and skip a, b and c themselves.",
      "Score x with cos(x, b) - cos(x, a) + cos(x, c) and keep the best word seen so far.",
      "On equal scores keep the alphabetically first word, so the answer does not depend on the order pairs() walks the table.",
    } },
    { name = "spearman", hints = {
      "Write a ranks(values) helper: sort the positions 1..n by value, then give position i of the sorted order rank i.",
      "Ties: a run of equal values from sorted position i to j all get rank (i + j) / 2.",
      "Pearson of the ranks: sum((rx - mean) * (ry - mean)) / sqrt(sum((rx - mean)^2) * sum((ry - mean)^2)).",
    } },
    { name = "encode", hints = {
      "`for w in sentence:gmatch(\"%S+\") do ... end` walks the words.",
      "Append index[w] to the list only when it is not nil.",
    } },
  },
  steps = {
    {
      title = "Pre-trained vectors",
      text = [[
# Reusing what someone else trained
Training embeddings takes a lot of text, so people reuse vectors trained
once on billions of words: word2vec's Google News vectors, GloVe's
Wikipedia and Common Crawl vectors, fastText's vectors for 157 languages.
They come as text files, one word and its numbers per line, and
`llm.embed.load("file.vec")` reads that format (and word2vec's binary one).

Here our "pre-trained" vectors are skip-gram vectors trained on verses from
both Testaments of the KJV in a few seconds. The questions are the ones
you would ask of any downloaded set: what do its neighbourhoods look like,
does it solve analogies, how well does it agree with human judgements, and
does it help a model that has little labelled data?
]],
    },
    {
      title = "Nearest neighbours",
      exercise = "nearest",
      points = 2,
      text = "Write `nearest(vectors, word, k)`.",
      check = function(ctx)
        local V = { a = { 1, 0 }, b = { 1, 0.1 }, c = { 0, 1 }, d = { -1, 0 }, e = { 1, 0.1 } }
        return check.cases(ctx.ex.nearest, {
          { name = "closest first, ties alphabetical", args = { V, "a", 3 }, expect = { "b", "e", "c" } },
          { name = "k larger than the vocabulary", args = { { x = { 1, 1 }, y = { 2, 2 } }, "x", 5 }, expect = { "y" } },
        }, { name = "nearest" })
      end,
    },
    {
      title = "Explore the neighbourhoods",
      exercise = "nearest",
      heavy = true,
      points = 2,
      time = 600,
      memory = 512,
      text = [[
Your `nearest` runs over the most frequent words, beside the library's
`v:nearest`. The heat map shows the cosine similarity between the probe
words: which pairs are close, and is that what you expected?
]],
      run = function(ctx)
        local p = ctx.params
        local probe = ctx.ex.nearest({ a = { 1 }, b = { 1 } }, "a", 1)
        if type(probe) ~= "table" then error("nearest returned " .. type(probe) .. ", not a list", 0) end
        local v = pretrained(p)
        local T = as_table(v, p.top)
        local agree, total = 0, 0
        for _, w in ipairs(PROBES) do
          if T[w] then
            local mine = ctx.ex.nearest(T, w, 6)
            local lib = {}
            for _, x in ipairs(v:nearest(w, 6)) do lib[x.word] = true end
            for _, x in ipairs(mine) do
              if lib[x] then agree = agree + 1 end
            end
            total = total + 6
            print(string.format("  %-8s %s", w, table.concat(mine, " ")))
          end
        end
        local ws = {}
        for _, w in ipairs(PROBES) do if v:has(w) then ws[#ws + 1] = w end end
        local m = {}
        for i, a in ipairs(ws) do
          m[i] = {}
          for j, b in ipairs(ws) do m[i][j] = v:similarity(a, b) end
        end
        llm.plot.heatmap { title = "cosine similarity of the probe words", matrix = m, xlabels = ws, ylabels = ws }
        print(string.format("%d of %d neighbours agree with v:nearest (which searches all %d words)", agree, total, v:size()))
        return { agree = agree, total = total }
      end,
      check = function(ctx)
        local r = ctx.result
        local share = r.total > 0 and r.agree / r.total or 0
        return check.result(share >= 0.8 and 2 or (share >= 0.5 and 1 or 0), 2,
          string.format("%d of %d neighbours agree with the library", r.agree, r.total))
      end,
    },
    {
      title = "Analogies with 3CosAdd",
      exercise = "analogy",
      points = 2,
      text = [[
"man is to king as woman is to ?" becomes vector arithmetic: the answer is
the word closest to king - man + woman. With unit vectors that is the word
with the highest cos(x, king) - cos(x, man) + cos(x, woman) (Levy and
Goldberg's 3CosAdd). Write `analogy(vectors, a, b, c)`.
]],
      check = function(ctx)
        local V = { man = { 1, 0, 0 }, king = { 1, 1, 0 }, woman = { 0, 0, 1 }, queen = { 0, 1, 1 },
          apple = { 0.5, 0, 0.5 }, prince = { 1, 1, 0.2 } }
        return check.cases(ctx.ex.analogy, {
          { name = "man : king :: woman : ?", args = { V, "man", "king", "woman" }, expect = "queen" },
          { name = "the question words are excluded", args = { { a = { 1, 0 }, b = { 0, 1 }, c = { 1, 0.01 }, d = { -1, 0 } }, "a", "b", "c" },
            expect = "d" },
        }, { name = "analogy" })
      end,
    },
    {
      title = "The analogy test set",
      exercise = "analogy",
      heavy = true,
      points = 2,
      time = 600,
      memory = 512,
      text = [[
`datasets/eval/kjv_analogies.txt` holds questions in sections (plurals,
family relations, ...). Your `analogy` answers the first questions of each
section over the most frequent words, and the library scores the whole set
with 3CosAdd and with 3CosMul (which multiplies the cosines instead and is
less dominated by one large term). The bar chart shows accuracy per section.
]],
      run = function(ctx)
        local p = ctx.params
        local probe = ctx.ex.analogy({ a = { 1, 0 }, b = { 0, 1 }, c = { 1, 0.1 }, d = { 0, 1 } }, "a", "b", "c")
        if type(probe) ~= "string" then error("analogy returned " .. type(probe) .. ", not a word", 0) end
        local v = pretrained(p)
        local items = llm.embed.read_analogies(eval_path("kjv_analogies.txt"))
        local T = as_table(v, p.top)
        local per, order = {}, {}
        local agree, asked = 0, 0
        for _, q in ipairs(items) do
          local s = q.section or "all"
          if not per[s] then per[s] = { right = 0, n = 0, asked = 0 }; order[#order + 1] = s end
          local e = per[s]
          if T[q[1]] and T[q[2]] and T[q[3]] and T[q[4]] and e.asked < p.analogies then
            e.asked = e.asked + 1
            local mine = ctx.ex.analogy(T, q[1], q[2], q[3])
            if mine == q[4] then e.right = e.right + 1 end
            e.n = e.n + 1
            -- the library over the same words: 3CosAdd restricted to T
            local best, bs
            for w, x in pairs(T) do
              if w ~= q[1] and w ~= q[2] and w ~= q[3] then
                local sc = llm.embed.cosine(x, T[q[2]]) - llm.embed.cosine(x, T[q[1]]) + llm.embed.cosine(x, T[q[3]])
                if not bs or sc > bs or (sc == bs and w < best) then best, bs = w, sc end
              end
            end
            asked = asked + 1
            if best == mine then agree = agree + 1 end
          end
        end
        local labels, values = {}, {}
        for _, s in ipairs(order) do
          local e = per[s]
          if e.n > 0 then
            labels[#labels + 1] = s
            values[#values + 1] = e.right / e.n
            print(string.format("  %-12s %d of %d right", s, e.right, e.n))
          end
        end
        if #values > 0 then llm.plot.bar { title = "your 3CosAdd: accuracy per section", labels = labels, values = values } end
        local add = v:evaluate_analogies(items, "add")
        local mul = v:evaluate_analogies(items, "mul")
        print(string.format("the whole set over all %d words: 3CosAdd %.1f%%, 3CosMul %.1f%%", v:size(),
          100 * (add or 0), 100 * (mul or 0)))
        return { agree = agree, asked = asked }
      end,
      check = function(ctx)
        local r = ctx.result
        local share = r.asked > 0 and r.agree / r.asked or 0
        return check.result(share >= 0.95 and 2 or (share >= 0.7 and 1 or 0), 2,
          string.format("%d of %d answers equal the reference 3CosAdd", r.agree, r.asked))
      end,
    },
    {
      title = "Spearman's rank correlation",
      exercise = "spearman",
      points = 3,
      text = [[
A similarity set gives pairs of words with a human score. Cosines and
human scores live on different scales, so what matters is whether the two
**order** the pairs the same way: Spearman's rho, Pearson's correlation of
the ranks. Write `spearman(x, y)` (ties get the mean of their ranks).
]],
      check = function(ctx)
        return check.cases(ctx.ex.spearman, {
          { name = "one swap", args = { { 1, 2, 3 }, { 10, 30, 20 } }, expect = 0.5, tol = 1e-9 },
          { name = "reversed", args = { { 1, 2, 3, 4 }, { 8, 6, 4, 2 } }, expect = -1, tol = 1e-9 },
          -- ranks x: 1, 2.5, 2.5, 4; y: 1, 2, 3, 4 -> rho = 4.5 / sqrt(4.5 * 5)
          { name = "ties share their mean rank", args = { { 1, 2, 2, 3 }, { 1, 2, 3, 4 } },
            expect = 4.5 / math.sqrt(4.5 * 5), tol = 1e-9 },
        }, { name = "spearman" })
      end,
    },
    {
      title = "The similarity test set",
      exercise = "spearman",
      heavy = true,
      points = 2,
      time = 600,
      memory = 512,
      text = [[
`datasets/eval/kjv_similarity.txt` rates word pairs 8 (same topic group),
5 (related groups) or 1 (unrelated). The scatter plot puts the human score
against the model's cosine for every pair both know; your `spearman` gives
the number.
]],
      run = function(ctx)
        local p = ctx.params
        local probe = ctx.ex.spearman({ 1, 2 }, { 1, 2 })
        if type(probe) ~= "number" then error("spearman returned " .. type(probe) .. ", not a number", 0) end
        local v = pretrained(p)
        local pairs_ = llm.embed.read_similarity(eval_path("kjv_similarity.txt"))
        local human, model, pts = {}, {}, {}
        for _, q in ipairs(pairs_) do
          if v:has(q[1]) and v:has(q[2]) then
            human[#human + 1] = q[3]
            model[#model + 1] = v:similarity(q[1], q[2])
            pts[#pts + 1] = { q[3] + (llm.random() - 0.5) * 0.6, model[#model] }
          end
        end
        llm.plot.scatter { title = "human score (jittered) vs cosine", points = pts }
        local mine = ctx.ex.spearman(human, model)
        local lib, used, skipped = v:evaluate_similarity(pairs_)
        print(string.format("%d pairs used, %d skipped (a word missing); your rho %.4f, the library's %.4f",
          used, skipped, mine, lib))
        return { mine = mine, lib = lib }
      end,
      check = function(ctx)
        local r = ctx.result
        local pts, notes = 0, {}
        if math.abs(r.mine - r.lib) < 1e-9 then pts = pts + 1
        else notes[#notes + 1] = string.format("your rho %.6f differs from %.6f", r.mine, r.lib) end
        if r.lib > 0.15 then pts = pts + 1
        else notes[#notes + 1] = string.format("the vectors' rho is only %.3f", r.lib) end
        return check.result(pts, 2, #notes == 0 and string.format("rho = %.3f", r.lib) or table.concat(notes, "; "))
      end,
    },
    {
      title = "Sentences as ids",
      exercise = "encode",
      points = 2,
      text = "Write `encode(index, sentence)`; the next step uses it to feed verses to a model.",
      check = function(ctx)
        return check.cases(ctx.ex.encode, {
          { name = "known words", args = { { the = 0, lord = 5 }, "the word of the lord" }, expect = { 0, 0, 5 } },
          { name = "nothing known", args = { { a = 1 }, "b c" }, expect = {} },
        }, { name = "encode" })
      end,
    },
    {
      title = "Pre-trained, frozen or fine-tuned, against random",
      exercise = "encode",
      heavy = true,
      points = 2,
      time = 900,
      memory = 512,
      text = [[
A tiny classifier tells Old Testament verses from New Testament ones: the
mean of a verse's word vectors, then one Linear layer. It learns from only
a few labelled verses (50 of each at the small size), three ways:

- **random**: the embedding starts random and is trained with the rest;
- **frozen**: it starts from the pre-trained vectors (`v:to_embedding(words, {freeze = true})`) and stays fixed;
- **fine-tuned**: it starts from them and is trained too.

Which start wins is an empirical question: it depends on how much labelled
data there is and on how well the pre-training text matches the task. With
vectors trained on a few thousand verses the differences here are small
and can go either way; with vectors trained on far more text than the
labelled set (the usual case) the pre-trained start tends to win when
labels are scarce. Change `train_per_class` in the full size, or the
seed, and see how stable the ranking is before you believe it.
]],
      run = function(ctx)
        local p = ctx.params
        local probe = ctx.ex.encode({ a = 3 }, "a b")
        if type(probe) ~= "table" then error("encode returned " .. type(probe) .. ", not a list", 0) end
        local v = pretrained(p)
        local wc = require "llm.wordcorpus"
        local half = p.verses // 2
        local need = p.train_per_class + p.test_per_class
        local ot = wc.kjv { start = half + 1, verses = need }           -- verses the vectors never saw
        local nt = wc.kjv { start = 23146 + half, verses = need }
        local words = v:words()
        local dim = v:dim()
        local function run(mode)
          llm.seed(3)
          local emb, index
          if mode == "random" then
            emb, index = llm.nn.Embedding(#words, dim), {}
            for i, w in ipairs(words) do index[w] = i - 1 end
          else
            emb, index = v:to_embedding(words, { freeze = mode == "frozen" })
          end
          local lin = llm.nn.Linear(dim, 2)
          local params = lin:parameters()
          if mode ~= "frozen" then for _, x in ipairs(emb:parameters()) do params[#params + 1] = x end end
          local opt = llm.optim.AdamW(params, { lr = 1e-2, weight_decay = 0 })
          local function example(s, y)
            local ids = ctx.ex.encode(index, s)
            if #ids == 0 then ids = { 0 } end
            return { llm.tensor(ids, "int64"), y }
          end
          local train, test = {}, {}
          for i = 1, p.train_per_class do train[#train + 1] = example(ot[i], 0); train[#train + 1] = example(nt[i], 1) end
          for i = p.train_per_class + 1, need do test[#test + 1] = example(ot[i], 0); test[#test + 1] = example(nt[i], 1) end
          local function forward(ex) return lin(emb(ex[1]):mean(1, true)) end
          for _ = 1, p.epochs_cls do
            for i = 1, #train, 16 do
              opt:zero_grad()
              local logits, ys = {}, {}
              for j = i, math.min(i + 15, #train) do logits[#logits + 1] = forward(train[j]); ys[#ys + 1] = train[j][2] end
              llm.cat(logits, 1):cross_entropy(llm.tensor(ys, "int64")):backward()
              opt:step()
            end
          end
          local right = 0
          llm.no_grad(function()
            for _, ex in ipairs(test) do
              local l = forward(ex):totable()[1]
              if (l[2] > l[1] and 1 or 0) == ex[2] then right = right + 1 end
            end
          end)
          return right / #test
        end
        local acc = {}
        for _, mode in ipairs { "random", "frozen", "fine-tuned" } do
          acc[mode] = run(mode)
          print(string.format("  %-10s test accuracy %.1f%%", mode, 100 * acc[mode]))
        end
        llm.plot.bar { title = string.format("OT or NT? %d labelled verses per class", p.train_per_class),
          labels = { "random", "frozen", "fine-tuned" }, values = { acc.random, acc.frozen, acc["fine-tuned"] } }
        return acc
      end,
      check = function(ctx)
        local a = ctx.result
        local pts = 0
        -- the pipeline learns something in all three set-ups (chance is 0.5)
        if a.random > 0.55 and a["fine-tuned"] > 0.55 then pts = pts + 1 end
        if a.frozen > 0.5 and math.max(a.random, a.frozen, a["fine-tuned"]) > 0.65 then pts = pts + 1 end
        return check.result(pts, 2, string.format("random %.2f, frozen %.2f, fine-tuned %.2f", a.random, a.frozen,
          a["fine-tuned"]))
      end,
    },
    {
      title = "What to take away",
      text = [[
# Summary
- Cosine neighbourhoods and analogies show what vectors learned, and where
  they did not (rare words, relations the text seldom states).
- Evaluation sets turn that into numbers: Spearman's rho for similarity,
  accuracy for analogies. Always report how many items were skipped.
- Pre-trained vectors are a starting point, not a guarantee: whether they
  beat a random start depends on the labelled data and on how well the
  pre-training text fits the task, so measure it. Freezing keeps what they
  know; fine-tuning adapts them to the task.
]],
    },
  },
}
