-- llm.cli.args: not a command (main.c lists the commands) but what the
-- Lua commands share: splitting arguments into words and --flags, and the
-- two ways a command reports a problem.
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

-- usage_error(msg) and fail(msg) for command NAME: both write
-- "llmlab NAME: msg" to stderr; usage_error adds a pointer to --help and
-- returns exit status 2, fail returns 1.
function M.reporters(name)
  local function usage_error(msg)
    io.stderr:write("llmlab ", name, ": ", msg, "\nTry 'llmlab ", name, " --help'.\n")
    return 2
  end
  local function fail(msg)
    io.stderr:write("llmlab ", name, ": ", msg, "\n")
    return 1
  end
  return usage_error, fail
end

return M
