-- The raw safetensors bindings (bytes in, bytes out): round trip and the
-- corrupt files a student might feed llmlab, each a clear Lua error.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect

local tmp = os.tmpname()

-- A file from a header string and a data string.
local function craft(header, data)
  return string.pack("<I8", #header) .. header .. (data or "")
end

local function f32s(...)
  local t = {}
  for i, v in ipairs({ ... }) do t[i] = string.pack("<f", v) end
  return table.concat(t)
end

describe("safetensors bindings", function()
  it("writes and reads back the same bytes and metadata", function()
    local w = f32s(1, -2.5, 0, 1e-30, 3.25, -0.0)
    local ids = string.pack("<i8<i8", -7, 1 << 40)
    llm.safetensors_write(tmp, {
      { name = "w", dtype = "F32", shape = { 2, 3 }, data = w },
      { name = "ids", dtype = "I64", shape = { 2 }, data = ids },
    }, { format = "llmlab", ["config.n_layer"] = "4" })
    local f <close> = llm.safetensors_open(tmp)
    expect(#f).to_be(2)
    expect(f:names()).to_equal({ "w", "ids" })
    expect(f:info("w")).to_equal({ dtype = "F32", shape = { 2, 3 }, nbytes = 24, numel = 6 })
    expect(f:info("nope")).to_be(nil)
    expect(f:bytes("w") == w).to_be(true)
    expect(f:bytes("ids") == ids).to_be(true)
    expect(f:floats("w")).to_be_near({ 1, -2.5, 0, 1e-30, 3.25, 0 }, 1e-36)
    expect(f:metadata()).to_equal({ format = "llmlab", ["config.n_layer"] = "4" })
    expect(tostring(f)).to_match("2 tensors, 2 metadata keys")
    f:close()
    expect(function() f:names() end).to_error("closed")
  end)

  it("checks what it is asked to write", function()
    expect(function()
      llm.safetensors_write(tmp, { { name = "a", dtype = "F32", shape = { 2 }, data = "abc" } })
    end).to_error("data has 3 bytes, shape x dtype needs 8")
    expect(function()
      llm.safetensors_write(tmp, { { name = "a", dtype = "Q4", shape = { 1 }, data = "" } })
    end).to_error("unknown dtype 'Q4'")
    expect(function()
      llm.safetensors_write(tmp, { { name = "a", shape = { 1 }, data = f32s(1) } }, { k = 1 })
    end).to_error("metadata must map strings to strings")
    expect(function()
      llm.safetensors_write(tmp, { { name = "a", shape = { 1 }, data = f32s(1) },
        { name = "a", shape = { 1 }, data = f32s(1) } })
    end).to_error("appears twice")
    expect(function()
      llm.safetensors_write("/nonexistent/dir/x.safetensors", { { name = "a", shape = { 1 }, data = f32s(1) } })
    end).to_error("cannot create a temporary file")
  end)

  local E = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'
  local cases = {
    { "a file shorter than 8 bytes", "abc", "too short" },
    { "a header length beyond the file", string.pack("<I8", 1000) .. "{}", "header length 1000 runs beyond the end of the file" },
    { "bad JSON", craft('{"a": {"dtype": "F32",\n"shape": [1],, }}', ""), "bad JSON in the header at line 2, column" },
    { "an unknown dtype", craft(E:gsub("F32", "F31"), f32s(1)), "unknown dtype 'F31'" },
    { "shape x dtype not matching the span", craft(E:gsub("%[1%]", "[3]"), f32s(1)), "shape x dtype is 12 bytes" },
    { "offsets out of range", craft(E:gsub("0,4", "0,40"), f32s(1)), "run beyond the data section" },
    { "overlapping offsets", craft('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' ..
      '"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', f32s(1, 2)), "overlap" },
    { "trailing bytes", craft(E, f32s(1, 2)), "4 bytes after the last tensor" },
  }
  for _, c in ipairs(cases) do
    it("rejects " .. c[1], function()
      expect(function() llm.safetensors_parse(c[2], "bad.safetensors") end).to_error(c[3])
      local fh = assert(io.open(tmp, "wb"))
      fh:write(c[2])
      fh:close()
      expect(function() llm.safetensors_open(tmp) end).to_error(tmp)
    end)
  end

  it("reports a missing file", function()
    expect(function() llm.safetensors_open("/nonexistent/x.safetensors") end).to_error("cannot open")
  end)
end)

os.remove(tmp)
