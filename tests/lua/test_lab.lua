-- Lab runner: markdown rendering, lint source maps, lab lint with line
-- numbers, running steps in the sandbox (attacks included) with a fake of
-- the store API, dev-check's two directions.
local T = require "llm.test"
local lab = require "llm.lab"
local lint = require "llm.lint"
local md = require "llm.markdown"
local fs = require "llm.fs"

local tmp = os.tmpname()
os.remove(tmp)
assert(fs.mkdir(tmp .. "/week05/exercises"))
assert(fs.mkdir(tmp .. "/week05/solutions"))

local function write(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  return path
end

-- An in-memory fake of the llm.store API the runner uses, recording calls.
local function fake_db()
  local db = { calls = {}, attempts = {}, steps = {}, hints = {}, checked = {} }
  local function rec(name, ...) db.calls[#db.calls + 1] = { name, ... } end
  function db:lab_attempt_start(id, o) rec("start", id, o.mode); self.attempts[#self.attempts + 1] = { id = id, o = o }; return #self.attempts end
  function db:lab_step_result(a, k, r) rec("step", a, k, r.status); self.steps[k] = r end
  function db:lab_attempt_finish(a, r) rec("finish", a, r.points, r.max, r.passed); self.attempts[a].result = r end
  function db:set_last_lab(id) rec("last", id) end
  function db:lab_hint_level(id, ex) return self.hints[id .. ex] or 0 end
  function db:lab_hint_used(id, ex, l) self.hints[id .. ex] = l end
  function db:check(id, v) self.checked[id] = v end
  return db
end

T.describe("markdown", function()
  T.it("renders headings, lists, bold, code and fences as plain text", function()
    local out = md.render([[
      # Title
      Some **bold** and `code`, wrapped
      over lines.

      - one item
      2. two
      ```lua
      local x = 1
      ```
    ]], { width = 40 })
    T.expect(out).to_be("Title\n=====\nSome bold and `code`, wrapped over\nlines.\n\n- one item\n2. two\n    local x = 1\n")
  end)
  T.it("uses ANSI styles when colour is on", function()
    local out = md.render("**b** `c`", { color = true })
    T.expect(out).to_be("\27[1mb\27[0m \27[36mc\27[0m\n")
  end)
  T.it("keeps ** inside code spans", function()
    T.expect(md.render("`a**b**`")).to_be("`a**b**`\n")
  end)
  T.it("wraps list items with a hanging indent", function()
    T.expect(md.render("- aaa bbb ccc", { width = 8 })).to_be("- aaa\n  bbb\n  ccc\n")
  end)
  T.it("gives blocks for the UI", function()
    local b = md.blocks("## H\ntext\n")
    T.expect(b[1]).to_equal({ kind = "heading", level = 2, text = "H" })
    T.expect(b[2]).to_equal({ kind = "para", text = "text" })
  end)
end)

T.describe("lint source maps", function()
  T.it("maps fields of the returned table to their lines", function()
    local m = lint.source_map([=[
-- { a comment
local s = "not { a table"
return {
  id = "x",
  steps = {
    { title = "a", run = function() local a, b = 1, { 2 } if a then return b end end },
    {
      title = [[multi
line]],
      check = function() end,
    },
  },
  ["key"] = 1,
}
]=])
    T.expect(m[""]).to_be(3)
    T.expect(m["id"]).to_be(4)
    T.expect(m["steps[1]"]).to_be(6)
    T.expect(m["steps[2]"]).to_be(7)
    T.expect(m["steps[2].check"]).to_be(10)
    T.expect(m["key"]).to_be(13)
    T.expect(lint.line(m, "steps[2].nothing")).to_be(7)
  end)
  T.it("follows `return name` to a local table", function()
    local m = lint.source_map("local t = {\n  a = 1,\n}\nreturn t\n")
    T.expect(m["a"]).to_be(2)
  end)
end)

local LAB = [==[
local check = require "llm.check"
return {
  id = "w05.lab05", week = 5, title = "test lab", objectives = { "o" },
  size = { small = { n = 3 }, full = { n = 1000 } },
  time = 5, memory = 32,
  exercises = { { name = "add", hints = { "h1", "h2" } }, { name = "loop", hints = { "h" } } },
  steps = {
    { title = "intro", text = "# hi" },
    { title = "add", exercise = "add", points = 2,
      check = function(ctx) return check.cases(ctx.ex.add, { { args = { 1, 2 }, expect = 3 }, { args = { 0, 0 }, expect = 0 } }) end },
    { title = "loop", exercise = "loop", time = 0.5,
      check = function(ctx) return check.result(ctx.ex.loop() == "done" and 1 or 0, 1, "loop") end },
    { title = "size", run = function(ctx) print("n=" .. ctx.params.n) return ctx.params.n end,
      check = function(ctx) return check.result(ctx.result == ctx.params.n and 1 or 0, 1) end },
  },
}
]==]
local lab_path = write(tmp .. "/week05/lab05_t.lua", LAB)
write(tmp .. "/week05/exercises/lab05_t.lua", "local M = {}\nfunction M.add(a, b) end\nfunction M.loop() end\nreturn M\n")
write(tmp .. "/week05/solutions/lab05_t.lua",
  "local M = {}\nfunction M.add(a, b) return a + b end\nfunction M.loop() return 'done' end\nreturn M\n")

T.describe("lab lint", function()
  T.it("accepts a good lab and the demo lab", function()
    T.expect(lab.lint(lab_path)).to_equal({})
    T.expect(lab.lint(lab.home() .. "/labs/week00/lab00_welcome.lua")).to_equal({})
  end)
  T.it("reports format errors with line numbers", function()
    assert(fs.mkdir(tmp .. "/week06"))
    local p = write(tmp .. "/week06/lab07_bad.lua", [[
return {
  id = "w06.lab08",
  week = 6,
  title = "bad",
  objectives = { "o" },
  exercise = "typo",
  exercises = { { name = "f", hints = {} } },
  steps = {
    { title = "one", text = "t" },
    { text = "no title",
      exercise = "g" },
    { title = "typo", chekc = function() end },
    { title = "heavy", heavy = true, run = function() end },
  },
}
]])
    local all = table.concat(lab.lint(p), "\n")
    T.expect(all).to_match("lab07_bad%.lua:2: id: `id` is w06%.lab08 but the file name and folder say w06%.lab07")
    T.expect(all).to_match("lab07_bad%.lua:6: exercise: unknown lab field `exercise`")
    T.expect(all).to_match("lab07_bad%.lua:7: exercises%[1%]%.hints: `hints` must be a non%-empty list")
    T.expect(all).to_match("lab07_bad%.lua:10: steps%[2%]: missing `title`")
    T.expect(all).to_match("lab07_bad%.lua:11: steps%[2%]%.exercise: exercise `g` is not in `exercises`")
    T.expect(all).to_match("lab07_bad%.lua:12: steps%[3%]%.chekc: unknown step field `chekc`")
    T.expect(all).to_match("lab07_bad%.lua:13: steps%[4%]: a heavy step needs a small%-CPU size")
  end)
  T.it("reports syntax errors with their line", function()
    local p = write(tmp .. "/week06/lab09_syntax.lua", "return {\n  id = 'w06.lab09'\n  week = 6,\n}\n")
    T.expect(lab.lint(p)[1]).to_match("lab09_syntax%.lua:3:")
  end)
end)

T.describe("lab run", function()
  local info = lab.info_from_path(lab_path)
  local L = assert(lab.load(info))
  local function quiet() end

  T.it("passes every check with the reference solution and records it", function()
    local db = fake_db()
    local passed, results, total, max = lab.run(info, L, { mode = "solution", db = db, size = "small", out = quiet })
    T.expect(passed).to_be(true)
    T.expect(total).to_be(4)
    T.expect(max).to_be(4)
    T.expect(results[4].output).to_be("n=3\n")
    T.expect(db.calls[1]).to_equal({ "start", "w05.lab05", "solution" })
    T.expect(db.attempts[1].result).to_equal({ points = 4, max = 4, passed = true })
    T.expect(db.attempts[1].o.lab_hash).to_be(lab.file_hash(info.src))
    T.expect(db.calls[#db.calls]).to_equal({ "last", "w05.lab05" })
  end)
  T.it("checks the student's copy: a looping exercise times out, later steps still run", function()
    lab.write_file(info.work, "local M = {}\nfunction M.add(a, b) return a + b + (a == 0 and 1 or 0) end\n"
      .. "function M.loop() while true do end end\nreturn M\n")
    local db = fake_db()
    local lines = {}
    local passed, results, total = lab.run(info, L, { db = db, size = "small", out = function(...)
      for _, s in ipairs({ ... }) do lines[#lines + 1] = s end
    end })
    T.expect(passed).to_be(false)
    T.expect(results[2].status).to_be("failed")
    T.expect(results[2].points).to_be(1)
    T.expect(results[3].status).to_be("timeout")
    T.expect(results[3].message).to_be("time limit of 0.5 s exceeded in step 3")
    T.expect(results[4].status).to_be("ok")
    T.expect(total).to_be(2)
    T.expect(db.steps[3].status).to_be("timeout")
    T.expect(db.attempts[1].result.passed).to_be(false)
    T.expect(table.concat(lines)).to_match("%[TIMEOUT%] step 3 loop: 0/1 %- time limit of 0%.5 s exceeded in step 3")
  end)
  T.it("a memory bomb, a sandbox escape attempt and a syntax error are reported per step", function()
    lab.write_file(info.work, "local M = {}\nfunction M.add(a, b) local t = {} for i = 1, 1e9 do t[i] = string.rep(i, 1e6) end end\n"
      .. "function M.loop() return io.open('/etc/passwd') end\nreturn M\n")
    local _, results = lab.run(info, L, { size = "small", out = quiet })
    T.expect(results[2].status).to_be("memory")
    T.expect(results[2].message).to_be("memory limit of 32 MB exceeded in step 2")
    T.expect(results[3].status).to_be("failed")
    T.expect(results[3].message).to_match("io")
    lab.write_file(info.work, "local M = {\n")
    _, results = lab.run(info, L, { size = "small", out = quiet })
    T.expect(results[2].message).to_match("your exercise file does not run: .*lab05_t%.lua:2:")
  end)
  T.it("runs one step with --step and does not count it as finishing the lab", function()
    lab.write_file(info.work, "local M = {}\nfunction M.add(a, b) return a + b end\nfunction M.loop() return 'done' end\nreturn M\n")
    local db = fake_db()
    local passed, results = lab.run(info, L, { step = 2, db = db, out = quiet })
    T.expect(passed).to_be(true)
    T.expect(results[3]).to_be(nil)
    T.expect(db.attempts[1].result.passed).to_be(false)
  end)
  T.it("dev-check: checks fail on the template and pass on the solution", function()
    local p, f = lab.dev_check(info, quiet)
    T.expect(f).to_be(0)
    T.expect(p).to_be(1 + 3 + 2)
  end)
  T.it("dev-check catches a template that already passes", function()
    write(tmp .. "/week05/exercises/lab05_t.lua",
      "local M = {}\nfunction M.add(a, b) return a + b end\nfunction M.loop() end\nreturn M\n")
    local out = {}
    local p, f = lab.dev_check(info, function(s) out[#out + 1] = s end)
    T.expect(f).to_be(1)
    T.expect(table.concat(out)).to_match("FAIL w05%.lab05 step 2 %(add%): fails on the untouched template %- but it passed")
  end)
  T.it("llm.runs inside a step is relayed back as plain data", function()
    local demo = assert(lab.resolve("0"))
    local L0 = assert(lab.load(demo))
    local r = lab.run_step(demo, L0, 2, { mode = "solution", size = "small" })
    T.expect(r.status).to_be("ok")
    T.expect(#r.runs).to_be(1)
    T.expect(r.runs[1].name).to_be("welcome")
    T.expect(r.runs[1].params).to_equal({ seed = 42 })
    T.expect(r.runs[1].status).to_be("finished")
    T.expect(#r.runs[1].rows).to_be(5)
    T.expect(r.runs[1].rows[1][1]).to_be(1)
    T.expect(type(r.runs[1].rows[1][2].value)).to_be("number")
  end)
  T.it("resolves labs by number and id, and says what is missing", function()
    T.expect(lab.resolve("0").id).to_be("w00.lab00")
    T.expect(lab.resolve("w00.lab00").number).to_be(0)
    T.expect(select(2, lab.resolve("99"))).to_match("no lab 99")
    T.expect(select(2, lab.resolve("x"))).to_match("not a lab number")
  end)
end)
