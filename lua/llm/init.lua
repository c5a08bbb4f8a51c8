-- llm: the module students and lab scripts use. The C engine's functions
-- come from `llm.core`; everything written in Lua lives in lua/llm/<name>.lua
-- and is loaded the first time `llm.<name>` is read, so startup stays fast.
local core = require "llm.core"

local llm = {}
for k, v in pairs(core) do llm[k] = v end

setmetatable(llm, {
  __index = function(t, key)
    if type(key) ~= "string" or not key:match("^[%a_][%w_]*$") then return nil end
    local name = "llm." .. key
    if not package.searchpath(name, package.path) and not package.preload[name] then
      return nil
    end
    local mod = require(name)
    rawset(t, key, mod)
    return mod
  end,
})

package.loaded.llm = llm
return llm
