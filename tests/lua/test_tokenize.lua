-- llm.tokenize: whitespace, regex, pre-tokens, the Penn Treebank tokenizer
-- (expected tokens are those NLTK's TreebankWordTokenizer gives, written
-- out by hand) and the sentence splitter, with offsets.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect
local tk = llm.tokenize

describe("simple tokenizers", function()
  it("splits on whitespace, Unicode spaces included", function()
    expect(tk.whitespace("  a  b\tc\n d\u{3000}e\u{A0}f ")).to_equal({ "a", "b", "c", "d", "e", "f" })
    expect(tk.whitespace("")).to_equal({})
  end)

  it("gives character and byte offsets", function()
    local s = "héllo  wörld ok"
    local t = tk.whitespace(s, { offsets = true })
    expect(#t).to_be(3)
    expect(t[2]).to_equal({ text = "wörld", start = 8, stop = 12, byte_start = 9, byte_stop = 14 })
    for _, x in ipairs(t) do expect(s:sub(x.byte_start, x.byte_stop)).to_be(x.text) end
    expect(t[3].start).to_be(14)
  end)

  it("finds the matches of a user regex", function()
    expect(tk.regex("x=12, y=345; z=6", "\\d+")).to_equal({ "12", "345", "6" })
    expect(tk.regex("Ünïcode wörds", "\\w+")).to_equal({ "Ünïcode", "wörds" })
    expect(function() tk.regex("abc", "[") end).to_error("bad pattern")
  end)

  it("pre-tokenizes like GPT-2 and cl100k", function()
    expect(tk.pretokenize("Hello world's   123456!!")).to_equal({ "Hello", " world", "'s", "  ", " 123456", "!!" })
    expect(tk.pretokenize("Hello world's   123456!!", "cl100k"))
      .to_equal({ "Hello", " world", "'s", "  ", " ", "123", "456", "!!" })
    -- bad bytes are pieces of their own and nothing is lost
    local s = "ab\xffcd \xc3"
    expect(table.concat(tk.pretokenize(s))).to_be(s)
    expect(tk.pretokenize(s)).to_equal({ "ab", "\xff", "cd", " ", "\xc3" })
  end)
end)

describe("bad input", function()
  it("reports text that is not UTF-8", function()
    expect(function() tk.whitespace("ab\xffcd") end).to_error("bad byte 0xff at byte 3")
    expect(function() tk.regex("a\xc3", "\\w+") end).to_error("not valid UTF-8")
    expect(function() tk.treebank("caf\xe9 ok") end).to_error("not valid UTF-8")
    expect(function() tk.sentences("Hi. \x80There.") end).to_error("not valid UTF-8")
    expect(function() tk.whitespace(nil) end).to_error("expected a string")
  end)
end)

describe("Penn Treebank tokenizer", function()
  local cases = {
    { [["I can't believe it's $12.99," she said (quietly) -- didn't you?]],
      { "``", "I", "ca", "n't", "believe", "it", "'s", "$", "12.99", ",", "''", "she", "said", "(", "quietly", ")",
        "--", "did", "n't", "you", "?" } },
    { "They'll go, won't they? I'm sure we'd've... maybe.",
      { "They", "'ll", "go", ",", "wo", "n't", "they", "?", "I", "'m", "sure", "we", "'d", "'ve", "...", "maybe", "." } },
    { "Mr. Smith paid 1,000 dollars (50%) to AT&T in the U.S.",
      { "Mr.", "Smith", "paid", "1,000", "dollars", "(", "50", "%", ")", "to", "AT", "&", "T", "in", "the", "U.S." } },
    { "I cannot, gonna stop; the boys' toys: [ok]!",
      { "I", "can", "not", ",", "gon", "na", "stop", ";", "the", "boys", "'", "toys", ":", "[", "ok", "]", "!" } },
    { "He said \u{201C}don\u{2019}t\u{201D} at 4:05.",
      { "He", "said", "``", "do", "n\u{2019}t", "''", "at", "4:05", "." } },
  }
  for i, c in ipairs(cases) do
    it("tokenizes case " .. i, function() expect(tk.treebank(c[1])).to_equal(c[2]) end)
  end

  it("gives offsets into the source for every token", function()
    local s = [["Don't," he said.]]
    local t = tk.treebank(s, { offsets = true })
    local texts, spans = {}, {}
    for i, x in ipairs(t) do texts[i] = x.text; spans[i] = s:sub(x.byte_start, x.byte_stop) end
    expect(texts).to_equal({ "``", "Do", "n't", ",", "''", "he", "said", "." })
    expect(spans).to_equal({ '"', "Do", "n't", ",", '"', "he", "said", "." })
    expect(t[2].start).to_be(2)
    expect(t[8].stop).to_be(#s)
  end)
end)

describe("sentence splitter", function()
  it("handles abbreviations, initials, decimals and quotes", function()
    local s = 'Dr. Smith went to Washington. He arrived at 3.15 p.m. on Jan. 5. "Why?" she asked. '
      .. "J. R. R. Tolkien wrote it... Then it ended! Really?! Yes."
    expect(tk.sentences(s)).to_equal({
      "Dr. Smith went to Washington.",
      "He arrived at 3.15 p.m. on Jan. 5.",
      '"Why?" she asked.',
      "J. R. R. Tolkien wrote it...",
      "Then it ended!",
      "Really?!",
      "Yes.",
    })
  end)

  it("splits after closing quotes and at blank lines, keeps lowercase continuations", function()
    expect(tk.sentences('She said "Stop." Then she left.\n\nNew paragraph without a period\nstill going. e.g. this'))
      .to_equal({ 'She said "Stop."', "Then she left.", "New paragraph without a period\nstill going. e.g. this" })
    expect(tk.sentences("The value is 3.14. It is pi.")).to_equal({ "The value is 3.14.", "It is pi." })
    expect(tk.sentences("   ")).to_equal({})
    expect(tk.sentences("No end mark")).to_equal({ "No end mark" })
  end)

  it("gives offsets", function()
    local s = "  Hi there. Bye. "
    local t = tk.sentences(s, { offsets = true })
    expect(#t).to_be(2)
    expect(s:sub(t[2].byte_start, t[2].byte_stop)).to_be("Bye.")
    expect(t[1].start).to_be(3)
  end)
end)

describe("properties on random text", function()
  it("treebank spans cover every non-space byte once; sentences keep all text", function()
    local alpha = { "a", "B", "c", "1", " ", "  ", "\n", "\n\n", ".", ",", "!", "?", '"', "'", "(", ")", "[", "-",
      "--", "$", "%", "&", "#", "@", ":", ";", "...", "é", "\u{201C}", "\u{201D}", "\u{2019}", "\u{2026}", "Mr.",
      "U.S.", "n't", "'s", "can", "not", "3.14", "1,000", "\t", "<", "}" }
    llm.seed(3)
    for _ = 1, 400 do
      local parts = {}
      for i = 1, llm.random(30) do parts[i] = alpha[llm.random(#alpha)] end
      local s = table.concat(parts)
      local covered, last = {}, 0
      for _, t in ipairs(tk.treebank(s, { offsets = true })) do
        if #t.text == 0 or t.byte_start <= last or t.byte_stop > #s then T.fail(("bad token in %q"):format(s)) end
        last = t.byte_stop
        for b = t.byte_start, t.byte_stop do covered[b] = true end
      end
      for b = 1, #s do
        if not s:sub(b, b):find("%s") and not covered[b] then T.fail(("byte %d not covered in %q"):format(b, s)) end
      end
      local joined = {}
      for _, x in ipairs(tk.sentences(s, { offsets = true })) do
        joined[#joined + 1] = x.text
        if s:sub(x.byte_start, x.byte_stop) ~= x.text then T.fail(("bad sentence span in %q"):format(s)) end
      end
      expect((table.concat(joined):gsub("%s", ""))).to_be((s:gsub("%s", "")))
    end
  end)
end)
