-- llm.text: UTF-8 repair, normalisation, HTML to text, standardising,
-- quality filters, statistics, duplicates, fuzzy matching, passive voice.
-- Expected values are worked out by hand (or from the Unicode tables).
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect
local text = llm.text
local U = utf8.char

describe("UTF-8 repair", function()
  it("keeps valid text and counts nothing", function()
    expect({ text.repair_utf8("héllo 😀") }).to_equal({ "héllo 😀", 0 })
    expect(text.is_utf8("héllo")).to_be(true)
  end)
  it("replaces a truncated sequence by one U+FFFD", function()
    expect({ text.repair_utf8("a\xE2\x82b") }).to_equal({ "a\u{FFFD}b", 1 })
    expect({ text.repair_utf8("end\xF0\x9F\x98") }).to_equal({ "end\u{FFFD}", 1 })
  end)
  it("follows the maximal-subpart rule for overlongs and surrogates", function()
    expect({ text.repair_utf8("\xC0\xAF") }).to_equal({ "\u{FFFD}\u{FFFD}", 2 })
    expect({ text.repair_utf8("\xED\xA0\x80") }).to_equal({ ("\u{FFFD}"):rep(3), 3 })
    expect({ text.repair_utf8("\xF4\x90\x80\x80") }).to_equal({ ("\u{FFFD}"):rep(4), 4 })
    expect({ text.repair_utf8("\xFF") }).to_equal({ "\u{FFFD}", 1 })
  end)
  it("reports the offset of the first bad byte", function()
    local ok, at = text.is_utf8("abc\xFFdef")
    expect(ok).to_be(false)
    expect(at).to_be(4)
  end)
  it("counts code points", function()
    expect(text.utf8_length("héllo😀")).to_be(6)
  end)
end)

describe("normalisation", function()
  it("NFC composes, NFD decomposes", function()
    expect(text.normalize("e\u{301}", "nfc")).to_be("\u{E9}")
    expect(text.normalize("\u{E9}", "nfd")).to_be("e\u{301}")
    expect(text.normalize("A\u{30A}", "nfc")).to_be("\u{C5}")
  end)
  it("NFKC folds compatibility characters", function()
    expect(text.nfkc("\u{FB01}")).to_be("fi")                -- ligature fi
    expect(text.nfkc("\u{FF21}\u{FF22}\u{FF23}")).to_be("ABC") -- fullwidth
    expect(text.nfkc("x\u{B2}")).to_be("x2")                  -- superscript two
    expect(text.nfkc("\u{2460}")).to_be("1")                  -- circled one
    expect(text.nfkc("\u{2026}")).to_be("...")                -- ellipsis
    expect(text.nfkc("\u{338F}")).to_be("kg")                 -- square kg
    expect(text.nfkc("\u{212B}")).to_be("\u{C5}")             -- angstrom sign
    expect(text.nfkc("\u{FF8A}\u{FF9F}")).to_be("\u{30D1}")   -- halfwidth ha + handakuten
    expect(text.nfkc("\u{A0}")).to_be(" ")
  end)
  it("NFC leaves compatibility characters alone", function()
    expect(text.nfc("\u{FB01}")).to_be("\u{FB01}")
  end)
  it("composes across the ASCII fast path boundary", function()
    expect(text.nfc("cafe\u{301} ole\u{301}!")).to_be("caf\u{E9} ol\u{E9}!")
  end)
  it("case folds", function()
    expect(text.casefold("Straße")).to_be("strasse")
    expect(text.casefold("ΣΑΣ HeLLo")).to_be("σασ hello")
    expect(text.normalize("\u{FB01}X", "nfkc", { casefold = true })).to_be("fix")
  end)
  it("repairs invalid UTF-8 and counts it", function()
    expect({ text.normalize("a\xFFe\u{301}", "nfc") }).to_equal({ "a\u{FFFD}\u{E9}", 1 })
  end)
  it("rejects an unknown form", function()
    expect(function() text.normalize("x", "nfx") end).to_error("unknown form 'nfx'")
  end)
end)

