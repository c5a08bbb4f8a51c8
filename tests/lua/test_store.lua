-- llm.store and llm.runs from Lua: the API the lab and quiz runners use,
-- transactions, items ticked by passed labs and quizzes, runs with batched
-- metrics, manifests and artifacts. Each test uses its own database file.
local T = require "llm.test"
local store = require "llm.store"
local runs = require "llm.runs"
local expect = T.expect

local paths = {}
local function fresh()
  local p = os.tmpname()
  os.remove(p)
  p = p .. "-llmlab.db"
  paths[#paths + 1] = p
  return store.open(p), p
end

T.describe("store basics", function()
  T.it("opens at the current schema and finds the default path", function()
    local db, p = fresh()
    expect(db:path()).to_be(p)
    expect(db:schema_version()).to_be(store.schema_version)
    expect(store.schema_version >= 3).to_be(true)
    store.set_default_path("/some/where.db")
    expect(store.default_path()).to_be("/some/where.db")
    store.set_default_path(nil)
    local env = os.getenv("LLMLAB_DB")
    local want = env and env ~= "" and env or ((os.getenv("XDG_DATA_HOME") or (os.getenv("HOME") .. "/.local/share"))
      .. "/llmlab/llmlab.db")
    expect(store.default_path()).to_be(want)
    db:close()
    expect(function() db:is_checked("x") end).to_error("the database is closed")
    expect(function() store.open(42) end).to_error("path must be a string")
  end)

  T.it("ticks and unticks items", function()
    local db <close> = fresh()
    expect(db:is_checked("w03.t04")).to_be(false)
    db:check("w03.t04", true)
    db:check("w03.lab05")          -- done defaults to true
    db:check("w01.t01", false)
    expect(db:checked()).to_equal({ ["w03.t04"] = true, ["w03.lab05"] = true })
    db:uncheck("w03.t04")
    expect(db:checked()).to_equal({ ["w03.lab05"] = true })
    expect(#db:checklist()).to_be(3)
    expect(function() db:check(nil) end).to_error("item id must be a string")
  end)

  T.it("runs a transaction all or nothing, nested ones too", function()
    local db <close> = fresh()
    local a, b = db:transaction(function(d)
      d:check("a")
      return 1, 2
    end)
    expect({ a, b }).to_equal({ 1, 2 })
    expect(function()
      db:transaction(function() db:check("b"); error("boom in the middle") end)
    end).to_error("boom in the middle")
    expect(db:is_checked("b")).to_be(false)
    db:transaction(function()
      db:check("c")
      pcall(db.transaction, db, function() db:check("d"); error("inner") end)
    end)
    expect(db:checked()).to_equal({ a = true, c = true })
    expect(db:handle():tx_depth()).to_be(0)
  end)

  T.it("keeps settings and the last lab", function()
    local db <close> = fresh()
    expect(db:last_lab()).to_be(nil)
    db:set_last_lab("w03.lab05")
    expect(db:last_lab()).to_be("w03.lab05")
    db:set_setting("theme", "dark")
    expect(db:setting("theme")).to_be("dark")
  end)
end)

T.describe("store labs", function()
  T.it("records attempts and steps, and a passed lab ticks its item", function()
    local db <close> = fresh()
    local a = db:lab_attempt_start("w03.lab05", { mode = "student", lab_hash = "abc" })
    db:lab_step_result(a, 1, { title = "Split", status = "ok", points = 2, max = 2, message = "good", output = "x y" })
    db:lab_step_result(a, 2, { title = "BPE", status = "timeout", points = 0, max = 3, message = "time limit of 2 s exceeded in step 2" })
    expect(function() db:lab_step_result(a, 3, { status = "exploded" }) end).to_error("status 'exploded' is not one of")
    db:lab_attempt_finish(a, { points = 2, max = 5, passed = false })
    expect(db:is_checked("w03.lab05")).to_be(false)
    expect(db:lab_best("w03.lab05")).to_equal({ points = 2, max = 5, passed = false, attempt = a })
    local steps = db:lab_steps(a)
    expect(#steps).to_be(2)
    expect(steps[2].status).to_be("timeout")
    expect(steps[1].output).to_be("x y")

    local s = db:lab_attempt_start("w03.lab05", { mode = "solution" })
    db:lab_attempt_finish(s, { points = 5, max = 5, passed = true })
    expect(db:is_checked("w03.lab05")).to_be(false)   -- the reference solution passing is not the student's work
    expect(db:lab_best("w03.lab05").points).to_be(2)

    local b = db:lab_attempt_start("w03.lab05")
    db:lab_attempt_finish(b, { points = 5, max = 5, passed = true })
    expect(db:is_checked("w03.lab05")).to_be(true)
    expect(db:lab_best("w03.lab05")).to_equal({ points = 5, max = 5, passed = true, attempt = b })
    expect(db:lab_attempt(b).passed).to_be(true)
    expect(db:lab_attempt(b).mode).to_be("student")
    expect(function() db:lab_attempt_finish(b, { points = 1, max = 5 }) end).to_error("already finished")

    -- a lab id that is not a course item is stored but ticks nothing
    local c = db:lab_attempt_start("scratch-lab")
    db:lab_attempt_finish(c, { points = 1, max = 1, passed = true })
    expect(db:is_checked("scratch-lab")).to_be(false)
    expect(db:lab_best("nope")).to_be(nil)
    local hist = db:lab_attempts("w03.lab05")
    expect(#hist).to_be(3)
    expect({ hist[1].id, hist[1].passed, hist[3].id, hist[3].passed }).to_equal({ b, true, a, false })
  end)

  T.it("remembers the hint level per exercise", function()
    local db <close> = fresh()
    expect(db:lab_hint_level("w03.lab05", "merge")).to_be(0)
    db:lab_hint_used("w03.lab05", "merge", 1)
    db:lab_hint_used("w03.lab05", "merge", 2)
    expect(db:lab_hint_level("w03.lab05", "merge")).to_be(2)
    expect(db:lab_hint_level("w03.lab05", "split")).to_be(0)
    expect(function() db:lab_hint_used("w03.lab05", "merge", 0) end).to_error("hint level")
  end)
end)

T.describe("store queries by id", function()
  T.it("give nil or no rows for an id that is not there, and check the id", function()
    local db <close> = fresh()
    local a = db:lab_attempt_start("w01.lab01", { mode = "student" })
    db:lab_step_result(a, 1, { title = "one", status = "ok", points = 1, max = 1 })
    local q = db:quiz_attempt_start(2, "ann", 5)
    db:quiz_answer(q, "q1", "a")
    expect(db:lab_attempt(a).id).to_be(a)
    expect(#db:lab_steps(a)).to_be(1)
    expect(db:quiz_attempt(q).id).to_be(q)
    expect(db:quiz_answers(q)).to_equal({ q1 = "a" })
    local none = math.max(a, q) + 1000
    expect(db:lab_attempt(none)).to_be(nil)
    expect(db:quiz_attempt(none)).to_be(nil)
    expect(db:run(none)).to_be(nil)
    expect(db:lab_steps(none)).to_equal({})
    expect(db:quiz_answers(none)).to_equal({})
    expect(db:quiz_results(none)).to_equal({})
    expect(db:run_params(none)).to_equal({})
    expect(function() db.h:lab_attempt("x") end).to_error("bad argument #1 to 'lab_attempt' (number expected, got string)")
    expect(function() db.h:quiz_results({}) end).to_error("bad argument #1 to 'quiz_results'")
    expect(function() db.h:run(1.5) end).to_error("bad argument #1 to 'run' (number has no integer representation)")
  end)
end)

T.describe("store quizzes", function()
  T.it("saves answers as it goes and resumes the open attempt", function()
    local db <close> = fresh()
    expect(db:quiz_attempt_open(3, "ann")).to_be(nil)
    local q = db:quiz_attempt_start(3, "ann", 77)
    expect(db:quiz_attempt_open(3, "ann")).to_be(q)
    expect(db:quiz_attempt(q).seed).to_be(77)
    db:quiz_answer(q, "q1", "b")
    db:quiz_answer(q, "q2", 0.5)
    db:quiz_answer(q, "q1", "c")
    expect(db:quiz_answers(q)).to_equal({ q1 = "c", q2 = "0.5" })
  end)

  T.it("finishes in one go; a pass ticks the week's topics", function()
    local db <close> = fresh()
    local q = db:quiz_attempt_start(1, "ann", 1)
    db:quiz_attempt_finish(q, { points = 3, max = 10, results = {
      { question = "q1", points = 3, max = 5, feedback = "partly" }, { question = "q2", points = 0, max = 5 } } })
    expect(db:checked()).to_equal({})
    expect(db:quiz_attempt(q).passed).to_be(false)
    local r = db:quiz_results(q)
    expect(#r).to_be(2)
    expect(r[1].feedback).to_be("partly")
    local q2 = db:quiz_attempt_start(1, "ann", 2)
    db:quiz_attempt_finish(q2, { points = 8, max = 10, results = { { question = "q1", points = 8, max = 10 } } })
    expect(db:checked()).to_equal({ ["w01.t01"] = true, ["w01.t02"] = true, ["w01.t03"] = true, ["w01.t04"] = true })
    expect(db:quiz_best(1, "ann")).to_equal({ points = 8, max = 10, passed = true, attempt = q2 })
    expect(db:quiz_best(1, "bob")).to_be(nil)
    local hist = db:quiz_attempts(1, "ann")
    expect({ #hist, hist[1].id, hist[1].passed, hist[2].passed }).to_equal({ 2, q2, true, false })
    expect(db:quiz_attempt_open(1, "ann")).to_be(nil)
    expect(function() db:quiz_answer(q2, "q1", "a") end).to_error("already finished")
    -- explicit ticks and an explicit pass
    local q3 = db:quiz_attempt_start(2, "ann", 3)
    db:quiz_attempt_finish(q3, { points = 1, max = 10, passed = true, ticks = { "w02.t01" } })
    expect(db:is_checked("w02.t01")).to_be(true)
    expect(db:is_checked("w02.t02")).to_be(false)
  end)

  T.it("a failed finish leaves the attempt open and unscored", function()
    local db <close> = fresh()
    local q = db:quiz_attempt_start(1, "ann", 1)
    expect(function()
      db:quiz_attempt_finish(q, { points = 1, max = 1, results = { { question = "q1" }, { points = 1 } } })
    end).to_error("result 2 has no question")
    expect(db:quiz_attempt_open(1, "ann")).to_be(q)
    expect(#db:quiz_results(q)).to_be(0)
  end)

  T.it("keeps a gradebook per batch", function()
    local db <close> = fresh()
    db:gradebook_add("w03", "bob", "q1", 1, 2, "half")
    db:gradebook_add("w03", "ann", "q1", 2, 2, "right")
    db:gradebook_add("w03", "ann", "q2", 0, 1, nil)
    db:gradebook_add("w04", "ann", "q1", 1, 1, "")
    local rows = db:gradebook("w03")
    expect(#rows).to_be(3)
    expect({ rows[1].student, rows[1].question, rows[1].points }).to_equal({ "ann", "q1", 2 })
    expect(rows[3].feedback).to_be("half")
    expect(rows[2].feedback).to_be(nil)
  end)
end)

T.describe("runs", function()
  T.it("records params, manifest and metrics in batches", function()
    local db <close> = fresh()
    llm.seed(1234)
    local run = runs.start { name = "bigram", params = { lr = 0.1, steps = 3, tied = true, opt = "adamw" },
                             lab = "w04.lab09", db = db, flush_rows = 1000, flush_seconds = 1e9,
                             inputs = { llm.home .. "/tests/e2e/data/course-checklist.md" } }
    expect(db:run_params(run.id)).to_equal({ lr = "0.1", steps = "3", tied = "true", opt = "adamw" })
    local m = db:run_manifest(run.id)
    expect(m.seed).to_be("1234")
    expect(m.llmlab_version).to_be(llm.version)
    expect(m.threads).to_be(tostring(llm.threads()))
    expect(m.blas).to_be(llm.info().blas)
    local hash = store.sha256_file(llm.home .. "/tests/e2e/data/course-checklist.md")
    local found = false
    for k, v in pairs(m) do
      if k:match("^input:.*course%-checklist%.md$") then found = v == hash end
    end
    expect(found).to_be(true)
    for step = 1, 1250 do run:log(step, { loss = 10 / step, acc = step / 1250 }) end
    -- 2500 rows logged: two full batches of 1000 are in the database, 500 wait
    expect(#db:run_metrics(run.id)).to_be(2000)
    expect(db:run(run.id).status).to_be("running")
    run:finish()
    expect(#db:run_metrics(run.id)).to_be(2500)
    local fm = db:run_final_metrics(run.id)
    expect(fm.loss.step).to_be(1250)
    expect(fm.loss.value).to_be_near(10 / 1250, 1e-12)
    expect(fm.loss.max).to_be_near(10, 1e-12)
    expect(fm.acc.count).to_be(1250)
    local r = db:run(run.id)
    expect({ r.status, r.lab, r.steps, r.name }).to_equal({ "finished", "w04.lab09", 1250, "bigram" })
    expect(function() run:log(1, { loss = 1 }) end).to_error("is finished")
  end)

  T.it("checks what it is given", function()
    local db <close> = fresh()
    expect(function() runs.start { params = {} } end).to_error("name must be a non-empty string")
    expect(function() runs.start { name = "x", params = { f = print }, db = db } end).to_error("param 'f'")
    expect(function() runs.start { name = "x", db = db, inputs = { "/no/such/input" } } end).to_error("input 1")
    local run = runs.start { name = "x", db = db }
    expect(function() run:log(-1, { loss = 1 }) end).to_error("non-negative integer")
    expect(function() run:log(1.5, { loss = 1 }) end).to_error("non-negative integer")
    expect(function() run:log(1, { loss = "low" }) end).to_error("metric 'loss' must be a number")
    expect(function() run:artifact("/no/such/file") end).to_error("cannot open")
    run:log(1, { loss = 0 / 0 })   -- NaN is kept as a missing value
    run:finish("failed")
    expect(db:run(run.id).status).to_be("failed")
    expect(db:run_metrics(run.id)[1].value).to_be(nil)
  end)

  T.it("hashes artifacts", function()
    local db <close> = fresh()
    local p = os.tmpname()
    local f = assert(io.open(p, "wb")); f:write("abc"); f:close()
    local run = runs.start { name = "x", db = db }
    run:artifact(p)
    run:finish()
    local a = db:run_artifacts(run.id)
    os.remove(p)
    expect(#a).to_be(1)
    expect(a[1].sha256).to_be("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    expect(a[1].bytes).to_be(3)
  end)

  T.it("marks a dropped run incomplete and a failed <close> block failed", function()
    local db <close> = fresh()
    local id
    do
      local run = runs.start { name = "dropped", db = db, flush_seconds = 1e9 }
      run:log(1, { loss = 1 })
      id = run.id
    end
    collectgarbage(); collectgarbage()
    expect(db:run(id).status).to_be("incomplete")
    expect(#db:run_metrics(id)).to_be(1)
    local id2
    pcall(function()
      local run <close> = runs.start { name = "raises", db = db }
      id2 = run.id
      error("training diverged")
    end)
    expect(db:run(id2).status).to_be("failed")
    local lst = db:runs()
    expect(#lst).to_be(2)
  end)
end)

for _, p in ipairs(paths) do
  os.remove(p); os.remove(p .. "-wal"); os.remove(p .. "-shm")
end
