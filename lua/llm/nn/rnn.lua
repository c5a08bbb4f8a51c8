-- llm.nn recurrent layers: nn.RNN, nn.LSTM, nn.GRU (multi-layer sequence
-- modules), nn.RNNCell, nn.LSTMCell, nn.GRUCell (one step), and the
-- functional steps they are made of (nn.rnn.step.*).
--
-- THE API (stable: the language models, ELMo and the labs build on it)
--
--   local lstm = nn.LSTM(input_size, hidden_size, {
--     num_layers = 1, bias = true, batch_first = false, bidirectional = false,
--     dropout = 0,              -- between layers, in training mode only
--     nonlinearity = "tanh",    -- nn.RNN only: "tanh" or "relu"
--     impl = "fused" })         -- "fused": one C kernel per layer and direction
--                               -- (llm.recurrent); "lua": the readable composition
--                               -- of primitive ops, step by step (same numbers)
--   local out, state = lstm(x [, state [, {lengths = ...}]])
--     x      (T, B, input_size), or (B, T, input_size) with batch_first
--     state  RNN/GRU: h (L*D, B, H); LSTM: {h, c}, each (L*D, B, H)
--            (L layers, D = 2 when bidirectional; nil = zeros)
--     lengths  a list or an int tensor of B lengths (1..T) for a padded batch:
--            output rows past a sequence's end are 0, and the state is the one
--            after the sequence's own last step (PyTorch's packed sequences)
--     out    (T, B, D*H) (or (B, T, D*H)): the last layer's hidden states,
--            directions concatenated (forward first)
--   nn.detach_state(state) -> the state off the tape (truncated BPTT: carry
--            the hidden state into the next chunk without backprop into it)
--
--   Cells: nn.LSTMCell(input, hidden):forward(x (B, I), {h, c}) -> {h', c'};
--     nn.GRUCell / nn.RNNCell: forward(x, h) -> h'. State nil = zeros.
--
-- Parameters carry PyTorch's names and gate order, so a state_dict moves
-- across unchanged: weight_ih_l{k} (G*H, in), weight_hh_l{k} (G*H, H),
-- bias_ih_l{k}, bias_hh_l{k} (G*H), with a _reverse suffix for the backward
-- direction; gates LSTM i,f,g,o; GRU r,z,n; G = 4 (LSTM), 3 (GRU), 1 (RNN).
-- Initialised as PyTorch: every weight and bias U(-1/sqrt(H), 1/sqrt(H)).
local llm = require "llm"
local Module = require "llm.nn.module"
local init = require "llm.optim.init_schemes"

local M = {}

-- One step of each cell from primitive ops (readable; the fused kernel computes
-- exactly this). x (B, I), h and c (B, H); biases may be nil.
local step = {}
M.step = step

function step.rnn(x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity)
  local pre = x:linear(w_ih, b_ih) + h:linear(w_hh, b_hh)
  if nonlinearity == "relu" then return pre:relu() end
  return pre:tanh()
end

function step.lstm(x, h, c, w_ih, w_hh, b_ih, b_hh)
  local H = h:size(2)
  local gates = x:linear(w_ih, b_ih) + h:linear(w_hh, b_hh)      -- (B, 4H): i f g o
  local i = gates:narrow(2, 1, H):sigmoid()
  local f = gates:narrow(2, H + 1, H):sigmoid()
  local g = gates:narrow(2, 2 * H + 1, H):tanh()
  local o = gates:narrow(2, 3 * H + 1, H):sigmoid()
  local c2 = f * c + i * g
  return o * c2:tanh(), c2
end

function step.gru(x, h, w_ih, w_hh, b_ih, b_hh)
  local H = h:size(2)
  local gi = x:linear(w_ih, b_ih)                                -- (B, 3H): r z n
  local gh = h:linear(w_hh, b_hh)
  local r = (gi:narrow(2, 1, H) + gh:narrow(2, 1, H)):sigmoid()
  local z = (gi:narrow(2, H + 1, H) + gh:narrow(2, H + 1, H)):sigmoid()
  local n = (gi:narrow(2, 2 * H + 1, H) + r * gh:narrow(2, 2 * H + 1, H)):tanh()
  return (1 - z) * n + z * h
end

local GATES = { rnn = 1, lstm = 4, gru = 3 }

