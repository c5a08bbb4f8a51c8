-- Finite-difference gradient check of every differentiable tensor op.
--
-- One harness, one table: each entry names an op, the shapes of its inputs
-- (a function of a random size generator, so shapes vary), and f(inputs...)
-- returning the op's output. The harness runs each entry on contiguous
-- inputs and again on non-contiguous ones (a transposed base), contracts the
-- output with a fixed random tensor to get a scalar, and compares autograd's
-- gradient with central differences. Adding an op = adding one entry.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect

local EPS, ATOL, RTOL = 1e-2, 1e-2, 2e-2

-- A leaf input of the given shape; non-contiguous when asked and possible.
local function make_input(shape, noncontig, init)
  local t
  if noncontig and #shape >= 2 then
    local rev, perm = {}, {}
    for i = #shape, 1, -1 do rev[#rev + 1] = shape[i]; perm[#perm + 1] = i end
    t = llm.randn(rev):permute(perm)

  else
    t = llm.randn(shape)
  end
  if init then llm.no_grad(function() init(t) end) end
  return t:requires_grad()
end

-- Visit every multi-index of a shape.
local function each_index(shape, fn)
  local n = 1
  for _, s in ipairs(shape) do n = n * s end
  local idx = {}
  for i = 1, #shape do idx[i] = 1 end
  for _ = 1, n do
    fn(idx)
    for d = #shape, 1, -1 do
      idx[d] = idx[d] + 1
      if idx[d] <= shape[d] then break end
      idx[d] = 1
    end
  end
end

