-- `llmlab lab ...`: list, show, run and check labs; reset the exercise copy;
-- hints and solutions; dev-check, new and lint for instructors.
local lab = require "llm.lab"
local md = require "llm.markdown"
local fs = require "llm.fs"
local cli_args = require "llm.cli.args"
local _, err = cli_args.reporters("lab")

local USAGE = [[
usage: llmlab lab COMMAND [ARGS] [--db PATH]

  list                       the labs, with your best score
  show N                     a lab's objectives and step text
  run N [--step K] [--check] [--solution] [--small]
                             run the steps on your exercise copy (exit 1 when a check fails)
  check N                    the same as run N --check (only the checks, no step text)
  reset N                    put the untouched exercise template back (your copy goes to .bak)
  hint N [EXERCISE]          the next hint of the exercise ladder (use is recorded)
  solution N [--instructor]  the reference solution, once your checks pass
  dev-check [N|--all]        every exercise fails on its template and passes on its solution
  new WEEK NUMBER SLUG [--dir DIR]   scaffold a lab, its template and its solution
  lint FILE                  report format errors with line numbers

N is a lab number (5), id (w03.lab05) or a lab file. Your exercise copies live in
$XDG_DATA_HOME/llmlab/work/ (default ~/.local/share/llmlab/work/). Each step runs in a
sandbox with a time and memory budget; a failing step does not stop the next.]]


local VALUE_FLAGS = { ["--step"] = true, ["--db"] = true, ["--dir"] = true }

local function color() return fs.isatty("stdout") and os.getenv("TERM") ~= "dumb" end

local function open_db(flags)
  return lab.open_db(flags.db)
end

local function get(what)
  if not what then return nil, "missing the lab number (see `llmlab lab list`)" end
  local info, e = lab.resolve(what)
  if not info then return nil, e end
  local l, lerr = lab.load(info)
  if not l then return nil, lerr end
  return info, l
end

local cmds = {}

function cmds.list(pos, flags)
  local db = open_db(flags)
  local all = lab.find_all()
  if #all == 0 then print("no labs found under " .. lab.home() .. "/labs") return 0 end
  print(string.format("%-4s %-10s %-9s %s", "N", "id", "best", "title"))
  for _, info in ipairs(all) do
    local l = lab.load(info)
    local best = "-"
    if db and l then
      local b = db:lab_best(l.id)
      if b then best = string.format("%g/%g%s", b.points or 0, b.max or 0, b.passed and "*" or "") end
    end
    print(string.format("%-4d %-10s %-9s %s", info.number, info.id or "?", best,
      l and l.title or "(does not load: run `llmlab lab lint`)"))
  end
  if db then db:close() end
  return 0
end

function cmds.show(pos)
  local info, l = get(pos[1])
  if not info then return err(l) end
  local c = color()
  io.write(md.render("# Lab " .. info.number .. ": " .. l.title, { color = c }))
  io.write("\n", md.render("**Objectives**", { color = c }))
  for _, o in ipairs(l.objectives or {}) do io.write(md.render("- " .. o, { color = c })) end
  for k, st in ipairs(l.steps) do
    io.write("\n", md.render(string.format("## Step %d: %s", k, st.title), { color = c }))
    if st.text then io.write(md.render(st.text, { color = c })) end
    if st.exercise then io.write(md.render("*Exercise:* `" .. st.exercise .. "`", { color = c })) end
  end
  if l.exercises and #l.exercises > 0 then
    io.write("\nYour exercise copy: ", info.work, "\n")
  end
  return 0
end

