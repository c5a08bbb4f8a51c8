-- `llmlab quiz ...`: take a week's quiz in the terminal (answers saved as
-- you go, resumable), batch-grade submitted answer files, lint quiz files.
local quiz = require "llm.quiz"
local md = require "llm.markdown"
local fs = require "llm.fs"
local cli_args = require "llm.cli.args"
local _, err = cli_args.reporters("quiz")

local USAGE = [[
usage: llmlab quiz COMMAND [ARGS] [--db PATH]

  list [--student NAME]   the quizzes, with your best score
  take N [--student NAME] [--export FILE]
                      answer week N's quiz; each answer is saved at once, so you
                      can stop (:quit or end of input) and resume later
  grade N PATH... [--out DIR] [--batch NAME]
                      grade submitted answer files (or folders of them): gradebook
                      (database and DIR/gradebook.csv) and DIR/feedback/<student>.md
  lint FILE           report format errors with line numbers; runs code questions'
                      tests on their reference solution and template

Choices are typed as letters (a, b, ...); for questions with several right
choices type all of them ("a c"). Code answers end with a line holding only ".".
The student name comes from --student, $LLMLAB_STUDENT or $USER.]]

local VALUE_FLAGS = { ["--student"] = true, ["--export"] = true, ["--out"] = true, ["--batch"] = true, ["--db"] = true }



local function color() return fs.isatty("stdout") and os.getenv("TERM") ~= "dumb" end

local function open_db(flags)
  local ok, store = pcall(require, "llm.store")
  if not ok or type(store) ~= "table" or not store.open then return nil end
  return store.open(flags.db)
end

-- The answers saved in an attempt, as {qid = answer}.
local function saved_answers(db, attempt)
  local raw = db:quiz_answers(attempt) or {}
  local out = {}
  for k, v in pairs(raw) do
    if type(k) == "string" then out[k] = v
    elseif type(v) == "table" then out[v.question or v.qid] = v.answer end
  end
  return out
end

-- A store stand-in when the real one is unavailable: take still works, not resumable.
local function memory_db()
  local answers = {}
  return {
    quiz_attempt_open = function() return nil end,
    quiz_attempt_start = function() return 1 end,
    quiz_answer = function(_, _, qid, a) answers[qid] = a end,
    quiz_answers = function() return answers end,
    quiz_attempt_finish = function() end,
    close = function() end,
  }
end

local function kind_help(q)
  if q.kind == "choice" then return "one letter" end
  if q.kind == "multi" then return "all letters that apply, e.g. \"a c\"" end
  if q.kind == "numeric" then return "a number (units are fine)" end
  if q.kind == "text" then return "a short answer" end
  return "Lua code, then a line with only \".\""
end

local function read_line(prompt)
  io.write(prompt)
  io.flush()
  return io.read("l")
end

