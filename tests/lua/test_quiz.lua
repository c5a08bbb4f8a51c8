-- Quiz grading (every kind, partial credit, hidden tests), answer parsing,
-- the per-student choice order, submissions and line-numbered lint errors.
local T = require "llm.test"
local quiz = require "llm.quiz"

local tmp = os.tmpname()
os.remove(tmp)
local fs = require "llm.fs"
assert(fs.mkdir(tmp))

local function write(name, text)
  local p = tmp .. "/" .. name
  local f = assert(io.open(p, "wb"))
  f:write(text)
  f:close()
  return p
end

-- A small quiz with a code question whose tests include a hidden one and a
-- per-test time budget kept short for the suite.
local QUIZ = [==[
return {
  week = 7, title = "test quiz",
  questions = {
    { id = "c", kind = "choice", points = 1, prompt = "p", explain = "e", choices = {"x", "y", "z"}, answer = 2 },
    { id = "m", kind = "multi", points = 3, prompt = "p", explain = "e", choices = {"a", "b", "c", "d"}, answer = {1, 2, 3} },
    { id = "n", kind = "numeric", points = 1, prompt = "p", explain = "e", answer = 100, rel = 0.05 },
    { id = "a", kind = "numeric", points = 1, prompt = "p", explain = "e", answer = 0.5, tolerance = 0.01 },
    { id = "t", kind = "text", points = 1, prompt = "p", explain = "e", answers = {"Byte Pair Encoding"}, patterns = {"^bpe$"} },
    { id = "k", kind = "code", points = 4, prompt = "p", explain = "e", entry = "double", time = 0.5,
      solution = "function double(x) return 2 * x end",
      template = "function double(x) end",
      tests = {
        { name = "two", args = {2}, expect = 4 },
        { name = "zero", args = {0}, expect = 0 },
        { name = "secret negative", args = {-21}, expect = -42, hidden = true },
        { name = "secret check", check = function(f) return f(1.5) == 3, "1.5 wrong" end, hidden = true },
      } },
  },
}
]==]
local qpath = write("week07.lua", QUIZ)
local Q, QSRC = quiz.load(qpath)

local function grade(id, ans)
  for i, q in ipairs(Q.questions) do
    if q.id == id then return quiz.grade_question(q, ans, { src = QSRC, path = qpath, index = i }) end
  end
end

T.describe("quiz answers", function()
  T.it("parses numbers with units and separators", function()
    T.expect(quiz.parse_number("12 bytes")).to_be(12)
    T.expect(quiz.parse_number("1,024 tokens")).to_be(1024)
    T.expect(quiz.parse_number("-3.5e-2 nats")).to_be(-0.035)
    T.expect(quiz.parse_number(" .25")).to_be(0.25)
    T.expect(quiz.parse_number("50 %")).to_be(50)
    T.expect(quiz.parse_number("about 5")).to_be(nil)
    T.expect(quiz.parse_number("5 + 3")).to_be(nil)
  end)
  T.it("normalises text", function()
    T.expect(quiz.normalise("  Byte  Pair\tEncoding. ")).to_be("byte pair encoding")
    T.expect(quiz.normalise('"Corpus!"')).to_be("corpus")
  end)
  T.it("parses choice letters and numbers through the display order", function()
    T.expect(quiz.parse_choices("a c", 3)).to_equal({ 1, 3 })
    T.expect(quiz.parse_choices("C, 1", 3)).to_equal({ 1, 3 })
    T.expect(quiz.parse_choices("a", 3, { 3, 1, 2 })).to_equal({ 3 })
    T.expect(quiz.parse_choices("d", 3)).to_be(nil)
  end)
  T.it("orders choices the same way for the same student, differently across students", function()
    local a1 = quiz.choice_order(quiz.seed_for("alice", 1), 2, 6)
    local a2 = quiz.choice_order(quiz.seed_for("alice", 1), 2, 6)
    T.expect(a1).to_equal(a2)
    local sorted = {}
    for i, v in ipairs(a1) do sorted[i] = v end
    table.sort(sorted)
    T.expect(sorted).to_equal({ 1, 2, 3, 4, 5, 6 })
    local differs = false
    for _, who in ipairs({ "bob", "carol", "dave", "erin" }) do
      if not T.deep_equal(quiz.choice_order(quiz.seed_for(who, 1), 2, 6), a1) then differs = true end
    end
    T.expect(differs).to_be(true)
  end)
end)

