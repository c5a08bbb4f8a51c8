#!/bin/bash
# End-to-end tests of the engine's thread teams when OpenMP gives fewer
# threads than asked for (OMP_THREAD_LIMIT, or OMP_DYNAMIC on a loaded
# machine): a kernel that splits rows over llm.threads() threads must sum
# the partial results of the threads that ran, not of those it planned for.
# The freed 7s leave stale memory in the cache the kernels' scratch comes from.
. "$SRCDIR/tests/e2e/lib.sh"
L=$LLMLAB_BIN
T=$E2E_TMP

cat > "$T/team.lua" <<'LUA'
llm.threads(2)
llm.seed(1)
local M, K, H, N = 2600, 16, 512, 8 -- blocks of 512 rows: six, planned over two threads
do local junk = {} for i = 1, 8 do junk[i] = llm.full({ 600000 }, 7) end end
collectgarbage()
local x = llm.randn(M, K)
local function grads(fused)
  local w1, b1 = (llm.randn(H, K) * 0.3):requires_grad(), llm.zeros(H):requires_grad()
  local w2, b2 = (llm.randn(N, H) * 0.3):requires_grad(), llm.zeros(N):requires_grad()
  local y = fused and x:mlp(w1, b1, w2, b2, "silu") or x:linear(w1, b1):silu():linear(w2, b2)
  y:sum():backward()
  return { w1.grad, b1.grad, w2.grad, b2.grad }
end
local function lin(fused)
  local w, b = (llm.randn(H, K) * 0.3):requires_grad(), llm.zeros(H):requires_grad()
  local y = fused and x:linear_act(w, b, "silu") or x:linear(w, b):silu()
  y:sum():backward()
  return { w.grad, b.grad }
end
local worst = 0
for _, f in ipairs({ grads, lin }) do
  llm.seed(2); local a = f(true)
  llm.seed(2); local e = f(false)
  for i = 1, #a do
    worst = math.max(worst, ((a[i] - e[i]):abs():max() / (1 + e[i]:abs():max())):item())
  end
end
print(worst < 1e-5 and "agree" or ("differ by " .. worst))
LUA

expect_cmd "mlp and linear_act with a team of 1 where 2 were asked" 0 '^agree$' - -- \
    env OMP_THREAD_LIMIT=1 $L run "$T/team.lua"
expect_cmd "the same with the full team" 0 '^agree$' - -- $L run "$T/team.lua"
finish
