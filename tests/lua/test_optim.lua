-- Optimizers against PyTorch (fixtures from tests/fixtures/make_optim_fixtures.py),
-- hand-computed steps, clipping, parameter groups, accumulation, schedules
-- and initialisation schemes.
local T = require "llm.test"
llm.threads(1) -- small tensors: threads only add overhead, and suites run in parallel
local describe, it, expect = T.describe, T.it, T.expect
local optim, nn = llm.optim, llm.nn

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local fx = dofile(here .. "fixtures/optim_torch.lua")

local function params_from_fixture()
  local ps = {}
  for i, shape in ipairs(fx.shapes) do
    ps[i] = llm.tensor(fx.p0[i]):view(shape):contiguous():requires_grad()
  end
  return ps
end

local function flat(t) return t:reshape(-1):totable() end

describe("optimizers match PyTorch", function()
  for _, case in ipairs(fx.cases) do
    it(case.name, function()
      local ps = params_from_fixture()
      local opts, clip, groups = {}, nil, nil
      for k, v in pairs(case.opts) do
        if k == "clip" then clip = v elseif k == "groups" then groups = v else opts[k] = v end
      end
      local target = ps
      if groups then
        target = { { params = { ps[1] }, weight_decay = opts.weight_decay }, { params = { ps[2] }, weight_decay = 0 } }
        opts.weight_decay = nil
      end
      local opt = optim[case.kind](target, opts)
      for k = 1, #fx.c do
        opt:zero_grad()
        local loss
        for i, p in ipairs(ps) do
          local c = llm.tensor(fx.c[k][i]):view(fx.shapes[i])
          local term = (c * p):sum() + (p * p):sum() * 0.5
          loss = loss and loss + term or term
        end
        loss:backward()
        if clip then
          local norm = optim.clip_grad_norm(ps, clip)
          expect(norm).to_be_near(case.norms[k], 1e-4)
          expect(optim.grad_norm(ps) <= clip + 1e-5).to_be(true)
        end
        opt:step()
        for i, p in ipairs(ps) do
          expect(flat(p)).to_be_near(case.after[k][i], 2e-6)
        end
      end
    end)
  end
end)

describe("optimizers by hand", function()
  it("SGD with momentum: two steps", function()
    local p = llm.tensor({ 1.0 }):requires_grad()
    local opt = optim.SGD({ p }, { lr = 0.1, momentum = 0.5 })
    for _ = 1, 2 do
      opt:zero_grad()
      local l = (p * 2):sum() -- grad 2
      l:backward()
      opt:step()
    end
    -- buf1 = 2, p = 1 - 0.2 = 0.8; buf2 = 0.5*2 + 2 = 3, p = 0.8 - 0.3 = 0.5
    expect(p:item()).to_be_near(0.5, 1e-6)
  end)

  it("AdamW's first step moves each weight by lr (sign of the grad) after decay", function()
    local p = llm.tensor({ 2.0, -3.0 }):requires_grad()
    local opt = optim.AdamW({ p }, { lr = 0.1, weight_decay = 0.5, eps = 0 })
    local l = (p * llm.tensor({ 5.0, -0.01 })):sum()
    l:backward()
    opt:step()
    -- p * (1 - 0.05), then -0.1 * sign(g)
    expect(p:totable()).to_be_near({ 2 * 0.95 - 0.1, -3 * 0.95 + 0.1 }, 1e-6)
  end)

  it("a parameter without a grad is left alone; zero_grad drops grads", function()
    local a, b = llm.tensor({ 1.0 }):requires_grad(), llm.tensor({ 1.0 }):requires_grad()
    local opt = optim.Adam({ a, b }, { lr = 0.1 })
    local l = (a * 3):sum()
    l:backward()
    opt:step()
    expect(b:item()).to_be(1.0)
    expect(a:item() < 1).to_be(true)
    opt:zero_grad()
    expect(a.grad).to_be(nil)
  end)

  it("rejects bad options", function()
    local p = llm.tensor({ 1.0 }):requires_grad()
    expect(function() optim.AdamW({ p }, { lr = 0.1, betas = { 1.5, 0.9 } }) end).to_error("betas")
    expect(function() optim.SGD({ p }, { lr = 0.1, nesterov = true }) end).to_error("Nesterov")
    expect(function() optim.SGD({ p }, { lr = 0.1, momentun = 0.9 }) end).to_error("unknown option 'momentun'")
    expect(function() optim.SGD({ p }, { lr = -1 }) end).to_error("lr must be")
    expect(function() optim.SGD("x") end).to_error("expects a module")
    expect(function() optim.SGD({ { params = { p } }, { params = { p } } }) end).to_error("two groups")
  end)
end)

