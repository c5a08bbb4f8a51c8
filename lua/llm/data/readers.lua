-- llm.data readers: streaming readers for the corpus formats of the course.
-- Every reader reads its file a line (or a record) at a time, so a 1 GB file
-- is never held whole; the only exceptions are the whole-document helpers
-- (json, html_file, email_file), which refuse files above a size limit.
--
-- Malformed records are reported as "FILE:LINE: problem" and, by the
-- caller's choice (opts.on_error):
--   "skip"   (default) skip the record; the message goes to opts.errors
--            (a list) when given, else to io.stderr
--   "raise"  raise a Lua error with the message
--   function(msg) called with the message; the record is skipped
-- Invalid UTF-8 is repaired to U+FFFD and reported the same way (the record
-- is kept), unless opts.repair == false, which makes it a malformed record.
--
--   data.lines(path [, opts])       -> iterator of line, lineno
--   data.paragraphs(path [, opts])  -> iterator of paragraph, first lineno
--   data.blocks(path [, opts])      -> iterator of ~1 MB blocks ending at a paragraph break, first lineno
--   data.records(path [, opts])     -> iterator of records split on "%" lines (fortunes), first lineno
--   data.tagged(path [, opts])      -> iterator of sentences {{word, tag}, ...} (Brown corpus), lineno
--   data.gutenberg(path [, opts])   -> iterator of lines between the Gutenberg START/END markers
--   data.gutenberg_strip(text)      -> text without the header and footer
--   data.wiki(path [, opts])        -> iterator of pages {id, title, ns, revision, timestamp, text,
--                                      plain, redirect (target title or nil), line}
--   data.wiki_to_text(markup)       -> plain text
--   data.jsonl(path [, opts])       -> iterator of records (opts.fields selects "a.b" paths), lineno
--   data.csv(path [, opts])         -> iterator of rows, lineno (opts.sep, opts.header)
--   data.email(text) / data.email_file(path) -> {headers, subject, from, to, date, body, parts}
--   data.json(path)                 -> the decoded value of a whole JSON file
--   data.html_file(path [, {boilerplate = false}]) -> plain text of an HTML file
--   data.files(dir [, pattern])     -> sorted list of files under dir whose name matches
local C = require("llm.core")._text
local M = {}

M.null = C.null
local MAX_WHOLE = 256 * 1024 * 1024

-- ------------------------------------------------------------ error policy

