-- llm.augment: WordNet synonyms, EDA operations, character noise, the
-- label-preserving hook; everything reproducible under llm.seed.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect
local A = llm.augment

local function sorted(t) local c = { table.unpack(t) }; table.sort(c); return c end
local function words(s) local t = {}; for w in s:gmatch("%S+") do t[#t + 1] = w end; return t end

describe("WordNet synonyms", function()
  it("finds synonyms by part of speech and base form", function()
    local adj = A.synonyms("happy", "a")
    local set = {}
    for _, w in ipairs(adj) do set[w] = true end
    expect(set.glad).to_be(true)
    expect(set.happy).to_be(nil)
    local dogs = A.synonyms("dogs", "n")
    local has = false
    for _, w in ipairs(dogs) do has = has or w == "domestic dog" end
    expect(has).to_be(true)
    expect(A.synonyms("qwxzzy")).to_equal({})
    expect(function() A.synonyms("run", "x") end).to_error("part of speech must be")
  end)

  it("replacement respects the part of speech and stop words", function()
    llm.seed(1)
    local out, n = A.synonym_replacement("the happy", { n = 5, pos = "a" })
    local t = words(out)
    expect(t[1]).to_be("the")
    expect(n).to_be(1)
    local ok = false
    for _, w in ipairs(A.synonyms("happy", "a")) do ok = ok or t[2] == w end
    expect(ok).to_be(true)
  end)
end)

describe("EDA operations", function()
  local s = "one two three four five six seven eight"
  it("swap keeps the words, deletion keeps at least one", function()
    llm.seed(2)
    local sw = A.random_swap(s, { n = 3 })
    expect(sorted(words(sw))).to_equal(sorted(words(s)))
    expect(A.random_deletion(s, { p = 0 })).to_be(s)
    expect(#words(A.random_deletion(s, { p = 1 }))).to_be(1)
    expect(A.random_swap({ "solo" })).to_equal({ "solo" })
  end)

  it("insertion adds one synonym per step", function()
    llm.seed(3)
    local out = A.random_insertion({ "happy", "dog" }, { n = 2 })
    expect(#out).to_be(4)
  end)

  it("is reproducible with llm.seed", function()
    llm.seed(42)
    local a = A.eda("the quick brown fox jumps over the lazy dog", { num_aug = 4 })
    llm.seed(42)
    local b = A.eda("the quick brown fox jumps over the lazy dog", { num_aug = 4 })
    expect(a).to_equal(b)
    expect(#a).to_be(4)
  end)
end)

describe("character noise", function()
  it("typos use keyboard neighbours", function()
    llm.seed(4)
    local out = A.keyboard_typos("aaaa", { p = 1 })
    for c in out:gmatch(".") do
      local ok = false
      for _, n in ipairs(A.keyboard_neighbours.a) do ok = ok or n == c end
      expect(ok).to_be(true)
    end
    expect(A.keyboard_typos("Hello", { p = 0 })).to_be("Hello")
    expect(A.keyboard_typos("ÄÖ 123", { p = 1 })).to_be("ÄÖ 123")
  end)

  it("swaps stay inside words and keep the characters", function()
    llm.seed(5)
    local out = A.char_swaps("abcd efgh", { p = 1 })
    expect(out).to_be("badc fehg")
    expect(function() A.char_swaps("bad \xff") end).to_error("not valid UTF-8")
  end)
end)

describe("label-preserving hook", function()
  it("keeps only the variants the check accepts", function()
    llm.seed(6)
    local data = { { text = "good great film", label = 1 }, { text = "bad awful film", label = 0 } }
    -- a toy classifier: positive iff the text holds "good" or "great"
    local function classify(t) return (t:find("good") or t:find("great")) and 1 or 0 end
    local out, stats = A.augment_dataset(data, {
      per_example = 3,
      fn = function(t) return A.random_deletion(t, { p = 0.5 }) end,
      check = function(_, new, label) return classify(new) == label end,
    })
    expect(stats.kept + stats.rejected).to_be(6)
    expect(#out).to_be(2 + stats.kept)
    for i = 3, #out do expect(classify(out[i].text)).to_be(out[i].label) end
  end)
end)
