-- llm.corpora: the catalog's corpora as plain Lua lists of documents, the
-- shape the Module I labs work on. Each function reads the fetched files
-- through llm.data (so it works inside a lab's sandbox, whose io is limited
-- to the data folder) and raises llm.data's "run `llmlab data fetch NAME`"
-- error when a corpus is missing.
--
--   corpora.sotu([{from=, to=, limit=}])  -> {{year=, name=, party=, text=}, ...} by year
--   corpora.kjv([{limit=, books=}])        -> {{book=, chapter=, verse=, text=}, ...} in order
--   corpora.kjv_chapters([opts])           -> {{book=, chapter=, text=}, ...} (verses joined)
--   corpora.moby_dick([{limit=}])          -> {{number=, title=, text=}, ...} one per chapter
--   corpora.sentiment([source [, limit]])  -> {{text=, label = 0|1, source=}, ...}
--                                            source "amazon" | "imdb" | "yelp" | "all" (default)
local data = require "llm.data"

local M = {}

-- State of the Union addresses, one per year, from the package's
-- datapackage.json index (the sandbox cannot list folders).
function M.sotu(opts)
  opts = opts or {}
  local index = data.json(data.path("sotu", "package/datapackage.json"))
  local out = {}
  for _, r in ipairs(index.resources or {}) do
    local file = r.path and r.path:match("^%./(data/.+%.json)$")
    local year = file and tonumber(file:match("data/(%d+)_"))
    if year and (not opts.from or year >= opts.from) and (not opts.to or year <= opts.to) then
      out[#out + 1] = { year = year, file = "package/" .. file }
    end
  end
  table.sort(out, function(a, b) if a.year ~= b.year then return a.year < b.year end return a.file < b.file end)
  if opts.limit and #out > opts.limit then
    -- spread the sample over the years rather than taking the first ones
    local picked, n = {}, #out
    for i = 1, opts.limit do picked[i] = out[math.floor((i - 1) * n / opts.limit) + 1] end
    out = picked
  end
  for _, d in ipairs(out) do
    local rec = data.json(data.path("sotu", d.file))
    d.name, d.party, d.text = rec.name, rec.party, rec.text
  end
  return out
end

-- Verses of the King James Bible: "Book N" lines start a chapter, "  N text"
-- lines are verses. opts.limit stops after that many verses; opts.books (a
-- set or a list of book names) keeps only those books.
function M.kjv(opts)
  opts = opts or {}
  local books = opts.books
  if books and #books > 0 then
    local set = {}
    for _, b in ipairs(books) do set[b] = true end
    books = set
  end
  local out, book, chapter = {}, nil, nil
  for line in data.lines(data.path("kjv", "kjv.txt")) do
    local v, text = line:match("^%s+(%d+)%s+(.+)$")
    if v then
      if book and (not books or books[book]) then
        out[#out + 1] = { book = book, chapter = chapter, verse = tonumber(v), text = text }
        if opts.limit and #out >= opts.limit then break end
      end
    else
      local b, c = line:match("^(%S.-)%s+(%d+)%s*$")
      if b then book, chapter = b, tonumber(c) end
    end
  end
  return out
end

-- Chapters of the KJV, each one document (the verses joined by spaces).
function M.kjv_chapters(opts)
  opts = opts or {}
  local verses = M.kjv({ books = opts.books })
  local out, cur = {}, nil
  for _, v in ipairs(verses) do
    if not cur or cur.book ~= v.book or cur.chapter ~= v.chapter then
      if opts.limit and #out >= opts.limit then break end
      cur = { book = v.book, chapter = v.chapter, parts = {} }
      out[#out + 1] = cur
    end
    cur.parts[#cur.parts + 1] = v.text
  end
  for _, c in ipairs(out) do c.text = table.concat(c.parts, " "); c.parts = nil end
  return out
end

-- Moby Dick, one document per chapter ("CHAPTER n. Title." lines; a
-- title may wrap onto the next lines, up to the first blank line).
function M.moby_dick(opts)
  opts = opts or {}
  local out, cur, in_title = {}, nil, false
  for line in data.lines(data.path("moby-dick", "package/data/data.txt")) do
    local n, title = line:match("^CHAPTER (%d+)%.%s*(.*)$")
    if n then
      if opts.limit and #out >= opts.limit then cur = nil break end
      cur = { number = tonumber(n), title = title, lines = {} }
      out[#out + 1] = cur
      in_title = true
    elseif in_title and not line:match("^%s*$") then
      cur.title = cur.title .. " " .. line        -- a heading wrapped over two lines
    elseif cur then
      in_title = false
      cur.lines[#cur.lines + 1] = line
    end
  end
  for _, c in ipairs(out) do c.text = table.concat(c.lines, "\n"); c.lines = nil end
  return out
end

local SOURCES = { "amazon", "imdb", "yelp" }

-- Labelled review sentences (class 1 = positive).
function M.sentiment(source, limit)
  source = source or "all"
  local list = source == "all" and SOURCES or { source }
  local out = {}
  for _, s in ipairs(list) do
    local ok = false
    for _, known in ipairs(SOURCES) do ok = ok or known == s end
    if not ok then error("corpora.sentiment: source must be amazon, imdb, yelp or all, got " .. tostring(s), 2) end
    local n = 0
    for _, r in ipairs(data.json(data.path("sentiment", "package/test/fixtures/" .. s .. ".json"))) do
      if type(r.text) == "string" and (r.class == 0 or r.class == 1) then
        out[#out + 1] = { text = r.text, label = r.class, source = s }
        n = n + 1
        if limit and n >= limit then break end
      end
    end
  end
  return out
end

return M