describe("parameter groups from a module", function()
  it("AdamW decays weight matrices only: not norms, biases or embeddings", function()
    llm.seed(3)
    local m = nn.GPT { vocab_size = 16, block_size = 8, d_model = 8, n_layer = 1, n_head = 2 }
    local opt = optim.AdamW(m, { lr = 1e-3, weight_decay = 0.1 })
    expect(#opt.groups).to_be(2)
    expect(opt.groups[1].weight_decay).to_be(0.1)
    expect(opt.groups[2].weight_decay).to_be(0)
    local decayed = {}
    for _, p in ipairs(opt.groups[1].params) do decayed[p] = true end
    local names = {}
    for _, e in ipairs(m:named_parameters()) do
      if decayed[e[2]] then names[#names + 1] = e[1] end
    end
    expect(names).to_equal({ "blocks.1.attn.qkv.weight", "blocks.1.attn.proj.weight",
      "blocks.1.mlp.fc.weight", "blocks.1.mlp.proj.weight" })
    local all = optim.AdamW(m, { weight_decay = 0.1, decay_all = true })
    expect(#all.groups).to_be(1)
    expect(tostring(opt)).to_match("AdamW%(.*weight_decay=0.1.*%) over 16 tensors in 2 groups")
  end)

  it("set_lr reaches every group", function()
    local a, b = llm.tensor({ 1.0 }):requires_grad(), llm.tensor({ 1.0 }):requires_grad()
    local opt = optim.SGD({ { params = { a } }, { params = { b }, lr_scale = 0.5 } }, { lr = 1 })
    opt:set_lr(0.2)
    expect(opt.groups[1].lr).to_be(0.2)
    expect(opt.groups[2].lr).to_be(0.1)
    expect(opt:get_lr()).to_be(0.2)
  end)
end)

describe("gradient clipping and accumulation", function()
  it("clip_grad_norm scales grads to the max norm and returns the old norm", function()
    local a = llm.tensor({ 3.0, 0.0 }):requires_grad()
    local b = llm.tensor({ 4.0 }):requires_grad()
    local l = (a * a):sum() * 0.5 + (b * b):sum() * 0.5 -- grads 3,0 and 4: norm 5
    l:backward()
    expect(optim.clip_grad_norm({ a, b }, 1.0)).to_be_near(5, 1e-6)
    expect(a.grad:totable()).to_be_near({ 0.6, 0 }, 1e-5)
    expect(b.grad:totable()).to_be_near({ 0.8 }, 1e-5)
    expect(optim.clip_grad_norm({ a, b }, 10)).to_be_near(1, 1e-5) -- below max: unchanged
    expect(b.grad:totable()).to_be_near({ 0.8 }, 1e-5)
  end)

  it("two half batches accumulate to the full batch's gradient", function()
    llm.seed(5)
    local lin = nn.Linear(3, 2)
    local x, y = llm.randn(4, 3), llm.randn(4, 2)
    nn.mse_loss(lin(x), y):backward()
    local full = lin.weight.grad:clone()
    lin:zero_grad()
    for i = 0, 1 do
      local xs, ys = x:narrow(1, 2 * i + 1, 2), y:narrow(1, 2 * i + 1, 2)
      local l = nn.mse_loss(lin(xs), ys) / 2
      l:backward()
    end
    expect(flat(lin.weight.grad)).to_be_near(flat(full), 1e-6)
  end)
end)

describe("learning-rate schedules", function()
  local S = optim.schedule
  it("constant, step, exponential", function()
    expect(S.constant(0.1):table(3)).to_equal({ 0.1, 0.1, 0.1 })
    expect(S.step(1, 2, 0.5):table(5)).to_equal({ 1, 1, 0.5, 0.5, 0.25 })
    expect(S.exponential(1, 0.5):table(3)).to_equal({ 1, 0.5, 0.25 })
  end)
  it("cosine with linear warm-up", function()
    local s = S.cosine { lr = 1, warmup = 2, total = 6, min_lr = 0 }
    -- warm-up 0.5, 1; then 0.5(1 + cos(pi * k/4)) for k = 1..4
    expect(s:table(7)).to_be_near({ 0.5, 1, 0.5 * (1 + math.cos(math.pi / 4)), 0.5,
      0.5 * (1 + math.cos(3 * math.pi / 4)), 0, 0 }, 1e-12)
    local s2 = S.cosine { lr = 1, total = 3, min_lr = 0.1 }
    expect(s2(1)).to_be_near(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi / 3)), 1e-12)
    expect(tostring(s)).to_match("cosine%(lr=1, warmup=2, total=6")
  end)
  it("linear decay", function()
    expect(S.linear { lr = 1, warmup = 1, total = 5, end_lr = 0 }:table(6)).to_be_near({ 1, 0.75, 0.5, 0.25, 0, 0 }, 1e-12)
    -- warm-up 1, 2; then 2 + (0.4 - 2) * k/4 for k = 1..4; 0.4 after total
    local s = S.linear { lr = 2, warmup = 2, total = 6, end_lr = 0.4 }
    expect(s:table(7)).to_be_near({ 1, 2, 1.6, 1.2, 0.8, 0.4, 0.4 }, 1e-12)
    expect(tostring(s)).to_be("schedule linear(lr=2, warmup=2, total=6, end_lr=0.4)")
  end)
  it("rejects bad arguments", function()
    expect(function() S.cosine { lr = 1, warmup = 5, total = 3 } end).to_error("warmup is longer")
    expect(function() S.constant(0.1)(0) end).to_error("steps start at 1")
    expect(function() S.step(1, 0) end).to_error("step_size")
    expect(function() S.linear { lr = 1 } end).to_error("total must be")
  end)
end)

describe("initialisation schemes", function()
  local init = optim.init
  local function std(t)
    local m = t:mean():item()
    return math.sqrt(((t - m) * (t - m)):mean():item())
  end
  it("normal, xavier and kaiming have the expected spread", function()
    llm.seed(9)
    local w = llm.empty(200, 300)
    expect(std(init.normal_(w, 0.02))).to_be_near(0.02, 0.0005)
    expect(std(init.xavier_normal_(w))).to_be_near(math.sqrt(2 / 500), 0.002)
    expect(std(init.xavier_uniform_(w))).to_be_near(math.sqrt(6 / 500) / math.sqrt(3), 0.002)
    expect(w:abs():max():item() <= math.sqrt(6 / 500)).to_be(true)
    expect(std(init.kaiming_normal_(w, { nonlinearity = "relu" }))).to_be_near(math.sqrt(2 / 300), 0.002)
    expect(std(init.kaiming_uniform_(w, { nonlinearity = "relu", mode = "fan_out" }))).to_be_near(math.sqrt(2 / 200), 0.003)
    local a, b = init.fans(llm.empty(4, 3, 5))
    expect({ a, b }).to_equal({ 15, 20 })
    expect(function() init.fans(llm.empty(3)) end).to_error("at least 2 dims")
  end)
  it("GPT-2 init scales the residual projections by 1/sqrt(2 n_layer)", function()
    llm.seed(2)
    local m = nn.GPT { vocab_size = 64, block_size = 8, d_model = 64, n_layer = 8, n_head = 4 }
    local b = m.blocks:get(1)
    expect(std(b.mlp.fc.weight)).to_be_near(0.02, 0.001)
    expect(std(b.mlp.proj.weight)).to_be_near(0.02 / 4, 0.0003)
    expect(std(b.attn.proj.weight)).to_be_near(0.02 / 4, 0.0005)
    expect(std(m.wte.weight)).to_be_near(0.02, 0.001)
    expect(b.attn.qkv.bias:abs():sum():item()).to_be(0)
    expect(b.norm1.weight:sum():item()).to_be(64)
  end)
end)
