-- llm.ui.layout: the arithmetic of the UI's screens, kept apart from
-- drawing so it can be tested: splitting the terminal into panes, keeping
-- a cursor visible in a scrolled list, filling a gauge. Rectangles are
-- {x=, y=, w=, h=} in 0-based screen cells.
local M = {}

function M.rect(x, y, w, h) return { x = x, y = y, w = math.max(0, w), h = math.max(0, h) } end

-- The inside of a bordered pane.
function M.inner(r) return M.rect(r.x + 1, r.y + 1, r.w - 2, r.h - 2) end

-- Share `total` cells among `spec`: integers are fixed sizes, numbers in
-- (0, 1) fractions of what the fixed sizes leave, "*" an equal share of
-- the rest. Sizes always add up to `total` (the last flexible part takes
-- the rounding) and are never negative.
function M.share(total, spec)
  local sizes, fixed, stars = {}, 0, 0
  for i, s in ipairs(spec) do
    if s == "*" then stars = stars + 1
    elseif math.type(s) == "integer" then fixed = fixed + s; sizes[i] = s end
  end
  local free = math.max(0, total - fixed)
  local used = 0
  for i, s in ipairs(spec) do
    if type(s) == "number" and math.type(s) == "float" then
      sizes[i] = math.floor(free * s)
      used = used + sizes[i]
    end
  end
  local rest = math.max(0, free - used)
  local each = stars > 0 and math.floor(rest / stars) or 0
  local last_flex
  for i, s in ipairs(spec) do
    if s == "*" then sizes[i] = each; last_flex = i
    elseif math.type(s) == "float" then last_flex = last_flex or i end
  end
  -- Give the rounding to the last "*" (or fraction), or trim fixed parts
  -- from the end when they do not fit.
  local sum = 0
  for i = 1, #spec do sum = sum + sizes[i] end
  if last_flex and sum < total then sizes[last_flex] = sizes[last_flex] + (total - sum); sum = total end
  local i = #spec
  while sum > total and i >= 1 do
    local cut = math.min(sizes[i], sum - total)
    sizes[i] = sizes[i] - cut
    sum = sum - cut
    i = i - 1
  end
  return sizes
end

-- Split a rectangle into rows (top to bottom) or columns (left to right).
function M.rows(r, spec)
  local out, y = {}, r.y
  for i, h in ipairs(M.share(r.h, spec)) do
    out[i] = M.rect(r.x, y, r.w, h)
    y = y + h
  end
  return out
end

function M.cols(r, spec)
  local out, x = {}, r.x
  for i, w in ipairs(M.share(r.w, spec)) do
    out[i] = M.rect(x, r.y, w, r.h)
    x = x + w
  end
  return out
end

-- The lab screen: header line, step pane on the left, output above the
-- plot on the right, the REPL prompt along the bottom, the status line.
function M.lab(w, h)
  local full = M.rect(0, 0, w, h)
  local header, body, repl, status = table.unpack(M.rows(full, { 1, "*", 3, 1 }))
  local left, right = table.unpack(M.cols(body, { 0.5, "*" }))
  local output, plot = table.unpack(M.rows(right, { 0.42, "*" }))
  return { header = header, step = left, output = output, plot = plot, repl = repl, status = status }
end

-- The course screen: header, gauge, the outline tree and the details.
function M.course(w, h)
  local full = M.rect(0, 0, w, h)
  local header, gauge, body, status = table.unpack(M.rows(full, { 1, 1, "*", 1 }))
  local tree, detail = table.unpack(M.cols(body, { 0.6, "*" }))
  return { header = header, gauge = gauge, tree = tree, detail = detail, status = status }
end

-- A screen with one big pane (checklist, quiz, runs, help).
function M.single(w, h)
  local full = M.rect(0, 0, w, h)
  local header, body, status = table.unpack(M.rows(full, { 1, "*", 1 }))
  return { header = header, body = body, status = status }
end

-- The first visible line of a list of `count` lines shown `height` at a
-- time, moved as little as possible so that `cursor` (1-based) is seen.
function M.scroll(offset, cursor, height, count)
  if height <= 0 or count <= 0 then return 0 end
  if cursor < 1 then cursor = 1 end
  if cursor > count then cursor = count end
  if cursor - 1 < offset then offset = cursor - 1 end
  if cursor > offset + height then offset = cursor - height end
  local max = math.max(0, count - height)
  if offset > max then offset = max end
  if offset < 0 then offset = 0 end
  return offset
end

-- How many of `width` gauge cells are full for done/total.
function M.gauge_fill(width, done, total)
  if total <= 0 or width <= 0 then return 0 end
  local f = math.floor(width * done / total + 1e-9)
  if f < 0 then f = 0 end
  if f > width then f = width end
  return f
end

return M
