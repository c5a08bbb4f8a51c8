#!/bin/bash
# bench/tokenizers.sh: llmlab's byte-level BPE against Debian's sentencepiece.
#   1. BPE training on the KJV Bible (bible-kjv: `bible -l10000 "Gen1:1-Rev22:21"`)
#      to 8,000 tokens: llm.bpe.train vs spm_train --model_type=bpe, one thread each.
#   2. Encoding the same text on one core: GPT-2's tokenizer (llm.bpe.gpt2) and
#      the 8k model trained above vs spm_encode with the model spm trained.
# Times are CPU seconds (user + system) of one thread, so a busy machine
# does not skew the ratio: llmlab measures inside the process (os.clock,
# the text already in memory); sentencepiece through GNU time (the whole
# command, reading the file and writing ids). Peak RSS from GNU time.
# Prints both tools' figures, the ratios, and a final machine-readable line
#   BENCH tokenizers key=value ...
# Needs: bible-kjv, sentencepiece and time (apt-get install -y sentencepiece
# time), the gpt2-bpe data (llmlab data fetch gpt2-bpe).
# Usage: bench/tokenizers.sh [LLMLAB_BIN]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-${LLMLAB_BIN:-$here/../llmlab}}
for t in bible spm_train spm_encode; do
    command -v $t >/dev/null || { echo "bench/tokenizers.sh: $t is missing (apt-get install -y bible-kjv sentencepiece)" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "bench/tokenizers.sh: GNU time is missing (apt-get install -y time)" >&2; exit 2; }
[ -x "$bin" ] || { echo "bench/tokenizers.sh: no llmlab binary at $bin (build first)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bible -l10000 "Gen1:1-Rev22:21" > "$tmp/kjv.txt"
bytes=$(wc -c < "$tmp/kjv.txt")
mb=$(awk -v b="$bytes" 'BEGIN{printf "%.3f", b/1e6}')
echo "text: KJV Bible, $bytes bytes ($mb MB); $(nproc) cores on this machine, one thread used by each tool"

# GNU time: "user system maxrss" into a file
timed() { /usr/bin/time -f "%U %S %M" -o "$1" "${@:2}"; }
cpu() { awk '{printf "%.3f", $1 + $2}' "$1"; }
rss() { awk '{print $3}' "$1"; }

timed "$tmp/llmlab.time" "$bin" run "$here/tokenizers.lua" "$tmp/kjv.txt" "$tmp/llmlab_8k.json" > "$tmp/llmlab.out"
get() { sed -n "s/^$1=//p" "$tmp/llmlab.out"; }
l_train=$(get train_cpu_s); l_gpt2=$(get gpt2_encode_mbps); l_8k=$(get bpe8k_encode_mbps)

timed "$tmp/spm_train.time" spm_train --input="$tmp/kjv.txt" --model_prefix="$tmp/spm" --model_type=bpe \
    --vocab_size=8000 --num_threads=1 > "$tmp/spm_train.log" 2>&1
timed "$tmp/spm_encode.time" spm_encode --model="$tmp/spm.model" --output_format=id < "$tmp/kjv.txt" > "$tmp/spm.ids"
s_train=$(cpu "$tmp/spm_train.time")
s_enc=$(cpu "$tmp/spm_encode.time")
s_mbps=$(awk -v m="$mb" -v s="$s_enc" 'BEGIN{printf "%.2f", m/s}')
s_tokens=$(wc -w < "$tmp/spm.ids")

train_ratio=$(awk -v a="$s_train" -v b="$l_train" 'BEGIN{printf "%.1f", a/b}')
enc_ratio=$(awk -v a="$l_gpt2" -v b="$s_mbps" 'BEGIN{printf "%.1f", a/b}')
enc8k_ratio=$(awk -v a="$l_8k" -v b="$s_mbps" 'BEGIN{printf "%.1f", a/b}')

printf '\n%-46s %14s %14s %8s\n' "" "llmlab" "sentencepiece" "ratio"
printf '%-46s %13ss %13ss %7sx\n' "BPE training to 8,000 tokens (CPU, 1 thread)" "$l_train" "$s_train" "$train_ratio"
printf '%-46s %9s MB/s %9s MB/s %7sx\n' "encode, GPT-2 tokenizer vs spm 8k model" "$l_gpt2" "$s_mbps" "$enc_ratio"
printf '%-46s %9s MB/s %9s MB/s %7sx\n' "encode, llmlab 8k model vs spm 8k model" "$l_8k" "$s_mbps" "$enc8k_ratio"
printf '%-46s %10s KiB %10s KiB\n' "peak RSS (llmlab: whole run; spm: training)" "$(rss "$tmp/llmlab.time")" "$(rss "$tmp/spm_train.time")"
printf '%-46s %14s %14s\n' "tokens (GPT-2 / llmlab 8k | spm 8k)" "$(get gpt2_tokens)/$(get bpe8k_tokens)" "$s_tokens"
echo "(target: GPT-2 encoding >= 20 MB/s on one core; training and encoding ratios > 1)"
echo "BENCH tokenizers bytes=$bytes llmlab_train_cpu_s=$l_train spm_train_cpu_s=$s_train train_ratio=$train_ratio" \
     "llmlab_gpt2_mbps=$l_gpt2 llmlab_bpe8k_mbps=$l_8k spm_encode_mbps=$s_mbps encode_ratio=$enc_ratio" \
     "llmlab_rss_kib=$(rss "$tmp/llmlab.time") spm_train_rss_kib=$(rss "$tmp/spm_train.time")"