describe("HTML to text", function()
  local h = text.html_to_text
  it("drops tags and decodes entities", function()
    expect(h("<p>Fish &amp; chips &lt;3 &#233;&#x1F600; &eacute;</p>")).to_be("Fish & chips <3 é😀 é")
  end)
  it("drops script and style contents, even with tags inside", function()
    expect(h("a<script>var s = '<p>x</p>';</script>b<STYLE>p{}</STYLE>c")).to_be("a b c")
  end)
  it("survives an unclosed script at the end", function()
    expect(h("<p>kept</p><script>alert('x < y')")).to_be("kept")
  end)
  it("turns blocks into line breaks and cells into tabs", function()
    expect(h("<p>one<p>two<br>three<ul><li>a<li>b</ul>")).to_be("one\n\ntwo\nthree\n\na\nb")
    expect(h("<table><tr><td>x<td>y</tr><tr><td>z</td><td>w</td></tr></table>")).to_be("x\ty\nz\tw")
  end)
  it("keeps a stray < and unknown entities as written", function()
    expect(h("if a < b &bogus; then")).to_be("if a < b &bogus; then")
  end)
  it("handles > inside quoted attributes, comments and CDATA", function()
    expect(h('<a title="x > y" href=/z>link</a> <!-- <b>gone</b> --> <![CDATA[raw <b>]]>'))
      .to_be("link raw <b>")
  end)
  it("maps invalid numeric entities to U+FFFD", function()
    expect(h("&#0;&#x110000;&#xD800;")).to_be(("\u{FFFD}"):rep(3))
  end)
  it("collapses whitespace but keeps it inside pre", function()
    expect(h("a \n\t b<pre>x  y\nz</pre>")).to_be("a b\n\nx  y\nz")
  end)
  it("drops an unterminated tag at the end of input", function()
    expect(h("text<div class=")).to_be("text")
  end)
  it("can drop navigation, footers and forms", function()
    local page = "<nav>Home | News</nav><p>Body text.</p><aside>Ads</aside><footer>(c) 2026</footer>"
    expect(h(page)).to_be("Home | News\n\nBody text.\n\nAds\n\n(c) 2026")
    expect(text.html_to_text(page, { boilerplate = false })).to_be("Body text.")
  end)
  it("is empty for empty input", function()
    expect(h("")).to_be("")
  end)
end)

describe("standardize", function()
  it("applies every rule by default", function()
    local s, n = text.standardize("  \u{201C}Hi\u{201D}\t\u{2014} it\u{2019}s\u{200B} 5\u{2013}6\r\n\r\n\r\n\r\nend\1  ")
    expect(s).to_be("\"Hi\" -- it's 5-6\n\nend")
    expect(n > 0).to_be(true)
  end)
  it("keeps rules that are turned off", function()
    expect((text.standardize("\u{201C}a\u{201D} \u{2014}", { quotes = false }))).to_be("\u{201C}a\u{201D} --")
    expect((text.standardize("a  b", { whitespace = false }))).to_be("a  b")
    expect((text.standardize("a\u{2013}b", { dashes = false }))).to_be("a\u{2013}b")
  end)
  it("turns Unicode spaces into plain spaces", function()
    expect((text.standardize("a\u{A0}\u{2009}b\u{3000}c"))).to_be("a b c")
  end)
  it("rejects unknown options", function()
    expect(function() text.standardize("x", { qoutes = false }) end).to_error("unknown option 'qoutes'")
  end)
  it("clean runs repair, html, standardise and NFC", function()
    local s, r = text.clean("<p>cafe\u{301} \u{201C}ok\u{201D}\xFF</p>", { html = true })
    expect(s).to_be("caf\u{E9} \"ok\"\u{FFFD}")
    expect(r.invalid_utf8).to_be(1)
  end)
end)

