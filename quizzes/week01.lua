-- Week 1 quiz: NLP and text data fundamentals.
return {
  week = 1,
  title = "Introduction to NLP and text data",
  pass = 0.6,
  questions = {
    {
      id = "apps", kind = "choice", points = 1,
      prompt = "Which of these tasks is **not** a natural language processing application?",
      choices = {
        "Translating a news article from German to English",
        "Deciding whether a product review is positive or negative",
        "Removing noise from a photograph",
        "Answering a question using a set of documents",
      },
      answer = 3,
      explain = [[
Translation, sentiment analysis and question answering all take human
language as input or output. Denoising a photograph works on pixels: it is
image processing, not NLP.]],
    },
    {
      id = "challenges", kind = "multi", points = 2,
      prompt = "Which of these make raw text awkward to use as data for a model? (choose all that apply)",
      choices = {
        "The same word can mean different things in different contexts",
        "Documents have very different lengths",
        "A few words are very common while most words are rare",
        "Text is already a list of numbers, so it needs no conversion",
        "Every language marks word boundaries with spaces",
      },
      answer = { 1, 2, 3 },
      explain = [[
Ambiguity, variable length and the long tail of rare words (Zipf's law) are
real difficulties. Text is a sequence of symbols, not numbers, so it must be
turned into numbers (tokenization, features); and languages such as Chinese
or Thai do not put spaces between words.]],
    },
    {
      id = "utf8-bytes", kind = "numeric", points = 1,
      prompt = [[
How many **bytes** does the string `naïve café` take in UTF-8? (It has 10
code points; `ï` and `é` are outside ASCII.)]],
      answer = 12,
      explain = [[
ASCII characters take one byte each in UTF-8 and the Latin-1 range
(U+0080 to U+07FF) takes two: 8 one-byte characters (including the space)
plus 2 two-byte characters gives 12 bytes.]],
    },
    {
      id = "zipf", kind = "numeric", points = 1, rel = 0.01,
      prompt = [[
In a corpus that follows Zipf's law (frequency proportional to 1/rank), the
most frequent word occurs 60,000 times. About how many times does the
**third** most frequent word occur?]],
      answer = 20000,
      explain = [[
Under Zipf's law f(r) = f(1) / r, so f(3) = 60,000 / 3 = 20,000. Real corpora
follow this only roughly, but the shape (a few very common words and a long
tail of rare ones) holds remarkably well.]],
    },
    {
      id = "corpus", kind = "text", points = 1,
      prompt = "What is a large, structured collection of texts gathered for language study or model training called (one word)?",
      answers = { "corpus", "a corpus", "corpora", "text corpus" },
      explain = [[
A **corpus** (plural **corpora**) is a body of text collected for analysis:
Project Gutenberg's books, a Wikipedia dump or a crawl of the web.]],
    },
    {
      id = "jsonl", kind = "choice", points = 1,
      prompt = "Which format stores one JSON object per line, so a huge dataset can be streamed and split without parsing it whole?",
      choices = { "CSV", "JSON Lines (.jsonl)", "XML", "PDF" },
      answer = 2,
      explain = [[
JSON Lines puts one self-contained record on each line. A reader can stream
it, and shards can be cut at any newline. CSV struggles with text that itself
holds commas and newlines; XML and PDF need a full parser.]],
    },
    {
      id = "utf8-units", kind = "text", points = 1,
      prompt = "UTF-8 encodes every Unicode code point as a sequence of 1 to 4 ... what? (one word)",
      answers = { "bytes", "byte", "octets", "octet" },
      patterns = { "^8%-?bit bytes?$" },
      explain = [[
UTF-8 uses 8-bit code units, i.e. **bytes**: 1 byte for ASCII, 2 to 4 bytes
for other characters. That is why byte-level tokenizers can represent any
text with a base vocabulary of just 256 symbols.]],
    },
    {
      id = "scraping", kind = "multi", points = 2,
      prompt = "Which are real concerns when collecting web pages for a training corpus? (choose all that apply)",
      choices = {
        "The site's terms of use and robots.txt",
        "Personal data such as names, e-mail addresses and phone numbers",
        "Boilerplate such as menus, cookie banners and advertisements",
        "Web text never contains duplicates, so no deduplication is needed",
      },
      answer = { 1, 2, 3 },
      explain = [[
Permission, privacy and boilerplate are all practical issues of web data.
The last choice is false: the web is full of copies (mirrors, quotes,
templates), which is why deduplication (week 2) matters so much.]],
    },
    {
      id = "sentence-lengths", kind = "code", points = 3,
      prompt = [[
Write a Lua function `sentence_lengths(text)` that returns a list with the
number of words in each sentence. A sentence ends at `.`, `!` or `?`; a
word is a run of non-space characters; pieces with no words (for example
between `...`) are skipped, and text after the last end mark is a sentence.]],
      entry = "sentence_lengths",
      template = "function sentence_lengths(text)\n  -- your code\nend",
      solution = [[
function sentence_lengths(text)
  local out = {}
  for piece in text:gmatch("[^.!?]+") do
    local n = 0
    for _ in piece:gmatch("%S+") do n = n + 1 end
    if n > 0 then out[#out + 1] = n end
  end
  return out
end]],
      tests = {
        { name = "two sentences", args = { "Hi there. How are you?" }, expect = { 2, 3 } },
        { name = "empty text", args = { "" }, expect = {} },
        { name = "three end marks", args = { "One! Two three? Four five six." }, expect = { 1, 2, 3 }, hidden = true },
        { name = "no final mark", args = { "No end mark here" }, expect = { 4 }, hidden = true },
        { name = "ellipsis", args = { "Wait... what?" }, expect = { 1, 1 }, hidden = true },
      },
      explain = [[
`text:gmatch("[^.!?]+")` yields the pieces between end marks, and counting
`%S+` matches in each gives its words. Skipping pieces with no words handles
`...` and trailing spaces. Sentence length statistics like these are one of
the first things to look at in a new corpus (Lab 2).]],
    },
    {
      id = "ttr", kind = "code", points = 3,
      prompt = [[
Write `type_token_ratio(text)`: the number of **distinct** lower-cased words
divided by the total number of words, where a word is a run of letters
(`%a+`). Return 0 for a text with no words.]],
      entry = "type_token_ratio",
      template = "function type_token_ratio(text)\n  -- your code\nend",
      solution = [[
function type_token_ratio(text)
  local seen, types, tokens = {}, 0, 0
  for w in text:gmatch("%a+") do
    w = w:lower()
    tokens = tokens + 1
    if not seen[w] then seen[w] = true; types = types + 1 end
  end
  if tokens == 0 then return 0 end
  return types / tokens
end]],
      tests = {
        { name = "repeated word", args = { "the cat the dog" }, expect = 0.75, tol = 1e-9 },
        { name = "no words", args = { "123 !!" }, expect = 0, tol = 1e-9 },
        { name = "case folding", args = { "The THE the" }, expect = 1 / 3, tol = 1e-9, hidden = true },
        { name = "all distinct", args = { "a b c d e" }, expect = 1, tol = 1e-9, hidden = true },
      },
      explain = [[
Types are distinct words, tokens are all occurrences. Lower-casing first
makes "The" and "the" one type. The ratio falls as a text grows, which is
why it is only compared between texts of similar length.]],
    },
  },
}
