#!/usr/bin/python3
"""bench/torch_attention.py: PyTorch's composed causal attention (matmul,
masked_fill, softmax, matmul; PyTorch 1.13 has no fused CPU kernel), forward +
backward, at the shapes of bench/attention.lua, for side-by-side figures.
Usage: /usr/bin/python3 bench/torch_attention.py [threads]
Prints: attention CONFIG threads=T torch_ms=X
"""
import os as _os
import sys as _sys

# The thread count must reach OpenBLAS (which Debian's torch uses for its
# matrix products and which starts one thread per core when it loads) and
# OpenMP before torch is imported: torch.set_num_threads alone leaves
# OpenBLAS on every core, so a "1 thread" run would use two.
if len(_sys.argv) > 1:
    for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        _os.environ[_v] = _sys.argv[1]

import math
import sys
import time

try:
    import torch
except ImportError:
    print("torch not installed (apt-get install python3-torch): skipped")
    sys.exit(0)

threads = int(sys.argv[1]) if len(sys.argv) > 1 else torch.get_num_threads()
torch.set_num_threads(threads)
torch.manual_seed(1)

for name, B, H, T, D in (("S", 16, 4, 128, 32), ("M", 8, 6, 256, 64)):
    q, k, v = (torch.randn(B, H, T, D, requires_grad=True) for _ in range(3))
    g = torch.randn(B, H, T, D)
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)

    def step():
        s = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(D))
        y = torch.softmax(s.masked_fill(mask, float("-inf")), -1) @ v
        y.backward(g)
        q.grad = k.grad = v.grad = None

    step()
    times, cpu = [], []
    for _ in range(7):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    times.sort()
    cpu.sort()
    extra = f" torch_cpu_ms={cpu[len(cpu) // 2]:.2f}" if threads == 1 else ""
    print(f"attention {name} threads={threads} torch_ms={times[len(times) // 2]:.2f}{extra}")