T.describe("quiz grading", function()
  T.it("choice", function()
    T.expect(grade("c", "2").points).to_be(1)
    local r = grade("c", "3")
    T.expect(r.points).to_be(0)
    T.expect(r.feedback).to_match("b%) y")
    T.expect(grade("c", "1,2").points).to_be(0)
  end)
  T.it("multi gives partial credit: (right - wrong) / number right", function()
    T.expect(grade("m", "1,2,3").points).to_be(3)
    T.expect(grade("m", "1,2").points).to_be_near(2, 1e-12)
    T.expect(grade("m", "1,2,4").points).to_be_near(1, 1e-12)
    T.expect(grade("m", "1,4").points).to_be(0)
    T.expect(grade("m", "1,2,3,4").points).to_be_near(2, 1e-12)
    T.expect(grade("m", "").points).to_be(0)
  end)
  T.it("numeric with relative and absolute tolerance, units stripped", function()
    T.expect(grade("n", "104 tokens").points).to_be(1)
    T.expect(grade("n", "106").points).to_be(0)
    T.expect(grade("a", "0.509").points).to_be(1)
    T.expect(grade("a", "0.52").points).to_be(0)
    T.expect(grade("a", "half").feedback).to_match("not a number")
  end)
  T.it("text by normalised answer or pattern", function()
    T.expect(grade("t", "byte-pair encoding").points).to_be(0)
    T.expect(grade("t", "  BYTE PAIR ENCODING! ").points).to_be(1)
    T.expect(grade("t", "BPE").points).to_be(1)
    T.expect(grade("t", "wordpiece").points).to_be(0)
  end)
  T.it("code: all tests pass", function()
    local r = grade("k", "function double(x) return x + x end")
    T.expect(r.points).to_be(4)
  end)
  T.it("code: partial credit per test, hidden tests named only by number", function()
    local r = grade("k", "function double(x) if x < 0 then return 0 end return 2 * x end")
    T.expect(r.points).to_be(3)
    T.expect(r.feedback).to_match("hidden test 1: failed")
    T.expect(r.feedback:find("secret", 1, true)).to_be(nil)
    T.expect(r.feedback:find("-21", 1, true)).to_be(nil)
    T.expect(r.feedback).to_match("test 'two': passed")
  end)
  T.it("code: visible test failures show the inputs", function()
    local r = grade("k", "function double(x) return 2 * x + 1 end")
    T.expect(r.points).to_be(0)
    T.expect(r.feedback).to_match("double%(2%) returned 5, expected 4")
  end)
  T.it("code: a looping answer fails only the test that loops", function()
    local r = grade("k", "function double(x) if x == 0 then while true do end end return 2 * x end")
    T.expect(r.points).to_be(3)
    T.expect(r.feedback).to_match("time limit of 0%.5 s exceeded in test 'zero'")
  end)
  T.it("code: an answer that loops while loading fails every test at once", function()
    local r = grade("k", "while true do end")
    T.expect(r.points).to_be(0)
    T.expect(r.feedback).to_match("every test failed: time limit")
  end)
  T.it("code: malicious answers get no io and no os.execute", function()
    local r = grade("k", "os.execute('touch " .. tmp .. "/pwned') function double(x) return 2 * x end")
    T.expect(r.points).to_be(0)
    r = grade("k", "function double(x) io.open('" .. tmp .. "/pwned', 'w') return 2 * x end")
    T.expect(r.points).to_be(0)
    T.expect(io.open(tmp .. "/pwned")).to_be(nil)
  end)
  T.it("code: an answer gets pure Lua, not the engine or require", function()
    local r = grade("k", "local f = llm.version function double(x) return 2 * x end")
    T.expect(r.feedback).to_match("attempt to index a nil value %(global 'llm'%)")
    r = grade("k", "local d = require 'llm.data' function double(x) return 2 * x end")
    T.expect(r.points).to_be(0)
  end)
  T.it("code: an answer cannot fake equality through metamethods", function()
    local r = grade("k", "local t = setmetatable({}, {__eq = function() return true end}) function double(x) return t end")
    T.expect(r.points).to_be(0)
  end)
  T.it("unanswered questions score 0", function()
    local points, max, results = quiz.grade(Q, QSRC, qpath, { c = "2" })
    T.expect(points).to_be(1)
    T.expect(max).to_be(11)
    T.expect(results[2].feedback).to_be("not answered")
    T.expect(quiz.passed(Q, 6.6, 11)).to_be(true)
    T.expect(quiz.passed(Q, 6.5, 11)).to_be(false)
  end)
end)

T.describe("quiz submissions", function()
  T.it("reads a good submission", function()
    local p = write("ok.lua", 'return {student = "ann", week = 7, answers = {c = "2", n = 100}}')
    local s = quiz.read_submission(p)
    T.expect(s).to_equal({ ok = true, student = "ann", week = 7, answers = { c = "2", n = "100" } })
  end)
  T.it("reports broken and malicious submissions", function()
    T.expect(quiz.read_submission(write("b1.lua", "return {{")).message).to_match("b1%.lua:1:")
    T.expect(quiz.read_submission(write("b2.lua", "while true do end")).message).to_match("time limit")
    T.expect(quiz.read_submission(write("b3.lua", "local s = 'x' while true do s = s .. s end")).message)
      .to_match("memory limit")
    T.expect(quiz.read_submission(write("b4.lua", "return io.open('/etc/passwd')")).message).to_match("io")
    T.expect(quiz.read_submission(write("b5.lua", "return 5")).message).to_match("must return a table")
    T.expect(quiz.read_submission(tmp .. "/missing.lua").message).to_match("cannot open")
  end)
  T.it("quotes CSV fields and defuses spreadsheet formulas", function()
    T.expect(quiz.csv('a,"b"')).to_be('"a,""b"""')
    T.expect(quiz.csv("=HYPERLINK(1)")).to_be("'=HYPERLINK(1)")
    T.expect(quiz.csv("-0.5")).to_be("-0.5")
    T.expect(quiz.csv("plain")).to_be("plain")
  end)
  T.it("round-trips the exported answers", function()
    local text = quiz.submission_text("zoë", 7, Q, { c = "2", k = "function double(x)\n  return 2 * x\nend" })
    local p = write("rt.lua", text)
    local s = quiz.read_submission(p)
    T.expect(s.student).to_be("zoë")
    T.expect(s.answers.k).to_be("function double(x)\n  return 2 * x\nend")
  end)
end)

