#!/usr/bin/python3
# bench/torch_gpt.py: the reference for bench/train_gpt.lua. The same GPT
# (learned positions, pre-norm blocks with LayerNorm, causal self-attention
# composed from matmul/softmax since PyTorch 1.13 has no fused kernel, a 4x
# MLP with tanh GELU, final LayerNorm, output head tied to the token
# embedding) and the same step (forward, cross-entropy, backward, AdamW) in
# PyTorch, float32 throughout, timed the same way: warm-up steps, then the
# median of timed steps.
#
#   /usr/bin/python3 bench/torch_gpt.py [CONFIG [THREADS [STEPS]]]   (CONFIG S or M)
#
# Prints `torch CONFIG threads=T tok_per_s=X mfu=Y rss_mb=Z` (peak RSS of
# this process). Best run with OMP_WAIT_POLICY=PASSIVE (bench/compare.sh does).
import os as _os
import sys as _sys

# The thread count must reach OpenBLAS (which Debian's torch uses for its
# matrix products and which starts one thread per core when it loads) and
# OpenMP before torch is imported: torch.set_num_threads alone leaves
# OpenBLAS on every core, so a "1 thread" run would use two.
if len(_sys.argv) > 2:
    for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        _os.environ[_v] = _sys.argv[2]

import math
import resource
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    print("torch_gpt: PyTorch is not installed (apt-get install python3-torch); skipped")
    sys.exit(0)

CONFIGS = {
    "S": dict(vocab=256, ctx=128, d=128, layers=4, heads=4, batch=16),
    "M": dict(vocab=8192, ctx=256, d=384, layers=6, heads=6, batch=8),
}


def flops_per_token(c):
    # 6 x (matmul parameters) + attention (12 * layers * d * ctx), as in the issue
    n = c["layers"] * 12 * c["d"] ** 2 + c["vocab"] * c["d"]
    return 6 * n + 12 * c["layers"] * c["d"] * c["ctx"]


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x, mask):
        B, T, C = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
        q = q.view(B, T, self.h, C // self.h).transpose(1, 2)
        k = k.view(B, T, self.h, C // self.h).transpose(1, 2)
        v = v.view(B, T, self.h, C // self.h).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(C // self.h))
        att = att.masked_fill(mask[:T, :T], float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        x = x + self.proj(y)
        x = x + self.fc2(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))
        return x


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.wte = nn.Embedding(c["vocab"], c["d"])
        self.wpe = nn.Embedding(c["ctx"], c["d"])
        self.blocks = nn.ModuleList([Block(c["d"], c["heads"]) for _ in range(c["layers"])])
        self.ln_f = nn.LayerNorm(c["d"])
        mask = torch.triu(torch.ones(c["ctx"], c["ctx"], dtype=torch.bool), diagonal=1)
        self.register_buffer("mask", mask)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)

    def forward(self, idx, targets):
        B, T = idx.shape
        x = self.wte(idx) + self.wpe(torch.arange(T))
        for b in self.blocks:
            x = b(x, self.mask)
        logits = self.ln_f(x) @ self.wte.weight.t()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def sgemm_peak(reps=8):
    n = 1024
    a, b = torch.randn(n, n), torch.randn(n, n)
    best = best_cpu = 0.0
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        torch.mm(a, b)
        w, cpu = time.perf_counter() - t0, time.process_time() - c0
        best = max(best, 2 * n ** 3 / w / 1e9)
        if cpu > 0:
            best_cpu = max(best_cpu, 2 * n ** 3 / cpu / 1e9)
    return best, best_cpu


def settle(threads):
    """Busy-wait 0.25 s at 2+ threads: OpenBLAS's workers spin ~0.1 s after a call."""
    if threads > 1:
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < 0.25:
            pass


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "S"
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    c = CONFIGS[name]
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = GPT(c)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "wte" not in n and "wpe" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "wte" not in n and "wpe" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": no_decay, "weight_decay": 0.0}], lr=3e-4, betas=(0.9, 0.95))
    B, T = c["batch"], c["ctx"]
    x = torch.randint(0, c["vocab"], (B, T))
    y = torch.randint(0, c["vocab"], (B, T))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = model(x, y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(2):
        step()
    # Timed as bench/train_gpt.lua times llmlab: each step between two short
    # sgemm peak measurements (this machine's speed drifts within a minute),
    # after a busy wait that lets OpenBLAS's spinning workers stop; mfu is
    # the median over steps of the step against the mean of its two peaks.
    n = max(5, steps)
    times, cpu, peaks, peaks_cpu = [], [], [], []
    p, pc = sgemm_peak(3)
    peaks.append(p)
    peaks_cpu.append(pc)
    for _ in range(n):
        settle(threads)
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        p, pc = sgemm_peak(3)
        peaks.append(p)
        peaks_cpu.append(pc)
    F = flops_per_token(c) * B * T / 1e9
    mfu = statistics.median(F / times[i] / ((peaks[i] + peaks[i + 1]) / 2) for i in range(n))
    cpu_mfu = statistics.median(F / cpu[i] / ((peaks_cpu[i] + peaks_cpu[i + 1]) / 2) for i in range(n))
    med = statistics.median(times)
    cmed = statistics.median(cpu)
    tok = B * T / med
    cpu_tok = B * T / cmed
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("torch %s threads=%d step_ms=%.1f cpu_ms=%.1f cpu_tok_per_s=%.0f cpu_mfu=%.3f sgemm_gflops=%.1f mfu_max_peak=%.3f"
          % (name, threads, med * 1e3, cmed * 1e3, cpu_tok, cpu_mfu, statistics.median(peaks),
             tok * flops_per_token(c) / 1e9 / max(peaks)))
    print("torch %s threads=%d tok_per_s=%.0f mfu=%.3f rss_mb=%.0f" % (name, threads, tok, mfu, rss))

if __name__ == "__main__":
    main()
