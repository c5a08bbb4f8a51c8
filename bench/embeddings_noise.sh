#!/bin/bash
# bench/embeddings_noise.sh: how noisy is the neighbour-agreement figure of
# bench/embeddings.sh? Trains N llmlab and N gensim skip-gram models on the
# KJV Bible at 1 thread with seeds 1..N (same settings as embeddings.sh), then
# prints mean, standard deviation, min and max of the top-10 neighbour overlap
# (500 most frequent words of the reference file) for every pair:
#   llmlab-vs-gensim  (N*N pairs), gensim-vs-gensim and llmlab-vs-llmlab
#   (N*(N-1) ordered pairs each, the reference being the second of the pair).
# Usage: bench/embeddings_noise.sh [N] [DIR]
# With DIR, the vector files are kept there and gensim's are reused on a later
# run (so a change to llmlab can be re-measured against the same gensim runs).
# With BENCH_LOCK=FILE set, each training run holds that lock (flock) on its
# own, so timings of other benchmarks on a shared machine do not overlap.
set -u
cd "$(dirname "$0")/.."
L=$PWD/llmlab
N=${1:-5}
dir=${2:-}
if [ -z "$dir" ]; then dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT; fi
mkdir -p "$dir"
locked() { if [ -n "${BENCH_LOCK:-}" ]; then flock "$BENCH_LOCK" "$@"; else "$@"; fi; }
/usr/bin/python3 -c 'import gensim' 2>/dev/null || { echo "needs Debian's python3-gensim"; exit 1; }
command -v bible >/dev/null || { echo "needs the Debian package bible-kjv"; exit 1; }
if [ ! -s "$dir/kjv.txt" ]; then
    bible -l10000 "Gen1:1-Rev22:21" | sed -E 's/^ *[0-9]+ //; s/[^A-Za-z ]/ /g' | tr 'A-Z' 'a-z' | grep -v '^ *$' > "$dir/kjv.txt"
fi
for s in $(seq 1 "$N"); do
    [ -s "$dir/g$s.vec" ] || locked /usr/bin/python3 bench/gensim_w2v.py "$dir/kjv.txt" 1 word2vec "$s" "$dir/g$s.vec"
    locked "$L" run bench/embeddings.lua train "$dir/kjv.txt" 1 word2vec "$dir/l$s.vec" "$s" 2>/dev/null
done
lg=(); gg=(); ll=()
for r in $(seq 1 "$N"); do
    others=(); for s in $(seq 1 "$N"); do [ "$s" = "$r" ] || others+=("$dir/g$s.vec"); done
    mine=(); for s in $(seq 1 "$N"); do mine+=("$dir/l$s.vec"); done
    read -r -a a <<< "$("$L" run bench/embeddings.lua agree "$dir/g$r.vec" "${mine[@]}" "${others[@]}")"
    lg+=("${a[@]:0:$N}"); gg+=("${a[@]:$N}")
    lothers=(); for s in $(seq 1 "$N"); do [ "$s" = "$r" ] || lothers+=("$dir/l$s.vec"); done
    read -r -a b <<< "$("$L" run bench/embeddings.lua agree "$dir/l$r.vec" "${lothers[@]}")"
    ll+=("${b[@]}")
done
stats() { printf '%s\n' "$@" | awk -v name="$1" 'NR > 1 { x[NR] = $1; s += $1; if (NR == 2 || $1 < mn) mn = $1; if (NR == 2 || $1 > mx) mx = $1 }
    END { n = NR - 1; m = s / n; for (i = 2; i <= NR; i++) v += (x[i] - m) ^ 2;
          printf "%-18s pairs=%-3d mean=%.4f sd=%.4f min=%.3f max=%.3f\n", name, n, m, sqrt(v / (n > 1 ? n - 1 : 1)), mn, mx }'; }
stats llmlab-vs-gensim "${lg[@]}"
stats gensim-vs-gensim "${gg[@]}"
stats llmlab-vs-llmlab "${ll[@]}"
