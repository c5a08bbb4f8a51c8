-- llm.markdown: renders the small Markdown subset of lab and quiz text for
-- a terminal: headings (#, ##, ###), bullet and numbered lists, paragraphs
-- (re-wrapped to the width), **bold**, `code`, and ``` fenced blocks
-- (kept verbatim, indented). With color=true it uses ANSI bold/underline/
-- cyan; without, the output is plain text (markers removed, `code` kept in
-- backticks so it still stands out). The CLI passes color = stdout is a TTY;
-- the TUI reuses `blocks` to lay text out itself.
--
--   local md = require "llm.markdown"
--   io.write(md.render(text, {width = 80, color = false}))
--   md.blocks(text) -> {{kind="heading", level=1, text=...}, {kind="para", text=...},
--                       {kind="item", marker="-"|"1.", indent=n, text=...},
--                       {kind="code", lang=..., lines={...}}, {kind="blank"}}
local M = {}

local ESC = string.char(27)
local BOLD, UNDER, CYAN, RESET = ESC .. "[1m", ESC .. "[4m", ESC .. "[36m", ESC .. "[0m"

-- Split text into blocks. Consecutive non-blank lines form one paragraph;
-- a list item's continuation lines (indented) join the item.
function M.blocks(text)
  local out = {}
  local lines = {}
  text = tostring(text or ""):gsub("\r\n", "\n")
  for line in (text .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = line end
  -- Remove the common indentation (text often sits indented in a [[ ]] string).
  local common
  for _, l in ipairs(lines) do
    if l:find("%S") then
      local ind = #l:match("^ *")
      if not common or ind < common then common = ind end
    end
  end
  if common and common > 0 then
    for i, l in ipairs(lines) do lines[i] = l:sub(common + 1) end
  end
  local i = 1
  local function last() return out[#out] end
  while i <= #lines do
    local l = lines[i]
    local fence, lang = l:match("^(%s*```+)%s*([%w_+-]*)%s*$")
    if fence then
      local indent = #fence:match("^%s*")
      local code = {}
      i = i + 1
      while i <= #lines and not lines[i]:match("^%s*```+%s*$") do
        code[#code + 1] = lines[i]:sub(indent + 1)
        i = i + 1
      end
      out[#out + 1] = { kind = "code", lang = lang ~= "" and lang or nil, lines = code }
      i = i + 1
    elseif not l:find("%S") then
      if last() and last().kind ~= "blank" then out[#out + 1] = { kind = "blank" } end
      i = i + 1
    else
      local hashes, htext = l:match("^(#+)%s+(.-)%s*#*%s*$")
      local ind, marker, itext = l:match("^(%s*)([-*+])%s+(.*)$")
      if not marker then ind, marker, itext = l:match("^(%s*)(%d+[.)])%s+(.*)$") end
      if hashes and #hashes <= 6 then
        out[#out + 1] = { kind = "heading", level = #hashes, text = htext }
      elseif marker then
        out[#out + 1] = { kind = "item", marker = marker, indent = #ind, text = itext }
      else
        local b = last()
        if b and (b.kind == "para" or (b.kind == "item" and l:match("^%s+"))) then
          b.text = b.text .. " " .. l:match("^%s*(.-)%s*$")
        else
          out[#out + 1] = { kind = "para", text = l:match("^%s*(.-)%s*$") }
        end
      end
      i = i + 1
    end
  end
  while out[1] and out[1].kind == "blank" do table.remove(out, 1) end
  while out[#out] and out[#out].kind == "blank" do out[#out] = nil end
  return out
end

-- Inline markup: **bold** and `code`. Returns the styled string and its
-- visible length-preserving plain form (for wrapping).
local function inline(s, color)
  -- Protect code spans first so ** inside them stays literal.
  local spans = {}
  s = s:gsub("`([^`]+)`", function(c)
    spans[#spans + 1] = c
    return "\0" .. #spans .. "\0"
  end)
  if color then
    s = s:gsub("%*%*(.-)%*%*", BOLD .. "%1" .. RESET)
  else
    s = s:gsub("%*%*(.-)%*%*", "%1")
  end
  s = s:gsub("%z(%d+)%z", function(n)
    local c = spans[tonumber(n)]
    if color then return CYAN .. c .. RESET end
    return "`" .. c .. "`"
  end)
  return s
end

local function visible_len(s)
  s = s:gsub(ESC .. "%[[%d;]*m", "")
  return utf8.len(s) or #s
end

-- Wrap words to width, first line prefixed by `first`, others by `rest`.
local function wrap(text, width, first, rest)
  local lines, cur, curlen = {}, first, visible_len(first)
  local empty = true
  for word in text:gmatch("%S+") do
    local wl = visible_len(word)
    if not empty and curlen + 1 + wl > width then
      lines[#lines + 1] = cur
      cur, curlen, empty = rest .. word, visible_len(rest) + wl, false
    else
      cur = cur .. (empty and "" or " ") .. word
      curlen = curlen + (empty and 0 or 1) + wl
      empty = false
    end
  end
  lines[#lines + 1] = cur
  return table.concat(lines, "\n")
end

-- Render text to a string ending in a newline (empty text gives "").
function M.render(text, opts)
  opts = opts or {}
  local width = opts.width or 80
  local color = opts.color
  local parts = {}
  for _, b in ipairs(M.blocks(text)) do
    if b.kind == "blank" then
      parts[#parts + 1] = ""
    elseif b.kind == "heading" then
      local t = inline(b.text, color)
      if color then
        parts[#parts + 1] = BOLD .. (b.level == 1 and UNDER or "") .. t .. RESET
      else
        parts[#parts + 1] = t
        if b.level <= 2 then
          parts[#parts + 1] = string.rep(b.level == 1 and "=" or "-", visible_len(t))
        end
      end
    elseif b.kind == "item" then
      local bullet = b.marker:match("%d") and b.marker or "-"
      if color and not b.marker:match("%d") then bullet = "•" end
      local pad = string.rep(" ", b.indent)
      parts[#parts + 1] = wrap(inline(b.text, color), width, pad .. bullet .. " ",
        pad .. string.rep(" ", visible_len(bullet) + 1))
    elseif b.kind == "para" then
      parts[#parts + 1] = wrap(inline(b.text, color), width, "", "")
    elseif b.kind == "code" then
      for _, l in ipairs(b.lines) do
        parts[#parts + 1] = "    " .. (color and (CYAN .. l .. RESET) or l)
      end
    end
  end
  if #parts == 0 then return "" end
  return table.concat(parts, "\n") .. "\n"
end

return M
