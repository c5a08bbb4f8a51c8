-- Lab 6 (week 3): training subword tokenizers (BPE, WordPiece, Unigram) on
-- the King James Bible, the student's own WordPiece encoder and Unigram
-- Viterbi checked against the trained models, and the vocabulary-size vs
-- tokens-per-word curve.
local check = require "llm.check"

-- Training text (verses 1..n, without every 10th) and held-out verses.
local function texts(n)
  local train, held = {}, {}
  for i, v in ipairs(llm.corpora.kjv({ limit = n })) do
    if i % 10 == 0 then held[#held + 1] = v.text else train[#train + 1] = v.text end
  end
  return table.concat(train, "\n"), table.concat(held, "\n")
end

-- Distinct words of held-out text (letters only), for encoder checks.
local function held_words(held, lower)
  local seen, out = {}, {}
  for w in held:gmatch("%a+") do
    if lower then w = w:lower() end
    if not seen[w] then seen[w] = true; out[#out + 1] = w end
  end
  return out
end

local function same_list(a, b)
  if type(a) ~= "table" or rawlen(a) ~= #b then return false end
  for i = 1, #b do if rawget(a, i) ~= b[i] then return false end end
  return true
end

return {
  id = "w03.lab06",
  week = 3,
  title = "Training subword tokenizers: BPE, WordPiece, Unigram",
  objectives = {
    "Train BPE, WordPiece and Unigram tokenizers on one corpus and compare their pieces",
    "Write WordPiece's greedy longest-match encoder",
    "Write Unigram's Viterbi segmentation",
    "Choose a vocabulary size from the tokens-per-word curve",
  },
  size = { small = { verses = 700, sizes = { 260, 400, 640 } },
           full = { verses = 4000, sizes = { 300, 600, 1200, 2000 } } },
  time = 60,
  memory = 256,
  exercises = {
    { name = "wordpiece_tokens", hints = {
      "Work on characters: `local cs = {}; for _, c in utf8.codes(word) do cs[#cs + 1] = utf8.char(c) end`.",
      "From position `start`, try the longest candidate first: `table.concat(cs, \"\", start, stop)` for stop = #cs down to start, with \"##\" in front unless start == 1.",
      "Take the first candidate found in `vocab`, append it and continue at stop + 1. If no candidate matches at some start, the whole word is `{\"[UNK]\"}`.",
    } },
    { name = "viterbi", hints = {
      "Let best[i] be the best score of the first i characters (best[0] = 0) and from[i] the start of the last piece.",
      "For each end i and each start j <= i, if the piece chars j..i is in `logp` and best[j-1] + logp[piece] > best[i], update best[i] and from[i] = j.",
      "Walk back from the end: piece = chars from[i]..i, then i = from[i] - 1, and reverse the list. Return nil if best[#chars] was never set.",
    } },
  },
  steps = {
    {
      title = "Three ways to learn pieces",
      text = [[
# Subword vocabularies
All three learn a vocabulary of frequent pieces from a corpus:

- **BPE** (GPT-2, RoBERTa): start from bytes, repeatedly **merge** the most
  frequent adjacent pair.
- **WordPiece** (BERT): start from characters, merge the pair with the best
  `count(ab) / (count(a) count(b))`: pairs whose parts rarely appear
  apart. Pieces inside a word carry `##`. Encoding is **greedy**: the
  longest known prefix first.
- **Unigram** (SentencePiece, T5): start from many candidate substrings and
  **prune**: keep the pieces whose loss would hurt the corpus likelihood
  most. Each piece has a probability; encoding picks the most probable
  segmentation (**Viterbi**).

Here all three train on verses of the King James Bible (9 in 10; the rest
is held out) with the same vocabulary size.
]],
      run = function(ctx)
        local train = texts(ctx.params.verses)
        local v = ctx.params.sizes[2]
        local toks = {
          { "BPE", llm.bpe.train(train, { vocab_size = v }) },
          { "WordPiece", llm.wordpiece.train(train, { vocab_size = v }) },
          { "Unigram", llm.unigram.train(train, { vocab_size = v }) },
        }
        for _, w in ipairs({ "righteousness", "begotten", "Jerusalem", "commandments", "whale" }) do
          local parts = {}
          for _, t in ipairs(toks) do
            local pieces = t[2]:tokens(t[1] == "BPE" and (" " .. w) or w)
            parts[#parts + 1] = string.format("%-9s %s", t[1], table.concat(pieces, " "))
          end
          print(string.format("%-14s %s", w, table.concat(parts, " | ")))
        end
        return { ok = true }
      end,
      check = function(ctx) return check.result(ctx.result.ok and 1 or 0, 1, "three tokenizers trained") end,
    },
    {
      title = "WordPiece encoding",
      exercise = "wordpiece_tokens",
      points = 3,
      text = [[
Write `wordpiece_tokens(vocab, word)`: `vocab` is a set
(`{["piece"] = true}`), `word` a string. Repeatedly take the **longest**
prefix of the rest of the word that is in `vocab` (written with `##` in
front when it is not at the start of the word). If at some point no
prefix is in `vocab`, the result is `{"[UNK]"}`.

```
wordpiece_tokens({un = true, ["##aff"] = true, ["##able"] = true}, "unaffable")
  --> {"un", "##aff", "##able"}
```
]],
      check = function(ctx)
        local v = { un = true, ["##aff"] = true, ["##able"] = true, u = true, ["##n"] = true, ["##a"] = true,
          ["é"] = true, ["##t"] = true, ["##é"] = true }
        return check.cases(ctx.ex.wordpiece_tokens, {
          { args = { v, "unaffable" }, expect = { "un", "##aff", "##able" } },
          { name = "longest first", args = { v, "una" }, expect = { "un", "##a" } },
          { name = "unknown part", args = { v, "unx" }, expect = { "[UNK]" } },
          { name = "UTF-8 characters", args = { v, "été" }, expect = { "é", "##t", "##é" } },
        }, { name = "wordpiece_tokens" })
      end,
    },
    {
      title = "Your encoder on the trained vocabulary",
      exercise = "wordpiece_tokens",
      points = 2,
      heavy = true,
      text = [[
Your encoder with the trained WordPiece vocabulary on every distinct
held-out word, against the trained tokenizer's own `word_pieces`.
]],
      run = function(ctx)
        local train, held = texts(ctx.params.verses)
        local wp = llm.wordpiece.train(train, { vocab_size = ctx.params.sizes[2] })
        local vocab = {}
        for _, p in ipairs(wp.vocab) do vocab[p] = true end
        local words = held_words(held, true)
        local same = 0
        for _, w in ipairs(words) do
          local ok, mine = pcall(ctx.ex.wordpiece_tokens, vocab, w)
          if ok and same_list(mine, wp:word_pieces(w)) then same = same + 1 end
        end
        print(string.format("%d of %d held-out words encoded exactly as the trained tokenizer does", same, #words))
        return { same = same, n = #words }
      end,
      check = function(ctx)
        local r = ctx.result
        local pts = r.same == r.n and 2 or (r.same >= r.n * 0.9 and 1 or 0)
        return check.result(pts, 2, string.format("%d of %d words agree", r.same, r.n))
      end,
    },
    {
      title = "Unigram's Viterbi",
      exercise = "viterbi",
      points = 3,
      text = [[
Write `viterbi(logp, word)`: `logp` maps pieces to log-probabilities; of
all ways to cut `word` (a UTF-8 string) into pieces that are all in
`logp`, return the one whose log-probabilities sum highest, as a list of
pieces; `nil` when no cut exists.

```
viterbi({a = -1, b = -1, ab = -1.5}, "ab") --> {"ab"}    (-1.5 beats -2)
```
]],
      check = function(ctx)
        return check.cases(ctx.ex.viterbi, {
          { args = { { a = -1, b = -1, ab = -1.5 }, "ab" }, expect = { "ab" } },
          { name = "two short beat one long", args = { { a = -1, b = -1, ab = -3 }, "ab" }, expect = { "a", "b" } },
          { name = "middle split", args = { { x = -5, y = -5, z = -5, xy = -2, yz = -4 }, "xyz" }, expect = { "xy", "z" } },
          { name = "UTF-8", args = { { ["▁"] = -2, ["▁a"] = -1, a = -1 }, "▁a" }, expect = { "▁a" } },
          { name = "no cut", args = { { a = -1 }, "ab" }, expect = nil },
        }, { name = "viterbi" })
      end,
    },
    {
      title = "Your Viterbi on the trained model",
      exercise = "viterbi",
      points = 2,
      heavy = true,
      text = [[
Your segmentation with the trained Unigram model's probabilities
(`ug.logp`) on every distinct held-out word (each written `▁word`, as
SentencePiece marks the start of a word), against `ug:tokens(word)`.
]],
      run = function(ctx)
        local train, held = texts(ctx.params.verses)
        local ug = llm.unigram.train(train, { vocab_size = ctx.params.sizes[2] })
        local words = held_words(held, false)
        local same, n = 0, 0
        for _, w in ipairs(words) do
          local covered = true
          for c in w:gmatch(".") do if not ug.logp[c] then covered = false end end
          if covered then
            n = n + 1
            local ok, mine = pcall(ctx.ex.viterbi, ug.logp, "\u{2581}" .. w)
            if ok and same_list(mine, ug:tokens(w)) then same = same + 1 end
          end
        end
        print(string.format("%d of %d held-out words segmented as the trained Unigram model does", same, n))
        return { same = same, n = n }
      end,
      check = function(ctx)
        local r = ctx.result
        local pts = r.same == r.n and 2 or (r.same >= r.n * 0.9 and 1 or 0)
        return check.result(pts, 2, string.format("%d of %d words agree", r.same, r.n))
      end,
    },
    {
      title = "Vocabulary size vs tokens per word",
      heavy = true,
      text = [[
A bigger vocabulary writes the same text in fewer tokens (shorter
sequences, cheaper attention) but costs embedding rows and sees each
piece less often in training. The curve flattens: past some size, new
pieces are rare words that save little. Measured on the held-out verses
with `llm.tokenize.compare`. Note WordPiece at small sizes: its score
`count(ab) / (count(a) count(b))` merges pairs of **rare** symbols first,
so common words stay spelled out in characters until the vocabulary grows.
]],
      time = 400,
      run = function(ctx)
        local train, held = texts(ctx.params.verses)
        local series = { { name = "BPE", x = {}, y = {} }, { name = "WordPiece", x = {}, y = {} },
          { name = "Unigram", x = {}, y = {} } }
        print(string.format("%6s %9s %9s %9s  (tokens per word, held out)", "vocab", "BPE", "WordPiece", "Unigram"))
        for _, v in ipairs(ctx.params.sizes) do
          local rows = llm.tokenize.compare({
            { name = "BPE", tok = llm.bpe.train(train, { vocab_size = v }) },
            { name = "WordPiece", tok = llm.wordpiece.train(train, { vocab_size = v }) },
            { name = "Unigram", tok = llm.unigram.train(train, { vocab_size = v }) },
          }, held)
          for i, r in ipairs(rows) do
            series[i].x[#series[i].x + 1] = v
            series[i].y[#series[i].y + 1] = r.tokens_per_word
          end
          print(string.format("%6d %9.3f %9.3f %9.3f", v, rows[1].tokens_per_word, rows[2].tokens_per_word,
            rows[3].tokens_per_word))
        end
        llm.plot.line { title = "tokens per word vs vocabulary size (KJV held out)", xlabel = "vocabulary size",
          ylabel = "tokens per word", series = series }
        local falling = true
        for _, s in ipairs(series) do
          for i = 2, #s.y do if s.y[i] > s.y[i - 1] then falling = false end end
        end
        return { falling = falling }
      end,
      check = function(ctx)
        return check.result(ctx.result.falling and 1 or 0, 1, "tokens per word falls as the vocabulary grows")
      end,
    },
  },
}
