-- The course screen: modules -> weeks -> topics, labs, discussions and the
-- week's quiz, as a tree with done marks (ticked items), counts per week
-- and module, an overall gauge, and details of the selected line. It
-- opens on the week of the lab the student was last in.
local tui = require "llm.tui"
local layout = require "llm.ui.layout"
local T = require "llm.ui.text"

local S = {}
S.__index = S

function S.new(app)
  local self = setmetatable({ name = "course", cursor = 1, offset = 0, open = {}, search = nil }, S)
  local course, err = app.model:course()
  self.course = course
  self.error = err
  if course then
    local last = app.model:last_lab()
    local item = last and course.item(last)
    local week = item and item.week or 1
    local w = course.week(week)
    if w then
      self.open["m" .. w.module] = true
      self.open["w" .. week] = true
    end
    self:rebuild(app)
    -- the cursor on the last lab; for a newcomer on the first lab (Lab 0)
    local first_lab
    for i, row in ipairs(self.rows) do
      if row.item and row.item.kind == "lab" and not first_lab then first_lab = i end
      if item and row.item == item then self.cursor = i end
    end
    if not item and first_lab then self.cursor = first_lab end
  else
    self.rows = {}
  end
  return self
end

local function plain(s) return (s:gsub("%*%*", "")) end

