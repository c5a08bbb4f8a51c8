-- llm.ui.app: the UI's model and dispatcher (the C loop in
-- src/app/tui/tui.c calls new, draw, key and event).
--
-- Screens (lua/llm/ui/screens/*.lua) are objects with
--   name                      where their keys live in llm.ui.keys
--   draw(self, app, w, h)     draw through llm.tui; may return ms until
--                             it wants drawing again
--   action(self, app, act)    handle an action from the key table; returns
--                             a request list (see App:perform) or nil
--   text_key(self, app, key)  optional: a text field takes raw keys first;
--                             returns true when it used the key
--   event(self, app, ...)     optional: worker results for jobs it started
-- and the app carries out their requests: push/pop screens, run a job in
-- the worker, set the status line, quit. Screens never call each other.
local tui = require "llm.tui"
local keys = require "llm.ui.keys"
local serial = require "llm.ui.serial"
local T = require "llm.ui.text"
local layout = require "llm.ui.layout"
local model = require "llm.ui.model"
local app_c = require "llm.app"

local M = {}
local App = {}
App.__index = App

local OUTPUT_MAX = 2000
local PLOT_MIN_INTERVAL = 0.25 -- at most 4 plot renders a second

function M.new(opts)
  opts = opts or {}
  local self = setmetatable({
    stack = {},
    status = "",
    model = model.new(),
    output = { "" },     -- lines of the output pane (last one may be partial)
    output_seq = 0,      -- bumped on every change
    plot = nil,          -- the latest plot (an llm.plot Plot)
    plot_seq = 0,
    plot_cache = nil,    -- {seq=, w=, h=, text=, at=}
    job = nil,           -- {name=, on_done=, started=} while the worker runs
    worker_ready = false,
    worker_error = nil,
    confirm = nil,       -- {question=, yes=function} while asking y/n
    caps = tui.caps(),
  }, App)
  T.bullet = self.caps.utf8 and "•" or "-"
  local course = require("llm.ui.screens.course").new(self)
  self:push(course)
  local lab = opts.lab or self.model:last_lab()
  if lab and self.model:lab_item(lab) then
    local ok, scr = pcall(require("llm.ui.screens.lab").new, self, lab)
    if ok then self:push(scr) else self.status = "cannot open " .. tostring(lab) .. ": " .. tostring(scr) end
  elseif opts.lab then
    self.status = ("there is no lab '%s' (ids look like w03.lab05)"):format(opts.lab)
  end
  return self
end

function App:top() return self.stack[#self.stack] end

function App:push(screen)
  self.stack[#self.stack + 1] = screen
  if screen.enter then screen:enter(self) end
end

function App:pop()
  if #self.stack > 1 then
    local s = table.remove(self.stack)
    if s.leave then s:leave(self) end
    local top = self:top()
    if top.resume then top:resume(self) end
  end
end

function App:glyph(name)
  local utf = self.caps.utf8
  local g = {
    done = utf and "✓" or "x", partial = utf and "◐" or "~", todo = utf and "·" or ".",
    open = utf and "▾" or "-", closed = utf and "▸" or "+", full = utf and "█" or "#",
    empty = utf and "░" or ".", sep = utf and "·" or "|", lab = utf and "⚗" or "L",
    quiz = utf and "?" or "?", running = utf and "●" or "*", dash = utf and "—" or "-",
  }
  return g[name]
end

-- Output pane -----------------------------------------------------------

function App:clear_output()
  self.output = { "" }
  self.output_seq = self.output_seq + 1
end

function App:append_output(text, prefix)
  local out = self.output
  for piece, nl in text:gmatch("([^\n]*)(\n?)") do
    out[#out] = out[#out] .. piece
    if nl == "\n" then out[#out + 1] = "" end
    if piece == "" and nl == "" then break end
  end
  while #out > OUTPUT_MAX do table.remove(out, 1) end
  self.output_seq = self.output_seq + 1
  _ = prefix
end

-- Plot pane -------------------------------------------------------------

function App:set_plot(p)
  self.plot = p
  self.plot_seq = self.plot_seq + 1
end

-- The plot as text for a w x h pane; re-rendered only when it changed or
-- the pane did, and not more than 4 times a second. Returns text and the
-- ms after which a newer version can be drawn (nil: up to date).
function App:plot_text(w, h)
  local c = self.plot_cache
  if not self.plot then return nil end
  if c and c.seq == self.plot_seq and c.w == w and c.h == h then return c.text end
  local now = app_c.now()
  if c and c.w == w and c.h == h and now - c.at < PLOT_MIN_INTERVAL then
    return c.text, math.ceil((PLOT_MIN_INTERVAL - (now - c.at)) * 1000)
  end
  -- A frame drawn to answer a key never waits for gnuplot: it shows the
  -- plot it has and the new one comes with the next frame, 20 ms later.
  if c and self.key_frame then return c.text, 20 end
  local ok, text = pcall(self.plot.text, self.plot, w, h, self.caps.colors)
  if not ok then text = tostring(text) end
  self.plot_cache = { seq = self.plot_seq, w = w, h = h, text = text, at = now }
  return text
end

-- Worker jobs -------------------------------------------------------------

-- Run `code` (a chunk returning serialised data) in the worker; on_done
-- gets the decoded result {ok=, value= | error=, cancelled=}.
function App:run_job(label, code, on_done, forked)
  if self.job then
    self.status = "a step is running: wait for it, or press x to cancel it"
    return false
  end
  if not tui.worker_submit(label, code, forked) then
    self.status = "the worker is busy"
    return false
  end
  self.job = { label = label, on_done = on_done, started = app_c.now() }
  return true
end

function App:event(kind, text)
  if kind == "output" then
    self:append_output(text)
  elseif kind == "plot" then
    local d = serial.decode(text)
    if d then self:set_plot(llm.plot.from_data(d)) end
  elseif kind == "ready" then
    self.worker_ready = text == ""
    if text ~= "" then
      self.worker_error = text
      self.status = "the worker failed to start: " .. text:match("[^\n]*")
    end
  elseif kind == "done" or kind == "error" then
    local job = self.job
    self.job = nil
    local res
    if kind == "done" then res = serial.decode(text) end
    res = res or { ok = false, error = text }
    if res.cancelled then self.status = "cancelled: " .. (job and job.label or "the job") end
    if job and job.on_done then job.on_done(res) end
    -- the worker is free: a screen may have work waiting (typed-ahead input)
    local top = self:top()
    if not self.job and top.idle then top:idle(self) end
  end
end

-- Requests ----------------------------------------------------------------

-- Carry out what a screen asked for: a list of {op, ...}:
--   {"push", screen} {"pop"} {"status", text} {"quit"}
function App:perform(reqs)
  if not reqs then return nil end
  if reqs[1] and type(reqs[1]) ~= "table" then reqs = { reqs } end
  for _, r in ipairs(reqs) do
    local op = r[1]
    if op == "push" then self:push(r[2])
    elseif op == "pop" then self:pop()
    elseif op == "status" then self.status = r[2]
    elseif op == "quit" then return "quit"
    end
  end
  return nil
end

function App:ask(question, yes)
  self.confirm = { question = question, yes = yes }
end

-- Keys ------------------------------------------------------------------

function App:key(name)
  self.key_frame = true
  if self.confirm then
    local c = self.confirm
    self.confirm = nil
    if name == "y" or name == "Y" then return c.yes() end
    self.status = ""
    return nil
  end
  local scr = self:top()
  if scr.text_key and scr:text_key(self, name) then return nil end
  local action = keys.lookup(name, scr.name)
  if not action then
    self.status = ("%s does nothing here (? lists the keys)"):format(keys.display(name))
    return nil
  end
  self.status = ""
  if action == "help" then
    if scr.name ~= "help" then self:push(require("llm.ui.screens.help").new(self)) end
    return nil
  elseif action == "cancel" then
    if self.job then
      tui.worker_cancel()
      self.status = "cancelling " .. self.job.label .. "..."
    else
      self.status = "nothing is running"
    end
    return nil
  elseif action == "back" then
    if scr.action then
      local r = scr:action(self, "back")
      if r ~= nil then return self:perform(r) end
    end
    if #self.stack > 1 then
      self:pop()
      return nil
    end
    if self.job then
      self:ask("A step is still running. Quit anyway? (y/n)", function()
        tui.worker_cancel()
        return "quit"
      end)
      return nil
    end
    return "quit"
  end
  if scr.action then return self:perform(scr:action(self, action)) end
  return nil
end

-- Drawing -----------------------------------------------------------------

function App:header(r, title)
  tui.fill(r.y, r.x, 1, r.w, "title")
  tui.text(r.y, r.x + 1, "llmlab " .. self:glyph("sep") .. " " .. title, "title", r.w - 2)
end

-- The status line: a y/n question, the running job with its gauge, or
-- the last message, and the main keys.
function App:status_line(r, hint)
  tui.fill(r.y, r.x, 1, r.w, "status")
  local left
  if self.confirm then
    left = self.confirm.question
  elseif self.job then
    local secs = app_c.now() - self.job.started
    left = ("%s %s  %.0fs"):format(self:glyph("running"), self.job.label, secs)
    local label, done, total = tui.worker_progress()
    if label then
      local gw = 20
      local fill = layout.gauge_fill(gw, done, total)
      left = left .. ("  %s [%s%s] %d/%d"):format(label, string.rep(self:glyph("full"), fill),
        string.rep(self:glyph("empty"), gw - fill), math.floor(done), math.floor(total))
    end
    left = left .. "  (x cancels)"
  else
    left = self.status ~= "" and self.status or hint or ""
  end
  tui.text(r.y, r.x + 1, left, "status", r.w - 2)
  local right = "? help  q back"
  if self.model:store_error() then right = "no database!  " .. right end
  local rw = T.width(right)
  if T.width(left) + rw + 4 < r.w then tui.text(r.y, r.x + r.w - rw - 1, right, "status", rw) end
end

-- Draw styled lines (lists of {text, style}) in a rectangle from `first`.
function App:draw_lines(r, lines, first, cursor)
  first = first or 0
  for row = 0, r.h - 1 do
    local line = lines[first + row + 1]
    if not line then break end
    local x, left = r.x, r.w
    if cursor and first + row + 1 == cursor then tui.fill(r.y + row, r.x, 1, r.w, "selected") end
    if type(line) == "string" then line = { { line, "normal" } } end
    for _, seg in ipairs(line) do
      if left <= 0 then break end
      local style = (cursor and first + row + 1 == cursor) and "selected" or seg[2]
      local used = tui.text(r.y + row, x, seg[1], style, left)
      x, left = x + used, left - used
    end
  end
end

function App:draw(w, h)
  -- what the terminal can show is known once curses started (after new)
  self.caps = tui.caps()
  T.bullet = self.caps.utf8 and "•" or "-"
  tui.cursor()
  local wait = self:top():draw(self, w, h)
  self.key_frame = false
  if self.job then
    -- the elapsed time and the gauge move: redraw 4 times a second
    if not wait or wait > 250 then wait = 250 end
  end
  return wait
end

return M