T.describe("quiz lint", function()
  T.it("accepts the course quizzes of weeks 1 to 4", function()
    for w = 1, 4 do
      local p = string.format("%s/quizzes/week%02d.lua", quiz.home(), w)
      T.expect(quiz.lint(p)).to_equal({})
      local q = quiz.load(p)
      T.expect(#q.questions >= 8).to_be(true)
      local kinds = {}
      for _, qq in ipairs(q.questions) do
        kinds[qq.kind] = true
        T.expect(type(qq.explain)).to_be("string")
      end
      T.expect(kinds).to_equal({ choice = true, multi = true, numeric = true, text = true, code = true })
    end
  end)
  T.it("gives line numbers for format errors", function()
    local p = write("week08.lua", [[
return {
  week = 8,
  title = "bad",
  questions = {
    { id = "q1", kind = "choice", points = 1, prompt = "p", explain = "e",
      choices = { "a", "b" }, answer = 3 },
    { id = "q1", kind = "essay", points = 1, prompt = "p", explain = "e" },
    {
      id = "q3", kind = "text", points = 0, prompt = "p",
      explain = "e",
      patterns = { "[unclosed" },
    },
  },
}
]])
    local errs = quiz.lint(p)
    local all = table.concat(errs, "\n")
    T.expect(all).to_match("week08%.lua:6: questions%[1%]%.answer: `answer` must be the index")
    T.expect(all).to_match("week08%.lua:7: questions%[2%]%.id: id `q1` is used twice")
    T.expect(all).to_match("week08%.lua:7: questions%[2%]%.kind: `kind` must be one of")
    T.expect(all).to_match("week08%.lua:9: questions%[3%]%.points")
    T.expect(all).to_match("week08%.lua:11: questions%[3%]%.patterns%[1%]: not a valid Lua pattern")
  end)
  T.it("names unknown fields of the quiz, its questions and their tests", function()
    local p = write("week11.lua", [[
return {
  week = 11, title = "typos", passs = 0.5,
  questions = {
    { id = "q1", kind = "choice", points = 1, prompt = "p", explain = "e", choices = { "a", "b" }, answer = 1,
      hint = "h" },
    { id = "k", kind = "code", points = 1, prompt = "p", explain = "e", entry = "f",
      solution = "function f(x) return x end",
      tests = { { name = "id", args = { 1 }, expect = 1, expected = 1 } } },
  },
}
]])
    local all = table.concat(quiz.lint(p), "\n")
    T.expect(all).to_match("week11%.lua:2: passs: unknown quiz field `passs`")
    T.expect(all).to_match("week11%.lua:5: questions%[1%]%.hint: unknown question field `hint`")
    T.expect(all).to_match("week11%.lua:8: questions%[2%]%.tests%[1%]%.expected: unknown test field `expected`")
  end)
  T.it("reports syntax errors with their line", function()
    local p = write("week09.lua", "return {\n  week = 9,\n  title = 'x'\n  questions = {}\n}\n")
    local errs = quiz.lint(p)
    T.expect(errs[1]).to_match("week09%.lua:4:")
  end)
  T.it("checks code questions against their solution and template", function()
    local p = write("week10.lua", [[
return {
  week = 10, title = "code",
  questions = {
    { id = "k", kind = "code", points = 1, prompt = "p", explain = "e", entry = "f", time = 0.5,
      solution = "function f(x) return x end",
      template = "function f(x) return x end",
      tests = { { name = "id", args = { 1 }, expect = 2 } } },
    { id = "k2", kind = "code", points = 1, prompt = "p", explain = "e", entry = "f", time = 0.5,
      solution = "function f(x) return x end",
      template = "function f(x) return x end",
      tests = { { name = "id", args = { 1 }, expect = 1 } } },
  },
}
]])
    local all = table.concat(quiz.lint(p), "\n")
    T.expect(all).to_match("week10%.lua:5: questions%[1%]%.solution: the reference solution fails its tests")
    T.expect(all).to_match("week10%.lua:10: questions%[2%]%.template: the template already passes every test")
  end)
end)
