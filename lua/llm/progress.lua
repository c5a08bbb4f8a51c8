-- llm.progress(label, done, total): report progress of long work written in
-- Lua through the engine's one progress callback, so that the command line
-- draws its bar (or plain lines in a log) and the UI its gauge, exactly as
-- for the engine's own loops. Returns true when the user asked to cancel
-- (Ctrl-C in the CLI, x in the UI), so a loop can stop cleanly:
--   for step = 1, n do ...; if llm.progress("train", step, n) then break end end
local app = require "llm.app"

return function(label, done, total)
  if type(label) ~= "string" then error("llm.progress: label must be a string", 2) end
  if type(done) ~= "number" then error("llm.progress: done must be a number", 2) end
  if total ~= nil and type(total) ~= "number" then error("llm.progress: total must be a number", 2) end
  app.progress(label, done, total or 0)
  return app.interrupted()
end
