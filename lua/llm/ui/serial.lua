-- llm.ui.serial: plain Lua data (nil, booleans, numbers, strings, tables
-- of those; no functions, no cycles) as text and back. The UI thread and
-- the worker thread have separate Lua states; this is how results, check
-- reports and plots cross between them. decode() loads the text with an
-- empty environment, so it can only build data.
local M = {}

local function enc(v, out, depth)
  local t = type(v)
  if t == "nil" then out[#out + 1] = "nil"
  elseif t == "boolean" then out[#out + 1] = tostring(v)
  elseif t == "number" then
    if v ~= v then out[#out + 1] = "0/0"
    elseif v == math.huge then out[#out + 1] = "math_huge"
    elseif v == -math.huge then out[#out + 1] = "-math_huge"
    elseif math.type(v) == "integer" then out[#out + 1] = ("%d"):format(v)
    else out[#out + 1] = ("%.17g"):format(v) end
  elseif t == "string" then out[#out + 1] = ("%q"):format(v)
  elseif t == "table" then
    if depth > 40 then error("serial: nesting too deep (a cycle?)", 0) end
    out[#out + 1] = "{"
    local n = #v
    for i = 1, n do
      enc(v[i], out, depth + 1)
      out[#out + 1] = ","
    end
    for k, val in pairs(v) do
      if not (math.type(k) == "integer" and k >= 1 and k <= n) then
        local tk = type(k)
        if tk == "string" or tk == "number" or tk == "boolean" then
          local tv = type(val)
          if tv ~= "function" and tv ~= "userdata" and tv ~= "thread" then
            out[#out + 1] = "["
            enc(k, out, depth + 1)
            out[#out + 1] = "]="
            enc(val, out, depth + 1)
            out[#out + 1] = ","
          end
        end
      end
    end
    out[#out + 1] = "}"
  else
    out[#out + 1] = ("%q"):format(tostring(v))
  end
end

function M.encode(v)
  local out = {}
  enc(v, out, 0)
  return table.concat(out)
end

function M.decode(s)
  local f, err = load("return " .. s, "=serial", "t", { math_huge = math.huge })
  if not f then return nil, err end
  local ok, v = pcall(f)
  if not ok then return nil, v end
  return v
end

return M
