-- llmlab course: the course outline (lua/llm/course.lua) with the student's
-- status on every item: ticks from the checklist, best lab scores.
local store = require "llm.store"
local course = require "llm.course"
local outline = require "llm.outline"

local USAGE = [[
usage: llmlab course [--week N] [--module NUMERAL] [--ids]
  The outline: modules, weeks, topics, labs and discussions, each with
  [x] when ticked, and a lab's best score once attempted.
  --week N        only week N          --module IV   only that module
  --ids           show each item's id (for `llmlab progress check ID`)
Options anywhere: --db PATH (the database; also LLMLAB_DB).
]]

local usage_error = require("llm.cli.args").reporters("course")

local function fmt_num(x)
  if x == nil then return "?" end
  if x == math.floor(x) and math.abs(x) < 1e15 then return string.format("%d", x) end
  return string.format("%.4g", x)
end

return function(args)
  local week, module, ids
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "--help" or a == "-h" then
      io.write(USAGE)
      return 0
    elseif a == "--week" then
      week = tonumber(args[i + 1])
      if not week or not course.week(week) then return usage_error("--week needs a week number from 1 to 33") end
      i = i + 2
    elseif a == "--module" then
      module = args[i + 1] and args[i + 1]:upper()
      local found = false
      for _, m in ipairs(course.modules) do found = found or m.numeral == module end
      if not found then return usage_error("--module needs a module numeral from I to XII") end
      i = i + 2
    elseif a == "--ids" then
      ids = true
      i = i + 1
    else
      return usage_error("unknown argument '" .. a .. "'")
    end
  end
  local ok, db = pcall(store.open)
  if not ok then
    io.stderr:write("llmlab course: ", tostring(db), "\n")
    return 1
  end
  local checked = db:checked()
  local function line(it)
    local text = outline.plain(it.text)
    local extra = ""
    if it.kind == "lab" then
      local best = db:lab_best(it.id)
      if best then
        extra = string.format("  [best %s/%s%s]", fmt_num(best.points), fmt_num(best.max), best.passed and ", passed" or "")
      end
    end
    local id = ids and string.format("%-18s ", it.id) or ""
    print(string.format("%s  [%s] %s%s%s", string.rep("    ", it.depth + 1), checked[it.id] and "x" or " ", id, text,
                        extra))
  end
  local first = true
  for _, m in ipairs(course.modules) do
    if not module or module == m.numeral then
      local shown = false
      for _, w in ipairs(m.weeks) do
        if not week or week == w.week then
          if not shown then
            if not first then print("") end
            print("Module " .. m.numeral .. ": " .. (m.outline_title or m.title))
            shown, first = true, false
          end
          local items = course.week_items(w.week)
          local d, t = course.count(items, checked)
          local quiz = db:quiz_best(w.week)
          print(string.format("  Week %d: %s  (%d/%d)%s", w.week, w.title, d, t,
                              quiz and string.format("  [quiz best %s/%s]", fmt_num(quiz.points), fmt_num(quiz.max)) or ""))
          for _, it in ipairs(items) do line(it) end
        end
      end
    end
  end
  if course.assessment and not week and not module then
    print("")
    print(course.assessment.title)
    for _, it in ipairs(course.assessment.items) do line(it) end
  end
  db:close()
  return 0
end
