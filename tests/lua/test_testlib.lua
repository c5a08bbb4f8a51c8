-- The test framework itself: its matchers must fail when they should.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect

-- Run a body as a test in isolation and return whether it passed and the message.
local function outcome(body)
  local saved = T.results()
  T.reset()
  T.it("inner", body)
  local r = T.results()
  local passed, msg = r.passed == 1, r.failures[1]
  -- restore the outer counts
  T.reset()
  local now = T.results()
  now.passed, now.failed, now.failures = saved.passed, saved.failed, saved.failures
  return passed, msg
end

describe("llm.test", function()
  it("to_equal compares tables deeply", function()
    expect(outcome(function() expect({ 1, { 2, 3 }, a = "x" }).to_equal({ 1, { 2, 3 }, a = "x" }) end)).to_be(true)
    local ok, msg = outcome(function() expect({ 1, 2 }).to_equal({ 1, 3 }) end)
    expect(ok).to_be(false)
    expect(msg).to_match("expected {1, 3}, got {1, 2}")
    expect(msg).to_match("test_testlib%.lua:%d+")
  end)

  it("to_be_near uses the tolerance", function()
    expect(outcome(function() expect(1.0).to_be_near(1.05, 0.1) end)).to_be(true)
    expect(outcome(function() expect(1.0).to_be_near(1.2, 0.1) end)).to_be(false)
    expect(outcome(function() expect({ 1, 2 }).to_be_near({ 1, 2.001 }, 0.01) end)).to_be(true)
    expect(outcome(function() expect(0 / 0).to_be_near(0 / 0, 1) end)).to_be(false)
  end)

  it("to_error checks that an error happened and its message", function()
    expect(outcome(function() expect(function() error("shape mismatch") end).to_error("shape") end)).to_be(true)
    expect(outcome(function() expect(function() end).to_error() end)).to_be(false)
    expect(outcome(function() expect(function() error("other") end).to_error("shape") end)).to_be(false)
  end)

  it("a Lua error inside a test is a failure with a traceback", function()
    local ok, msg = outcome(function() local x = nil; return x.field end)
    expect(ok).to_be(false)
    expect(msg).to_match("attempt to index")
    expect(msg).to_match("traceback")
  end)
end)
