-- llm.checkpoint: models and state dicts saved as safetensors files, the
-- model's config in the header's __metadata__ (see src/engine/io.h: the
-- file is validated strictly on reading and written atomically).
--
--   llm.checkpoint.save(model, "gpt.safetensors" [, {step = 100, note = "..."}])
--   local model, meta = llm.checkpoint.load("gpt.safetensors")   -- rebuilds a GPT from its config
--   llm.checkpoint.load_into(model, path [, {strict = true}])     -- missing / unexpected keys and
--                                                                 -- shape mismatches are errors
--   llm.checkpoint.save_optimizer(opt, path), llm.checkpoint.load_optimizer(opt, path)
--                                    -- moments and step counts, to resume a run exactly
--   llm.checkpoint.save_tensors(path, {name = tensor, ...} [, metadata])
--   local tensors, meta = llm.checkpoint.load_tensors(path)
--
-- Metadata values are strings in the file: the config is kept as
-- "config.<key>" = tostring(value) plus "model" = the class name, and read
-- back to numbers and booleans where they look like them.
local llm = require "llm"
local M = {}

local function encode_meta(model, extra)
  local meta = { format = "llmlab", ["llmlab.version"] = llm.version }
  if model then
    meta.model = model:class_name()
    for k, v in pairs(model.config or {}) do meta["config." .. k] = tostring(v) end
  end
  for k, v in pairs(extra or {}) do meta[tostring(k)] = tostring(v) end
  return meta
end

local function decode_value(s)
  if s == "true" then return true end
  if s == "false" then return false end
  return math.tointeger(tonumber(s)) or tonumber(s) or s
end

-- The config table stored in a file's metadata (nil when there is none).
function M.config_of(meta)
  local cfg, any = {}, false
  for k, v in pairs(meta) do
    local key = k:match("^config%.(.+)$")
    if key then cfg[key] = decode_value(v); any = true end
  end
  return any and cfg or nil
end

function M.save_tensors(path, tensors, metadata, order)
  if not order then
    order = {}
    for k in pairs(tensors) do order[#order + 1] = k end
    table.sort(order)
  end
  local entries = {}
  for i, name in ipairs(order) do
    local t = tensors[name]
    if not llm.is_tensor(t) then error("checkpoint: '" .. tostring(name) .. "' is not a tensor", 2) end
    entries[i] = { name = name, data = t:detach():contiguous() }
  end
  llm.safetensors_write(path, entries, metadata or {})
end

function M.load_tensors(path)
  local f <close> = llm.safetensors_open(path)
  local out = {}
  for _, name in ipairs(f:names()) do
    local info = f:info(name)
    local dtype = (info.dtype == "I64" and "int64") or (info.dtype == "I32" and "int32") or "float32"
    local shape = info.shape
    local t = #shape == 0 and llm.zeros(1, dtype) or llm.zeros(shape, dtype)
    f:fill(name, t)
    if #shape == 0 then t = t:view({}) end
    out[name] = t
  end
  return out, f:metadata()
end

function M.save(model, path, extra)
  local sd, keys = model:state_dict()
  M.save_tensors(path, sd, encode_meta(model, extra), keys)
end

-- Load a file's tensors into an existing model (strict by default).
function M.load_into(model, path, opts)
  local tensors, meta = M.load_tensors(path)
  local strict = not (opts and opts.strict == false)
  local ok, err = pcall(model.load_state_dict, model, tensors, strict)
  if not ok then error(path .. ": " .. tostring(err):gsub("^[^:]*:%d+: ", ""), 2) end
  return model, meta
end

function M.save_optimizer(opt, path)
  local tensors, info = opt:state_dict()
  local meta = { format = "llmlab-optimizer" }
  for k, v in pairs(info) do meta[k] = tostring(v) end
  M.save_tensors(path, tensors, meta)
end

function M.load_optimizer(opt, path)
  local tensors, meta = M.load_tensors(path)
  if meta.format ~= "llmlab-optimizer" then error(path .. ": not an optimizer state file", 2) end
  local ok, err = pcall(opt.load_state_dict, opt, tensors, meta)
  if not ok then error(path .. ": " .. tostring(err):gsub("^[^:]*:%d+: ", ""), 2) end
  return opt
end

-- Model classes that nn.load can rebuild from a config: name -> function(config).
-- Other model families register here (checkpoint.model_classes.BERT = ...).
M.model_classes = {
  GPT = function(cfg) return llm.nn.GPT(cfg) end,
}

-- Rebuild a model from a file written by save (its class from metadata).
function M.load(path)
  local f <close> = llm.safetensors_open(path)
  local meta = f:metadata()
  f:close()
  local cfg = M.config_of(meta)
  local make = meta.model and M.model_classes[meta.model]
  if not make or not cfg then
    error(path .. ": no known model class and config in the metadata (use load_tensors or load_into)", 2)
  end
  local ok, model = pcall(make, cfg)
  if not ok then error(path .. ": bad model config: " .. tostring(model):gsub("^[^:]*:%d+: ", ""), 2) end
  return M.load_into(model, path)
end

return M
