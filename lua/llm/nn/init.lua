-- llm.nn: layers and models built on llm tensors.
--
--   local nn = llm.nn
--   nn.Module                 the base class (module.lua): nn.Module:extend("Name")
--   nn.Linear, nn.Embedding, nn.Dropout, nn.Sequential, nn.MLP,
--   nn.ReLU, nn.GELU, nn.Tanh, nn.Sigmoid, nn.SiLU           (layers.lua)
--   nn.LayerNorm, nn.RMSNorm                                  (norm.lua)
--   nn.MultiHeadAttention                                      (attention.lua)
--   nn.TransformerBlock, nn.GPT                                (gpt.lua)
--   nn.RNN, nn.LSTM, nn.GRU, nn.RNNCell, nn.LSTMCell, nn.GRUCell,
--   nn.detach_state, nn.rnn (the step functions)                (rnn.lua)
--   nn.RNNLM (recurrent language model; see llm.rnnlm)          (../rnnlm.lua)
--   nn.ELMo (bidirectional LSTM LM, contextual vectors; llm.elmo) (../elmo.lua)
--   nn.cross_entropy, nn.mse_loss, ..., nn.CrossEntropyLoss    (losses.lua)
--   nn.functional (F)   composed versions of the fused ops, for teaching
--   nn.init             initialisation schemes (= llm.optim.init)
--   nn.save(model, path [, metadata]), nn.load(path) -> model, nn.load_into(model, path)
--                       checkpoints as safetensors (llm.checkpoint)
local nn = {}

nn.Module = require "llm.nn.module"
for k, v in pairs(require "llm.nn.layers") do nn[k] = v end
local norm = require "llm.nn.norm"
nn.LayerNorm, nn.RMSNorm = norm.LayerNorm, norm.RMSNorm
nn.MultiHeadAttention = require "llm.nn.attention"
local gpt = require "llm.nn.gpt"
nn.TransformerBlock, nn.GPT = gpt.TransformerBlock, gpt.GPT
for k, v in pairs(require "llm.nn.losses") do nn[k] = v end
local rnn = require "llm.nn.rnn"
nn.rnn = rnn
nn.RNN, nn.LSTM, nn.GRU, nn.Recurrent = rnn.RNN, rnn.LSTM, rnn.GRU, rnn.Recurrent
nn.RNNCell, nn.LSTMCell, nn.GRUCell = rnn.RNNCell, rnn.LSTMCell, rnn.GRUCell
nn.detach_state = rnn.detach_state
nn.RNNLM = require("llm.rnnlm").RNNLM
nn.ELMo = require("llm.elmo").ELMo
nn.functional = require "llm.nn.functional"
nn.F = nn.functional
nn.init = require "llm.optim.init_schemes"

local checkpoint = require "llm.checkpoint"
nn.save, nn.load, nn.load_into = checkpoint.save, checkpoint.load, checkpoint.load_into

return nn