-- Ask one question; returns the answer string, or nil, "quit"/"eof".
local function ask(q, qi, n, order, c)
  io.write("\n", md.render(string.format("**Question %d of %d** (%g point%s; %s)", qi, n, q.points,
    q.points == 1 and "" or "s", kind_help(q)), { color = c }))
  io.write(md.render(q.prompt, { color = c }))
  if q.kind == "choice" or q.kind == "multi" then
    for d, orig in ipairs(order) do
      io.write(string.format("  %s) %s\n", string.char(96 + d), q.choices[orig]))
    end
  end
  if q.kind == "code" then
    if q.template then io.write(md.render("Starting point:\n```lua\n" .. q.template .. "\n```", { color = c })) end
    local lines = {}
    while true do
      local l = read_line(#lines == 0 and "code> " or "....> ")
      if l == nil then
        if #lines == 0 then return nil, "eof" end
        break
      end
      if #lines == 0 and l == ":quit" then return nil, "quit" end
      if l == "." then break end
      lines[#lines + 1] = l
    end
    return table.concat(lines, "\n")
  end
  while true do
    local l = read_line("> ")
    if l == nil then return nil, "eof" end
    l = l:gsub("^%s+", ""):gsub("%s+$", "")
    if l == ":quit" then return nil, "quit" end
    if l ~= "" then
      if q.kind == "choice" then
        local list, e = quiz.parse_choices(l, #q.choices, order)
        if list and #list == 1 then return tostring(list[1]) end
        print(e or "please choose exactly one letter")
      elseif q.kind == "multi" then
        local list, e = quiz.parse_choices(l, #q.choices, order)
        if list and #list > 0 then
          local t = {}
          for i, v in ipairs(list) do t[i] = tostring(v) end
          return table.concat(t, ",")
        end
        print(e or "please choose at least one letter")
      elseif q.kind == "numeric" then
        if quiz.parse_number(l) then return l end
        print("please type a number (units after it are fine)")
      else
        return l
      end
    end
  end
end

local write_file = require("llm.fileio").write

local function take(pos, flags)
  local path, e = quiz.resolve(pos[1])
  if not path then return err(e or "take needs a week number") end
  local q, src = quiz.load(path)
  if not q then return err(src) end
  local student = flags.student or os.getenv("LLMLAB_STUDENT") or os.getenv("USER") or "student"
  local db = open_db(flags)
  if not db then
    io.stderr:write("llmlab quiz: the progress store is not available; answers will not be saved\n")
    db = memory_db()
  end
  local c = color()
  local id, seed
  local open = db:quiz_attempt_open(q.week, student)
  if type(open) == "table" then id, seed = open.id, open.seed
  elseif open then
    id = open
    local a = db.quiz_attempt and db:quiz_attempt(id)
    seed = a and a.seed
  end
  local answers = {}
  if id then
    answers = saved_answers(db, id)
    local n = 0
    for _ in pairs(answers) do n = n + 1 end
    print(string.format("Resuming week %d's quiz for %s (%d of %d answered).", q.week, student, n, #q.questions))
  else
    seed = quiz.seed_for(student, q.week)
    id = db:quiz_attempt_start(q.week, student, seed)
    io.write(md.render(string.format("# Week %d quiz: %s", q.week, q.title), { color = c }))
    print(string.format("%d questions for %s. Type :quit to stop; your answers are kept.", #q.questions, student))
  end
  seed = seed or quiz.seed_for(student, q.week)
  for qi, question in ipairs(q.questions) do
    if answers[question.id] == nil then
      local order
      if question.kind == "choice" or question.kind == "multi" then
        order = quiz.choice_order(seed, qi, #question.choices)
      end
      local a = ask(question, qi, #q.questions, order, c)
      if not a then
        if flags.export then write_file(flags.export, quiz.submission_text(student, q.week, q, answers)) end
        db:close()
        print("\nYour answers so far are saved; run `llmlab quiz take " .. q.week .. "` to continue.")
        return 0
      end
      db:quiz_answer(id, question.id, a)
      answers[question.id] = a
    end
  end
  local points, max, results = quiz.grade(q, src, path, answers)
  io.write("\n", md.render("# Results", { color = c }))
  for qi, r in ipairs(results) do
    local question = q.questions[qi]
    io.write(md.render(string.format("**%d. %s**: %s/%s - %s", qi, question.id, quiz.fmt(r.points),
      quiz.fmt(r.max), r.feedback),
      { color = c }))
    io.write(md.render(question.explain, { color = c }))
    io.write("\n")
  end
  local passed = quiz.passed(q, points, max)
  print(string.format("Total: %s/%s (%.0f%%) - %s", quiz.fmt(points), quiz.fmt(max), max > 0 and 100 * points / max or 0,
    passed and "passed" or ("not passed; " .. math.ceil(100 * (q.pass or 0.6)) .. "% needed")))
  -- a passed quiz ticks the week's checklist items (the store does it in
  -- the same transaction as the results)
  db:quiz_attempt_finish(id, { points = points, max = max, results = results, passed = passed })
  db:close()
  if flags.export then
    local ok, we = write_file(flags.export, quiz.submission_text(student, q.week, q, answers))
    if not ok then return err("cannot write " .. flags.export .. ": " .. tostring(we)) end
    print("Answers written to " .. flags.export)
  end
  return 0
end

local function grade(pos, flags)
  local path, e = quiz.resolve(pos[1])
  if not path then return err(e or "grade needs a week number") end
  local q, src = quiz.load(path)
  if not q then return err(src) end
  local files = {}
  for i = 2, #pos do
    if fs.isdir(pos[i]) then
      for _, f in ipairs(fs.list(pos[i]) or {}) do
        if f:match("%.lua$") then files[#files + 1] = pos[i] .. "/" .. f end
      end
    else
      files[#files + 1] = pos[i]
    end
  end
  if #files == 0 then return err("grade needs submission files or folders") end
  local out = flags.out or string.format("grades-week%02d", q.week)
  local ok, me = fs.mkdir(out .. "/feedback")
  if not ok then return err(me) end
  local batch = flags.batch or string.format("week%02d-%s", q.week, os.date("!%Y%m%dT%H%M%SZ"))
  local db = open_db(flags)
  local total_max = 0
  for _, question in ipairs(q.questions) do total_max = total_max + question.points end
  local rows = {}
  local summary = {}
  local seen = {}
  local broken = 0
  for _, file in ipairs(files) do
    local base = file:match("([^/]+)%.lua$") or file
    local sub = quiz.read_submission(file)
    local student = (sub.ok and sub.student) or base
    student = student:gsub("[%c]", "")
    if seen[student] then
      student = student .. "#" .. base
    end
    seen[student] = true
    local results
    if not sub.ok then
      broken = broken + 1
      io.stderr:write(string.format("llmlab quiz: %s: broken submission: %s\n", file, tostring(sub.message)))
      results = { { question = "*", points = 0, max = total_max, feedback = "broken submission: " .. tostring(sub.message) } }
    else
      local _, _, r = quiz.grade(q, src, path, sub.answers)
      results = r
      if sub.week and sub.week ~= q.week then
        results[#results + 1] = { question = "*", points = 0, max = 0,
          feedback = "note: the submission says week " .. sub.week }
      end
    end
    local pts, mx = 0, 0
    for _, r in ipairs(results) do
      rows[#rows + 1] = { student, r.question, r.points, r.max, r.feedback }
      pts, mx = pts + r.points, mx + r.max
      if db then db:gradebook_add(batch, student, r.question, r.points, r.max, r.feedback) end
    end
    summary[#summary + 1] = { student = student, points = pts, max = mx, ok = sub.ok }
    -- per-student feedback file
    local fb = { string.format("# Week %d quiz: %s", q.week, q.title), "",
      string.format("Student: %s  ", student), string.format("Score: %s/%s", quiz.fmt(pts), quiz.fmt(mx)), "" }
    if not sub.ok then
      fb[#fb + 1] = "Your submission could not be read: " .. tostring(sub.message)
    else
      for qi, question in ipairs(q.questions) do
        local r = results[qi]
        fb[#fb + 1] = string.format("## %d. %s (%s/%s)", qi, question.id, quiz.fmt(r.points), quiz.fmt(r.max))
        fb[#fb + 1] = r.feedback
        fb[#fb + 1] = ""
        fb[#fb + 1] = question.explain
        fb[#fb + 1] = ""
      end
    end
    local fname = out .. "/feedback/" .. student:gsub("[^%w_.-]", "_") .. ".md"
    local wok, we = write_file(fname, table.concat(fb, "\n") .. "\n")
    if not wok then io.stderr:write("llmlab quiz: cannot write ", fname, ": ", tostring(we), "\n") end
  end
  local csv = { "student,question,points,max,feedback" }
  for _, r in ipairs(rows) do
    csv[#csv + 1] = table.concat({ quiz.csv(r[1]), quiz.csv(r[2]), quiz.csv(quiz.fmt(r[3])),
      quiz.csv(quiz.fmt(r[4])), quiz.csv(r[5]) }, ",")
  end
  local cok, ce = write_file(out .. "/gradebook.csv", table.concat(csv, "\n") .. "\n")
  if not cok then return err("cannot write the gradebook: " .. tostring(ce)) end
  if db then db:close() end
  print(string.format("%-24s %8s %6s", "student", "points", "%"))
  for _, s in ipairs(summary) do
    print(string.format("%-24s %8s %5.0f%%%s", s.student, quiz.fmt(s.points) .. "/" .. quiz.fmt(s.max),
      s.max > 0 and 100 * s.points / s.max or 0, s.ok and "" or "  (broken submission)"))
  end
  print(string.format("%d submission%s graded (%d broken); gradebook %s/gradebook.csv, batch %s",
    #summary, #summary == 1 and "" or "s", broken, out, batch))
  return 0
end

local function list(pos, flags)
  local dir = quiz.home() .. "/quizzes"
  local student = flags.student or os.getenv("LLMLAB_STUDENT") or os.getenv("USER") or "student"
  local db = open_db(flags)
  print(string.format("%-5s %-10s %-9s %s", "week", "questions", "best", "title"))
  for _, f in ipairs(fs.list(dir) or {}) do
    if f:match("^week%d+%.lua$") then
      local q = quiz.load(dir .. "/" .. f)
      if q then
        local best = "-"
        local b = db and db:quiz_best(q.week, student)
        if b then best = quiz.fmt(b.points) .. "/" .. quiz.fmt(b.max) .. (b.passed and "*" or "") end
        print(string.format("%-5d %-10d %-9s %s", q.week, #q.questions, best, q.title))
      else
        print(string.format("%-5s %-10s %-9s %s", f:match("%d+"), "?", "-", "(does not load: llmlab quiz lint)"))
      end
    end
  end
  if db then db:close() end
  return 0
end

local function lint_cmd(pos)
  if not pos[1] then return err("lint needs a quiz FILE") end
  return cli_args.lint_report(pos[1], quiz.lint(pos[1]))
end

return cli_args.subcommands("quiz", USAGE, { list = list, take = take, grade = grade, lint = lint_cmd }, VALUE_FLAGS)