local function check_entry(e, noncontig)
  llm.seed(1234)
  local shapes = e.shapes(function(lo, hi) return lo + llm.random(hi - lo + 1) - 1 end)
  local inputs = {}
  for i, sh in ipairs(shapes) do
    inputs[i] = make_input(sh, noncontig and not (e.contig_only or {})[i], e.init)
  end
  local extra = e.extra and e.extra(shapes) or {}
  local function run()
    local args = {}
    for i, x in ipairs(inputs) do args[i] = x end
    for _, x in ipairs(extra) do args[#args + 1] = x end
    return e.f(table.unpack(args))
  end
  local out = run()
  if out:grad_fn() then e.seen = e.seen or {}; e.seen[out:grad_fn()] = true end
  local R = llm.randn(out:shape())
  local function loss_of(o) return (o * R):sum() end
  loss_of(out):backward()
  for i, x in ipairs(inputs) do
    local g = x.grad
    if e.no_grad_for and e.no_grad_for[i] then goto continue end
    if not g then T.fail(e.name .. ": input " .. i .. " got no gradient") end
    each_index(x:shape(), function(idx)
      local orig = x:get(table.unpack(idx))
      local lp, lm
      llm.no_grad(function()
        x:set(orig + EPS, table.unpack(idx))
        lp = loss_of(run()):item()
        x:set(orig - EPS, table.unpack(idx))
        lm = loss_of(run()):item()
        x:set(orig, table.unpack(idx))
      end)
      local num = (lp - lm) / (2 * EPS)
      local ana = g:get(table.unpack(idx))
      if math.abs(num - ana) > ATOL + RTOL * math.abs(num) then
        T.fail(string.format("%s%s: d/dinput%d at {%s}: autograd %.6f, finite difference %.6f",
          e.name, noncontig and " (non-contiguous)" or "", i, table.concat(idx, ","), ana, num))
      end
    end)
    ::continue::
  end
end

-- Keep values away from kinks (relu/abs at 0, clamp bounds) by at least d.
local function away_from(points, d)
  return function(t)
    each_index(t:shape(), function(idx)
      local v = t:get(table.unpack(idx))
      for _, p in ipairs(points) do
        if math.abs(v - p) < d then v = p + (v >= p and d or -d) end
      end
      t:set(v, table.unpack(idx))
    end)
  end
end

local function positive(t)
  each_index(t:shape(), function(idx) t:set(math.abs(t:get(table.unpack(idx))) + 0.5, table.unpack(idx)) end)
end

local ids = function(shape, n) -- int64 ids in 0..n-1
  local t = llm.zeros(shape, "int64")
  each_index(shape, function(idx) t:set(llm.random(n) - 1, table.unpack(idx)) end)
  return t
end

local S = function(...) local s = { ... }; return function() return s end end

local entries = {
  -- views
  { name = "reshape", shapes = function(r) return { { r(2, 3), 4 } } end, f = function(a) return a:reshape(-1, 2) end },
  { name = "view", shapes = S({ 2, 3, 2 }), contig_only = { true }, f = function(a) return a:view(6, 2) end },
  { name = "permute", shapes = S({ 2, 3, 4 }), f = function(a) return a:permute(3, 1, 2) end },
  { name = "transpose", shapes = S({ 3, 4 }), f = function(a) return a:transpose(1, 2) * 1 end },
  { name = "narrow", shapes = S({ 5, 3 }), f = function(a) return a:narrow(1, 2, 3) end },
  { name = "slice step", shapes = S({ 6, 3 }), f = function(a) return a:slice(1, 1, -1, 2) end },
  { name = "select", shapes = S({ 3, 4 }), f = function(a) return a:select(2, 3) end },
  { name = "index t[i]", shapes = S({ 3, 4 }), f = function(a) return a[2] end },
  { name = "expand", shapes = S({ 3, 1 }), f = function(a) return a:expand(2, 3, 4) end },
  { name = "squeeze/unsqueeze", shapes = S({ 3, 1, 2 }), f = function(a) return a:squeeze(2):unsqueeze(1) end },
  { name = "flatten", shapes = S({ 2, 3, 2 }), f = function(a) return a:flatten(2) end },
  { name = "contiguous", shapes = S({ 3, 4 }), f = function(a) return a:t():contiguous() end },
  { name = "clone", shapes = S({ 3, 4 }), f = function(a) return a:clone() end },
  { name = "split", shapes = S({ 5, 2 }), f = function(a) local p = a:split(2); return p[1] * 2 + p[2] end },
  { name = "chunk", shapes = S({ 4, 2 }), f = function(a) local p = a:chunk(2, 1); return p[1] * p[2] end },
  -- binary with broadcasting
  { name = "add", shapes = function(r) local n = r(2, 4); return { { 3, 1, n }, { 2, n } } end, f = function(a, b) return a + b end },
  { name = "sub", shapes = S({ 2, 3 }, { 3 }), f = function(a, b) return a - b end },
  { name = "mul", shapes = S({ 2, 1, 3 }, { 4, 1 }), f = function(a, b) return a * b end },
  { name = "div", shapes = S({ 2, 3 }, { 2, 1 }), init = positive, f = function(a, b) return a / b end },
  { name = "pow", shapes = S({ 2, 3 }, { 3 }), init = positive, f = function(a, b) return a:pow(b) end },
  { name = "maximum", shapes = S({ 2, 3 }, { 2, 3 }), f = function(a, b) return a:maximum(b) end },
  { name = "minimum", shapes = S({ 2, 3 }, { 3 }), f = function(a, b) return a:minimum(b) end },
  { name = "where", shapes = S({ 2, 3 }, { 3 }),
    extra = function() return { llm.tensor { { 1, 0, 1 }, { 0, 0, 1 } } } end,
    f = function(a, b, c) return llm.where(c, a, b) end },
  -- with a scalar
  { name = "add scalar", shapes = S({ 3, 2 }), f = function(a) return a + 2 end },
  { name = "rsub scalar", shapes = S({ 3, 2 }), f = function(a) return 2 - a end },
  { name = "mul scalar", shapes = S({ 3, 2 }), f = function(a) return 3 * a end },
  { name = "div scalar", shapes = S({ 3, 2 }), f = function(a) return a / 4 end },
  { name = "rdiv scalar", shapes = S({ 3, 2 }), init = positive, f = function(a) return 2 / a end },
  { name = "pow scalar", shapes = S({ 3, 2 }), init = positive, f = function(a) return a ^ 3 end },
  { name = "masked_fill", shapes = S({ 2, 3 }),
    extra = function() return { llm.tensor { 1, 0, 1 } } end,
    f = function(a, m) return a:masked_fill(m, -5) end },
  { name = "clamp", shapes = S({ 3, 4 }), init = away_from({ -0.5, 0.5 }, 0.05), f = function(a) return a:clamp(-0.5, 0.5) end },
  -- unary
  { name = "neg", shapes = S({ 2, 3 }), f = function(a) return -a end },
  { name = "abs", shapes = S({ 2, 3 }), init = away_from({ 0 }, 0.05), f = function(a) return a:abs() end },
  { name = "exp", shapes = S({ 2, 3 }), f = function(a) return a:exp() end },
  { name = "log", shapes = S({ 2, 3 }), init = positive, f = function(a) return a:log() end },
  { name = "sqrt", shapes = S({ 2, 3 }), init = positive, f = function(a) return a:sqrt() end },
  { name = "rsqrt", shapes = S({ 2, 3 }), init = positive, f = function(a) return a:rsqrt() end },
  { name = "tanh", shapes = S({ 2, 3 }), f = function(a) return a:tanh() end },
  { name = "sigmoid", shapes = S({ 2, 3 }), f = function(a) return a:sigmoid() end },
  { name = "relu", shapes = S({ 2, 3 }), init = away_from({ 0 }, 0.05), f = function(a) return a:relu() end },
  { name = "gelu erf", shapes = S({ 2, 3 }), f = function(a) return a:gelu() end },
  { name = "gelu tanh", shapes = S({ 2, 3 }), f = function(a) return a:gelu("tanh") end },
  { name = "silu", shapes = S({ 2, 3 }), f = function(a) return a:silu() end },
  -- reductions
  { name = "sum all", shapes = S({ 2, 3 }), f = function(a) return a:sum() end },
  { name = "sum dims keepdim", shapes = S({ 2, 3, 4 }), f = function(a) return a:sum({ 1, 3 }, true) end },
  { name = "sum leading", shapes = S({ 4, 3 }), f = function(a) return a:sum(1) end },
  { name = "mean", shapes = S({ 2, 3, 4 }), f = function(a) return a:mean(-1) end },
  { name = "var", shapes = S({ 3, 4 }), f = function(a) return a:var(2) end },
  { name = "std", shapes = S({ 3, 4 }), f = function(a) return a:std(1, true) end },
  { name = "max all", shapes = S({ 3, 4 }), f = function(a) return a:max() end },
  { name = "max dim", shapes = S({ 3, 4 }), f = function(a) local v = a:max(2); return v end },
  { name = "min dim keepdim", shapes = S({ 3, 4 }), f = function(a) local v = a:min(1, true); return v end },
  -- linear algebra
  { name = "matmul 2d", shapes = function(r) return { { r(1, 4), 3 }, { 3, r(1, 4) } } end, f = function(a, b) return a:matmul(b) end },
  { name = "matmul batched broadcast", shapes = S({ 2, 3, 4 }, { 4, 2 }), f = function(a, b) return a:matmul(b) end },
  { name = "matmul batch both", shapes = S({ 2, 1, 3, 4 }, { 3, 4, 2 }), f = function(a, b) return a:matmul(b) end },
  { name = "matmul transposed", shapes = S({ 4, 3 }, { 2, 4 }), f = function(a, b) return a:t():matmul(b:t()) end },
  { name = "matmul vector", shapes = S({ 3, 4 }, { 4 }), f = function(a, b) return a:matmul(b) end },
  { name = "matmul vector left", shapes = S({ 3 }, { 3, 2 }), f = function(a, b) return a:matmul(b) end },
  { name = "linear", shapes = S({ 2, 3, 4 }, { 5, 4 }, { 5 }), f = function(x, w, b) return x:linear(w, b) end },
  { name = "linear no bias", shapes = S({ 3, 4 }, { 2, 4 }), f = function(x, w) return x:linear(w) end },
  { name = "linear_act gelu_tanh", shapes = S({ 2, 3, 4 }, { 5, 4 }, { 5 }),
    f = function(x, w, b) return x:linear_act(w, b, "gelu_tanh") end },
  { name = "linear_act gelu no bias", shapes = S({ 3, 4 }, { 2, 4 }), f = function(x, w) return x:linear_act(w, nil, "gelu") end },
  { name = "linear_act silu", shapes = S({ 3, 4 }, { 2, 4 }, { 2 }), f = function(x, w, b) return x:linear_act(w, b, "silu") end },
  { name = "mlp gelu_tanh", shapes = S({ 2, 3, 4 }, { 5, 4 }, { 5 }, { 3, 5 }, { 3 }),
    f = function(x, w1, b1, w2, b2) return x:mlp(w1, b1, w2, b2, "gelu_tanh") end },
  { name = "mlp gelu no biases", shapes = S({ 3, 4 }, { 6, 4 }, { 2, 6 }),
    f = function(x, w1, w2) return x:mlp(w1, nil, w2, nil, "gelu") end },
  { name = "mlp silu", shapes = S({ 3, 2 }, { 4, 2 }, { 4 }, { 3, 4 }, { 3 }),
    f = function(x, w1, b1, w2, b2) return x:mlp(w1, b1, w2, b2, "silu") end },
  -- indexing and joining
  { name = "cat", shapes = S({ 2, 3 }, { 1, 3 }), f = function(a, b) return llm.cat({ a, b }, 1) end },
  { name = "stack", shapes = S({ 2, 3 }, { 2, 3 }), f = function(a, b) return llm.stack({ a, b }, 2) end },
  { name = "index_select", shapes = S({ 4, 3 }),
    extra = function() return { llm.tensor({ 3, 0, 3 }, "int64") } end,
    f = function(a, i) return a:index_select(1, i) end },
  { name = "gather", shapes = S({ 3, 4 }),
    extra = function() return { llm.tensor({ { 0, 3 }, { 1, 1 }, { 2, 0 } }, "int64") } end,
    f = function(a, i) return a:gather(2, i) end },
  { name = "scatter_add", shapes = S({ 3, 4 }, { 3, 2 }),
    extra = function() return { llm.tensor({ { 0, 3 }, { 1, 1 }, { 2, 0 } }, "int64") } end,
    f = function(a, s, i) return a:scatter_add(2, i, s) end },
  { name = "embedding", shapes = S({ 5, 3 }),
    extra = function() return { llm.tensor({ { 1, 4, 1 }, { 0, 2, 4 } }, "int64") } end,
    f = function(w, i) return llm.embedding(i, w) end },
  -- fused nn
  { name = "softmax last", shapes = S({ 3, 5 }), f = function(a) return a:softmax() end },
  { name = "softmax dim 1", shapes = S({ 3, 4 }), f = function(a) return a:softmax(1) end },
  { name = "log_softmax", shapes = S({ 2, 3, 4 }), f = function(a) return a:log_softmax(-1) end },
  { name = "layer_norm", shapes = S({ 3, 5 }, { 5 }, { 5 }), f = function(x, w, b) return x:layer_norm(w, b) end },
  { name = "layer_norm plain", shapes = S({ 2, 2, 4 }), f = function(x) return x:layer_norm() end },
  { name = "rms_norm", shapes = S({ 3, 5 }, { 5 }), f = function(x, w) return x:rms_norm(w) end },
  { name = "rms_norm plain", shapes = S({ 2, 3, 4 }), f = function(x) return x:rms_norm() end },
  { name = "layer_norm weight only", shapes = S({ 3, 4 }, { 4 }), f = function(x, w) return x:layer_norm(w) end },
  { name = "where broadcast cond", shapes = S({ 2, 3 }, { 2, 1 }),
    extra = function() return { llm.tensor { 1, 0, 1 } } end,
    f = function(a, b, c) return llm.where(c, a, b) end },
  { name = "linear on a view", shapes = S({ 4, 3 }, { 2, 4 }, { 2 }), f = function(x, w, b) return x:t():linear(w, b) end },
  { name = "matmul batched transposed", shapes = S({ 2, 4, 3 }, { 2, 5, 4 }),
    f = function(a, b) return a:transpose(2, 3):matmul(b:transpose(2, 3)) end },
  { name = "cross_entropy mean", shapes = S({ 4, 5 }),
    extra = function() return { llm.tensor({ 1, 0, 4, 2 }, "int64") } end,
    f = function(x, t) return x:cross_entropy(t) end },
  { name = "cross_entropy sum smoothing ignore", shapes = S({ 4, 5 }),
    extra = function() return { llm.tensor({ 1, -100, 4, 2 }, "int64") } end,
    f = function(x, t) return x:cross_entropy(t, { reduction = "sum", label_smoothing = 0.1 }) end },
  { name = "cross_entropy none 3d", shapes = S({ 2, 3, 4 }),
    extra = function() return { llm.tensor({ { 1, 0, 3 }, { 2, 2, 0 } }, "int64") } end,
    f = function(x, t) return x:cross_entropy(t, { reduction = "none" }) end },
  { name = "attention causal", shapes = S({ 1, 2, 5, 3 }, { 1, 2, 5, 3 }, { 1, 2, 5, 3 }),
    f = function(q, k, v) return llm.attention(q, k, v, { causal = true }) end },
  { name = "attention full", shapes = S({ 2, 4, 3 }, { 2, 4, 3 }, { 2, 4, 3 }),
    f = function(q, k, v) return llm.attention(q, k, v) end },
  { name = "attention mask scale", shapes = S({ 4, 2 }, { 4, 2 }, { 4, 2 }),
    extra = function() return { llm.tensor { { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 1, 0, 0, 0 }, { 0, 0, 0, 1 } } } end,
    f = function(q, k, v, m) return llm.attention(q, k, v, { mask = m, scale = 0.7 }) end },
  { name = "attention on head views of (B,T,H,D)", shapes = S({ 2, 5, 2, 3 }, { 2, 5, 2, 3 }, { 2, 5, 2, 3 }),
    f = function(q, k, v)
      local y = llm.attention(q:transpose(2, 3), k:transpose(2, 3), v:transpose(2, 3), { causal = true })
      return y:transpose(2, 3):reshape(2, 5, 6)
    end },
  { name = "attention on a packed qkv", shapes = S({ 2, 4, 12 }),
    f = function(x)
      local p = x:view(2, 4, 3, 2, 2) -- (B, T, 3, H, D)
      local q, k, v = p:select(3, 1):transpose(2, 3), p:select(3, 2):transpose(2, 3), p:select(3, 3):transpose(2, 3)
      return llm.attention(q, k, v, { causal = true })
    end, contig_only = { true } },
  { name = "attention_packed causal", shapes = S({ 2, 4, 12 }),
    f = function(x) return llm.attention_packed(x, 2, { causal = true }) end },
  { name = "attention_packed (T, 3C) mask scale", shapes = S({ 4, 6 }),
    extra = function() return { llm.tensor { { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 1, 0, 0, 0 }, { 0, 0, 0, 1 } } } end,
    f = function(x, m) return llm.attention_packed(x, 1, { mask = m, scale = 0.7 }) end },
  { name = "dropout", shapes = S({ 4, 5 }), f = function(a) llm.seed(99); return a:dropout(0.3) end },
  -- fused recurrent layers (src/engine/nn/recurrent_op.c): x (T, B, I), w_ih, w_hh, b_ih, b_hh, h0 [, c0]
  { name = "lstm", shapes = S({ 3, 2, 3 }, { 8, 3 }, { 8, 2 }, { 8 }, { 8 }, { 2, 2 }, { 2, 2 }),
    f = function(x, wi, wh, bi, bh, h0, c0)
      return llm.recurrent("lstm", x, wi, wh, { b_ih = bi, b_hh = bh, h0 = h0, c0 = c0 })
    end },
  { name = "lstm with lengths", shapes = S({ 4, 3, 2 }, { 8, 2 }, { 8, 2 }),
    f = function(x, wi, wh) return llm.recurrent("lstm", x, wi, wh, { lengths = { 4, 1, 3 } }) end },
  { name = "gru", shapes = S({ 3, 2, 3 }, { 6, 3 }, { 6, 2 }, { 6 }, { 6 }, { 2, 2 }),
    f = function(x, wi, wh, bi, bh, h0)
      return llm.recurrent("gru", x, wi, wh, { b_ih = bi, b_hh = bh, h0 = h0, lengths = { 2, 3 } })
    end },
  { name = "rnn_tanh", shapes = S({ 3, 2, 3 }, { 2, 3 }, { 2, 2 }, { 2 }, { 2 }, { 2, 2 }),
    f = function(x, wi, wh, bi, bh, h0)
      return llm.recurrent("rnn_tanh", x, wi, wh, { b_ih = bi, b_hh = bh, h0 = h0 })
    end },
}

describe("gradient check (finite differences)", function()
  for _, e in ipairs(entries) do
    it(e.name, function() check_entry(e, false) end)
    it(e.name .. " (non-contiguous inputs)", function() check_entry(e, true) end)
  end
  -- Every op of the engine's op table is the last op of some entry (or
  -- listed in its `covers`): a new op without an entry fails here.
  it("covers every op of the op table", function()
    local seen = {}
    for _, e in ipairs(entries) do
      for k in pairs(e.seen or {}) do seen[k] = true end
      for _, k in ipairs(e.covers or {}) do seen[k] = true end
    end
    local missing = {}
    for _, op in ipairs(llm.tensor_ops()) do
      if not seen[op] then missing[#missing + 1] = op end
    end
    if #missing > 0 then T.fail("ops without a gradient-check entry: " .. table.concat(missing, ", ")) end
  end)
end)

return entries
