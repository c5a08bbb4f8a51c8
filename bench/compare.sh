#!/bin/sh
# bench/compare.sh: GPT training speed of llmlab against PyTorch, side by
# side. For each config (S, M) and thread count (1, 2) it runs
# bench/train_gpt.lua and bench/torch_gpt.py one after the other (each in its
# own process, so the peak RSS is that run's), then prints the ratios
# llmlab / PyTorch of tokens/s and of peak RSS. PyTorch runs only when
# python3-torch is installed; it uses OMP_WAIT_POLICY=PASSIVE, its best
# setting on this machine class.
#
#   bench/compare.sh [STEPS]        (run from the build folder, or set LLMLAB_BIN)
# Last lines: compare CONFIG threads=T tok_ratio=R rss_ratio=Q
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${LLMLAB_BIN:-./llmlab}
[ -x "$bin" ] || bin="$here/../llmlab"
steps=${1:-7}
py=/usr/bin/python3
have_torch=0
"$py" -c "import torch" 2>/dev/null && have_torch=1

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for cfg in S M; do
  for th in 1 2; do
    "$bin" run "$here/train_gpt.lua" "$cfg" "$th" "$steps" | tee -a "$results"
    if [ "$have_torch" = 1 ]; then
      OMP_WAIT_POLICY=PASSIVE "$py" "$here/torch_gpt.py" "$cfg" "$th" "$steps" | tee -a "$results"
    fi
  done
done
[ "$have_torch" = 1 ] || { echo "compare: PyTorch not installed (apt-get install python3-torch): no ratios"; exit 0; }

echo
awk '
  $1 == "train" || $1 == "torch" {
    key = $2 " " $3
    for (i = 4; i <= NF; i++) { split($i, kv, "="); v[$1, key, kv[1]] = kv[2] }
    if (!(key in seen)) { seen[key] = 1; order[++n] = key }
  }
  END {
    printf "%-14s %12s %12s %8s %10s %10s %8s\n", "run", "llmlab tok/s", "torch tok/s", "ratio", "llmlab MB", "torch MB", "ratio"
    for (i = 1; i <= n; i++) {
      k = order[i]
      a = v["train", k, "tok_per_s"]; b = v["torch", k, "tok_per_s"]
      ra = v["train", k, "rss_mb"]; rb = v["torch", k, "rss_mb"]
      if (a == "" || b == "") continue
      printf "%-14s %12.0f %12.0f %8.2f %10.0f %10.0f %8.2f\n", k, a, b, a / b, ra, rb, ra / rb
    }
    for (i = 1; i <= n; i++) {
      k = order[i]
      a = v["train", k, "tok_per_s"]; b = v["torch", k, "tok_per_s"]
      ra = v["train", k, "rss_mb"]; rb = v["torch", k, "rss_mb"]
      if (a == "" || b == "") continue
      split(k, p, " ")
      printf "compare %s %s tok_ratio=%.3f rss_ratio=%.3f\n", p[1], p[2], a / b, ra / rb
    }
  }' "$results"
