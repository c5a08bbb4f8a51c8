-- Recurrent layers: outputs, final states and gradients of nn.RNN, nn.LSTM
-- and nn.GRU equal PyTorch's (fixtures from tests/fixtures/gen_rnn_fixtures.py,
-- same weights), for the fused kernels and for the Lua composition; the two
-- agree with each other; the fused op passes finite differences; lengths,
-- truncated BPTT, cells, errors and save/load.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect
local nn = llm.nn

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local fixtures = dofile(here .. "/fixtures/rnn_torch.lua")

local function det(shape, phase, scale)
  local n = 1
  for _, s in ipairs(shape) do n = n * s end
  local flat = {}
  for i = 0, n - 1 do flat[i + 1] = math.sin(0.37 * i + phase) * (scale or 1) end
  return llm.tensor(flat):reshape(shape)
end

local function flat(t)
  local out = {}
  local function walk(v)
    if type(v) == "table" then for _, x in ipairs(v) do walk(x) end else out[#out + 1] = v end
  end
  walk(t:totable())
  return out
end

local function close(t, want, tol, what)
  local got = flat(t)
  if #got ~= #want then T.fail(string.format("%s: %d values, want %d", what, #got, #want)) end
  for i = 1, #want do
    local d = math.abs(got[i] - want[i])
    if d > tol * (1 + math.abs(want[i])) then
      T.fail(string.format("%s[%d] = %.7g, want %.7g", what, i, got[i], want[i]))
    end
  end
end

local CLS = { rnn = nn.RNN, lstm = nn.LSTM, gru = nn.GRU }

-- Build the fixture's module with its weights and run its loss; returns the
-- module, x, h0, c0, out, state.
local function run_case(c, impl)
  local m = CLS[c.mode](c.I, c.H, {
    num_layers = c.num_layers, bidirectional = c.bidirectional, batch_first = c.batch_first,
    bias = c.bias, impl = impl, nonlinearity = c.mode == "rnn" and c.nonlinearity or nil })
  local names = {}
  for _, p in ipairs(m:named_parameters()) do names[#names + 1] = p[1] end
  expect(table.concat(names, ",")).to_equal(table.concat(c.param_names, ","))
  llm.no_grad(function()
    for k, p in ipairs(m:named_parameters()) do p[2]:copy_(det(p[2]:shape(), 0.1 * (k - 1) + 0.2, 0.4)) end
  end)
  local xshape = c.batch_first and { c.B, c.T, c.I } or { c.T, c.B, c.I }
  local x = det(xshape, 0.0, 1.0):requires_grad()
  local LD = c.num_layers * (c.bidirectional and 2 or 1)
  local h0, c0, state
  if c.with_state then
    h0 = det({ LD, c.B, c.H }, 0.5, 0.5):requires_grad()
    if c.mode == "lstm" then
      c0 = det({ LD, c.B, c.H }, 0.9, 0.5):requires_grad()
      state = { h0, c0 }
    else
      state = h0
    end
  end
  local out, st = m(x, state, c.lengths and { lengths = c.lengths } or nil)
  local hn = c.mode == "lstm" and st[1] or st
  local loss = (out * det(out:shape(), 0.3)):sum() + (hn * det(hn:shape(), 0.7)):sum()
  if c.mode == "lstm" then loss = loss + (st[2] * det(st[2]:shape(), 1.1)):sum() end
  loss:backward()
  return m, x, h0, c0, out, st, loss
end

local function check_case(c, impl)
  local m, x, h0, c0, out, st, loss = run_case(c, impl)
  local tol = 2e-5
  close(out, c.output, tol, c.name .. " output")
  close(c.mode == "lstm" and st[1] or st, c.h_n, tol, c.name .. " h_n")
  if c.mode == "lstm" then close(st[2], c.c_n, tol, c.name .. " c_n") end
  expect(loss:item()).to_be_near(c.loss, 1e-4 * (1 + math.abs(c.loss)))
  close(x.grad, c.grad_x, 1e-4, c.name .. " grad x")
  if h0 then close(h0.grad, c.grad_h0, 1e-4, c.name .. " grad h0") end
  if c0 then close(c0.grad, c.grad_c0, 1e-4, c.name .. " grad c0") end
  for _, p in ipairs(m:named_parameters()) do
    close(p[2].grad, c.grads[p[1]], 1e-4, c.name .. " grad " .. p[1])
  end
end

describe("recurrent layers against PyTorch", function()
  for _, c in ipairs(fixtures) do
    it(c.name .. " (fused kernel)", function() check_case(c, "fused") end)
    it(c.name .. " (Lua composition)", function() check_case(c, "lua") end)
  end
end)

describe("fused kernel and composition agree", function()
  it("LSTM on random data, with lengths, to 1e-5", function()
    llm.seed(7)
    local a = nn.LSTM(5, 7, { num_layers = 2, bidirectional = true })
    local b = nn.LSTM(5, 7, { num_layers = 2, bidirectional = true, impl = "lua" })
    b:load_state_dict(a:state_dict())
    local x = llm.randn(6, 3, 5)
    local xa, xb = x:clone():requires_grad(), x:clone():requires_grad()
    local oa, sa = a(xa, nil, { lengths = { 6, 3, 1 } })
    local ob, sb = b(xb, nil, { lengths = { 6, 3, 1 } })
    close(oa, flat(ob), 1e-5, "output")
    close(sa[2], flat(sb[2]), 1e-5, "c_n")
    local w = llm.randn(6, 3, 14)
    ;((oa * w):sum() + sa[1]:sum()):backward()
    ;((ob * w):sum() + sb[1]:sum()):backward()
    close(xa.grad, flat(xb.grad), 1e-5, "grad x")
    close(a.weight_hh_l1_reverse.grad, flat(b.weight_hh_l1_reverse.grad), 1e-5, "grad w_hh_l1_reverse")
  end)
  it("the output rows past a sequence's end are zero", function()
    llm.seed(3)
    local g = nn.GRU(2, 3)
    local out = g(llm.randn(4, 2, 2), nil, { lengths = { 4, 2 } })
    for t = 3, 4 do
      for j = 1, 3 do expect(out:get(t, 2, j)).to_equal(0) end
    end
    expect(math.abs(out:get(4, 1, 1)) > 0).to_equal(true)
  end)
end)

describe("llm.recurrent (the fused op)", function()
  local function fd_check(mode, with_c)
    llm.seed(11)
    local G = ({ rnn_tanh = 1, rnn_relu = 1, lstm = 4, gru = 3 })[mode]
    local Tn, B, I, H = 3, 2, 3, 2
    local x = (llm.randn(Tn, B, I) * 0.8):requires_grad()
    local wi = (llm.randn(G * H, I) * 0.5):requires_grad()
    local wh = (llm.randn(G * H, H) * 0.5):requires_grad()
    local bi = (llm.randn(G * H) * 0.3):requires_grad()
    local bh = (llm.randn(G * H) * 0.3):requires_grad()
    local h0 = (llm.randn(B, H) * 0.5):requires_grad()
    local c0 = with_c and (llm.randn(B, H) * 0.5):requires_grad() or nil
    local outw = llm.randn(mode == "lstm" and 2 or 1, Tn, B, H)
    local function loss()
      local z = llm.recurrent(mode, x, wi, wh, { b_ih = bi, b_hh = bh, h0 = h0, c0 = c0, lengths = { 3, 2 } })
      return (z:reshape(outw:shape()) * outw):sum()
    end
    loss():backward()
    for _, p in ipairs({ x, wi, wh, bi, bh, h0, c0 }) do
      local g = flat(p.grad)
      local n = p:numel()
      local pv = p:reshape(n)
      for i = 1, n, 2 do
        local v = pv:get(i)
        local lp, lm
        llm.no_grad(function()
          pv:set(v + 1e-2, i); lp = loss():item()
          pv:set(v - 1e-2, i); lm = loss():item()
          pv:set(v, i)
        end)
        local num = (lp - lm) / 2e-2
        if math.abs(num - g[i]) > 2e-2 * (1 + math.abs(num)) then
          T.fail(string.format("%s: d/dp[%d] analytic %.5g, numeric %.5g", mode, i, g[i], num))
        end
      end
    end
  end
  it("lstm gradients match finite differences", function() fd_check("lstm", true) end)
  it("gru gradients match finite differences", function() fd_check("gru") end)
  it("rnn_tanh gradients match finite differences", function() fd_check("rnn_tanh") end)
  it("shows up on the tape as lstm", function()
    local w = llm.zeros(8, 3):requires_grad()
    local z = llm.recurrent("lstm", llm.zeros(2, 1, 3), w, llm.zeros(8, 2))
    expect(z:grad_fn()).to_equal("lstm")
    expect(table.concat(z:shape(), ",")).to_equal("2,2,1,2")
  end)
  it("rejects bad shapes and lengths with clear errors", function()
    local w, u = llm.zeros(8, 3), llm.zeros(8, 2)
    expect(function() llm.recurrent("lstm", llm.zeros(2, 3), w, u) end).to_error("time first")
    expect(function() llm.recurrent("lstm", llm.zeros(2, 1, 4), w, u) end).to_error("weight_ih")
    expect(function() llm.recurrent("lstm", llm.zeros(2, 1, 3), w, llm.zeros(8, 3)) end).to_error("weight_hh")
    expect(function() llm.recurrent("lstm", llm.zeros(2, 1, 3), w, u, { lengths = { 3 } }) end).to_error("outside 1..2")
    expect(function() llm.recurrent("gru", llm.zeros(2, 1, 3), llm.zeros(6, 3), llm.zeros(6, 2),
      { c0 = llm.zeros(1, 2) }) end).to_error("only for the LSTM")
    expect(function() llm.recurrent("lstn", llm.zeros(2, 1, 3), w, u) end).to_error("invalid option")
    expect(function() nn.LSTM(3, 2)(llm.zeros(2, 3)) end).to_error("3%-D")
    expect(function() nn.LSTM(3, 2)(llm.zeros(2, 1, 3), llm.zeros(1, 1, 2)) end).to_error("{h, c}")
  end)
end)

describe("training with recurrent layers", function()
  it("truncated BPTT: a detached carried state stops gradients at the chunk boundary", function()
    llm.seed(5)
    local m = nn.LSTM(3, 4)
    local x = llm.randn(8, 2, 3)
    local _, st = m(x:narrow(1, 1, 4))
    st = nn.detach_state(st)
    expect(st[1]:needs_grad()).to_equal(false)
    local x2 = x:narrow(1, 5, 4):clone():requires_grad()
    local out = m(x2, st)
    out:sum():backward()
    expect(m.weight_ih_l0.grad ~= nil).to_equal(true)
    -- the same chunk with the state as a leaf: its gradient is nonzero, so
    -- detaching really cut a path
    local h = st[1]:clone():requires_grad()
    local out2 = m(x2:detach(), { h, st[2] })
    out2:sum():backward()
    expect(h.grad:abs():sum():item() > 0).to_equal(true)
  end)
  it("save and load round-trip through safetensors", function()
    llm.seed(9)
    local m = nn.GRU(3, 4, { num_layers = 2, bidirectional = true })
    local path = os.tmpname()
    m:save(path)
    local m2 = nn.GRU(3, 4, { num_layers = 2, bidirectional = true })
    m2:load(path)
    os.remove(path)
    local x = llm.randn(5, 2, 3)
    close(m2(x), flat(m(x)), 0, "reloaded output")
  end)
  it("cells equal one step of the sequence module", function()
    llm.seed(2)
    local seq = nn.LSTM(3, 4)
    local cell = nn.LSTMCell(3, 4)
    llm.no_grad(function()
      cell.weight_ih:copy_(seq.weight_ih_l0); cell.weight_hh:copy_(seq.weight_hh_l0)
      cell.bias_ih:copy_(seq.bias_ih_l0); cell.bias_hh:copy_(seq.bias_hh_l0)
    end)
    local x = llm.randn(1, 2, 3)
    local out = seq(x)
    local st = cell(x:select(1, 1))
    close(st[1], flat(out:select(1, 1)), 1e-6, "cell h")
    local g = nn.GRUCell(3, 4)
    expect(table.concat(g(llm.randn(2, 3)):shape(), ",")).to_equal("2,4")
    expect(table.concat(nn.RNNCell(3, 4)(llm.randn(2, 3)):shape(), ",")).to_equal("2,4")
  end)
end)
