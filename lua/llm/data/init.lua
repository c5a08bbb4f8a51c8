-- llm.data: where corpora live and how to read them.
--
--   llm.data.dir()                the data folder ($LLMLAB_DATA, else
--                                 $XDG_DATA_HOME/llmlab/data, else ~/.local/share/llmlab/data)
--   llm.data.path(name [, file])  a fetched corpus's folder (or a file in it);
--                                 an error naming `llmlab data fetch NAME` when missing
--   llm.data.catalog()            the entries of datasets/catalog.lua, in order
--   llm.data.entry(name)          one entry (error when unknown)
--   llm.data.fetched(name)        true when the corpus is there
--   llm.data.fetch(name [, opts]) fetch one corpus (see llm.data.fetcher)
--
-- The readers (llm.data.lines, gutenberg, wiki, jsonl, csv, email, html,
-- json) come from lua/llm/data/readers.lua and are merged in below.
local M = {}

local function home()
  local core = require "llm.core"
  return core.home or os.getenv("LLMLAB_HOME") or "."
end

function M.dir()
  local d = os.getenv("LLMLAB_DATA")
  if d and d ~= "" then return d end
  local x = os.getenv("XDG_DATA_HOME")
  if x and x ~= "" then return x .. "/llmlab/data" end
  local h = os.getenv("HOME") or "."
  return h .. "/.local/share/llmlab/data"
end

local catalog_cache
function M.catalog()
  if catalog_cache then return catalog_cache end
  local file = home() .. "/datasets/catalog.lua"
  -- io.open + load rather than loadfile: a lab's sandbox has no loadfile,
  -- but its read-only io reaches datasets/
  local f, ferr = io.open(file, "r")
  if not f then error("data: cannot load the catalog: " .. tostring(ferr), 2) end
  local src = f:read("a")
  f:close()
  local chunk, err = load(src, "@" .. file, "t", {})
  if not chunk then error("data: cannot load the catalog: " .. err, 2) end
  local ok, list = pcall(chunk)
  if not ok or type(list) ~= "table" then
    error("data: " .. file .. " must return a table of entries (" .. tostring(list) .. ")", 2)
  end
  for i, e in ipairs(list) do
    if type(e.name) ~= "string" or type(e.source) ~= "table" then
      error(("data: %s: entry %d has no name or source"):format(file, i), 2)
    end
    list[e.name] = e
  end
  catalog_cache = list
  return list
end

function M.entry(name)
  local e = M.catalog()[name]
  if type(name) ~= "string" or not e then
    error(("data: no dataset named '%s' (see `llmlab data list`)"):format(tostring(name)), 2)
  end
  return e
end

-- The folder holding a dataset's files: the project's own folder for
-- project-made samples, else <data>/<name>.
function M.folder(name)
  local e = M.entry(name)
  if e.source.kind == "project" then return home() .. "/" .. e.source.dir end
  return M.dir() .. "/" .. name
end

local exists = require("llm.fileio").exists

function M.fetched(name)
  local e = M.entry(name)
  if e.source.kind == "project" then return true end
  return exists(M.folder(name) .. "/.llmlab-fetched")
end

function M.path(name, file)
  local e = M.entry(name)
  if not M.fetched(name) then
    error(("data: dataset '%s' is not in %s; run `llmlab data fetch %s`"):format(name, M.dir(), name), 2)
  end
  local p = M.folder(name)
  if file then
    p = p .. "/" .. file
    if not exists(p) then error(("data: %s has no file %s"):format(e.name, p), 2) end
  end
  return p
end

function M.fetch(name, opts)
  return require("llm.data.fetcher").fetch(M.entry(name), opts)
end

-- Readers and helpers written in their own files.
for k, v in pairs(require "llm.data.readers") do M[k] = v end

return M
