-- llm.sandbox_env: fresh global environments for code inside a sandbox
-- state (see src/app/sandbox.c). The sandbox state already holds only safe
-- libraries; an environment made here also keeps one piece of code from
-- tampering with another's: the student's exercise and the instructor's
-- checks each get their own copies of string, table, math, ... and the
-- student sees `llm` through a proxy whose writes stay local.
--
--   local senv = require "llm.sandbox_env"
--   local env = senv.new()                       -- for untrusted code
--   local fn, err = senv.load(src, "@file.lua", env)
local M = {}

local BASE = { "assert", "error", "ipairs", "next", "pairs", "pcall", "print", "rawequal",
  "rawget", "rawlen", "rawset", "select", "setmetatable", "getmetatable", "tonumber",
  "tostring", "type", "xpcall", "_VERSION", "collectgarbage" }
local LIBS = { "string", "table", "math", "utf8", "coroutine", "os" }

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

-- A read-mostly view of a module table: reads fall through (nested tables
-- are viewed the same way), writes land in the view only.
local function view(t, seen)
  seen = seen or {}
  if seen[t] then return seen[t] end
  local v = {}
  seen[t] = v
  return setmetatable(v, {
    __index = function(_, k)
      local x = t[k]
      if type(x) == "table" and getmetatable(x) == nil then
        x = view(x, seen)
        rawset(v, k, x)
      end
      return x
    end,
  })
end

-- A new environment for untrusted code. opts.llm = false leaves out `llm`
-- and `require` (pure Lua: quiz answers, whose grading must not let them
-- reach the engine's file readers and so the quiz file's hidden tests).
function M.new(opts)
  opts = opts or {}
  local env = {}
  for _, k in ipairs(BASE) do env[k] = _G[k] end
  for _, lib in ipairs(LIBS) do
    if _G[lib] then env[lib] = copy(_G[lib]) end
  end
  if env.os then env.os.getenv = nil end -- the sandbox's limited getenv is for the lab's own readers
  env.load = function(chunk, name, _, e)
    return load(chunk, name, "t", e or env)
  end
  env._G = env
  if opts.llm == false then return env end
  env.llm = view(_G.llm)
  env.require = function(name)
    if name == "llm" then return env.llm end
    if type(name) == "string" and name:match("^llm%.[%w_.]+$") and name ~= "llm.sandbox_env" then
      return require(name)
    end
    error("module '" .. tostring(name) .. "' is not available here (only llm and llm.*)", 2)
  end
  return env
end

-- Compile source (text only) in env; returns the function or nil, message.
function M.load(src, chunkname, env)
  return load(src, chunkname, "t", env)
end

-- Run an exercise/answer chunk in a new env; its module is what it returns,
-- or its globals when it returns nothing. Returns module, env or raises.
function M.module(src, chunkname, opts)
  local env = M.new(opts)
  local fn, err = load(src, chunkname, "t", env)
  if not fn then error(err, 0) end
  local mod = fn()
  if mod == nil then mod = env end
  return mod, env
end

return M
