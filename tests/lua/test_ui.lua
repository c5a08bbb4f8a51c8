-- tests/lua/test_ui.lua: the UI's arithmetic and text layout (no terminal
-- needed): pane splitting, scrolling, gauges, wrapping, the key table and
-- the help generated from it, serialisation between threads, history.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect
local layout = require "llm.ui.layout"
local text = require "llm.ui.text"
local keys = require "llm.ui.keys"
local serial = require "llm.ui.serial"
local history = require "llm.ui.history"

local function plain_lines(lines)
  local out = {}
  for i, l in ipairs(lines) do out[i] = text.plain(l) end
  return out
end

describe("layout.share", function()
  it("fixed, fractional and star sizes add up to the total", function()
    expect(layout.share(24, { 1, "*", 3, 1 })).to_equal({ 1, 19, 3, 1 })
    expect(layout.share(80, { 0.5, "*" })).to_equal({ 40, 40 })
    expect(layout.share(81, { 0.5, "*" })).to_equal({ 40, 41 })
    expect(layout.share(10, { "*", "*", "*" })).to_equal({ 3, 3, 4 })
  end)
  it("never goes negative when fixed parts do not fit", function()
    expect(layout.share(3, { 1, "*", 3, 1 })).to_equal({ 1, 0, 2, 0 })
    expect(layout.share(0, { 2, "*" })).to_equal({ 0, 0 })
  end)
end)

describe("screen layouts", function()
  it("the lab screen at 80x24 tiles the terminal exactly", function()
    local L = layout.lab(80, 24)
    expect(L.header).to_equal({ x = 0, y = 0, w = 80, h = 1 })
    expect(L.status).to_equal({ x = 0, y = 23, w = 80, h = 1 })
    expect(L.repl).to_equal({ x = 0, y = 20, w = 80, h = 3 })
    expect(L.step).to_equal({ x = 0, y = 1, w = 40, h = 19 })
    expect(L.output.x).to_be(40)
    expect(L.output.h + L.plot.h).to_be(19)
    expect(L.plot.y).to_be(L.output.y + L.output.h)
    expect(L.output.w).to_be(40)
  end)
  it("the course screen keeps its gauge and status lines at any size", function()
    for _, sz in ipairs { { 80, 24 }, { 200, 60 }, { 60, 20 } } do
      local L = layout.course(sz[1], sz[2])
      expect(L.gauge.y).to_be(1)
      expect(L.status.y).to_be(sz[2] - 1)
      expect(L.tree.w + L.detail.w).to_be(sz[1])
      expect(L.tree.h).to_be(sz[2] - 3)
    end
  end)
  it("inner removes the border", function()
    expect(layout.inner({ x = 2, y = 3, w = 10, h = 5 })).to_equal({ x = 3, y = 4, w = 8, h = 3 })
    expect(layout.inner({ x = 0, y = 0, w = 1, h = 1 }).w).to_be(0)
  end)
end)

describe("layout.scroll and gauges", function()
  it("moves the window as little as possible to show the cursor", function()
    expect(layout.scroll(0, 5, 10, 100)).to_be(0)
    expect(layout.scroll(0, 11, 10, 100)).to_be(1)
    expect(layout.scroll(20, 5, 10, 100)).to_be(4)
    expect(layout.scroll(95, 100, 10, 100)).to_be(90)
    expect(layout.scroll(50, 1, 10, 5)).to_be(0)
    expect(layout.scroll(3, 0, 0, 10)).to_be(0)
  end)
  it("fills gauges in proportion, clamped", function()
    expect(layout.gauge_fill(20, 5, 10)).to_be(10)
    expect(layout.gauge_fill(20, 0, 10)).to_be(0)
    expect(layout.gauge_fill(20, 15, 10)).to_be(20)
    expect(layout.gauge_fill(3, 1, 3)).to_be(1)
    expect(layout.gauge_fill(20, 1, 0)).to_be(0)
  end)
end)

describe("text", function()
  it("splits inline markup into styled segments", function()
    expect(text.inline("a **b** `c` d")).to_equal({ { "a ", "normal" }, { "b", "bold" }, { " ", "normal" },
      { "c", "code" }, { " d", "normal" } })
    expect(text.inline("no **close")).to_equal({ { "no ", "normal" }, { "**close", "normal" } })
  end)
  it("wraps words to the width, keeping styles and prefixes", function()
    local lines = text.wrap(text.inline("the **quick** brown fox jumps over"), 10, "- ", "  ")
    expect(plain_lines(lines)).to_equal({ "- the", "  quick", "  brown", "  fox", "  jumps", "  over" })
    lines = text.wrap(text.inline("the **quick** brown"), 20)
    expect(plain_lines(lines)).to_equal({ "the quick brown" })
    expect(lines[1][3]).to_equal({ "quick", "bold" })
  end)
  it("cuts words longer than a line and counts UTF-8 characters as one column", function()
    expect(plain_lines(text.wrap({ { "abcdefghij", "normal" } }, 4))).to_equal({ "abcd", "efgh", "ij" })
    expect(text.width("héllo")).to_be(5)
    expect(text.truncate("héllo wörld", 7)).to_be("héllo w")
    expect(text.fit("ab", 4)).to_be("ab  ")
  end)
  it("folds plain output lines", function()
    expect(text.fold("abcdef\n\nxy\tz", 4)).to_equal({ "abcd", "ef", "", "xy  ", "  z" })
  end)
end)

