-- The quiz screen: the week's quiz one question at a time, graded by the
-- course's quiz module (llm.quiz) exactly as `llmlab quiz take` grades it.
-- Answers are saved in the database as they are given, so leaving and
-- coming back resumes the attempt; choices appear in the student's stable
-- shuffled order. `s` submits: the score, each question's points and
-- feedback, and the explanations follow.
local tui = require "llm.tui"
local layout = require "llm.ui.layout"
local T = require "llm.ui.text"

local S = {}
S.__index = S

function S.new(app, week)
  local quiz = require "llm.quiz"
  local path, err = quiz.resolve(week)
  if not path then error(err, 0) end
  local q, src = quiz.load(path)
  if not q then error(src, 0) end
  local store = require "llm.store"
  local self = setmetatable({ name = "quiz", week = week, quiz = q, src = src, path = path, qi = 1,
    cursor = {}, answers = {}, editing = nil, offset = 0, student = store.student() }, S)
  local db = app.model:db()
  if db then
    local open = db:quiz_attempt_open(q.week, self.student)
    if type(open) == "table" then self.attempt, self.seed = open.id, open.seed
    elseif open then
      self.attempt = open
      local a = db:quiz_attempt(open)
      self.seed = a and a.seed
    end
    if self.attempt then
      self.answers = db:quiz_answers(self.attempt)
    else
      self.seed = quiz.seed_for(self.student, q.week)
      self.attempt = db:quiz_attempt_start(q.week, self.student, self.seed)
    end
  end
  self.seed = self.seed or quiz.seed_for(self.student, q.week)
  self.orders = {}
  for i, question in ipairs(q.questions) do
    if question.kind == "choice" or question.kind == "multi" then
      self.orders[i] = quiz.choice_order(self.seed, i, #question.choices)
    end
  end
  return self
end

function S:question() return self.quiz.questions[self.qi] end

-- Save an answer at once (a string, as the take command stores it).
function S:answer(app, value)
  local q = self:question()
  self.answers[q.id] = value
  local db = app.model:db()
  if db and self.attempt then db:quiz_answer(self.attempt, q.id, value) end
end

local function set_of(ans)
  local s = {}
  for n in tostring(ans or ""):gmatch("%d+") do s[tonumber(n)] = true end
  return s
end

local function kind_help(q)
  if q.kind == "choice" then return "Space or Enter chooses one"
  elseif q.kind == "multi" then return "Space ticks every right answer"
  elseif q.kind == "numeric" then return "Enter, type a number, Enter"
  elseif q.kind == "text" then return "Enter, type the answer, Enter"
  else return "e writes the code in your editor" end
end

function S:question_lines(app, width)
  local q = self:question()
  local lines = {}
  local function add(l) lines[#lines + 1] = l end
  add({ { ("Question %d of %d"):format(self.qi, #self.quiz.questions), "heading" },
    { ("  (%s, %d point%s)"):format(q.kind, q.points or 1, (q.points or 1) == 1 and "" or "s"), "dim" } })
  add({})
  for _, l in ipairs(T.markdown(q.prompt or "", width)) do add(l) end
  add({})
  local ans = self.answers[q.id]
  if q.kind == "choice" or q.kind == "multi" then
    local order = self.orders[self.qi]
    local chosen = set_of(ans)
    local cur = self.cursor[self.qi] or 1
    for d, orig in ipairs(order) do
      local mark
      if q.kind == "choice" then mark = chosen[orig] and "(*) " or "( ) "
      else mark = chosen[orig] and "[x] " or "[ ] " end
      local segs = T.inline(q.choices[orig])
      for k, l in ipairs(T.wrap(segs, width - 2, (d == cur and "> " or "  ") .. mark, "      ")) do
        if d == cur and k == 1 then l.selected = true end
        add(l)
      end
    end
  elseif q.kind == "code" then
    add({ { "Your code:", "bold" } })
    local code = ans or q.template or ""
    for line in (code .. "\n"):gmatch("(.-)\n") do add({ { "  " .. line, "code" } }) end
  else
    local shown = self.editing and self.editing or (ans or "")
    add({ { "Answer: ", "bold" }, { shown, self.editing and "selected" or "normal" },
      { self.editing and "_" or "", "selected" } })
  end
  add({})
  add({ { kind_help(q) .. " " .. app:glyph("sep") .. " n/p question " .. app:glyph("sep") .. " s submit", "dim" } })
  return lines
end

function S:results_lines(app, width)
  local quiz = require "llm.quiz"
  local lines = {}
  local function add(l) lines[#lines + 1] = l end
  local r = self.result
  add({ { ("Score %s/%s (%.0f%%): %s"):format(quiz.fmt(r.points), quiz.fmt(r.max),
    r.max > 0 and 100 * r.points / r.max or 0, r.passed and "passed" or "not passed"), r.passed and "ok" or "fail" } })
  add({})
  for i, res in ipairs(r.results) do
    local q = self.quiz.questions[i]
    local full = res.points >= res.max
    add({ { ("%d. %s  "):format(i, q.id), "bold" }, { ("%s/%s"):format(quiz.fmt(res.points), quiz.fmt(res.max)),
      full and "ok" or "fail" } })
    if res.feedback and res.feedback ~= "" then
      for _, l in ipairs(T.wrap(T.inline(res.feedback), width, "   ", "   ")) do add(l) end
    end
    for _, l in ipairs(T.markdown(q.explain or "", width - 3)) do
      table.insert(l, 1, { "   ", "normal" })
      add(l)
    end
    add({})
  end
  return lines
end

function S:draw(app, w, h)
  local L = layout.single(w, h)
  app:header(L.header, ("Week %d quiz %s %s"):format(self.quiz.week, app:glyph("sep"), self.quiz.title or ""))
  local answered = 0
  for _, q in ipairs(self.quiz.questions) do if self.answers[q.id] then answered = answered + 1 end end
  local title = self.result and "Results" or ("Quiz  %d/%d answered"):format(answered, #self.quiz.questions)
  tui.box(L.body.y, L.body.x, L.body.h, L.body.w, title, true)
  local inner = layout.inner(L.body)
  inner = layout.rect(inner.x + 1, inner.y, inner.w - 2, inner.h)
  local lines = self.result and self:results_lines(app, inner.w) or self:question_lines(app, inner.w)
  local sel
  for i, l in ipairs(lines) do if l.selected then sel = i end end
  if sel then self.offset = layout.scroll(self.offset, sel, inner.h, #lines) end
  self.max_offset = math.max(0, #lines - inner.h)
  if self.offset > self.max_offset then self.offset = self.max_offset end
  app:draw_lines(inner, lines, self.offset, sel)
  local hint = self.result and "j/k scroll " .. app:glyph("sep") .. " q back" or
    ("n/p question " .. app:glyph("sep") .. " s submit " .. app:glyph("sep") .. " q back (answers are kept)")
  app:status_line(L.status, hint)
end

-- Grade in the worker (code answers run sandboxed and may take seconds),
-- then record the attempt and show the results.
function S:submit(app)
  local quiz = require "llm.quiz"
  local serial = require "llm.ui.serial"
  local code = ("return require('llm.ui.worker').job('quiz_grade', %s, %s)"):format(
    serial.encode(self.path), serial.encode(self.answers))
  app:run_job("grading", code, function(res)
    if not res.ok then
      app.status = "grading failed: " .. tostring(res.error):match("[^\n]*")
      return
    end
    local r = res.value
    self.result = r
    self.offset = 0
    local db = app.model:db()
    if db and self.attempt then
      db:quiz_attempt_finish(self.attempt, { points = r.points, max = r.max, results = r.results, passed = r.passed })
    end
    app.model:refresh()
    app.status = ("quiz submitted: %s/%s%s"):format(quiz.fmt(r.points), quiz.fmt(r.max),
      r.passed and ", passed: the week's topics are ticked" or "")
  end, true)
  return { "status", "grading..." }
end

function S:text_key(app, key)
  if not self.editing then return false end
  if key == "enter" then
    self:answer(app, self.editing)
    self.editing = nil
  elseif key == "esc" then
    self.editing = nil
  elseif key == "backspace" then
    self.editing = self.editing:gsub("[%z\1-\127\194-\244][\128-\191]*$", "")
  elseif key == "C-u" then
    self.editing = ""
  elseif #key == 1 or utf8.len(key) == 1 then
    self.editing = self.editing .. key
  end
  _ = app
  return true
end

function S:action(app, act)
  if self.result then
    if act == "down" then self.offset = math.min(self.max_offset or 0, self.offset + 1)
    elseif act == "up" then self.offset = math.max(0, self.offset - 1)
    elseif act == "page_down" then self.offset = math.min(self.max_offset or 0, self.offset + 10)
    elseif act == "page_up" then self.offset = math.max(0, self.offset - 10)
    end
    return nil
  end
  local q = self:question()
  local n = #self.quiz.questions
  if act == "next_question" or act == "right" then
    self.qi = math.min(n, self.qi + 1); self.offset = 0
  elseif act == "prev_question" or act == "left" then
    self.qi = math.max(1, self.qi - 1); self.offset = 0
  elseif act == "submit" then
    local left = 0
    for _, qq in ipairs(self.quiz.questions) do if not self.answers[qq.id] then left = left + 1 end end
    if left > 0 then
      app:ask(("%d question%s not answered. Submit anyway? (y/n)"):format(left, left == 1 and " is" or "s are"),
        function() return app:perform(self:submit(app)) end)
      return nil
    end
    return self:submit(app)
  elseif q.kind == "choice" or q.kind == "multi" then
    local order = self.orders[self.qi]
    local cur = self.cursor[self.qi] or 1
    if act == "down" then self.cursor[self.qi] = math.min(#order, cur + 1)
    elseif act == "up" then self.cursor[self.qi] = math.max(1, cur - 1)
    elseif act == "toggle" or act == "open" then
      local orig = order[cur]
      if q.kind == "choice" then
        self:answer(app, tostring(orig))
      else
        local set = set_of(self.answers[q.id])
        set[orig] = not set[orig] or nil
        local list = {}
        for k in pairs(set) do list[#list + 1] = k end
        table.sort(list)
        self:answer(app, table.concat(list, ","))
      end
    end
  elseif q.kind == "code" then
    if act == "open" or act == "edit" then
      local tmp = os.tmpname() .. ".lua"
      local f = io.open(tmp, "w")
      if not f then return { "status", "cannot write a temporary file for the editor" } end
      f:write(self.answers[q.id] or q.template or "")
      f:close()
      local rc = tui.edit(tmp)
      f = io.open(tmp, "r")
      local code = f and f:read("a")
      if f then f:close() end
      os.remove(tmp)
      if rc == 0 and code then self:answer(app, code) end
    end
  else
    if act == "open" then self.editing = self.answers[q.id] or "" end
  end
  return nil
end

return S
