-- llm.nn.Module: the base of every layer and model.
--
-- A module owns parameters (tensors that training updates), buffers
-- (tensors saved with the model but not trained) and child modules, each
-- registered under a name so that the module can list them, save them and
-- load them back:
--
--   local Scale = nn.Module:extend("Scale")
--   function Scale:init(n)
--     self:param("gain", llm.ones{n})        -- self.gain is the tensor
--   end
--   function Scale:forward(x) return x * self.gain end
--   local m = Scale(4)                          -- calls init
--   local y = m(x)                              -- calls forward
--
-- Methods: parameters, named_parameters, modules, children, train, eval,
-- zero_grad, num_parameters, state_dict, load_state_dict, save, load, apply,
-- summary, and a readable tostring (a tree with parameter counts).
--
-- A tensor registered by two modules (weight tying) is one parameter: it is
-- listed, counted, optimised and saved once, under its first name.
local Module = {}
Module.__index = Module
Module.__name = "Module"

local function is_module(x)
  return type(x) == "table" and getmetatable(x) and rawget(getmetatable(x), "__is_module_class") ~= nil
end
Module.is_module = is_module

-- Class creation: classes are tables whose metatable chain leads to Module.
-- Calling a class makes an instance and runs its :init(...).
local class_mt = {}
class_mt.__call = function(cls, ...)
  local self = setmetatable({
    _param_names = {}, _params = {},
    _buffer_names = {}, _buffers = {},
    _child_names = {}, _children = {},
    _no_decay = {},
    training = true,
  }, cls)
  if cls.init then cls.init(self, ...) end
  return self
end
class_mt.__index = function(cls, k)
  local parent = rawget(cls, "__parent")
  return parent and parent[k]
end

function Module:extend(name)
  assert(type(name) == "string", "extend: a class needs a name")
  local cls = {}
  cls.__index = cls
  cls.__name = name
  cls.__parent = self
  cls.__is_module_class = true
  -- metamethods are looked up raw: copy them from the parent chain.
  cls.__tostring = Module.__tostring
  cls.__call = Module.__call
  return setmetatable(cls, class_mt)
end
Module.__is_module_class = true

function Module:class_name() return getmetatable(self).__name end

-- Registration --------------------------------------------------------------

local function check_name(self, name, what)
  if type(name) ~= "string" or not name:match("^[%w_]+$") then
    error(string.format("%s: a %s name must be letters, digits or _, got %s", self:class_name(), what, tostring(name)), 3)
  end
  if self._params[name] or self._buffers[name] or self._children[name] then
    error(string.format("%s: '%s' is already registered", self:class_name(), name), 3)
  end
  if self[name] ~= nil then
    error(string.format("%s: the name '%s' would hide a field or method", self:class_name(), name), 3)
  end
end