function cmds.run(pos, flags)
  local info, l = get(pos[1])
  if not info then return err(l) end
  local mode = flags.solution and "solution" or "student"
  local step
  if flags.step then
    step = math.tointeger(tonumber(flags.step))
    if not step or step < 1 or step > #l.steps then
      return err("--step must be a step number from 1 to " .. #l.steps)
    end
  end
  if mode == "student" and l.exercises and #l.exercises > 0 then
    local ok, e = lab.ensure_work(info)
    if not ok then return err(e) end
    if e == "created" then print("Your exercise copy is " .. info.work .. " (edit it, then run again).") end
  end
  local db = open_db(flags)
  local size = (flags.small or os.getenv("LLMLAB_SMALL") == "1") and "small" or "full"
  local passed = lab.run(info, l, { mode = mode, step = step, check_only = flags.check, db = db,
    size = size, color = color(), live = color() and not flags.check })
  if db then db:close() end
  return passed and 0 or 1
end

function cmds.check(pos, flags)
  flags.check = true
  return cmds.run(pos, flags)
end

function cmds.reset(pos)
  local info, l = get(pos[1])
  if not info then return err(l) end
  local src = lab.read_file(info.template)
  if not src then return err("lab " .. info.number .. " has no exercise template") end
  local old = lab.read_file(info.work)
  if old then
    local ok, e = lab.write_file(info.work .. ".bak", old)
    if not ok then return err("cannot keep a backup: " .. tostring(e)) end
  end
  local ok, e = lab.write_file(info.work, src)
  if not ok then return err(tostring(e)) end
  print("Reset " .. info.work .. (old and (" (your previous copy is " .. info.work .. ".bak)") or ""))
  return 0
end

function cmds.hint(pos, flags)
  local info, l = get(pos[1])
  if not info then return err(l) end
  if not l.exercises or #l.exercises == 0 then return err("lab " .. info.number .. " has no exercises") end
  local db = open_db(flags)
  local ex
  if pos[2] then
    for _, e in ipairs(l.exercises) do if e.name == pos[2] then ex = e end end
    if not ex then return err("lab " .. info.number .. " has no exercise '" .. pos[2] .. "'") end
  else
    -- the first exercise whose ladder is not used up
    for _, e in ipairs(l.exercises) do
      local lvl = db and db:lab_hint_level(l.id, e.name) or 0
      if lvl < #e.hints then ex = e break end
    end
    ex = ex or l.exercises[#l.exercises]
  end
  local level = db and db:lab_hint_level(l.id, ex.name) or 0
  local nextl = math.min(level + 1, #ex.hints)
  if db then
    db:lab_hint_used(l.id, ex.name, nextl)
    db:close()
  end
  io.write(md.render(string.format("**Hint %d of %d** for `%s`:", nextl, #ex.hints, ex.name), { color = color() }))
  io.write(md.render(ex.hints[nextl], { color = color() }))
  if nextl == #ex.hints and level >= #ex.hints then print("(that was the last hint)") end
  return 0
end

function cmds.solution(pos, flags)
  local info, l = get(pos[1])
  if not info then return err(l) end
  local src = lab.read_file(info.solution)
  if not src then return err("lab " .. info.number .. " has no reference solution") end
  if not flags.instructor then
    local db = open_db(flags)
    local best = db and db:lab_best(l.id)
    if db then db:close() end
    local allowed = best and best.passed
    if not allowed then
      -- check the student's copy now
      if not lab.read_file(info.work) then
        return err("the solution opens once your checks pass; you have no copy yet (llmlab lab run " .. info.number .. ")")
      end
      local failing = {}
      local results = {}
      for k, st in ipairs(l.steps) do
        if st.exercise then results[k] = lab.run_step(info, l, k, { mode = "student" }) end
      end
      for name, ok in pairs(lab.passed_exercises(l, results)) do
        if not ok then failing[#failing + 1] = name end
      end
      table.sort(failing)
      if #failing > 0 then
        return err("the solution opens once your checks pass; still failing: " .. table.concat(failing, ", ")
          .. " (try `llmlab lab hint " .. info.number .. "`)")
      end
    end
  end
  io.write(src)
  return 0
end

cmds["dev-check"] = function(pos, flags)
  local targets = {}
  if flags.all or #pos == 0 then
    targets = lab.find_all()
  else
    for _, w in ipairs(pos) do
      local info, e = lab.resolve(w)
      if not info then return err(e) end
      targets[#targets + 1] = info
    end
  end
  local p, f = 0, 0
  for _, info in ipairs(targets) do
    local dp, df = lab.dev_check(info)
    p, f = p + dp, f + df
  end
  print(string.format("RESULT passed=%d failed=%d", p, f))
  return f == 0 and 0 or 1
end

function cmds.new(pos, flags)
  local week, number, slug = tonumber(pos[1]), tonumber(pos[2]), pos[3]
  if not (week and number and slug and slug:match("^[%a_][%w_]*$")) then
    return err("usage: llmlab lab new WEEK NUMBER SLUG [--dir DIR] (SLUG: letters, digits, _)")
  end
  local dir = (flags.dir or (lab.home() .. "/labs")) .. string.format("/week%02d", week)
  local base = string.format("lab%02d_%s.lua", number, slug)
  local files = { dir .. "/" .. base, dir .. "/exercises/" .. base, dir .. "/solutions/" .. base }
  for _, f in ipairs(files) do
    if lab.read_file(f) then return err(f .. " already exists; not overwriting it") end
  end
  local a, b, c = lab.scaffold(week, number, slug)
  for i, text in ipairs({ a, b, c }) do
    local ok, e = lab.write_file(files[i], text)
    if not ok then return err(tostring(e)) end
    print("wrote " .. files[i])
  end
  return 0
end

function cmds.lint(pos)
  if not pos[1] then return err("lint needs a lab FILE") end
  return cli_args.lint_report(pos[1], lab.lint(pos[1]))
end

return cli_args.subcommands("lab", USAGE, cmds, VALUE_FLAGS)
