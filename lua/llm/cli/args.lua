-- llm.cli.args: not a command (main.c lists the commands) but what the
-- Lua commands share: splitting arguments into words and --flags, the two
-- ways a command reports a problem, the dispatch of a command made of
-- subcommands, and printing a linter's findings.
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

-- The entry function of `llmlab NAME SUB [WORDS] [--FLAGS]`: no arguments
-- print usage (exit 2); help, -h or --help (first, or --help anywhere)
-- print it (exit 0); an unknown SUB or a value flag without its value is a
-- usage error (exit 2); otherwise cmds[SUB](pos, flags) gives the status.
function M.subcommands(name, usage, cmds, value_flags)
  local usage_error = M.reporters(name)
  return function(args)
    if #args == 0 or args[1] == "--help" or args[1] == "-h" or args[1] == "help" then
      print(usage)
      return #args == 0 and 2 or 0
    end
    local sub = table.remove(args, 1)
    local f = cmds[sub]
    if not f then return usage_error("unknown command '" .. sub .. "'") end
    local pos, flags = M.split(args, value_flags)
    if not pos then
      io.stderr:write("llmlab ", name, ": ", flags, "\n")
      return 2
    end
    if flags.help then print(usage) return 0 end
    return f(pos, flags)
  end
end

-- Print a linter's messages for path to stderr, or "path: ok"; the exit
-- status is 0 when there were none, else 1.
function M.lint_report(path, errs)
  for _, e in ipairs(errs) do io.stderr:write(e, "\n") end
  if #errs == 0 then print(path .. ": ok") return 0 end
  return 1
end

return M
