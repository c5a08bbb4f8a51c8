-- Checkpoints: a model saved as safetensors and loaded back is bit-exact,
-- the config travels in __metadata__, and every bad file or mismatched model
-- is a clear error naming the file.
local T = require "llm.test"
llm.threads(1) -- small tensors: threads only add overhead, and suites run in parallel
local describe, it, expect = T.describe, T.it, T.expect
local nn, ck = llm.nn, llm.checkpoint

local tmp = os.tmpname()
local cfg = { vocab_size = 16, block_size = 8, d_model = 16, n_layer = 2, n_head = 2, norm = "rms" }

local function flat(t) return t:reshape(-1):totable() end

describe("checkpoints", function()
  it("round-trips a GPT bit-exactly, config included", function()
    llm.seed(31)
    local m = nn.GPT(cfg)
    nn.save(m, tmp, { step = 120 })
    local m2, meta = nn.load(tmp)
    expect(meta.step).to_be("120")
    expect(meta.model).to_be("GPT")
    expect(m2.config.norm).to_be("rms")
    expect(m2.config.n_layer).to_be(2)
    expect(m2.config.tie_weights).to_be(true)
    local a, b = m:state_dict(), m2:state_dict()
    for k, t in pairs(a) do
      -- bit-exact: compare the raw bytes of every tensor
      expect(string.pack(string.rep("f", t:numel()), table.unpack(flat(t))) ==
        string.pack(string.rep("f", b[k]:numel()), table.unpack(flat(b[k])))).to_be(true)
    end
    local x = llm.tensor({ { 1, 2, 3 } }, "int64")
    expect(flat(m(x))).to_equal(flat(m2(x)))
  end)

  it("keeps special float values and int tensors exactly", function()
    local vals = { 0, -0.0, 1 / 0, -1 / 0, 1e-45, 3.4028234663852886e38, 1 / 3 }
    local t = llm.tensor(vals)
    local ids = llm.tensor({ -5, 0, 2 ^ 40 }, "int64")
    ck.save_tensors(tmp, { v = t, ids = ids }, { note = "x" })
    local back, meta = ck.load_tensors(tmp)
    expect(meta.note).to_be("x")
    expect(back.ids:dtype()).to_be("int64")
    expect(back.ids:totable()).to_equal({ -5, 0, 2 ^ 40 })
    local f <close> = llm.safetensors_open(tmp)
    expect(f:bytes("v") == string.pack("<" .. string.rep("f", #vals), table.unpack(vals))).to_be(true)
  end)

  it("handles scalars, empty tensors and modules without a config", function()
    ck.save_tensors(tmp, { s = llm.tensor(3.5), e = llm.zeros(0, 3) })
    local t = ck.load_tensors(tmp)
    expect(t.s:dim()).to_be(0)
    expect(t.s:item()).to_be(3.5)
    expect(t.e:shape()).to_equal({ 0, 3 })
    llm.seed(35)
    local a, b = nn.MLP(4, 8), nn.MLP(4, 8)
    a:save(tmp)
    b:load(tmp)
    expect(flat(b.proj.weight)).to_equal(flat(a.proj.weight))
  end)

  it("rejects a model that does not fit: missing, unexpected, shape", function()
    llm.seed(32)
    nn.save(nn.GPT(cfg), tmp)
    local bigger = nn.GPT { vocab_size = 16, block_size = 8, d_model = 16, n_layer = 3, n_head = 2, norm = "rms" }
    expect(function() nn.load_into(bigger, tmp) end).to_error("missing keys: blocks.3")
    local smaller = nn.GPT { vocab_size = 16, block_size = 8, d_model = 16, n_layer = 1, n_head = 2, norm = "rms" }
    expect(function() nn.load_into(smaller, tmp) end).to_error("unexpected keys: blocks.2")
    local wider = nn.GPT { vocab_size = 20, block_size = 8, d_model = 16, n_layer = 2, n_head = 2, norm = "rms" }
    expect(function() nn.load_into(wider, tmp) end).to_error("shape mismatch: wte.weight (model {20,16}, given {16,16})")
    local ok, err = pcall(nn.load_into, wider, tmp)
    expect(err).to_match(tmp:gsub("%p", "%%%0"))
    -- non-strict loading still refuses shape mismatches but allows the rest
    nn.load_into(bigger, tmp, { strict = false })
  end)

  it("rejects corrupt files with a message, never a crash", function()
    llm.seed(33)
    nn.save(nn.GPT(cfg), tmp)
    local fh = assert(io.open(tmp, "rb"))
    local good = fh:read("a")
    fh:close()
    local function write(s)
      local w = assert(io.open(tmp, "wb"))
      w:write(s)
      w:close()
    end
    write(good:sub(1, #good - 10))
    expect(function() nn.load(tmp) end).to_error("run beyond the data section")
    write(good .. "junk")
    expect(function() nn.load(tmp) end).to_error("4 bytes after the last tensor")
    write(good:sub(1, 20))
    expect(function() nn.load(tmp) end).to_error("runs beyond the end of the file")
    write(good:gsub('"F32"', '"F99"', 1))
    expect(function() nn.load(tmp) end).to_error("unknown dtype 'F99'")
    write(good:gsub('"shape":%[16,16%]', '"shape":[16,15]', 1))
    expect(function() nn.load(tmp) end).to_error("shape x dtype")
    write(good:gsub('{', '[', 1))
    expect(function() nn.load(tmp) end).to_error("bad JSON in the header at line 1")
    -- a file without a config can still be loaded as tensors, not as a model
    ck.save_tensors(tmp, { w = llm.ones(2) })
    expect(function() nn.load(tmp) end).to_error("no known model class and config")
    ck.save_tensors(tmp, { w = llm.ones(2) }, { model = "GPT", ["config.vocab_size"] = "abc" })
    expect(function() nn.load(tmp) end).to_error("bad model config: GPT: config.vocab_size must be a positive integer, got abc")
    expect(function() nn.load("/nonexistent/m.safetensors") end).to_error("cannot open")
  end)

  it("saving model and optimizer resumes a run exactly", function()
    local function batch(k)
      local x, y = {}, {}
      for t = 1, 6 do x[t] = (t * k) % 16; y[t] = (t * k + 1) % 16 end
      return llm.tensor({ x }, "int64"), llm.tensor({ y }, "int64")
    end
    local function steps(m, opt, from, to)
      for k = from, to do
        opt:zero_grad()
        local _, loss = m(batch(k))
        loss:backward()
        opt:step()
      end
    end
    llm.seed(36)
    local m = nn.GPT(cfg)
    local opt = llm.optim.AdamW(m, { lr = 1e-2 })
    steps(m, opt, 1, 3)
    m:save(tmp)
    ck.save_optimizer(opt, tmp .. ".opt")
    steps(m, opt, 4, 5)
    local m2 = nn.load(tmp)
    local opt2 = llm.optim.AdamW(m2, { lr = 1e-2 })
    ck.load_optimizer(opt2, tmp .. ".opt")
    expect(opt2.step_count).to_be(3)
    steps(m2, opt2, 4, 5)
    expect(flat(m2.blocks:get(1).mlp.fc.weight)).to_equal(flat(m.blocks:get(1).mlp.fc.weight))
    expect(flat(m2.wte.weight)).to_equal(flat(m.wte.weight))
    local sgd = llm.optim.SGD(m2, { lr = 0.1 })
    expect(function() ck.load_optimizer(sgd, tmp .. ".opt") end).to_error("the saved state is from AdamW")
    expect(function() ck.load_optimizer(opt2, tmp) end).to_error("not an optimizer state file")
    os.remove(tmp .. ".opt")
  end)

  it("writes atomically: a failed save leaves the old file intact", function()
    llm.seed(34)
    local m = nn.GPT(cfg)
    nn.save(m, tmp)
    local before = io.open(tmp, "rb"):read("a")
    expect(function() ck.save_tensors(tmp, { a = "not a tensor" }) end).to_error("is not a tensor")
    expect(io.open(tmp, "rb"):read("a") == before).to_be(true)
  end)
end)

os.remove(tmp)
