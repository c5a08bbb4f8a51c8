-- llm.lint: line numbers for lint messages about data files (labs,
-- quizzes) that return one big table constructor. `source_map` tokenises
-- the Lua source and walks the returned constructor, recording the line
-- where each field starts under a path such as "steps[3].check" or
-- "questions[2]". A linter then reports "file:LINE: path: problem" even
-- though the loaded table itself has no line information.
--
--   local lint = require "llm.lint"
--   local map = lint.source_map(src)
--   lint.line(map, "steps[3].check")   -- the field's line, or its nearest parent's
--   local errs = lint.collector(path, map); errs:add("steps[2]", "missing title"); errs:list()
--   errs:unknown_fields("steps[2]", step, KNOWN_KEYS, "step")
local M = {}

-- Tokens: {t = "name"|"string"|"number"|"op"|"eof", v = text, line = n}
function M.tokens(src)
  local toks, i, line, n = {}, 1, 1, #src
  local function push(t, v) toks[#toks + 1] = { t = t, v = v, line = line } end
  while i <= n do
    local c = src:sub(i, i)
    if c == "\n" then
      line = line + 1; i = i + 1
    elseif c:match("%s") then
      i = i + 1
    elseif src:sub(i, i + 1) == "--" then
      local eqs = src:match("^%[(=*)%[", i + 2)
      if eqs then
        local close = "]" .. eqs .. "]"
        local e = src:find(close, i, true) or n
        for _ in src:sub(i, e):gmatch("\n") do line = line + 1 end
        i = e + #close
      else
        local e = src:find("\n", i, true) or n + 1
        i = e
      end
    elseif c == "[" and src:match("^%[=*%[", i) then
      local eqs = src:match("^%[(=*)%[", i)
      local close = "]" .. eqs .. "]"
      local e = src:find(close, i, true) or n
      push("string", "")
      for _ in src:sub(i, e):gmatch("\n") do line = line + 1 end
      i = e + #close
    elseif c == '"' or c == "'" then
      local j = i + 1
      local startline = line
      while j <= n do
        local d = src:sub(j, j)
        if d == "\\" then
          if src:sub(j + 1, j + 1) == "\n" then line = line + 1 end
          if src:sub(j + 1, j + 1) == "z" then
            j = j + 2
            while j <= n and src:sub(j, j):match("%s") do
              if src:sub(j, j) == "\n" then line = line + 1 end
              j = j + 1
            end
          else
            j = j + 2
          end
        elseif d == c or d == "\n" then
          break
        else
          j = j + 1
        end
      end
      toks[#toks + 1] = { t = "string", v = src:sub(i + 1, j - 1), line = startline }
      i = j + 1
    elseif c:match("[%a_]") then
      local w = src:match("^[%w_]+", i)
      push("name", w); i = i + #w
    elseif c:match("%d") or (c == "." and src:sub(i + 1, i + 1):match("%d")) then
      local w = src:match("^0[xX][%x.]+[pP]?[-+]?%x*", i) or src:match("^[%d.]+[eE]?[-+]?%d*", i)
      push("number", w); i = i + #w
    else
      local op = src:match("^%.%.%.", i) or src:match("^[=~<>]=", i) or src:match("^%.%.", i)
        or src:match("^::", i) or src:match("^//", i) or src:match("^<<", i) or src:match("^>>", i) or c
      push("op", op); i = i + #op
    end
  end
  push("eof", "")
  return toks
end

local OPEN = { ["function"] = true, ["do"] = true, ["if"] = true, ["repeat"] = true }
local CLOSE = { ["end"] = true, ["until"] = true }

local function join(path, key)
  if math.type(key) == "integer" then return path .. "[" .. key .. "]" end
  if path == "" then return key end
  return path .. "." .. key
end

-- Skip one expression from toks[i] to the next , ; or } at depth 0.
local function skip_expr(toks, i)
  local depth = 0
  while toks[i].t ~= "eof" do
    local tk = toks[i]
    if depth == 0 and tk.t == "op" and (tk.v == "," or tk.v == ";" or tk.v == "}") then return i end
    if tk.t == "op" and (tk.v == "(" or tk.v == "[" or tk.v == "{") then depth = depth + 1
    elseif tk.t == "op" and (tk.v == ")" or tk.v == "]" or tk.v == "}") then depth = depth - 1
    elseif tk.t == "name" and OPEN[tk.v] then depth = depth + 1
    elseif tk.t == "name" and CLOSE[tk.v] then depth = depth - 1 end
    i = i + 1
  end
  return i
end

local function parse_table(toks, i, path, map)
  map[path] = map[path] or toks[i].line
  i = i + 1
  local index = 0
  while toks[i].t ~= "eof" and not (toks[i].t == "op" and toks[i].v == "}") do
    local key, vstart, fline = nil, nil, toks[i].line
    if toks[i].t == "name" and toks[i + 1].t == "op" and toks[i + 1].v == "=" then
      key, vstart = toks[i].v, i + 2
    elseif toks[i].t == "op" and toks[i].v == "[" then
      -- find the matching ] (skip_expr stops only at , ; })
      local depth, k = 0, i
      while toks[k].t ~= "eof" do
        if toks[k].t == "op" and toks[k].v == "[" then depth = depth + 1
        elseif toks[k].t == "op" and toks[k].v == "]" then
          depth = depth - 1
          if depth == 0 then break end
        end
        k = k + 1
      end
      if k == i + 2 and (toks[i + 1].t == "string") then key = toks[i + 1].v end
      if k == i + 2 and toks[i + 1].t == "number" then key = math.tointeger(tonumber(toks[i + 1].v)) end
      vstart = k + 2
    else
      index = index + 1
      key, vstart = index, i
    end
    local p = key ~= nil and join(path, key) or nil
    if p then map[p] = fline end
    if toks[vstart].t == "op" and toks[vstart].v == "{" and p then
      i = parse_table(toks, vstart, p, map)
      i = skip_expr(toks, i) -- anything after the constructor (rare)
    else
      i = skip_expr(toks, vstart)
    end
    if toks[i].t == "op" and (toks[i].v == "," or toks[i].v == ";") then i = i + 1 end
  end
  return i + 1
