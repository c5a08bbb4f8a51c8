#!/bin/sh
# bench/lstm.sh: the LSTM language-model target side by side: llmlab
# (bench/lstm.lua) and PyTorch's nn.LSTM (bench/torch_lstm.py), each in its
# own process at 1 thread, then the ratio llmlab / PyTorch of training
# tokens/s (wall clock, and per CPU second, steadier on a shared machine).
# The target is ratio >= 1.5. Same environment for both, as
# bench/compare.sh sets it (OMP_WAIT_POLICY=PASSIVE; OPENBLAS_CORETYPE=SkylakeX
# where OpenBLAS would mistake an AVX-512 CPU for an old one).
#
#   bench/lstm.sh [STEPS] [THREADS]     (run from the build folder, or set LLMLAB_BIN)
# Last line: lstm_compare threads=T tok_ratio=R cpu_tok_ratio=Q
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${LLMLAB_BIN:-./llmlab}
[ -x "$bin" ] || bin="$here/../llmlab"
steps=${1:-5}
th=${2:-1}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
  export OPENBLAS_CORETYPE=SkylakeX
fi
echo "lstm.sh: OMP_WAIT_POLICY=$OMP_WAIT_POLICY OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto}"
ours=$("$bin" run "$here/lstm.lua" "$th" "$steps") || exit 1
echo "$ours"
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "lstm_compare: PyTorch is not installed; no ratio"
  exit 0
fi
theirs=$(/usr/bin/python3 "$here/torch_lstm.py" "$th" "$steps") || exit 1
echo "$theirs"
field() { echo "$1" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }
awk -v a="$(field "$ours" tok_per_s)" -v b="$(field "$theirs" tok_per_s)" \
    -v c="$(field "$ours" cpu_tok_per_s)" -v d="$(field "$theirs" cpu_tok_per_s)" -v th="$th" \
    'BEGIN { printf "lstm_compare threads=%d tok_ratio=%.2f cpu_tok_ratio=%.2f\n", th, a / b, c / d }'
