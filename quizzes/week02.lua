-- Week 2 quiz: curating and cleaning text datasets, preprocessing.
return {
  week = 2,
  title = "Curating, cleaning and preprocessing text",
  pass = 0.6,
  questions = {
    {
      id = "quality", kind = "choice", points = 1,
      prompt = "Why does data quality matter so much when pre-training a language model?",
      choices = {
        "Because low-quality text makes training crash",
        "Because the model learns the patterns of its data, including noise, duplicates and toxic text",
        "Because GPUs process clean text faster",
        "It does not matter: enough data always outweighs its quality",
      },
      answer = 2,
      explain = [[
A language model imitates its training distribution. Boilerplate, spam,
repeated documents and toxic text become things the model is likely to
produce, and duplicates waste compute and encourage memorisation.]],
    },
    {
      id = "near-dup", kind = "multi", points = 2,
      prompt = "Which of these are good evidence that two documents are near-duplicates? (choose all that apply)",
      choices = {
        "Their sets of word 5-gram shingles have a high Jaccard similarity",
        "Their MinHash signatures agree in many positions",
        "They have exactly the same length in characters",
        "They are written in different languages",
      },
      answer = { 1, 2 },
      explain = [[
Shingle overlap (Jaccard similarity) is the usual definition of
near-duplicate text, and MinHash estimates it cheaply: the probability that
two signatures agree at one position equals the Jaccard similarity. Equal
length says almost nothing, and texts in different languages are not
duplicates in this sense.]],
    },
    {
      id = "jaccard", kind = "numeric", points = 1, tolerance = 1e-6,
      prompt = [[
What is the Jaccard similarity of the word sets {the, cat, sat} and
{the, cat, ran}?]],
      answer = 0.5,
      explain = [[
Jaccard similarity is |A ∩ B| / |A ∪ B|. The intersection {the, cat} has 2
words and the union {the, cat, sat, ran} has 4, so 2/4 = 0.5.]],
    },
    {
      id = "shingles", kind = "numeric", points = 1,
      prompt = "How many character 3-shingles (overlapping substrings of length 3) does the string `abcdefg` have?",
      answer = 5,
      explain = [[
A string of length n has n - k + 1 overlapping substrings of length k:
7 - 3 + 1 = 5 (abc, bcd, cde, def, efg).]],
    },
    {
      id = "nfc", kind = "text", points = 1,
      prompt = [[
`é` can be stored as one code point (U+00E9) or as `e` followed by a
combining accent (U+0301). Which Unicode normalization form turns the second
into the first (name it, e.g. "NFD")?]],
      answers = { "NFC", "normalization form c", "normalization form canonical composition" },
      patterns = { "^nfc" },
      explain = [[
**NFC** decomposes canonically and then recomposes, giving the precomposed
U+00E9. NFD does the opposite. Normalising a corpus to NFC means the same
visible text always has the same bytes, so counts and duplicates line up.]],
    },
    {
      id = "passive", kind = "choice", points = 1,
      prompt = "Which simple rule is the usual starting point for detecting passive voice in English?",
      choices = {
        "A sentence that ends with a verb",
        "A form of \"to be\" followed by a past participle, as in \"was written\"",
        "A sentence longer than 20 words",
        "A sentence that contains the word \"by\"",
      },
      answer = 2,
      explain = [[
Passive constructions are built from a form of "be" (is, was, were, been...)
and a past participle ("written", "tokenized"), optionally followed by a "by"
phrase. "by" alone is far too common to be a signal on its own.]],
    },
    {
      id = "mojibake", kind = "choice", points = 1,
      prompt = "A scraped page shows `cafÃ©` where `café` was meant. What most likely happened?",
      choices = {
        "The text was lower-cased twice",
        "UTF-8 bytes were decoded as Latin-1 (or Windows-1252)",
        "The page was written in Portuguese",
        "The HTML tags were not removed",
      },
      answer = 2,
      explain = [[
`é` is the two bytes C3 A9 in UTF-8; read as Latin-1 those bytes are the two
characters `Ã` and `©`. Such mojibake is common in crawled data and can often
be repaired by re-decoding.]],
    },
    {
      id = "overclean", kind = "multi", points = 2,
      prompt = "Which cleaning steps can remove information a language model needs, if applied blindly? (choose all that apply)",
      choices = {
        "Lower-casing all text",
        "Deleting all punctuation",
        "Removing all stop words",
        "Removing exact duplicate documents",
      },
      answer = { 1, 2, 3 },
      explain = [[
Case, punctuation and function words all carry meaning a generative model
must learn to produce ("US" vs "us", questions vs statements, grammar).
These steps suit some classic classifiers but not LLM pre-training. Removing
exact duplicates loses nothing.]],
    },
    {
      id = "strip-html", kind = "code", points = 3,
      prompt = [[
Write `strip_html(s)`: remove every tag (`<...>`), decode the entities
`&lt;` `&gt;` `&quot;` `&#39;` and `&amp;`, then collapse runs of whitespace
to one space and trim both ends.]],
      entry = "strip_html",
      template = "function strip_html(s)\n  -- your code\nend",
      solution = [[
function strip_html(s)
  s = s:gsub("<[^>]*>", " ")
  s = s:gsub("&lt;", "<"):gsub("&gt;", ">"):gsub("&quot;", '"'):gsub("&#39;", "'")
  s = s:gsub("&amp;", "&")
  s = s:gsub("%s+", " ")
  return (s:gsub("^ ", ""):gsub(" $", ""))
end]],
      tests = {
        { name = "tags", args = { "<p>Hello <b>world</b></p>" }, expect = "Hello world" },
        { name = "ampersand", args = { "fish &amp; chips" }, expect = "fish & chips" },
        { name = "whitespace", args = { "<div>\n   spaced\t out \n</div>" }, expect = "spaced out", hidden = true },
        { name = "less than", args = { "1 &lt; 2 &gt; 0" }, expect = "1 < 2 > 0", hidden = true },
        { name = "quotes", args = { "say &quot;hi&quot; &#39;now&#39;" }, expect = "say \"hi\" 'now'", hidden = true },
      },
      explain = [[
Replacing each tag by a space keeps words on both sides apart; decoding
`&amp;` last avoids turning `&amp;lt;` into `<`. Collapsing whitespace at the
end tidies what the tags left behind. Real pages also need scripts, styles
and boilerplate removed (Lab 3).]],
    },
    {
      id = "jaccard-code", kind = "code", points = 3,
      prompt = [[
Write `jaccard(a, b)`: the Jaccard similarity of the **sets** of lower-cased
words (`%a+`) of two texts. Two texts without words count as identical (1).]],
      entry = "jaccard",
      template = "function jaccard(a, b)\n  -- your code\nend",
      solution = [[
local function words(s)
  local set = {}
  for w in s:gmatch("%a+") do set[w:lower()] = true end
  return set
end
function jaccard(a, b)
  local A, B = words(a), words(b)
  local inter, union = 0, 0
  for w in pairs(A) do union = union + 1; if B[w] then inter = inter + 1 end end
  for w in pairs(B) do if not A[w] then union = union + 1 end end
  if union == 0 then return 1 end
  return inter / union
end]],
      tests = {
        { name = "half", args = { "the cat sat", "the cat ran" }, expect = 0.5, tol = 1e-9 },
        { name = "both empty", args = { "", "" }, expect = 1, tol = 1e-9 },
        { name = "sets not counts", args = { "a a a b", "a b b" }, expect = 1, tol = 1e-9, hidden = true },
        { name = "disjoint", args = { "red green", "blue" }, expect = 0, tol = 1e-9, hidden = true },
        { name = "case", args = { "The Cat", "the dog" }, expect = 1 / 3, tol = 1e-9, hidden = true },
      },
      explain = [[
Build a set (a table of `word = true`) for each text, count the words in
both and the words in either. Sets ignore repetition, so "a a a b" and "a b b"
are identical. Near-duplicate detection (Lab 4) applies the same measure to
shingles instead of words.]],
    },
  },
}
