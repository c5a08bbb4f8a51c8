-- llm.train: batches of random windows, held-out evaluation, hooks, and a
-- byte-level GPT that learns a text sample: after a few hundred steps its
-- held-out loss is clearly below the text's unigram entropy (what a model
-- that only knows byte frequencies would get).
local T = require "llm.test"
llm.threads(1) -- small tensors: threads only add overhead, and suites run in parallel
local describe, it, expect = T.describe, T.it, T.expect
local nn, train = llm.nn, llm.train

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local fh = assert(io.open(here .. "fixtures/lm_sample.txt", "rb"))
local text = fh:read("a")
fh:close()

-- Entropy (nats) of the byte distribution of s.
local function unigram_entropy(s)
  local counts, n = {}, #s
  for i = 1, n do
    local b = s:byte(i)
    counts[b] = (counts[b] or 0) + 1
  end
  local h = 0
  for _, c in pairs(counts) do h = h - c / n * math.log(c / n) end
  return h
end

describe("training loop", function()
  it("makes batches of shifted windows from the token array", function()
    llm.seed(41)
    local ids = llm.arange(100, "int64")
    local x, y = train.batch(ids, 4, 10)
    expect(x:shape()).to_equal({ 4, 10 })
    local xt, yt = x:totable(), y:totable()
    for b = 1, 4 do
      for t = 1, 10 do
        expect(yt[b][t]).to_be(xt[b][t] + 1)
        if t > 1 then expect(xt[b][t]).to_be(xt[b][t - 1] + 1) end
      end
      expect(xt[b][1] >= 0 and xt[b][10] <= 98).to_be(true)
    end
    expect(function() train.batch(llm.arange(5, "int64"), 2, 5) end).to_error("too few")
    expect(train.bytes("Hi!"):totable()).to_equal({ 72, 105, 33 })
    expect(train.text(train.bytes("caf\xc3\xa9 \0x"))).to_be("caf\xc3\xa9 \0x")
  end)

  it("checks its options", function()
    local m = nn.GPT { vocab_size = 8, block_size = 4, d_model = 8, n_layer = 1, n_head = 1 }
    expect(function() train { model = m, data = { 1, 2, 3, 4, 5, 6 }, stepz = 3 } end).to_error("unknown option 'stepz'")
    expect(function() train { model = m, data = llm.zeros(10) } end).to_error("integer ids")
    expect(function() train { model = m, data = { 1, 2, 3, 4, 5, 6 }, batch_size = 0 } end).to_error("batch_size must be")
  end)

  it("calls the hooks, evaluates every N steps, reports progress and can stop early", function()
    llm.seed(42)
    local m = nn.GPT { vocab_size = 8, block_size = 4, d_model = 8, n_layer = 1, n_head = 1 }
    local data = {}
    for i = 1, 200 do data[i] = i % 8 end
    local steps, evals = {}, {}
    local h = train {
      model = m, data = data, val_data = data, batch_size = 2, steps = 10, eval_every = 3, eval_batches = 1,
      accum_steps = 2, grad_clip = 1.0,
      schedule = llm.optim.schedule.linear { lr = 0.01, warmup = 2, total = 10 },
      on_step = function(step, mt) steps[#steps + 1] = mt; return step < 7 end,
      on_eval = function(step, mt) evals[#evals + 1] = step; expect(mt.val_loss > 0).to_be(true) end,
    }
    expect(h.steps).to_be(7)
    expect(#h.loss).to_be(7)
    expect(evals).to_equal({ 3, 6 })
    expect(steps[2].lr).to_be_near(0.01, 1e-12)
    expect(steps[1].lr).to_be_near(0.005, 1e-12)
    expect(steps[3].tokens).to_be(3 * 2 * 4 * 2)
    expect(steps[1].grad_norm > 0).to_be(true)
    expect(h.val[2].step).to_be(6)
  end)

  it("stops cleanly when progress reports a cancel (Ctrl-C, the UI's cancel key)", function()
    local m = nn.GPT { vocab_size = 8, block_size = 4, d_model = 8, n_layer = 1, n_head = 1 }
    local data = {}
    for i = 1, 100 do data[i] = i % 8 end
    local real = llm.progress
    local calls = 0
    rawset(llm, "progress", function(label, done, total)
      calls = calls + 1
      expect(label).to_be("pretrain")
      expect(total).to_be(50)
      return done >= 3
    end)
    local ok, h = pcall(train, { model = m, data = data, steps = 50, progress = "pretrain" })
    rawset(llm, "progress", real)
    expect(ok).to_be(true)
    expect(h.steps).to_be(3)
    expect(h.interrupted).to_be(true)
    expect(calls).to_be(3)
  end)

  it("saves checkpoints along the way", function()
    llm.seed(45)
    local path = os.tmpname()
    os.remove(path)  -- tmpname creates it; the run must
    local m = nn.GPT { vocab_size = 8, block_size = 4, d_model = 8, n_layer = 1, n_head = 1 }
    local data = {}
    for i = 1, 100 do data[i] = i % 8 end
    local saved = {}
    train { model = m, data = data, steps = 6, save_path = path, save_every = 4, progress = false,
      on_step = function(step)
        local f = io.open(path, "rb")
        if f then f:close(); saved[#saved + 1] = step end
      end }
    expect(saved[1]).to_be(5)  -- the first save happens after step 4's hook
    local m2, meta = nn.load(path)
    expect(meta.step).to_be("6")
    expect(m2.wte.weight:totable()).to_equal(m.wte.weight:totable())
    os.remove(path)
    os.remove(path .. ".opt")
  end)

  it("keeps tensor memory flat over a run", function()
    llm.seed(44)
    local m = nn.GPT { vocab_size = 32, block_size = 8, d_model = 16, n_layer = 1, n_head = 2 }
    local data = {}
    for i = 1, 300 do data[i] = (i * 7) % 32 end
    local opt = llm.optim.AdamW(m, { lr = 1e-3 })
    train { model = m, data = data, steps = 5, optimizer = opt, progress = false }
    collectgarbage()
    collectgarbage()
    local before = llm.tensor_memory()
    train { model = m, data = data, steps = 40, optimizer = opt, progress = false }
    collectgarbage()
    collectgarbage()
    local after = llm.tensor_memory()
    if after > before + 4096 then
      T.fail(string.format("live tensor bytes grew from %d to %d over 40 steps", before, after))
    end
  end)

  it("a byte-level GPT learns the text: held-out loss well below the unigram entropy", function()
    llm.seed(43)
    local cut = math.floor(#text * 0.9)
    local train_text, val_text = text:sub(1, cut), text:sub(cut + 1)
    local H = unigram_entropy(train_text)
    local m = nn.GPT { vocab_size = 256, block_size = 32, d_model = 48, n_layer = 2, n_head = 2 }
    local h = train {
      model = m, data = train_text, val_data = val_text, block_size = 32, batch_size = 16, steps = 300,
      optimizer = llm.optim.AdamW(m, { lr = 3e-3, weight_decay = 0.01 }),
      schedule = llm.optim.schedule.cosine { lr = 3e-3, warmup = 20, total = 300, min_lr = 3e-4 },
      grad_clip = 1.0, eval_every = 100, eval_batches = 4, progress = false,
    }
    expect(#h.val).to_be(3)
    expect(h.val[3].loss < h.val[1].loss).to_be(true)
    if h.val_loss >= H - 0.4 then
      T.fail(string.format("held-out loss %.3f is not clearly below the unigram entropy %.3f nats", h.val_loss, H))
    end
    expect(h.final_loss < H - 0.4).to_be(true)
    -- and it writes something text-like: greedy continuation of a prompt
    local out = m:generate(train.bytes("The "):view(1, 4), 20, { temperature = 0 })
    expect(#train.text(out)).to_be(24)
  end)
end)
