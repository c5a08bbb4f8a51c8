-- llm.corpora (the labs' document lists) on the fetched corpora, and the
-- pieces the Module I labs need inside a sandbox: the data catalog (no
-- loadfile there) and plots (only a read-only io there). Tests that need a
-- corpus run only when it is in the data folder (CI runs bootstrap first).
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect
local C = require "llm.corpora"
local data = llm.data
local sandbox = require "llm.sandbox"

local function have(name) return data.fetched(name) end

describe("llm.corpora", function()
  it("reads the State of the Union addresses in year order", function()
    if not have("sotu") then return end
    local all = C.sotu()
    expect(#all).to_be(233)
    expect(all[1].year).to_be(1790)
    expect(all[1].name).to_be("George Washington")
    expect(all[1].text:sub(1, 15)).to_be("Fellow-Citizens")
    expect(all[#all].year).to_be(2021)
    for i = 2, #all do expect(all[i].year >= all[i - 1].year).to_be(true) end
    local some = C.sotu({ from = 1900, to = 1909, limit = 3 })
    expect(#some).to_be(3)
    for _, s in ipairs(some) do expect(s.year >= 1900 and s.year <= 1909).to_be(true) end
  end)

  it("parses the King James Bible into verses and chapters", function()
    if not have("kjv") then return end
    local v = C.kjv()
    expect(#v).to_be(31102)
    expect(v[1]).to_equal({ book = "Genesis", chapter = 1, verse = 1,
      text = "In the beginning God created the heaven and the earth." })
    expect(v[#v].book).to_be("Revelation")
    expect(#C.kjv({ limit = 10 })).to_be(10)
    local ruth = C.kjv({ books = { "Ruth" } })
    expect(#ruth).to_be(85)
    local ch = C.kjv_chapters({ limit = 2 })
    expect(#ch).to_be(2)
    expect(ch[2].chapter).to_be(2)
    expect(ch[1].text:sub(1, 16)).to_be("In the beginning")
  end)

  it("splits Moby Dick into its chapters", function()
    if not have("moby-dick") then return end
    local m = C.moby_dick()
    expect(#m).to_be(135)
    expect(m[1].number).to_be(1)
    expect(m[1].title).to_be("Loomings.")
    expect(m[1].text:match("Call me Ishmael") ~= nil).to_be(true)
    expect(#C.moby_dick({ limit = 3 })).to_be(3)
    -- chapter 56's title wraps onto a second line
    expect(m[56].title).to_be("Of the Less Erroneous Pictures of Whales, and the True Pictures of Whaling Scenes.")
    expect(m[56].text:match("^%s*In connexion") ~= nil).to_be(true)
  end)

  it("reads the labelled sentiment sentences", function()
    if not have("sentiment") then return end
    local all = C.sentiment()
    expect(#all).to_be(3000)
    local amazon = C.sentiment("amazon", 5)
    expect(#amazon).to_be(5)
    expect(amazon[1].source).to_be("amazon")
    for _, r in ipairs(all) do expect(r.label == 0 or r.label == 1).to_be(true) end
    expect(function() C.sentiment("twitter") end).to_error("source must be amazon, imdb, yelp or all")
  end)
end)

describe("Module I labs' needs inside a sandbox", function()
  it("llm.data reads the catalog there (no loadfile in a sandbox)", function()
    local r = sandbox.run { code = [[return #llm.data.catalog() > 5 and llm.data.entry("kjv").name]],
      time = 5, memory = 64 * 2 ^ 20 }
    expect(r.status).to_be("ok")
    expect(r.value).to_be("kjv")
  end)

  it("a plot shown there prints instead of failing on the missing io functions", function()
    local r = sandbox.run { code = [[llm.plot.bar { title = "sandboxed bar", labels = {"a", "b"}, values = {1, 2} }
      return "done"]], time = 10, memory = 128 * 2 ^ 20 }
    expect(r.status).to_be("ok")
    expect(r.value).to_be("done")
  end)
end)
