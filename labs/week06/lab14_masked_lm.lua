-- Lab 14 (week 6): a masked language model training loop, BERT-style, on
-- the King James Bible, and the causal (GPT-style) objective beside it on
-- the same network. The model is llm.mlm.Encoder (a small Transformer from
-- the tensor engine); the student writes the masking, the scoring, the
-- loss and the loop.
local check = require "llm.check"

local IGNORE = -100

-- The corpus as ids: a word vocabulary of the most frequent words and a
-- 90/10 split into training and held-out ids (1-D int64 tensors).
local function load_data(p)
  local wc = require "llm.wordcorpus"
  local words = wc.words(wc.kjv { verses = p.verses })
  local vocab = llm.mlm.Vocab(words, { size = p.vocab })
  local ids = vocab:encode(words)
  local train, held = wc.split(ids, 0.9)
  return vocab, train, held, #words
end

local function new_model(p, vocab, causal)
  return llm.mlm.Encoder { vocab_size = vocab:size(), block_size = p.block, d_model = p.d_model,
    n_layer = p.n_layer, n_head = p.n_head, causal = causal }
end

-- A function returning batches of B random windows of T ids (Lua rows).
local function batcher(ids, B, T)
  local all = ids:totable()
  return function()
    local rows = {}
    for b = 1, B do
      local i = llm.random(#all - T + 1)
      rows[b] = table.move(all, i, i + T - 1, 1, {})
    end
    return rows
  end
end

-- f's results packed in one table, so check.cases sees all of them.
local function packed(f)
  if type(f) ~= "function" then return f end
  return function(...) return table.pack(f(...)) end
end

local function mean(t, i, j)
  local s = 0
  for k = i, j do s = s + t[k] end
  return s / (j - i + 1)
end

return {
  id = "w06.lab14",
  week = 6,
  title = "Masked language modelling: BERT's objective beside GPT's",
  objectives = {
    "Mask a sequence the BERT way (15 % of tokens; 80 % [MASK], 10 % random, 10 % unchanged)",
    "Score only the masked positions: masked loss and masked-token accuracy",
    "Write the training loop of a masked language model and watch its loss curve",
    "Contrast the masked and the causal objective on the same Transformer and the same text",
  },
  size = {
    small = { verses = 2000, vocab = 400, block = 16, batch = 16, d_model = 32, n_layer = 1, n_head = 2,
      steps = 300, lr = 5e-3, eval_batches = 16 },
    full = { verses = 31102, vocab = 2000, block = 32, batch = 32, d_model = 64, n_layer = 2, n_head = 4,
      steps = 1200, lr = 2e-3, eval_batches = 32 },
  },
  time = 10,
  memory = 256,
  exercises = {
    { name = "mask_tokens", hints = {
      "Walk the ids with `for t, id in ipairs(ids)`. Start every position as `inputs[t] = id, labels[t] = -100`.",
      "Only ordinary ids can be chosen: `id >= n_special and id ~= mask_id`. Choose with `llm.random() < prob`; a chosen position gets `labels[t] = id`.",
      "For a chosen position draw `r = llm.random()`: `r < 0.8` -> `inputs[t] = mask_id`; `r < 0.9` -> `inputs[t] = n_special + llm.random(vocab_size - n_special) - 1`; otherwise leave the input alone.",
    } },
    { name = "masked_accuracy", hints = {
      "Count two things over the positions whose label is not -100: how many there are, and how many have `pred[i] == labels[i]`.",
      "Return `right / n, n`, or `nil, 0` when no position is scored (dividing by zero would give NaN).",
    } },
    { name = "mlm_loss", hints = {
      "Build two tables of rows: `inputs[b], labels[b] = M.mask_tokens(row, opts)` for each row of the batch.",
      "`local x = llm.tensor(inputs, \"int64\")`, the same for the labels, then `local logits = model(x)` gives (B, T, V).",
      "`logits:cross_entropy(y, {ignore_index = -100})` averages over the scored positions only. Return it, then logits, then y.",
    } },
    { name = "train", hints = {
      "One step is: `opt:zero_grad()`, `local loss = M.mlm_loss(model, next_batch(), opts)`, `loss:backward()`, clip, `opt:step()`.",
      "Keep `loss:item()` (a plain number) in the list: keeping the tensor would keep its whole graph alive.",
      "```lua\nfor step = 1, steps do\n  opt:zero_grad()\n  local loss = M.mlm_loss(model, next_batch(), opts)\n  loss:backward()\n  llm.optim.clip_grad_norm(model, 1.0)\n  opt:step()\n  losses[step] = loss:item()\n  if on_step then on_step(step, losses[step]) end\nend\n```",
    } },
    { name = "causal_pairs", hints = {
      "A window of T+1 ids gives T pairs: position i predicts position i+1.",
      "Loop `for i = 1, #window - 1` and set `inputs[i] = window[i]`, `targets[i] = window[i + 1]`.",
    } },
  },
  steps = {
    {
      title = "Two ways to learn from raw text",
      text = [[
# Masked and causal language models
A **causal** language model (GPT) reads left to right and predicts the next
token: every position is a training example, and attention is masked so a
position cannot see its future.

A **masked** language model (BERT) sees the whole sentence at once. Some
tokens are hidden and the model predicts them from both sides:

```
input:  in the [MASK] god created the heaven and the earth
target:        beginning
```

BERT chooses **15 %** of the tokens. Of those, **80 %** become `[MASK]`,
**10 %** a random word and **10 %** stay as they are. Only the chosen
positions are scored. The random and unchanged tokens matter: `[MASK]`
never appears when the model is used later, and since the model cannot tell
which inputs are real, it has to build a useful vector for every token.

In this lab you write the masking, the scoring and the training loop, then
train the same small Transformer both ways on the King James Bible.
]],
    },
    {
      title = "See the masking",
      text = [[
Here `llm.mlm.mask_tokens` (the library's version) masks a few verses. The
vocabulary holds the most frequent words; rarer ones become `[UNK]`, and
`[PAD]`, `[UNK]` and `[MASK]` are the special ids 0, 1 and 2.
]],
      run = function(ctx)
        local wc = require "llm.wordcorpus"
        local sents = wc.kjv { verses = 6 }
        local words = wc.words(wc.kjv { verses = ctx.params.verses })
        local vocab = llm.mlm.Vocab(words, { size = ctx.params.vocab })
        llm.seed(14)
        for i = 1, 3 do
          local ws = {}
          for w in sents[i]:gmatch("%S+") do ws[#ws + 1] = w end
          local inp, lab = llm.mlm.mask_tokens(vocab:encode(ws), { mask_id = vocab.mask_id,
            vocab_size = vocab:size(), n_special = vocab.n_special, prob = 0.3 })
          local shown, targets = vocab:decode(inp), {}
          for t, l in ipairs(lab:totable()) do
            if l ~= IGNORE then targets[#targets + 1] = string.format("%d:%s", t, vocab:word(l)) end
          end
          print("input:   " .. table.concat(shown, " "))
          print("targets: " .. table.concat(targets, "  "))
          print()
        end
        print(string.format("(prob 0.3 here so that each short verse shows a few; BERT uses 0.15)"))
      end,
    },
    {
      title = "Write the masking",
      exercise = "mask_tokens",
      points = 4,
      text = [[
Write `mask_tokens(ids, opts)` in your exercise file. The check runs it on
30,000 tokens and looks at the fractions: about 15 % chosen, and of those
about 80 / 10 / 10. Special ids (below `n_special`) must never be chosen.
]],
      check = function(ctx)
        local f = ctx.ex.mask_tokens
        if type(f) ~= "function" then return check.result(0, 4, "mask_tokens is not defined yet") end
        local pts, notes = 0, {}
        local opts = { mask_id = 2, vocab_size = 60, n_special = 3 }
        -- 1: prob 0 leaves everything alone
        local ids = { 0, 5, 6, 1, 7, 59, 3 }
        local ok, inp, lab = pcall(f, ids, { mask_id = 2, vocab_size = 60, n_special = 3, prob = 0 })
        if ok and check.equal(inp, ids) and check.equal(lab, { IGNORE, IGNORE, IGNORE, IGNORE, IGNORE, IGNORE, IGNORE }) then
          pts = pts + 1
        else
          notes[#notes + 1] = ok and ("prob 0: got inputs " .. check.show(inp) .. ", labels " .. check.show(lab))
            or ("raised " .. tostring(inp))
        end
        -- 2: prob 1 chooses every ordinary token and no special one
        ok, inp, lab = pcall(f, ids, { mask_id = 2, vocab_size = 60, n_special = 3, prob = 1 })
        if ok and check.equal(lab, { IGNORE, 5, 6, IGNORE, 7, 59, 3 }) and inp[1] == 0 and inp[4] == 1 then
          pts = pts + 1
        else
          notes[#notes + 1] = ok and ("prob 1 on " .. check.show(ids) .. ": labels " .. check.show(lab) ..
            " (specials 0 and 1 must keep label -100)") or ("raised " .. tostring(inp))
        end
        -- 3, 4: statistics over 30,000 tokens
        llm.seed(2024)
        local chosen, masked, same, other, total, bad = 0, 0, 0, 0, 0, 0
        for r = 1, 300 do
          local row = {}
          for t = 1, 100 do row[t] = 3 + (r * 31 + t * 17) % 57 end
          ok, inp, lab = pcall(f, row, opts)
          if not ok or type(inp) ~= "table" or type(lab) ~= "table" then break end
          for t = 1, 100 do
            total = total + 1
            if lab[t] ~= IGNORE then
              chosen = chosen + 1
              if lab[t] ~= row[t] then bad = bad + 1 end
              if inp[t] == 2 then masked = masked + 1
              elseif inp[t] == row[t] then same = same + 1
              else
                other = other + 1
                if math.type(inp[t]) ~= "integer" or inp[t] < 3 or inp[t] >= 60 then bad = bad + 1 end
              end
            elseif inp[t] ~= row[t] then
              bad = bad + 1
            end
          end
        end
        local frac = total > 0 and chosen / total or 0
        if total == 30000 and frac > 0.14 and frac < 0.16 and bad == 0 then
          pts = pts + 1
        else
          notes[#notes + 1] = string.format("%.1f %% of 30,000 tokens chosen (want about 15 %%)%s", 100 * frac,
            bad > 0 and string.format("; %d positions with a wrong label or input", bad) or "")
        end
        local fm, fs, fo = masked / math.max(chosen, 1), same / math.max(chosen, 1), other / math.max(chosen, 1)
        if chosen > 0 and math.abs(fm - 0.8) < 0.03 and math.abs(fs - 0.1) < 0.03 and math.abs(fo - 0.1) < 0.03 then
          pts = pts + 1
        else
          notes[#notes + 1] = string.format("of the chosen: %.0f %% [MASK], %.0f %% random, %.0f %% unchanged (want 80/10/10)",
            100 * fm, 100 * fo, 100 * fs)
        end
        return check.result(pts, 4, #notes == 0 and "masking looks right: 15 % chosen, 80/10/10"
          or table.concat(notes, "; "))
      end,
    },
    {
      title = "Masked-token accuracy",
      exercise = "masked_accuracy",
      points = 3,
      text = [[
Accuracy only means something over the positions that were scored. Write
`masked_accuracy(pred, labels)`: the share of positions with a label other
than -100 where the prediction is right, and how many there were.
]],
      check = function(ctx)
        return check.cases(packed(ctx.ex.masked_accuracy), {
          { name = "two of four", args = { { 4, 9, 7, 7, 1 }, { 4, IGNORE, 8, 7, 2 } },
            check = function(r) return r[1] == 0.5 and r[2] == 4, "returned " .. check.show(r[1]) .. ", " ..
              check.show(r[2]) .. "; expected 0.5, 4" end },
          { name = "unscored positions do not count", args = { { 1, 2, 3 }, { IGNORE, 2, IGNORE } },
            check = function(r) return r[1] == 1 and r[2] == 1, "returned " .. check.show(r[1]) .. ", " ..
              check.show(r[2]) .. "; expected 1.0, 1" end },
          { name = "nothing scored", args = { { 1, 2 }, { IGNORE, IGNORE } },
            check = function(r) return r[1] == nil and r[2] == 0, "returned " .. check.show(r[1]) .. ", " ..
              check.show(r[2]) .. "; expected nil, 0" end },
        }, { name = "masked_accuracy" })
      end,
    },
    {
      title = "The masked loss",
      exercise = "mlm_loss",
      points = 3,
      time = 15,
      text = [[
Write `mlm_loss(model, batch, opts)`. `cross_entropy` skips targets equal
to its `ignore_index` (-100 by default), which is exactly "score only the
masked positions". The check recomputes the loss from your logits and
labels by hand.
]],
      check = function(ctx)
        if type(ctx.ex.mlm_loss) ~= "function" then return check.result(0, 3, "mlm_loss is not defined yet") end
        llm.seed(3)
        local V, B, T = 40, 8, 16
        local model = llm.mlm.Encoder { vocab_size = V, block_size = T, d_model = 16, n_layer = 1, n_head = 2 }
        local batch = {}
        for b = 1, B do
          batch[b] = {}
          for t = 1, T do batch[b][t] = 3 + (b * 5 + t * 3) % (V - 3) end
        end
        local ok, loss, logits, labels = pcall(ctx.ex.mlm_loss, model, batch,
          { mask_id = 2, vocab_size = V, n_special = 3, prob = 0.15 })
        if not ok then return check.result(0, 3, "mlm_loss raised an error: " .. tostring(loss)) end
        if not (llm.is_tensor(loss) and llm.is_tensor(logits) and llm.is_tensor(labels)) then
          return check.result(0, 3, "mlm_loss must return three tensors: loss, logits, labels")
        end
        local pts, notes = 0, {}
        if check.equal(logits:shape(), { B, T, V }) and check.equal(labels:shape(), { B, T }) then
          pts = pts + 1
        else
          notes[#notes + 1] = "logits should be (8, 16, 40) and labels (8, 16), got " .. check.show(logits:shape()) ..
            " and " .. check.show(labels:shape())
        end
        local lab = labels:totable()
        local scored, wrong = 0, 0
        for b = 1, B do
          for t = 1, T do
            local l = lab[b] and lab[b][t]
            if l ~= IGNORE then
              scored = scored + 1
              if l ~= batch[b][t] then wrong = wrong + 1 end
            end
          end
        end
        if scored >= 4 and scored <= 45 and wrong == 0 then
          pts = pts + 1
        else
          notes[#notes + 1] = string.format("%d of 128 positions scored (expected about 19), %d with a label that is not the true id",
            scored, wrong)
        end
        -- the loss by hand: mean of -log softmax(logits)[label] over scored positions
        local lp = llm.no_grad(function() return logits:detach():log_softmax(-1):totable() end)
        local sum = 0
        for b = 1, B do
          for t = 1, T do
            if lab[b][t] ~= IGNORE then sum = sum - lp[b][t][lab[b][t] + 1] end
          end
        end
        local want = scored > 0 and sum / scored or 0
        if loss:numel() == 1 and math.abs(loss:item() - want) < 1e-4 and loss:needs_grad() then
          pts = pts + 1
        else
          notes[#notes + 1] = string.format("the loss is %s; over the scored positions it should be %.4f (and be on the tape)",
            loss:numel() == 1 and string.format("%.4f", loss:item()) or "not a scalar", want)
        end
        return check.result(pts, 3, #notes == 0 and "the loss scores exactly the masked positions" or table.concat(notes, "; "))
      end,
    },
    {
      title = "The training loop",
      exercise = "train",
      points = 3,
      heavy = true,
      time = 1800,
      memory = 512,
      text = [[
Write `train(model, opt, steps, next_batch, opts, on_step)`. This step
trains a small encoder on the KJV with your loop and draws the loss curve
as it goes. The dashed line is the **unigram entropy**: the loss of a model
that only knows how often each word occurs. A masked model has to get
below it to show it uses the context.

The check wants the training loss to fall clearly (by more than 0.6 nats
from the first step to the mean of the last 20) and the held-out masked
loss to fall as much.
]],
      run = function(ctx)
        local p = ctx.params
        local ex = ctx.ex
        if type(ex.train) ~= "function" then error("train is not defined yet", 0) end
        llm.threads(1)
        local vocab, train_ids, val_ids, nwords = load_data(p)
        print(string.format("%d words, vocabulary %d (with 3 specials)", nwords, vocab:size()))
        llm.seed(1)
        local model = new_model(p, vocab, false)
        local mopts = { mask_id = vocab.mask_id, vocab_size = vocab:size(), n_special = vocab.n_special, prob = 0.15 }
        local eopts = { objective = "mlm", block_size = p.block, batches = p.eval_batches }
        local before = llm.mlm.evaluate(model, val_ids, eopts)
        local H = require("llm.wordcorpus").unigram_entropy(train_ids)
        local opt = llm.optim.AdamW(model, { lr = p.lr, weight_decay = 0.01 })
        local plot = llm.plot.line { title = "masked LM on the KJV", xlabel = "step", ylabel = "loss (nats)",
          series = { { name = "masked loss", x = { 0 }, y = { before.loss } } },
          band = { x = { 0, p.steps }, lo = { H, H }, hi = { H, H }, name = "unigram entropy" }, show = false }
        local run = llm.runs.start { name = "lab14-mlm", params = { steps = p.steps, lr = p.lr, d_model = p.d_model,
          n_layer = p.n_layer, vocab = vocab:size(), block = p.block, batch = p.batch } }
        local losses = ex.train(model, opt, p.steps, batcher(train_ids, p.batch, p.block), mopts, function(step, loss)
          run:log(step, { loss = loss })
          plot:push("masked loss", step, loss)
        end)
        run:finish()
        plot:show()
        if type(losses) ~= "table" or #losses == 0 then error("train returned " .. type(losses) .. ", not a list of losses", 0) end
        local after = llm.mlm.evaluate(model, val_ids, eopts)
        print(string.format("held-out masked loss %.3f -> %.3f, masked accuracy %.1f%% -> %.1f%% (%d masked tokens)",
          before.loss, after.loss, 100 * before.accuracy, 100 * after.accuracy, after.tokens))
        print(string.format("unigram entropy of the training words: %.3f", H))
        for _, q in ipairs { "and god said let there be [MASK]", "the children of [MASK]", "and the lord [MASK] unto moses" } do
          local ws = {}
          for w in q:gmatch("%S+") do ws[#ws + 1] = w end
          local r = llm.mlm.fill_mask(model, vocab, ws, 5)
          print(string.format("%-36s -> %s", q, table.concat(r[1].words, ", ")))
        end
        return { n = #losses, steps = p.steps, first = losses[1], last = mean(losses, math.max(1, #losses - 19), #losses),
          before = before.loss, after = after.loss }
      end,
      check = function(ctx)
        local r = ctx.result
        local pts, notes = 0, {}
        if r.n == r.steps then pts = pts + 1 else notes[#notes + 1] = string.format("%d losses for %d steps", r.n, r.steps) end
        if r.last and r.first and r.last < r.first - 0.6 then
          pts = pts + 1
        else
          notes[#notes + 1] = string.format("the training loss went from %.3f to %.3f (last 20 steps); it should fall by more than 0.6",
            r.first or 0 / 0, r.last or 0 / 0)
        end
        if r.after < r.before - 0.6 then
          pts = pts + 1
        else
          notes[#notes + 1] = string.format("the held-out masked loss went from %.3f to %.3f", r.before, r.after)
        end
        return check.result(pts, 3, #notes == 0 and string.format("loss %.2f -> %.2f; held-out %.2f -> %.2f",
          r.first, r.last, r.before, r.after) or table.concat(notes, "; "))
      end,
    },
    {
      title = "Pairs for the causal objective",
      exercise = "causal_pairs",
      points = 3,
      text = [[
The causal objective needs no masking at all: shift the window by one.
Write `causal_pairs(window)`.
]],
      check = function(ctx)
        local function pair(x, y) return "returned " .. check.show(x) .. ", " .. check.show(y) end
        return check.cases(packed(ctx.ex.causal_pairs), {
          { name = "three ids", args = { { 5, 6, 7 } },
            check = function(r) return check.equal(r[1], { 5, 6 }) and check.equal(r[2], { 6, 7 }),
              pair(r[1], r[2]) end },
          { name = "a repeat", args = { { 1, 1, 2, 1 } },
            check = function(r) return check.equal(r[1], { 1, 1, 2 }) and check.equal(r[2], { 1, 2, 1 }),
              pair(r[1], r[2]) end },
          { name = "one id: no pairs", args = { { 9 } },
            check = function(r) return check.equal(r[1], {}) and check.equal(r[2], {}),
              pair(r[1], r[2]) end },
        }, { name = "causal_pairs" })
      end,
    },
    {
      title = "Side by side: masked and causal",
      points = 2,
      heavy = true,
      time = 1800,
      memory = 512,
      text = [[
The same network is trained twice for the same number of steps: once as a
bidirectional encoder with the masked objective, once with causal
attention and the next-token objective (`llm.mlm.train`). Look at the two
curves and think before reading on:

- The causal model gets a training signal from **every** position; the
  masked one from about 15 % of them. Which learns faster per step?
- The masked model sees **both sides** of the gap. Which task is easier
  per scored token once both are trained long enough?
- The two losses are not the same quantity: one predicts a hidden word
  from both sides, the other the next word from the left only.

At the small size the masked model has barely reached the unigram baseline
(it fills most masks with *the*, *and*, *of*: the most frequent words are
the safest guess), while the causal one is already below it. Run the full
size (`llmlab lab run 14`, a few minutes) and compare how far each gets
below the baseline, and what the masked model now puts in the gaps.
]],
      run = function(ctx)
        local p = ctx.params
        llm.threads(1)
        local vocab, train_ids, val_ids = load_data(p)
        local H = require("llm.wordcorpus").unigram_entropy(train_ids)
        local out, curves = {}, {}
        for _, obj in ipairs { "mlm", "clm" } do
          llm.seed(1)
          local model = new_model(p, vocab, obj == "clm")
          local eopts = { objective = obj, block_size = p.block, batches = p.eval_batches }
          local before = llm.mlm.evaluate(model, val_ids, eopts)
          local run = llm.runs.start { name = "lab14-" .. obj, params = { objective = obj, steps = p.steps, lr = p.lr } }
          local h = llm.mlm.train { model = model, data = train_ids, objective = obj, steps = p.steps,
            batch_size = p.batch, block_size = p.block, lr = p.lr,
            on_step = function(step, m) run:log(step, { loss = m.loss, accuracy = m.accuracy }) end }
          run:finish()
          local after = llm.mlm.evaluate(model, val_ids, eopts)
          out[obj] = { before = before.loss, after = after.loss, acc = after.accuracy, tokens = after.tokens }
          -- a moving average makes the two noisy curves readable
          local ys, xs = {}, {}
          for i = 10, #h.loss, 5 do xs[#xs + 1] = i; ys[#ys + 1] = mean(h.loss, i - 9, i) end
          curves[#curves + 1] = { name = obj == "mlm" and "masked (BERT)" or "causal (GPT)", x = xs, y = ys }
          print(string.format("%-4s held-out loss %.3f -> %.3f, accuracy on scored tokens %.1f%% (%d tokens)",
            obj, before.loss, after.loss, 100 * after.accuracy, after.tokens))
          if obj == "clm" then
            local ws = { "and", "god", "said", "let", "there", "be" }
            llm.no_grad(function()
              model:eval()
              local logits = model(vocab:encode(ws):view(1, #ws))
              local best = logits:select(2, #ws):argmax(-1):totable()[1]
              print(string.format("causal: %s -> %s", table.concat(ws, " "), vocab:word(best)))
            end)
          else
            local r = llm.mlm.fill_mask(model, vocab, { "and", "god", "said", "let", "there", "be", "[MASK]" }, 3)
            print("masked: and god said let there be [MASK] -> " .. table.concat(r[1].words, ", "))
          end
        end
        llm.plot.line { title = "masked vs causal objective (moving average of 10 steps)", xlabel = "step",
          ylabel = "training loss (nats)", series = curves,
          band = { x = { 1, p.steps }, lo = { H, H }, hi = { H, H }, name = "unigram entropy" } }
        print(string.format("unigram entropy %.3f", H))
        out.H = H
        return out
      end,
      check = function(ctx)
        local r = ctx.result
        local pts, notes = 0, {}
        if r.mlm.after < r.mlm.before - 0.6 then pts = pts + 1
        else notes[#notes + 1] = string.format("masked: %.3f -> %.3f", r.mlm.before, r.mlm.after) end
        if r.clm.after < r.H then pts = pts + 1
        else notes[#notes + 1] = string.format("causal: %.3f is not below the unigram entropy %.3f", r.clm.after, r.H) end
        return check.result(pts, 2, #notes == 0 and string.format("masked %.2f, causal %.2f, unigram %.2f",
          r.mlm.after, r.clm.after, r.H) or table.concat(notes, "; "))
      end,
    },
    {
      title = "What to take away",
      text = [[
# Summary
- Masked LM: corrupt 15 % of the input (80/10/10), predict the originals
  from both sides, score only those positions (`ignore_index = -100`).
- Causal LM: predict each next token from the left; every position is
  scored and the model can generate text one token at a time.
- BERT-style encoders are used to **understand** text (classification,
  tagging, retrieval); GPT-style decoders to **generate** it. Week 7 opens
  the Transformer that both are made of.

Questions to try: what happens to the masked loss with `prob = 0.5`? Why
would 100 % `[MASK]` (no random or kept tokens) hurt when the model is
later used on text that has no `[MASK]` in it?
]],
    },
  },
}