-- Lengths as a Lua list of integers (or nil).
local function lengths_list(lengths, B, T)
  if lengths == nil then return nil end
  local l = lengths
  if type(l) ~= "table" then l = lengths:totable() end
  if #l ~= B then error(string.format("recurrent: %d lengths for a batch of %d", #l, B), 3) end
  for b = 1, B do
    if math.type(l[b]) ~= "integer" and not (type(l[b]) == "number" and l[b] == math.floor(l[b])) then
      error("recurrent: lengths must be integers", 3)
    end
    if l[b] < 1 or l[b] > T then
      error(string.format("recurrent: length %d of sequence %d is outside 1..%d", l[b], b, T), 3)
    end
  end
  return l
end

-- (T, B, 1) float mask: 1 where t <= lengths[b]
local function length_mask(l, T, B)
  local m = {}
  for t = 1, T do
    local row = {}
    for b = 1, B do row[b] = { t <= l[b] and 1 or 0 } end
    m[t] = row
  end
  return llm.tensor(m)
end

-- 0-based row index (T*B) that reverses each sequence within its length
-- (time reversal when l is nil); it is its own inverse.
local function reverse_index(l, T, B)
  local idx = {}
  for t = 1, T do
    for b = 1, B do
      local len = l and l[b] or T
      local src = t <= len and (len - t + 1) or t
      idx[(t - 1) * B + b] = (src - 1) * B + (b - 1)
    end
  end
  return llm.tensor(idx, "int64")
end

local function permute_rows(x, idx)          -- x (T, B, C): rows of the flattened (T*B, C)
  local T, B, C = x:size(1), x:size(2), x:size(3)
  return x:reshape(T * B, C):index_select(1, idx):reshape(T, B, C)
end

-- The readable composition: one layer, one direction, step by step.
-- Returns hs (T, B, H) and, for the LSTM, cs (T, B, H).
local function layer_lua(mode, nonlin, x, h, c, w_ih, w_hh, b_ih, b_hh, mask)
  local T = x:size(1)
  local hs, cs = {}, {}
  for t = 1, T do
    local xt = x:select(1, t)
    local h2, c2
    if mode == "lstm" then h2, c2 = step.lstm(xt, h, c, w_ih, w_hh, b_ih, b_hh)
    elseif mode == "gru" then h2 = step.gru(xt, h, w_ih, w_hh, b_ih, b_hh)
    else h2 = step.rnn(xt, h, w_ih, w_hh, b_ih, b_hh, nonlin) end
    if mask then                               -- past a sequence's end: keep the state
      local m = mask:select(1, t)
      h2 = llm.where(m, h2, h)
      if c2 then c2 = llm.where(m, c2, c) end
    end
    h, c = h2, c2
    hs[t], cs[t] = h, c
  end
  return llm.stack(hs, 1), mode == "lstm" and llm.stack(cs, 1) or nil
end

local function layer_fused(mode, nonlin, x, h, c, w_ih, w_hh, b_ih, b_hh, lengths)
  local kmode = mode == "rnn" and ("rnn_" .. nonlin) or mode
  local z = llm.recurrent(kmode, x, w_ih, w_hh, { b_ih = b_ih, b_hh = b_hh, h0 = h, c0 = c, lengths = lengths })
  if mode == "lstm" then return z:select(1, 1), z:select(1, 2) end
  return z
end

-- The recurrent sequence module --------------------------------------------------
local Recurrent = Module:extend("Recurrent")
M.Recurrent = Recurrent

