-- Week 3 quiz: tokenization and text normalization.
return {
  week = 3,
  title = "Tokenization and text normalization",
  pass = 0.6,
  questions = {
    {
      id = "bpe-step", kind = "choice", points = 1,
      prompt = "What does one training step of Byte Pair Encoding (BPE) do?",
      choices = {
        "Splits the rarest token into two halves",
        "Merges the most frequent pair of adjacent symbols into a new symbol",
        "Removes the least frequent word from the vocabulary",
        "Assigns each word a random integer id",
      },
      answer = 2,
      explain = [[
BPE starts from characters (or bytes) and repeatedly counts adjacent pairs
in the corpus, adds the most frequent pair as a new symbol and rewrites the
corpus with it. The list of merges, in order, is the tokenizer.]],
    },
    {
      id = "gpt2-vocab", kind = "numeric", points = 1,
      prompt = [[
A byte-level BPE starts with 256 byte symbols, learns 50,000 merges and adds
one special end-of-text token. How many entries does its vocabulary have?]],
      answer = 50257,
      explain = [[
Each merge adds exactly one symbol: 256 + 50,000 + 1 = 50,257, which is the
size of GPT-2's vocabulary.]],
    },
    {
      id = "subword-pros", kind = "multi", points = 2,
      prompt = "Which are advantages of subword tokenization over whole-word vocabularies? (choose all that apply)",
      choices = {
        "Unknown words can still be written as smaller known pieces",
        "Sequences are much shorter than with single characters",
        "Frequent words usually stay a single token",
        "Every word becomes exactly one token in every language",
      },
      answer = { 1, 2, 3 },
      explain = [[
Subwords sit between characters and words: no word is out of vocabulary,
common words stay whole and sequences stay short. The last choice is false:
rare words and many non-English words split into several tokens.]],
    },
    {
      id = "stemming", kind = "text", points = 1,
      prompt = "What is the normalization called that cuts words down by suffix rules, as the Porter algorithm does (\"running\" → \"run\")?",
      answers = { "stemming" },
      patterns = { "^stem" },
      explain = [[
**Stemming** applies suffix-stripping rules without a dictionary, so its
output need not be a word ("studies" → "studi"). Lemmatization (next
question) uses a vocabulary and the part of speech instead.]],
    },
    {
      id = "lemma", kind = "choice", points = 1,
      prompt = "Which technique can map \"geese\" to \"goose\" and \"better\" to \"good\"?",
      choices = { "Stemming", "Lemmatization", "Lower-casing", "Stop word removal" },
      answer = 2,
      explain = [[
Irregular forms need a dictionary of word forms such as WordNet's; that is
lemmatization. No suffix rule turns "geese" into "goose".]],
    },
    {
      id = "chars-per-token", kind = "numeric", points = 1, tolerance = 0.01,
      prompt = "A tokenizer turns a 4,800-character text into 1,200 tokens. How many characters per token is that on average?",
      answer = 4,
      explain = [[
4,800 / 1,200 = 4. About four characters per token is typical of English
with GPT-style BPE; the figure is worse for languages the tokenizer saw
little of, which makes them cost more tokens.]],
    },
    {
      id = "stopwords", kind = "multi", points = 2,
      prompt = "Which of these words are on practically every English stop word list? (choose all that apply)",
      choices = { "the", "and", "of", "tokenizer" },
      answer = { 1, 2, 3 },
      explain = [[
Stop words are very frequent function words ("the", "and", "of") that carry
little topic information. "tokenizer" is a content word.]],
    },
    {
      id = "case", kind = "choice", points = 1,
      prompt = "Why do LLM tokenizers usually keep upper and lower case instead of lower-casing everything?",
      choices = {
        "Lower-casing is too slow for large corpora",
        "Case carries meaning (names, sentence starts, acronyms) the model must read and write",
        "Upper-case letters are not valid UTF-8",
        "Lower-casing would make the vocabulary larger",
      },
      answer = 2,
      explain = [[
A generative model must produce correctly cased text, and case
distinguishes "US" from "us" or "Apple" from "apple". A byte-level BPE
represents both cases cheaply.]],
    },
    {
      id = "bpe-merge", kind = "code", points = 3,
      prompt = [[
Write `merge(tokens, a, b)`: a new list in which every adjacent pair `a`, `b`
of `tokens` is replaced by the single token `a .. b`, scanning left to right
without overlaps (`merge({"a","a","a"}, "a", "a")` is `{"aa", "a"}`).]],
      entry = "merge",
      template = "function merge(tokens, a, b)\n  -- your code\nend",
      solution = [[
function merge(tokens, a, b)
  local out, i = {}, 1
  while i <= #tokens do
    if tokens[i] == a and tokens[i + 1] == b then
      out[#out + 1] = a .. b
      i = i + 2
    else
      out[#out + 1] = tokens[i]
      i = i + 1
    end
  end
  return out
end]],
      tests = {
        { name = "overlap", args = { { "a", "a", "a" }, "a", "a" }, expect = { "aa", "a" } },
        { name = "low", args = { { "l", "o", "w" }, "l", "o" }, expect = { "lo", "w" } },
        { name = "no pair", args = { { "x", "y" }, "y", "x" }, expect = { "x", "y" }, hidden = true },
        { name = "repeated", args = { { "a", "b", "a", "b" }, "a", "b" }, expect = { "ab", "ab" }, hidden = true },
        { name = "empty", args = { {}, "a", "b" }, expect = {}, hidden = true },
      },
      explain = [[
Walk the list with an index; when the current and next tokens form the pair,
emit the merged token and skip two, otherwise copy one. This is the inner
loop of BPE training and of encoding with a learned merge list.]],
    },
    {
      id = "best-pair", kind = "code", points = 3,
      prompt = [[
Write `best_pair(tokens)`: the most frequent adjacent pair as a list
`{a, b}`, counting every position (overlaps included). Ties go to the pair
that appears first. Return `nil` when there is no pair.]],
      entry = "best_pair",
      template = "function best_pair(tokens)\n  -- your code\nend",
      solution = [=[
function best_pair(tokens)
  local counts, first, order = {}, {}, {}
  for i = 1, #tokens - 1 do
    local k = tokens[i] .. "\0" .. tokens[i + 1]
    if not counts[k] then
      counts[k] = 0
      order[#order + 1] = { k, tokens[i], tokens[i + 1] }
    end
    counts[k] = counts[k] + 1
  end
  local best
  for _, e in ipairs(order) do
    if not best or counts[e[1]] > counts[best[1]] then best = e end
  end
  return best and { best[2], best[3] } or nil
end]=],
      tests = {
        { name = "classic", args = { { "a", "a", "a", "b", "d", "a", "a", "a", "b", "a", "c" } }, expect = { "a", "a" } },
        { name = "too short", args = { { "x" } }, expect = nil },
        { name = "tie goes first", args = { { "x", "y", "z", "w" } }, expect = { "x", "y" }, hidden = true },
        { name = "counts", args = { { "c", "d", "a", "b", "a", "b", "c", "d", "a", "b" } }, expect = { "a", "b" }, hidden = true },
      },
      explain = [[
Count pairs in a table keyed by both tokens (a separator avoids "ab"+"c"
colliding with "a"+"bc") and remember the order of first appearance so that
ties break the same way every time; deterministic tie-breaking is what makes
two BPE implementations produce the same merges.]],
    },
  },
}
