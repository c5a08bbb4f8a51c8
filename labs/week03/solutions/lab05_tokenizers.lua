-- Reference solution of lab 5 (for checks and instructors).
local M = {}

function M.word_tokens(text)
  local out, i = {}, 1
  while i <= #text do
    local tok = text:match("^%w+'%w+", i) or text:match("^%w+", i) or text:match("^%p", i)
    if tok then
      out[#out + 1] = tok
      i = i + #tok
    else
      i = i + 1
    end
  end
  return out
end

function M.train_bpe(text, num_merges)
  local counts = {}
  for _, piece in ipairs(llm.tokenize.pretokenize(text, "gpt2")) do
    counts[piece] = (counts[piece] or 0) + 1
  end
  local words = {}
  for piece, n in pairs(counts) do words[#words + 1] = { ids = { piece:byte(1, -1) }, n = n } end
  local merges = {}
  for k = 1, num_merges do
    local pc = {}
    for _, w in ipairs(words) do
      local ids = w.ids
      for i = 1, #ids - 1 do
        local a = pc[ids[i]] or {}
        pc[ids[i]] = a
        a[ids[i + 1]] = (a[ids[i + 1]] or 0) + w.n
      end
    end
    local bl, br, bn = nil, nil, 0
    for l, row in pairs(pc) do
      for r, n in pairs(row) do
        if n > bn or (n == bn and (l < bl or (l == bl and r < br))) then bl, br, bn = l, r, n end
      end
    end
    if bn < 2 then break end
    local new = 255 + k
    for _, w in ipairs(words) do
      local ids, out, i = w.ids, {}, 1
      while i <= #ids do
        if i < #ids and ids[i] == bl and ids[i + 1] == br then
          out[#out + 1] = new
          i = i + 2
        else
          out[#out + 1] = ids[i]
          i = i + 1
        end
      end
      w.ids = out
    end
    merges[#merges + 1] = { bl, br, new }
  end
  return merges
end

return M
