-- bench/tokenizers.lua TEXT MODEL_OUT: the llmlab half of bench/tokenizers.sh.
-- Trains a byte-level BPE to 8,000 tokens on TEXT, then times encoding TEXT
-- with GPT-2's tokenizer and with the trained one (fresh tokenizers, so the
-- pre-token cache starts empty). One core: the BPE code has no threads.
-- Prints "key=value" lines for the shell script.
local path, model_out = arg[1], arg[2]
local f = assert(io.open(path, "rb"))
local text = f:read("a")
f:close()
local mb = #text / 1e6

local function wall() -- seconds, wall clock (os.clock is CPU time; both shown)
  local p = io.popen("date +%s.%N")
  local t = tonumber(p:read("l"))
  p:close()
  return t
end

local w0, c0 = wall(), os.clock()
local tok = llm.bpe.train(text, { vocab_size = 8000 })
local train_s, train_cpu = wall() - w0, os.clock() - c0
tok:save(model_out)
print(("train_s=%.3f"):format(train_s))
print(("train_cpu_s=%.3f"):format(train_cpu))
print(("train_vocab=%d"):format(tok:vocab_size()))

local g = llm.bpe.gpt2()
c0 = os.clock()
local ids = g:encode(text)
local enc_cpu = os.clock() - c0
print(("gpt2_encode_s=%.3f"):format(enc_cpu))
print(("gpt2_encode_mbps=%.2f"):format(mb / enc_cpu))
print(("gpt2_tokens=%d"):format(#ids))
assert(g:decode(ids) == text, "GPT-2 round trip failed")

local mine = llm.bpe.load(model_out)
c0 = os.clock()
ids = mine:encode(text)
enc_cpu = os.clock() - c0
print(("bpe8k_encode_s=%.3f"):format(enc_cpu))
print(("bpe8k_encode_mbps=%.2f"):format(mb / enc_cpu))
print(("bpe8k_tokens=%d"):format(#ids))
