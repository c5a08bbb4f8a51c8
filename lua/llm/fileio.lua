-- llm.fileio: whole-file reading and writing for the Lua side (labs,
-- quizzes, the data fetcher), with every I/O error returned rather than
-- lost: a write that fails half-way (a full disk) says so.
--
--   fileio.read(path)           -> contents, or nil and the error
--   fileio.write(path, data)    -> true, or nil and the error
--   fileio.replace(path, data)  -> the same, written to path.tmp and then
--                                  renamed, so path is never left cut short
--   fileio.exists(path)         -> whether path can be opened for reading
local M = {}

function M.read(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local s, rerr = f:read("a")
  f:close()
  if not s then return nil, rerr end
  return s
end

function M.write(path, data)
  local f, err = io.open(path, "wb")
  if not f then return nil, err end
  local ok, werr = f:write(data)
  local cok, cerr = f:close()
  if not ok then return nil, werr end
  if not cok then return nil, cerr end
  return true
end

function M.replace(path, data)
  local tmp = path .. ".tmp"
  local ok, err = M.write(tmp, data)
  if not ok then
    os.remove(tmp)
    return nil, err
  end
  local rok, rerr = os.rename(tmp, path)
  if not rok then
    os.remove(tmp)
    return nil, rerr
  end
  return true
end

function M.exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

return M
