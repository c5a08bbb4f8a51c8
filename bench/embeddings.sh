#!/bin/bash
# bench/embeddings.sh: llmlab's word2vec against gensim (Debian python3-gensim)
# and fastText (Debian fasttext) on the KJV Bible, same settings: skip-gram,
# dim 100, window 5, 5 epochs, negative 5, min_count 5, sample 1e-3.
# Prints each tool's wall time side by side, the ratios, and how well the
# nearest-neighbour lists of the 500 most frequent words agree: llmlab vs
# gensim against gensim vs gensim with other seeds, as means over several
# seeds (bench/embeddings_noise.sh measures how much one pair varies).
set -u
cd "$(dirname "$0")/.."
L=./llmlab
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v bible >/dev/null || { echo "needs the Debian package bible-kjv"; exit 1; }
# one verse per line, lower case, letters only
bible -l10000 "Gen1:1-Rev22:21" | sed -E 's/^ *[0-9]+ //; s/[^A-Za-z ]/ /g' | tr 'A-Z' 'a-z' | grep -v '^ *$' > "$tmp/kjv.txt"
echo "corpus: $(wc -w < "$tmp/kjv.txt") words, $(wc -l < "$tmp/kjv.txt") lines"
have_gensim=0; /usr/bin/python3 -c 'import gensim' 2>/dev/null && have_gensim=1
have_ft=0; command -v fasttext >/dev/null && have_ft=1
secs() { sed -E 's/.*seconds=([0-9.]+).*/\1/'; }
for t in 1 2; do
    ours=$($L run bench/embeddings.lua train "$tmp/kjv.txt" $t word2vec "$tmp/ours$t.vec")
    echo "$ours"
    if [ $have_gensim = 1 ]; then
        ref=$(/usr/bin/python3 bench/gensim_w2v.py "$tmp/kjv.txt" $t word2vec 1 "$tmp/gensim$t.vec")
        echo "$ref"
        echo "word2vec threads=$t llmlab_s=$(echo "$ours" | secs) gensim_s=$(echo "$ref" | secs) speedup=$(echo "$(echo "$ref" | secs) / $(echo "$ours" | secs)" | bc -l | cut -c1-5)"
    fi
done
if [ $have_gensim = 1 ]; then
    # Quality. One pair of runs is too noisy to compare (the overlap of two
    # runs varies by about +-0.005 with the seeds), so: llmlab seeds 1..3 and
    # gensim seeds 1..4 at 1 thread; each gensim run is a reference in turn,
    # compared with the 3 llmlab runs (12 llmlab-vs-gensim pairs) and with
    # the 3 other gensim runs (12 gensim-vs-gensim pairs).
    cp "$tmp/ours1.vec" "$tmp/l1.vec"; cp "$tmp/gensim1.vec" "$tmp/g1.vec"
    for s in 2 3; do $L run bench/embeddings.lua train "$tmp/kjv.txt" 1 word2vec "$tmp/l$s.vec" $s >/dev/null 2>&1; done
    for s in 2 3 4; do /usr/bin/python3 bench/gensim_w2v.py "$tmp/kjv.txt" 1 word2vec $s "$tmp/g$s.vec" >/dev/null; done
    lg=(); gg=()
    for r in 1 2 3 4; do
        others=(); for s in 1 2 3 4; do [ $s = $r ] || others+=("$tmp/g$s.vec"); done
        read -r -a a <<< "$($L run bench/embeddings.lua agree "$tmp/g$r.vec" "$tmp/l1.vec" "$tmp/l2.vec" "$tmp/l3.vec" "${others[@]}")"
        lg+=("${a[@]:0:3}"); gg+=("${a[@]:3}")
    done
    summary() { printf '%s\n' "$@" | awk '{ s += $1; if (NR == 1 || $1 < mn) mn = $1; if (NR == 1 || $1 > mx) mx = $1 }
        END { printf "mean=%.4f min=%.3f max=%.3f pairs=%d", s / NR, mn, mx, NR }'; }
    echo "neighbour agreement (top-10 lists of the reference's 500 most frequent words):"
    echo "  llmlab-vs-gensim (llmlab seeds 1-3 x gensim seeds 1-4): $(summary "${lg[@]}")"
    echo "  gensim-vs-gensim (gensim seeds 1-4, other seed):       $(summary "${gg[@]}")"
    ml=$(summary "${lg[@]}" | sed -E 's/mean=([0-9.]+).*/\1/'); mg=$(summary "${gg[@]}" | sed -E 's/mean=([0-9.]+).*/\1/')
    echo "agreement llmlab_vs_gensim=$ml gensim_vs_gensim=$mg met=$([ "$(echo "$ml >= $mg" | bc -l)" = 1 ] && echo yes || echo no)"
fi
ours=$($L run bench/embeddings.lua train "$tmp/kjv.txt" 1 fasttext "")
echo "$ours"
if [ $have_ft = 1 ]; then
    start=$(date +%s.%N)
    fasttext skipgram -input "$tmp/kjv.txt" -output "$tmp/ft" -dim 100 -ws 5 -epoch 5 -neg 5 -minCount 5 \
        -minn 3 -maxn 6 -bucket 2000000 -thread 1 -t 1e-3 -lr 0.025 -verbose 0 >/dev/null
    end=$(date +%s.%N)
    ft=$(echo "$end - $start" | bc -l)
    printf 'fasttext skipgram threads=1 seconds=%.2f\n' "$ft"
    echo "fasttext threads=1 llmlab_s=$(echo "$ours" | secs) fasttext_s=$(printf '%.2f' "$ft") speedup=$(echo "$ft / $(echo "$ours" | secs)" | bc -l | cut -c1-5)"
fi
