-- llm.check: helpers for lab checks and quiz code tests. A check returns
-- {points = p, max = m, message = "..."} (DESIGN.md); these build that from
-- comparisons. Comparisons use raw access only, so a value from student
-- code cannot fake equality through metamethods.
--
--   local check = require "llm.check"
--   return check.cases(ctx.ex.count_words, {
--     {args = {"a b a"}, expect = {a = 2, b = 1}},
--     {name = "empty text", args = {""}, expect = {}},
--   })
--   check.equal(a, b) -> bool ; check.near(a, b, tol) -> bool ; check.show(v) -> string
--   check.result(points, max, message) -> table
local M = {}

local function raw_equal(a, b, seen)
  if rawequal(a, b) then return true end
  local ta, tb = type(a), type(b)
  if ta ~= tb then return false end
  if ta == "number" then return a == b end
  if ta ~= "table" then return false end
  seen = seen or {}
  if seen[a] == b then return true end
  seen[a] = b
  for k, v in next, a do
    if not raw_equal(v, rawget(b, k), seen) then return false end
  end
  for k in next, b do
    if rawget(a, k) == nil then return false end
  end
  return true
end
M.equal = raw_equal

function M.near(a, b, tol)
  tol = tol or 1e-9
  if type(a) == "number" and type(b) == "number" then
    return a == b or math.abs(a - b) <= tol
  end
  if type(a) == "table" and type(b) == "table" then
    if rawlen(a) ~= rawlen(b) then return false end
    for i = 1, rawlen(a) do
      if not M.near(rawget(a, i), rawget(b, i), tol) then return false end
    end
    return true
  end
  return false
end

-- One-line rendering of plain data (sorted keys, capped), raw access only.
local function show(v, depth)
  depth = depth or 0
  local t = type(v)
  if t == "string" then
    if #v > 60 then return string.format("%q", v:sub(1, 57)) .. "..." end
    return string.format("%q", v)
  end
  if t == "number" then
    if math.type(v) == "float" and v == math.floor(v) and math.abs(v) < 2^53 then
      return string.format("%.1f", v)
    end
    return tostring(v)
  end
  if t ~= "table" then return t == "nil" and "nil" or (t == "boolean" and tostring(v) or "<" .. t .. ">") end
  if depth > 2 then return "{...}" end
  local keys = {}
  for k in next, v do keys[#keys + 1] = k end
  table.sort(keys, function(x, y)
    if type(x) == type(y) and (type(x) == "number" or type(x) == "string") then return x < y end
    return type(x) < type(y)
  end)
  local parts, n = {}, rawlen(v)
  for i, k in ipairs(keys) do
    if i > 12 then parts[#parts + 1] = "..."; break end
    local val = show(rawget(v, k), depth + 1)
    if math.type(k) == "integer" and k >= 1 and k <= n then
      parts[#parts + 1] = val
    elseif type(k) == "string" and k:match("^[%a_][%w_]*$") then
      parts[#parts + 1] = k .. "=" .. val
    else
      parts[#parts + 1] = "[" .. show(k, depth + 1) .. "]=" .. val
    end
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end
M.show = show

function M.result(points, max, message)
  return { points = points, max = max, message = message }
end

-- Run f on each case {name=, args={...}, expect=v | check=function(got)->ok,msg, tol=}
-- and give one point per passing case (or case.points).
function M.cases(f, cases, opts)
  opts = opts or {}
  local label = opts.name or "your function"
  if type(f) ~= "function" then
    local max = 0
    for _, c in ipairs(cases) do max = max + (c.points or 1) end
    return M.result(0, max, label .. " is not defined yet (got " .. type(f) .. ")")
  end
  local points, max, failures = 0, 0, {}
  for i, c in ipairs(cases) do
    local pts = c.points or 1
    max = max + pts
    local args = c.args or {}
    local ok, got = pcall(f, table.unpack(args, 1, args.n or #args))
    local good, why
    if not ok then
      good, why = false, "raised an error: " .. tostring(got)
    elseif c.check then
      good, why = c.check(got)
      if not good then why = why or ("returned " .. show(got)) end
    elseif c.tol then
      good = M.near(got, c.expect, c.tol)
      why = "returned " .. show(got) .. ", expected " .. show(c.expect) .. " (within " .. c.tol .. ")"
    else
      good = raw_equal(got, c.expect)
      why = "returned " .. show(got) .. ", expected " .. show(c.expect)
    end
    if good then
      points = points + pts
    else
      local shown = {}
      for j = 1, #args do shown[j] = show(args[j]) end
      failures[#failures + 1] = (c.name or ("case " .. i)) .. ": (" .. table.concat(shown, ", ") .. ") " .. why
    end
  end
  local msg
  if #failures == 0 then
    msg = string.format("all %d cases pass", #cases)
  else
    msg = string.format("%d of %d cases pass; %s", #cases - #failures, #cases, failures[1])
    if #failures > 1 then msg = msg .. string.format(" (and %d more)", #failures - 1) end
  end
  return M.result(points, max, msg)
end

return M
