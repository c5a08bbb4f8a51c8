#!/bin/sh
# bench/tfidf_kjv.sh: TF-IDF (unigrams + bigrams) on the King James Bible,
# one verse per document (~31k), llmlab vs scikit-learn's TfidfVectorizer,
# same machine, one run. llmlab runs with 1 thread and with 2 threads
# (scikit-learn's fit_transform is single-threaded); both must give
# scikit-learn's output. Times are wall-clock seconds, best of 3 runs for
# both tools. Needs bible-kjv and python3-sklearn (Debian).
#   sh bench/tfidf_kjv.sh [path/to/llmlab]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../llmlab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v bible >/dev/null || { echo "bible (Debian bible-kjv) is not installed"; exit 1; }
bible -l10000 "Gen1:1-Rev22:21" | sed -n 's/^ *[0-9][0-9]* //p' > "$tmp/verses.txt"
echo "corpus: $(wc -l < "$tmp/verses.txt") verses, $(wc -w < "$tmp/verses.txt") words"
echo "load: $(uptime | sed 's/.*load average/load average/')"
sk=$(/usr/bin/python3 "$here/tfidf_sklearn.py" "$tmp/verses.txt" "$tmp/sk.txt" | sed -n 's/^sklearn_seconds //p')
out=$("$bin" run "$here/tfidf_kjv.lua" "$tmp/verses.txt" "$tmp/sk.txt" 1 2 2>/dev/null)
echo "$out" | grep -v '^llmlab_seconds'
t1=$(echo "$out" | sed -n 's/^llmlab_seconds 1 \([^ ]*\) .*/\1/p')
c1=$(echo "$out" | sed -n 's/^llmlab_seconds 1 [^ ]* //p')
t2=$(echo "$out" | sed -n 's/^llmlab_seconds 2 \([^ ]*\) .*/\1/p')
r1=$(awk -v a="$sk" -v b="$t1" 'BEGIN { printf "%.1f", a / b }')
r2=$(awk -v a="$sk" -v b="$t2" 'BEGIN { printf "%.1f", a / b }')
echo "scikit-learn fit_transform:         ${sk} s"
echo "llmlab fit_transform, 1 thread:     ${t1} s (CPU ${c1} s)  speed-up ${r1}x"
echo "llmlab fit_transform, 2 threads:    ${t2} s  speed-up ${r2}x"
echo "speed-up: ${r1}x with 1 thread, ${r2}x with 2 threads (target >= 5x)"
echo "BENCH tfidf_kjv sklearn_s=$sk llmlab_s=$t2 ratio=$r2 llmlab_1thread_s=$t1 ratio_1thread=$r1"
