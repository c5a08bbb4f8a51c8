-- The checklist screen: a week's items (topics, labs, discussions) as in
-- the outline's progress checklist; Space ticks or unticks the item under
-- the cursor and saves it in the database at once.
local tui = require "llm.tui"
local layout = require "llm.ui.layout"
local T = require "llm.ui.text"

local S = {}
S.__index = S

function S.new(app, week)
  local course = app.model:course()
  if not course or not course.week(week) then error("no week " .. tostring(week)) end
  return setmetatable({ name = "checklist", week = week, course = course, cursor = 1, offset = 0,
    items = course.week_items(week) }, S)
end

function S:draw(app, w, h)
  local L = layout.single(w, h)
  local wk = self.course.week(self.week)
  app:header(L.header, ("Week %d checklist %s %s"):format(self.week, app:glyph("sep"), wk.title))
  local checked = app.model:checked()
  local d, t = self.course.count(self.items, checked)
  tui.box(L.body.y, L.body.x, L.body.h, L.body.w, ("Checklist  %d/%d done"):format(d, t), true)
  local inner = layout.inner(L.body)
  -- Items can take several lines: lay them all out, then scroll by item.
  local lines, first_line = {}, {}
  for i, it in ipairs(self.items) do
    local box = checked[it.id] and "[x] " or "[ ] "
    local ind = string.rep("    ", it.depth or 0)
    first_line[i] = #lines + 1
    local segs = T.inline(it.text)
    for k, l in ipairs(T.wrap(segs, inner.w - 2, ind .. box, ind .. "    ")) do
      l.item = i
      if k == 1 then l[1][2] = checked[it.id] and "ok" or "normal" end
      lines[#lines + 1] = l
    end
  end
  -- keep the cursor's item in view
  local top = first_line[self.cursor] or 1
  local bottom = (first_line[self.cursor + 1] or (#lines + 1)) - 1
  if top - 1 < self.offset then self.offset = top - 1 end
  if bottom > self.offset + inner.h then self.offset = bottom - inner.h end
  local r = layout.rect(inner.x + 1, inner.y, inner.w - 1, inner.h)
  for row = 1, r.h do
    local l = lines[self.offset + row]
    if not l then break end
    local sel = l.item == self.cursor
    if sel then tui.fill(r.y + row - 1, r.x, 1, r.w, "selected") end
    local x, left = r.x, r.w
    for _, seg in ipairs(l) do
      local used = tui.text(r.y + row - 1, x, seg[1], sel and "selected" or seg[2], left)
      x, left = x + used, left - used
    end
  end
  app:status_line(L.status, "Space ticks/unticks (saved) " .. app:glyph("sep") .. " j/k move " .. app:glyph("sep") .. " q back")
end

function S:action(app, act)
  local n = #self.items
  if act == "down" then self.cursor = math.min(n, self.cursor + 1)
  elseif act == "up" then self.cursor = math.max(1, self.cursor - 1)
  elseif act == "page_down" then self.cursor = math.min(n, self.cursor + 5)
  elseif act == "page_up" then self.cursor = math.max(1, self.cursor - 5)
  elseif act == "top" then self.cursor = 1
  elseif act == "bottom" then self.cursor = n
  elseif act == "toggle" or act == "open" then
    local it = self.items[self.cursor]
    local now = app.model:toggle(it.id)
    return { "status", ("%s %s"):format(it.id, now and "ticked" or "unticked") }
  end
  return nil
end

return S
