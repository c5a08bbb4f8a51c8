-- Lab 0 (week 0): a tour of the lab format itself. It uses only the core
-- of the `llm` module, so it runs on any build; instructors can copy its
-- shape (`llmlab lab new` writes the same skeleton).
local check = require "llm.check"

-- A small deterministic text: `n` words drawn with the engine's PRNG.
local function make_text(n, seed)
  llm.seed(seed)
  local vocab = { "the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran" }
  local words = {}
  for i = 1, n do
    words[i] = vocab[llm.random(#vocab)]
    if i % 7 == 0 then words[i] = words[i] .. "." end
  end
  return table.concat(words, " ")
end

return {
  id = "w00.lab00",
  week = 0,
  title = "Welcome: how a lab works",
  objectives = {
    "Read a lab's steps, run them and read the check results",
    "Edit your exercise copy and re-run the checks",
    "Ask for hints without spoiling the whole answer",
  },
  size = { small = { words = 2000 }, full = { words = 200000 } },
  time = 5,
  memory = 64,
  exercises = {
    { name = "word_counts", hints = {
      "Split the text into words with `text:gmatch(\"%a+\")` and lower-case each one.",
      "Keep a table `counts`; for each word do `counts[w] = (counts[w] or 0) + 1`.",
      "```lua\nfor w in text:gmatch(\"%a+\") do w = w:lower(); counts[w] = (counts[w] or 0) + 1 end\n```",
    } },
    { name = "mean_sentence_length", hints = {
      "A sentence ends at `.`, `!` or `?`; count the words in each piece.",
      "Use `text:gmatch(\"[^.!?]+\")` for the sentences and skip pieces with no words.",
      "Sum the word counts of the non-empty sentences and divide by how many there were; return 0 for none.",
    } },
  },
  steps = {
    {
      title = "What a lab is",
      text = [[
# Welcome to llmlab
Every lab is a list of **steps**. A step has some text (this), may **run**
code and may **check** your work. Checks give points, for example `3/3`.

- `llmlab lab show 0` prints all the text.
- `llmlab lab run 0` runs every step on your exercise copy.
- `llmlab lab run 0 --step 3` runs one step; `--check` only checks.
- `llmlab lab hint 0` shows the next hint.
]],
    },
    {
      title = "The engine",
      text = [[
Code in a step runs in a **sandbox**: a fresh Lua state with the `llm`
module, a time budget and a memory budget. Random numbers come from the
engine's generator, so a seed gives the same numbers everywhere. The step
also logs a tiny run, the way training labs record their loss curves
(`llmlab runs list` shows it):

```lua
llm.seed(42); print(llm.random())
```
]],
      run = function(ctx)
        print("llm version " .. llm.version .. " on " .. _VERSION)
        llm.seed(42)
        local a = llm.random()
        llm.seed(42)
        print(string.format("seed 42 twice gives %.6f and %.6f", a, llm.random()))
        -- Training labs log their curves as runs (`llmlab runs list`).
        local run = llm.runs.start { name = "welcome", params = { seed = 42 } }
        for step = 1, 5 do run:log(step, { value = llm.random() }) end
        run:finish()
      end,
    },
    {
      title = "Count words",
      exercise = "word_counts",
      points = 3,
      text = [[
Open your exercise copy (the path is printed by `llmlab lab run 0`) and
write `word_counts(text)`: a table from each lower-cased word (letters
only) to how many times it occurs.
]],
      check = function(ctx)
        return check.cases(ctx.ex.word_counts, {
          { args = { "the cat the mat" }, expect = { the = 2, cat = 1, mat = 1 } },
          { name = "case and punctuation", args = { "The cat. THE end!" }, expect = { the = 2, cat = 1, ["end"] = 1 } },
          { name = "empty text", args = { "" }, expect = {} },
        }, { name = "word_counts" })
      end,
    },
    {
      title = "Sentence length",
      exercise = "mean_sentence_length",
      points = 2,
      text = [[
Write `mean_sentence_length(text)`: the average number of words per
sentence, where sentences end with `.`, `!` or `?` (0 for no sentences).
]],
      check = function(ctx)
        return check.cases(ctx.ex.mean_sentence_length, {
          { args = { "One two three. Four five!" }, expect = 2.5, tol = 1e-9 },
          { name = "no text", args = { "" }, expect = 0, tol = 1e-9 },
        }, { name = "mean_sentence_length" })
      end,
    },
    {
      title = "A bigger text",
      exercise = "word_counts",
      heavy = true,
      text = [[
Heavy steps have a **small-CPU size** for laptops and CI (`--small`) and a
full size. Here your `word_counts` meets a generated text; the check only
needs the counts to add up to the number of words.
]],
      run = function(ctx)
        local text = make_text(ctx.params.words, 7)
        local counts = ctx.ex.word_counts(text)
        local total, distinct = 0, 0
        for _, c in pairs(counts or {}) do total, distinct = total + c, distinct + 1 end
        print(string.format("%d words, %d distinct", total, distinct))
        return { total = total, distinct = distinct }
      end,
      check = function(ctx)
        local r = ctx.result
        local want = ctx.params.words
        if r.total == want and r.distinct == 9 then
          return check.result(1, 1, "the counts add up to " .. want)
        end
        return check.result(0, 1, string.format("the counts add up to %d words (%d distinct); expected %d (9)",
          r.total, r.distinct, want))
      end,
    },
  },
}
