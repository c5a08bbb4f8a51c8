-- The runs screen: every training run recorded by llm.runs (name, lab,
-- status, steps, final loss); Space selects runs and Enter plots their
-- loss curves together in one plot below the list.
local tui = require "llm.tui"
local layout = require "llm.ui.layout"

local S = {}
S.__index = S

function S.new(app)
  local self = setmetatable({ name = "runs", cursor = 1, offset = 0, selected = {}, metric = "loss" }, S)
  self:reload(app)
  return self
end

function S:reload(app)
  local db = app.model:db()
  self.runs = {}
  if not db then return end
  local ok, runs = pcall(db.runs, db)
  if not ok then return end
  for i = #runs, 1, -1 do self.runs[#self.runs + 1] = runs[i] end -- newest first
  for _, r in ipairs(self.runs) do
    local fm = db:run_final_metrics(r.id)
    r.final = fm[self.metric] and fm[self.metric].value
  end
end

-- A line plot of `metric` for the selected runs (or the one under the cursor).
function S:compare(app)
  local db = app.model:db()
  local ids = {}
  for _, r in ipairs(self.runs) do if self.selected[r.id] then ids[#ids + 1] = r end end
  if #ids == 0 and self.runs[self.cursor] then ids[1] = self.runs[self.cursor] end
  if #ids == 0 then return { "status", "no runs recorded yet (labs record them with llm.runs)" } end
  local series = {}
  for _, r in ipairs(ids) do
    local xs, ys = {}, {}
    for _, m in ipairs(db:run_metrics(r.id, self.metric)) do
      xs[#xs + 1], ys[#ys + 1] = m.step, m.value
    end
    if #ys > 0 then series[#series + 1] = { name = ("#%d %s"):format(r.id, r.name), x = xs, y = ys } end
  end
  if #series == 0 then return { "status", "the selected runs logged no " .. self.metric } end
  self.plot = llm.plot.line { title = self.metric, xlabel = "step", series = series, show = false }
  app:set_plot(self.plot)
  return { "status", ("comparing %d run(s)"):format(#series) }
end

function S:draw(app, w, h)
  local L = layout.single(w, h)
  app:header(L.header, "Runs")
  local list, plot = table.unpack(layout.rows(L.body, { 0.4, "*" }))
  tui.box(list.y, list.x, list.h, list.w, ("Runs (%d)"):format(#self.runs), true)
  local inner = layout.inner(list)
  local lines = {}
  lines[1] = { { ("   %-5s %-24s %-10s %-10s %6s %10s"):format("id", "name", "lab", "status", "steps", self.metric), "bold" } }
  for _, r in ipairs(self.runs) do
    local mark = self.selected[r.id] and "[x]" or "[ ]"
    lines[#lines + 1] = { { ("%s %-5d %-24s %-10s %-10s %6d %10s"):format(mark, r.id, tostring(r.name):sub(1, 24),
      tostring(r.lab or ""):sub(1, 10), tostring(r.status), r.steps or 0,
      r.final and ("%.4g"):format(r.final) or "-"), "normal" } }
  end
  if #self.runs == 0 then lines[2] = { { "No runs yet: training labs record theirs here.", "dim" } } end
  self.offset = layout.scroll(self.offset, self.cursor + 1, inner.h, #lines)
  app:draw_lines(inner, lines, self.offset, #self.runs > 0 and self.cursor + 1 or nil)
  tui.box(plot.y, plot.x, plot.h, plot.w, "Loss curves", false)
  local pi = layout.inner(plot)
  local wait
  if self.plot and llm.plot.available() then
    local text, later = app:plot_text(pi.w, pi.h)
    if text then tui.ansi(pi.y, pi.x, text, pi.w, pi.h) end
    wait = later
  else
    tui.text(pi.y, pi.x, "Space selects runs, Enter plots their " .. self.metric .. " curves here.", "dim", pi.w)
  end
  app:status_line(L.status, "Space select " .. app:glyph("sep") .. " Enter compare " .. app:glyph("sep") .. " q back")
  return wait
end

function S:action(app, act)
  local n = #self.runs
  if act == "down" then self.cursor = math.min(math.max(n, 1), self.cursor + 1)
  elseif act == "up" then self.cursor = math.max(1, self.cursor - 1)
  elseif act == "toggle" then
    local r = self.runs[self.cursor]
    if r then self.selected[r.id] = not self.selected[r.id] or nil end
  elseif act == "compare" or act == "open" then
    return self:compare(app)
  end
  return nil
end

return S
