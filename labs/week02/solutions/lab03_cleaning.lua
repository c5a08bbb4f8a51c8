-- Reference solution of lab 3 (for checks and instructors).
local M = {}

local NAMED = { amp = "&", lt = "<", gt = ">", quot = '"', apos = "'", nbsp = "\u{A0}" }

function M.decode_entities(s)
  return (s:gsub("&(#?[%w]+);", function(name)
    if NAMED[name] then return NAMED[name] end
    local hex = name:match("^#[xX](%x+)$")
    local dec = name:match("^#(%d+)$")
    local code = hex and tonumber(hex, 16) or dec and tonumber(dec)
    if code and code <= 0x10FFFF then return utf8.char(code) end
    return nil
  end))
end

function M.quality_filter(doc)
  local words, alpha = 0, 0
  for w in doc:gmatch("%S+") do
    words = words + 1
    if w:find("%a") then alpha = alpha + 1 end
  end
  if words < 20 then return false, "too short" end
  if alpha < 0.8 * words then return false, "too few words with letters" end
  local seen, lines, repeats = {}, 0, 0
  for line in (doc .. "\n"):gmatch("(.-)\n") do
    line = line:match("^%s*(.-)%s*$")
    if line ~= "" then
      lines = lines + 1
      if seen[line] then repeats = repeats + 1 end
      seen[line] = true
    end
  end
  if lines > 0 and repeats > 0.3 * lines then return false, "repeated lines" end
  return true, nil
end

return M
