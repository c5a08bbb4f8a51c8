-- llmlab runs: the tracked training runs (llm.runs) in the database: list
-- them, show one (params, final metrics, manifest, artifacts), compare
-- several side by side, print one's metrics as CSV.
local store = require "llm.store"
local C = require "llm.store_c"

local USAGE = [[
usage: llmlab runs [list]               every run: id, name, lab, status, steps, last metrics
       llmlab runs show ID              params, final metrics, manifest, artifacts
       llmlab runs compare ID ID...     params and final metrics side by side
       llmlab runs metrics ID [KEY]     the metrics as CSV (step,key,value)
Options anywhere: --db PATH (the database; also LLMLAB_DB).
]]

local usage_error, fail = require("llm.cli.args").reporters("runs")

local function num(x)
  if x == nil then return "nan" end
  if math.type(x) == "integer" then return tostring(x) end
  if x == math.floor(x) and math.abs(x) < 1e15 then return string.format("%d", x) end
  return string.format("%.6g", x)
end

local function width(s) return utf8.len(s) or #s end

-- Print rows (arrays of strings) as aligned columns.
local function table_print(rows)
  local w = {}
  for _, r in ipairs(rows) do
    for i, c in ipairs(r) do w[i] = math.max(w[i] or 0, width(c)) end
  end
  for _, r in ipairs(rows) do
    local parts = {}
    for i, c in ipairs(r) do
      parts[i] = i == #r and c or c .. string.rep(" ", w[i] - width(c))
    end
    print(table.concat(parts, "  "))
  end
end

-- A run still marked running whose process is gone (killed) on this host.
local function status_of(r)
  if r.status == "running" and r.host == C.hostname() and not C.pid_alive(r.pid or 0) then return "died" end
  return r.status
end

local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks)
  return ks
end

local function parse_id(s)
  local n = tonumber(s)
  if not n or math.type(n) ~= "integer" or n < 1 then return nil end
  return n
end

local function list(db)
  local runs = db:runs()
  if #runs == 0 then
    print("no runs yet (a training script records one with llm.runs.start{name = ..., params = {...}})")
    return 0
  end
  local rows = { { "ID", "NAME", "LAB", "STATUS", "STEPS", "STARTED", "LAST METRICS" } }
  for _, r in ipairs(runs) do
    local fm = db:run_final_metrics(r.id)
    local parts = {}
    for _, k in ipairs(sorted_keys(fm)) do parts[#parts + 1] = k .. "=" .. num(fm[k].value) end
    rows[#rows + 1] = { tostring(r.id), r.name, r.lab or "-", status_of(r), tostring(r.steps),
                        (r.started_at or ""):gsub("%.%d+Z$", "Z"), table.concat(parts, " ") }
  end
  table_print(rows)
  return 0
end

local function show(db, id)
  local r = db:run(id)
  if not r then return fail("there is no run " .. id) end
  print(string.format("run %d: %s", r.id, r.name))
  print(string.format("  status    %s", status_of(r)))
  if r.lab then print(string.format("  lab       %s", r.lab)) end
  print(string.format("  started   %s", r.started_at))
  if r.finished_at then print(string.format("  finished  %s", r.finished_at)) end
  print(string.format("  steps     %d", r.steps))
  local params = db:run_params(id)
  print("params")
  local rows = {}
  for _, k in ipairs(sorted_keys(params)) do rows[#rows + 1] = { "  " .. k, params[k] or "" } end
  if #rows == 0 then print("  (none)") else table_print(rows) end
  print("final metrics")
  local fm = db:run_final_metrics(id)
  rows = { { "  KEY", "LAST", "AT STEP", "MIN", "MAX", "COUNT" } }
  for _, k in ipairs(sorted_keys(fm)) do
    local m = fm[k]
    rows[#rows + 1] = { "  " .. k, num(m.value), tostring(m.step), num(m.min), num(m.max), tostring(m.count) }
  end
  if #rows == 1 then print("  (none)") else table_print(rows) end
  print("manifest")
  local man = db:run_manifest(id)
  rows = {}
  for _, k in ipairs(sorted_keys(man)) do rows[#rows + 1] = { "  " .. k, man[k] or "" } end
  if #rows == 0 then print("  (none)") else table_print(rows) end
  local arts = db:run_artifacts(id)
  print("artifacts")
  if #arts == 0 then print("  (none)") end
  for _, a in ipairs(arts) do
    print(string.format("  %s  %s bytes  sha256 %s", a.path, tostring(a.bytes), a.sha256 or "?"))
  end
  return 0
end

local function compare(db, ids)
  local runs, params, metrics = {}, {}, {}
  local pkeys, mkeys = {}, {}
  for i, id in ipairs(ids) do
    local r = db:run(id)
    if not r then return fail("there is no run " .. id) end
    runs[i] = r
    params[i] = db:run_params(id)
    metrics[i] = db:run_final_metrics(id)
    for k in pairs(params[i]) do pkeys[k] = true end
    for k in pairs(metrics[i]) do mkeys[k] = true end
  end
  local header = { "" }
  for i, r in ipairs(runs) do header[i + 1] = "run " .. r.id end
  local rows = { header }
  local function add(label, f)
    local row = { label }
    for i = 1, #runs do row[i + 1] = f(i) end
    rows[#rows + 1] = row
  end
  add("name", function(i) return runs[i].name end)
  add("status", function(i) return status_of(runs[i]) end)
  add("steps", function(i) return tostring(runs[i].steps) end)
  for _, k in ipairs(sorted_keys(pkeys)) do
    add("param " .. k, function(i) return params[i][k] or "-" end)
  end
  for _, k in ipairs(sorted_keys(mkeys)) do
    add("final " .. k, function(i) local m = metrics[i][k]; return m and num(m.value) or "-" end)
    add("min " .. k, function(i) local m = metrics[i][k]; return m and num(m.min) or "-" end)
  end
  table_print(rows)
  return 0
end

local function metrics_csv(db, id, key)
  if not db:run(id) then return fail("there is no run " .. id) end
  print("step,key,value")
  for _, m in ipairs(db:run_metrics(id, key)) do
    print(string.format("%d,%s,%s", m.step, m.key, m.value == nil and "nan" or string.format("%.17g", m.value)))
  end
  return 0
end

return function(args)
  local sub = args[1] or "list"
  if sub == "--help" or sub == "-h" or sub == "help" then
    io.write(USAGE)
    return 0
  end
  local ids = {}
  if sub == "show" or sub == "compare" or sub == "metrics" then
    local last = sub == "compare" and #args or 2
    if sub == "show" and #args ~= 2 then return usage_error("show needs exactly one run id") end
    if sub == "compare" and #args < 3 then return usage_error("compare needs two run ids or more") end
    if sub == "metrics" and (#args < 2 or #args > 3) then return usage_error("metrics needs a run id and maybe a key") end
    for i = 2, last do
      ids[#ids + 1] = parse_id(args[i])
      if not ids[#ids] then return usage_error("'" .. tostring(args[i]) .. "' is not a run id") end
    end
  elseif sub ~= "list" then
    return usage_error("unknown subcommand '" .. sub .. "'")
  elseif #args > 1 then
    return usage_error("list takes no arguments")
  end
  local ok, db = pcall(store.open)
  if not ok then return fail(tostring(db)) end
  local rc
  if sub == "list" then rc = list(db)
  elseif sub == "show" then rc = show(db, ids[1])
  elseif sub == "compare" then rc = compare(db, ids)
  else rc = metrics_csv(db, ids[1], args[3]) end
  db:close()
  return rc
end
