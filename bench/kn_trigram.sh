#!/bin/sh
# bench/kn_trigram.sh: Kneser-Ney trigram model on the King James Bible
# (one verse per sentence, words and punctuation as tokens; the last
# ~100k tokens held out; words seen once become <UNK>): llmlab vs NLTK's
# KneserNeyInterpolated, same
# machine, one run. Needs bible-kjv and python3-nltk (Debian).
#   sh bench/kn_trigram.sh [path/to/llmlab]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../llmlab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v bible >/dev/null || { echo "bible (Debian bible-kjv) is not installed"; exit 1; }
bible -l10000 "Gen1:1-Rev22:21" | sed -n 's/^ *[0-9][0-9]* //p' > "$tmp/verses.txt"
# tokenise once (outside the timings): words and punctuation marks
/usr/bin/python3 - "$tmp" <<'PY'
import re, sys
tmp = sys.argv[1]
lines = [re.findall(r"\w+|[^\w\s]", l) for l in open(tmp + "/verses.txt", encoding="utf-8")]
lines = [l for l in lines if l]
held, n = [], 0
while n < 100000:
    s = lines.pop()
    held.insert(0, s)
    n += len(s)
open(tmp + "/train.txt", "w").write("\n".join(" ".join(l) for l in lines) + "\n")
open(tmp + "/held.txt", "w").write("\n".join(" ".join(l) for l in held) + "\n")
PY
check=3
nl=$(/usr/bin/python3 "$here/kn_nltk.py" "$tmp/train.txt" "$tmp/held.txt" $check)
ll=$("$bin" run "$here/kn_trigram.lua" "$tmp/train.txt" "$tmp/held.txt" $check)
echo "$ll" | grep -v '^llmlab_check\|_seconds'
get() { echo "$1" | sed -n "s/^$2 //p"; }
nf=$(get "$nl" nltk_fit_seconds); lf=$(get "$ll" llmlab_fit_seconds); lp=$(get "$ll" llmlab_perplexity_seconds)
echo "check on the first $check held-out sentences ($(get "$nl" nltk_check_events) trigrams):"
echo "  NLTK perplexity   $(get "$nl" nltk_check_perplexity)  ($(get "$nl" nltk_check_seconds) s)"
echo "  llmlab perplexity $(get "$ll" llmlab_check_perplexity)"
echo "NLTK fit:   ${nf} s"
echo "llmlab fit: ${lf} s"
ratio=$(awk -v a="$nf" -v b="$lf" 'BEGIN { printf "%.1f", a / b }')
echo "fit speed-up: ${ratio}x (target >= 20x)"
echo "llmlab perplexity on the ~100k held-out tokens: ${lp} s (target < 1 s)"
echo "BENCH kn_trigram nltk_fit_s=$nf llmlab_fit_s=$lf ratio=$ratio llmlab_ppl_s=$lp"
