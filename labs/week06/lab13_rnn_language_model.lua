-- Lab 13 (week 6): a neural language model with a recurrent network, on
-- the characters of the King James Bible. The student writes one RNN step,
-- the stream batching and the truncated-BPTT training loop, perplexity and
-- sampling with temperature and top-k; the lab compares RNN, GRU and LSTM
-- cells (llm.nn.RNNLM, llm.rnnlm) and generates text.
local check = require "llm.check"

local function corpus(p)
  local wc = require "llm.wordcorpus"
  local text = table.concat(wc.kjv { verses = p.verses }, "\n")
  local V = llm.rnnlm.Vocab.chars(text)
  local ids = V:encode(text)
  local train, held = wc.split(ids, 0.9)
  return V, train, held, #text
end

local function new_lm(p, V, cell)
  return llm.nn.RNNLM { vocab_size = V:size(), embed_dim = p.embed, hidden_size = p.hidden, num_layers = p.layers,
    cell = cell or "lstm" }
end

-- (N) ids -> (B, N // B) streams, as llm.rnnlm.train makes them
local function stream_tensor(ids, B)
  local L = ids:size(1) // B
  return ids:narrow(1, 1, B * L):view(B, L)
end

local function mean(t, i, j)
  local s = 0
  for k = i, j do s = s + t[k] end
  return s / (j - i + 1)
end

return {
  id = "w06.lab13",
  week = 6,
  title = "A neural language model with a recurrent network",
  objectives = {
    "Write one step of a recurrent network with tensors and check it against nn.RNNCell",
    "Train a character-level language model with truncated backpropagation through time",
    "Measure it with perplexity and compare RNN, GRU and LSTM cells",
    "Generate text with temperature and top-k sampling",
  },
  size = {
    small = { verses = 1500, embed = 24, hidden = 64, layers = 1, batch = 16, seq = 32, steps = 150, lr = 5e-3,
      cell_steps = 120, gen = 120 },
    full = { verses = 31102, embed = 64, hidden = 256, layers = 2, batch = 32, seq = 64, steps = 1500, lr = 2e-3,
      cell_steps = 600, gen = 400 },
  },
  time = 10,
  memory = 256,
  exercises = {
    { name = "rnn_step", hints = {
      "`x:matmul(w_ih:t())` is (B, I) times (I, H) = (B, H); a bias of shape (H) broadcasts over the batch.",
      "Add the four terms and call `:tanh()` on the sum.",
      "```lua\nreturn (x:matmul(w_ih:t()) + b_ih + h:matmul(w_hh:t()) + b_hh):tanh()\n```",
    } },
    { name = "streams", hints = {
      "`local L = #ids // B` is the length of each row (integer division).",
      "Row b is `table.move(ids, (b - 1) * L + 1, b * L, 1, {})`.",
    } },
    { name = "train_tbptt", hints = {
      "Keep three things between steps: the list of losses, the state (nil at first) and the position pos (1 at first).",
      "The carried state must leave the graph: `state = llm.nn.detach_state(st)`; otherwise the next backward runs through every earlier chunk.",
      "```lua\nif pos >= N then pos, state = 1, nil end\nlocal len = math.min(T, N - pos)\nlocal x, y = data:narrow(2, pos, len), data:narrow(2, pos + 1, len)\npos = pos + len\n```",
    } },
    { name = "perplexity", hints = {
      "The mean loss per token is nll_sum / count.",
      "Perplexity is math.exp of that mean: the number of equally likely choices the model is, on average, torn between.",
    } },
    { name = "sample", hints = {
      "Temperature 0 means greedy: return the position of the largest logit minus 1 (ids are 0-based).",
      "For top_k, find the k-th largest value (sort a copy) and give every smaller logit probability 0.",
      "Subtract the maximum logit before math.exp to avoid overflow; then draw r = llm.random() * total and walk the list subtracting probabilities until r <= 0.",
    } },
  },
  steps = {
    {
      title = "Predicting the next character",
      text = [[
# A language model with memory
A language model gives the probability of the next token given the ones
before it. An n-gram model (week 4) looks at a fixed number of previous
tokens. A **recurrent** network reads the tokens one at a time and keeps a
hidden vector h that summarises everything read so far:

```
h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)
logits_t = h_t W_out^T + b_out
```

Training unrolls this over a chunk of text and backpropagates through
every step (backpropagation through time). Real text is too long to
unroll whole, so we cut it into chunks, carry h from one chunk to the
next, but stop the gradient at the chunk border: **truncated BPTT**.

GRU and LSTM cells add gates that decide what to keep and what to
overwrite, which lets gradients survive over more steps than the plain
tanh cell.
]],
    },
    {
      title = "One recurrent step",
      exercise = "rnn_step",
      points = 3,
      text = "Write `rnn_step(x, h, w_ih, w_hh, b_ih, b_hh)` with tensor operations.",
      check = function(ctx)
        local f = ctx.ex.rnn_step
        if type(f) ~= "function" then return check.result(0, 3, "rnn_step is not defined yet") end
        llm.seed(13)
        local cell = llm.nn.RNNCell(3, 4)
        local x, h = llm.randn(2, 3), llm.randn(2, 4)
        local want = cell(x, h):totable()
        local ok, got = pcall(f, x, h, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
        if not ok then return check.result(0, 3, "rnn_step raised an error: " .. tostring(got)) end
        if not llm.is_tensor(got) then return check.result(0, 3, "rnn_step must return a tensor, got " .. type(got)) end
        local pts, notes = 0, {}
        if check.equal(got:shape(), { 2, 4 }) then pts = pts + 1
        else notes[#notes + 1] = "shape " .. check.show(got:shape()) .. ", expected {2, 4}" end
        local g = got:totable()
        local close = #g == 2
        for b = 1, #g do close = close and check.near(g[b], want[b], 1e-5) end
        if close then pts = pts + 1 else notes[#notes + 1] = "the values differ from nn.RNNCell's" end
        -- gradients reach the weights
        local okb = pcall(function() got:sum():backward() end)
        if okb and cell.weight_hh.grad and cell.weight_ih.grad then pts = pts + 1
        else notes[#notes + 1] = "no gradient reached the weights (use tensor ops, not numbers)" end
        return check.result(pts, 3, #notes == 0 and "the step matches nn.RNNCell, gradients included" or table.concat(notes, "; "))
      end,
    },
    {
      title = "Parallel streams",
      exercise = "streams",
      points = 2,
      text = [[
To train on B sequences at once, the text is cut into B long streams that
are read side by side: row b continues where it stopped in the previous
chunk, which is what makes carrying the hidden state meaningful. Write
`streams(ids, B)`.
]],
      check = function(ctx)
        return check.cases(ctx.ex.streams, {
          { name = "tail dropped", args = { { 1, 2, 3, 4, 5, 6, 7 }, 2 }, expect = { { 1, 2, 3 }, { 4, 5, 6 } } },
          { name = "three rows", args = { { 9, 8, 7, 6, 5, 4 }, 3 }, expect = { { 9, 8 }, { 7, 6 }, { 5, 4 } } },
        }, { name = "streams" })
      end,
    },
    {
      title = "Truncated backpropagation through time",
      exercise = "train_tbptt",
      points = 3,
      heavy = true,
      time = 1800,
      memory = 512,
      text = [[
Write `train_tbptt(model, data, opt, opts)`. The step trains a one-layer
LSTM on the KJV's characters with it and draws the loss curve; the line is
the entropy of the character frequencies, what a model that ignores the
context would score. The check also looks at how you call the model: from
the second chunk on, the state must be the previous one, detached.
]],
      run = function(ctx)
        local p = ctx.params
        if type(ctx.ex.train_tbptt) ~= "function" then error("train_tbptt is not defined yet", 0) end
        llm.threads(1)
        local V, train_ids, val_ids, nchars = corpus(p)
        local H = require("llm.wordcorpus").unigram_entropy(train_ids)
        print(string.format("%d characters, %d distinct; character entropy %.3f nats", nchars, V:size(), H))
        llm.seed(1)
        local lm = new_lm(p, V, "lstm")
        -- watch the states the loop passes in
        local calls, carried, detached = 0, 0, true
        local forward = lm.forward
        lm.forward = function(self, x, y, state)
          calls = calls + 1
          if state ~= nil then
            carried = carried + 1
            for _, s in ipairs(type(state) == "table" and state or { state }) do
              if s:needs_grad() then detached = false end
            end
          end
          return forward(self, x, y, state)
        end
        local opt = llm.optim.AdamW(lm, { lr = p.lr, weight_decay = 0 })
        local plot = llm.plot.line { title = "character LSTM on the KJV", xlabel = "step", ylabel = "loss (nats)",
          series = { { name = "train", x = {}, y = {} } }, band = { x = { 1, p.steps }, lo = { H, H }, hi = { H, H },
            name = "character entropy" }, show = false }
        local run = llm.runs.start { name = "lab13-tbptt", params = { hidden = p.hidden, seq = p.seq, batch = p.batch,
          lr = p.lr } }
        local losses = ctx.ex.train_tbptt(lm, stream_tensor(train_ids, p.batch), opt,
          { seq_len = p.seq, steps = p.steps, on_step = function(step, loss)
            run:log(step, { loss = loss })
            plot:push("train", step, loss)
          end })
        run:finish()
        plot:show()
        lm.forward = nil
        if type(losses) ~= "table" or #losses == 0 then error("train_tbptt returned no losses", 0) end
        local ppl, nll = lm:perplexity(val_ids, { seq_len = p.seq, batch_size = 8 })
        print(string.format("held-out: %.3f nats per character, perplexity %.2f", nll, ppl))
        return { n = #losses, steps = p.steps, last = mean(losses, math.max(1, #losses - 9), #losses), H = H,
          val = nll, calls = calls, carried = carried, detached = detached }
      end,
      check = function(ctx)
        local r = ctx.result
        local pts, notes = 0, {}
        if r.n == r.steps and r.calls == r.steps then pts = pts + 1
        else notes[#notes + 1] = string.format("%d losses and %d model calls for %d steps", r.n, r.calls, r.steps) end
        if r.carried >= r.steps - 2 and r.detached then pts = pts + 1
        else notes[#notes + 1] = string.format("the state was carried in %d of %d calls%s", r.carried, r.calls,
          r.detached and "" or ", and not detached") end
        if r.val < r.H then pts = pts + 1
        else notes[#notes + 1] = string.format("held-out loss %.3f is not below the character entropy %.3f", r.val, r.H) end
        return check.result(pts, 3, #notes == 0 and string.format("held-out %.3f nats/char (entropy %.3f)", r.val, r.H)
          or table.concat(notes, "; "))
      end,
    },
    {
      title = "Perplexity",
      exercise = "perplexity",
      points = 2,
      text = [[
Perplexity is exp of the mean loss per token. A model that spreads its bets
evenly over k tokens has perplexity k, so it reads as "how many choices is
the model torn between". Write `perplexity(nll_sum, count)`.
]],
      check = function(ctx)
        return check.cases(ctx.ex.perplexity, {
          { name = "uniform over 4", args = { 10 * math.log(4), 10 }, expect = 4, tol = 1e-9 },
          { name = "certain", args = { 0, 7 }, expect = 1, tol = 1e-12 },
          { name = "mean of 2 nats", args = { 6, 3 }, expect = math.exp(2), tol = 1e-9 },
        }, { name = "perplexity" })
      end,
    },
    {
      title = "RNN, GRU or LSTM?",
      exercise = "perplexity",
      points = 2,
      heavy = true,
      time = 1800,
      memory = 512,
      text = [[
The same model with three cells, trained for the same number of steps with
`llm.rnnlm.train` (which runs the loop you just wrote). Your `perplexity`
turns each held-out loss into a perplexity. Which cell learns fastest
here, and which costs most per step?
]],
      run = function(ctx)
        local p = ctx.params
        local probe = ctx.ex.perplexity(0, 1)
        if type(probe) ~= "number" then error("perplexity returned " .. type(probe) .. ", not a number", 0) end
        llm.threads(1)
        local V, train_ids, val_ids = corpus(p)
        local H = require("llm.wordcorpus").unigram_entropy(train_ids)
        local curves, out = {}, { H = H }
        for _, cell in ipairs { "rnn", "gru", "lstm" } do
          llm.seed(1)
          local lm = new_lm(p, V, cell)
          local t0 = llm.now()
          local h = llm.rnnlm.train { model = lm, data = train_ids, batch_size = p.batch, seq_len = p.seq,
            steps = p.cell_steps, lr = p.lr, progress = false }
          local secs = llm.now() - t0
          local ppl, nll = lm:perplexity(val_ids, { seq_len = p.seq, batch_size = 8 })
          -- the held-out loss as a sum over its tokens, for your function
          local count = 1000
          local mine = ctx.ex.perplexity(nll * count, count)
          out[cell] = { nll = nll, ppl = ppl, mine = mine }
          local xs, ys = {}, {}
          for i = 10, #h.loss, 5 do xs[#xs + 1] = i; ys[#ys + 1] = mean(h.loss, i - 9, i) end
          curves[#curves + 1] = { name = cell, x = xs, y = ys }
          print(string.format("  %-4s %5.1f s  held-out %.3f nats/char, perplexity %.2f (yours %.2f)", cell, secs, nll,
            ppl, mine))
        end
        llm.plot.line { title = "three cells (moving average of 10 steps)", xlabel = "step", ylabel = "loss (nats)",
          series = curves, band = { x = { 1, p.cell_steps }, lo = { H, H }, hi = { H, H }, name = "character entropy" } }
        return out
      end,
      check = function(ctx)
        local r = ctx.result
        local pts, notes = 0, {}
        local same = true
        for _, c in ipairs { "rnn", "gru", "lstm" } do
          if not check.near(r[c].mine, r[c].ppl, 1e-6 * r[c].ppl) then same = false end
        end
        if same then pts = pts + 1 else notes[#notes + 1] = "your perplexities differ from lm:perplexity" end
        local below = 0
        for _, c in ipairs { "rnn", "gru", "lstm" } do if r[c].nll < r.H then below = below + 1 end end
        if below >= 2 then pts = pts + 1
        else notes[#notes + 1] = string.format("only %d of 3 cells got below the character entropy", below) end
        return check.result(pts, 2, #notes == 0 and string.format("perplexity: rnn %.1f, gru %.1f, lstm %.1f",
          r.rnn.ppl, r.gru.ppl, r.lstm.ppl) or table.concat(notes, "; "))
      end,
    },
    {
      title = "Sampling",
      exercise = "sample",
      points = 4,
      text = [[
To generate, feed the model its own output: sample the next character from
softmax(logits / T). A low temperature T sharpens the distribution (safe,
repetitive text), a high one flattens it (varied, error-prone text);
top-k keeps only the k most likely tokens. Write `sample(logits,
temperature, top_k)`.
]],
      check = function(ctx)
        local f = ctx.ex.sample
        if type(f) ~= "function" then return check.result(0, 4, "sample is not defined yet") end
        local pts, notes = 0, {}
        local ok, a = pcall(f, { 0.5, 2, 1, 2 }, 0)
        if ok and a == 1 then pts = pts + 1 else notes[#notes + 1] = "temperature 0 should give 1 (the first largest), got " .. check.show(a) end
        llm.seed(1)
        local all_top = true
        for _ = 1, 200 do
          local okk, id = pcall(f, { 3, 1, 2.5, -1 }, 1, 2)
          if not okk or (id ~= 0 and id ~= 2) then all_top = false; break end
        end
        if all_top then pts = pts + 1 else notes[#notes + 1] = "top_k = 2 drew an id outside the two largest logits" end
        -- frequencies: logits {0, ln 3} at T = 1 -> P(1) = 0.75; at T = 2 -> sqrt(3) / (1 + sqrt(3))
        local function freq(T)
          llm.seed(7)
          local ones = 0
          for _ = 1, 4000 do
            local okk, id = pcall(f, { 0, math.log(3) }, T)
            if not okk then return -1 end
            if id == 1 then ones = ones + 1 end
          end
          return ones / 4000
        end
        local f1, f2 = freq(1), freq(2)
        if math.abs(f1 - 0.75) < 0.03 then pts = pts + 1
        else notes[#notes + 1] = string.format("P(id 1) at T = 1 is %.3f, expected 0.75", f1) end
        local want2 = math.sqrt(3) / (1 + math.sqrt(3))
        if math.abs(f2 - want2) < 0.03 then pts = pts + 1
        else notes[#notes + 1] = string.format("P(id 1) at T = 2 is %.3f, expected %.3f", f2, want2) end
        return check.result(pts, 4, #notes == 0 and "greedy, top-k and temperature all behave" or table.concat(notes, "; "))
      end,
    },
    {
      title = "Generate text",
      exercise = "sample",
      points = 2,
      heavy = true,
      time = 1800,
      memory = 512,
      text = [[
A freshly trained LSTM writes with your sampler from the prompt "and god
said", one character at a time, carrying its state, at three temperatures
and with top-k. At temperature 0 it must write exactly what the library's
greedy `lm:generate` writes.
]],
      run = function(ctx)
        local p = ctx.params
        local probe = ctx.ex.sample({ 0, 1 }, 0)
        if math.type(probe) ~= "integer" then error("sample returned " .. type(probe) .. ", not an integer id", 0) end
        llm.threads(1)
        local V, train_ids = corpus(p)
        llm.seed(1)
        local lm = new_lm(p, V, "lstm")
        llm.rnnlm.train { model = lm, data = train_ids, batch_size = p.batch, seq_len = p.seq, steps = p.steps,
          lr = p.lr, progress = false }
        lm:eval()
        local prompt = V:encode("and god said")
        local function write(T, k)
          local out = {}
          llm.no_grad(function()
            local logits, _, state = lm(prompt:view(1, prompt:size(1)))
            for _ = 1, p.gen do
              local row = logits:select(2, logits:size(2)):totable()[1]
              local id = ctx.ex.sample(row, T, k)
              out[#out + 1] = id
              logits, _, state = lm(llm.tensor({ { id } }, "int64"), nil, state)
            end
          end)
          return V:decode(llm.tensor(out, "int64"))
        end
        local greedy = write(0)
        local lib = V:decode(lm:generate(prompt, p.gen, { temperature = 0 }))
        print("T = 0   : and god said" .. greedy:gsub("\n", " / "))
        llm.seed(2)
        for _, set in ipairs { { 0.5 }, { 1.0 }, { 1.5 }, { 1.0, 3 } } do
          local s = write(set[1], set[2])
          print(string.format("T = %.1f%s: and god said%s", set[1], set[2] and (" top-" .. set[2]) or "", (s:gsub("\n", " / "))))
        end
        return { greedy = greedy, lib = lib }
      end,
      check = function(ctx)
        local r = ctx.result
        local pts, notes = 0, {}
        if r.greedy == r.lib then pts = pts + 2
        else notes[#notes + 1] = "your greedy text differs from lm:generate's: " .. r.greedy:sub(1, 40) .. " / " .. r.lib:sub(1, 40) end
        return check.result(pts, 2, #notes == 0 and "greedy decoding matches the library" or table.concat(notes, "; "))
      end,
    },
    {
      title = "What to take away",
      text = [[
# Summary
- A recurrent LM carries a hidden state through the text; truncated BPTT
  trains it in chunks, carrying the state but cutting the gradient.
- Perplexity = exp(mean loss): lower is better, comparable only with the
  same tokens and test text.
- GRU and LSTM gates keep information longer than a plain tanh RNN, at a
  higher cost per step.
- Sampling trades safety for variety through temperature and top-k.

Try: a word-level model (`llm.rnnlm.Vocab.words`) on the same verses, or
two layers at the full size. Next week: attention, which lets every
position look at every other one directly instead of through one state.
]],
    },
  },
}
