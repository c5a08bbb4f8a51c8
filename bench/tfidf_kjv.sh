#!/bin/sh
# bench/tfidf_kjv.sh: TF-IDF (unigrams + bigrams) on the King James Bible,
# one verse per document (~31k), llmlab vs scikit-learn's TfidfVectorizer,
# same machine, one run. Needs bible-kjv and python3-sklearn (Debian).
#   sh bench/tfidf_kjv.sh [path/to/llmlab]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../llmlab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v bible >/dev/null || { echo "bible (Debian bible-kjv) is not installed"; exit 1; }
bible -l10000 "Gen1:1-Rev22:21" | sed -n 's/^ *[0-9][0-9]* //p' > "$tmp/verses.txt"
echo "corpus: $(wc -l < "$tmp/verses.txt") verses, $(wc -w < "$tmp/verses.txt") words"
sk=$(/usr/bin/python3 "$here/tfidf_sklearn.py" "$tmp/verses.txt" "$tmp/sk.txt" | sed -n 's/^sklearn_seconds //p')
out=$("$bin" run "$here/tfidf_kjv.lua" "$tmp/verses.txt" "$tmp/sk.txt")
echo "$out" | grep -v '^llmlab_seconds'
ll=$(echo "$out" | sed -n 's/^llmlab_seconds //p')
echo "scikit-learn fit_transform: ${sk} s"
echo "llmlab fit_transform:       ${ll} s"
ratio=$(awk -v a="$sk" -v b="$ll" 'BEGIN { printf "%.1f", a / b }')
echo "speed-up: ${ratio}x (target >= 5x)"
echo "BENCH tfidf_kjv sklearn_s=$sk llmlab_s=$ll ratio=$ratio"
