-- llmlab progress: the student's checklist (lua/llm/course.lua items, state
-- in the database): progress by module and week, tick and untick items,
-- import and export the checklist in the outline's markdown form.
local store = require "llm.store"
local course = require "llm.course"
local outline = require "llm.outline"

local USAGE = [[
usage: llmlab progress                    progress by module and week
       llmlab progress --week N           one week's items with their state
       llmlab progress check ID...        tick items (ids as `llmlab course --ids` shows)
       llmlab progress uncheck ID...      untick items
       llmlab progress import FILE.md     take the ticks from a markdown checklist (the export,
                                          or the whole outline); items it lacks keep their state
       llmlab progress export [-o FILE]   write the checklist as markdown (the outline's form)
Options anywhere: --db PATH (the database; also LLMLAB_DB).
]]

local usage_error, fail = require("llm.cli.args").reporters("progress")

local function pct(done, total)
  if total == 0 then return 0 end
  return math.floor(done * 100 / total)
end

local function suggest(id)
  local week = id:match("^w(%d+)")
  local w = week and course.week(tonumber(week))
  if w then
    local ids = {}
    for _, it in ipairs(course.week_items(w.week)) do ids[#ids + 1] = it.id end
    return " (week " .. w.week .. " has " .. table.concat(ids, ", ") .. ")"
  end
  return " (ids look like w03.t04, w03.lab05, w13.d01, assess.01; `llmlab course --ids` lists them)"
end

local function show_summary(db)
  local checked = db:checked()
  local done, total = course.count(course.items, checked)
  print(string.format("Progress: %d of %d items (%d%%)", done, total, pct(done, total)))
  print("")
  local rows = {}
  local width = 0
  for _, m in ipairs(course.modules) do
    local mitems = {}
    for _, w in ipairs(m.weeks) do
      for _, it in ipairs(course.week_items(w.week)) do mitems[#mitems + 1] = it end
    end
    local d, t = course.count(mitems, checked)
    rows[#rows + 1] = { "Module " .. m.numeral .. ": " .. m.title, d, t }
    for _, w in ipairs(m.weeks) do
      local wd, wt = course.count(course.week_items(w.week), checked)
      rows[#rows + 1] = { string.format("  Week %2d: %s", w.week, w.title), wd, wt }
    end
  end
  if course.assessment then
    local d, t = course.count(course.assessment.items, checked)
    rows[#rows + 1] = { course.assessment.title, d, t }
  end
  for _, r in ipairs(rows) do width = math.max(width, utf8.len(r[1]) or #r[1]) end
  for _, r in ipairs(rows) do
    local pad = string.rep(" ", width - (utf8.len(r[1]) or #r[1]))
    print(string.format("%s%s  %3d/%-3d %3d%%", r[1], pad, r[2], r[3], pct(r[2], r[3])))
  end
  return 0
end

local function show_week(db, n)
  local w = course.week(n)
  if not w then return usage_error("there is no week " .. tostring(n) .. " (weeks are 1 to 33)") end
  local checked = db:checked()
  local items = course.week_items(w.week)
  local d, t = course.count(items, checked)
  print(string.format("Week %d: %s  (%d/%d, %d%%)", w.week, w.title, d, t, pct(d, t)))
  for _, it in ipairs(items) do
    print(string.format("%s[%s] %-18s %s", string.rep("    ", it.depth), checked[it.id] and "x" or " ", it.id,
                        outline.plain(it.text)))
  end
  return 0
end

local function set_items(db, ids, done)
  if #ids == 0 then return usage_error((done and "check" or "uncheck") .. " needs at least one item id") end
  for _, id in ipairs(ids) do
    if not course.item(id) then return fail("unknown item '" .. id .. "'" .. suggest(id)) end
  end
  db:transaction(function()
    for _, id in ipairs(ids) do db:check(id, done, "user") end
  end)
  for _, id in ipairs(ids) do
    print(string.format("[%s] %s %s", done and "x" or " ", id, outline.plain(course.item(id).text)))
  end
  return 0
end

local function import(db, path)
  local f, err = io.open(path, "rb")
  if not f then return fail("cannot open " .. tostring(err)) end
  local text = f:read("a")
  f:close()
  if not utf8.len(text) then return fail(path .. ": not valid UTF-8 text") end
  local ticks, errors = course.parse(text, path)
  if not ticks then
    for _, e in ipairs(errors) do io.stderr:write("llmlab progress: ", e, "\n") end
    return 1
  end
  local on, off = 0, 0
  db:transaction(function()
    for _, it in ipairs(course.items) do
      local t = ticks[it.id]
      if t ~= nil then
        db:check(it.id, t, "import")
        if t then on = on + 1 else off = off + 1 end
      end
    end
  end)
  print(string.format("imported %d items from %s: %d ticked, %d not", on + off, path, on, off))
  return 0
end

local function export(db, out_path)
  local text = course.render(db:checked())
  if not out_path then
    io.write(text)
    return 0
  end
  local tmp = out_path .. ".tmp"
  local f, err = io.open(tmp, "wb")
  if not f then return fail("cannot write " .. tostring(err)) end
  local ok, werr = f:write(text)
  local cok, cerr = f:close()
  if not ok or not cok then
    os.remove(tmp)
    return fail("cannot write " .. out_path .. ": " .. tostring(werr or cerr))
  end
  local rok, rerr = os.rename(tmp, out_path)
  if not rok then return fail("cannot write " .. out_path .. ": " .. tostring(rerr)) end
  return 0
end

return function(args)
  local a1 = args[1]
  if a1 == "--help" or a1 == "-h" or a1 == "help" then
    io.write(USAGE)
    return 0
  end
  local ok, db = pcall(store.open)
  if not ok then return fail(tostring(db)) end
  local rc
  if a1 == nil then
    rc = show_summary(db)
  elseif a1 == "--week" then
    if #args ~= 2 or not tonumber(args[2]) then
      rc = usage_error("--week needs a week number")
    else
      rc = show_week(db, tonumber(args[2]))
    end
  elseif a1 == "check" or a1 == "uncheck" then
    rc = set_items(db, table.move(args, 2, #args, 1, {}), a1 == "check")
  elseif a1 == "import" then
    if #args ~= 2 then rc = usage_error("import needs exactly one file")
    else rc = import(db, args[2]) end
  elseif a1 == "export" then
    if #args == 1 then rc = export(db, nil)
    elseif #args == 3 and (args[2] == "-o" or args[2] == "--output") then rc = export(db, args[3])
    else rc = usage_error("export takes only -o FILE") end
  else
    rc = usage_error("unknown subcommand '" .. tostring(a1) .. "'")
  end
  db:close()
  return rc
end