function Recurrent:init(mode, input_size, hidden_size, opts)
  opts = opts or {}
  assert(GATES[mode], "Recurrent: mode must be rnn, lstm or gru")
  assert(math.type(input_size) == "integer" and input_size > 0, mode .. ": input_size must be a positive integer")
  assert(math.type(hidden_size) == "integer" and hidden_size > 0, mode .. ": hidden_size must be a positive integer")
  self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
  self.num_layers = opts.num_layers or 1
  assert(math.type(self.num_layers) == "integer" and self.num_layers >= 1, mode .. ": num_layers must be >= 1")
  self.bias = opts.bias ~= false
  self.batch_first = opts.batch_first == true
  self.bidirectional = opts.bidirectional == true
  self.dropout = opts.dropout or 0
  self.nonlinearity = opts.nonlinearity or "tanh"
  assert(self.nonlinearity == "tanh" or self.nonlinearity == "relu", mode .. ": nonlinearity must be tanh or relu")
  assert(mode == "rnn" or opts.nonlinearity == nil, mode .. ": nonlinearity is for nn.RNN only")
  self.impl = opts.impl or "fused"
  assert(self.impl == "fused" or self.impl == "lua", mode .. ": impl must be \"fused\" or \"lua\"")
  local G, H = GATES[mode], hidden_size
  local D = self.bidirectional and 2 or 1
  local k = 1 / math.sqrt(H)
  for l = 0, self.num_layers - 1 do
    local inp = l == 0 and input_size or H * D
    for d = 1, D do
      local sfx = "_l" .. l .. (d == 2 and "_reverse" or "")
      self:param("weight_ih" .. sfx, init.uniform_(llm.empty(G * H, inp), -k, k))
      self:param("weight_hh" .. sfx, init.uniform_(llm.empty(G * H, H), -k, k))
      if self.bias then
        self:param("bias_ih" .. sfx, init.uniform_(llm.empty(G * H), -k, k), { no_decay = true })
        self:param("bias_hh" .. sfx, init.uniform_(llm.empty(G * H), -k, k), { no_decay = true })
      end
    end
  end
end

function Recurrent:extra_repr()
  local s = string.format("%d, %d", self.input_size, self.hidden_size)
  if self.num_layers > 1 then s = s .. ", num_layers=" .. self.num_layers end
  if self.bidirectional then s = s .. ", bidirectional" end
  if self.batch_first then s = s .. ", batch_first" end
  if not self.bias then s = s .. ", no bias" end
  if self.mode == "rnn" and self.nonlinearity ~= "tanh" then s = s .. ", " .. self.nonlinearity end
  if self.impl ~= "fused" then s = s .. ", impl=" .. self.impl end
  return s
end

function Recurrent:forward(x, state, opts)
  local name = self.mode
  if x:dim() ~= 3 then
    error(string.format("%s: the input must be 3-D (%s), got %d-D", name,
      self.batch_first and "B, T, input" or "T, B, input", x:dim()), 2)
  end
  if self.batch_first then x = x:transpose(1, 2) end
  local T, B = x:size(1), x:size(2)
  if x:size(3) ~= self.input_size then
    error(string.format("%s: input size %d, expected %d", name, x:size(3), self.input_size), 2)
  end
  local l = lengths_list(opts and opts.lengths, B, T)
  local D = self.bidirectional and 2 or 1
  local LD = self.num_layers * D
  local h0, c0
  if state ~= nil then
    if self.mode == "lstm" then
      if type(state) ~= "table" or not state[1] or not state[2] then
        error("lstm: the state is a table {h, c}", 2)
      end
      h0, c0 = state[1], state[2]
    else
      h0 = state
    end
    for _, s in ipairs({ h0, c0 or h0 }) do
      if s:dim() ~= 3 or s:size(1) ~= LD or s:size(2) ~= B or s:size(3) ~= self.hidden_size then
        error(string.format("%s: the state must be (%d, %d, %d)", name, LD, B, self.hidden_size), 2)
      end
    end
  end
  local mask = l and length_mask(l, T, B) or nil
  local lengths_t = l and llm.tensor(l, "int64") or nil
  local rev = D == 2 and reverse_index(l, T, B) or nil
  local hn, cn = {}, {}
  local inp = x
  for layer = 0, self.num_layers - 1 do
    local outs = {}
    for d = 1, D do
      local k = layer * D + d
      local sfx = "_l" .. layer .. (d == 2 and "_reverse" or "")
      local w_ih, w_hh = self["weight_ih" .. sfx], self["weight_hh" .. sfx]
      local b_ih, b_hh = self["bias_ih" .. sfx], self["bias_hh" .. sfx]
      local h = h0 and h0:select(1, k) or nil
      local c = c0 and c0:select(1, k) or nil
      local xin = d == 2 and permute_rows(inp, rev) or inp
      local hs, cs
      if self.impl == "lua" then
        h = h or llm.zeros(B, self.hidden_size)
        if self.mode == "lstm" then c = c or llm.zeros(B, self.hidden_size) end
        hs, cs = layer_lua(self.mode, self.nonlinearity, xin, h, c, w_ih, w_hh, b_ih, b_hh, mask)
      else
        hs, cs = layer_fused(self.mode, self.nonlinearity, xin, h, c, w_ih, w_hh, b_ih, b_hh, lengths_t)
      end
      hn[k] = hs:select(1, T)
      if cs then cn[k] = cs:select(1, T) end
      if d == 2 then hs = permute_rows(hs, rev) end
      outs[d] = hs
    end
    local out = D == 2 and llm.cat(outs, 3) or outs[1]
    if mask then out = out * mask end
    if layer < self.num_layers - 1 and self.dropout > 0 and self.training then
      out = out:dropout(self.dropout, true)
    end
    inp = out
  end
  local out = inp
  if self.batch_first then out = out:transpose(1, 2) end
  local h_n = llm.stack(hn, 1)
  if self.mode == "lstm" then return out, { h_n, llm.stack(cn, 1) } end
  return out, h_n
