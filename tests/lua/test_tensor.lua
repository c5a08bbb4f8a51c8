-- The tensor API from Lua: construction, views, broadcasting, reductions,
-- printing, autograd controls and the errors a student meets, with
-- hand-computed values.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect

local function near(t, want, tol)
  expect(t:totable()).to_be_near(want, tol or 1e-5)
end

describe("construction", function()
  it("llm.tensor reads nested tables", function()
    local a = llm.tensor { { 1, 2 }, { 3, 4 } }
    expect(a:shape()).to_equal({ 2, 2 })
    expect(a:dtype()).to_be("float32")
    expect(a:totable()).to_equal({ { 1, 2 }, { 3, 4 } })
    expect(llm.tensor(5):dim()).to_be(0)
    expect(llm.tensor(5):item()).to_be(5.0)
    local i = llm.tensor({ 1, 2, 3 }, "int64")
    expect(i:dtype()).to_be("int64")
    expect(i:totable()).to_equal({ 1, 2, 3 })
    expect(math.type(i[1])).to_be("integer")
    expect(llm.tensor({ 1, 2 }, { requires_grad = true }):needs_grad()).to_be(true)
  end)

  it("zeros/ones/full/eye/arange/linspace and _like forms", function()
    expect(llm.zeros(2, 3):totable()).to_equal({ { 0, 0, 0 }, { 0, 0, 0 } })
    expect(llm.ones({ 2 }):totable()).to_equal({ 1, 1 })
    expect(llm.full({ 2 }, 7):totable()).to_equal({ 7, 7 })
    expect(llm.eye(2, 3):totable()).to_equal({ { 1, 0, 0 }, { 0, 1, 0 } })
    expect(llm.arange(4):totable()).to_equal({ 0, 1, 2, 3 })
    expect(llm.arange(1, 2, 0.25):totable()).to_equal({ 1, 1.25, 1.5, 1.75 })
    expect(llm.arange(3, "int64"):dtype()).to_be("int64")
    expect(llm.linspace(0, 1, 5):totable()).to_equal({ 0, 0.25, 0.5, 0.75, 1 })
    local a = llm.randn(3, 2)
    expect(llm.zeros_like(a):shape()).to_equal({ 3, 2 })
    expect(llm.ones_like(a):sum():item()).to_be(6.0)
    expect(llm.full_like(a, 2):sum():item()).to_be(12.0)
    expect(llm.rand_like(a):shape()).to_equal({ 3, 2 })
    expect(llm.randn_like(a):shape()).to_equal({ 3, 2 })
    expect(llm.zeros(2, 3, "int32"):dtype()).to_be("int32")
  end)

  it("random tensors follow llm.seed", function()
    llm.seed(7)
    local a = llm.randn(4):totable()
    llm.seed(7)
    expect(llm.randn(4):totable()).to_equal(a)
    local u = llm.rand(1000)
    expect(u:min():item() >= 0 and u:max():item() < 1).to_be(true)
    local n = llm.randn(20000)
    expect(n:mean():item()).to_be_near(0, 0.05)
    expect(n:std():item()).to_be_near(1, 0.05)
    local tn = llm.zeros(5000):trunc_normal_(0, 1, -2, 2)
    expect(tn:max():item() <= 2 and tn:min():item() >= -2).to_be(true)
  end)

  it("rejects bad input with clear errors", function()
    expect(function() llm.tensor { { 1, 2 }, { 3 } } end).to_error("ragged")
    expect(function() llm.tensor { "a" } end).to_error("must be numbers")
    expect(function() llm.zeros(2, "bogus") end).to_error("unknown dtype 'bogus'")
    expect(function() llm.zeros(-1) end).to_error("sizes must be >= 0")
    expect(function() llm.zeros(1, 1, 1, 1, 1, 1, 1, 1, 1) end).to_error("at most 8 dims")
    expect(function() llm.arange(0, 1, 0) end).to_error("step must be non-zero")
    expect(function() llm.tensor({ 1 }, "int64"):requires_grad() end).to_error("only float32")
  end)
end)