describe("the key table", function()
  it("looks up screen keys before global ones", function()
    expect(keys.lookup("n", "lab")).to_be("next_step")
    expect(keys.lookup("n", "quiz")).to_be("next_question")
    expect(keys.lookup("j", "lab")).to_be("down")
    expect(keys.lookup("C-c", "course")).to_be("cancel")
    expect(keys.lookup(" ", "checklist")).to_be("toggle")
    expect(keys.lookup("Z", "lab")).to_be(nil)
  end)
  it("has no key bound twice in one place", function()
    local seen = {}
    for _, row in ipairs(keys.table) do
      for _, k in ipairs(row.keys) do
        local id = row.where .. "/" .. k
        expect(seen[id]).to_be(nil)
        seen[id] = true
      end
    end
  end)
  it("generates the help from the table: every row appears", function()
    local all = table.concat(plain_lines(keys.help_lines()), "\n")
    for _, row in ipairs(keys.table) do
      expect(all:find(row.help, 1, true) ~= nil).to_be(true)
    end
    expect(all).to_match("Ctrl%-C")
    expect(all).to_match("Space")
  end)
end)

describe("serial", function()
  it("round-trips plain data", function()
    local v = { 1, 2.5, "x\n\"y\"", true, { a = { b = -3 } }, n = 0 / 0 ~= 0 / 0, big = 1e300 }
    local back = serial.decode(serial.encode(v))
    expect(back).to_equal(v)
    expect(serial.decode(serial.encode(math.huge))).to_be(math.huge)
    local nan = serial.decode(serial.encode(0 / 0))
    expect(nan ~= nan).to_be(true)
  end)
  it("drops functions and refuses code in decode", function()
    expect(serial.decode(serial.encode({ f = print, k = 1 }))).to_equal({ k = 1 })
    local v, err = serial.decode("os.exit(3)")
    expect(v).to_be(nil)
    expect(err ~= nil).to_be(true)
  end)
end)

describe("history", function()
  it("persists multi-line entries and skips repeats", function()
    local path = os.tmpname()
    local h = history.load(path)
    history.add(h, "x = 1")
    history.add(h, "x = 1")
    history.add(h, "for i = 1, 2 do\n  print(i)\nend")
    local back = history.load(path)
    expect(#back).to_be(2)
    expect(back[2]).to_be("for i = 1, 2 do\n  print(i)\nend")
    os.remove(path)
  end)
end)

describe("markdown in panes", function()
  local md = [[
# Counting words
Split the text, then **count** each `word`.

- first item that is long enough to wrap
- second

```lua
local n = 0
```
Done.]]
  it("renders headings, paragraphs, lists and code with styles, wrapped", function()
    local lines = text.markdown(md, 24)
    expect(plain_lines(lines)).to_equal({
      "Counting words", "",
      "Split the text, then", "count each word.", "",
      "- first item that is", "  long enough to wrap", "- second", "",
      "  local n = 0", "",
      "Done." })
    expect(lines[1][1][2]).to_be("heading")
    expect(lines[4][1]).to_equal({ "count", "bold" })
    expect(lines[4][5]).to_equal({ "word", "code" })
    expect(lines[10][2]).to_equal({ "local n = 0", "code" })
  end)
  it("uses the bullet it is given and never leaves blank lines at the ends", function()
    text.bullet = "•"
    local lines = plain_lines(text.markdown("\n\n- a\n\n\n", 10))
    text.bullet = nil
    expect(lines).to_equal({ "• a" })
  end)
  it("folds code lines longer than the pane", function()
    local lines = plain_lines(text.markdown("```\nabcdefghij\n```", 6))
    expect(lines).to_equal({ "  abcd", "  efgh", "  ij" })
  end)
end)

describe("ui model", function()
  it("caches the best lab and quiz results until refresh", function()
    local store = require "llm.store"
    local path = os.tmpname()
    os.remove(path)
    path = path .. "-ui.db"
    store.set_default_path(path)
    local m = require("llm.ui.model").new()
    local db = m:db()
    expect(m:lab_best("w01.lab01")).to_be(nil)
    expect(m:quiz_best(2)).to_be(nil)
    local a = db:lab_attempt_start("w01.lab01", { mode = "student" })
    db:lab_attempt_finish(a, { points = 3, max = 4, passed = true })
    local q = db:quiz_attempt_start(2, nil, 1)
    db:quiz_attempt_finish(q, { points = 8, max = 10, results = {} })
    -- the misses stay cached until refresh
    expect(m:lab_best("w01.lab01")).to_be(nil)
    expect(m:quiz_best(2)).to_be(nil)
    m:refresh()
    expect(m:lab_best("w01.lab01")).to_equal({ points = 3, max = 4, passed = true, attempt = a })
    expect(m:quiz_best(2)).to_equal({ points = 8, max = 10, passed = true, attempt = q })
    -- a lab and a quiz week do not share a cache entry
    expect(m:lab_best("2")).to_be(nil)
    db:close()
    store.set_default_path(nil)
    os.remove(path)
  end)
end)
