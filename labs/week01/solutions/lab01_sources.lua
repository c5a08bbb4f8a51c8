-- Reference solution of lab 1 (for checks and instructors).
local M = {}

function M.unwrap(text)
  local out, cur = {}, {}
  local function flush()
    if #cur > 0 then out[#out + 1] = table.concat(cur, " ") end
    cur = {}
  end
  for line in (text .. "\n"):gmatch("(.-)\n") do
    line = line:match("^%s*(.-)%s*$")
    if line == "" then flush() else cur[#cur + 1] = line end
  end
  flush()
  return out
end

function M.clean_post(text)
  text = text:gsub("https?://%S+", ""):gsub("@[%w_]+", ""):gsub("#([%w_]+)", "%1")
  text = text:gsub("%s+", " ")
  return (text:match("^%s*(.-)%s*$"))
end

return M
