-- Lab 2 (week 1): basic text analysis: word frequencies, Zipf's law with a
-- least-squares fit, sentence lengths, and two centuries of State of the
-- Union addresses compared.
local check = require "llm.check"
local text = llm.text

local function moby(chapters)
  local parts = {}
  for i, c in ipairs(llm.corpora.moby_dick({ limit = chapters })) do parts[i] = c.text end
  return table.concat(parts, "\n\n")
end

local function lower_words(s) return text.words(text.casefold(s)) end

-- Speeches of one era as one text of about `words` words, taking the same
-- share from the start of every speech so all the years are represented.
local function century(from, to, words)
  local list = llm.corpora.sotu({ from = from, to = to })
  local quota = math.max(50, words // #list)
  local parts = {}
  for _, s in ipairs(list) do
    local n = 0
    for sentence in s.text:gmatch("[^.!?]+[.!?]*") do
      parts[#parts + 1] = sentence
      n = n + select(2, sentence:gsub("%S+", ""))
      if n >= quota then break end
    end
  end
  return table.concat(parts, " ")
end

return {
  id = "w01.lab02",
  week = 1,
  title = "Basic text analysis: frequencies, Zipf, sentences",
  objectives = {
    "Count word frequencies and read type/token statistics of a novel",
    "Fit Zipf's law by least squares on a log-log plot",
    "Draw a sentence-length histogram",
    "Compare two corpora fairly (equal sizes): SOTU addresses by century",
  },
  size = { small = { chapters = 8, words = 15000 }, full = { chapters = 135, words = 120000 } },
  time = 20,
  memory = 256,
  exercises = {
    { name = "word_frequencies", hints = {
      "Count first: `counts[w] = (counts[w] or 0) + 1` for every word.",
      "Then build a list of `{word = w, count = c}` and sort it with `table.sort(list, function(a, b) ... end)`.",
      "The comparison: `if a.count ~= b.count then return a.count > b.count end return a.word < b.word`.",
    } },
    { name = "zipf_fit", hints = {
      "Take x = ln(rank) (ranks 1, 2, 3, ...) and y = ln(count) for every entry; fit y = a + b x by least squares.",
      "b = (n Σxy - Σx Σy) / (n Σx² - (Σx)²) and a = (Σy - b Σx) / n. Zipf's exponent is s = -b.",
      "Return two numbers: `return -b, a`.",
    } },
  },
  steps = {
    {
      title = "Counting words",
      text = [[
# Text statistics
The first look at any corpus: how many **tokens** (running words), how
many **types** (distinct words), the **type/token ratio**, the words seen
once (**hapax legomena**), and the most frequent words. `llm.text.statistics`
computes them in one pass in C; this step runs it on *Moby Dick*.
]],
      run = function(ctx)
        local st = text.statistics(moby(ctx.params.chapters))
        print(string.format("%d tokens, %d types, TTR %.3f, %d hapax (%.0f%% of the types), %d sentences",
          st.words, st.types, st.ttr, st.hapax, 100 * st.hapax / st.types, st.sentences))
        local top = {}
        for i = 1, 12 do top[i] = st.top[i].word .. " " .. st.top[i].count end
        print("top: " .. table.concat(top, ", "))
        return { words = st.words, types = st.types }
      end,
      check = function(ctx)
        local r = ctx.result
        if r.types < r.words and r.words > 1000 then return check.result(1, 1, "types < tokens") end
        return check.result(0, 1, "unexpected " .. check.show(r))
      end,
    },
    {
      title = "Your frequency list",
      exercise = "word_frequencies",
      points = 3,
      text = [[
Write `word_frequencies(words)`: from a list of words, the list of
`{word = w, count = c}`, most frequent first, ties in alphabetical order.

```
word_frequencies({"b", "a", "b"}) --> {{word = "b", count = 2}, {word = "a", count = 1}}
```
]],
      check = function(ctx)
        return check.cases(ctx.ex.word_frequencies, {
          { args = { { "b", "a", "b" } }, expect = { { word = "b", count = 2 }, { word = "a", count = 1 } } },
          { name = "ties alphabetical", args = { { "z", "y", "x", "y", "z" } },
            expect = { { word = "y", count = 2 }, { word = "z", count = 2 }, { word = "x", count = 1 } } },
          { name = "no words", args = { {} }, expect = {} },
        }, { name = "word_frequencies" })
      end,
    },
    {
      title = "Your counts on the book",
      exercise = "word_frequencies",
      points = 2,
      text = [[
Your function on the lower-cased words of the book (`llm.text.words`),
against the engine's top 20.
]],
      run = function(ctx)
        local s = moby(ctx.params.chapters)
        local mine = ctx.ex.word_frequencies(lower_words(s))
        local ref = text.statistics(s, { top = 20 }).top
        local same = 0
        for i = 1, #ref do
          local m = type(mine) == "table" and rawget(mine, i)
          if type(m) == "table" and rawget(m, "word") == ref[i].word and rawget(m, "count") == ref[i].count then
            same = same + 1
          end
        end
        print(string.format("%d of the top %d agree with llm.text.statistics", same, #ref))
        return { same = same, total = #ref }
      end,
      check = function(ctx)
        local r = ctx.result
        local pts = r.same == r.total and 2 or (r.same >= r.total // 2 and 1 or 0)
        return check.result(pts, 2, string.format("%d of the top %d words and counts agree", r.same, r.total))
      end,
    },
    {
      title = "Zipf's law",
      exercise = "zipf_fit",
      points = 3,
      text = [[
Zipf noticed that a word's frequency is roughly proportional to
1 / rank^s with s near 1: on log-log axes, rank against count is close
to a straight line of slope -s. Write `zipf_fit(counts)`: `counts` is a
list of counts sorted from largest down (rank 1 first); fit
`ln(count) = a - s ln(rank)` by least squares and return `s, a`.
]],
      check = function(ctx)
        local function fit_case(name, counts, s, a)
          return { name = name, args = { counts }, check = function(got_s)
            local ok, gs, ga = pcall(ctx.ex.zipf_fit, counts)
            if not ok then return false, "raised " .. tostring(gs) end
            return check.near(gs, s, 1e-9) and check.near(ga, a, 1e-9),
              string.format("returned %s, %s; expected %.6f, %.6f", check.show(gs), check.show(ga), s, a)
          end }
        end
        return check.cases(ctx.ex.zipf_fit, {
          fit_case("exact 1/rank", { 60, 30, 20, 15, 12 }, 1, math.log(60)),
          fit_case("exact 1/rank^2", { 16, 4 }, 2, math.log(16)),
          fit_case("flat", { 5, 5, 5 }, 0, math.log(5)),
        }, { name = "zipf_fit" })
      end,
    },
    {
      title = "The Zipf plot",
      exercise = "zipf_fit",
      points = 2,
      heavy = true,
      text = [[
Rank against frequency for every word of the book on log-log axes, with
your fitted line. The fit is pulled by the long tail of words seen once
or twice (the flat steps at the bottom right).
]],
      run = function(ctx)
        local st = text.statistics(moby(ctx.params.chapters), { zipf_points = 100000 })
        local counts = st.zipf.freq
        local s, a = ctx.ex.zipf_fit(counts)
        print(string.format("your fit: s = %s, a = %s; engine: s = %.4f, a = %.4f (R² %.3f)",
          tostring(s), tostring(a), st.zipf.s, st.zipf.a, st.zipf.r2))
        local lx, ly, fx, fy = {}, {}, {}, {}
        for r, c in ipairs(counts) do lx[r], ly[r] = math.log(r, 10), math.log(c, 10) end
        if type(s) == "number" and type(a) == "number" then
          fx = { 0, lx[#lx] }
          fy = { a / math.log(10), (a - s * math.log(#lx)) / math.log(10) }
        end
        local series = { { name = "words", x = lx, y = ly } }
        if #fx > 0 then series[2] = { name = "your fit", x = fx, y = fy } end
        llm.plot.line { title = "Zipf plot, Moby Dick", xlabel = "log10 rank", ylabel = "log10 count", series = series }
        return { s = s, ref = st.zipf.s }
      end,
      check = function(ctx)
        local r = ctx.result
        if type(r.s) == "number" and math.abs(r.s - r.ref) < 1e-6 then
          return check.result(2, 2, string.format("s = %.4f, as the engine's fit", r.s))
        end
        return check.result(0, 2, "your s " .. check.show(r.s) .. " differs from the engine's " .. r.ref)
      end,
    },
    {
      title = "Sentence lengths",
      text = [[
`statistics` also counts words per sentence (a sentence ends at `.`, `!`
or `?` before a capital letter, not after *Mr.*). Melville mixes short
sentences with very long ones: the histogram has a long right tail.
]],
      run = function(ctx)
        local st = text.statistics(moby(ctx.params.chapters), { max_sentence_len = 80 })
        local h = st.sentence_lengths
        local labels, values = {}, {}
        for i = 1, #h.x, 5 do
          local sum = 0
          for j = i, math.min(i + 4, #h.x) do sum = sum + h.y[j] end
          labels[#labels + 1] = tostring(h.x[i])
          values[#values + 1] = sum
        end
        llm.plot.bar { title = "words per sentence (bins of 5), Moby Dick", labels = labels, values = values }
        print(string.format("%d sentences, mean %.1f words", st.sentences, h.mean))
        return { mean = h.mean }
      end,
      check = function(ctx)
        local m = ctx.result.mean
        return check.result((m > 5 and m < 60) and 1 or 0, 1, string.format("mean sentence length %.1f", m))
      end,
    },
    {
      title = "SOTU: two centuries compared",
      heavy = true,
      text = [[
Comparing corpora is only fair at equal size: the type/token ratio falls
as a text grows. So each century gets the same number of words. The
addresses of the 1800s are written in longer sentences and a different
vocabulary than those of the 1900s and 2000s.
]],
      run = function(ctx)
        local rows = {}
        for _, c in ipairs({ { "1790-1899", 1790, 1899 }, { "1900-1999", 1900, 1999 }, { "2000-2021", 2000, 2021 } }) do
          local st = text.statistics(century(c[2], c[3], ctx.params.words), { top = 400 })
          rows[#rows + 1] = { name = c[1], st = st }
        end
        local common = {}
        for _, r in ipairs(rows) do
          for _, t in ipairs(r.st.top) do common[t.word] = (common[t.word] or 0) + 1 end
        end
        print(string.format("%-10s %7s %7s %6s %9s  %s", "years", "tokens", "types", "TTR", "sent.len", "frequent words only this era has"))
        local labels, means = {}, {}
        for _, r in ipairs(rows) do
          local own = {}
          for _, t in ipairs(r.st.top) do
            if common[t.word] == 1 and #t.word > 3 and #own < 6 then own[#own + 1] = t.word end
          end
          print(string.format("%-10s %7d %7d %6.3f %9.1f  %s", r.name, r.st.words, r.st.types, r.st.ttr,
            r.st.sentence_lengths.mean, table.concat(own, ", ")))
          labels[#labels + 1], means[#means + 1] = r.name, r.st.sentence_lengths.mean
        end
        llm.plot.bar { title = "mean words per sentence, SOTU", labels = labels, values = means }
        return { means = means }
      end,
      check = function(ctx)
        local m = ctx.result.means
        if m[1] > m[2] and m[1] > m[3] then
          return check.result(1, 1, string.format("1800s sentences are longer (%.1f vs %.1f, %.1f)", m[1], m[2], m[3]))
        end
        return check.result(0, 1, "unexpected means " .. check.show(m))
      end,
    },
  },
}
