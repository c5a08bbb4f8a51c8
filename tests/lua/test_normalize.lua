-- llm.normalize: case, stemming, lemmatisation, stop words, punctuation.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect
local N = llm.normalize

describe("llm.normalize", function()
  it("lowercases and case-folds", function()
    expect(N.lower("Hello ÀÉ Σ")).to_be("hello àé σ")
    expect(N.casefold("Straße ﬁ")).to_be("strasse fi")
    expect(function() N.casefold("\xff") end).to_error("not valid UTF-8")
  end)

  it("stems with Snowball", function()
    expect(N.stem("running")).to_be("run")
    expect(N.stem({ "generously", "connections" })).to_equal({ "generous", "connect" })
    expect(N.stem("generously", "porter")).to_be("gener")
    expect(N.stem("continuellement", "french")).to_be("continuel")
    expect(N.stem("Häuser", "german")).to_be("Haus")
    expect(function() N.stem("x", "klingon") end).to_error("no Snowball algorithm 'klingon'")
    local names = table.concat(N.stemmers(), " ")
    expect(names:find("porter", 1, true) ~= nil).to_be(true)
  end)

  it("lemmatises with WordNet and a part of speech", function()
    expect(N.lemmatize("geese")).to_be("goose")
    expect(N.lemmatize("went", "v")).to_be("go")
    expect(N.lemmatize("better", "a")).to_be("good")
    expect(N.lemmatize("went")).to_be("went")
    expect(N.lemmatize({ "mice", "cats" }, "n")).to_equal({ "mouse", "cat" })
    expect(function() N.lemmatize("went", "x") end).to_error("not one of n, v, a, r")
    expect(N.morphstr("axes", "n")).to_equal({ "ax", "axis" })
    expect(N.morphstr("better", "a")).to_equal({ "good", "well" })
    expect(N.morphstr("dog", "n")).to_equal({})
  end)

  it("removes stop words from packages, the project list and user lists", function()
    local toks = { "The", "dog", "is", "in", "the", "garden" }
    expect(N.remove_stopwords(toks, "project")).to_equal({ "dog", "garden" })
    expect(N.remove_stopwords(toks, { "dog", "the" })).to_equal({ "is", "in", "garden" })
    expect(N.remove_stopwords(toks, { "the" }, { keep_case = true })).to_equal({ "The", "dog", "is", "in", "garden" })
    local en = N.stopwords("en") -- npm stopwords-iso in the data folder
    expect(en["the"]).to_be(true)
    expect(en["garden"]).to_be(nil)
    expect(N.stopwords("fr")["le"]).to_be(true)
    expect(function() N.stopwords("xx-none") end).to_error("no list named 'xx-none'")
  end)

  it("removes and standardises punctuation", function()
    expect(N.remove_punctuation("Hello, world! (ok) «non» — fin…")).to_be("Hello world ok non  fin")
    expect(N.remove_punctuation("a,b", { space = true })).to_be("a b")
    expect(N.standardize_punctuation("\u{201C}Hi\u{201D} \u{2014} it\u{2019}s ok\u{2026} \u{FF01}"))
      .to_be("\"Hi\" - it's ok... !")
    expect(N.remove_punctuation_tokens({ "a", ",", "b", "...", "c!" })).to_equal({ "a", "b", "c!" })
  end)
end)
