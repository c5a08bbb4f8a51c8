-- Week 4 quiz: feature engineering, n-gram models and text augmentation.
return {
  week = 4,
  title = "Features, n-gram language models and augmentation",
  pass = 0.6,
  questions = {
    {
      id = "bow", kind = "choice", points = 1,
      prompt = "What information does a bag-of-words vector throw away?",
      choices = { "Which words occur", "How often each word occurs", "The order of the words", "The size of the vocabulary" },
      answer = 3,
      explain = [[
A bag of words keeps one count (or weight) per vocabulary word and nothing
about position, so "dog bites man" and "man bites dog" get the same vector.
N-gram features bring back some local order.]],
    },
    {
      id = "tfidf", kind = "numeric", points = 1, tolerance = 0.001,
      prompt = [[
A term occurs 3 times in a 100-word document and appears in 10 of the
corpus's 1,000 documents. With tf = count / length and idf = ln(N / df),
what is its tf-idf weight? (3 decimals)]],
      answer = 0.1382,
      explain = [[
tf = 3 / 100 = 0.03 and idf = ln(1000 / 10) = ln 100 ≈ 4.605, so
tf-idf ≈ 0.03 × 4.605 ≈ 0.138. Libraries differ in details (scikit-learn
adds 1 inside and outside the log by default), so always say which variant
you use.]],
    },
    {
      id = "bigram-count", kind = "numeric", points = 1,
      prompt = "How many bigrams does a sentence of 6 tokens contain (no start or end padding)?",
      answer = 5,
      explain = "A sequence of n tokens has n − 1 adjacent pairs: 6 − 1 = 5.",
    },
    {
      id = "mle", kind = "numeric", points = 1, tolerance = 1e-6,
      prompt = [[
In a corpus, "the" is followed by another word 12 times, and "the cat"
occurs 3 times. What is the maximum-likelihood estimate of P(cat | the)?]],
      answer = 0.25,
      explain = [[
The MLE of a bigram probability is count(the cat) / count(the ·) =
3 / 12 = 0.25.]],
    },
    {
      id = "laplace", kind = "multi", points = 2,
      prompt = "Which statements about add-one (Laplace) smoothing of a bigram model are true? (choose all that apply)",
      choices = {
        "Bigrams never seen in training get a probability above zero",
        "One is added to every bigram count",
        "The denominator grows by the vocabulary size V",
        "It makes frequent bigrams more likely than before",
      },
      answer = { 1, 2, 3 },
      explain = [[
P(w | v) = (count(v w) + 1) / (count(v) + V): every count gets one more and
the denominator grows by V so the probabilities still sum to one. Mass
moves from seen to unseen bigrams, so frequent bigrams become **less**
likely.]],
    },
    {
      id = "trigram", kind = "text", points = 1,
      prompt = "What is an n-gram with n = 3 called?",
      answers = { "trigram", "tri-gram", "a trigram" },
      patterns = { "^tri%-?grams?$" },
      explain = "Unigram, bigram, **trigram**: a sequence of three tokens.",
    },
    {
      id = "augment-risk", kind = "choice", points = 1,
      prompt = "What is the main risk of synonym replacement as a data augmentation for sentiment classification?",
      choices = {
        "It makes training slower",
        "A replacement can change the meaning, so the label may no longer fit",
        "It reduces the vocabulary",
        "It only works for English",
      },
      answer = 2,
      explain = [[
"Synonyms" from a thesaurus are often not interchangeable in context
("not bad" → "not poor", "fine" as in a penalty). Augmented examples whose
label no longer fits teach the model the wrong thing, so keep the rate low
and check samples.]],
    },
    {
      id = "perplexity", kind = "choice", points = 1,
      prompt = "Two language models are evaluated on the same held-out text. Which is better?",
      choices = { "The one with the higher perplexity", "The one with the lower perplexity", "Perplexity cannot compare models" },
      answer = 2,
      explain = [[
Perplexity is exp(average negative log-likelihood per token): the lower it
is, the more probability the model gave the real text. Comparisons only make
sense with the same tokenization and test text.]],
    },
    {
      id = "bigram-counts", kind = "code", points = 3,
      prompt = [[
Write `bigram_counts(tokens)`: a table mapping `"w1 w2"` (the two tokens
joined by one space) to how many times that bigram occurs in the list.]],
      entry = "bigram_counts",
      template = "function bigram_counts(tokens)\n  -- your code\nend",
      solution = [[
function bigram_counts(tokens)
  local counts = {}
  for i = 1, #tokens - 1 do
    local k = tokens[i] .. " " .. tokens[i + 1]
    counts[k] = (counts[k] or 0) + 1
  end
  return counts
end]],
      tests = {
        { name = "simple", args = { { "the", "cat", "the", "cat" } }, expect = { ["the cat"] = 2, ["cat the"] = 1 } },
        { name = "one token", args = { { "alone" } }, expect = {} },
        { name = "repeats", args = { { "a", "a", "a" } }, expect = { ["a a"] = 2 }, hidden = true },
        { name = "empty", args = { {} }, expect = {}, hidden = true },
      },
      explain = [[
Loop over positions 1 to n − 1 and count each pair. These counts, divided
by the counts of the first word, are the maximum-likelihood bigram model of
Lab 9.]],
    },
    {
      id = "laplace-code", kind = "code", points = 3,
      prompt = [[
Write `laplace_prob(tokens, v, w)`: the add-one smoothed bigram probability
P(w | v) = (count(v w) + 1) / (count(v ·) + V), where count(v ·) is how many
bigrams start with `v` and V is the number of distinct tokens in `tokens`.]],
      entry = "laplace_prob",
      template = "function laplace_prob(tokens, v, w)\n  -- your code\nend",
      solution = [[
function laplace_prob(tokens, v, w)
  local vocab, V = {}, 0
  for _, t in ipairs(tokens) do
    if not vocab[t] then vocab[t] = true; V = V + 1 end
  end
  local pair, first = 0, 0
  for i = 1, #tokens - 1 do
    if tokens[i] == v then
      first = first + 1
      if tokens[i + 1] == w then pair = pair + 1 end
    end
  end
  return (pair + 1) / (first + V)
end]],
      tests = {
        { name = "seen bigram", args = { { "a", "b", "a", "c" }, "a", "b" }, expect = 2 / 5, tol = 1e-9 },
        { name = "unseen bigram", args = { { "a", "b", "a", "c" }, "b", "c" }, expect = 1 / 4, tol = 1e-9 },
        { name = "last word", args = { { "x", "y" }, "y", "x" }, expect = 1 / 2, tol = 1e-9, hidden = true },
        { name = "repeats", args = { { "a", "a", "a" }, "a", "a" }, expect = 3 / 3, tol = 1e-9, hidden = true },
      },
      explain = [[
Count the vocabulary, the bigrams starting with v and the bigram (v, w),
then apply the formula. In "a b a c", "a" starts 2 bigrams and V = 3, so
P(b | a) = (1 + 1) / (2 + 3) = 0.4. The last token of a text starts no
bigram, which is why P(x | y) in "x y" is (0 + 1) / (0 + 2).]],
    },
  },
}
