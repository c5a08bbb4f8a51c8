-- The parallel paths (OpenMP above a size threshold, matrix products split
-- over threads, per-thread parameter-gradient buffers in the norms) give
-- the same results at 2 threads as at 1, on shapes big enough to take them.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect

-- Run f at 1 and 2 threads on fresh copies of the same inputs; compare the
-- output and every input gradient.
local function same_at_1_and_2(name, shapes, f, tol)
  local saved = llm.threads()
  llm.seed(5)
  local base = {}
  for i, sh in ipairs(shapes) do base[i] = llm.randn(sh) end
  local results = {}
  for _, n in ipairs({ 1, 2 }) do
    llm.threads(n)
    local xs = {}
    for i, b in ipairs(base) do xs[i] = b:clone():requires_grad() end
    local y = f(table.unpack(xs))
    llm.seed(9)
    local R = llm.randn(y:shape())
    ;(y * R):sum():backward()
    local r = { y = y:detach() }
    for i, x in ipairs(xs) do r[i] = x.grad end
    results[n] = r
  end
  llm.threads(saved)
  local d = (results[1].y - results[2].y):abs():max():item()
  if d > tol then T.fail(string.format("%s: outputs differ by %g between 1 and 2 threads", name, d)) end
  for i = 1, #shapes do
    local dg = (results[1][i] - results[2][i]):abs():max():item()
    if dg > tol then T.fail(string.format("%s: gradient %d differs by %g between 1 and 2 threads", name, i, dg)) end
  end
end

describe("1 and 2 threads agree", function()
  it("elementwise and reductions above the parallel threshold", function()
    same_at_1_and_2("elementwise", { { 600, 520 }, { 520 } },
      function(a, b) return ((a * b):tanh() + a:gelu()):sum(1) end, 1e-4)
  end)
  it("matrix products split over threads", function()
    same_at_1_and_2("matmul", { { 300, 200 }, { 200, 180 } }, function(a, b) return a:matmul(b) end, 1e-3)
    same_at_1_and_2("linear", { { 4, 100, 96 }, { 200, 96 }, { 200 } },
      function(x, w, b) return x:linear(w, b) end, 1e-3)
    -- few rows, many columns: the product splits by columns, each thread filling its part of the bias
    same_at_1_and_2("linear by columns", { { 2, 20, 256 }, { 512, 256 }, { 512 } },
      function(x, w, b) return x:linear(w, b) end, 1e-3)
    llm.threads(2)
    local x, w, b = llm.randn(2, 20, 256), llm.randn(512, 256), llm.randn(512)
    local d = (x:linear(w, b) - (x:matmul(w:t()) + b)):abs():max():item()
    llm.threads(1)
    if d > 1e-3 then T.fail("linear by columns at 2 threads differs from matmul + bias by " .. d) end
  end)
  it("norms with per-thread parameter gradients", function()
    same_at_1_and_2("layer_norm", { { 400, 160 }, { 160 }, { 160 } },
      function(x, w, b) return x:layer_norm(w, b) end, 1e-3)
    same_at_1_and_2("rms_norm", { { 400, 160 }, { 160 } }, function(x, w) return x:rms_norm(w) end, 1e-3)
  end)
  it("softmax, cross-entropy and attention", function()
    same_at_1_and_2("softmax", { { 300, 200 } }, function(x) return x:log_softmax() end, 1e-4)
    local t = llm.tensor({}, "int64")
    llm.seed(3)
    local ids = llm.zeros({ 300 }, "int64")
    for i = 1, 300 do ids[i] = llm.random(200) - 1 end
    same_at_1_and_2("cross_entropy", { { 300, 200 } }, function(x) return x:cross_entropy(ids) end, 1e-5)
    same_at_1_and_2("attention", { { 2, 4, 70, 16 }, { 2, 4, 70, 16 }, { 2, 4, 70, 16 } },
      function(q, k, v) return llm.attention(q, k, v, { causal = true }) end, 1e-4)
    expect(t:numel()).to_be(0)
  end)
end)
