#!/bin/sh
# bench/compare.sh: GPT training speed of llmlab against PyTorch, side by
# side. For each config (S, M) and thread count (1, 2) it runs
# bench/train_gpt.lua and bench/torch_gpt.py one after the other (each in its
# own process, so the peak RSS is that run's), then prints the ratios
# llmlab / PyTorch of tokens/s (wall clock, and per CPU second, steadier on
# a shared machine) and of peak RSS. PyTorch runs only when python3-torch is
# installed. Both run with their best settings here: OMP_WAIT_POLICY=PASSIVE
# (spinning OpenMP threads cost a lot on a busy machine) and, where OpenBLAS
# would take the CPU for an old "Prescott" but it has AVX-512,
# OPENBLAS_CORETYPE=SkylakeX (both use the same OpenBLAS; the override makes
# its sgemm 3-4x faster there). Set either variable yourself to choose.
#
#   bench/compare.sh [STEPS]        (run from the build folder, or set LLMLAB_BIN)
#   CONFIGS="S" THREADS="1" bench/compare.sh 5     a subset
# Last lines: compare CONFIG threads=T tok_ratio=R rss_ratio=Q
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${LLMLAB_BIN:-./llmlab}
[ -x "$bin" ] || bin="$here/../llmlab"
steps=${1:-7}
py=/usr/bin/python3
have_torch=0
"$py" -c "import torch" 2>/dev/null && have_torch=1

export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
  export OPENBLAS_CORETYPE=SkylakeX
fi
echo "compare: OMP_WAIT_POLICY=$OMP_WAIT_POLICY OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto}"

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for cfg in ${CONFIGS:-S M}; do
  for th in ${THREADS:-1 2}; do
    "$bin" run "$here/train_gpt.lua" "$cfg" "$th" "$steps" | tee -a "$results"
    if [ "$have_torch" = 1 ]; then
      "$py" "$here/torch_gpt.py" "$cfg" "$th" "$steps" | tee -a "$results"
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
    printf "%-14s %12s %12s %7s %9s %7s %7s %9s %10s %10s %7s\n", "run", "llmlab tok/s", "torch tok/s", "ratio", "cpu ratio", "mfu", "cpu mfu", "torch mfu", "llmlab MB", "torch MB", "ratio"
    for (i = 1; i <= n; i++) {
      k = order[i]
      a = v["train", k, "tok_per_s"]; b = v["torch", k, "tok_per_s"]
      ra = v["train", k, "rss_mb"]; rb = v["torch", k, "rss_mb"]
      if (a == "" || b == "") continue
      ca = v["train", k, "cpu_tok_per_s"]; cb = v["torch", k, "cpu_tok_per_s"]
      printf "%-14s %12.0f %12.0f %7.2f %9.2f %7.3f %7.3f %9.3f %10.0f %10.0f %7.2f\n", k, a, b, a / b, ca / cb, v["train", k, "mfu"], v["train", k, "cpu_mfu"], v["torch", k, "mfu"], ra, rb, ra / rb
    }
    for (i = 1; i <= n; i++) {
      k = order[i]
      a = v["train", k, "tok_per_s"]; b = v["torch", k, "tok_per_s"]
      ra = v["train", k, "rss_mb"]; rb = v["torch", k, "rss_mb"]
      if (a == "" || b == "") continue
      split(k, p, " ")
      ca = v["train", k, "cpu_tok_per_s"]; cb = v["torch", k, "cpu_tok_per_s"]
      printf "compare %s %s tok_ratio=%.3f cpu_tok_ratio=%.3f rss_ratio=%.3f\n", p[1], p[2], a / b, ca / cb, ra / rb
    }
  }' "$results"