end

-- Map of field path -> line for the table the chunk returns.
function M.source_map(src)
  local toks = M.tokens(src)
  local map, locals, depth = {}, {}, 0
  local i = 1
  while toks[i].t ~= "eof" do
    local tk = toks[i]
    if tk.t == "name" and OPEN[tk.v] then depth = depth + 1
    elseif tk.t == "name" and CLOSE[tk.v] then depth = depth - 1
    elseif depth == 0 and tk.t == "name" and toks[i + 1].t == "op" and toks[i + 1].v == "="
      and toks[i + 2].t == "op" and toks[i + 2].v == "{" then
      locals[tk.v] = i + 2
    elseif depth == 0 and tk.t == "name" and tk.v == "return" then
      local nx = toks[i + 1]
      if nx.t == "op" and nx.v == "{" then
        parse_table(toks, i + 1, "", map)
        return map
      elseif nx.t == "name" and locals[nx.v] then
        parse_table(toks, locals[nx.v], "", map)
        return map
      end
    end
    i = i + 1
  end
  return map
end

-- The line of path, or of its nearest recorded parent, or 1.
function M.line(map, path)
  while path and path ~= "" do
    if map[path] then return map[path] end
    local parent = path:match("^(.*)%[%d+%]$") or path:match("^(.*)%.[%w_]+$")
    if not parent then break end
    path = parent
  end
  return map[""] or 1
end

-- Whether t is a table holding exactly the array 1..#t (no other keys).
function M.is_list(t)
  if type(t) ~= "table" then return false end
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n == #t
end

-- Collects "file:line: path: message" errors.
function M.collector(file, map)
  local c = { file = file, map = map or {}, items = {} }
  function c:add(path, msg)
    local line = M.line(self.map, path)
    self.items[#self.items + 1] = { line = line, path = path,
      text = string.format("%s:%d: %s%s", self.file, line, path ~= "" and (path .. ": ") or "", msg) }
  end
  -- The messages ordered by line; those on one line keep the order added.
  function c:list()
    local order = {}
    for i = 1, #self.items do order[i] = i end
    local items = self.items
    table.sort(order, function(a, b)
      if items[a].line ~= items[b].line then return items[a].line < items[b].line end
      return a < b
    end)
    local out = {}
    for i, k in ipairs(order) do out[i] = items[k].text end
    return out
  end
  function c:count() return #self.items end
  -- A message for each key of the table t (at path; "" for the file's own
  -- table) that is not in the set known: "unknown <what> field `key`".
  function c:unknown_fields(path, t, known, what)
    for k in pairs(t) do
      if not known[k] then
        local name = tostring(k)
        self:add(path == "" and name or path .. "." .. name, "unknown " .. what .. " field `" .. name .. "`")
      end
    end
  end
  return c
end

-- Load a data file's source in a fresh environment (globals readable).
-- Returns value, src or nil, "file:line: message" (syntax or runtime error).
function M.load_file(path, env)
  local f, err = io.open(path, "rb")
  if not f then return nil, "cannot open " .. path .. ": " .. tostring(err) end
  local src = f:read("a")
  f:close()
  if not utf8.len(src) then return nil, path .. ":1: not valid UTF-8 text" end
  local fn, lerr = load(src, "@" .. path, "t", env or setmetatable({}, { __index = _G }))
  if not fn then return nil, lerr end
  local ok, val = pcall(fn)
  if not ok then return nil, tostring(val) end
  return val, src
end

return M
