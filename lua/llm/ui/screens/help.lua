-- The help screen: every binding of the key table (llm.ui.keys), grouped
-- by where it works. Generated, so it always tells the truth.
local tui = require "llm.tui"
local layout = require "llm.ui.layout"
local keys = require "llm.ui.keys"

local S = {}
S.__index = S

function S.new(app)
  _ = app
  return setmetatable({ name = "help", offset = 0 }, S)
end

function S:draw(app, w, h)
  local L = layout.single(w, h)
  app:header(L.header, "Keys")
  tui.box(L.body.y, L.body.x, L.body.h, L.body.w, "Help", true)
  local inner = layout.inner(L.body)
  inner = layout.rect(inner.x + 1, inner.y, inner.w - 2, inner.h)
  local lines = keys.help_lines()
  self.max = math.max(0, #lines - inner.h)
  if self.offset > self.max then self.offset = self.max end
  app:draw_lines(inner, lines, self.offset)
  app:status_line(L.status, "j/k scroll " .. app:glyph("sep") .. " q back")
end

function S:action(app, act)
  _ = app
  if act == "down" then self.offset = math.min(self.max or 0, self.offset + 1)
  elseif act == "up" then self.offset = math.max(0, self.offset - 1)
  elseif act == "page_down" then self.offset = math.min(self.max or 0, self.offset + 10)
  elseif act == "page_up" then self.offset = math.max(0, self.offset - 10)
  elseif act == "top" then self.offset = 0
  elseif act == "bottom" then self.offset = self.max or 0
  end
  return nil
end

return S