describe("views", function()
  it("reshape, view, transpose and permute share storage", function()
    local a = llm.arange(6):view(2, 3)
    expect(a:totable()).to_equal({ { 0, 1, 2 }, { 3, 4, 5 } })
    local t = a:t()
    expect(t:shape()).to_equal({ 3, 2 })
    expect(t:is_contiguous()).to_be(false)
    expect(t:totable()).to_equal({ { 0, 3 }, { 1, 4 }, { 2, 5 } })
    llm.no_grad(function() t:set(100, 1, 2) end)
    expect(a:get(2, 1)).to_be(100.0)
    expect(function() t:view(6) end).to_error("cannot view a non-contiguous tensor")
    expect(t:reshape(6):totable()).to_equal({ 0, 100, 1, 4, 2, 5 })
    expect(a:reshape(-1, 2):shape()).to_equal({ 3, 2 })
    expect(function() a:reshape(4, -1) end).to_error("shape {4,-1} is invalid for a tensor of shape {2,3}")
    local p = llm.zeros(2, 3, 4):permute(3, 1, 2)
    expect(p:shape()).to_equal({ 4, 2, 3 })
    expect(p:stride()).to_equal({ 1, 12, 4 })
  end)

  it("narrow, slice, select, indexing", function()
    local a = llm.arange(12):view(3, 4)
    expect(a:narrow(2, 2, 2):totable()).to_equal({ { 1, 2 }, { 5, 6 }, { 9, 10 } })
    expect(a:slice(2, 1, -1, 2):totable()).to_equal({ { 0, 2 }, { 4, 6 }, { 8, 10 } })
    expect(a:select(1, -1):totable()).to_equal({ 8, 9, 10, 11 })
    expect(a[2]:totable()).to_equal({ 4, 5, 6, 7 })
    expect(a[{ 3, 2 }]).to_be(9.0)
    expect(a[2][3]).to_be(6.0)
    expect(#a).to_be(3)
    a[1] = 0
    expect(a[1]:totable()).to_equal({ 0, 0, 0, 0 })
    a[{ 2, 2 }] = -1
    expect(a:get(2, 2)).to_be(-1.0)
    expect(a[4]).to_be(nil)
    expect(function() return a[{ 4, 1 }] end).to_error("position 4 is out of range 1..3")
    local rows = 0
    for i, row in ipairs(a) do rows = i; expect(row:shape()).to_equal({ 4 }) end
    expect(rows).to_be(3)
    expect(function() a:narrow(1, 3, 2) end).to_error("narrow")
    expect(function() a:transpose(0, 1) end).to_error("1-based")
    expect(function() a:squeeze(3) end).to_error("squeeze: dim 3 is out of range for a tensor of shape {3,4}")
    expect(function() a:select(2, 5) end).to_error("select: position 5 is out of range for dim 2 of shape {3,4}")
    local c = llm.zeros(2)
    do local y <close> = c end
    expect(tostring(c)).to_be("tensor(closed)")
    expect(function() return c + 1 end).to_error("used after it was closed")
  end)

  it("expand, squeeze, unsqueeze, flatten, split, chunk, cat, stack", function()
    local c = llm.tensor { 1, 2 }
    expect(c:view(2, 1):expand(2, 3):totable()).to_equal({ { 1, 1, 1 }, { 2, 2, 2 } })
    expect(function() c:expand(3) end).to_error("cannot expand")
    expect(llm.zeros(2, 1, 3):squeeze():shape()).to_equal({ 2, 3 })
    expect(llm.zeros(2, 3):unsqueeze(2):shape()).to_equal({ 2, 1, 3 })
    expect(llm.zeros(2, 3):unsqueeze(-1):shape()).to_equal({ 2, 3, 1 })
    expect(llm.zeros(2, 3, 4):flatten(2):shape()).to_equal({ 2, 12 })
    local parts = llm.arange(5):split(2)
    expect(#parts).to_be(3)
    expect(parts[3]:totable()).to_equal({ 4 })
    expect(#llm.arange(6):chunk(3)).to_be(3)
    expect(llm.cat({ llm.ones(1, 2), llm.zeros(2, 2) }):totable()).to_equal({ { 1, 1 }, { 0, 0 }, { 0, 0 } })
    expect(llm.stack({ c, c }, 2):totable()).to_equal({ { 1, 1 }, { 2, 2 } })
    expect(function() llm.cat({ llm.ones(1, 2), llm.zeros(2, 3) }) end).to_error("cat: shapes {1,2} and {2,3} do not fit")
  end)
end)

describe("elementwise and reductions", function()
  it("broadcasts binary ops and numbers on either side", function()
    local a = llm.tensor { { 1, 2, 3 }, { 4, 5, 6 } }
    local b = llm.tensor { 10, 20, 30 }
    expect((a + b):totable()).to_equal({ { 11, 22, 33 }, { 14, 25, 36 } })
    expect((a - 1):totable()).to_equal({ { 0, 1, 2 }, { 3, 4, 5 } })
    expect((1 - a):totable()).to_equal({ { 0, -1, -2 }, { -3, -4, -5 } })
    expect((a * b:view(1, 3)):totable()).to_equal({ { 10, 40, 90 }, { 40, 100, 180 } })
    expect((12 / a):totable()).to_equal({ { 12, 6, 4 }, { 3, 2.4000000953674316, 2 } })
    expect((a ^ 2):totable()).to_equal({ { 1, 4, 9 }, { 16, 25, 36 } })
    expect((-a)[1]:totable()).to_equal({ -1, -2, -3 })
    expect(a:maximum(llm.tensor(3.5)):totable()).to_equal({ { 3.5, 3.5, 3.5 }, { 4, 5, 6 } })
    expect(a:gt(3):totable()).to_equal({ { 0, 0, 0 }, { 1, 1, 1 } })
    expect(a:eq(llm.tensor { 1, 5, 0 }):totable()).to_equal({ { 1, 0, 0 }, { 0, 1, 0 } })
    expect(llm.where(a:gt(3), a, 0):totable()).to_equal({ { 0, 0, 0 }, { 4, 5, 6 } })
    expect(a:masked_fill(llm.tensor { 0, 1, 0 }, -1):totable()).to_equal({ { 1, -1, 3 }, { 4, -1, 6 } })
    expect(a:clamp(2, 5):totable()).to_equal({ { 2, 2, 3 }, { 4, 5, 5 } })
    expect(function() return a + llm.ones(2) end).to_error("add: shapes {2,3} and {2} do not broadcast")
    -- int tensors are promoted to float32 for arithmetic
    expect((llm.tensor({ 1, 2 }, "int64") * 0.5):totable()).to_equal({ 0.5, 1 })
  end)

  it("unary ops give known values", function()
    local x = llm.tensor { -1, 0, 1 }
    near(x:exp(), { math.exp(-1), 1, math.exp(1) })
    near(x:abs(), { 1, 0, 1 })
    near(x:relu(), { 0, 0, 1 })
    near(x:sigmoid(), { 1 / (1 + math.exp(1)), 0.5, 1 / (1 + math.exp(-1)) })
    near(x:tanh(), { -0.7615941559557649, 0, 0.7615941559557649 })
    near(x:silu(), { -0.2689414213699951, 0, 0.7310585786300049 })
    near(x:gelu(), { -0.15865525393145707, 0, 0.8413447460685429 })
    near(x:gelu("tanh"), { -0.15880800939172324, 0, 0.8411919906082768 })
    near(llm.tensor({ 4, 9 }):sqrt(), { 2, 3 })
    near(llm.tensor({ 4, 16 }):rsqrt(), { 0.5, 0.25 })
    near(llm.tensor({ 1, math.exp(2) }):log(), { 0, 2 })
  end)

  it("reduces over any dims with keepdim", function()
    local a = llm.arange(24):view(2, 3, 4)
    expect(a:sum():item()).to_be(276.0)
    expect(a:sum(1):shape()).to_equal({ 3, 4 })
    expect(a:sum({ 1, 3 }):totable()).to_equal({ 60, 92, 124 })
    expect(a:sum({ 1, 3 }, true):shape()).to_equal({ 1, 3, 1 })
    expect(a:mean(-1):totable()).to_equal({ { 1.5, 5.5, 9.5 }, { 13.5, 17.5, 21.5 } })
    local v = llm.tensor { 1, 2, 3, 4 }
    expect(v:var():item()).to_be_near(1.6666666, 1e-6)
    expect(v:var(1, false, 0):item()).to_be_near(1.25, 1e-6)
    expect(v:std():item()).to_be_near(math.sqrt(5 / 3), 1e-6)
    local m = llm.tensor { { 3, 9, 1 }, { 7, 2, 8 } }
    local vals, idx = m:max(2)
    expect(vals:totable()).to_equal({ 9, 8 })
    expect(idx:totable()).to_equal({ 1, 2 }) -- 0-based ids
    expect(idx:dtype()).to_be("int64")
    expect(m:argmax():item()).to_be(1)
    expect(m:argmin(1):totable()).to_equal({ 0, 1, 0 })
    expect(m:min():item()).to_be(1.0)
    expect(function() m:sum(3) end).to_error("out of range")
  end)

  it("a sum over an empty dim is zeros, whatever the freed memory held", function()
    do local junk = {} for i = 1, 4 do junk[i] = llm.full({ 9000 }, 7) end end
    collectgarbage()
    local s = llm.zeros(0, 9000):sum(1)
    expect(s:shape()).to_equal({ 9000 })
    expect(s:abs():sum():item()).to_be(0.0)
    expect(llm.zeros(2, 0, 3):sum({ 1, 2 }):totable()).to_equal({ 0, 0, 0 })
  end)
end)

describe("linear algebra", function()
  it("matmul with known values, batches and 1-D operands", function()
    local a = llm.tensor { { 1, 2 }, { 3, 4 } }
    local b = llm.tensor { { 5, 6 }, { 7, 8 } }
    expect(a:matmul(b):totable()).to_equal({ { 19, 22 }, { 43, 50 } })
    expect(a:t():matmul(b):totable()).to_equal({ { 26, 30 }, { 38, 44 } })
    expect(a:matmul(b:t()):totable()).to_equal({ { 17, 23 }, { 39, 53 } })
    expect(a:matmul(llm.tensor { 1, 1 }):totable()).to_equal({ 3, 7 })
    expect(llm.tensor({ 1, 1 }):matmul(a):totable()).to_equal({ 4, 6 })
    local x = llm.stack({ a, b })
    expect(x:matmul(a):totable()).to_equal({ { { 7, 10 }, { 15, 22 } }, { { 23, 34 }, { 31, 46 } } })
    expect(x:matmul(x):shape()).to_equal({ 2, 2, 2 })
    expect(llm.linear(a, b, llm.tensor { 1, -1 }):totable()).to_equal({ { 18, 22 }, { 40, 52 } })
  end)

  it("names the op and the shapes when they do not fit", function()
    expect(function() llm.zeros(4, 8):matmul(llm.zeros(7, 8)) end).to_error("matmul: shapes {4,8} and {7,8} do not fit")
    expect(function() llm.zeros(2, 4, 8):matmul(llm.zeros(3, 8, 2)) end).to_error("matmul: shapes {2,4,8} and {3,8,2} do not fit")
    expect(function() llm.linear(llm.zeros(2, 3), llm.zeros(4, 5)) end).to_error("linear: input {2,3}, weight {4,5}")
  end)
end)

describe("indexing ops and in-place updates", function()
  it("index_select, gather, scatter_add, one_hot, embedding give known values", function()
    local a = llm.arange(12):view(3, 4)
    local idx = llm.tensor({ 2, 0 }, "int64")
    expect(a:index_select(1, idx):totable()).to_equal({ { 8, 9, 10, 11 }, { 0, 1, 2, 3 } })
    expect(a:index_select(2, idx):totable()).to_equal({ { 2, 0 }, { 6, 4 }, { 10, 8 } })
    local g = llm.tensor({ { 3 }, { 0 }, { 1 } }, "int64")
    expect(a:gather(2, g):totable()).to_equal({ { 3 }, { 4 }, { 9 } })
    local z = llm.zeros(2, 3):scatter_add(2, llm.tensor({ { 0, 0 }, { 2, 1 } }, "int64"), llm.ones(2, 2))
    expect(z:totable()).to_equal({ { 2, 0, 0 }, { 0, 1, 1 } })
    expect(llm.one_hot(llm.tensor({ 1, 0 }, "int64"), 3):totable()).to_equal({ { 0, 1, 0 }, { 1, 0, 0 } })
    local w = llm.tensor { { 1, 2 }, { 3, 4 }, { 5, 6 } }
    expect(llm.embedding(llm.tensor({ { 2, 0 } }, "int64"), w):totable()).to_equal({ { { 5, 6 }, { 1, 2 } } })
    expect(llm.tensor({ 1.7, -1.7 }):long():totable()).to_equal({ 1, -1 })
  end)

  it("fill_, zero_, copy_, add_, mul_ change the tensor and return it", function()
    local t = llm.zeros(2, 2)
    expect(t:fill_(3)).to_be(t)
    expect(t:totable()).to_equal({ { 3, 3 }, { 3, 3 } })
    t:add_(llm.tensor { 1, 2 }, 2)
    expect(t:totable()).to_equal({ { 5, 7 }, { 5, 7 } })
    t:mul_(0.5)
    expect(t:totable()).to_equal({ { 2.5, 3.5 }, { 2.5, 3.5 } })
    t:mul_(llm.tensor { 2, 0 })
    expect(t:totable()).to_equal({ { 5, 0 }, { 5, 0 } })
    t:t():copy_(llm.tensor { { 1, 2 }, { 3, 4 } })
    expect(t:totable()).to_equal({ { 1, 3 }, { 2, 4 } })
    t:zero_()
    expect(t:sum():item()).to_be(0.0)
    expect(function() t:copy_(llm.zeros(3)) end).to_error("copy_: shape {3} does not broadcast to {2,2}")
    llm.seed(11)
    local u = llm.zeros(10000):uniform_(-2, 2)
    expect(u:min():item() >= -2 and u:max():item() < 2).to_be(true)
    expect(u:mean():item()).to_be_near(0, 0.05)
    local n = llm.zeros(10000):normal_(3, 0.5)
    expect(n:mean():item()).to_be_near(3, 0.03)
    expect(n:std():item()).to_be_near(0.5, 0.03)
  end)

  it("adamw_step matches the update written out by hand", function()
    local p = llm.tensor { 1.0, -2.0 }
    local g = llm.tensor { 0.5, 0.25 }
    local m, v = llm.zeros(2), llm.zeros(2)
    local lr, b1, b2, eps, wd = 0.1, 0.9, 0.99, 1e-8, 0.01
    llm.adamw_step(p, g, m, v, { lr = lr, beta1 = b1, beta2 = b2, eps = eps, weight_decay = wd, step = 1 })
    local want = {}
    for i, x in ipairs({ 1.0, -2.0 }) do
      local gi = ({ 0.5, 0.25 })[i]
      local mi, vi = (1 - b1) * gi, (1 - b2) * gi * gi
      local mh, vh = mi / (1 - b1), vi / (1 - b2)
      want[i] = x * (1 - lr * wd) - lr * mh / (math.sqrt(vh) + eps)
    end
    expect(p:totable()).to_be_near(want, 1e-6)
    expect(m:totable()).to_be_near({ 0.05, 0.025 }, 1e-7)
    expect(function() llm.adamw_step(p, llm.zeros(3), m, v, { step = 1 }) end).to_error("adamw: shape {3}")
  end)
end)

describe("printing", function()
  it("pretty-prints like PyTorch with shape and dtype", function()
    expect(tostring(llm.tensor { { 1, 2 }, { 3, 4 } })).to_be(
      "tensor([[1., 2.],\n        [3., 4.]], shape={2,2}, dtype=float32)")
    expect(tostring(llm.tensor { 0.5, -1.25 })).to_be("tensor([ 0.5000, -1.2500], shape={2}, dtype=float32)")
    expect(tostring(llm.tensor({ 1, 20 }, "int64"))).to_be("tensor([ 1, 20], shape={2}, dtype=int64)")
    expect(tostring(llm.tensor(3))).to_be("tensor(3., shape={}, dtype=float32)")
    local s = tostring(llm.arange(5000))
    expect(s).to_match("%.%.%.")
    expect(#s < 200).to_be(true)
    local w = llm.ones(2):requires_grad()
    expect(tostring(w)).to_match("requires_grad=true")
    expect(tostring(w * 2)).to_match("grad_fn=<mul_scalar>")
  end)
end)

describe("autograd", function()
  it("accumulates gradients into leaves and zero_grad clears them", function()
    local x = llm.tensor({ 1, 2, 3 }):requires_grad()
    local y = (x * x):sum()
    y:backward()
    expect(x.grad:totable()).to_equal({ 2, 4, 6 })
    ;(x * 3):sum():backward()
    expect(x.grad:totable()).to_equal({ 5, 7, 9 })
    x:zero_grad()
    expect(x.grad).to_be(nil)
    expect(x:is_leaf()).to_be(true)
    expect(y:is_leaf()).to_be(false)
    expect(y:grad_fn()).to_be("sum")
  end)

  it("backward from a non-scalar needs a gradient", function()
    local x = llm.ones(2, 2):requires_grad()
    local y = x * 2
    expect(function() y:backward() end).to_error("backward: tensor of shape {2,2} is not a scalar")
    y:backward(llm.ones(2, 2))
    expect(x.grad:totable()).to_equal({ { 2, 2 }, { 2, 2 } })
    expect(function() y:backward(llm.ones(3)) end).to_error("gradient of shape {3} for a tensor of shape {2,2}")
  end)

  it("refuses a second backward through a freed graph, unless retained", function()
    local x = llm.ones(3):requires_grad()
    local y = (x:exp()):sum()
    y:backward()
    expect(function() y:backward() end).to_error("already freed")
    x:zero_grad()
    local z = (x * x):sum()
    z:backward(nil, true)
    z:backward()
    expect(x.grad:totable()).to_equal({ 4, 4, 4 })
  end)

  it("catches in-place changes to tensors the graph saved", function()
    local x = llm.ones(3):requires_grad()
    local h = x * 2
    local y = (h * h):sum()
    llm.no_grad(function() h:add_(1) end)
    expect(function() y:backward() end).to_error("was modified in place")
    expect(function() x:add_(1) end).to_error("in-place change of a tensor that requires grad")
    llm.no_grad(function() x:add_(1) end)
    expect(x:totable()).to_equal({ 2, 2, 2 })
  end)

  it("no_grad, detach and requires_grad(false)", function()
    local x = llm.ones(2):requires_grad()
    local y = llm.no_grad(function() return x * 2 end)
    expect(y:needs_grad()).to_be(false)
    expect(llm.grad_enabled()).to_be(true)
    expect(function() llm.no_grad(function() error("inner") end) end).to_error("inner")
    expect(llm.grad_enabled()).to_be(true)
    expect(x:detach():needs_grad()).to_be(false)
    expect(function() (x * 1):sum():detach():backward() end).to_error("does not require grad")
    x:requires_grad(false)
    expect(x:needs_grad()).to_be(false)
  end)

  it("a shared subexpression gets the sum of its gradients", function()
    local x = llm.tensor({ 2 }):requires_grad()
    local h = x * 3
    local y = (h * h + h):sum() -- 9x^2 + 3x -> 18x + 3 = 39
    y:backward()
    expect(x.grad:item()).to_be_near(39, 1e-5)
  end)

  it("gradients of several selects and slices of one tensor add up in its buffer", function()
    local x = llm.tensor({ { 1, 2, 3 }, { 4, 5, 6 } }):requires_grad()
    local h = x * 2 -- a node: the views' gradients are added into one buffer of h's shape
    local y = (h:select(2, 1) * 3):sum() + (h:select(2, 3) * 5):sum() + (h:narrow(1, 2, 1) * 7):sum()
      + (h:slice(2, 1, -1, 2) * 11):sum()
    y:backward()
    -- dh = {{3 + 11, 0, 5 + 11}, {3 + 7 + 11, 7, 5 + 7 + 11}}, dx = 2 dh
    expect(x.grad:totable()).to_equal({ { 28, 0, 32 }, { 42, 14, 46 } })
  end)

  it("a view's gradient meeting a shared or strided gradient buffer makes a new sum", function()
    for _, first in ipairs({ true, false }) do
      local x = llm.tensor({ 1, 2, 3 }):requires_grad()
      local h = x * 2
      local s, v = h:sum() * 10, h:select(1, 2) * 4 -- sum's gradient reaches h as an expanded view
      local y = first and s + v or v + s
      y:backward()
      expect(x.grad:totable()).to_equal({ 20, 28, 20 })
    end
    -- h's own values (saved by the product) stay intact while its gradient accumulates
    local x = llm.tensor({ 1, 2, 3 }):requires_grad()
    local h = x * 2
    local y = (h:select(1, 1) * h):sum() + (h:select(1, 3) * 5):sum()
    y:backward()
    -- y = h1 (h1 + h2 + h3) + 5 h3: dh = {2 h1 + h2 + h3, h1, h1 + 5} = {14, 2, 7}
    expect(x.grad:totable()).to_equal({ 28, 4, 14 })
    expect(h:totable()).to_equal({ 2, 4, 6 })
  end)

  it("backward writes unary and norm gradients over a gradient only it holds, never over the caller's", function()
    llm.seed(7)
    local x0 = llm.randn(3, 8)
    local w0, b0 = llm.randn(8), llm.randn(8)
    local G = llm.randn(3, 8)
    local G_copy = G:clone()
    local ops = {
      gelu = function(x) return x:gelu("tanh") end,
      gelu_erf = function(x) return x:gelu() end,
      tanh = function(x) return x:tanh() end,
      exp = function(x) return x:exp() end,
      layer_norm = function(x, w, b) return x:layer_norm(w, b, 1e-5) end,
      rms_norm = function(x, w) return x:rms_norm(w, 1e-6) end,
    }
    for name, f in pairs(ops) do
      local function grads(with_product)
        local x, w, b = x0:clone():requires_grad(), w0:clone():requires_grad(), b0:clone():requires_grad()
        local y = f(x * 1, w, b)
        if with_product then (y * G):sum():backward() -- the product's gradient is fresh: written in place
        else y:backward(G) end                         -- the caller's G: left alone, a new result
        return x.grad, w.grad
      end
      local gx1, gw1 = grads(true)
      local gx2, gw2 = grads(false)
      local d = (gx1 - gx2):abs():max():item()
      if d > 1e-6 then T.fail(name .. ": in-place and fresh gradients differ by " .. d) end
      if gw1 then expect((gw1 - gw2):abs():max():item() < 1e-5).to_be(true) end
      expect((G - G_copy):abs():max():item()).to_be(0)
    end
  end)

  it("a norm on a residual stream adds its input gradient into the stream's buffer", function()
    llm.seed(11)
    local x0, w0, b0, R = llm.randn(4, 6), llm.randn(6), llm.randn(6), llm.randn(4, 6)
    for _, kind in ipairs({ "layer", "rms" }) do
      local function norm(h, w, b)
        if kind == "layer" then return h:layer_norm(w, b, 1e-5) end
        return h:rms_norm(w, 1e-6)
      end
      -- y = h + 3 norm(h): h's gradient from the sum is in place when the norm's arrives
      local function grads(shared)
        local x, w, b = x0:clone():requires_grad(), w0:clone():requires_grad(), b0:clone():requires_grad()
        local h = x * 1
        local h2 = shared and h or x * 1 -- a second node: the norm's gradient takes the ordinary path
        local y = h + norm(h2, w, b) * 3
        ;(y * R):sum():backward()
        return x.grad, w.grad, b.grad
      end
      local ax, aw, ab = grads(true)
      local bx, bw, bb = grads(false)
      expect((ax - bx):abs():max():item() < 1e-6).to_be(true)
      expect((aw - bw):abs():max():item() < 1e-6).to_be(true)
      if kind == "layer" then expect((ab - bb):abs():max():item() < 1e-6).to_be(true) end
    end
  end)

  it("memory stays flat over a loop of steps", function()
    local w = llm.randn(256, 256):requires_grad()
    local x = llm.randn(64, 256)
    local function step()
      local loss = x:matmul(w):tanh():sum()
      loss:backward()
      w:zero_grad()
    end
    for _ = 1, 5 do step() end
    collectgarbage()
    local base = llm.tensor_memory()
    for _ = 1, 200 do step() end
    collectgarbage()
    local after = llm.tensor_memory()
    expect(after <= base + 1024).to_be(true)
    local live, total, cached = llm.tensor_memory(true)
    expect(total > 200 * 64 * 256 * 4).to_be(true) -- every step allocated its activations
    expect(cached).to_be(0)
    expect(live <= base).to_be(true)
  end)
end)
