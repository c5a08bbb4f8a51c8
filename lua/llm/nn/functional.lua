-- llm.nn.functional: the nn operations written out from primitive tensor
-- ops, for reading and teaching. Each has a fused engine kernel that does the
-- same work faster (x:softmax, x:layer_norm, llm.attention, ...); the tests
-- check that the two agree, values and gradients.
--
--   F.softmax_composed(x [, dim])            exp(x - max) / sum
--   F.log_softmax_composed(x [, dim])        (x - max) - log(sum(exp(x - max)))
--   F.layer_norm_composed(x, w, b [, eps])   (x - mean) / sqrt(var + eps) * w + b
--   F.rms_norm_composed(x, w [, eps])        x / sqrt(mean(x^2) + eps) * w
--   F.gelu_composed(x)                       0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
--   F.cross_entropy_composed(logits, targets) mean of -log_softmax(logits)[target]
--   F.attention_composed(q, k, v [, {causal=, mask=, scale=}])
--   F.causal_mask(T)                          (T, T) float, 1 where j > i (the future)
local llm = require "llm"
local F = {}

function F.softmax_composed(x, dim)
  dim = dim or -1
  local m = x:max(dim, true)                 -- the row maximum keeps exp() from overflowing
  local e = (x - m:detach()):exp()
  return e / e:sum(dim, true)
end

function F.log_softmax_composed(x, dim)
  dim = dim or -1
  local m = x:max(dim, true):detach()
  local shifted = x - m
  return shifted - shifted:exp():sum(dim, true):log()
end

function F.layer_norm_composed(x, w, b, eps)
  eps = eps or 1e-5
  local mean = x:mean(-1, true)
  local xc = x - mean
  local var = (xc * xc):mean(-1, true)      -- biased variance, as LayerNorm uses
  local y = xc * (var + eps):rsqrt()
  if w then y = y * w end
  if b then y = y + b end
  return y
end

function F.rms_norm_composed(x, w, eps)
  eps = eps or 1e-6
  local y = x * ((x * x):mean(-1, true) + eps):rsqrt()
  if w then y = y * w end
  return y
end

function F.gelu_composed(x)
  local c = math.sqrt(2 / math.pi)
  return x * 0.5 * (((x + x * x * x * 0.044715) * c):tanh() + 1)
end

-- logits (N, C), targets (N) int 0-based -> scalar mean loss
function F.cross_entropy_composed(logits, targets)
  local s = logits:shape()
  local C = s[#s]
  local lp = F.log_softmax_composed(logits:reshape(-1, C), -1)
  local picked = lp:gather(2, targets:reshape(-1, 1))
  return -picked:mean()
end

local masks = setmetatable({}, { __mode = "v" })
function F.causal_mask(T)
  local m = masks[T]
  if not m then
    local i = llm.arange(T):view(T, 1)
    local j = llm.arange(T):view(1, T)
    m = j:gt(i)
    masks[T] = m
  end
  return m
end

-- q, k, v: (..., T, D). Scores q k^T * scale, future positions (and mask's
-- nonzero entries) set to -inf, softmax over keys, then the weighted sum of v.
function F.attention_composed(q, k, v, opts)
  opts = opts or {}
  local qs = q:shape()
  local T, D = qs[#qs - 1], qs[#qs]
  local scale = opts.scale or 1 / math.sqrt(D)
  local att = q:matmul(k:transpose(-2, -1)) * scale          -- (..., T, T)
  if opts.causal then att = att:masked_fill(F.causal_mask(T), -math.huge) end
  if opts.mask then att = att:masked_fill(opts.mask, -math.huge) end
  att = att:softmax(-1)
  if opts.dropout and opts.dropout > 0 then att = att:dropout(opts.dropout, true) end
  return att:matmul(v)                                         -- (..., T, D)
end

return F
