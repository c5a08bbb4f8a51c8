-- Lab 1 (week 1): text data sources and formats. Four shapes of raw text
-- from the catalog (a Gutenberg-style book, a verse-per-line bible, a
-- MediaWiki XML dump, social-media JSON lines), what each one needs before
-- it is plain text, and two small readers the student writes.
local check = require "llm.check"
local data = llm.data

local function words(s)
  local n = 0
  for _ in s:gmatch("%S+") do n = n + 1 end
  return n
end

local function moby_lines(chapters)
  local lines = {}
  for _, ch in ipairs(llm.corpora.moby_dick({ limit = chapters })) do
    for l in (ch.text .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = l end
  end
  return lines
end

local function posts()
  local out = {}
  for r in data.jsonl(data.path("sample-posts", "posts.jsonl")) do out[#out + 1] = r end
  return out
end

return {
  id = "w01.lab01",
  week = 1,
  title = "Text data sources and formats",
  objectives = {
    "Read a book, a bible, a wiki dump and social-media posts with llm.data's readers",
    "See what each format wraps around the text: line breaks, references, markup, metadata",
    "Write a paragraph un-wrapper for hard-wrapped books and a cleaner for posts",
    "Compare the formats by size, structure and the work they need",
  },
  size = { small = { chapters = 6 }, full = { chapters = 135 } },
  time = 15,
  memory = 128,
  exercises = {
    { name = "unwrap", hints = {
      "Split the text into lines (`(text .. \"\\n\"):gmatch(\"(.-)\\n\")`); a line with only spaces ends a paragraph.",
      "Collect the non-blank lines of the current paragraph in a list; at a blank line (and at the end) join them with one space and start a new list.",
      "Trim each line first (`line:match(\"^%s*(.-)%s*$\")`) and skip empty paragraphs, so several blank lines in a row give no empty entries.",
    } },
    { name = "clean_post", hints = {
      "Remove URLs with `text:gsub(\"https?://%S+\", \"\")` and mentions with `text:gsub(\"@[%w_]+\", \"\")`.",
      "A hashtag keeps its word: `text:gsub(\"#([%w_]+)\", \"%1\")`.",
      "Finish by collapsing runs of whitespace to one space and trimming both ends.",
    } },
  },
  steps = {
    {
      title = "Where text comes from",
      text = [[
# Sources and formats
Training text is collected from many places, and each arrives in its own
wrapping:

| source | example here | wrapping |
|---|---|---|
| digitised books | *Moby Dick* (Project Gutenberg) | hard line breaks, chapter headings, licence header |
| reference texts | King James Bible | one verse a line, book/chapter/verse numbers |
| encyclopedias | a MediaWiki XML dump | XML, wiki markup, templates, talk pages |
| social media | posts in the Twitter API shape | one JSON object a line, metadata, URLs, mentions |

`llmlab data list` shows every corpus; `llm.data` has a streaming reader
for each format, so a 1 GB file never has to fit in memory.
]],
    },
    {
      title = "A Gutenberg book",
      text = [[
`llm.data.gutenberg(path)` yields the lines between Project Gutenberg's
`*** START OF` and `*** END OF` markers (this copy is already stripped).
Printed books are **hard-wrapped**: a paragraph is spread over many lines
of about 70 characters, so a line is not a unit of meaning. The histogram
of line lengths shows the wrap width and the blank separator lines.
]],
      run = function(ctx)
        local n, lens, blank = 0, {}, 0
        local chapters = 0
        for line in data.gutenberg(data.path("moby-dick", "package/data/data.txt")) do
          n = n + 1
          if line:match("^CHAPTER %d+") then chapters = chapters + 1 end
          if line:match("^%s*$") then blank = blank + 1 else lens[#lens + 1] = utf8.len(line) or #line end
          if chapters > ctx.params.chapters then break end
        end
        local maxlen = 0
        for _, l in ipairs(lens) do maxlen = math.max(maxlen, l) end
        print(string.format("%d lines read (%d blank) in %d chapters; longest line %d characters",
          n, blank, chapters - 1, maxlen))
        llm.plot.histogram { title = "Moby Dick: characters per line", xlabel = "characters", values = lens,
          bins = 16, range = { 0, 80 } }
        return { lines = n, maxlen = maxlen }
      end,
      check = function(ctx)
        local r = ctx.result
        if r.maxlen <= 80 and r.lines > 100 then return check.result(1, 1, "wrapped at " .. r.maxlen .. " characters") end
        return check.result(0, 1, "unexpected: " .. check.show(r))
      end,
    },
    {
      title = "Un-wrap the paragraphs",
      exercise = "unwrap",
      points = 3,
      text = [[
Write `unwrap(text)`: the paragraphs of a hard-wrapped text, as a list of
strings. Paragraphs are separated by one or more blank (or all-space)
lines; inside a paragraph the lines are trimmed and joined with one space.

```
unwrap("Call me\nIshmael.\n\nSome years\n") --> {"Call me Ishmael.", "Some years"}
```
]],
      check = function(ctx)
        return check.cases(ctx.ex.unwrap, {
          { args = { "Call me\nIshmael.\n\nSome years\n" }, expect = { "Call me Ishmael.", "Some years" } },
          { name = "several blank lines", args = { "a\n\n  \n\nb\nc" }, expect = { "a", "b c" } },
          { name = "indented lines", args = { "  one\n   two  \n" }, expect = { "one two" } },
          { name = "empty", args = { "\n\n" }, expect = {} },
        }, { name = "unwrap" })
      end,
    },
    {
      title = "Paragraphs of Moby Dick",
      exercise = "unwrap",
      points = 2,
      text = [[
Your `unwrap` on the first chapters, against the engine's
`llm.data.paragraphs` reader. A paragraph is now one unit: the longest
ones run to hundreds of words.
]],
      run = function(ctx)
        local text = table.concat(moby_lines(ctx.params.chapters), "\n")
        local mine = ctx.ex.unwrap(text)
        local n = type(mine) == "table" and #mine or 0
        local longest = 0
        for i = 1, n do longest = math.max(longest, words(tostring(mine[i]))) end
        -- the reference: the engine reader over the same chapters
        local ref = 0
        local chapters = 0
        for p in data.paragraphs(data.path("moby-dick", "package/data/data.txt")) do
          if p:match("^CHAPTER %d+") then
            chapters = chapters + 1          -- headings are not paragraphs of text
            if chapters > ctx.params.chapters then break end
          else
            ref = ref + 1
          end
        end
        print(string.format("your unwrap: %d paragraphs (longest %d words); llm.data.paragraphs: %d", n, longest, ref))
        if n > 0 then print("first: " .. tostring(mine[math.min(3, n)]):sub(1, 200) .. " ...") end
        return { n = n, ref = ref }
      end,
      check = function(ctx)
        local r = ctx.result
        if r.n == r.ref then return check.result(2, 2, r.n .. " paragraphs, as the engine's reader") end
        if r.n > 0 and math.abs(r.n - r.ref) <= r.ref // 10 then
          return check.result(1, 2, string.format("%d paragraphs; the reader finds %d", r.n, r.ref))
        end
        return check.result(0, 2, string.format("%d paragraphs; the reader finds %d", r.n, r.ref))
      end,
    },
    {
      title = "A verse-per-line text",
      text = [[
The King James Bible comes as `Book chapter` heading lines followed by
numbered verses. Here the line **is** the unit, and its reference
(book, chapter, verse) is metadata worth keeping: it lets us cite, split
and sample. `llm.corpora.kjv()` parses it into records.
]],
      run = function(ctx)
        local verses = llm.corpora.kjv()
        local books, chapters, last = {}, 0, nil
        local order, lens = {}, {}
        for _, v in ipairs(verses) do
          if not books[v.book] then books[v.book] = 0; order[#order + 1] = v.book end
          books[v.book] = books[v.book] + 1
          local key = v.book .. " " .. v.chapter
          if key ~= last then chapters = chapters + 1; last = key end
          lens[#lens + 1] = words(v.text)
        end
        print(string.format("%d books, %d chapters, %d verses", #order, chapters, #verses))
        print(string.format("%s %d:%d  %s", verses[1].book, verses[1].chapter, verses[1].verse, verses[1].text))
        local labels, values = {}, {}
        for i = 1, 10 do labels[i], values[i] = order[i], books[order[i]] end
        llm.plot.bar { title = "verses in the first ten books", labels = labels, values = values }
        return { books = #order, verses = #verses }
      end,
      check = function(ctx)
        local r = ctx.result
        if r.books == 66 and r.verses == 31102 then return check.result(1, 1, "66 books, 31,102 verses") end
        return check.result(0, 1, "unexpected counts " .. check.show(r))
      end,
    },
    {
      title = "A Wikipedia-style dump",
      text = [==[
A MediaWiki export is XML: one `<page>` per article with a title, a
namespace (0 = articles, 1 = talk pages, ...) and the **wiki markup** of
its latest revision: `'''bold'''`, `[[links|shown text]]`, `{{templates}}`,
`<ref>` citations, tables. `llm.data.wiki` streams the pages and gives the
markup turned to plain text as `page.plain`. How much of the file is text?
]==],
      run = function(ctx)
        local pages, arts, markup, plain = 0, 0, 0, 0
        local example
        for p in data.wiki(data.path("sample-wiki", "wiki.xml")) do
          pages = pages + 1
          if p.ns == 0 and #p.text > 0 then
            arts = arts + 1
            markup, plain = markup + #p.text, plain + #p.plain
            example = example or p
          end
        end
        print(string.format("%d pages, %d articles with text; markup %d bytes -> plain %d bytes (%.0f%% kept)",
          pages, arts, markup, plain, 100 * plain / markup))
        print("markup: " .. example.text:sub(1, 160):gsub("\n", " ") .. " ...")
        print("plain : " .. example.plain:sub(1, 160):gsub("\n", " ") .. " ...")
        return { pages = pages, share = plain / markup }
      end,
      check = function(ctx)
        local r = ctx.result
        if r.pages >= 2 and r.share < 0.9 then
          return check.result(1, 1, string.format("%.0f%% of the markup is text", 100 * r.share))
        end
        return check.result(0, 1, "unexpected " .. check.show(r))
      end,
    },
    {
      title = "Social-media posts",
      exercise = "clean_post",
      points = 3,
      text = [[
Posts come one JSON object a line (`llm.data.jsonl`), in the shape of
the Twitter API: the `text` sits among ids, dates, the user and
`entities` (hashtags, URLs, mentions with character offsets). For a
language model the text needs cleaning: write `clean_post(text)` that
drops URLs (`http://` or `https://` up to the next space) and @mentions,
keeps a hashtag's word without the `#`, collapses whitespace and trims.

```
clean_post("@ana Loving #nlp https://x.org/1 !") --> "Loving nlp !"
```
]],
      check = function(ctx)
        return check.cases(ctx.ex.clean_post, {
          { args = { "@ana Loving #nlp https://x.org/1 !" }, expect = "Loving nlp !" },
          { name = "only a link", args = { "http://a.b/c" }, expect = "" },
          { name = "underscores", args = { "hi @sample_ben and #big_data" }, expect = "hi and big_data" },
          { name = "plain text", args = { "  two   spaces " }, expect = "two spaces" },
        }, { name = "clean_post" })
      end,
    },
    {
      title = "The posts, cleaned",
      exercise = "clean_post",
      points = 1,
      text = [[
Your cleaner over the sample posts, next to what the metadata says
(`entities.hashtags`, `entities.urls`). Metadata is a gift: here it tells
us exactly where the URLs were, without guessing from the text.
]],
      run = function(ctx)
        local n, urls_left, tags = 0, 0, 0
        for _, r in ipairs(posts()) do
          local c = ctx.ex.clean_post(r.text)
          n = n + 1
          tags = tags + #((r.entities or {}).hashtags or {})
          if type(c) ~= "string" or c:find("https?://") or c:find("@%w") then urls_left = urls_left + 1 end
          print(string.format("%-16s %s", (r.user or {}).screen_name or "?", tostring(c)))
        end
        print(string.format("%d posts, %d hashtags in the metadata", n, tags))
        return { n = n, bad = urls_left }
      end,
      check = function(ctx)
        local r = ctx.result
        if r.bad == 0 and r.n > 0 then return check.result(1, 1, "no URL or mention left in " .. r.n .. " posts") end
        return check.result(0, 1, r.bad .. " of " .. r.n .. " posts still hold a URL or mention (or no string)")
      end,
    },
    {
      title = "The formats side by side",
      text = [[
One table to end: how big a document is in each source, and how much of
the raw bytes survive as text. Books need un-wrapping, bibles need their
references parsed, dumps need markup removed, posts need metadata and
noise stripped. Later labs build on all four.
]],
      run = function(ctx)
        local rows = {}
        local book = llm.corpora.moby_dick({ limit = ctx.params.chapters })
        local bw, bb = 0, 0
        for _, c in ipairs(book) do bw, bb = bw + words(c.text), bb + #c.text end
        rows[#rows + 1] = { "book chapters", #book, bw / #book, 1.0 }
        local kj = llm.corpora.kjv({ limit = 2000 })
        local kw = 0
        for _, v in ipairs(kj) do kw = kw + words(v.text) end
        rows[#rows + 1] = { "bible verses", #kj, kw / #kj, 1.0 }
        local wn, ww, wm, wp = 0, 0, 0, 0
        for p in data.wiki(data.path("sample-wiki", "wiki.xml")) do
          if #p.text > 0 then wn, ww, wm, wp = wn + 1, ww + words(p.plain), wm + #p.text, wp + #p.plain end
        end
        rows[#rows + 1] = { "wiki pages", wn, ww / wn, wp / wm }
        local pn, pw, pr, pt = 0, 0, 0, 0
        for line in data.lines(data.path("sample-posts", "posts.jsonl")) do pr = pr + #line end
        for _, r in ipairs(posts()) do pn, pw, pt = pn + 1, pw + words(r.text), pt + #r.text end
        rows[#rows + 1] = { "posts", pn, pw / pn, pt / pr }
        print(string.format("%-14s %6s %12s %12s", "source", "docs", "words/doc", "text share"))
        for _, r in ipairs(rows) do print(string.format("%-14s %6d %12.1f %11.0f%%", r[1], r[2], r[3], 100 * r[4])) end
        return { posts_share = rows[4][4] }
      end,
      check = function(ctx)
        local s = ctx.result.posts_share
        if s < 0.5 then return check.result(1, 1, string.format("posts: only %.0f%% of the bytes are text", 100 * s)) end
        return check.result(0, 1, "posts text share " .. s)
      end,
    },
  },
}
