-- tests/lua/test_plot.lua: llm.plot draws real gnuplot output.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect
local plot = llm.plot

-- Collect what shown plots would print, instead of printing it.
local shown = {}
plot.set_sink(function(p, event) shown[#shown + 1] = { plot = p, event = event } end)

local have_gnuplot = plot.available()
local tmp = os.tmpname()
os.remove(tmp)

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function count(s, pat)
  local n = 0
  for _ in s:gmatch(pat) do n = n + 1 end
  return n
end

describe("llm.plot scripts", function()
  it("line plots carry title, labels, series and log scale", function()
    local p = plot.line { title = "loss curve", xlabel = "step", ylabel = "loss", logy = true,
      series = { { name = "train", y = { 4, 2, 1 } }, { name = "val", x = { 1, 3 }, y = { 5, 3 } } },
      show = false }
    local s = p:script { term = "dumb", width = 70, height = 20 }
    expect(s).to_match("set terminal dumb size 70,20 mono")
    expect(s).to_match("set title 'loss curve'")
    expect(s).to_match("set logscale y")
    expect(s).to_match("\n1 4\n2 2\n3 1\nEOD")
    expect(s).to_match("\n1 5\n3 3\nEOD")
    expect(s).to_match("title 'train'")
    expect(s).to_match("title 'val'")
  end)

  it("quotes titles safely and writes NaN for non-finite values", function()
    local p = plot.line { title = "it's\nhere", y = { 1, 0 / 0, math.huge }, show = false }
    local s = p:script()
    expect(s).to_match("set title 'it''s here'")
    expect(s).to_match("\n2 NaN\n3 NaN\n")
  end)

  it("an expected band is two dashed lines as text and a filled area in files", function()
    local p = plot.line { y = { 3, 2, 1 }, band = { lo = { 2.5, 1.5, 0.5 }, hi = { 3.5, 2.5, 1.5 } }, show = false }
    expect(p:script()).to_match("%$band using 1:2 with lines dashtype 2 title 'expected'")
    expect(p:script { term = "png", path = "x.png" }).to_match("filledcurves")
  end)

  it("histograms count values into bins", function()
    local counts, lo, hi, w = plot.bin({ 0, 0.1, 0.5, 0.9, 1 }, 2)
    expect(counts).to_equal({ 2, 3 })
    expect(lo).to_be(0)
    expect(hi).to_be(1)
    expect(w).to_be(0.5)
    local p = plot.histogram { values = { 1, 2, 2, 3, 3, 3 }, bins = 3, show = false }
    expect(p.counts).to_equal({ 1, 2, 3 })
  end)

  it("shows on the sink when built, and pushes live points", function()
    local before = #shown
    local p = plot.line { name = "loss", y = { 1 } }
    expect(#shown).to_be(before + 1)
    expect(shown[#shown].event).to_be("show")
    p:push("loss", 2, 0.5)
    expect(shown[#shown].event).to_be("live")
    expect(p.series[1].y).to_equal({ 1, 0.5 })
    p:push("val", 2, 0.7)
    expect(#p.series).to_be(2)
    expect(plot.last()).to_be(p)
  end)

  it("rejects bad input with clear messages", function()
    expect(function() plot.line { y = { 1, "x" } } end).to_error("y%[2%] is a string, not a number")
    expect(function() plot.line { x = { 1 }, y = { 1, 2 } } end).to_error("1 x values and 2 y values")
    expect(function() plot.line "loss" end).to_error("expected a table of options")
    expect(function() plot.line { series = {} } end).to_error("no series")
    expect(function() plot.scatter { points = { { 1 } } } end).to_error("point 1 needs two numbers")
    expect(function() plot.heatmap { matrix = { { 1, 2 }, { 3 } } } end).to_error("row 2 does not have 2 values")
    expect(function() plot.histogram { values = {} } end).to_error("no values")
    expect(function() plot.bin({ 1 }, 0) end).to_error("bins must be a positive integer")
    local p = plot.bar { values = { 1 }, show = false }
    expect(function() p:save(tmp .. ".jpg") end).to_error("use a .png or .svg file name")
    expect(function() p:push("x", 1, 2) end).to_error("push works on line plots")
  end)
end)

if not have_gnuplot then
  describe("llm.plot without gnuplot", function()
    it("says gnuplot is missing", function()
      local ok, msg = plot.available()
      expect(ok).to_be(false)
      expect(msg).to_match("gnuplot not found")
    end)
  end)
  return
end

describe("llm.plot through gnuplot", function()
  it("draws a line plot as text with labels and the legend", function()
    local p = plot.line { title = "Loss", xlabel = "step", ylabel = "nll",
      series = { { name = "train", y = { 4, 3, 2, 1.5, 1.2 } }, { name = "val", y = { 4.2, 3.3, 2.6, 2.2, 2.1 } } },
      show = false }
    local text = p:text(72, 22)
    expect(text:sub(1, 1) ~= "\f").to_be(true)
    expect(text).to_match("Loss")
    expect(text).to_match("step")
    expect(text).to_match("train")
    expect(text).to_match("val")
    expect(count(text, "\n") >= 21).to_be(true)
    -- The frame is as wide as asked.
    local longest = 0
    for line in text:gmatch("[^\n]*") do longest = math.max(longest, #line) end
    expect(longest).to_be(72)
    expect(text:find("\27%[")).to_be(nil)
  end)

  it("adds ANSI colours on request", function()
    local p = plot.line { y = { 1, 2, 3 }, show = false }
    expect(p:text(40, 12, true)).to_match("\27%[[%d;]*m")
  end)

  it("log-y puts powers of ten on the axis", function()
    local p = plot.line { y = { 1000, 100, 10, 1 }, logy = true, show = false }
    local text = p:text(60, 20)
    expect(text).to_match("1000")
    expect(text).to_match("100")
    expect(text).to_match("10")
  end)

  it("scatter shows the point labels", function()
    local p = plot.scatter { points = { { 0, 0, "king" }, { 1, 1, "queen" }, { 0.2, 0.9, "apple" } }, show = false }
    local text = p:text(60, 20)
    expect(text).to_match("king")
    expect(text).to_match("queen")
    expect(text).to_match("apple")
  end)

  it("a heat map shades low and high cells differently", function()
    local p = plot.heatmap { matrix = { { 0, 1 }, { 2, 9 } }, xlabels = { "the", "cat" }, ylabels = { "a", "b" }, show = false }
    local text = p:text(60, 16)
    expect(text).to_match("@@@")       -- the largest value
    expect(text).to_match("min 0  max 9")
    expect(text).to_match("cat")
  end)

  it("bar and histogram plots draw boxes with their labels", function()
    local b = plot.bar { labels = { "the", "of", "and" }, values = { 10, 6, 3 }, show = false }
    local text = b:text(60, 16)
    expect(text).to_match("the")
    expect(text).to_match("and")
    local h = plot.histogram { values = { 1, 2, 2, 3, 3, 3 }, bins = 3, title = "lengths", show = false }
    expect(h:text(60, 16)).to_match("lengths")
  end)

  it("saves PNG and SVG files", function()
    local p = plot.line { y = { 3, 2, 1 }, band = { lo = { 2, 1, 0.5 }, hi = { 4, 3, 1.5 } }, show = false }
    local png = p:save(tmp .. ".png")
    local data = read(png)
    expect(data:sub(1, 8)).to_be("\137PNG\r\n\26\n")
    expect(#data > 1000).to_be(true)
    os.remove(png)
    plot.heatmap { matrix = { { 1, 2 }, { 3, 4 } }, show = false }:save(tmp .. ".svg")
    local svg = read(tmp .. ".svg")
    expect(svg).to_match("<svg")
    os.remove(tmp .. ".svg")
    -- llm.plot.save writes the last plot.
    plot.bar { values = { 1, 2 } }
    local path = plot.save(tmp .. "-last.png")
    expect(read(path):sub(2, 4)).to_be("PNG")
    os.remove(path)
  end)

  it("reports a file that cannot be written", function()
    local p = plot.line { y = { 1, 2 }, show = false }
    expect(function() p:save("/nonexistent-dir/x.png") end).to_error("gnuplot")
  end)
end)