end

M.RNN = Module.extend(Recurrent, "RNN")
function M.RNN:init(input_size, hidden_size, opts) Recurrent.init(self, "rnn", input_size, hidden_size, opts) end
M.LSTM = Module.extend(Recurrent, "LSTM")
function M.LSTM:init(input_size, hidden_size, opts) Recurrent.init(self, "lstm", input_size, hidden_size, opts) end
M.GRU = Module.extend(Recurrent, "GRU")
function M.GRU:init(input_size, hidden_size, opts) Recurrent.init(self, "gru", input_size, hidden_size, opts) end

-- The state off the tape (a tensor, or {h, c}); nil stays nil.
function M.detach_state(state)
  if state == nil then return nil end
  if type(state) == "table" then
    local out = {}
    for i, s in ipairs(state) do out[i] = s:detach() end
    return out
  end
  return state:detach()
end

-- Cells ------------------------------------------------------------------------
local function cell_init(self, mode, input_size, hidden_size, opts)
  opts = opts or {}
  assert(math.type(input_size) == "integer" and input_size > 0, mode .. " cell: input_size must be a positive integer")
  assert(math.type(hidden_size) == "integer" and hidden_size > 0, mode .. " cell: hidden_size must be a positive integer")
  self.input_size, self.hidden_size, self.mode = input_size, hidden_size, mode
  self.nonlinearity = opts.nonlinearity or "tanh"
  local G, k = GATES[mode], 1 / math.sqrt(hidden_size)
  self:param("weight_ih", init.uniform_(llm.empty(G * hidden_size, input_size), -k, k))
  self:param("weight_hh", init.uniform_(llm.empty(G * hidden_size, hidden_size), -k, k))
  if opts.bias ~= false then
    self:param("bias_ih", init.uniform_(llm.empty(G * hidden_size), -k, k), { no_decay = true })
    self:param("bias_hh", init.uniform_(llm.empty(G * hidden_size), -k, k), { no_decay = true })
  end
end

local function cell_repr(self) return string.format("%d, %d", self.input_size, self.hidden_size) end

M.RNNCell = Module:extend("RNNCell")
function M.RNNCell:init(i, h, opts) cell_init(self, "rnn", i, h, opts) end
function M.RNNCell:forward(x, h)
  h = h or llm.zeros(x:size(1), self.hidden_size)
  return step.rnn(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, self.nonlinearity)
end
M.RNNCell.extra_repr = cell_repr

M.GRUCell = Module:extend("GRUCell")
function M.GRUCell:init(i, h, opts) cell_init(self, "gru", i, h, opts) end
function M.GRUCell:forward(x, h)
  h = h or llm.zeros(x:size(1), self.hidden_size)
  return step.gru(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
end
M.GRUCell.extra_repr = cell_repr

M.LSTMCell = Module:extend("LSTMCell")
function M.LSTMCell:init(i, h, opts) cell_init(self, "lstm", i, h, opts) end
function M.LSTMCell:forward(x, state)
  local B = x:size(1)
  local h = state and state[1] or llm.zeros(B, self.hidden_size)
  local c = state and state[2] or llm.zeros(B, self.hidden_size)
  local h2, c2 = step.lstm(x, h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
  return { h2, c2 }
end
M.LSTMCell.extra_repr = cell_repr

return M
