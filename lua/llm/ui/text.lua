-- llm.ui.text: text laid out for the UI's panes. Lines are lists of
-- segments {text, style}; styles are the names src/app/tui/draw.c knows
-- ("normal", "bold", "code", "heading", ...). Markdown (the course's
-- subset) is split into blocks by llm.markdown and wrapped here to the
-- pane's width, keeping **bold** and `code` as styles rather than
-- escape codes. Widths count display columns (UTF-8 aware).
local M = {}

-- Display width: the C one (wcwidth) inside the UI, else code points.
local cwidth
do
  local ok, tui = pcall(require, "llm.tui")
  if ok and type(tui) == "table" then cwidth = tui.width end
end
function M.width(s)
  if cwidth then return cwidth(s) end
  return utf8.len(s) or #s
end

-- The longest prefix of s that fits in w columns (on character bounds).
function M.truncate(s, w)
  if M.width(s) <= w then return s end
  local out, used = {}, 0
  for _, c in utf8.codes(s, true) do
    local ch = utf8.char(c)
    local cw = M.width(ch)
    if used + cw > w then break end
    out[#out + 1] = ch
    used = used + cw
  end
  return table.concat(out)
end

-- Pad or cut to exactly w columns.
function M.fit(s, w)
  s = M.truncate(s, w)
  return s .. string.rep(" ", w - M.width(s))
end

-- Inline markup: **bold** and `code` become styled segments.
function M.inline(s, base)
  base = base or "normal"
  local segs, i = {}, 1
  while i <= #s do
    local b1 = s:find("**", i, true)
    local c1 = s:find("`", i, true)
    local first = math.min(b1 or math.huge, c1 or math.huge)
    if first == math.huge then
      segs[#segs + 1] = { s:sub(i), base }
      break
    end
    if first > i then segs[#segs + 1] = { s:sub(i, first - 1), base } end
    if first == b1 then
      local e = s:find("**", b1 + 2, true)
      if not e then segs[#segs + 1] = { s:sub(b1), base }; break end
      segs[#segs + 1] = { s:sub(b1 + 2, e - 1), "bold" }
      i = e + 2
    else
      local e = s:find("`", c1 + 1, true)
      if not e then segs[#segs + 1] = { s:sub(c1), base }; break end
      segs[#segs + 1] = { s:sub(c1 + 1, e - 1), "code" }
      i = e + 1
    end
  end
  return segs
end

-- Wrap styled segments to `width` columns; `first`/`rest` are plain
-- prefixes of the first and following lines (list markers, indents).
-- Words longer than a line are cut.
function M.wrap(segs, width, first, rest)
  first, rest = first or "", rest or first or ""
  local lines = {}
  local line, used
  local function new_line(prefix)
    line = {}
    if prefix ~= "" then line[1] = { prefix, "normal" } end
    used = M.width(prefix)
    lines[#lines + 1] = line
  end
  new_line(first)
  local pending_space = false
  for _, seg in ipairs(segs) do
    local text, style = seg[1], seg[2]
    local pos = 1
    while pos <= #text do
      local s, e = text:find("%s+", pos)
      local word
      if s == pos then
        pending_space = used > M.width(#lines == 1 and first or rest)
        pos = e + 1
      else
        word = text:sub(pos, (s or #text + 1) - 1)
        pos = s or #text + 1
      end
      if word then
        local ww = M.width(word)
        local sp = pending_space and 1 or 0
        if used + sp + ww > width and used > M.width(#lines == 1 and first or rest) then
          new_line(rest)
          sp = 0
        end
        if sp == 1 then line[#line + 1] = { " ", style }; used = used + 1 end
        -- Cut a word longer than the line.
        while used + M.width(word) > width and width - used > 0 do
          local part = M.truncate(word, width - used)
          if part == "" then break end
          line[#line + 1] = { part, style }
          word = word:sub(#part + 1)
          new_line(rest)
        end
        if word ~= "" then
          line[#line + 1] = { word, style }
          used = used + M.width(word)
        end
        pending_space = false
      end
    end
  end
  return lines
end

-- Plain text to lines of at most `width` columns (long lines are folded,
-- tabs become spaces). Used by the output pane.
function M.fold(text, width)
  local out = {}
  text = text:gsub("\t", "    ")
  for raw in (text .. "\n"):gmatch("(.-)\n") do
    raw = raw:gsub("\r", "")
    if raw == "" then out[#out + 1] = "" end
    while raw ~= "" do
      local part = M.truncate(raw, math.max(1, width))
      if part == "" then part = raw:sub(1, 1) end
      out[#out + 1] = part
      raw = raw:sub(#part + 1)
    end
  end
  return out
end

-- The course's Markdown subset rendered to styled lines of `width`.
function M.markdown(src, width)
  local md = require "llm.markdown"
  local lines = {}
  local function add(l) lines[#lines + 1] = l end
  for _, b in ipairs(md.blocks(src)) do
    if b.kind == "heading" then
      local segs = M.inline(b.text, "heading")
      for _, s in ipairs(segs) do s[2] = "heading" end
      for _, l in ipairs(M.wrap(segs, width)) do add(l) end
      add({})
    elseif b.kind == "para" then
      for _, l in ipairs(M.wrap(M.inline(b.text), width)) do add(l) end
    elseif b.kind == "item" then
      local ind = string.rep(" ", b.indent or 0)
      local marker = b.marker
      if marker == "-" or marker == "*" or marker == "+" then marker = M.bullet or "-" end
      local first = ind .. marker .. " "
      for _, l in ipairs(M.wrap(M.inline(b.text), width, first, string.rep(" ", M.width(first)))) do add(l) end
    elseif b.kind == "code" then
      for _, cl in ipairs(b.lines) do
        for _, f in ipairs(M.fold(cl, math.max(1, width - 2))) do add({ { "  ", "normal" }, { f, "code" } }) end
      end
    elseif b.kind == "blank" then
      if #lines > 0 and #lines[#lines] > 0 then add({}) end
    end
    -- a block after a fenced code block or a list starts on a new line
    if (b.kind == "code") then add({}) end
  end
  -- no two blank lines in a row, none at the end
  local out = {}
  for _, l in ipairs(lines) do
    if not (#l == 0 and (#out == 0 or #out[#out] == 0)) then out[#out + 1] = l end
  end
  while #out > 0 and #out[#out] == 0 do out[#out] = nil end
  return out
end

-- A line of segments as plain text (for tests and search).
function M.plain(line)
  local t = {}
  for i, s in ipairs(line) do t[i] = s[1] end
  return table.concat(t)
end

return M
