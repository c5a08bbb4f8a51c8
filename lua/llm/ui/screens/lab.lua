-- The lab screen: the step's text (Markdown, wrapped to the pane), the
-- step's code, its check result and hints on the left; on the right what
-- the step prints (streamed while it runs) above the latest plot (redrawn
-- live, at most 4 times a second); along the bottom a Lua prompt that runs
-- in the lab's environment (ctx and lab are there) in the worker thread.
local tui = require "llm.tui"
local layout = require "llm.ui.layout"
local T = require "llm.ui.text"
local serial = require "llm.ui.serial"
local history = require "llm.ui.history"

local S = {}
S.__index = S

local PANES = { "step", "output", "plot", "repl" }

function S.new(app, id)
  local item = app.model:lab_item(id)
  if not item then error("no lab " .. tostring(id) .. " in the course") end
  local path = app.model:lab_file(item)
  if not path then error(("lab %d (%s) is not written yet"):format(item.lab, item.id)) end
  local lab = app.model:load_lab(path)
  local self = setmetatable({
    name = "lab", item = item, path = path, lab = lab, step = 1, results = {}, hints = {},
    focus = "step", scroll = { step = 0, output = nil }, input = "", pending = {},
    history = history.load(), hist_pos = nil,
  }, S)
  app.model:set_last_lab(item.id)
  local last = tonumber(app.model:setting("last_step:" .. item.id) or "")
  if last and lab.steps[last] then self.step = last end
  return self
end

function S:enter(app)
  app:clear_output()
  app:set_plot(nil)
end