local function policy(opts, fname)
  opts = opts or {}
  local mode = opts.on_error or "skip"
  if mode ~= "skip" and mode ~= "raise" and type(mode) ~= "function" then
    error(("%s: on_error must be \"skip\", \"raise\" or a function, got %s"):format(fname, tostring(mode)), 3)
  end
  local report = function(msg)
    if mode == "raise" then error(msg, 0) end
    if type(mode) == "function" then mode(msg)
    elseif opts.errors then opts.errors[#opts.errors + 1] = msg
    elseif io.stderr then io.stderr:write(msg, "\n")
    else print(msg) end -- inside a lab sandbox there is no io.stderr
  end
  return opts, report
end

local function open(path, fname)
  if type(path) ~= "string" then error(fname .. ": expected a file path, got " .. type(path), 3) end
  local f, err = io.open(path, "rb")
  if not f then error(("%s: cannot open %s"):format(fname, err), 3) end
  return f
end

-- Raw line iterator with line numbers and UTF-8 repair/NUL detection.
-- Yields line, lineno; lines with problems are reported (and skipped when
-- they cannot be kept).
local function line_source(path, opts, report, fname)
  local f = open(path, fname)
  local n = 0
  local closed = false
  return function()
    if closed then return nil end
    while true do
      local line = f:read("L")
      if not line then f:close() closed = true return nil end
      n = n + 1
      line = line:gsub("\r?\n$", "")
      if line:find("\0", 1, true) then
        report(("%s:%d: binary data (NUL byte) in a text line; line skipped"):format(path, n))
      elseif not C.utf8_check(line) then
        return line, n
      elseif opts.repair == false then
        report(("%s:%d: invalid UTF-8 at byte %d; line skipped"):format(path, n, C.utf8_check(line)))
      else
        local fixed, bad = C.utf8_repair(line)
        report(("%s:%d: invalid UTF-8 repaired (%d sequence%s)"):format(path, n, bad, bad == 1 and "" or "s"))
        return fixed, n
      end
    end
  end
end

function M.lines(path, opts)
  local o, report = policy(opts, "data.lines")
  return line_source(path, o, report, "data.lines")
end

-- The lines of src in chunks between break lines (is_break(line)): an
-- iterator of chunk text (lines joined by "\n"), first lineno. Chunks with
-- no visible character are skipped.
local function line_chunks(src, is_break)
  local done = false
  return function()
    if done then return nil end
    local buf, first = {}, nil
    for line, n in src do
      if is_break(line) then
        if #buf > 0 then
          local r = table.concat(buf, "\n")
          if r:match("%S") then return r, first end
        end
        buf, first = {}, nil
      else
        first = first or n
        buf[#buf + 1] = line
      end
    end
    done = true
    local r = table.concat(buf, "\n")
    if r:match("%S") then return r, first end
    return nil
  end
end

function M.paragraphs(path, opts)
  local o, report = policy(opts, "data.paragraphs")
  return line_chunks(line_source(path, o, report, "data.paragraphs"), function(line) return line:match("^%s*$") end)
end

-- Blocks of about opts.size bytes (1 MB) that end at a paragraph break
-- (else a line break), for fast whole-corpus work such as statistics:
-- streamed, UTF-8 repaired and reported per block (with its first line).
function M.blocks(path, opts)
  local o, report = policy(opts, "data.blocks")
  local size = o.size or (1 << 20)
  local f = open(path, "data.blocks")
  local carry, line, done = "", 1, false
  return function()
    if done then return nil end
    while true do
      local chunk = f:read(size)
      local s = carry .. (chunk or "")
      if not chunk then
        f:close()
        done = true
        if s == "" then return nil end
        carry = ""
      else
        -- cut after the last blank line in the second half, else after the last newline
        local from = math.max(1, #s - size // 2)
        local cut
        local a = s:find("\n\n", from, true)
        while a do cut = a + 1 a = s:find("\n\n", a + 1, true) end
        if not cut then
          a = s:find("\n", from, true)
          while a do cut = a a = s:find("\n", a + 1, true) end
        end
        if not cut then carry = s goto continue end
        carry = s:sub(cut + 1)
        s = s:sub(1, cut)
      end
      do
        local first = line
        line = line + C.count_lines(s)
        if s:find("\0", 1, true) then
          report(("%s:%d: binary data (NUL byte) in this block; block skipped"):format(path, first))
        else
          if C.utf8_check(s) then
            local fixed, bad = C.utf8_repair(s)
            report(("%s:%d: invalid UTF-8 repaired (%d sequence%s in this block)"):format(path, first, bad, bad == 1 and "" or "s"))
            s = fixed
          end
          return s, first
        end
        if done then return nil end
      end
      ::continue::
    end
  end
end

-- Records separated by a line holding only opts.separator ("%", as in
-- fortune files): iterator of record text, first lineno. Empty records are skipped.
function M.records(path, opts)
  local o, report = policy(opts, "data.records")
  local sep = o.separator or "%"
  return line_chunks(line_source(path, o, report, "data.records"), function(line) return line == sep end)
end

-- Tagged text in the NLTK/Brown form "word/tag word/tag", one sentence a
-- line: iterator of sentences { {word, tag}, ... }, lineno. A token without
-- a "/tag" is reported and the sentence skipped. opts.lower_tags (false).
function M.tagged(path, opts)
  local o, report = policy(opts, "data.tagged")
  local src = line_source(path, o, report, "data.tagged")
  return function()
    for line, n in src do
      if line:match("%S") then
        local sent, bad = {}, nil
        for tok in line:gmatch("%S+") do
          local w, t = tok:match("^(.+)/([^/]+)$")
          if not w then bad = tok break end
          sent[#sent + 1] = { w, o.lower_tags and t:lower() or t }
        end
        if bad then
          report(("%s:%d: token '%s' has no /tag; sentence skipped"):format(path, n, bad))
        else
          return sent, n
        end
      end
    end
    return nil
  end
end

-- ------------------------------------------------------------ Project Gutenberg

local START = "^%*%*%*%s*START OF"
local END = "^%*%*%*%s*END OF"

-- Lines of the book between "*** START OF ..." and "*** END OF ..."; a file
-- without the markers is passed through whole.
function M.gutenberg(path, opts)
  local o, report = policy(opts, "data.gutenberg")
  -- first pass over the head only: is there a START marker in the first 1000 lines?
  local has_start = false
  do
    local f = open(path, "data.gutenberg")
    for _ = 1, 1000 do
      local l = f:read("l")
      if not l then break end
      if l:upper():match(START) then has_start = true break end
    end
    f:close()
  end
  local src = line_source(path, o, report, "data.gutenberg")
  local inside = not has_start
  local finished = false
  return function()
    if finished then return nil end
    for line, n in src do
      local up = line:upper()
      if not inside then
        if up:match(START) then inside = true end
      elseif up:match(END) or up:match("^END OF TH[EI]S? PROJECT GUTENBERG") then
        finished = true
        return nil
      else
        return line, n
      end
    end
    return nil
  end
end

function M.gutenberg_strip(text)
  local any_start = text:upper():find("\n%*%*%*%s*START OF") or text:upper():find("^%*%*%*%s*START OF")
  local out, inside = {}, not any_start
  for line in (text .. "\n"):gmatch("(.-)\r?\n") do
    local up = line:upper()
    if not inside then
      if up:match(START) then inside = true end
    elseif up:match(END) or up:match("^END OF TH[EI]S? PROJECT GUTENBERG") then
      break
    else
      out[#out + 1] = line
    end
  end
  return (table.concat(out, "\n"):gsub("^%s+", ""):gsub("%s+$", ""))
end

-- ------------------------------------------------------------ MediaWiki

local function xml_unescape(s)
  return (s:gsub("&(#?[%w]+);", function(name)
    if name == "lt" then return "<" elseif name == "gt" then return ">"
    elseif name == "amp" then return "&" elseif name == "quot" then return '"'
    elseif name == "apos" then return "'" end
    local cp = C.html_entity(name)
    if cp then return utf8.char(cp) end
    return "&" .. name .. ";"
  end))
end

local function decode_entities(s)
  return (s:gsub("&(#?%w+);", function(name)
    local cp = C.html_entity(name)
    if cp then return utf8.char(cp) end
    return nil
  end))
end

-- Convert one table ({| ... |}) to lines of tab-separated cells.
local function wiki_table(block)
  local rows, row = {}, {}
  local function cell(c)
    -- "attr=... | content": the content is after the last single bar
    local content = c:match("^[^|%[]*=[^|]*|([^|].*)$") or c
    row[#row + 1] = content:gsub("^%s+", ""):gsub("%s+$", "")
  end
  for line in (block .. "\n"):gmatch("(.-)\n") do
    local t = line:gsub("^%s+", "")
    if t:match("^{|") or t:match("^|}") then
      -- table start/end
    elseif t:match("^|%-") then
      if #row > 0 then rows[#rows + 1] = table.concat(row, "\t") row = {} end
    elseif t:match("^|%+") then
      rows[#rows + 1] = t:sub(3):gsub("^%s+", "")
    elseif t:match("^[|!]") then
      local body = t:sub(2)
      local sep = t:sub(1, 1) == "!" and "!!" or "||"
      local start = 1
      while true do
        local a, b = body:find(sep, start, true)
        if not a then cell(body:sub(start)) break end
        cell(body:sub(start, a - 1))
        start = b + 1
      end
    elseif #row > 0 and t ~= "" then
      row[#row] = row[#row] .. " " .. t
    end
  end
  if #row > 0 then rows[#rows + 1] = table.concat(row, "\t") end
  return "\n" .. table.concat(rows, "\n") .. "\n"
end

-- MediaWiki markup to plain text: comments, refs, templates (nested),
-- tables (rows become tab-separated lines), file/category links dropped,
-- [[target|label]] -> label, [url label] -> label, bold/italic quotes,
-- headings "== H ==" -> "H", list markers, HTML tags and entities.
function M.wiki_to_text(s)
  s = s:gsub("<!%-%-.-%-%->", "")
  s = s:gsub("<[Rr][Ee][Ff][^>]-/>", "")
  s = s:gsub("<[Rr][Ee][Ff][^>]->.-</[Rr][Ee][Ff]%s*>", "")
  -- tables before templates: both use braces
  local out, pos = {}, 1
  while true do
    local a = s:find("\n?%s*{|", pos)
    if not a then break end
    -- find the matching |} allowing nesting
    local depth, i, stop = 0, a, nil
    while true do
      local o = s:find("{|", i, true)
      local c = s:find("|}", i, true)
      if not c then break end
      if o and o < c then depth = depth + 1 i = o + 2
      else
        depth = depth - 1 i = c + 2
        if depth == 0 then stop = c + 1 break end
      end
    end
    if not stop then break end -- unterminated table: leave it
    out[#out + 1] = s:sub(pos, a - 1)
    out[#out + 1] = wiki_table(s:sub(a, stop))
    pos = stop + 1
  end
  out[#out + 1] = s:sub(pos)
  s = table.concat(out)
  -- templates {{...}} (balanced); repeat for safety with stray braces
  for _ = 1, 3 do
    local t = s:gsub("%b{}", function(b)
      if b:sub(1, 2) == "{{" then return "" end
      return nil
    end)
    if t == s then break end
    s = t
  end
  -- file, image and category links (may nest links in captions)
  s = s:gsub("%b[]", function(b)
    local inner = b:match("^%[%[%s*([^:|%]]+):")
    if inner then
      local ns = inner:lower()
      if ns == "file" or ns == "image" or ns == "category" or ns == "media" then return "" end
    end
    return nil
  end)
  s = s:gsub("%[%[([^%]|]-)|([^%]]-)%]%]", "%2")
  s = s:gsub("%[%[([^%]]-)%]%]", "%1")
  s = s:gsub("%[https?://[^%s%]]+%s+([^%]]-)%]", "%1")
  s = s:gsub("%[https?://[^%s%]]+%]", "")
  s = s:gsub("'''''", ""):gsub("'''", ""):gsub("''", "")
  s = s:gsub("__%u+__", "")
  local lines = {}
  for line in (s .. "\n"):gmatch("(.-)\n") do
    local h = line:match("^%s*=+%s*(.-)%s*=+%s*$")
    if h then line = h
    else line = line:gsub("^[%*#:;]+%s*", "") end
    lines[#lines + 1] = line
  end
  s = table.concat(lines, "\n")
  s = s:gsub("<[Bb][Rr]%s*/?>", "\n")
  s = s:gsub("</?%a[^<>]->", "")
  s = decode_entities(s)
  s = s:gsub("[ \t]+\n", "\n"):gsub("\n\n\n+", "\n\n"):gsub("[ \t][ \t]+", " ")
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

-- Streaming reader of a MediaWiki XML export: one page at a time.
-- Malformed input (a page never closed, text never closed, a page without a
-- title, a truncated file) is reported with the line where the page began.
function M.wiki(path, opts)
  local o, report = policy(opts, "data.wiki")
  local src = line_source(path, o, report, "data.wiki")
  local page, text_parts, in_text, in_revision
  local saw_root = false
  local finished = false
  local lastline = 0
  local function fail_page(msg)
    report(("%s:%d: %s"):format(path, page and page.line or lastline, msg))
    page, text_parts, in_text, in_revision = nil, nil, false, false
  end
  return function()
    if finished then return nil end
    for line, n in src do
      lastline = n
      if not saw_root and line:find("<mediawiki", 1, true) then saw_root = true end
      if in_text then
        local stop = line:find("</text>", 1, true)
        if stop then
          text_parts[#text_parts + 1] = line:sub(1, stop - 1)
          in_text = false
          page.text = xml_unescape(table.concat(text_parts, "\n"))
        elseif line:find("</page>", 1, true) then
          fail_page("<text> of page '" .. tostring(page.title) .. "' is not closed before </page>; page skipped")
        else
          text_parts[#text_parts + 1] = line
        end
      elseif line:find("<page>", 1, true) or line:find("<page ", 1, true) then
        if page then fail_page("<page> opened before the previous page was closed; previous page skipped") end
        page = { line = n }
        in_revision = false
      elseif page then
        local title = line:match("<title>(.-)</title>")
        if title then page.title = xml_unescape(title) end
        local ns = line:match("<ns>(%-?%d+)</ns>")
        if ns then page.ns = tonumber(ns) end
        if line:find("<revision", 1, true) then in_revision = true end
        local id = line:match("<id>(%d+)</id>")
        if id then
          if in_revision then page.revision = page.revision or tonumber(id) else page.id = page.id or tonumber(id) end
        end
        local ts = line:match("<timestamp>(.-)</timestamp>")
        if ts then page.timestamp = ts end
        local tstart, tend = line:find("<text[^>]*>")
        if line:find("<text[^>]*/>") then
          page.text = ""
        elseif tstart then
          local rest = line:sub(tend + 1)
          local stop = rest:find("</text>", 1, true)
          if stop then
            page.text = xml_unescape(rest:sub(1, stop - 1))
          else
            in_text = true
            text_parts = { rest }
          end
        end
        if line:find("</page>", 1, true) then
          local p = page
          page = nil
          if not p.title then
            report(("%s:%d: page without a <title>; skipped"):format(path, p.line))
          elseif not p.text then
            report(("%s:%d: page '%s' has no <text>; skipped"):format(path, p.line, p.title))
          else
            p.redirect = p.text:match("^%s*#[Rr][Ee][Dd][Ii][Rr][Ee][Cc][Tt]%s*:?%s*%[%[([^%]|]+)")
            p.plain = p.redirect and "" or M.wiki_to_text(p.text)
            return p
          end
        end
      end
    end
    finished = true
    if page then
      report(("%s:%d: truncated XML: page '%s' opened here is not closed at the end of the file (line %d)")
             :format(path, page.line, tostring(page.title), lastline))
    elseif not saw_root and lastline > 0 then
      report(("%s:1: not a MediaWiki export (no <mediawiki> element)"):format(path))
    end
    return nil
  end
end

-- ------------------------------------------------------------ JSONL

local function get_path(t, p)
  for key in p:gmatch("[^%.]+") do
    if type(t) ~= "table" then return nil end
    local v = t[key]
    if v == nil then v = t[tonumber(key) or key] end
    t = v
  end
  return t
end
M.get_path = get_path

-- One JSON value per line. opts.fields = {"text", "user.screen_name"}
-- returns a record {text = ..., ["user.screen_name"] = ...}; opts.require
-- (default: all fields) names fields whose absence makes a record malformed.
function M.jsonl(path, opts)
  local o, report = policy(opts, "data.jsonl")
  local src = line_source(path, o, report, "data.jsonl")
  local fields = o.fields
  local required = o.require or fields
  return function()
    for line, n in src do
      if line:match("%S") then
        local v, kind = C.json_decode(line)
        if v == nil then
          report(("%s:%d: broken JSON (%s); record skipped"):format(path, n, kind))
        elseif kind ~= "object" then
          report(("%s:%d: a JSON %s, not an object; record skipped"):format(path, n, kind))
        else
          local missing
          for _, f in ipairs(required or {}) do
            local x = get_path(v, f)
            if x == nil or x == C.null then missing = f break end
          end
          if missing then
            report(("%s:%d: record has no field '%s'; record skipped"):format(path, n, missing))
          elseif fields then
            local r = {}
            for _, f in ipairs(fields) do r[f] = get_path(v, f) end
            return r, n
          else
            return v, n
          end
        end
      end
    end
    return nil
  end
end

-- ------------------------------------------------------------ CSV

-- RFC 4180 CSV, streamed: quoted fields may hold separators, doubled quotes
-- and newlines. opts.sep (","), opts.header (true: rows are tables keyed by
-- the header's names), opts.columns (a fixed count to check; default: the
-- header's, else the first row's). A row with a different field count, or
-- a quote left open at the end of the file, is malformed. opts.comment
-- ("#") skips lines starting with it between records.
function M.csv(path, opts)
  local o, report = policy(opts, "data.csv")
  local sep = o.sep or ","
  if #sep ~= 1 or sep == '"' then error("data.csv: sep must be one character other than '\"'", 2) end
  local src = line_source(path, o, report, "data.csv")
  local header
  local want = o.columns
  local use_header = o.header ~= false
  local comment = o.comment
  local function parse_record()
    local fields, field, inq = {}, {}, false
    local first_line
    for line, n in src do
      if not inq and #fields == 0 and #field == 0 and comment and line:sub(1, #comment) == comment then
        goto next_line
      end
      first_line = first_line or n
      do
      local i, len = 1, #line
      while i <= len do
        local c = line:sub(i, i)
        if inq then
          if c == '"' then
            if line:sub(i + 1, i + 1) == '"' then field[#field + 1] = '"' i = i + 1
            else inq = false end
          else
            local j = line:find('"', i, true) or (len + 1)
            field[#field + 1] = line:sub(i, j - 1)
            i = j - 1
          end
        elseif c == '"' and #field == 0 then inq = true
        elseif c == sep then fields[#fields + 1] = table.concat(field) field = {}
        elseif c == '"' then field[#field + 1] = '"' -- a quote inside an unquoted field is kept
        else
          local j = line:find('[' .. (sep == "%" and "%%" or ("%" .. sep)) .. '"]', i) or (len + 1)
          field[#field + 1] = line:sub(i, j - 1)
          i = j - 1
        end
        i = i + 1
      end
      if inq then
        field[#field + 1] = "\n"
      else
        fields[#fields + 1] = table.concat(field)
        return fields, first_line
      end
      end
      ::next_line::
    end
    if first_line then
      report(("%s:%d: a quoted field opened here is not closed at the end of the file; record skipped")
             :format(path, first_line))
    end
    return nil
  end
  return function()
    while true do
      local row, n = parse_record()
      if not row then return nil end
      if not (#row == 1 and row[1] == "") then
        if use_header and not header then
          header = row
          want = want or #row
        else
          want = want or #row
          if #row ~= want then
            report(("%s:%d: %d field%s where %d were expected; row skipped")
                   :format(path, n, #row, #row == 1 and "" or "s", want))
          elseif header then
            local r = {}
            for i, name in ipairs(header) do r[name] = row[i] end
            return r, n
          else
            return row, n
          end
        end
      end
    end
  end
end

-- ------------------------------------------------------------ whole files

local function read_whole(path, fname)
  local f = open(path, fname)
  local size = f:seek("end")
  if size and size > MAX_WHOLE then
    f:close()
    error(("%s: %s is %d bytes, over the %d limit for whole-file reading"):format(fname, path, size, MAX_WHOLE), 3)
  end
  f:seek("set", 0)
  local s = f:read("a")
  f:close()
  return s
end

function M.json(path)
  local s = read_whole(path, "data.json")
  local v, err = C.json_decode(s)
  if v == nil then error(("data.json: %s: %s"):format(path, err), 2) end
  return v
end

function M.html_file(path, opts)
  local s = read_whole(path, "data.html_file")
  s = C.utf8_repair(s)
  return C.html_to_text(s, opts ~= nil and opts.boilerplate == false)
end

function M.files(dir, pattern)
  if not io.popen then error("data.files: listing folders is not available here (no io.popen in the sandbox)", 2) end
  local p = io.popen("find -L '" .. dir:gsub("'", "'\\''") .. "' -type f 2>/dev/null | LC_ALL=C sort")
  local out = {}
  for line in p:lines() do
    local name = line:match("([^/]+)$")
    if not pattern or name:match(pattern) then out[#out + 1] = line end
  end
  p:close()
  return out
end

-- ------------------------------------------------------------ e-mail

local function qp_decode(s)
  s = s:gsub("=\r?\n", "")
  return (s:gsub("=(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

local b64 = {}
do
  local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  for i = 1, 64 do b64[chars:sub(i, i)] = i - 1 end
end
local function b64_decode(s)
  s = s:gsub("[^%w%+/]", "")
  local out, bits, nbits = {}, 0, 0
  for c in s:gmatch(".") do
    bits = (bits << 6) | b64[c]
    nbits = nbits + 6
    if nbits >= 8 then
      nbits = nbits - 8
      out[#out + 1] = string.char((bits >> nbits) & 0xFF)
    end
  end
  return table.concat(out)
end
M.base64_decode = b64_decode
M.quoted_printable_decode = qp_decode

-- RFC 2047 encoded words in headers: =?charset?B|Q?text?=
local function decode_words(s)
  return (s:gsub("=%?([^?]+)%?([BbQq])%?([^?]*)%?=", function(_, enc, t)
    if enc == "B" or enc == "b" then return b64_decode(t) end
    return qp_decode((t:gsub("_", " ")))
  end))
end

local function parse_headers(block)
  local headers = {}
  local last
  for line in (block .. "\n"):gmatch("(.-)\r?\n") do
    if line:match("^[ \t]") and last then
      headers[last] = headers[last] .. " " .. line:gsub("^%s+", "")
    else
      local k, v = line:match("^([!-9;-~]+):%s*(.*)$")
      if k then
        k = k:lower()
        if headers[k] then headers[k] = headers[k] .. ", " .. v else headers[k] = v end
        last = k
      end
    end
  end
  for k, v in pairs(headers) do headers[k] = decode_words(v) end
  return headers
end

local function split_head_body(s)
  local a, b = s:find("\r?\n\r?\n")
  if not a then return s, "" end
  return s:sub(1, a - 1), s:sub(b + 1)
end

local function param(value, name)
  if not value then return nil end
  return value:match(name .. '%s*=%s*"([^"]*)"') or value:match(name .. "%s*=%s*([^;%s]+)")
end

local function decode_body(body, headers)
  local cte = (headers["content-transfer-encoding"] or ""):lower()
  if cte:find("quoted%-printable") then body = qp_decode(body)
  elseif cte:find("base64") then body = b64_decode(body) end
  local ct = (headers["content-type"] or "text/plain"):lower()
  local charset = (param(ct, "charset") or ""):lower()
  if charset:match("iso%-8859%-1") or charset:match("latin1") or charset:match("windows%-1252") then
    if C.utf8_check(body) then
      body = body:gsub("[\128-\255]", function(c) return utf8.char(c:byte()) end)
    end
  end
  return (C.utf8_repair(body))
end

-- Collect the text parts of a (possibly multipart) entity.
local function walk(headers, body, parts, depth)
  local ct = headers["content-type"] or "text/plain"
  local lct = ct:lower()
  if lct:match("^multipart/") and depth < 10 then
    local boundary = param(ct, "boundary")
    if not boundary then parts[#parts + 1] = { type = "text/plain", text = decode_body(body, headers), malformed = "multipart without a boundary" } return end
    local delim = "--" .. boundary
    local pos = 1
    local chunks = {}
    while true do
      local a, b = body:find(delim, pos, true)
      if not a then break end
      chunks[#chunks + 1] = b + 1
      pos = b + 1
    end
    for i = 1, #chunks - 1 do
      local seg = body:sub(chunks[i], (body:find(delim, chunks[i], true) or #body + 1) - 1)
      seg = seg:gsub("^\r?\n", "")
      local h, bb = split_head_body(seg)
      walk(parse_headers(h), bb, parts, depth + 1)
    end
    if #chunks == 1 then -- no closing boundary: take what follows the first one
      local h, bb = split_head_body((body:sub(chunks[1]):gsub("^\r?\n", "")))
      walk(parse_headers(h), bb, parts, depth + 1)
    end
  elseif lct:match("^text/") or not headers["content-type"] then
    local text = decode_body(body, headers)
    local kind = lct:match("^(text/[%w%-]+)") or "text/plain"
    parts[#parts + 1] = { type = kind, text = text }
  elseif lct:match("^message/rfc822") then
    local h, bb = split_head_body(body)
    walk(parse_headers(h), bb, parts, depth + 1)
  end
end

-- Parse one raw RFC 822 message (a string). body is the text/plain parts
-- joined, else the text/html parts converted to text.
function M.email(raw)
  if type(raw) ~= "string" then error("data.email: expected the message text, got " .. type(raw), 2) end
  local head, body = split_head_body(raw)
  local headers = parse_headers(head)
  if not next(headers) then return nil, "no headers (not an e-mail message)" end
  local parts = {}
  walk(headers, body, parts, 0)
  local plain, html = {}, {}
  for _, p in ipairs(parts) do
    if p.type == "text/html" then html[#html + 1] = C.html_to_text(p.text)
    else plain[#plain + 1] = p.text end
  end
  local text = #plain > 0 and table.concat(plain, "\n") or table.concat(html, "\n")
  return {
    headers = headers, subject = headers.subject, from = headers.from, to = headers.to,
    date = headers.date, parts = parts, body = text,
  }
end

function M.email_file(path, opts)
  local _, report = policy(opts, "data.email_file")
  local raw = read_whole(path, "data.email_file")
  if raw:find("\0", 1, true) then
    report(("%s:1: binary data (NUL byte), not an e-mail message"):format(path))
    return nil
  end
  local m, err = M.email(raw)
  if not m then report(("%s:1: %s"):format(path, err)) return nil end
  m.path = path
  return m
end

return M
