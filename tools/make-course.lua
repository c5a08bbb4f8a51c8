-- tools/make-course.lua OUTLINE.md > lua/llm/course.lua
-- Writes the course manifest from the course outline: the checklist half
-- gives the structure and the item text (it is the authority); the first
-- half gives the modules' full titles and each lab's description. Ids:
-- wNN.tMM topics (wNN.tMM.K their sub-items), wNN.labMM labs (course-wide
-- lab number), wNN.dMM discussions, w33.capstone, w33.presentations,
-- assess.MM the assessment items. Run once; afterwards the manifest is
-- maintained by hand (keep ids stable: progress is stored by id).
local outline = require "llm.outline"

local path = arg[1] or error("usage: llmlab run tools/make-course.lua OUTLINE.md")
local f = assert(io.open(path, "rb"))
local text = f:read("a")
f:close()

local data = outline.read_structure(text)

-- First half: module titles and lab descriptions.
local module_titles, lab_outline = {}, {}
for _, l in ipairs(outline.lines_of(text)) do
  if l:match("^%- %[") then break end
  local numeral, title = l:match("^%*%*Module ([IVXLC]+): (.*)%*%*%s*$")
  if numeral and not module_titles[numeral] then module_titles[numeral] = title end
  local n, desc = l:match("^%s*%* %*%*Lab (%d+):%*%* (.*)$")
  if n then lab_outline[tonumber(n)] = desc end
end

local function assign(week, list)
  local wid = string.format("w%02d", week)
  local t, d = 0, 0
  for _, it in ipairs(list) do
    local lab = it.text:match("^%*%*Lab (%d+):%*%*")
    if lab then
      it.kind, it.lab = "lab", tonumber(lab)
      it.id = string.format("%s.lab%02d", wid, it.lab)
      it.outline = lab_outline[it.lab]
    elseif it.text:match("^%*%*[%w ]*Discussion:%*%*") then
      d = d + 1
      it.kind, it.id = "discussion", string.format("%s.d%02d", wid, d)
    elseif it.text:match("^%*%*Capstone Project:%*%*") then
      it.kind, it.id = "project", wid .. ".capstone"
    elseif it.text:match("^%*%*Project Presentations:%*%*") then
      it.kind, it.id = "project", wid .. ".presentations"
    else
      t = t + 1
      it.kind, it.id = "topic", string.format("%s.t%02d", wid, t)
    end
    for k, child in ipairs(it.children or {}) do
      child.kind, child.id = "topic", it.id .. "." .. k
    end
  end
end

for _, m in ipairs(data.modules) do
  m.outline_title = module_titles[m.numeral]
  for _, w in ipairs(m.weeks) do assign(w.week, w.items) end
end
for i, it in ipairs(data.assessment.items) do
  it.kind, it.id = "assessment", string.format("assess.%02d", i)
end

local out = {}
local function w(s) out[#out + 1] = s end
local function q(s) return string.format("%q", s) end
local function item(it, indent)
  local pad = string.rep("  ", indent)
  local extra = ""
  if it.lab then extra = extra .. ", lab = " .. it.lab end
  if it.outline then extra = extra .. ",\n" .. pad .. "  outline = " .. q(it.outline) end
  if it.children then
    w(pad .. "{ id = " .. q(it.id) .. ", kind = " .. q(it.kind) .. ", text = " .. q(it.text) .. extra .. ",")
    w(pad .. "  children = {")
    for _, c in ipairs(it.children) do item(c, indent + 2) end
    w(pad .. "  } },")
  else
    w(pad .. "{ id = " .. q(it.id) .. ", kind = " .. q(it.kind) .. ", text = " .. q(it.text) .. extra .. " },")
  end
end

w("-- llm.course: the course manifest: 12 modules, 33 weeks, their topics,")
w("-- the 63 labs, discussions, the capstone and the assessment, each with a")
w("-- stable id (progress is stored by id: never renumber). Written from")
w("-- course-outline.md by tools/make-course.lua; its checklist half is the")
w("-- authority for item text, kept verbatim so that `llmlab progress export`")
w("-- reproduces it byte for byte (blank = blank lines before/after a heading).")
w("-- Item kinds: topic, lab, discussion, project, assessment. `outline` is the")
w("-- lab's description in the outline's first half.")
w("local data = {")
w("  modules = {")
for _, m in ipairs(data.modules) do
  w("    { numeral = " .. q(m.numeral) .. ", title = " .. q(m.title) .. ", blank = { " .. m.blank[1] .. ", " .. m.blank[2] .. " },")
  w("      outline_title = " .. q(m.outline_title) .. ",")
  w("      weeks = {")
  for _, wk in ipairs(m.weeks) do
    w("        { week = " .. wk.week .. ", title = " .. q(wk.title) .. ", blank = { " .. wk.blank[1] .. ", " .. wk.blank[2] .. " },")
    w("          items = {")
    for _, it in ipairs(wk.items) do item(it, 6) end
    w("          } },")
  end
  w("      } },")
end
w("  },")
local a = data.assessment
w("  assessment = { title = " .. q(a.title) .. ", blank = { " .. a.blank[1] .. ", " .. a.blank[2] .. " },")
w("    items = {")
for _, it in ipairs(a.items) do item(it, 3) end
w("    } },")
w("  trailing_blank_lines = " .. data.trailing_blank_lines .. ",")
w("}")
w("")
w("return require(\"llm.outline\").build(data)")
io.write(table.concat(out, "\n"), "\n")
