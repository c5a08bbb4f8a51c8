-- Lab 3 (week 2): cleaning a messy collection. Real text from the catalog
-- is given the damage web text really has (HTML around it, entities,
-- Windows-1252 bytes, Unicode look-alikes, zero-width characters); the
-- engine's cleaners undo it step by step, the student writes an entity
-- decoder and a quality filter that says why it drops a document.
local check = require "llm.check"
local text = llm.text

-- Encode a UTF-8 string the way an old Windows program would (cp1252):
-- curly quotes and dashes become single high bytes, which are not UTF-8.
local CP1252 = { ["’"] = "\146", ["‘"] = "\145", ["“"] = "\147", ["”"] = "\148", ["—"] = "\151", ["–"] = "\150" }
local function to_cp1252(s) return (s:gsub("\226\128[\152\153\156\157\147\148]", CP1252)) end

local function moby_paragraphs(n)
  local out = {}
  for _, ch in ipairs(llm.corpora.moby_dick({ limit = math.max(3, n // 8) })) do
    for p in (ch.text .. "\n\n"):gmatch("(.-)\n%s*\n") do
      p = p:gsub("%s*\n%s*", " ")
      if #p > 200 then out[#out + 1] = p end
      if #out >= n then return out end
    end
  end
  return out
end

-- The messy collection: {kind =, raw =} records.
local function collection(n)
  local docs = {}
  for i, p in ipairs(moby_paragraphs(n)) do
    local kind = ({ "html", "cp1252", "variants", "clean" })[(i - 1) % 4 + 1]
    local raw = p
    if kind == "html" then
      raw = "<div class=\"post\"><p>" .. p:gsub("&", "&amp;"):gsub("’", "&#8217;"):gsub("—", "&#8212;")
        .. "</p><script>track(" .. i .. ")</script></div>"
    elseif kind == "cp1252" then
      raw = to_cp1252(p)
    elseif kind == "variants" then
      raw = p:gsub(" the ", " the\u{00A0}", 2):gsub("fi", "\u{FB01}"):gsub("%. ", ".\u{200B} ", 2)
    end
    docs[#docs + 1] = { kind = kind, raw = raw, original = p }
  end
  return docs
end

return {
  id = "w02.lab03",
  week = 2,
  title = "Cleaning a messy collection",
  objectives = {
    "Recognise the usual damage in collected text: markup, entities, bad bytes, look-alike characters",
    "Clean text with llm.text (html_to_text, repair_utf8, standardize, NFKC) and measure each step",
    "Write an HTML entity decoder",
    "Filter documents by quality and report the reason for each one dropped",
  },
  size = { small = { docs = 24 }, full = { docs = 200 } },
  time = 15,
  memory = 128,
  exercises = {
    { name = "decode_entities", hints = {
      "Find each entity with `s:gsub(\"&(#?[%w]+);\", function(name) ... end)`; return nil from the function to leave a match unchanged.",
      "Named ones: a table `{amp = \"&\", lt = \"<\", gt = \">\", quot = '\"', apos = \"'\", nbsp = \"\\u{A0}\"}`.",
      "Numeric ones: `#233` -> `utf8.char(233)`, `#x2014` -> `utf8.char(tonumber(\"2014\", 16))`.",
    } },
    { name = "quality_filter", hints = {
      "Count words with `for w in doc:gmatch(\"%S+\")`; a word 'has a letter' if `w:find(\"%a\")`.",
      "For repeated lines keep a set of the non-empty (trimmed) lines seen so far; a line already in the set is a repeat.",
      "Check the rules in the order given and return at the first that fails: `return false, \"too short\"`; at the end `return true, nil`.",
    } },
  },
  steps = {
    {
      title = "What messy means",
      text = [[
# A messy collection
Text scraped from the web or old archives is rarely clean. This lab takes
paragraphs of *Moby Dick* and gives them the damage real collections
have:

- **HTML**: tags, scripts, `&amp;`-style **entities**;
- **Windows-1252 bytes**: curly quotes and dashes saved by old software as
  single bytes `0x91`-`0x97`, which are **invalid UTF-8**;
- **look-alike characters**: ligatures (`ﬁ`), non-breaking spaces,
  zero-width spaces, which look like text but do not match it.
]],
      run = function(ctx)
        local docs = collection(ctx.params.docs)
        local bad, tags, odd = 0, 0, 0
        for _, d in ipairs(docs) do
          if not text.is_utf8(d.raw) then bad = bad + 1 end
          if d.raw:find("<%a") then tags = tags + 1 end
          if d.raw:find("\u{FB01}") or d.raw:find("\u{200B}") then odd = odd + 1 end
        end
        print(string.format("%d documents: %d invalid UTF-8, %d with HTML, %d with look-alikes", #docs, bad, tags, odd))
        for _, d in ipairs(docs) do
          if d.kind == "cp1252" then
            local _, at = text.is_utf8(d.raw)
            print(string.format("first bad byte at offset %d: ...%q...", at, d.raw:sub(math.max(1, at - 12), at + 4)))
            break
          end
        end
        return { bad = bad, tags = tags }
      end,
      check = function(ctx)
        local r = ctx.result
        return check.result((r.bad > 0 and r.tags > 0) and 1 or 0, 1, r.bad .. " invalid, " .. r.tags .. " with tags")
      end,
    },
    {
      title = "HTML to text",
      text = [[
Deleting everything between `<` and `>` is not enough: scripts and styles
hold text that is not content, and entities stay encoded.
`llm.text.html_to_text` drops `script`/`style`, keeps block breaks and
decodes entities. Here both meet a sample web page.
]],
      run = function(ctx)
        local data = llm.data
        local raw = ""
        local f = assert(io.open(data.path("sample-html", "html/article1.html"), "rb"))
        raw = f:read("a")
        f:close()
        local naive = raw:gsub("<[^>]*>", " "):gsub("%s+", " ")
        local good = text.html_to_text(raw)
        print(string.format("raw %d bytes; tag-stripped %d; html_to_text %d", #raw, #naive, #good))
        print("tag-stripped: " .. naive:sub(1, 240))
        print("html_to_text: " .. good:gsub("%s+", " "):sub(1, 240))
        return { naive = #naive, good = #good }
      end,
      check = function(ctx)
        local r = ctx.result
        return check.result(r.good < r.naive and 1 or 0, 1, "html_to_text keeps less noise than stripping tags")
      end,
    },
    {
      title = "Your entity decoder",
      exercise = "decode_entities",
      points = 4,
      text = [[
Write `decode_entities(s)`: replace `&amp; &lt; &gt; &quot; &apos;
&nbsp;` (the last one by U+00A0) and numeric entities `&#233;` /
`&#xE9;` by their characters (UTF-8). Anything else stays as it is.

```
decode_entities("caf&#233; &amp; tea &copy;") --> "café & tea &copy;"
```
]],
      check = function(ctx)
        return check.cases(ctx.ex.decode_entities, {
          { args = { "caf&#233; &amp; tea &copy;" }, expect = "café & tea &copy;" },
          { name = "hex", args = { "a&#x2014;b" }, expect = "a—b" },
          { name = "all named", args = { "&lt;p&gt; &quot;x&quot; &apos;y&apos;&nbsp;" }, expect = "<p> \"x\" 'y'\u{A0}" },
          { name = "no double decoding", args = { "&amp;lt;" }, expect = "&lt;" },
          { name = "plain", args = { "no entities; & alone" }, expect = "no entities; & alone" },
        }, { name = "decode_entities" })
      end,
    },
    {
      title = "Bad bytes and look-alikes",
      exercise = "decode_entities",
      points = 2,
      text = [[
The cleaning pass, document by document: your entity decoder after the
tags are gone, `repair_utf8` (invalid bytes become U+FFFD, counted),
`standardize` (curly quotes and dashes to ASCII, non-breaking and
zero-width spaces out) and NFKC (`ﬁ` -> `fi`). Afterwards every document
is valid UTF-8 and the look-alikes are gone.
]],
      run = function(ctx)
        local docs = collection(ctx.params.docs)
        local repaired, changed, clean_ok, ent_ok = 0, 0, 0, 0
        for _, d in ipairs(docs) do
          local s = d.raw
          if d.kind == "html" then
            s = s:gsub("<script>.-</script>", ""):gsub("<[^>]*>", "")
            local dec = ctx.ex.decode_entities(s)
            if type(dec) == "string" and not dec:find("&%a+;") and not dec:find("&#") then ent_ok = ent_ok + 1 end
            s = type(dec) == "string" and dec or s
          end
          local n
          s, n = text.repair_utf8(s)
          repaired = repaired + n
          local c
          s, c = text.standardize(s)
          changed = changed + c
          s = text.nfkc(s)
          if text.is_utf8(s) and not s:find("\u{FB01}") and not s:find("\u{200B}") then clean_ok = clean_ok + 1 end
        end
        local html = 0
        for _, d in ipairs(docs) do if d.kind == "html" then html = html + 1 end end
        print(string.format("%d invalid sequences repaired, %d standardisations, %d of %d documents clean; "
          .. "entities decoded in %d of %d HTML documents", repaired, changed, clean_ok, #docs, ent_ok, html))
        return { ent_ok = ent_ok, html = html, clean = clean_ok, n = #docs }
      end,
      check = function(ctx)
        local r = ctx.result
        local pts = (r.ent_ok == r.html and 1 or 0) + (r.clean == r.n and 1 or 0)
        return check.result(pts, 2, string.format("entities decoded in %d of %d; %d of %d documents clean",
          r.ent_ok, r.html, r.clean, r.n))
      end,
    },
    {
      title = "One call: text.clean",
      text = [[
`llm.text.clean(s, {html = true})` does the whole pass (repair, HTML,
standardise, NFC/NFKC) and returns a report. How close do we get to the
original paragraphs? The cp1252 ones lose their curly quotes for good
(they become U+FFFD): repairing is not the same as decoding, which needs
to know the encoding.
]],
      run = function(ctx)
        local docs = collection(ctx.params.docs)
        local by = {}
        for _, d in ipairs(docs) do
          local s = text.clean(d.raw, { html = d.kind == "html", form = "nfkc" })
          local ref = text.clean(d.original, { form = "nfkc" })
          local b = by[d.kind] or { n = 0, same = 0, sim = 0 }
          by[d.kind] = b
          b.n = b.n + 1
          if s == ref then b.same = b.same + 1 end
          b.sim = b.sim + text.similarity(s:sub(1, 300), ref:sub(1, 300))
        end
        local labels, values = {}, {}
        for _, k in ipairs({ "clean", "html", "variants", "cp1252" }) do
          local b = by[k]
          print(string.format("%-9s %2d docs, %2d identical to the cleaned original, mean similarity %.3f",
            k, b.n, b.same, b.sim / b.n))
          labels[#labels + 1], values[#values + 1] = k, b.sim / b.n
        end
        return { cp = by.cp1252.sim / by.cp1252.n, clean = by.clean.same == by.clean.n }
      end,
      check = function(ctx)
        local r = ctx.result
        return check.result((r.clean and r.cp < 1) and 1 or 0, 1, "clean text unchanged; cp1252 text not fully recovered")
      end,
    },
    {
      title = "Quality filters",
      text = [[
Cleaning repairs documents; **filtering** throws some away. Large corpora
(C4, Gopher's MassiveText) drop documents by simple measured rules: too
few words, too many symbols, repeated lines, repeated n-grams,
boilerplate. `llm.text.quality` applies such rules and names the first
that fails. Here it meets real paragraphs and the junk a crawl collects.
Note the Bible verses: perfectly good text, dropped as "too short" by
web-crawl thresholds. Filters must suit the collection
(`text.quality(doc, {min_words = 5})` changes a rule).
]],
      run = function(ctx)
        local docs = {}
        for _, p in ipairs(moby_paragraphs(ctx.params.docs)) do docs[#docs + 1] = p end
        for _, v in ipairs(llm.corpora.kjv({ limit = 6 })) do docs[#docs + 1] = v.text end
        docs[#docs + 1] = docs[1] .. "\n" .. ("Share this page on social media.\n"):rep(8)
        docs[#docs + 1] = docs[2] .. (" #whale #sea #ship"):rep(10)
        docs[#docs + 1] = ("Call me Ishmael call me Ishmael "):rep(10)
        docs[#docs + 1] = docs[3] .. " Lorem ipsum dolor sit amet, consectetur adipiscing elit."
        local rules, kept = {}, 0
        for _, d in ipairs(docs) do
          local r = text.quality(d)
          if r.keep then kept = kept + 1 else
            rules[r.rule] = (rules[r.rule] or 0) + 1
            print(string.format("drop (%s): %s  | %s", r.rule, r.reason, d:sub(1, 50):gsub("\n", " ")))
          end
        end
        local labels, values = { "kept" }, { kept }
        for k, v in pairs(rules) do labels[#labels + 1], values[#values + 1] = k, v end
        llm.plot.bar { title = "quality filter decisions", labels = labels, values = values }
        return { kept = kept, dropped = #docs - kept }
      end,
      check = function(ctx)
        local r = ctx.result
        return check.result((r.kept > 0 and r.dropped >= 4) and 1 or 0, 1, r.kept .. " kept, " .. r.dropped .. " dropped")
      end,
    },
    {
      title = "Your quality filter",
      exercise = "quality_filter",
      points = 4,
      text = [[
Write `quality_filter(doc)` returning `keep, reason`. Apply these rules
in order; the first that fails gives `false` and its reason:

1. fewer than 20 whitespace-separated words -> `"too short"`
2. fewer than 80% of those words contain a letter -> `"too few words with letters"`
3. more than 30% of the non-empty lines (trimmed) repeat an earlier line -> `"repeated lines"`

Otherwise return `true, nil`.
]],
      check = function(ctx)
        local para = moby_paragraphs(1)[1]
        local function q(doc, keep, reason)
          return { args = { doc }, check = function()
            local ok, k, why = pcall(ctx.ex.quality_filter, doc)
            if not ok then return false, "raised " .. tostring(k) end
            return k == keep and why == reason, string.format("returned %s, %s; expected %s, %s",
              check.show(k), check.show(why), tostring(keep), tostring(reason))
          end }
        end
        local cases = {
          q(para, true, nil),
          q("Call me Ishmael.", false, "too short"),
          q(para .. (" 1 2 3 4 5 6 7 8 9 10"):rep(10), false, "too few words with letters"),
          q(para .. "\n" .. ("Share this page now please.\n"):rep(5), false, "repeated lines"),
          q(para .. "\nA line.\nA line.\nAnother line.\nOne more line.", true, nil),
        }
        for i, c in ipairs(cases) do c.name = "document " .. i end
        return check.cases(ctx.ex.quality_filter, cases, { name = "quality_filter" })
      end,
    },
  },
}