-- Lua source of a function, from its file (the step's code as written).
local source_cache = {}
local function source_lines(fn)
  if type(fn) ~= "function" then return nil end
  local info = debug.getinfo(fn, "S")
  if not info or info.what ~= "Lua" or info.source:sub(1, 1) ~= "@" then return nil end
  local file = info.source:sub(2)
  local lines = source_cache[file]
  if not lines then
    lines = {}
    local f = io.open(file, "r")
    if not f then return nil end
    for l in f:lines() do lines[#lines + 1] = l end
    f:close()
    source_cache[file] = lines
  end
  local out = {}
  for i = info.linedefined, info.lastlinedefined do out[#out + 1] = lines[i] end
  -- remove the common indentation
  local common
  for _, l in ipairs(out) do
    if l:find("%S") then
      local ind = #l:match("^%s*")
      if not common or ind < common then common = ind end
    end
  end
  for i, l in ipairs(out) do out[i] = l:sub((common or 0) + 1) end
  return out
end

function S:step_lines(app, width)
  local step = self.lab.steps[self.step]
  local lines = {}
  local function add(l) lines[#lines + 1] = l end
  if step.text then
    for _, l in ipairs(T.markdown(step.text, width)) do add(l) end
  end
  if step.exercise then
    add({})
    add({ { "Exercise ", "heading" }, { step.exercise, "code" } })
    for _, l in ipairs(T.wrap(T.inline("`e` opens your copy in the editor and checks it again when you return; " ..
      "`H` shows a hint."), width)) do add(l) end
  end
  local code = source_lines(step.run)
  if code then
    add({})
    add({ { "Code", "heading" } })
    for _, c in ipairs(code) do
      for _, f in ipairs(T.fold(c, width - 2)) do add({ { "  ", "normal" }, { f, "code" } }) end
    end
  end
  local r = self.results[self.step]
  if r then
    add({})
    local st = r.status
    if st == "running" then
      add({ { app:glyph("running") .. " running...", "warn" } })
    elseif st == "cancelled" then
      add({ { "Cancelled", "warn" } })
    elseif st == "ok" and (r.max or 0) > 0 then
      add({ { app:glyph("done") .. " Check passed", "ok" }, { ("  %s/%s points"):format(r.points, r.max), "bold" } })
    elseif st == "ok" then
      add({ { app:glyph("done") .. (r.text_only and " Read" or " Ran without error"), "ok" } })
    elseif st == "failed" then
      add({ { "Check failed", "fail" }, { ("  %s/%s points"):format(r.points or 0, r.max or 0), "bold" } })
    else
      add({ { (st == "timeout" and "Out of time" or st == "memory" and "Out of memory" or "Error"), "fail" } })
    end
    if r.message and st ~= "running" then
      for _, l in ipairs(T.wrap(T.inline(r.message), width)) do add(l) end
    end
  end
  local hints = self:step_hints()
  local shown = self.hints[self.step] or 0
  for i = 1, shown do
    add({})
    add({ { ("Hint %d/%d"):format(i, #hints), "warn" } })
    for _, l in ipairs(T.markdown(hints[i], width)) do add(l) end
  end
  return lines
end

-- A step's hints: its own, or the hint ladder of its exercise.
function S:step_hints()
  local step = self.lab.steps[self.step]
  if step.hints then return step.hints end
  if step.hint then return { step.hint } end
  for _, ex in ipairs(self.lab.exercises or {}) do
    if ex.name == step.exercise then return ex.hints or {} end
  end
  return {}
end

local function pane_title(name, focus)
  return focus and (name .. " *") or name
end

function S:draw(app, w, h)
  local L = layout.lab(w, h)
  local steps = self.lab.steps
  local step = steps[self.step]
  local title = ("Week %d %s Lab %d: %s"):format(self.item.week or 0, app:glyph("sep"), self.item.lab,
    self.lab.title or self.item.id)
  app:header(L.header, title)
  local wait
  -- step pane
  local st = ("Step %d/%d: %s"):format(self.step, #steps, step.title or "")
  tui.box(L.step.y, L.step.x, L.step.h, L.step.w, st, self.focus == "step")
  local si = layout.inner(L.step)
  si = layout.rect(si.x + 1, si.y, si.w - 2, si.h)
  local lines = self:step_lines(app, si.w)
  local max = math.max(0, #lines - si.h)
  if self.scroll.step > max then self.scroll.step = max end
  app:draw_lines(si, lines, self.scroll.step)
  self.step_max = max
  -- output pane: follows the end unless scrolled back
  tui.box(L.output.y, L.output.x, L.output.h, L.output.w, pane_title("Output", false), self.focus == "output")
  local oi = layout.inner(L.output)
  -- Folding every line of a long output each frame would cost more than
  -- the rest of the frame: the folded lines are cached per output change
  -- and width.
  local cache = self.out_cache
  if not cache or cache.seq ~= app.output_seq or cache.w ~= oi.w then
    local out = {}
    for _, raw in ipairs(app.output) do
      for _, f in ipairs(T.fold(raw, oi.w)) do out[#out + 1] = f end
    end
    if out[#out] == "" then out[#out] = nil end
    cache = { seq = app.output_seq, w = oi.w, lines = out }
    self.out_cache = cache
  end
  local out = cache.lines
  local omax = math.max(0, #out - oi.h)
  local first = self.scroll.output and math.min(self.scroll.output, omax) or omax
  for i = 1, oi.h do
    local l = out[first + i]
    if not l then break end
    tui.text(oi.y + i - 1, oi.x, l, l:match("^!") and "fail" or "normal", oi.w)
  end
  -- plot pane
  tui.box(L.plot.y, L.plot.x, L.plot.h, L.plot.w, "Plot", self.focus == "plot")
  local pi = layout.inner(L.plot)
  local ok = llm.plot.available()
  if not ok then
    local _, msg = llm.plot.available()
    app:draw_lines(pi, T.wrap({ { msg, "dim" } }, pi.w), 0)
  elseif app.plot then
    local text, later = app:plot_text(pi.w, pi.h)
    if text then tui.ansi(pi.y, pi.x, text, pi.w, pi.h) end
    wait = later
  else
    app:draw_lines(pi, T.wrap({ { "No plot yet: steps that call llm.plot draw here.", "dim" } }, pi.w), 0)
  end
  -- REPL
  tui.box(L.repl.y, L.repl.x, L.repl.h, L.repl.w, "Lua (: or Tab to type, Esc leaves)", self.focus == "repl")
  local prompt = #self.pending > 0 and ">> " or "> "
  local ri = layout.inner(L.repl)
  local shown = self.input
  local room = ri.w - #prompt - 1
  if T.width(shown) > room then
    -- keep the end of a long line in view
    while T.width(shown) > room do shown = shown:sub(2) end
  end
  tui.text(ri.y, ri.x, prompt, "bold")
  tui.text(ri.y, ri.x + #prompt, shown, "normal", room)
  -- status
  local hint = ("r run %s n/p step %s e edit %s H hint %s : Lua %s Tab pane"):format(
    app:glyph("sep"), app:glyph("sep"), app:glyph("sep"), app:glyph("sep"), app:glyph("sep"))
  app:status_line(L.status, hint)
  if self.focus == "repl" and not app.confirm then
    tui.cursor(ri.y, ri.x + #prompt + T.width(shown))
  end
  return wait
end

-- Running ---------------------------------------------------------------

local function job_code(fn, ...)
  local args = { ... }
  for i, a in ipairs(args) do args[i] = serial.encode(a) end
  return ("return require('llm.ui.worker').job(%q%s%s)"):format(fn, #args > 0 and ", " or "",
    table.concat(args, ", "))
end

-- Run the step (run + check) as `llmlab lab run --step` does, in a child
-- of the worker; record the lab when every step has passed.
function S:run_step(app)
  local i = self.step
  local step = self.lab.steps[i]
  app:clear_output()
  self.scroll.output = nil
  self.results[i] = { status = "running" }
  local label = ("step %d/%d"):format(i, #self.lab.steps)
  local started = app:run_job(label, job_code("lab_step", self.path, i, os.getenv("LLMLAB_SIZE") or "full"),
    function(res)
      if res.ok then
        local v = res.value
        v.title = step.title
        v.message = self:shorten(v.message)
        self.results[i] = v
        local summary = ({ ok = "passed", failed = "check failed", error = "error", timeout = "out of time",
          memory = "out of memory" })[v.status] or v.status
        if (v.max or 0) > 0 then
          app.status = ("step %d: %s, %s/%s points"):format(i, summary, v.points, v.max)
        else
          app.status = ("step %d: %s"):format(i, v.status == "ok" and "done" or summary)
        end
        if v.status ~= "ok" and v.message then app:append_output("! " .. v.message .. "\n") end
        self:maybe_record(app)
      elseif res.cancelled then
        self.results[i] = { status = "cancelled" }
        app:append_output("! cancelled\n")
        app.status = ("step %d cancelled"):format(i)
      else
        res.error = self:shorten(res.error)
        self.results[i] = { status = "error", message = res.error }
        app:append_output("! " .. res.error:gsub("\n", "\n! ") .. "\n")
        app.status = ("step %d failed: %s"):format(i, res.error:match("[^\n]*"))
      end
    end, true)
  if not started then self.results[i] = nil end
end

-- Messages name the lab file by its full path; weekNN/labMM_x.lua reads
-- better in a narrow pane and still says file:line.
function S:shorten(msg)
  if type(msg) ~= "string" then return msg end
  local short = self.path:match("([^/]+/[^/]+)$") or self.path
  local out, from = {}, 1
  while true do
    local a, b = msg:find(self.path, from, true)
    if not a then break end
    out[#out + 1] = msg:sub(from, a - 1)
    out[#out + 1] = short
    from = b + 1
  end
  out[#out + 1] = msg:sub(from)
  return table.concat(out)
end

-- When every step has a passing result, the lab is done: record it once.
function S:maybe_record(app)
  if self.recorded then return end
  for k, st in ipairs(self.lab.steps) do
    local r = self.results[k]
    if (st.run or st.check) and not (r and r.status == "ok") then return end
    if not r then self.results[k] = { status = "ok", points = 0, max = 0, title = st.title } end
  end
  self.recorded = app.model:record_lab(self.item.id, self.results, #self.lab.steps)
  if self.recorded then app.status = ("%s passed: every step done; ticked on your checklist"):format(self.item.id) end
end

-- Lines typed while the worker is busy wait here, in order, and run when
-- it is free (nothing typed is lost).
function S:idle(app)
  if self.queue and #self.queue > 0 then
    local line = table.remove(self.queue, 1)
    self:eval_line(app, line)
  end
end

function S:submit_repl(app)
  local line = self.input
  self.input = ""
  if app.job or (self.queue and #self.queue > 0) then
    self.queue = self.queue or {}
    self.queue[#self.queue + 1] = line
    return
  end
  self:eval_line(app, line)
end

function S:eval_line(app, line)
  self.pending[#self.pending + 1] = line
  local code = table.concat(self.pending, "\n")
  app:append_output((#self.pending > 1 and ">> " or "> ") .. line .. "\n")
  app:run_job("Lua", job_code("eval", self.path, code), function(res)
    if res.ok and res.value and res.value.incomplete then
      return -- wait for more lines
    end
    self.pending = {}
    if code:find("%S") then
      history.add(self.history, code)
    end
    if not res.ok then
      app:append_output("! " .. res.error:gsub("\n", "\n! ") .. "\n")
    end
  end)
  self.hist_pos = nil
end

function S:complete(app)
  local prefix = self.input:match("([%a_][%w_%.]*)$")
  if not prefix or not prefix:find("%.") then return false end
  app:run_job("completion", job_code("complete", prefix), function(res)
    if not res.ok then return end
    local names = res.value.names
    local base, part = prefix:match("^(.-)%.?([%w_]*)$")
    if #names == 1 then
      self.input = self.input:sub(1, #self.input - #part) .. names[1]
    elseif #names > 1 then
      -- extend to the common prefix and list the candidates
      local common = names[1]
      for _, n in ipairs(names) do
        while n:sub(1, #common) ~= common do common = common:sub(1, -2) end
      end
      self.input = self.input:sub(1, #self.input - #part) .. common
      app:append_output(base .. ".{" .. table.concat(names, " ") .. "}\n")
    else
      app.status = "no completion for " .. prefix
    end
  end)
  return true
end

-- The prompt takes keys while it has the focus.
function S:text_key(app, key)
  if self.focus ~= "repl" or app.confirm then return false end
  if key == "enter" then
    self:submit_repl(app)
  elseif key == "esc" then
    self.focus = "step"
  elseif key == "tab" then
    if not self:complete(app) then self.focus = "step" end
  elseif key == "backtab" then
    self.focus = "plot"
  elseif key == "backspace" then
    self.input = self.input:gsub("[%z\1-\127\194-\244][\128-\191]*$", "")
  elseif key == "C-u" then
    self.input = ""
  elseif key == "C-c" or key == "C-d" then
    if app.job then return false end -- cancel
    self.input, self.pending = "", {}
  elseif key == "up" or key == "down" then
    local h = self.history
    if #h == 0 then return true end
    local pos = self.hist_pos or (#h + 1)
    pos = pos + (key == "up" and -1 or 1)
    if pos < 1 then pos = 1 end
    if pos > #h then
      self.hist_pos, self.input = nil, ""
    else
      self.hist_pos, self.input = pos, h[pos]:gsub("\n", " ")
    end
  elseif #key == 1 or utf8.len(key) == 1 then
    self.input = self.input .. key
  else
    return false
  end
  return true
end

function S:action(app, act)
  local n = #self.lab.steps
  if act == "back" then
    if self.focus == "repl" then self.focus = "step" return {} end
    if app.job then
      app:ask("A step is running. Leave the lab and cancel it? (y/n)", function()
        tui.worker_cancel()
        app:pop()
      end)
      return {}
    end
    return nil
  elseif act == "next_step" or act == "prev_step" then
    local to = self.step + (act == "next_step" and 1 or -1)
    if to >= 1 and to <= n then
      self.step, self.scroll.step = to, 0
      app.model:set_setting("last_step:" .. self.item.id, tostring(to))
    end
  elseif act == "run" or (act == "open" and self.focus == "step") then
    self:run_step(app)
  elseif act == "repl" then
    self.focus = "repl"
  elseif act == "next_pane" or act == "prev_pane" then
    local idx = 1
    for i, p in ipairs(PANES) do if p == self.focus then idx = i end end
    idx = (idx + (act == "next_pane" and 0 or -2)) % #PANES + 1
    self.focus = PANES[idx]
  elseif act == "up" or act == "down" or act == "page_up" or act == "page_down" or act == "top" or act == "bottom" then
    local delta = ({ up = -1, down = 1, page_up = -10, page_down = 10, top = -1e9, bottom = 1e9 })[act]
    if self.focus == "output" then
      local cur = self.scroll.output or 1e9
      cur = math.max(0, cur + delta)
      self.scroll.output = (act == "bottom") and nil or cur
    else
      self.scroll.step = math.max(0, math.min(self.step_max or 0, self.scroll.step + delta))
    end
  elseif act == "hint" then
    local hints = self:step_hints()
    local shown = self.hints[self.step] or 0
    if #hints == 0 then return { "status", "this step has no hints" } end
    if shown >= #hints then return { "status", "no more hints for this step" } end
    self.hints[self.step] = shown + 1
    self.scroll.step = 1e9
    local step = self.lab.steps[self.step]
    app.model:hint_used(self.item.id, step.exercise or ("step" .. self.step), shown + 1)
  elseif act == "edit" then
    return self:edit(app)
  elseif act == "save_plot" then
    return self:save_plot(app)
  elseif act == "checklist" then
    return { "push", require("llm.ui.screens.checklist").new(app, self.item.week) }
  end
  return nil
end

-- Save the plot pane's plot as PNG under $XDG_DATA_HOME/llmlab/plots.
function S:save_plot(app)
  if not app.plot then return { "status", "no plot to save yet" } end
  local dir = require("llm.lab").data_dir() .. "/plots"
  require("llm.fs").mkdir(dir)
  self.saved = (self.saved or 0) + 1
  local path = ("%s/%s-step%d-%d.png"):format(dir, self.item.id, self.step, self.saved)
  local ok, err = pcall(app.plot.save, app.plot, path)
  if not ok then return { "status", "cannot save the plot: " .. tostring(err) } end
  return { "status", "plot saved: " .. path }
end

-- The exercise file of this lab in the student's workspace (made by the
-- lab runner), or nil when the lab has none.
function S:exercise_path(app)
  return app.model:exercise_path(self.item, self.path, self.lab)
end

function S:edit(app)
  local path, err = self:exercise_path(app)
  if not path then return { "status", err or "this lab has no exercise to edit" } end
  local rc = tui.edit(path)
  if rc ~= 0 then return { "status", ("the editor exited with status %d"):format(rc) } end
  self:run_step(app) -- re-check with the edited file
  return { "status", "edited " .. path .. "; checking..." }
end

return S
