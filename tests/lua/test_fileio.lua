-- llm.fileio: whole-file reads and writes report every I/O error, and
-- replace never leaves a file cut short or a .tmp behind.
local T = require "llm.test"
local fileio = require "llm.fileio"

local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p '" .. dir .. "'"))

T.describe("fileio", function()
  T.it("writes and reads back bytes exactly", function()
    local p = dir .. "/a.bin"
    T.expect(fileio.write(p, "x\0y\r\n")).to_be(true)
    T.expect(fileio.read(p)).to_be("x\0y\r\n")
    T.expect(fileio.exists(p)).to_be(true)
  end)
  T.it("returns nil and the error for a missing file or folder", function()
    local s, err = fileio.read(dir .. "/none")
    T.expect(s).to_be(nil)
    T.expect(err).to_match("No such file")
    local ok, werr = fileio.write(dir .. "/no/such/dir/f", "x")
    T.expect(ok).to_be(nil)
    T.expect(werr).to_match("No such file")
    T.expect(fileio.exists(dir .. "/none")).to_be(false)
  end)
  T.it("reports a write that fails when the device is full", function()
    local ok, err = fileio.write("/dev/full", string.rep("x", 1 << 16))
    T.expect(ok).to_be(nil)
    T.expect(err).to_match("space")
  end)
  T.it("replace swaps the whole file in and leaves no .tmp", function()
    local p = dir .. "/b.txt"
    T.expect(fileio.write(p, "old")).to_be(true)
    T.expect(fileio.replace(p, "new")).to_be(true)
    T.expect(fileio.read(p)).to_be("new")
    T.expect(fileio.exists(p .. ".tmp")).to_be(false)
  end)
  T.it("replace keeps the old file when the new one cannot be written", function()
    local p = dir .. "/c.txt"
    T.expect(fileio.write(p, "old")).to_be(true)
    assert(os.execute("mkdir '" .. p .. ".tmp'")) -- a folder where the .tmp file must go
    local ok, err = fileio.replace(p, "new")
    T.expect(ok).to_be(nil)
    T.expect(err).to_match("directory")
    T.expect(fileio.read(p)).to_be("old")
  end)
end)

os.execute("rm -rf '" .. dir .. "'")
