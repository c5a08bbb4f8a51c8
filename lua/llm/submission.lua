-- llm.submission: the sandbox driver that reads one submitted answer file
-- (runs INSIDE a sandbox state; see lua/llm/quiz.lua). A submission is a
-- Lua chunk returning {student = "...", week = N, answers = {qid = "answer", ...}};
-- it is untrusted, so it is evaluated here with an empty environment and
-- only plain strings come back.
-- args: {src = text, name = chunkname} -> {ok = true, student=, week=, answers={}} | {ok = false, message=}
return function(a)
  local fn, err = load(a.src, a.name, "t", {})
  if not fn then return { ok = false, message = err } end
  local ok, sub = pcall(fn)
  if not ok then
    return { ok = false, message = type(sub) == "string" and sub or "the submission raised an error" }
  end
  if type(sub) ~= "table" then return { ok = false, message = "the submission must return a table" } end
  local answers = rawget(sub, "answers")
  if type(answers) ~= "table" then return { ok = false, message = "the submission has no `answers` table" } end
  local out = {}
  for k, v in next, answers do
    if type(k) == "string" and (type(v) == "string" or type(v) == "number") then
      out[k] = tostring(v):sub(1, 20000)
    end
  end
  local student = rawget(sub, "student")
  local week = rawget(sub, "week")
  return { ok = true, answers = out,
    student = type(student) == "string" and student:sub(1, 100) or nil,
    week = math.type(week) == "integer" and week or nil }
end