-- The visible lines of the tree.
function S:rebuild(app)
  local rows, c = {}, self.course
  local checked = app.model:checked()
  local extra = app.model:extra_labs()
  if #extra > 0 then
    rows[#rows + 1] = { kind = "start", depth = 0 }
    for _, it in ipairs(extra) do rows[#rows + 1] = { kind = "item", item = it, depth = 1 } end
  end
  local function items(list, week, depth)
    for _, it in ipairs(list) do
      rows[#rows + 1] = { kind = "item", item = it, week = week, depth = depth }
      if it.children then items(it.children, week, depth + 1) end
    end
  end
  for _, m in ipairs(c.modules) do
    local mrow = { kind = "module", module = m, depth = 0, done = 0, total = 0 }
    rows[#rows + 1] = mrow
    for _, w in ipairs(m.weeks) do
      local list = c.week_items(w.week)
      local d, t = c.count(list, checked)
      mrow.done, mrow.total = mrow.done + d, mrow.total + t
      if self.open["m" .. m.numeral] then
        rows[#rows + 1] = { kind = "week", week = w, depth = 1, done = d, total = t }
        if self.open["w" .. w.week] then
          items(w.items, w, 2)
          rows[#rows + 1] = { kind = "quiz", week = w, depth = 2 }
        end
      end
    end
  end
  self.rows = rows
  if self.cursor > #rows then self.cursor = #rows end
  if self.cursor < 1 then self.cursor = 1 end
end

function S:resume(app)
  app.model:refresh()
  self:rebuild(app)
end

local function item_label(it)
  local t = plain(it.text)
  if #t > 0 then return t end
  return it.id
end

function S:row_line(app, row)
  local checked = app.model:checked()
  local ind = string.rep("  ", row.depth)
  if row.kind == "start" then
    return { { app:glyph("open") .. " Getting started", "bold" } }
  elseif row.kind == "module" then
    local mark = self.open["m" .. row.module.numeral] and app:glyph("open") or app:glyph("closed")
    return { { mark .. " Module " .. row.module.numeral .. "  ", "bold" }, { row.module.title, "bold" },
      { ("  %d/%d"):format(row.done, row.total), row.done == row.total and row.total > 0 and "ok" or "dim" } }
  elseif row.kind == "week" then
    local mark = self.open["w" .. row.week.week] and app:glyph("open") or app:glyph("closed")
    return { { ind .. mark .. (" Week %d  "):format(row.week.week), "normal" }, { row.week.title, "normal" },
      { ("  %d/%d"):format(row.done, row.total), row.done == row.total and row.total > 0 and "ok" or "dim" } }
  elseif row.kind == "quiz" then
    local has = app.model:quiz_file(row.week.week)
    local best = has and app.model:quiz_best(row.week.week)
    local mark = best and (best.passed and app:glyph("done") or app:glyph("partial")) or app:glyph("quiz")
    local extra = not has and "  (not written yet)" or
      (best and ("  best %g/%g%s"):format(best.points, best.max, best.passed and ", passed" or "") or "")
    return { { ind .. mark .. " ", best and (best.passed and "ok" or "warn") or "warn" },
      { ("Week %d quiz"):format(row.week.week), has and "normal" or "dim" },
      { extra, best and best.passed and "ok" or "dim" } }
  else
    local it = row.item
    local best = it.kind == "lab" and app.model:lab_best(it.id)
    local done = checked[it.id] or (best and best.passed)
    local mark = done and app:glyph("done") or (best and app:glyph("partial")) or app:glyph("todo")
    local style = done and "ok" or (best and "warn") or "dim"
    local label = item_label(it)
    local kind_style = it.kind == "lab" and "bold" or "normal"
    return { { ind .. mark .. " ", style }, { label, kind_style } }
  end
end

-- Overall progress: every item of the course.
function S:totals(app)
  local d, t = self.course.count(self.course.items, app.model:checked())
  return d, t
end

function S:draw(app, w, h)
  local L = layout.course(w, h)
  app:header(L.header, "Building Large Language Models")
  if not self.course then
    tui.text(3, 2, "The course manifest is not available: " .. tostring(self.error), "fail", w - 4)
    app:status_line(L.status)
    return
  end
  -- gauge
  local d, t = self:totals(app)
  local label = (" Course progress %d/%d (%d%%) "):format(d, t, t > 0 and math.floor(100 * d / t) or 0)
  local gw = math.max(10, L.gauge.w - T.width(label) - 4)
  local fill = layout.gauge_fill(gw, d, t)
  local x = tui.text(L.gauge.y, 1, label, "bold")
  tui.text(L.gauge.y, 1 + x, string.rep(app:glyph("full"), fill), "gauge")
  tui.text(L.gauge.y, 1 + x + fill, string.rep(app:glyph("empty"), gw - fill), "dim")
  -- tree
  tui.box(L.tree.y, L.tree.x, L.tree.h, L.tree.w, "Course", true)
  local inner = layout.inner(L.tree)
  self.offset = layout.scroll(self.offset, self.cursor, inner.h, #self.rows)
  local lines = {}
  for i = self.offset + 1, math.min(#self.rows, self.offset + inner.h) do
    lines[i] = self:row_line(app, self.rows[i])
  end
  app:draw_lines(inner, lines, self.offset, self.cursor)
  -- details
  tui.box(L.detail.y, L.detail.x, L.detail.h, L.detail.w, "Details", false)
  local di = layout.inner(L.detail)
  local wrapped = {}
  for _, l in ipairs(self:details(app, di.w)) do
    if #l == 0 then wrapped[#wrapped + 1] = l end
    for _, wl in ipairs(#l > 0 and T.wrap(l, di.w) or {}) do wrapped[#wrapped + 1] = wl end
  end
  app:draw_lines(di, wrapped, 0)
  local hint = "Enter opens " .. app:glyph("sep") .. " c checklist " .. app:glyph("sep") ..
    " Q quiz " .. app:glyph("sep") .. " R runs " .. app:glyph("sep") .. " / search"
  if self.search_input then
    app.status = "/" .. self.search_input
  end
  app:status_line(L.status, hint)
  if self.search_input then tui.cursor(L.status.y, 2 + T.width(self.search_input)) end
end

function S:details(app, width)
  local row = self.rows[self.cursor]
  if not row then return {} end
  local lines = {}
  local function add_md(text)
    for _, l in ipairs(T.markdown(text, width)) do lines[#lines + 1] = l end
  end
  local function kv(k, v, style) lines[#lines + 1] = { { k .. ": ", "dim" }, { v, style or "normal" } } end
 if row.kind == "start" then
    add_md("# Getting started\n\nLabs about llmlab itself. Start with Lab 0.")
  elseif row.kind == "module" then
    add_md("# Module " .. row.module.numeral .. "\n\n" .. row.module.title)
    kv("weeks", ("%d to %d"):format(row.module.weeks[1].week, row.module.weeks[#row.module.weeks].week))
    kv("done", ("%d of %d items"):format(row.done, row.total))
  elseif row.kind == "week" then
    add_md(("# Week %d\n\n%s"):format(row.week.week, row.week.title))
    kv("done", ("%d of %d items"):format(row.done, row.total))
    lines[#lines + 1] = {}
    lines[#lines + 1] = { { "Enter opens the week; c shows its checklist.", "dim" } }
  elseif row.kind == "quiz" then
    add_md(("# Week %d quiz\n\nQuestions on %s."):format(row.week.week, row.week.title))
    lines[#lines + 1] = {}
    if app.model:quiz_file(row.week.week) then
      lines[#lines + 1] = { { "Enter takes the quiz.", "dim" } }
    else
      lines[#lines + 1] = { { "This week's quiz is not written yet.", "dim" } }
    end
  else
    local it = row.item
    local kind = it.kind:sub(1, 1):upper() .. it.kind:sub(2)
    add_md("# " .. kind .. "\n\n" .. it.text)
    if it.outline and it.outline ~= "" then
      lines[#lines + 1] = {}
      add_md(it.outline)
    end
    lines[#lines + 1] = {}
    kv("id", it.id)
    kv("status", app.model:is_checked(it.id) and "done" or "not done", app.model:is_checked(it.id) and "ok" or "normal")
    if it.kind == "lab" then
      local best = app.model:lab_best(it.id)
      if best then kv("best", ("%s/%s points"):format(best.points, best.max)) end
      if app.model:lab_file(it) then
        lines[#lines + 1] = { { "Enter opens the lab.", "dim" } }
      else
        lines[#lines + 1] = { { "This lab is not written yet.", "dim" } }
      end
    end
  end
  return lines
end

local function matches(self, app, i, pat)
  local line = T.plain(self:row_line(app, self.rows[i])):lower()
  return line:find(pat, 1, true) ~= nil
end

-- Search every item of the course (opening its week when found).
function S:find(app, text, from)
  if not text or text == "" then return end
  local pat = text:lower()
  local c = self.course
  local all = c.items
  local start = 1
  local cur = self.rows[self.cursor]
  if from and cur and cur.item then
    for i, it in ipairs(all) do if it == cur.item then start = i + 1 end end
  end
  for k = 0, #all - 1 do
    local it = all[(start - 1 + k) % #all + 1]
    if (plain(it.text) .. " " .. it.id):lower():find(pat, 1, true) then
      local w = c.week(it.week)
      if w then
        self.open["m" .. w.module] = true
        self.open["w" .. w.week] = true
      end
      self:rebuild(app)
      for i, row in ipairs(self.rows) do if row.item == it then self.cursor = i end end
      return { "status", ("found: %s"):format(it.id) }
    end
  end
  _ = matches
  return { "status", ("no match for '%s'"):format(text) }
end

function S:text_key(app, key)
  if not self.search_input then return false end
  if key == "enter" then
    local text = self.search_input
    self.search_input = nil
    self.search = text
    app:perform(self:find(app, text, false))
  elseif key == "esc" or key == "C-c" then
    self.search_input = nil
    app.status = ""
  elseif key == "backspace" then
    self.search_input = self.search_input:gsub("[%z\1-\127\194-\244][\128-\191]*$", "")
  elseif #key == 1 or (utf8.len(key) == 1 and #key > 1) then
    self.search_input = self.search_input .. key
  end
  return true
end

function S:open_row(app, row)
  if row.kind == "start" then return nil end
  if row.kind == "module" then
    local k = "m" .. row.module.numeral
    self.open[k] = not self.open[k]
    self:rebuild(app)
  elseif row.kind == "week" then
    local k = "w" .. row.week.week
    self.open[k] = not self.open[k]
    self:rebuild(app)
  elseif row.kind == "quiz" then
    if not app.model:quiz_file(row.week.week) then
      return { "status", ("the week %d quiz is not written yet"):format(row.week.week) }
    end
    return { "push", require("llm.ui.screens.quiz").new(app, row.week.week) }
  elseif row.item.kind == "lab" then
    local ok, scr = pcall(require("llm.ui.screens.lab").new, app, row.item.id)
    if not ok then return { "status", tostring(scr) } end
    return { "push", scr }
  else
    return { "status", "c opens the week's checklist, where Space ticks items" }
  end
end

function S:week_of_cursor()
  local row = self.rows[self.cursor]
  if not row then return nil end
  if row.week then return row.week.week end
  if row.module then return row.module.weeks[1].week end
  return nil
end

function S:action(app, act)
  if not self.course then return nil end
  local n = #self.rows
  local row = self.rows[self.cursor]
  if act == "up" then self.cursor = math.max(1, self.cursor - 1)
  elseif act == "down" then self.cursor = math.min(n, self.cursor + 1)
  elseif act == "page_up" then self.cursor = math.max(1, self.cursor - 10)
  elseif act == "page_down" then self.cursor = math.min(n, self.cursor + 10)
  elseif act == "top" then self.cursor = 1
  elseif act == "bottom" then self.cursor = n
  elseif act == "open" then return self:open_row(app, row)
  elseif act == "right" then
    if row.kind == "module" and not self.open["m" .. row.module.numeral] then return self:open_row(app, row) end
    if row.kind == "week" and not self.open["w" .. row.week.week] then return self:open_row(app, row) end
    self.cursor = math.min(n, self.cursor + 1)
  elseif act == "left" then
    if row.kind == "module" and self.open["m" .. row.module.numeral] then return self:open_row(app, row) end
    if row.kind == "week" and self.open["w" .. row.week.week] then return self:open_row(app, row) end
    -- to the parent line
    for i = self.cursor - 1, 1, -1 do
      if self.rows[i].depth < row.depth then self.cursor = i; break end
    end
  elseif act == "search" then
    self.search_input = ""
  elseif act == "search_next" then
    return self:find(app, self.search, true)
  elseif act == "checklist" then
    local week = self:week_of_cursor()
    if week then return { "push", require("llm.ui.screens.checklist").new(app, week) } end
  elseif act == "quiz" then
    local week = self:week_of_cursor()
    if week then return self:open_row(app, { kind = "quiz", week = self.course.week(week) }) end
  elseif act == "runs" then
    return { "push", require("llm.ui.screens.runs").new(app) }
  end
  return nil
end

return S
