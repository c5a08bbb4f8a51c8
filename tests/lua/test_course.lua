-- The course manifest (lua/llm/course.lua) and the checklist markdown it
-- renders and reads: counts and ids against the outline, and the round trip
-- on the outline's own checklist half (tests/e2e/data/course-checklist.md,
-- copied verbatim from course-outline.md) byte for byte.
local T = require "llm.test"
local course = require "llm.course"
local expect = T.expect

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end
local fixture = read(llm.home .. "/tests/e2e/data/course-checklist.md")

T.describe("course manifest", function()
  T.it("has the 12 modules and 33 weeks of the outline, in order", function()
    expect(#course.modules).to_be(12)
    local numerals = {}
    for i, m in ipairs(course.modules) do numerals[i] = m.numeral end
    expect(table.concat(numerals, " ")).to_be("I II III IV V VI VII VIII IX X XI XII")
    local n = 0
    for _, m in ipairs(course.modules) do
      for _, w in ipairs(m.weeks) do
        n = n + 1
        expect(w.week).to_be(n)
      end
    end
    expect(n).to_be(33)
    expect(course.week(3).title).to_be("Tokenization & Text Normalization")
    expect(course.modules[1].outline_title).to_be("Foundations of Natural Language Processing (NLP) and Text Data")
  end)

  T.it("has all 63 labs, each in its week with the outline's description", function()
    for n = 1, 63 do
      local lab = course.lab(n)
      expect(lab ~= nil).to_be(true)
      expect(lab.kind).to_be("lab")
      expect(lab.id).to_be(string.format("w%02d.lab%02d", lab.week, n))
      expect(lab.text).to_match("^%*%*Lab " .. n .. ":%*%* ")
      expect(type(lab.outline)).to_be("string")
    end
    expect(course.lab(64)).to_be(nil)
    expect(course.item("w03.lab05").lab).to_be(5)
    expect(course.item("w03.lab05").outline).to_match("^Implementing different tokenization techniques")
    expect(course.item("w12.lab25").week).to_be(12)
  end)

  T.it("has every checklist item once, with a stable well-formed id", function()
    expect(#course.items).to_be(237)
    local seen, kinds = {}, {}
    for _, it in ipairs(course.items) do
      expect(seen[it.id]).to_be(nil)
      seen[it.id] = true
      kinds[it.kind] = (kinds[it.kind] or 0) + 1
      local ok = it.id:match("^w%d%d%.t%d%d$") or it.id:match("^w%d%d%.t%d%d%.%d$") or it.id:match("^w%d%d%.lab%d%d$")
        or it.id:match("^w%d%d%.d%d%d$") or it.id:match("^w33%.capstone$") or it.id:match("^w33%.presentations$")
        or it.id:match("^assess%.%d%d$")
      if not ok then T.fail("bad id " .. it.id) end
    end
    expect(kinds).to_equal({ topic = 164, lab = 63, discussion = 4, project = 2, assessment = 4 })
    expect(course.item("w03.t04").text).to_be("Learn about subword tokenization (BPE and others): advantages and limitations.")
    expect(course.item("w13.d01").text).to_match("^%*%*Discussion:%*%* Ethical implications")
    expect(course.item("w33.d01").text).to_match("^%*%*Final Discussion:%*%*")
    expect(course.item("w08.t02.5").parent).to_be("w08.t02")
    expect(course.item("w08.t02.5").depth).to_be(1)
    expect(course.item("w99.t01")).to_be(nil)
  end)

  T.it("lists a week's topics (what its quiz ticks), sub-items included", function()
    local ids = course.week_topic_ids(8)
    expect(#ids).to_be(7)
    expect(ids[2]).to_be("w08.t02")
    expect(ids[3]).to_be("w08.t02.1")
    expect(#course.week_topic_ids(1)).to_be(4)
    expect(#course.week_topic_ids(99)).to_be(0)
  end)
end)

T.describe("checklist markdown", function()
  T.it("renders the outline's checklist half byte for byte", function()
    local out = course.render({ ["w01.t01"] = true, ["w01.t02"] = true })
    expect(#out).to_be(#fixture)
    expect(out == fixture).to_be(true)
  end)

  T.it("reads the outline's ticks and round-trips it", function()
    local ticks = assert(course.parse(fixture, "fixture"))
    local n, on = 0, {}
    for id, t in pairs(ticks) do
      n = n + 1
      if t then on[#on + 1] = id end
    end
    table.sort(on)
    expect(n).to_be(237)
    expect(on).to_equal({ "w01.t01", "w01.t02" })
    expect(course.render(ticks) == fixture).to_be(true)
  end)

  T.it("differs from the outline only in the ticks", function()
    local ticks = { ["w03.lab05"] = true, ["w08.t02.3"] = true, ["assess.04"] = true, ["w33.capstone"] = true }
    local out = course.render(ticks)
    expect(out == fixture).to_be(false)
    local function untick(s) return (s:gsub("%- %[x%] ", "- [ ] ")) end
    expect(untick(out) == untick(fixture)).to_be(true)
    local back = assert(course.parse(out))
    for id, t in pairs(back) do expect(t).to_be(ticks[id] == true) end
    local changed = 0
    local a, b = course.render({}), out
    local al, bl = {}, {}
    for l in a:gmatch("([^\n]*)\n") do al[#al + 1] = l end
    for l in b:gmatch("([^\n]*)\n") do bl[#bl + 1] = l end
    expect(#al).to_be(#bl)
    for i = 1, #al do if al[i] ~= bl[i] then changed = changed + 1 end end
    expect(changed).to_be(4)
  end)

  T.it("accepts [X], reflowed spaces and missing trailing spaces", function()
    local edited = fixture:gsub("%- %[x%] Learn about NLP", "- [X] Learn about NLP")
      :gsub("Learn about Sentiment Analysis: \n", "Learn about Sentiment Analysis:\n")
      :gsub("\n    %- %[ %] Lexicon", "\n  - [x] Lexicon")
    local ticks = assert(course.parse(edited))
    expect(ticks["w01.t01"]).to_be(true)
    expect(ticks["w29.t01"]).to_be(false)
    expect(ticks["w29.t01.1"]).to_be(true)
  end)

  T.it("reads the whole outline, skipping its first half", function()
    local whole = "**Course Outline:**\n\n**Module I: Foundations of NLP**\n\n* **Week 1: Intro**\n    * What is NLP?\n"
      .. "    * **Lab 1:** Exploring.\n" .. fixture
    local ticks = assert(course.parse(whole))
    expect(ticks["w01.t01"]).to_be(true)
  end)

  T.it("names the line of every problem", function()
    local bad = fixture:gsub("Learn about lowercasing: converting text to lowercase%.", "Learn about uppercasing.")
      :gsub("%- %[ %] %*%*Lab 6:%*%*", "- [-] **Lab 6:**")
    local ticks, errs = course.parse(bad, "mine.md")
    expect(ticks).to_be(nil)
    expect(#errs).to_be(2)
    expect(errs[1]).to_match("^mine%.md:31: not an item of week 3: Learn about uppercasing%.$")
    expect(errs[2]).to_match("^mine%.md:37: a tick must be")
    local _, e2 = course.parse("- [ ] Learn about NLP and its applications.\n", "x.md")
    expect(e2[1]).to_match("^x%.md:1: checklist item outside a week heading")
    local _, e3 = course.parse("**Week 99: Nope**\n\n- [ ] a\n", "x.md")
    expect(e3[1]).to_be("x.md:1: there is no week 99 in the course")
    local _, e4 = course.parse("**Week 1: x**\n- [x] Learn about NLP and its applications.\n"
      .. "- [ ] Learn about NLP and its applications.\n", "x.md")
    expect(e4[1]).to_be("x.md:3: item w01.t01 already appeared on line 2")
    local _, e5 = course.parse("just some text\n", "x.md")
    expect(e5[1]).to_be("x.md: no checklist items found")
    local _, e6 = course.parse(nil, "x.md")
    expect(e6[1]).to_match("not text")
  end)
end)
