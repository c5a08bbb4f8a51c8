-- Lab 5 (week 3): tokenisation. Word tokenizers side by side, a BPE trainer
-- the student writes in Lua checked merge for merge against the engine's C
-- trainer, a speed table, and GPT-2's own tokenizer on Moby Dick.
local check = require "llm.check"

-- The first `chars` characters of Moby Dick's chapters (whole lines).
local function moby_text(chars)
  local parts, n = {}, 0
  for _, ch in ipairs(llm.corpora.moby_dick()) do
    for line in (ch.text .. "\n"):gmatch("(.-)\n") do
      if n >= chars then return table.concat(parts, "\n") end
      parts[#parts + 1] = line
      n = n + #line + 1
    end
  end
  return table.concat(parts, "\n")
end

local function fmt_row(cols, widths)
  local out = {}
  for i, c in ipairs(cols) do out[i] = string.format("%-" .. widths[i] .. "s", tostring(c)) end
  return table.concat(out, " ")
end

-- How many of the first merges agree (same pair, same new id).
local function agreeing_prefix(mine, ref)
  local n = 0
  for i = 1, #ref do
    local a, b = type(mine) == "table" and rawget(mine, i), ref[i]
    if type(a) ~= "table" or rawget(a, 1) ~= b[1] or rawget(a, 2) ~= b[2] or rawget(a, 3) ~= b[3] then break end
    n = i
  end
  return n
end

return {
  id = "w03.lab05",
  week = 3,
  title = "Tokenisation: words, BPE and GPT-2",
  objectives = {
    "Compare whitespace, regex and Treebank word tokenizers on real prose",
    "Write a byte-level BPE trainer and get exactly the merges of the engine's C trainer",
    "Measure why production tokenizers are written in C (a speed table)",
    "Use GPT-2's tokenizer and read its tokens, including the leading-space pieces",
  },
  size = { small = { chars = 12000, merges = 40 }, full = { chars = 200000, merges = 200 } },
  time = 90,
  memory = 256,
  exercises = {
    { name = "word_tokens", hints = {
      "Walk the text with `text:gmatch(...)`: a token is either a run of letters/digits or one punctuation character.",
      "Letters and digits: `[%w]+`; an apostrophe between letters stays inside the word (\"don't\"), so try `%w+'%w+` first, then `%w+`, then `%p`.",
      "One way: loop with a position `i`; at each step try `text:match(\"^%w+'%w+\", i)`, then `\"^%w+\"`, then `\"^%p\"`, else skip one byte (spaces).",
    } },
    { name = "train_bpe", hints = {
      "Pre-tokenize with `llm.tokenize.pretokenize(text, \"gpt2\")` and count each piece; each piece becomes a list of byte values `{piece:byte(1, -1)}`.",
      "Each round: count adjacent pairs over all pieces, weighted by the piece's count; take the largest count, ties to the smallest left id and then the smallest right id; stop when the best count is below 2.",
      "The new token gets id `255 + k` for the k-th merge; replace every non-overlapping occurrence of the pair left to right in every piece, then record `{left, right, new_id}`.",
    } },
  },
  steps = {
    {
      title = "Why tokenise",
      text = [[
# Tokenisation
A model never sees text, only a sequence of **token ids**. The tokenizer
decides what one unit is: a word, a piece of a word, a byte. This lab
works on the opening chapters of *Moby Dick*.

- **Word tokenizers** split on spaces and punctuation. Their vocabulary is
  open: every new word is a new token (or `<unk>`).
- **Subword tokenizers** (BPE, WordPiece, Unigram) learn a fixed vocabulary
  of frequent pieces; any word can be written with them.
- **Byte-level BPE** (GPT-2) starts from the 256 byte values, so nothing is
  ever unknown.
]],
    },
    {
      title = "Three word tokenizers",
      text = [[
The engine has `llm.tokenize.whitespace`, `regex` (PCRE2) and `treebank`
(the Penn Treebank rules NLTK uses: `don't` -> `do n't`, quotes as ``
and ''). Here they meet sentences from *Moby Dick*; note the em-dashes,
curly apostrophes and semicolons.
]],
      run = function(ctx)
        local T = llm.tokenize
        local text = moby_text(ctx.params.chars)
        local sents = T.sentences((text:gsub("%s+", " ")))
        local s = sents[2]
        print("sentence: " .. s)
        for _, name in ipairs({ "whitespace", "regex", "treebank" }) do
          local toks = name == "regex" and T.regex(s, "\\w+|[^\\w\\s]") or T[name](s)
          print(string.format("%-10s %3d tokens: %s", name, #toks, table.concat(toks, " | ", 1, math.min(#toks, 14))))
        end
        local vw, vt = {}, {}
        local nw, nt = 0, 0
        for _, w in ipairs(T.whitespace(text)) do if not vw[w] then vw[w] = true nw = nw + 1 end end
        for _, w in ipairs(T.treebank(text)) do if not vt[w] then vt[w] = true nt = nt + 1 end end
        print(string.format("distinct tokens in %d chars: whitespace %d, treebank %d", #text, nw, nt))
        return { sentences = #sents, whitespace = nw, treebank = nt }
      end,
      check = function(ctx)
        local r = ctx.result
        if r.sentences > 10 and r.treebank < r.whitespace then
          return check.result(1, 1, "punctuation split off makes the vocabulary smaller")
        end
        return check.result(0, 1, "unexpected counts " .. check.show(r))
      end,
    },
    {
      title = "Your word tokenizer",
      exercise = "word_tokens",
      points = 4,
      text = [[
Write `word_tokens(text)`: the list of tokens of `text`, where a token is
a run of ASCII letters and digits (an apostrophe **between** two such
runs stays inside: `don't`, `whale's`), or a single ASCII punctuation
character. Spaces separate tokens and are dropped; other bytes are skipped.

```
word_tokens("Call me Ishmael. Don't!") --> {"Call", "me", "Ishmael", ".", "Don't", "!"}
```
]],
      check = function(ctx)
        local r = check.cases(ctx.ex.word_tokens, {
          { args = { "Call me Ishmael. Don't!" }, expect = { "Call", "me", "Ishmael", ".", "Don't", "!" } },
          { name = "numbers and commas", args = { "In 1851, 3 boats" }, expect = { "In", "1851", ",", "3", "boats" } },
          { name = "quote at the edge", args = { "'tis the whale's" }, expect = { "'", "tis", "the", "whale's" } },
          { name = "empty", args = { "" }, expect = {} },
        }, { name = "word_tokens" })
        return r
      end,
    },
    {
      title = "Your tokenizer on the book",
      exercise = "word_tokens",
      points = 2,
      text = [[
The same function over the lab's text, compared with the engine's regex
tokenizer using the same rule (`[A-Za-z0-9]+(?:'[A-Za-z0-9]+)?|[!-/:-@\[-`{-~]`).
]],
      run = function(ctx)
        local text = moby_text(ctx.params.chars):gsub("[\128-\255]+", " ")
        local mine = ctx.ex.word_tokens(text)
        local ref = llm.tokenize.regex(text, "[A-Za-z0-9]+(?:'[A-Za-z0-9]+)?|[!-/:-@\\[-`{-~]")
        local same = 0
        if type(mine) == "table" then
          for i = 1, #ref do if rawget(mine, i) == ref[i] then same = same + 1 else break end end
        end
        print(string.format("your tokens: %s, reference: %d, identical prefix: %d",
          type(mine) == "table" and tostring(#mine) or type(mine), #ref, same))
        return { n = type(mine) == "table" and #mine or -1, ref = #ref, same = same }
      end,
      check = function(ctx)
        local r = ctx.result
        if r.n == r.ref and r.same == r.ref then return check.result(2, 2, "all " .. r.ref .. " tokens agree") end
        if r.same >= r.ref / 2 then return check.result(1, 2, string.format("the first %d of %d tokens agree", r.same, r.ref)) end
        return check.result(0, 2, string.format("only the first %d of %d tokens agree", r.same, r.ref))
      end,
    },
    {
      title = "Byte-pair encoding, by hand",
      exercise = "train_bpe",
      points = 3,
      text = [[
# BPE training
1. Split the text into pieces with GPT-2's pre-tokenizer
   (`llm.tokenize.pretokenize(text, "gpt2")`: words with their leading
   space, numbers, punctuation runs) and count them.
2. Write each piece as its bytes: token ids 0..255.
3. Repeat `num_merges` times: count every adjacent pair of ids over all
   pieces (weighted by the piece's count), pick the most frequent pair
   (ties: smallest left id, then smallest right id; stop if the best count
   is below 2), give it the next id (256, 257, ...) and replace it
   everywhere, left to right.

Write `train_bpe(text, num_merges)` returning the merges in order, each
`{left_id, right_id, new_id}` -- the same shape as the engine's
`tok:merges()`.
]],
      check = function(ctx)
        return check.cases(ctx.ex.train_bpe, {
          { name = "one merge", args = { "aaab aaab", 1 }, expect = { { 97, 97, 256 } } },
          -- pieces "ab"(x1) and " ab"(x2) and " ab"...: hand-counted
          { name = "leading spaces", args = { "ab ab ab", 2 }, expect = { { 97, 98, 256 }, { 32, 256, 257 } } },
          { name = "stops below count 2", args = { "xy", 5 }, expect = {} },
        }, { name = "train_bpe" })
      end,
    },
    {
      title = "Same merges as the C trainer",
      exercise = "train_bpe",
      points = 4,
      heavy = true,
      text = [[
The engine's `llm.bpe.train` does the same job with incremental pair
counts and a priority queue. On the same text and the same tie rule both
must learn **the same merges, in the same order**. Points for the share of
the merges that agree from the start.
]],
      run = function(ctx)
        local text = moby_text(ctx.params.chars)
        local m = ctx.params.merges
        local ref = llm.bpe.train(text, { vocab_size = 256 + m }):merges()
        local mine = ctx.ex.train_bpe(text, m)
        local agree = agreeing_prefix(mine, ref)
        local ctok = llm.bpe.train(text, { vocab_size = 256 + m })
        local shown = {}
        for i = 1, math.min(12, #ref) do shown[i] = string.format("%q", ctok:id_to_token(ref[i][3])) end
        print("first merges: " .. table.concat(shown, " "))
        print(string.format("%d of %d merges agree", agree, #ref))
        return { agree = agree, total = #ref }
      end,
      check = function(ctx)
        local r = ctx.result
        local pts = math.floor(4 * r.agree / math.max(1, r.total))
        return check.result(pts, 4, string.format("%d of %d merges agree with llm.bpe.train", r.agree, r.total))
      end,
    },
    {
      title = "A speed table",
      exercise = "train_bpe",
      heavy = true,
      text = [[
Your trainer recounts every pair after every merge: the work grows with
merges x corpus. `llm.bpe_naive` is the project's own plain version;
`llm.bpe.train` (C) updates only the counts a merge touches. The table
gives CPU seconds on this text.
]],
      run = function(ctx)
        local text = moby_text(ctx.params.chars)
        local m = ctx.params.merges
        local function time(f)
          local t0 = os.clock(); f(); return os.clock() - t0
        end
        local mine
        local rows = {
          { "yours (Lua)", time(function() mine = ctx.ex.train_bpe(text, m) end) },
          { "llm.bpe_naive (Lua)", time(function() llm.bpe_naive.train(text, { vocab_size = 256 + m }) end) },
          { "llm.bpe.train (C)", time(function() llm.bpe.train(text, { vocab_size = 256 + m }) end) },
        }
        print(string.format("%d merges on %d bytes", m, #text))
        print(fmt_row({ "trainer", "seconds", "x C" }, { 22, 10, 8 }))
        for _, r in ipairs(rows) do
          print(fmt_row({ r[1], string.format("%.4f", r[2]), string.format("%.0f", r[2] / math.max(rows[3][2], 1e-6)) },
            { 22, 10, 8 }))
        end
        return { c = rows[3][2], mine = rows[1][2], merges = type(mine) == "table" and #mine or 0 }
      end,
      check = function(ctx)
        local r = ctx.result
        if r.merges == 0 then return check.result(0, 1, "your train_bpe returned no merges to time") end
        return check.result(1, 1, string.format("the C trainer took %.4f s, yours %.4f s", r.c, r.mine))
      end,
    },
    {
      title = "GPT-2's tokenizer",
      text = [[
GPT-2's vocabulary has 50,257 tokens learned on web text. Its pieces carry
their leading space (shown as `Ġ` in its files; here as the real byte), so
` whale` and `whale` are different tokens. Rare and old words split into
several pieces; the plot shows how many tokens each word takes.
]],
      run = function(ctx)
        local g = llm.bpe.gpt2()
        local text = moby_text(math.min(ctx.params.chars, 20000))
        local s = "Call me Ishmael. Some years ago—never mind how long precisely"
        local toks = g:tokens(s)
        local shown = {}
        for i, t in ipairs(toks) do shown[i] = string.format("%q", t) end
        print(#toks .. " tokens: " .. table.concat(shown, " "))
        local hist = {}
        local words = llm.tokenize.whitespace(text)
        local total = 0
        for _, w in ipairs(words) do
          local n = #g:encode(" " .. w)
          total = total + n
          hist[#hist + 1] = n
        end
        for _, w in ipairs({ "whale", "Leviathan", "harpooneer", "Queequeg" }) do
          print(string.format("%-12s -> %s", w, table.concat(g:tokens(" " .. w), "|")))
        end
        print(string.format("%.3f GPT-2 tokens per whitespace word, %d tokens for %d bytes",
          total / #words, #g:encode(text), #text))
        llm.plot.histogram { title = "GPT-2 tokens per word (Moby Dick)", xlabel = "tokens", values = hist,
          bins = 6, range = { 0.5, 6.5 } }
        assert(g:decode(g:encode(text)) == text, "round trip failed")
        return { per_word = total / #words }
      end,
      check = function(ctx)
        local p = ctx.result.per_word
        if p > 1 and p < 2 then return check.result(1, 1, string.format("%.2f tokens per word", p)) end
        return check.result(0, 1, string.format("%.2f tokens per word is outside (1, 2)", p))
      end,
    },
  },
}
