-- llm.nn: the Module base, every layer's forward values, fused vs composed
-- agreement (values and gradients), GPT, and a tiny GPT overfitting a batch.
local T = require "llm.test"
llm.threads(1) -- small tensors: threads only add overhead, and suites run in parallel
local describe, it, expect = T.describe, T.it, T.expect
local nn, F = llm.nn, llm.nn.functional

local function flat(t) return t:reshape(-1):totable() end

-- Run f(x) fused and composed on copies of the same inputs; compare outputs
-- and the gradients of sum(out * w) for a fixed random w.
local function agree(inputs, fused, composed, tol)
  local function run(fn)
    local xs = {}
    for i, x in ipairs(inputs) do xs[i] = x:clone():requires_grad() end
    local out = fn(table.unpack(xs))
    llm.seed(99)
    local w = llm.randn_like(out)
    local l = (out * w):sum()
    l:backward()
    local grads = {}
    for i, x in ipairs(xs) do grads[i] = flat(x.grad) end
    return flat(out), grads
  end
  local o1, g1 = run(fused)
  local o2, g2 = run(composed)
  expect(o1).to_be_near(o2, tol)
  for i = 1, #g1 do expect(g1[i]).to_be_near(g2[i], tol) end
end

describe("Module", function()
  local Scale = nn.Module:extend("Scale")
  function Scale:init(n)
    self:param("gain", llm.ones(n))
    self:buffer("count", llm.zeros(1))
  end
  function Scale:forward(x) return x * self.gain end

  it("registers parameters, buffers and children by name, in order", function()
    local net = nn.Sequential(nn.Linear(3, 4), Scale(4), nn.ReLU(), nn.Linear(4, 2, { bias = false }))
    local names = {}
    for i, p in ipairs(net:named_parameters()) do names[i] = p[1] end
    expect(names).to_equal({ "1.weight", "1.bias", "2.gain", "4.weight" })
    expect(#net:parameters()).to_be(4)
    expect(net:num_parameters()).to_be(12 + 4 + 4 + 8)
    local sd, keys = net:state_dict()
    expect(keys).to_equal({ "1.weight", "1.bias", "2.gain", "4.weight", "2.count" })
    expect(sd["2.count"]:numel()).to_be(1)
    expect(#net).to_be(4)
    expect(net:get(2).gain:needs_grad()).to_be(true)
    expect(function() net:get(2):param("gain", llm.ones(1)) end).to_error("already registered")
    expect(function() net:add("x", 5) end).to_error("not a module")
    expect(function() net:add("train", nn.ReLU()) end).to_error("would hide a field or method")
  end)

  it("train / eval reach every module; calling runs forward", function()
    local net = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    net:eval()
    expect(net:get(2).training).to_be(false)
    local x = llm.ones(3, 2)
    expect(flat(net(x))).to_be_near(flat(net:get(1)(x)), 0)   -- dropout is identity in eval
    net:train()
    expect(net:get(1).training).to_be(true)
  end)

  it("counts a shared (tied) tensor once", function()
    local a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    local holder = nn.Sequential(a, b)
    b:param("shared", a.weight)
    expect(#holder:parameters()).to_be(4)
    expect(holder:num_parameters()).to_be(12)
    local names = {}
    for i, p in ipairs(holder:named_parameters()) do names[i] = p[1] end
    expect(names).to_equal({ "1.weight", "1.bias", "2.weight", "2.bias" })
  end)

  it("freeze keeps a part of the model out of training", function()
    llm.seed(3)
    local net = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    net:get(1):freeze()
    expect(net:num_parameters { trainable = true }).to_be(10)
    local w1, w2 = flat(net:get(1).weight), flat(net:get(2).weight)
    local opt = llm.optim.SGD(net, { lr = 0.1 })
    local l = net(llm.randn(5, 3)):sum()
    l:backward()
    opt:step()
    expect(flat(net:get(1).weight)).to_equal(w1)
    expect(flat(net:get(2).weight) ~= nil and flat(net:get(2).weight)[1] ~= w2[1]).to_be(true)
    net:unfreeze()
    expect(net:num_parameters { trainable = true }).to_be(26)
  end)

  it("prints a tree with the parameter count", function()
    local s = tostring(nn.MLP(8, 32))
    expect(s).to_match("^MLP  %[552 parameters%]")
    expect(s).to_match("%(fc%): Linear%(8 %-> 32%)")
    expect(s).to_match("%(act%): GELU%(tanh%)")
    expect(nn.Linear(3, 2):summary()).to_match("weight%s+{2,3}%s+6")
  end)

  it("load_state_dict copies values and reports every problem at once", function()
    llm.seed(1)
    local a, b = nn.MLP(4, 8), nn.MLP(4, 8)
    b:load_state_dict(a:state_dict())
    expect(flat(b.fc.weight)).to_equal(flat(a.fc.weight))
    local sd = a:state_dict()
    local bad = { ["fc.weight"] = sd["fc.weight"], ["fc.bias"] = llm.zeros(9), extra = llm.zeros(1),
      ["proj.weight"] = sd["proj.weight"] }
    local ok, err = pcall(b.load_state_dict, b, bad)
    expect(ok).to_be(false)
    expect(err).to_match("missing keys: proj.bias")
    expect(err).to_match("unexpected keys: extra")
    expect(err).to_match("shape mismatch: fc.bias %(model {8}, given {9}%)")
    -- not strict: missing / unexpected allowed, shapes still checked
    local partial = { ["fc.weight"] = llm.zeros(8, 4), junk = llm.zeros(2) }
    local r = b:load_state_dict(partial, false)
    expect(b.fc.weight:abs():sum():item()).to_be(0)
    expect(#r.missing).to_be(3)
  end)
end)

describe("layers: known values", function()
  it("Linear computes x W^T + b", function()
    local lin = nn.Linear(2, 3)
    llm.no_grad(function()
      lin.weight:copy_(llm.tensor({ { 1, 2 }, { 3, 4 }, { 5, 6 } }))
      lin.bias:copy_(llm.tensor({ 0.5, -1, 0 }))
    end)
    expect(lin(llm.tensor({ { 1, 1 }, { 2, -1 } })):totable()).to_be_near({ { 3.5, 6, 11 }, { 0.5, 1, 4 } }, 1e-6)
    expect(lin.weight:shape()).to_equal({ 3, 2 })
  end)

  it("Embedding looks up rows by 0-based id", function()
    local e = nn.Embedding(4, 2)
    llm.no_grad(function() e.weight:copy_(llm.tensor({ { 0, 1 }, { 2, 3 }, { 4, 5 }, { 6, 7 } })) end)
    expect(e(llm.tensor({ { 3, 0 } }, "int64")):totable()).to_equal({ { { 6, 7 }, { 0, 1 } } })
  end)

  it("LayerNorm and RMSNorm normalise the last dim", function()
    local x = llm.tensor({ { 1, 2, 3, 4 } })
    local y = nn.LayerNorm(4)(x)
    local sd = math.sqrt(1.25 + 1e-5)
    expect(flat(y)).to_be_near({ -1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd }, 1e-5)
    local r = nn.RMSNorm(4)(x)
    local rms = math.sqrt(30 / 4 + 1e-6)
    expect(flat(r)).to_be_near({ 1 / rms, 2 / rms, 3 / rms, 4 / rms }, 1e-5)
  end)

  it("Dropout zeroes about p of the values in training and scales the rest", function()
    llm.seed(4)
    local d = nn.Dropout(0.25)
    local y = d(llm.ones(10000))
    local zeros = y:eq(llm.zeros(1)):sum():item()
    expect(zeros / 10000).to_be_near(0.25, 0.02)
    expect(y:max():item()).to_be_near(1 / 0.75, 1e-5)
  end)

  it("activations and losses", function()
    local x = llm.tensor({ -1, 0, 2 })
    expect(nn.ReLU()(x):totable()).to_equal({ 0, 0, 2 })
    expect(nn.mse_loss(x, llm.zeros(3)):item()).to_be_near(5 / 3, 1e-6)
    expect(nn.l1_loss(x, llm.zeros(3)):item()).to_be_near(1, 1e-6)
    local logits = llm.tensor({ { 0, 0 } })
    expect(nn.cross_entropy(logits, llm.tensor({ 1 }, "int64")):item()).to_be_near(math.log(2), 1e-6)
    expect(nn.nll_loss(logits:log_softmax(-1), llm.tensor({ 0 }, "int64")):item()).to_be_near(math.log(2), 1e-6)
    expect(nn.binary_cross_entropy_with_logits(llm.tensor({ 0 }), llm.tensor({ 1 })):item()).to_be_near(math.log(2), 1e-6)
    expect(nn.CrossEntropyLoss()(logits, llm.tensor({ 0 }, "int64")):item()).to_be_near(math.log(2), 1e-6)
  end)
end)

describe("fused kernels agree with their compositions", function()
  it("softmax and log_softmax", function()
    llm.seed(11)
    local x = llm.randn(3, 5, 7)
    agree({ x }, function(a) return a:softmax(-1) end, function(a) return F.softmax_composed(a, -1) end, 1e-5)
    agree({ x }, function(a) return a:log_softmax(-1) end, function(a) return F.log_softmax_composed(a, -1) end, 1e-5)
  end)

  it("layer norm and RMS norm", function()
    llm.seed(12)
    local x, w, b = llm.randn(4, 6, 16), llm.randn(16), llm.randn(16)
    agree({ x, w, b }, function(a, ww, bb) return a:layer_norm(ww, bb, 1e-5) end,
      function(a, ww, bb) return F.layer_norm_composed(a, ww, bb, 1e-5) end, 1e-5)
    agree({ x, w }, function(a, ww) return a:rms_norm(ww, 1e-6) end,
      function(a, ww) return F.rms_norm_composed(a, ww, 1e-6) end, 1e-5)
  end)

  it("GELU (tanh form)", function()
    llm.seed(13)
    agree({ llm.randn(50) }, function(a) return a:gelu("tanh") end, F.gelu_composed, 1e-5)
  end)

  it("cross-entropy", function()
    llm.seed(14)
    local logits = llm.randn(12, 9)
    local targets = llm.tensor({ 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2 }, "int64")
    agree({ logits }, function(a) return a:cross_entropy(targets) end,
      function(a) return F.cross_entropy_composed(a, targets) end, 1e-5)
  end)

  it("attention (causal and not)", function()
    llm.seed(15)
    local q, k, v = llm.randn(2, 3, 10, 8), llm.randn(2, 3, 10, 8), llm.randn(2, 3, 10, 8)
    for _, causal in ipairs({ true, false }) do
      agree({ q, k, v }, function(a, b, c) return llm.attention(a, b, c, { causal = causal }) end,
        function(a, b, c) return F.attention_composed(a, b, c, { causal = causal }) end, 1e-5)
    end
  end)

  it("MLP: fused (mlp, linear_act) or run as written, the same outputs and gradients", function()
    for _, act in ipairs({ "gelu", "gelu_exact", "silu" }) do
      llm.seed(18)
      local mlp = nn.MLP(12, 40, { activation = act })
      local x = llm.randn(3, 5, 12)
      -- an overridden forward keeps a layer out of the fused ops
      local function run(override)
        if override then rawset(mlp[override], "forward", nn.Linear.forward) end
        mlp:zero_grad()
        local xi = x:clone():requires_grad()
        local y = mlp(xi)
        llm.seed(5)
        ;(y * llm.randn_like(y)):sum():backward()
        if override then rawset(mlp[override], "forward", nil) end
        return { y, xi.grad, mlp.fc.weight.grad, mlp.fc.bias.grad, mlp.proj.weight.grad, mlp.proj.bias.grad }
      end
      local written = run("fc")
      for _, r in ipairs({ run(nil), run("proj") }) do -- x:mlp, then x:linear_act and proj
        for i = 1, 6 do
          local d = (r[i] - written[i]):abs():max():item()
          if d > 1e-5 then T.fail(string.format("MLP %s: output/grad %d differs by %g", act, i, d)) end
        end
      end
    end
  end)

  it("MLP: a subclass of GELU or SiLU with its own forward is not fused (its forward runs)", function()
    for _, base in ipairs({ nn.GELU, nn.SiLU }) do
      local Doubled = base:extend("Doubled")
      function Doubled:forward(x) return base.forward(self, x) * 2 end
      llm.seed(19)
      local mlp = nn.MLP(6, 10)
      setmetatable(mlp.act, Doubled)
      local x = llm.randn(4, 6)
      local want = mlp.proj(Doubled.forward(mlp.act, mlp.fc(x)))
      local d = (mlp(x) - want):abs():max():item()
      if d > 1e-5 then T.fail(string.format("MLP with a %s subclass: output differs by %g", base.__name, d)) end
    end
  end)

  it("MultiHeadAttention: fused and composed forms give the same outputs and gradients", function()
    llm.seed(16)
    local attn = nn.MultiHeadAttention(16, 4)
    local x = llm.randn(2, 9, 16)
    local function run(impl)
      attn.impl = impl
      attn:zero_grad()
      local xi = x:clone():requires_grad()
      local y = attn(xi)
      llm.seed(5)
      local l = (y * llm.randn_like(y)):sum()
      l:backward()
      return flat(y), flat(xi.grad), flat(attn.qkv.weight.grad), flat(attn.proj.bias.grad)
    end
    local a = { run("fused") }
    local b = { run("composed") }
    for i = 1, 4 do expect(a[i]).to_be_near(b[i], 1e-5) end
    expect(function() nn.MultiHeadAttention(10, 4) end).to_error("not a multiple of heads")
    expect(function() attn(llm.randn(2, 3, 8)) end).to_error("the layer expects 16")
  end)

  it("causal attention: a position never sees the future", function()
    llm.seed(17)
    local attn = nn.MultiHeadAttention(8, 2)
    local x = llm.randn(1, 6, 8)
    local y1 = attn(x)
    local x2 = x:clone()
    x2[{ 1, 6 }] = llm.randn(8)     -- change only the last position
    local y2 = attn(x2)
    expect(flat(y1:narrow(2, 1, 5))).to_be_near(flat(y2:narrow(2, 1, 5)), 1e-6)
  end)
end)

describe("GPT", function()
  local cfg = { vocab_size = 16, block_size = 8, d_model = 32, n_layer = 2, n_head = 2 }

  it("maps ids (B, T) to logits (B, T, V) and a loss near log V at init", function()
    llm.seed(21)
    local m = nn.GPT(cfg)
    local ids = llm.tensor({ { 1, 2, 3, 4, 5 }, { 6, 7, 8, 9, 10 } }, "int64")
    local logits, loss = m(ids, llm.tensor({ { 2, 3, 4, 5, 6 }, { 7, 8, 9, 10, 11 } }, "int64"))
    expect(logits:shape()).to_equal({ 2, 5, 16 })
    expect(loss:item()).to_be_near(math.log(16), 0.2)
    expect(m:num_parameters()).to_be(16 * 32 + 8 * 32 + 2 * (4 * 32 + 32 * 96 + 96 + 32 * 32 + 32 + 32 * 128 + 128 + 128 * 32 + 32) + 64)
    expect(tostring(m)).to_match("^GPT%(vocab_size=16, block_size=8, d_model=32, n_layer=2, n_head=2, tied head%)")
    local deep = tostring(nn.GPT { vocab_size = 16, block_size = 8, d_model = 8, n_layer = 5, n_head = 2 })
    expect(deep).to_match("\n    %(1%-5%): 5 x TransformerBlock\n      %(norm1%)")
  end)

  it("checks its config and inputs", function()
    expect(function() nn.GPT { vocab_size = 16 } end).to_error("config.block_size must be a positive integer")
    expect(function() nn.GPT { vocab_size = 16, block_size = 8, d_model = 30, n_layer = 1, n_head = 4 } end)
      .to_error("not a multiple of n_head")
    expect(function() nn.GPT { vocab_size = 16, block_size = 8, d_model = 32, n_layer = 1, n_head = 4, colour = 1 } end)
      .to_error("unknown config key 'colour'")
    local m = nn.GPT(cfg)
    expect(function() m(llm.zeros({ 1, 9 }, "int64")) end).to_error("longer than block_size 8")
  end)

  it("an untied head, RMS norm and composed attention also work", function()
    llm.seed(22)
    local m = nn.GPT { vocab_size = 16, block_size = 8, d_model = 16, n_layer = 1, n_head = 2,
      tie_weights = false, norm = "rms", attention = "composed", bias = false }
    local _, loss = m(llm.zeros({ 2, 4 }, "int64"), llm.ones({ 2, 4 }, "int64"))
    loss:backward()
    expect(m.head.weight.grad ~= nil).to_be(true)
    expect(m.blocks:get(1).norm1:class_name()).to_be("RMSNorm")
  end)

  it("fused and composed attention give the same model loss and gradients", function()
    llm.seed(23)
    local m = nn.GPT(cfg)
    local x = llm.tensor({ { 1, 5, 2, 7, 3, 0, 9, 4 } }, "int64")
    local y = llm.tensor({ { 5, 2, 7, 3, 0, 9, 4, 1 } }, "int64")
    local function run(impl)
      m:set_attention(impl)
      m:zero_grad()
      local _, loss = m(x, y)
      loss:backward()
      return loss:item(), flat(m.wte.weight.grad)
    end
    local l1, g1 = run("fused")
    local l2, g2 = run("composed")
    expect(l1).to_be_near(l2, 1e-5)
    expect(g1).to_be_near(g2, 1e-5)
  end)

  it("a tiny GPT overfits one batch (loss < 0.05)", function()
    llm.seed(24)
    local m = nn.GPT(cfg)
    local x, y = {}, {}
    for b = 1, 4 do
      x[b], y[b] = {}, {}
      for t = 1, 8 do x[b][t] = llm.random(16) - 1; y[b][t] = llm.random(16) - 1 end
    end
    x, y = llm.tensor(x, "int64"), llm.tensor(y, "int64")
    local opt = llm.optim.AdamW(m, { lr = 1e-2, weight_decay = 0 })
    local loss
    for _ = 1, 200 do
      opt:zero_grad()
      _, loss = m(x, y)
      loss:backward()
      opt:step()
      if loss:item() < 0.05 then break end
    end
    expect(loss:item() < 0.05).to_be(true)
  end)

  it("dropout acts in training and not in eval", function()
    llm.seed(26)
    local m = nn.GPT { vocab_size = 16, block_size = 8, d_model = 16, n_layer = 1, n_head = 2, dropout = 0.2 }
    local x = llm.tensor({ { 1, 2, 3, 4 } }, "int64")
    expect(flat(m(x)) ~= nil).to_be(true)
    local a, b = flat(m(x)), flat(m(x))
    local same = true
    for i = 1, #a do same = same and a[i] == b[i] end
    expect(same).to_be(false)
    m:eval()
    expect(flat(m(x))).to_equal(flat(m(x)))
  end)

  it("generates continuations (greedy is deterministic)", function()
    llm.seed(25)
    local m = nn.GPT(cfg)
    local start = llm.tensor({ { 1, 2 } }, "int64")
    local a = m:generate(start, 10, { temperature = 0 })
    local b = m:generate(start, 10, { temperature = 0 })
    expect(a:shape()).to_equal({ 1, 12 })
    expect(a:totable()).to_equal(b:totable())
    local s = m:generate(start, 3, { temperature = 1, top_k = 4 })
    expect(s:shape()).to_equal({ 1, 5 })
    expect(m.training).to_be(true)
  end)
end)
