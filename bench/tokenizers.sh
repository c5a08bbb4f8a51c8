#!/bin/bash
# bench/tokenizers.sh: llmlab's byte-level BPE against Debian's sentencepiece.
#   1. BPE training on the KJV Bible (bible-kjv: `bible -l10000 "Gen1:1-Rev22:21"`)
#      to 8,000 tokens: llm.bpe.train vs spm_train --model_type=bpe, one thread each.
#   2. Encoding the same text on one core: GPT-2's tokenizer (llm.bpe.gpt2) and
#      the 8k model trained above vs spm_encode with the model spm trained.
# Prints both tools' figures, the ratios, and a final machine-readable line
#   BENCH tokenizers key=value ...
# Needs: bible-kjv, sentencepiece (apt-get install -y sentencepiece), the
# gpt2-bpe data (llmlab data fetch gpt2-bpe). Usage: bench/tokenizers.sh [LLMLAB_BIN]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-${LLMLAB_BIN:-$here/../llmlab}}
for t in bible spm_train spm_encode; do
    command -v $t >/dev/null || { echo "bench/tokenizers.sh: $t is missing (apt-get install -y bible-kjv sentencepiece)" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "bench/tokenizers.sh: no llmlab binary at $bin (build first)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bible -l10000 "Gen1:1-Rev22:21" > "$tmp/kjv.txt"
bytes=$(wc -c < "$tmp/kjv.txt")
mb=$(awk -v b="$bytes" 'BEGIN{printf "%.3f", b/1e6}')
echo "text: KJV Bible, $bytes bytes ($mb MB); $(nproc) cores on this machine, one used by each tool"

now() { date +%s.%N; }

# llmlab: training + encoding (times measured inside the process)
"$bin" run "$here/tokenizers.lua" "$tmp/kjv.txt" "$tmp/llmlab_8k.json" > "$tmp/llmlab.out"
get() { sed -n "s/^$1=//p" "$tmp/llmlab.out"; }
l_train=$(get train_s); l_gpt2=$(get gpt2_encode_mbps); l_8k=$(get bpe8k_encode_mbps)

# sentencepiece: training and encoding (wall clock of the commands)
t0=$(now)
spm_train --input="$tmp/kjv.txt" --model_prefix="$tmp/spm" --model_type=bpe --vocab_size=8000 \
    --num_threads=1 > "$tmp/spm_train.log" 2>&1
t1=$(now)
spm_encode --model="$tmp/spm.model" --output_format=id < "$tmp/kjv.txt" > "$tmp/spm.ids"
t2=$(now)
s_train=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')
s_enc=$(awk -v a="$t1" -v b="$t2" 'BEGIN{printf "%.3f", b-a}')
s_mbps=$(awk -v m="$mb" -v s="$s_enc" 'BEGIN{printf "%.2f", m/s}')
s_tokens=$(wc -w < "$tmp/spm.ids")

train_ratio=$(awk -v a="$s_train" -v b="$l_train" 'BEGIN{printf "%.1f", a/b}')
enc_ratio=$(awk -v a="$l_gpt2" -v b="$s_mbps" 'BEGIN{printf "%.1f", a/b}')
enc8k_ratio=$(awk -v a="$l_8k" -v b="$s_mbps" 'BEGIN{printf "%.1f", a/b}')

printf '\n%-44s %12s %12s %8s\n' "" "llmlab" "sentencepiece" "ratio"
printf '%-44s %11ss %11ss %7sx\n' "BPE training to 8,000 tokens (1 thread)" "$l_train" "$s_train" "$train_ratio"
printf '%-44s %9s MB/s %9s MB/s %7sx\n' "encode, GPT-2 tokenizer vs spm 8k model" "$l_gpt2" "$s_mbps" "$enc_ratio"
printf '%-44s %9s MB/s %9s MB/s %7sx\n' "encode, llmlab 8k model vs spm 8k model" "$l_8k" "$s_mbps" "$enc8k_ratio"
printf '%-44s %12s %12s\n' "tokens for the text (GPT-2 / llmlab 8k / spm)" "$(get gpt2_tokens)/$(get bpe8k_tokens)" "$s_tokens"
echo "(llmlab: time inside the process, text already in memory; spm: wall clock of spm_train/spm_encode"
echo " reading the file; target: GPT-2 encoding >= 20 MB/s on one core, both ratios > 1)"
echo "BENCH tokenizers bytes=$bytes llmlab_train_s=$l_train spm_train_s=$s_train train_ratio=$train_ratio" \
     "llmlab_gpt2_mbps=$l_gpt2 llmlab_bpe8k_mbps=$l_8k spm_encode_mbps=$s_mbps encode_ratio=$enc_ratio"
