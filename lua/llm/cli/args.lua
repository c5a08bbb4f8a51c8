-- llm.cli.args: not a command (main.c lists the commands) but the argument
-- splitting that `llmlab lab` and `llmlab quiz` share.
local M = {}

-- Split args into positional words and --flags. value_flags names the flags
-- that take the next word as their value ({["--db"] = true, ...}); any other
-- --flag is true. Returns pos, flags ({db = "x.db", check = true}), or nil
-- and a message when a value flag ends the list.
function M.split(args, value_flags)
  local pos, flags = {}, {}
  local i = 1
  while i <= #args do
    local a = args[i]
    if value_flags[a] then
      if args[i + 1] == nil then return nil, a .. " needs a value" end
      flags[a:sub(3)] = args[i + 1]
      i = i + 2
    elseif a:match("^%-%-") then
      flags[a:sub(3)] = true
      i = i + 1
    else
      pos[#pos + 1] = a
      i = i + 1
    end
  end
  return pos, flags
end

return M
