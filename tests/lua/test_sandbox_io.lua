-- Sandboxed code reads corpora through a read-only io limited to the data
-- folder and the project's datasets/labs/quizzes; nothing else.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect
local sandbox = require "llm.sandbox"

local function run(code)
  return sandbox.run { code = code, time = 5, memory = 64 * 2 ^ 20 }
end

describe("sandbox io", function()
  it("reads a project dataset file", function()
    local r = run([[
      local f = assert(io.open(llm.home .. "/datasets/catalog.lua"))
      local head = f:read("l")
      f:close()
      local n = 0
      for _ in io.lines(llm.home .. "/datasets/catalog.lua") do n = n + 1 end
      return {head = head, lines = n}
    ]])
    expect(r.status).to_be("ok")
    expect(type(r.value.head)).to_be("string")
    expect(r.value.lines > 10).to_be(true)
  end)

  it("refuses files outside the allowed folders", function()
    local r = run([[return io.open("/etc/passwd")]])
    expect(r.status).to_be("error")
    expect(r.message).to_match("may read only the data folder")
    r = run([[return io.open(llm.home .. "/datasets/../README.md")]])
    expect(r.status).to_be("error")
    expect(r.message).to_match("may read only")
    r = run([[for l in io.lines("/etc/hostname") do end]])
    expect(r.status).to_be("error")
  end)

  it("refuses writing, pipes and other io functions", function()
    local r = run([[return io.open(llm.home .. "/datasets/catalog.lua", "w")]])
    expect(r.status).to_be("error")
    expect(r.message).to_match("mode 'w' is not allowed")
    r = run([[return {io.popen == nil, io.write == nil, io.output == nil, io.read == nil, package.loaded.io == io}]])
    expect(r.status).to_be("ok")
    expect(r.value).to_equal({ true, true, true, true, true })
  end)

  it("answers os.getenv only for the data locations", function()
    local r = run([[return {os.getenv("PATH") == nil, type(os.getenv("HOME"))}]])
    expect(r.value).to_equal({ true, "string" })
  end)
end)
