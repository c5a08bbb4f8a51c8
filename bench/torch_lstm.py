#!/usr/bin/python3
# bench/torch_lstm.py: the reference for bench/lstm.lua. The same
# character-level LSTM language model (embedding 96 -> 64, nn.LSTM with 2
# layers of hidden 256, linear head) and the same training step (forward,
# cross-entropy, backward, detached carried state, clip_grad_norm_ 1.0,
# Adam) on random ids, sequence 128, batch 32, float32, timed the same way:
# two warm-up steps, then the median of the timed steps.
#
#   /usr/bin/python3 bench/torch_lstm.py [THREADS [STEPS]]
# Last line:  torch_lstm threads=T tok_per_s=X cpu_tok_per_s=Y rss_mb=Z
import os as _os
import sys as _sys

# The thread count must reach OpenBLAS (which Debian's torch uses for its
# matrix products and which starts one thread per core when it loads) and
# OpenMP before torch is imported: torch.set_num_threads alone leaves
# OpenBLAS on every core, so a "1 thread" run would use two.
if len(_sys.argv) > 1:
    for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        _os.environ[_v] = _sys.argv[1]

import resource
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
except ImportError:
    print("torch_lstm: PyTorch is not installed (apt-get install python3-torch); skipped")
    sys.exit(0)

V, E, H, L, T, B = 96, 64, 256, 2, 128, 32


class CharLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(V, E)
        self.rnn = nn.LSTM(E, H, num_layers=L)
        self.head = nn.Linear(H, V)

    def forward(self, ids, state):  # ids (T, B), time-major as llmlab's RNNLM runs inside
        h, st = self.rnn(self.embed(ids), state)
        return self.head(h), st


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = CharLM()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    x = torch.randint(0, V, (T, B))
    y = torch.randint(0, V, (T, B))
    state = [None]

    def step():
        opt.zero_grad()
        logits, st = model(x, state[0])
        loss = nn.functional.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        loss.backward()
        state[0] = tuple(s.detach() for s in st)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    for _ in range(2):
        step()
    times, cpu = [], []
    for _ in range(max(3, steps)):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    med, medc = statistics.median(times), statistics.median(cpu)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("torch_lstm threads=%d step_ms=%.1f cpu_ms=%.1f" % (threads, med * 1e3, medc * 1e3))
    print("torch_lstm threads=%d tok_per_s=%.0f cpu_tok_per_s=%.0f rss_mb=%.0f" % (threads, B * T / med, B * T / medc, rss))


if __name__ == "__main__":
    main()
