-- llm.outline: the machinery behind llm.course: index the course data
-- (modules -> weeks -> items, each item with a stable id), render the
-- progress checklist in exactly the markdown form of the outline's second
-- half, and read such a checklist back (ticks by item, with line numbers
-- for anything it does not recognise).
--
-- Layout: headings carry `blank = {before, after}` (blank lines around
-- them, as the outline has them) so that rendering reproduces the outline's
-- checklist byte for byte; item text is kept verbatim (markup, trailing
-- spaces and all).
local M = {}

-- Split text into lines (a final newline does not start a new line).
local function lines_of(text)
  local out = {}
  for line in (text .. (text:sub(-1) == "\n" and "" or "\n")):gmatch("(.-)\r?\n") do out[#out + 1] = line end
  return out
end
M.lines_of = lines_of

local function blanks(out, n)
  for _ = 1, n or 0 do out[#out + 1] = "" end
end

-- Text for people: markdown bold removed, spaces trimmed.
function M.plain(text)
  return (text:gsub("%*%*", ""):gsub("^%s+", ""):gsub("%s+$", ""))
end

-- The key two item texts are compared by: bold markers dropped, spaces
-- collapsed and trimmed, case kept.
local function norm(text)
  return (text:gsub("%*%*", ""):gsub("%s+", " "):gsub("^ ", ""):gsub(" $", ""))
end

-- Build the course object from its data (see lua/llm/course.lua).
function M.build(data)
  local C = {
    modules = data.modules,
    assessment = data.assessment,
    trailing_blank_lines = data.trailing_blank_lines or 0,
    weeks = {},  -- [n] = week
    items = {},  -- every item in outline order (children after their parent)
    by_id = {},
    labs = {},   -- [n] = lab item
  }
  local function add(item, week, module, parent, depth)
    if C.by_id[item.id] then error("course: duplicate item id " .. item.id) end
    item.week = week and week.week or nil
    item.module = module and module.numeral or nil
    item.parent = parent and parent.id or nil
    item.depth = depth
    C.items[#C.items + 1] = item
    C.by_id[item.id] = item
    if item.kind == "lab" then C.labs[item.lab] = item end
    for _, child in ipairs(item.children or {}) do add(child, week, module, item, depth + 1) end
  end
  for mi, m in ipairs(C.modules) do
    m.index = mi
    for _, w in ipairs(m.weeks) do
      w.module = m.numeral
      C.weeks[w.week] = w
      for _, it in ipairs(w.items) do add(it, w, m, nil, 0) end
    end
  end
  if C.assessment then
    for _, it in ipairs(C.assessment.items) do add(it, nil, nil, nil, 0) end
  end

  function C.item(id) return C.by_id[id] end
  function C.week(n) return C.weeks[tonumber(n)] end
  function C.lab(n) return C.labs[tonumber(n)] end

  -- Every item of a week, children included, in order.
  function C.week_items(n)
    local out, w = {}, C.weeks[tonumber(n)]
    if not w then return out end
    local function walk(list)
      for _, it in ipairs(list) do
        out[#out + 1] = it
        walk(it.children or {})
      end
    end
    walk(w.items)
    return out
  end

  -- Ids of a week's topics (what passing its quiz ticks).
  function C.week_topic_ids(n)
    local out = {}
    for _, it in ipairs(C.week_items(n)) do
      if it.kind == "topic" then out[#out + 1] = it.id end
    end
    return out
  end

  -- The checklist markdown; ticks = {id = true} (or a function id -> bool).
  function C.render(ticks)
    ticks = ticks or {}
    local ticked = type(ticks) == "function" and ticks or function(id) return ticks[id] and true or false end
    local out = {}
    local function items(list, depth)
      for _, it in ipairs(list) do
        out[#out + 1] = string.rep("    ", depth) .. "- [" .. (ticked(it.id) and "x" or " ") .. "] " .. it.text
        items(it.children or {}, depth + 1)
      end
    end
    for _, m in ipairs(C.modules) do
      blanks(out, m.blank[1])
      out[#out + 1] = "**Module " .. m.numeral .. ": " .. m.title .. "**"
      blanks(out, m.blank[2])
      for _, w in ipairs(m.weeks) do
        blanks(out, w.blank[1])
        out[#out + 1] = "**Week " .. w.week .. ": " .. w.title .. "**"
        blanks(out, w.blank[2])
        items(w.items, 0)
      end
    end
    if C.assessment then
      local a = C.assessment
      blanks(out, a.blank[1])
      out[#out + 1] = "**" .. a.title .. "**"
      blanks(out, a.blank[2])
      items(a.items, 0)
    end
    blanks(out, C.trailing_blank_lines)
    return table.concat(out, "\n") .. "\n"
  end

  -- Read a markdown checklist (the export, or the whole outline). Returns
  -- {id = true|false} for every item found, or nil and a list of
  -- "NAME:LINE: problem" messages. Items are matched by their text within
  -- their week (bold and spacing ignored); order and indentation are free.
  function C.parse(text, name)
    name = name or "checklist"
    if type(text) ~= "string" then return nil, { name .. ": not text" } end
    local index = {} -- section key -> normalised text -> item
    local function section_of(list, key)
      index[key] = index[key] or {}
      local function walk(l)
        for _, it in ipairs(l) do
          index[key][norm(it.text)] = it
          walk(it.children or {})
        end
      end
      walk(list)
    end
    for n, w in pairs(C.weeks) do section_of(w.items, "week " .. n) end
    if C.assessment then section_of(C.assessment.items, "assessment") end

    local ticks, errors, seen = {}, {}, {}
    local section
    for ln, line in ipairs(lines_of(text)) do
      local week = line:match("^%*%*Week (%d+):.*%*%*%s*$")
      if week then
        section = "week " .. tonumber(week)
        if not index[section] then
          errors[#errors + 1] = string.format("%s:%d: there is no week %s in the course", name, ln, week)
          section = nil
        end
      elseif C.assessment and line:match("^%*%*" .. C.assessment.title:gsub("%p", "%%%0") .. "%*%*%s*$") then
        section = "assessment"
      elseif line:match("^%*%*Module [IVXLC]+:") then
        section = nil
      else
        local mark, body = line:match("^%s*[-*] %[(.)%] (.*)$")
        if not mark then mark, body = line:match("^%s*[-*] %[(.)%]()$"), "" end
        if mark then
          local it = section and index[section][norm(body)]
          if mark ~= " " and mark ~= "x" and mark ~= "X" then
            errors[#errors + 1] = string.format("%s:%d: a tick must be [ ], [x] or [X], not [%s]", name, ln, mark)
          elseif not section then
            errors[#errors + 1] = string.format("%s:%d: checklist item outside a week heading: %s", name, ln, body)
          elseif not it then
            errors[#errors + 1] = string.format("%s:%d: not an item of %s: %s", name, ln, section, body)
          elseif seen[it.id] then
            errors[#errors + 1] = string.format("%s:%d: item %s already appeared on line %d", name, ln, it.id,
                                                seen[it.id])
          else
            seen[it.id] = ln
            ticks[it.id] = mark ~= " "
          end
        end
      end
    end
    if #errors > 0 then return nil, errors end
    if next(ticks) == nil then return nil, { name .. ": no checklist items found" } end
    return ticks
  end

  -- Progress over a list of items: done, total.
  function C.count(list, checked)
    local done = 0
    for _, it in ipairs(list) do
      if checked[it.id] then done = done + 1 end
    end
    return done, #list
  end

  return C
end

-- Read the checklist half of an outline into the course data form (used by
-- tools/make-course.lua): modules with their weeks and items (text verbatim,
-- blank lines around headings) and the assessment section.
function M.read_structure(text)
  local lines = lines_of(text)
  local first_item
  for i, l in ipairs(lines) do
    if l:match("^%- %[.%] ") then first_item = i; break end
  end
  if not first_item then error("outline: no checklist items") end
  local start
  for i = first_item, 1, -1 do
    if lines[i]:match("^%*%*Module ") then start = i; break end
  end
  if not start then error("outline: no module heading before the first checklist item") end
  local data = { modules = {} }
  local blank_run = 0
  local last_heading -- the heading whose "after" count is open
  local cur_module, cur_week, cur_list
  local stack = {}
  for i = start, #lines do
    local l = lines[i]
    if l == "" then
      blank_run = blank_run + 1
    else
      local numeral, mtitle = l:match("^%*%*Module ([IVXLC]+): (.*)%*%*$")
      local wnum, wtitle = l:match("^%*%*Week (%d+): (.*)%*%*$")
      local atitle = l:match("^%*%*(Assessment)%*%*$")
      if last_heading then last_heading.blank[2] = blank_run; last_heading = nil; blank_run = 0 end
      if numeral then
        cur_module = { numeral = numeral, title = mtitle, blank = { blank_run, 0 }, weeks = {} }
        data.modules[#data.modules + 1] = cur_module
        last_heading = cur_module
      elseif wnum then
        cur_week = { week = tonumber(wnum), title = wtitle, blank = { blank_run, 0 }, items = {} }
        cur_module.weeks[#cur_module.weeks + 1] = cur_week
        cur_list = cur_week.items
        stack = {}
        last_heading = cur_week
      elseif atitle then
        data.assessment = { title = atitle, blank = { blank_run, 0 }, items = {} }
        cur_list = data.assessment.items
        stack = {}
        last_heading = data.assessment
      else
        local indent, mark, body = l:match("^( *)%- %[(.)%] (.*)$")
        if not indent then error(string.format("outline: line %d is not a heading or an item: %s", i, l)) end
        if blank_run > 0 then error(string.format("outline: blank line inside a list before line %d", i)) end
        local depth = #indent // 4
        local item = { text = body, ticked = mark ~= " " }
        if depth == 0 then
          cur_list[#cur_list + 1] = item
        else
          local parent = stack[depth - 1]
          parent.children = parent.children or {}
          parent.children[#parent.children + 1] = item
        end
        stack[depth] = item
      end
      blank_run = 0
    end
  end
  data.trailing_blank_lines = blank_run
  return data
end

return M
