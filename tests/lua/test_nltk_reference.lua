-- Agreement with NLTK 3.8 (Debian python3-nltk), from the fixtures that
-- tests/fixtures/make_nltk_fixtures.sh wrote: Snowball english and
-- original Porter stems, WordNetLemmatizer lemmas for four parts of
-- speech, and TreebankWordTokenizer tokens (two deliberate differences,
-- given by hand below).
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect
local N = llm.normalize
local dir = llm.home .. "/tests/fixtures/"

local function rows(name)
  local out = {}
  for line in io.lines(dir .. name) do
    local r = {}
    for field in (line .. "\t"):gmatch("([^\t]*)\t") do r[#r + 1] = field end
    out[#out + 1] = r
  end
  return out
end

describe("agreement with NLTK", function()
  it("stems every word of the fixture text as NLTK does", function()
    local bad, n = {}, 0
    for _, r in ipairs(rows("stems_nltk.tsv")) do
      n = n + 1
      if N.stem(r[1], "english") ~= r[2] then bad[#bad + 1] = r[1] .. " english " .. N.stem(r[1], "english") .. " vs " .. r[2] end
      if N.stem(r[1], "porter") ~= r[3] then bad[#bad + 1] = r[1] .. " porter " .. N.stem(r[1], "porter") .. " vs " .. r[3] end
    end
    expect(n > 600).to_be(true)
    expect(bad).to_equal({})
  end)

  it("lemmatises as WordNetLemmatizer for n, v, a and r", function()
    local bad, n = {}, 0
    local pos = { "n", "v", "a", "r" }
    for _, r in ipairs(rows("lemmas_nltk.tsv")) do
      for k, p in ipairs(pos) do
        n = n + 1
        local got = N.lemmatize(r[1], p)
        if got ~= r[k + 1] then bad[#bad + 1] = ("%s/%s: %s vs %s"):format(r[1], p, got, r[k + 1]) end
      end
    end
    expect(n > 2500).to_be(true)
    expect(bad).to_equal({})
  end)

  it("tokenizes as TreebankWordTokenizer", function()
    -- Deliberate differences: NLTK splits a period only at the very end of
    -- its input ("shouted." stays whole); ours splits every sentence-final
    -- period that is not an abbreviation's. NLTK leaves an opening single
    -- quote on its word ("'hello"); ours writes it ` as the Treebank does.
    local ours = {
      [6] = [[`` Stop ! '' he shouted . `` Do n't move ! '']],
      [13] = [[He said ` hello ' and left .]],
    }
    local sentences = {}
    for line in io.lines(dir .. "treebank_sentences.txt") do sentences[#sentences + 1] = line end
    local i = 0
    for want in io.lines(dir .. "treebank_nltk.txt") do
      i = i + 1
      local got = table.concat(llm.tokenize.treebank(sentences[i]), " ")
      expect(got).to_be(ours[i] or want)
    end
    expect(i).to_be(#sentences)
  end)
end)