describe("quality filters", function()
  local good = ("The harbour was rebuilt after the storm, and the fishing boats returned within a year. " ..
                "Families who had left the island came back to repair their houses. The school reopened, " ..
                "the market filled with herring again, and the old lighthouse was painted white. Visitors " ..
                "now arrive every summer to walk the cliffs and watch the seabirds nest.")
  it("keeps an ordinary paragraph", function()
    local r = text.quality(good)
    expect(r.keep).to_be(true)
    expect(r.words).to_be(57) -- 15 + 12 + 16 + 14, counted sentence by sentence
    expect(r.reason).to_be(nil)
  end)
  it("drops a short document and says why", function()
    local r = text.quality("Too short to keep.")
    expect(r.keep).to_be(false)
    expect(r.rule).to_be("min_words")
    expect(r.reason).to_be("too few words: 4 < 50")
  end)
  it("drops repeated lines", function()
    local doc = good .. "\n" .. ("Click here to subscribe.\n"):rep(10)
    local r = text.quality(doc)
    expect(r.keep).to_be(false)
    expect(r.rule).to_be("dup_lines")
    expect(r.dup_line_frac).to_be_near(9 / 11, 1e-9)
  end)
  it("drops symbol-heavy text", function()
    local r = text.quality(good .. (" #tag"):rep(10))
    expect(r.rule).to_be("symbol_ratio")
  end)
  it("drops repeated n-grams", function()
    local r = text.quality(("buy the best boats in town today "):rep(12), { max_top_bigram_frac = false })
    expect(r.rule).to_be("dup_5grams")
  end)
  it("drops lorem ipsum", function()
    expect(text.quality(good .. " Lorem ipsum dolor sit amet.").rule).to_be("lorem_ipsum")
  end)
  it("rules can be turned off or changed", function()
    expect(text.quality("Too short to keep.", { min_words = 3 }).keep).to_be(true)
    expect(text.quality("Too short to keep.", { min_words = false }).keep).to_be(true)
  end)
end)

