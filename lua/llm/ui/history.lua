-- llm.ui.history: the UI's Lua prompt history, kept between sessions in
-- $XDG_DATA_HOME/llmlab/ui_history (one entry per line; newlines inside a
-- multi-line entry are stored as \n, backslashes as \\). At most 500.
local M = {}
local MAX = 500

function M.path()
  local xdg = os.getenv("XDG_DATA_HOME")
  if not xdg or xdg == "" then
    local home = os.getenv("HOME") or "."
    xdg = home .. "/.local/share"
  end
  return xdg .. "/llmlab/ui_history"
end

local function unescape(s)
  return (s:gsub("\\(.)", function(c) return c == "n" and "\n" or c end))
end

local function escape(s)
  return (s:gsub("\\", "\\\\"):gsub("\n", "\\n"))
end

function M.load(path)
  path = path or M.path()
  local h = { path = path }
  local f = io.open(path, "r")
  if not f then return h end
  for line in f:lines() do h[#h + 1] = unescape(line) end
  f:close()
  while #h > MAX do table.remove(h, 1) end
  return h
end

-- Add an entry (not twice in a row) and save the file.
function M.add(h, entry)
  if h[#h] ~= entry then h[#h + 1] = entry end
  while #h > MAX do table.remove(h, 1) end
  os.execute(("mkdir -p %q 2>/dev/null"):format(h.path:match("^(.*)/[^/]*$") or "."))
  local f = io.open(h.path, "w")
  if not f then return false end
  for _, e in ipairs(h) do f:write(escape(e), "\n") end
  f:close()
  return true
end

return M
