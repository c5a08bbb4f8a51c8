-- The llm module's core: version, seed, threads, info, lazy submodules.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect

describe("llm core", function()
  it("is both a global and a module", function()
    expect(require("llm")).to_be(llm)
    expect(llm.version).to_match("^%d+%.%d+%.%d+$")
  end)

  it("seed makes llm.random reproducible", function()
    llm.seed(123)
    local a = { llm.random(), llm.random(100), llm.randn_scalar() }
    llm.seed(123)
    local b = { llm.random(), llm.random(100), llm.randn_scalar() }
    expect(a).to_equal(b)
    llm.seed(124)
    expect(llm.random()).to_be_truthy()
    expect(llm.random() ~= a[1]).to_be(true)
  end)

  it("random(n) stays in 1..n", function()
    llm.seed(5)
    for _ = 1, 1000 do
      local r = llm.random(3)
      expect(r >= 1 and r <= 3).to_be(true)
    end
    expect(function() llm.random(0) end).to_error("must be between")
  end)

  it("threads sets and reports the count", function()
    expect(llm.threads(1)).to_be(1)
    expect(llm.threads()).to_be(1)
    expect(llm.threads(2)).to_be(2)
    expect(function() llm.threads(0) end).to_error("threads: 0 is not between 1 and 1024")
    llm.threads(1)
  end)

  it("info has what a run manifest needs", function()
    llm.seed(9)
    local info = llm.info()
    expect(info.version).to_be(llm.version)
    expect(info.lua).to_match("^Lua 5%.4")
    expect(info.blas).to_match("OpenBLAS")
    expect(info.threads).to_be(llm.threads())
    expect(info.seed).to_be(9)
    expect(type(info.home)).to_be("string")
  end)

  it("loads Lua submodules on first use and ignores unknown names", function()
    expect(llm.test).to_be(T)
    expect(llm.no_such_module_xyz).to_be(nil)
    expect(llm[42]).to_be(nil)
  end)

  it("package.path reaches the project's lua folder", function()
    expect(package.path:find(llm.home .. "/lua/?.lua", 1, true) ~= nil).to_be(true)
  end)
end)

-- Constructors push an empty box (llm_lua_newbox) before the engine call
-- that fills it: when that call fails, the box holds NULL and its __gc
-- must free nothing (the sanitizer build would catch a stray pointer).
describe("engine object boxes", function()
  it("are typed, and are collected safely when the constructor fails", function()
    local m = llm._ngram.new("mle", 2)
    expect(getmetatable(m).__name).to_be("llm.NgramModel")
    expect(type(m.fit)).to_be("function")
    local fails = {
      { function() return llm._ngram.load("/no/such.ngram") end, "ngram load: cannot open /no/such.ngram" },
      { function() return llm.embed_c.load("/no/such.vec", false) end, "embedding load: cannot open /no/such.vec" },
      { function() return llm._tokenize.stemmer("klingon") end, "no Snowball algorithm 'klingon'" },
      { function() return llm._tokenize.split("x", "(unclosed") end, "split: pre-tokenizer: bad pattern" },
    }
    for _, f in ipairs(fails) do expect(f[1]).to_error(f[2]) end
    m = nil
    collectgarbage()
    collectgarbage()
  end)
end)

describe("clocks", function()
  it("llm.now and llm.app.now read one monotonic clock; cpu_time counts CPU seconds", function()
    local app = require "llm.app"
    local a = llm.now()
    local b = app.now()
    local c = llm.now()
    expect(a <= b and b <= c).to_be(true)
    expect(math.type(a)).to_be("float")
    local t0, x = llm.cpu_time(), 0
    for i = 1, 2000000 do x = x + i % 7 end
    expect(llm.cpu_time() > t0).to_be(true)
    expect(x > 0).to_be(true)
  end)
end)