describe("statistics", function()
  it("counts words, sentences, types and hapax by hand", function()
    local s = text.statistics("The cat sat. The cat ran! A dog? Yes.")
    expect(s.words).to_be(9)
    expect(s.sentences).to_be(4)
    expect(s.types).to_be(7)
    expect(s.hapax).to_be(5)
    expect(s.ttr).to_be_near(7 / 9, 1e-12)
    expect(s.top[1]).to_equal({ word = "cat", count = 2 })
    expect(s.top[2]).to_equal({ word = "the", count = 2 })
    expect(s.hapax_words).to_equal({ "a", "dog", "ran", "sat", "yes" })
    expect(s.sentence_lengths.y[4]).to_be(2) -- two sentences of 3 words
    expect(s.sentence_lengths.y[3]).to_be(1)
    expect(s.sentence_lengths.y[2]).to_be(1)
    expect(s.sentence_lengths.mean).to_be_near(9 / 4, 1e-12)
  end)
  it("does not end sentences after initials and Mr.", function()
    local s = text.statistics("Mr. J. Smith met Dr. Watson. They talked.")
    expect(s.sentences).to_be(2)
  end)
  it("keeps case when asked", function()
    local s = text.statistics("The the THE", { casefold = false })
    expect(s.types).to_be(3)
  end)
  it("fits Zipf's law exactly on a Zipfian sample", function()
    local docs = {}
    for r, n in ipairs({ 60, 30, 20, 15, 12 }) do docs[#docs + 1] = (("w" .. r .. " "):rep(n)) end
    local s = text.statistics(docs)
    expect(s.zipf.s).to_be_near(1.0, 1e-9)
    expect(s.zipf.r2).to_be_near(1.0, 1e-9)
    expect(s.zipf.a).to_be_near(math.log(60), 1e-9)
    expect(s.zipf.freq).to_equal({ 60, 30, 20, 15, 12 })
    expect(s.documents).to_be(5)
  end)
  it("counts characters, bytes and lines", function()
    local s = text.statistics("héllo\nwörld\n")
    expect(s.bytes).to_be(14)
    expect(s.chars).to_be(12)
    expect(s.lines).to_be(2)
  end)
  it("reads an iterator of documents", function()
    local list = { "a b", "c" }
    local i = 0
    local s = text.statistics(function() i = i + 1 return list[i] end)
    expect(s.words).to_be(3)
  end)
  it("words follow the engine's definition", function()
    expect(text.words("Don't stop\u{2014}well-known caf\u{E9}, 3.5")).to_equal({ "Don't", "stop", "well-known", "caf\u{E9}", "3", "5" })
  end)
end)

describe("shingles and Jaccard", function()
  it("makes k-word shingles, lowercased", function()
    expect(#text.shingles("a b c d e")).to_be(3)
    expect(text.shingles("A B C")).to_equal(text.shingles("a b c"))
  end)
  it("computes Jaccard by hand", function()
    -- {abc, bcd, cde} vs {abc, bcd, cdf}: 2 shared of 4
    expect(text.jaccard("a b c d e", "a b c d f")).to_be_near(0.5, 1e-12)
    expect(text.jaccard("x y z", "x y z")).to_be(1.0)
    expect(text.jaccard("", "")).to_be(1.0)
  end)
  it("makes character shingles", function()
    expect(#text.shingles("abcd", { kind = "char", size = 2 })).to_be(3)
    expect(#text.shingles("abab", { kind = "char", size = 2 })).to_be(2) -- ab, ba
  end)
  it("rejects a bad size", function()
    expect(function() text.shingles("a", { size = 0 }) end).to_error("size 0 is not between 1 and 64")
  end)
end)

describe("duplicates", function()
  it("finds exact duplicates", function()
    expect(text.exact_duplicates({ "a", "b", "a", "c", "b", "a" })).to_equal({ { 1, 3, 6 }, { 2, 5 } })
  end)
  it("clusters near duplicates and keeps the first", function()
    local docs = {
      "the quick brown fox jumps over the lazy dog near the river bank today",
      "something else entirely about boats and harbours and fish markets here",
      "The quick brown fox jumps over the lazy dog near the river bank today!",
      "the quick brown fox jumps over the lazy dog near the river bank today",
    }
    local r = text.dedup(docs, { seed = 7 })
    expect(r.cluster).to_equal({ 1, 2, 1, 1 })
    expect(r.keep).to_equal({ 1, 2 })
    expect(r.removed).to_equal({ 3, 4 })
    expect(r.clusters).to_equal({ { 1, 3, 4 } })
    expect(r.exact).to_be(1)
  end)
  it("checks its parameters", function()
    expect(function() text.dedup({}, { perms = 100, bands = 32 }) end).to_error("bands 32 must divide perms 100")
    expect(function() text.dedup({}, { threshold = 2 }) end).to_error("threshold 2 is not in [0, 1]")
  end)
  it("MinHash LSH: recall >= 0.9 at Jaccard >= 0.8, precision >= 0.95", function()
    llm.seed(2026)
    local vocab = {}
    for i = 1, 3000 do vocab[i] = "w" .. i end
    local function doc(n)
      local w = {}
      for i = 1, n do w[i] = vocab[llm.random(#vocab)] end
      return w
    end
    local docs, planted = {}, {}
    for _ = 1, 1500 do docs[#docs + 1] = table.concat(doc(60), " ") end
    -- planted pairs: copies with 1..12 words replaced (Jaccard from ~0.95 down to ~0.4)
    for k = 1, 300 do
      local base = llm.random(1500)
      local w = {}
      for word in docs[base]:gmatch("%S+") do w[#w + 1] = word end
      local edits = 1 + (k % 12)
      for _ = 1, edits do w[llm.random(#w)] = vocab[llm.random(#vocab)] end
      docs[#docs + 1] = table.concat(w, " ")
      planted[#planted + 1] = { base, #docs }
    end
    local truth, ntrue = {}, 0
    for _, p in ipairs(planted) do
      if text.jaccard(docs[p[1]], docs[p[2]]) >= 0.8 then
        truth[p[1] .. ":" .. p[2]] = true
        ntrue = ntrue + 1
      end
    end
    expect(ntrue > 50).to_be(true)
    local r = text.dedup(docs, { threshold = 0.8, perms = 128, bands = 32 })
    local found, correct = 0, 0
    for _, p in ipairs(r.pairs) do
      found = found + 1
      if truth[p[1] .. ":" .. p[2]] then correct = correct + 1
      elseif text.jaccard(docs[p[1]], docs[p[2]]) >= 0.8 then correct = correct + 1 end
    end
    local recall = correct / ntrue
    local precision = found > 0 and correct / found or 0
    expect(recall >= 0.9).to_be(true)
    expect(precision >= 0.95).to_be(true)
  end)
end)

describe("fuzzy matching", function()
  it("edit distance by hand", function()
    expect(text.edit_distance("kitten", "sitting")).to_be(3)
    expect(text.edit_distance("", "abc")).to_be(3)
    expect(text.edit_distance("héllo", "hello")).to_be(1) -- code points, not bytes
    expect(text.similarity("kitten", "sitting")).to_be_near(1 - 3 / 7, 1e-12)
    expect(text.similarity("", "")).to_be(1.0)
  end)
  it("finds near-identical instructions", function()
    local list = { "Translate this sentence into French.", "Translate this sentence into French!",
                   "Summarise the article in two lines.", "translate this sentence into french." }
    -- 36 characters each: 1-2 differ by 1 edit, 1-4 by 2, 2-4 by 3 (3/36 < 0.1); 3 matches none
    local pairs = text.fuzzy_duplicates(list, 0.9)
    expect(#pairs).to_be(3)
    expect({ pairs[1][1], pairs[1][2], pairs[2][1], pairs[2][2], pairs[3][1], pairs[3][2] })
      .to_equal({ 1, 2, 1, 4, 2, 4 })
    expect(pairs[1][3]).to_be_near(1 - 1 / 36, 1e-12)
    expect(#text.fuzzy_duplicates(list, 0.95)).to_be(1) -- 2/36 edits is 0.944
  end)
end)

describe("passive voice", function()
  it("finds spans with the auxiliary and participle", function()
    local s = "The report was quickly written by the committee."
    local spans = text.passive(s)
    expect(#spans).to_be(1)
    expect(s:sub(spans[1].first, spans[1].last)).to_be("was quickly written")
    expect(spans[1].participle).to_be("written")
    expect(spans[1].agent).to_be(true)
  end)
  it("handles get-passives, perfect and progressive passives", function()
    expect(text.is_passive("He got fired.")).to_be(true)
    expect(text.is_passive("The road has been repaired.")).to_be(true)
    expect(text.is_passive("The road is being repaired.")).to_be(true)
  end)
  it("does not flag adjectival participles, perfects or -ed non-participles", function()
    expect(text.is_passive("She was tired.")).to_be(false)
    expect(text.is_passive("They were very confused by the map.")).to_be(false)
    expect(text.is_passive("She has finished her homework.")).to_be(false)
    expect(text.is_passive("He needed more time.")).to_be(false)
    expect(text.is_passive("She was tired by the walk.")).to_be(true)
  end)
  it("reaches precision and recall on the labelled set", function()
    local items = {}
    for row in llm.data.csv(llm.data.path("passive-voice", "passive.tsv"), { sep = "\t", comment = "#" }) do
      items[#items + 1] = { label = tonumber(row.label), text = row.sentence, split = row.split }
    end
    expect(#items >= 200).to_be(true)
    local pos = 0
    for _, x in ipairs(items) do pos = pos + x.label end
    expect(pos > 80 and #items - pos > 80).to_be(true)
    local test = {}
    for _, x in ipairs(items) do if x.split == "test" then test[#test + 1] = x end end
    local r = require("llm.text.passive").evaluate(items)
    expect(r.precision >= 0.95).to_be(true)
    expect(r.recall >= 0.95).to_be(true)
    local h = require("llm.text.passive").evaluate(test)
    expect(#test).to_be(50)
    expect(h.precision >= 0.9).to_be(true)
    expect(h.recall >= 0.9).to_be(true)
  end)
end)
