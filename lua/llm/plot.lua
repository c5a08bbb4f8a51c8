-- llm.plot: plots drawn by gnuplot (line, scatter, histogram, heat map, bar).
--
--   local p = llm.plot.line{ title = "loss", xlabel = "step", logy = true,
--     series = { {name = "train", x = steps, y = train}, {name = "val", y = val} },
--     band = { x = ref_steps, lo = ref_lo, hi = ref_hi, name = "expected" } }
--   p:push("train", step, loss)   -- add a point; the UI redraws it live
--   p:show()                      -- draw it again where plots go
--   llm.plot.save("loss.png")     -- PNG or SVG of the last plot (or p:save(path))
--   print(p:text(70, 20))         -- the plot as text (gnuplot's dumb terminal)
--
-- Building a plot shows it at once (pass show = false to only build it).
-- Where a shown plot goes is the sink: on the command line it is printed
-- as text (or saved as PNG files in the folder of `llmlab run --plot-dir`);
-- while the workbench UI runs it goes to the UI's plot pane (from any Lua
-- state, a sandboxed lab step's included): shown plots at once, live
-- pushes at most 5 times a second, so end a live plot with p:show() to
-- draw its final state. This file only writes gnuplot scripts;
-- src/app/plot.c runs gnuplot through a pipe. Without gnuplot, showing a
-- plot prints one notice and carries on.
local app = require "llm.app"

local M = {}
local Plot = {}
Plot.__index = Plot

local last_plot
local sink
local missing_noted = false

-- Values -------------------------------------------------------------

-- A list of numbers from a Lua table or anything with :totable()/:tolist().
local function to_list(v, what)
  if type(v) == "table" and getmetatable(v) == nil then return v end
  if (type(v) == "table" or type(v) == "userdata") then
    for _, m in ipairs { "totable", "tolist" } do
      local ok, f = pcall(function() return v[m] end)
      if ok and type(f) == "function" then return f(v) end
    end
  end
  error(("llm.plot: %s must be a list of numbers, got a %s"):format(what, type(v)), 3)
end

local function check_numbers(list, what)
  for i = 1, #list do
    if type(list[i]) ~= "number" then
      error(("llm.plot: %s[%d] is a %s, not a number"):format(what, i, type(list[i])), 3)
    end
  end
  return list
end

-- A number as gnuplot reads it; NaN and infinities become missing points.
local function num(x)
  if x ~= x or x == math.huge or x == -math.huge then return "NaN" end
  if math.type(x) == "integer" then return tostring(x) end
  return ("%.10g"):format(x)
end

-- A string literal for a gnuplot command (single quotes: no escapes).
local function quote(s)
  s = tostring(s or ""):gsub("[\r\n]+", " ")
  return "'" .. s:gsub("'", "''") .. "'"
end

-- A string inside a data block (double quotes; no quotes inside).
local function data_string(s)
  return '"' .. tostring(s or ""):gsub("[\r\n\"]", " ") .. '"'
end

-- Plot construction ---------------------------------------------------

local function new(kind, opts)
  local p = setmetatable({ kind = kind, opts = opts }, Plot)
  return p
end

local function finish(p)
  last_plot = p
  if p.opts.show ~= false then p:show() end
  return p
end

local function check_opts(opts, name)
  if type(opts) ~= "table" then
    error(("llm.plot.%s: expected a table of options, got a %s"):format(name, type(opts)), 3)
  end
end

-- line{series = {{name=, x=, y=}, ...}, logy=, band=, title=, xlabel=, ylabel=}
-- A single series may be given as y = {...} (and x = {...}).
function M.line(opts)
  check_opts(opts, "line")
  local p = new("line", opts)
  local src = opts.series or { { name = opts.name, x = opts.x, y = opts.y } }
  p.series = {}
  for i, s in ipairs(src) do
    if s.y == nil then error(("llm.plot.line: series %d has no y values"):format(i), 2) end
    local y = check_numbers(to_list(s.y, "series y"), "y")
    local x = s.x and check_numbers(to_list(s.x, "series x"), "x")
    if x and #x ~= #y then
      error(("llm.plot.line: series %d has %d x values and %d y values"):format(i, #x, #y), 2)
    end
    local xs = {}
    for k = 1, #y do xs[k] = x and x[k] or k end
    p.series[i] = { name = s.name or ("series " .. i), x = xs, y = { table.unpack(y) } }
  end
  if #p.series == 0 then error("llm.plot.line: no series to plot", 2) end
  if opts.band then
    local b = opts.band
    local lo = check_numbers(to_list(b.lo, "band lo"), "band.lo")
    local hi = check_numbers(to_list(b.hi, "band hi"), "band.hi")
    local x = b.x and check_numbers(to_list(b.x, "band x"), "band.x")
    if #lo ~= #hi or (x and #x ~= #lo) then
      error("llm.plot.line: band.x, band.lo and band.hi must have the same length", 2)
    end
    local xs = {}
    for k = 1, #lo do xs[k] = x and x[k] or k end
    p.band = { name = b.name or "expected", x = xs, lo = lo, hi = hi }
  end
  return finish(p)
end

-- scatter{x=, y=, labels=} or scatter{points = {{x, y, "label"}, ...}}
function M.scatter(opts)
  check_opts(opts, "scatter")
  local p = new("scatter", opts)
  local xs, ys, labels = {}, {}, {}
  if opts.points then
    for i, pt in ipairs(opts.points) do
      if type(pt[1]) ~= "number" or type(pt[2]) ~= "number" then
        error(("llm.plot.scatter: point %d needs two numbers {x, y [, label]}"):format(i), 2)
      end
      xs[i], ys[i], labels[i] = pt[1], pt[2], pt[3] or pt.label
    end
  else
    xs = check_numbers(to_list(opts.x, "x"), "x")
    ys = check_numbers(to_list(opts.y, "y"), "y")
    if #xs ~= #ys then
      error(("llm.plot.scatter: %d x values and %d y values"):format(#xs, #ys), 2)
    end
    labels = opts.labels or {}
  end
  if #xs == 0 then error("llm.plot.scatter: no points to plot", 2) end
  p.x, p.y, p.labels = xs, ys, labels
  return finish(p)
end

-- The counts of `values` in `bins` equal-width bins over [lo, hi]
-- (default: the values' range). Returns counts, lo, hi, width.
function M.bin(values, bins, lo, hi)
  bins = bins or 10
  if math.type(bins) ~= "integer" or bins < 1 then
    error("llm.plot.bin: bins must be a positive integer", 2)
  end
  if not lo or not hi then
    local mn, mx = math.huge, -math.huge
    for _, v in ipairs(values) do
      if v < mn then mn = v end
      if v > mx then mx = v end
    end
    lo, hi = lo or mn, hi or mx
  end
  if hi <= lo then hi = lo + 1 end
  local width = (hi - lo) / bins
  local counts = {}
  for i = 1, bins do counts[i] = 0 end
  for _, v in ipairs(values) do
    if v >= lo and v <= hi then
      local k = math.floor((v - lo) / width) + 1
      if k > bins then k = bins end
      counts[k] = counts[k] + 1
    end
  end
  return counts, lo, hi, width
end

-- histogram{values=, bins=, range = {lo, hi}}
function M.histogram(opts)
  check_opts(opts, "histogram")
  local p = new("histogram", opts)
  local values = check_numbers(to_list(opts.values, "values"), "values")
  if #values == 0 then error("llm.plot.histogram: no values", 2) end
  local range = opts.range or {}
  p.counts, p.lo, p.hi, p.width = M.bin(values, opts.bins or 10, range[1], range[2])
  return finish(p)
end

-- heatmap{matrix = {{...}, ...}, xlabels=, ylabels=} (row 1 drawn on top)
function M.heatmap(opts)
  check_opts(opts, "heatmap")
  local p = new("heatmap", opts)
  local m = opts.matrix
  if type(m) ~= "table" and type(m) ~= "userdata" then
    error("llm.plot.heatmap: matrix must be a table of rows", 2)
  end
  if type(m) == "userdata" or getmetatable(m) then m = to_list(m, "matrix") end
  local cols = m[1] and #m[1] or 0
  if #m == 0 or cols == 0 then error("llm.plot.heatmap: the matrix is empty", 2) end
  for r = 1, #m do
    if type(m[r]) ~= "table" or #m[r] ~= cols then
      error(("llm.plot.heatmap: row %d does not have %d values"):format(r, cols), 2)
    end
    check_numbers(m[r], ("matrix[%d]"):format(r))
  end
  p.matrix, p.rows, p.cols = m, #m, cols
  return finish(p)
end

-- bar{labels = {...}, values = {...}}
function M.bar(opts)
  check_opts(opts, "bar")
  local p = new("bar", opts)
  local values = check_numbers(to_list(opts.values, "values"), "values")
  local labels = opts.labels or {}
  if #values == 0 then error("llm.plot.bar: no values", 2) end
  p.values, p.labels = values, labels
  return finish(p)
end

-- Live updates --------------------------------------------------------

-- Add a point to a line plot's series (made if new) and tell the sink.
function Plot:push(name, x, y)
  if self.kind ~= "line" then error("llm.plot: push works on line plots", 2) end
  if type(x) ~= "number" or type(y) ~= "number" then
    error("llm.plot: push(name, x, y) needs numbers for x and y", 2)
  end
  local s
  for _, cand in ipairs(self.series) do
    if cand.name == name then s = cand end
  end
  if not s then
    s = { name = name, x = {}, y = {} }
    self.series[#self.series + 1] = s
  end
  s.x[#s.x + 1], s.y[#s.y + 1] = x, y
  last_plot = self
  local f = sink or M.default_sink
  f(self, "live")
  return self
end

-- Scripts -------------------------------------------------------------

local function datablock(lines, name, rows)
  lines[#lines + 1] = "$" .. name .. " << EOD"
  for _, r in ipairs(rows) do lines[#lines + 1] = r end
  lines[#lines + 1] = "EOD"
end

local SHADES = " .:-=+*#%@"

-- The gnuplot commands drawing this plot on terminal `target`:
-- {term = "dumb", width =, height =, color = true} or
-- {term = "png"|"svg", path =, width =, height =} (pixels).
function Plot:script(target)
  target = target or { term = "dumb", width = 80, height = 24 }
  local o, L = self.opts, {}
  local dumb = target.term == "dumb"
  if dumb then
    local w, h = math.max(20, target.width or 80), math.max(8, target.height or 24)
    L[#L + 1] = ("set terminal dumb size %d,%d %s"):format(w, h, target.color and "ansi" or "mono")
  elseif target.term == "png" then
    L[#L + 1] = ("set terminal pngcairo size %d,%d noenhanced"):format(target.width or 800, target.height or 500)
    L[#L + 1] = "set output " .. quote(target.path)
  elseif target.term == "svg" then
    L[#L + 1] = ("set terminal svg size %d,%d noenhanced"):format(target.width or 800, target.height or 500)
    L[#L + 1] = "set output " .. quote(target.path)
  else
    error("llm.plot: unknown terminal " .. tostring(target.term), 2)
  end
  L[#L + 1] = "set termoption noenhanced"
  if o.title then L[#L + 1] = "set title " .. quote(o.title) end
  if o.xlabel then L[#L + 1] = "set xlabel " .. quote(o.xlabel) end
  if o.ylabel then L[#L + 1] = "set ylabel " .. quote(o.ylabel) end
  local k = self.kind
  if k == "line" then
    if o.logy then L[#L + 1] = "set logscale y" end
    if o.logx then L[#L + 1] = "set logscale x" end
    L[#L + 1] = "set key top right"
    local plots = {}
    if self.band then
      local rows = {}
      for i = 1, #self.band.lo do
        rows[i] = num(self.band.x[i]) .. " " .. num(self.band.lo[i]) .. " " .. num(self.band.hi[i])
      end
      datablock(L, "band", rows)
      if dumb then
        plots[#plots + 1] = "$band using 1:2 with lines dashtype 2 title " .. quote(self.band.name)
        plots[#plots + 1] = "$band using 1:3 with lines dashtype 2 notitle"
      else
        plots[#plots + 1] = "$band using 1:2:3 with filledcurves fillstyle transparent solid 0.25 "
          .. "linecolor rgb '#888888' title " .. quote(self.band.name)
      end
    end
    for i, s in ipairs(self.series) do
      local rows = {}
      for j = 1, #s.y do rows[j] = num(s.x[j]) .. " " .. num(s.y[j]) end
      if #rows == 0 then rows[1] = "NaN NaN" end
      datablock(L, "s" .. i, rows)
      plots[#plots + 1] = ("$s%d using 1:2 with lines linewidth 2 title %s"):format(i, quote(s.name))
    end
    L[#L + 1] = "plot " .. table.concat(plots, ", ")
  elseif k == "scatter" then
    local rows = {}
    for i = 1, #self.x do
      rows[i] = num(self.x[i]) .. " " .. num(self.y[i]) .. " " .. data_string(self.labels[i] or "")
    end
    datablock(L, "pts", rows)
    L[#L + 1] = "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05"
    local cmd = "plot $pts using 1:2 with points pointtype 7 " .. (o.name and ("title " .. quote(o.name)) or "notitle")
    if next(self.labels) then
      cmd = cmd .. ", $pts using 1:2:3 with labels left offset 1,0 notitle"
    end
    L[#L + 1] = cmd
  elseif k == "histogram" then
    local rows = {}
    for i, c in ipairs(self.counts) do
      rows[i] = num(self.lo + (i - 0.5) * self.width) .. " " .. c
    end
    datablock(L, "h", rows)
    L[#L + 1] = "set style fill solid 0.6 border"
    L[#L + 1] = ("set boxwidth %s"):format(num(self.width * 0.9))
    L[#L + 1] = "set yrange [0:*]"
    if not o.ylabel then L[#L + 1] = "set ylabel 'count'" end
    L[#L + 1] = "plot $h using 1:2 with boxes " .. (o.name and ("title " .. quote(o.name)) or "notitle")
  elseif k == "bar" then
    local rows = {}
    for i, v in ipairs(self.values) do
      rows[i] = (i - 1) .. " " .. num(v) .. " " .. data_string(self.labels[i] or tostring(i))
    end
    datablock(L, "b", rows)
    L[#L + 1] = "set style fill solid 0.6 border"
    L[#L + 1] = "set boxwidth 0.7"
    L[#L + 1] = "set yrange [0<*:*]"
    L[#L + 1] = ("set xrange [-0.6:%s]"):format(num(#self.values - 0.4))
    L[#L + 1] = "plot $b using 1:2:xtic(3) with boxes " .. (o.name and ("title " .. quote(o.name)) or "notitle")
  elseif k == "heatmap" then
    local mn, mx = math.huge, -math.huge
    for _, row in ipairs(self.matrix) do
      for _, v in ipairs(row) do
        if v < mn then mn = v end
        if v > mx then mx = v end
      end
    end
    local span = mx > mn and mx - mn or 1
    local xt, yt = {}, {}
    for c = 1, self.cols do
      if o.xlabels and o.xlabels[c] then xt[#xt + 1] = quote(o.xlabels[c]) .. " " .. (c - 1) end
    end
    for r = 1, self.rows do
      if o.ylabels and o.ylabels[r] then yt[#yt + 1] = quote(o.ylabels[r]) .. " " .. (r - 1) end
    end
    L[#L + 1] = #xt > 0 and ("set xtics (" .. table.concat(xt, ", ") .. ")") or "set xtics 1"
    L[#L + 1] = #yt > 0 and ("set ytics (" .. table.concat(yt, ", ") .. ")") or "set ytics 1"
    L[#L + 1] = ("set xrange [-0.5:%s]"):format(num(self.cols - 0.5))
    L[#L + 1] = ("set yrange [%s:-0.5]"):format(num(self.rows - 0.5))
    if dumb then
      -- The dumb terminal cannot draw images: each cell becomes a run of
      -- shade characters (space = lowest, @ = highest) as wide as a cell.
      local plot_w = math.max(20, (target.width or 80)) - 12
      local cell = math.max(1, math.floor(plot_w / self.cols) - 1)
      local rows = {}
      for r, row in ipairs(self.matrix) do
        for c, v in ipairs(row) do
          local idx = math.floor((v - mn) / span * (#SHADES - 1) + 0.5) + 1
          rows[#rows + 1] = (c - 1) .. " " .. (r - 1) .. " " .. data_string(SHADES:sub(idx, idx):rep(cell))
        end
      end
      datablock(L, "m", rows)
      L[#L + 1] = ("set label 1 'min %s  max %s' at graph 0, graph 1.0 offset 0,1 left"):format(num(mn), num(mx))
      L[#L + 1] = "plot $m using 1:2:3 with labels notitle"
    else
      local rows = {}
      for r, row in ipairs(self.matrix) do
        local cells = {}
        for c, v in ipairs(row) do cells[c] = num(v) end
        rows[r] = table.concat(cells, " ")
      end
      datablock(L, "m", rows)
      L[#L + 1] = "set palette rgbformulae 21,22,23"
      L[#L + 1] = "plot $m matrix with image notitle"
    end
  end
  return table.concat(L, "\n") .. "\n"
end

-- Rendering -----------------------------------------------------------

-- Is gnuplot there? true, or false and the message.
function M.available()
  local path, msg = app.gnuplot()
  if path then return true, path end
  return false, msg
end

-- The plot as text (gnuplot's dumb terminal), `color` adds ANSI colours.
function Plot:text(width, height, color)
  return app.gnuplot_run(self:script { term = "dumb", width = width, height = height, color = color }, true)
end

-- Write the plot to a PNG or SVG file (chosen by the extension).
function Plot:save(path, opts)
  if type(path) ~= "string" or path == "" then error("llm.plot: save needs a file name", 2) end
  opts = opts or {}
  local ext = path:match("%.(%w+)$")
  ext = ext and ext:lower()
  if ext ~= "png" and ext ~= "svg" then
    error(("llm.plot: cannot save %s: use a .png or .svg file name"):format(path), 2)
  end
  local ok, err = pcall(app.gnuplot_run, self:script { term = ext, path = path, width = opts.width, height = opts.height })
  if not ok then error(err, 2) end
  return path
end

-- Send the plot to the sink (the terminal, the plot folder or the UI).
function Plot:show()
  last_plot = self
  local f = sink or M.default_sink
  f(self, "show")
  return self
end

-- Save the last plot (or `plot`) as PNG/SVG.
function M.save(path, plot, opts)
  plot = plot or last_plot
  if not plot then error("llm.plot.save: no plot yet", 2) end
  return plot:save(path, opts)
end

function M.last() return last_plot end

-- Sinks ---------------------------------------------------------------

local saved_count = 0

-- The UI's sink: the plot's data (not its methods) goes to the plot pane
-- as a serialised table (llm.ui.serial); live pushes are throttled.
local UI_INTERVAL = 0.2
local ui_last, ui_pending = 0, nil
local PLOT_FIELDS = { "kind", "series", "band", "x", "y", "labels", "counts", "lo", "hi",
  "width", "matrix", "rows", "cols", "values" }
local OPT_FIELDS = { "title", "xlabel", "ylabel", "logy", "logx", "name", "xlabels", "ylabels" }

local function ui_send(p)
  local d = { opts = {} }
  for _, k in ipairs(PLOT_FIELDS) do d[k] = p[k] end
  for _, k in ipairs(OPT_FIELDS) do d.opts[k] = p.opts[k] end
  app.ui_emit("plot", require("llm.ui.serial").encode(d))
  ui_last, ui_pending = app.now(), nil
end

function M.ui_sink(plot, event)
  if event == "show" or app.now() - ui_last >= UI_INTERVAL then ui_send(plot)
  else ui_pending = plot end
end

-- Send a live plot whose last update was held back (the UI's worker calls
-- this when a job ends).
function M.flush()
  if ui_pending then ui_send(ui_pending) end
end

-- A plot from its data as the UI receives it.
function M.from_data(d)
  d.opts = d.opts or {}
  d.opts.show = false
  return setmetatable(d, Plot)
end

-- The command line's sink: files in $LLMLAB_PLOT_DIR, else text on stdout
-- (coloured on a terminal unless NO_COLOR is set). Live updates are not
-- printed (they would flood a log); the final show() is.
function M.default_sink(plot, event)
  if app.ui_active() then return M.ui_sink(plot, event) end
  if event ~= "show" then return end
  -- a sandboxed step has neither all of io (only a read-only open/lines)
  -- nor all of os: print what it can
  local write = io and io.write or function(s) print((s:gsub("\n$", ""))) end
  if not app.gnuplot() then
    if not missing_noted then
      missing_noted = true
      local msg = "llm.plot: " .. select(2, app.gnuplot()) .. "\n"
      if io and io.stderr then io.stderr:write(msg) else write(msg) end
    end
    return
  end
  -- A plot that cannot be drawn (gnuplot refused, or a sandbox's memory
  -- limit stopped it) is reported, never the end of the script.
  local ok, err = pcall(function()
    local dir = os and os.getenv and os.getenv("LLMLAB_PLOT_DIR")
    if dir and dir ~= "" then
      saved_count = saved_count + 1
      local name = ("%s/plot-%03d.png"):format(dir, saved_count)
      plot:save(name)
      write("plot saved: " .. name .. "\n")
      return
    end
    local tty = app.isatty(1)
    local cols = tty and app.term_size(1) or 80
    local color = tty and os and os.getenv and (os.getenv("NO_COLOR") or "") == ""
    write(plot:text(math.min(cols, 100), 24, color))
  end)
  if not ok then write("llm.plot: the plot could not be drawn: " .. tostring(err) .. "\n") end
  if io and io.flush then io.flush() end
end

-- Replace where shown plots go: fn(plot, event) with event "show" or
-- "live". Returns the previous sink (nil: the default).
function M.set_sink(fn)
  local old = sink
  sink = fn
  return old
end

M.Plot = Plot
return M