-- Register a trainable tensor under name; it becomes self[name] and starts
-- requiring grad. opts.no_decay = true keeps AdamW's weight decay off it.
function Module:param(name, t, opts)
  check_name(self, name, "parameter")
  t:requires_grad(true)
  self._param_names[#self._param_names + 1] = name
  self._params[name] = t
  if opts and opts.no_decay then self._no_decay[name] = true end
  rawset(self, name, t)
  return t
end

-- Register a tensor that is saved with the module but not trained.
function Module:buffer(name, t)
  check_name(self, name, "buffer")
  self._buffer_names[#self._buffer_names + 1] = name
  self._buffers[name] = t
  rawset(self, name, t)
  return t
end

-- Register a child module; it becomes self[name].
function Module:add(name, m)
  if math.type(name) == "integer" then name = tostring(name) end
  check_name(self, name, "module")
  if not is_module(m) then error(string.format("%s: '%s' is not a module", self:class_name(), name), 2) end
  self._child_names[#self._child_names + 1] = name
  self._children[name] = m
  rawset(self, name, m)
  return m
end

-- Listing -------------------------------------------------------------------

function Module:children()
  local out = {}
  for i, n in ipairs(self._child_names) do out[i] = self._children[n] end
  return out
end

function Module:named_children()
  local out = {}
  for i, n in ipairs(self._child_names) do out[i] = { n, self._children[n] } end
  return out
end

-- All modules of the tree, depth first, this one first; pairs {name, module}.
function Module:named_modules(prefix, out)
  out = out or {}
  prefix = prefix or ""
  out[#out + 1] = { prefix, self }
  for _, n in ipairs(self._child_names) do
    self._children[n]:named_modules(prefix == "" and n or (prefix .. "." .. n), out)
  end
  return out
end

function Module:modules()
  local out = {}
  for i, p in ipairs(self:named_modules()) do out[i] = p[2] end
  return out
end

-- Pairs {name, tensor, module, local_name} of every parameter (a tensor
-- shared by two modules is listed once, under its first name).
function Module:named_parameters(opts)
  local out, seen = {}, {}
  for _, pm in ipairs(self:named_modules()) do
    local prefix, m = pm[1], pm[2]
    for _, n in ipairs(m._param_names) do
      local t = m._params[n]
      if not seen[t] then
        seen[t] = true
        out[#out + 1] = { prefix == "" and n or (prefix .. "." .. n), t, m, n }
      end
    end
  end
  if opts and opts.with_module then return out end
  for i, e in ipairs(out) do out[i] = { e[1], e[2] } end
  return out
end

function Module:parameters()
  local out = {}
  for i, p in ipairs(self:named_parameters()) do out[i] = p[2] end
  return out
end

function Module:named_buffers()
  local out = {}
  for _, pm in ipairs(self:named_modules()) do
    local prefix, m = pm[1], pm[2]
    for _, n in ipairs(m._buffer_names) do
      out[#out + 1] = { prefix == "" and n or (prefix .. "." .. n), m._buffers[n] }
    end
  end
  return out
end

-- Number of values in the parameters (shared tensors counted once);
-- num_parameters{trainable = true} counts only those not frozen.
function Module:num_parameters(opts)
  local only = opts and opts.trainable
  local n = 0
  for _, p in ipairs(self:parameters()) do
    if not only or p:needs_grad() then n = n + p:numel() end
  end
  return n
end

-- Stop (freeze) or restart (unfreeze) training of every parameter of this
-- module and its children: frozen tensors get no grad, so optimizers leave
-- them alone (fine-tuning only the head, adapters, ...).
function Module:freeze()
  for _, p in ipairs(self:parameters()) do p:requires_grad(false) end
  return self
end

function Module:unfreeze()
  for _, p in ipairs(self:parameters()) do p:requires_grad(true) end
  return self
end

-- Is weight decay meant for this parameter? Off for those registered with
-- no_decay (norm gains, biases, embeddings).
function Module:decays(name)
  return not self._no_decay[name]
end

-- Training mode --------------------------------------------------------------

function Module:train(on)
  if on == nil then on = true end
  for _, m in ipairs(self:modules()) do m.training = on and true or false end
  return self
end

function Module:eval() return self:train(false) end

function Module:zero_grad()
  for _, p in ipairs(self:parameters()) do p:zero_grad() end
end

function Module:apply(fn)
  for _, m in ipairs(self:modules()) do fn(m) end
  return self
end

-- Calling the module runs forward.
function Module.__call(self, ...)
  local f = self.forward
  if not f then error(self:class_name() .. ": no forward method", 2) end
  return f(self, ...)
end

-- Saving and loading ----------------------------------------------------------

-- name -> tensor for every parameter and buffer, and the names in order.
function Module:state_dict()
  local sd, keys = {}, {}
  for _, p in ipairs(self:named_parameters()) do
    sd[p[1]] = p[2]
    keys[#keys + 1] = p[1]
  end
  for _, b in ipairs(self:named_buffers()) do
    sd[b[1]] = b[2]
    keys[#keys + 1] = b[1]
  end
  return sd, keys
end

local function shape_str(s) return "{" .. table.concat(s, ",") .. "}" end

-- Copy values from sd (name -> tensor) into the module's tensors. With
-- strict (the default) every key must be present and no other key may be;
-- shapes must always match. All problems are listed in one error, and
-- nothing is copied unless everything fits.
function Module:load_state_dict(sd, strict)
  if strict == nil then strict = true end
  local own, keys = self:state_dict()
  local missing, unexpected, mismatched = {}, {}, {}
  for _, k in ipairs(keys) do
    local src = sd[k]
    if src == nil then
      missing[#missing + 1] = k
    else
      local a, b = own[k]:shape(), src:shape()
      local same = #a == #b
      for i = 1, #a do same = same and a[i] == b[i] end
      if not same then
        mismatched[#mismatched + 1] = string.format("%s (model %s, given %s)", k, shape_str(a), shape_str(b))
      end
    end
  end
  for k in pairs(sd) do
    if own[k] == nil then unexpected[#unexpected + 1] = k end
  end
  table.sort(unexpected)
  local problems = {}
  if strict and #missing > 0 then problems[#problems + 1] = "missing keys: " .. table.concat(missing, ", ") end
  if strict and #unexpected > 0 then problems[#problems + 1] = "unexpected keys: " .. table.concat(unexpected, ", ") end
  if #mismatched > 0 then problems[#problems + 1] = "shape mismatch: " .. table.concat(mismatched, "; ") end
  if #problems > 0 then
    error(self:class_name() .. ":load_state_dict: " .. table.concat(problems, "; "), 2)
  end
  llm.no_grad(function()
    for _, k in ipairs(keys) do
      if sd[k] ~= nil then own[k]:copy_(sd[k]) end
    end
  end)
  return { missing = missing, unexpected = unexpected }
end

-- Save to / load from a safetensors file (llm.checkpoint; the config, if
-- the module has one, goes into the metadata).
function Module:save(path, metadata)
  return require("llm.checkpoint").save(self, path, metadata)
end

function Module:load(path, opts)
  return require("llm.checkpoint").load_into(self, path, opts)
end

-- Printing ----------------------------------------------------------------------

local function human(n)
  if n >= 1e9 then return string.format("%.2f B", n / 1e9) end
  if n >= 1e6 then return string.format("%.2f M", n / 1e6) end
  if n >= 1e3 then return string.format("%.1f K", n / 1e3) end
  return tostring(n)
end
Module.human_count = human

-- One line about this module alone (subclasses override extra_repr).
function Module:extra_repr() return "" end

-- The tree under m, one line per module; runs of identical children (the
-- blocks of a Sequential) are shown once as "(1-4): 4 x Name".
local function render(m, indent, lines, label)
  local extra = m:extra_repr()
  local head = indent .. (label and ("(" .. label .. "): ") or "") .. m:class_name()
  if extra ~= "" then head = head .. "(" .. extra .. ")" end
  lines[#lines + 1] = head
  local kids = m:named_children()
  local i = 1
  while i <= #kids do
    local sub = {}
    render(kids[i][2], "", sub)
    local body = table.concat(sub, "\n")
    local j = i
    while j < #kids do
      local nxt = {}
      render(kids[j + 1][2], "", nxt)
      if table.concat(nxt, "\n") ~= body then break end
      j = j + 1
    end
    if j > i + 1 then
      local first = indent .. "  (" .. kids[i][1] .. "-" .. kids[j][1] .. "): " .. (j - i + 1) .. " x "
      local child = {}
      render(kids[i][2], indent .. "  ", child)
      child[1] = first .. child[1]:gsub("^%s+", "")
      table.move(child, 1, #child, #lines + 1, lines)
    else
      for k = i, j do render(kids[k][2], indent .. "  ", lines, kids[k][1]) end
    end
    i = j + 1
  end
end

function Module.__tostring(self)
  local lines = {}
  render(self, "", lines)
  lines[1] = lines[1] .. string.format("  [%s parameters]", human(self:num_parameters()))
  return table.concat(lines, "\n")
end

-- A table of the parameters: name, shape, count (for labs and the CLI).
function Module:summary()
  local rows = { string.format("%-40s %-18s %12s", "parameter", "shape", "count") }
  local total = 0
  for _, p in ipairs(self:named_parameters()) do
    local n = p[2]:numel()
    total = total + n
    rows[#rows + 1] = string.format("%-40s %-18s %12d", p[1], shape_str(p[2]:shape()), n)
  end
  rows[#rows + 1] = string.format("%-40s %-18s %12d", "total", "", total)
  return table.concat(rows, "\n")
end

return Module
