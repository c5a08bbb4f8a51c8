#!/bin/bash
# End-to-end tests of the tokenizers from the command line: GPT-2's
# tokenizer through `llmlab eval`, the clear error when its files are not
# fetched, a BPE saved by one process and loaded by another, and damaged
# tokenizer files.
. "$SRCDIR/tests/e2e/lib.sh"
L=$LLMLAB_BIN
T=$E2E_TMP

expect_cmd "gpt2 encodes" 0 '^15496,995,11,340,338,1160,2075,0$' - -- \
    $L eval 'print(table.concat(llm.bpe.gpt2():encode("Hello world, it'"'"'s 2026!"), ","))'
expect_cmd "gpt2 decodes" 0 '^Hello world$' - -- $L eval 'print(llm.bpe.gpt2():decode({15496, 995}))'
expect_cmd "missing gpt2 files name the fetch command" 1 - 'llmlab data fetch gpt2-bpe' -- \
    env LLMLAB_DATA="$T/empty" $L eval 'llm.bpe.gpt2()'

printf 'low lower lowest newer newest wider widest\n%.0s' $(seq 50) > "$T/corpus.txt"
expect_cmd "train and save" 0 '^270$' - -- $L eval \
    'local t = llm.bpe.train(io.open("'"$T"'/corpus.txt"):read("a"), {vocab_size = 270}); t:save("'"$T"'/bpe.json"); print(t:vocab_size())'
expect_cmd "load in another process" 0 '^lowest newest$' - -- $L eval \
    'local t = llm.bpe.load("'"$T"'/bpe.json"); print(t:decode(t:encode("lowest newest")))'
head -c 200 "$T/bpe.json" > "$T/cut.json"
expect_cmd "truncated tokenizer file" 1 - 'bpe.load: .*cut\.json' -- $L eval 'llm.bpe.load("'"$T"'/cut.json")'

mkdir -p "$T/bad/gpt2-bpe/package"
printf '{"!": 0, "\\"": 1' > "$T/bad/gpt2-bpe/package/encoder.json"
printf '#version: 0.2\n' > "$T/bad/gpt2-bpe/package/vocab.bpe"
expect_cmd "truncated encoder.json" 1 - 'encoder\.json' -- env LLMLAB_DATA="$T/bad" $L eval 'llm.bpe.gpt2()'
finish
