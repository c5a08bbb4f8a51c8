-- llm.test: a small test framework for llmlab's Lua tests and for labs.
--
--   local T = require "llm.test"
--   T.describe("tokenizer", function()
--     T.it("splits words", function()
--       T.expect(split("a b")).to_equal({"a", "b"})
--       T.expect(0.1 + 0.2).to_be_near(0.3, 1e-12)
--       T.expect(function() error("boom") end).to_error("boom")
--     end)
--   end)
--   T.run_file(path) / T.summary()   (used by tests/lua/run.lua)
--
-- A failure names the test, the file:line of the failing expectation and
-- both values.
local M = {}

local results = { passed = 0, failed = 0, failures = {} }
local stack = {}

-- Deep equality for tables (same keys, equal values); numbers compare with ==.
local function deep_equal(a, b, seen)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  seen = seen or {}
  if seen[a] == b then return true end
  seen[a] = b
  for k, v in pairs(a) do
    if not deep_equal(v, b[k], seen) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end
M.deep_equal = deep_equal

-- A readable one-line rendering of a value (tables sorted by key, nested, capped).
local function show(v, depth)
  depth = depth or 0
  local t = type(v)
  if t == "string" then return string.format("%q", v) end
  if t ~= "table" or depth > 3 then return tostring(v) end
  local mt = getmetatable(v)
  if mt and mt.__tostring then return tostring(v) end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(x, y)
    if type(x) == type(y) and (type(x) == "number" or type(x) == "string") then return x < y end
    return type(x) < type(y)
  end)
  local parts, n = {}, #v
  for i, k in ipairs(keys) do
    if i > 20 then parts[#parts + 1] = "..."; break end
    if math.type(k) == "integer" and k >= 1 and k <= n then
      parts[#parts + 1] = show(v[k], depth + 1)
    else
      parts[#parts + 1] = tostring(k) .. "=" .. show(v[k], depth + 1)
    end
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end
M.show = show

-- Raised by a failing expectation: carries where it failed.
local Failure = {}
Failure.__index = Failure
Failure.__tostring = function(f) return f.where .. ": " .. f.message end

local function fail(message)
  local info = debug.getinfo(3, "Sl")
  local where = info and (info.short_src .. ":" .. (info.currentline or 0)) or "?"
  error(setmetatable({ where = where, message = message }, Failure), 0)
end

local function near(a, b, tol)
  if type(a) == "number" and type(b) == "number" then
    if a ~= a or b ~= b then return false end
    if a == b then return true end
    return math.abs(a - b) <= tol
  end
  if type(a) == "table" and type(b) == "table" then
    if #a ~= #b then return false end
    for i = 1, #a do
      if not near(a[i], b[i], tol) then return false end
    end
    return true
  end
  return false
end

function M.expect(actual)
  local e = {}
  function e.to_equal(expected)
    if not deep_equal(actual, expected) then
      fail("expected " .. show(expected) .. ", got " .. show(actual))
    end
  end
  function e.to_be(expected)
    if actual ~= expected then
      fail("expected " .. show(expected) .. ", got " .. show(actual))
    end
  end
  function e.to_be_near(expected, tol)
    tol = tol or 1e-9
    if not near(actual, expected, tol) then
      fail(string.format("expected %s within %g, got %s", show(expected), tol, show(actual)))
    end
  end
  function e.to_be_truthy()
    if not actual then fail("expected a true value, got " .. show(actual)) end
  end
  function e.to_be_falsy()
    if actual then fail("expected a false value, got " .. show(actual)) end
  end
  function e.to_match(pattern)
    if type(actual) ~= "string" or not actual:find(pattern) then
      fail("expected a string matching " .. show(pattern) .. ", got " .. show(actual))
    end
  end
  function e.to_error(pattern)
    if type(actual) ~= "function" then fail("to_error needs a function, got " .. type(actual)) end
    local ok, err = pcall(actual)
    if ok then fail("expected an error" .. (pattern and (" matching " .. show(pattern)) or "") .. ", got none") end
    local msg = tostring(err)
    if pattern and not msg:find(pattern, 1, true) and not msg:find(pattern) then
      fail("expected an error matching " .. show(pattern) .. ", got " .. show(msg))
    end
  end
  return e
end

-- Fail the current test with a message (for checks that are not one comparison).
function M.fail(message) fail(message) end

function M.describe(name, body)
  stack[#stack + 1] = name
  body()
  stack[#stack] = nil
end

function M.it(name, body)
  local full = table.concat(stack, " > ")
  full = (full ~= "" and full .. " > " or "") .. name
  local ok, err = xpcall(body, function(e)
    if getmetatable(e) == Failure then return e end
    return debug.traceback(tostring(e), 2)
  end)
  if ok then
    results.passed = results.passed + 1
  else
    results.failed = results.failed + 1
    results.failures[#results.failures + 1] = full .. "\n    " .. tostring(err):gsub("\n", "\n    ")
  end
end

function M.results() return results end

function M.reset() results = { passed = 0, failed = 0, failures = {} } end

-- Run one test file in a fresh environment that sees the globals.
function M.run_file(path)
  local chunk, err = loadfile(path, "t")
  if not chunk then
    results.failed = results.failed + 1
    results.failures[#results.failures + 1] = path .. ": cannot load: " .. tostring(err)
    return
  end
  local ok, e = xpcall(chunk, debug.traceback)
  if not ok then
    results.failed = results.failed + 1
    results.failures[#results.failures + 1] = path .. ": error outside a test: " .. tostring(e)
  end
end

-- Print failures and the machine-readable result line the harness reads.
function M.summary(out)
  out = out or io.stdout
  for _, f in ipairs(results.failures) do out:write("FAIL ", f, "\n") end
  out:write(string.format("RESULT passed=%d failed=%d\n", results.passed, results.failed))
  return results.failed == 0
end

return M
