-- Week 5 quiz: word embeddings (word2vec, GloVe, fastText, contextual
-- embeddings, embedding layers and reusing pre-trained vectors).
return {
  week = 5,
  title = "Word embeddings",
  pass = 0.6,
  questions = {
    {
      id = "onehot", kind = "choice", points = 1,
      prompt = "Why are one-hot vectors a poor representation of word meaning?",
      choices = {
        "They take too little memory",
        "Every two different words are equally far apart, so similarity is invisible",
        "They cannot represent words that occur often",
        "They change during training",
      },
      answer = 2,
      explain = [[
A one-hot vector has a single 1 at the word's index, so the dot product of
any two different words is 0 and all distances are the same: "sheep" is as
far from "goats" as from "gold". Dense embeddings place words used alike
near each other.]],
    },
    {
      id = "skipgram-cbow", kind = "choice", points = 1,
      prompt = "What does the skip-gram model of word2vec predict during training?",
      choices = {
        "The centre word from the average of its context words",
        "The words around a centre word, from the centre word",
        "The next sentence from the previous one",
        "The log of how often two words co-occur",
      },
      answer = 2,
      explain = [[
Skip-gram takes a centre word and predicts each context word in its window
(with negative sampling: it learns to tell real (centre, context) pairs from
random ones). CBOW is the reverse: it predicts the centre word from the
averaged context. Fitting log co-occurrence counts is GloVe.]],
    },
    {
      id = "negative-sampling", kind = "multi", points = 2,
      prompt = "Which statements about negative sampling in word2vec are true? (choose all that apply)",
      choices = {
        "It replaces a softmax over the whole vocabulary with a few binary classifications per pair",
        "Negative words are drawn from the unigram distribution raised to the power 0.75",
        "It needs labelled data",
        "Raising counts to 0.75 gives rare words a larger share of the draws than their raw frequency",
      },
      answer = { 1, 2, 4 },
      explain = [[
For each real pair the model also sees k random "negative" words and learns
a logistic score: real pairs high, negatives low. That costs k + 1 dot
products instead of one per vocabulary word. The 3/4 power flattens the
distribution, so rare words are drawn more often than their frequency
alone would give. The text itself supplies the "labels": no annotation.]],
    },
    {
      id = "subsample", kind = "numeric", points = 1, tolerance = 0.005,
      prompt = [[
word2vec keeps an occurrence of a word with probability sqrt(t / f), where f
is the word's share of the corpus (capped at 1). With t = 0.0001, what is the
keep probability of a word that makes up 4 % of the corpus? (2 decimals)]],
      answer = 0.05,
      explain = [[
f = 0.04, so sqrt(0.0001 / 0.04) = sqrt(0.0025) = 0.05: only one occurrence
in twenty of such a frequent word is kept. Rare words (f < t) are always
kept.]],
    },
    {
      id = "glove", kind = "choice", points = 1,
      prompt = "What does GloVe fit its vectors to?",
      choices = {
        "The order of words in each sentence",
        "The logarithm of the (distance-weighted) co-occurrence counts of word pairs",
        "The characters inside each word",
        "Human similarity ratings",
      },
      answer = 2,
      explain = [[
GloVe first counts how often each pair of words appears within a window
(weighting a neighbour at distance d by 1/d), then fits w_i . w~_j + b_i +
b~_j to log X_ij with a weighted least-squares loss that caps the weight of
very frequent pairs. The word and context vectors are summed at the end.]],
    },
    {
      id = "fasttext-oov", kind = "text", points = 1,
      prompt = [[
fastText builds a word's vector from pieces of the word, so that a word never
seen in training still gets a vector. What are those pieces called? (two words)]],
      answers = { "character n-grams", "char n-grams", "character ngrams", "subword n-grams" },
      patterns = { "^char%a* ?n%-?grams?$", "^subword n%-?grams?$", "^character n%-?grams?$" },
      explain = [[
Character n-grams: "<where>" with n = 3 gives "<wh", "whe", "her", "ere",
"re>". The word vector is the sum of its n-gram vectors (plus its own when
it is in the vocabulary), so "kingdomes" lands near "kingdom".]],
    },
    {
      id = "ngram-count", kind = "numeric", points = 1,
      prompt = [[
With fastText's markers, "lamb" becomes "<lamb>". How many character n-grams
with 3 <= n <= 4 does it have?]],
      answer = 7,
      explain = [[
"<lamb>" has 6 characters: 6 - 3 + 1 = 4 trigrams (<la, lam, amb, mb>) and
6 - 4 + 1 = 3 four-grams (<lam, lamb, amb>): 7 in all.]],
    },
    {
      id = "analogy", kind = "choice", points = 1,
      prompt = "With 3CosAdd, which word answers \"man is to king as woman is to ?\"",
      choices = {
        "The word x maximising cos(x, king) - cos(x, man) + cos(x, woman), other than the three question words",
        "The word closest to king",
        "The word x maximising cos(x, man) + cos(x, king) + cos(x, woman)",
        "The word closest to man - king + woman",
      },
      answer = 1,
      explain = [[
The relation man -> king is the offset king - man; adding it to woman gives
king - man + woman, and with unit vectors the closest word maximises
cos(x, king) - cos(x, man) + cos(x, woman). The question words are excluded,
or "king" itself would often win.]],
    },
    {
      id = "spearman", kind = "choice", points = 1,
      prompt = "Why is Spearman's rank correlation, not Pearson's, the usual score on word-similarity sets?",
      choices = {
        "It is faster to compute",
        "Cosines and human ratings are on different scales; only whether they order the pairs alike matters",
        "Pearson's correlation cannot be negative",
        "Similarity sets have no numbers, only ranks",
      },
      answer = 2,
      explain = [[
Human scores (0-10) and cosines (-1..1) are related monotonically at best,
not linearly. Spearman's rho compares the rankings, so any monotone
rescaling of either side leaves it unchanged.]],
    },
    {
      id = "contextual", kind = "multi", points = 2,
      prompt = "Which statements about ELMo-style contextual embeddings are true? (choose all that apply)",
      choices = {
        "The same word gets different vectors in different sentences",
        "They come from the hidden states of language models reading the sentence in both directions",
        "Layer 0, the token layer, already depends on the context",
        "A task-specific weighted mix of the layers is used as the word's vector",
      },
      answer = { 1, 2, 4 },
      explain = [[
ELMo runs a forward and a backward LSTM language model; a word's vector
mixes the token layer and the LSTM layers with softmax-normalised weights
(and a scale gamma) learned for each task. Layer 0 is the plain token
vector, identical in every context; only the LSTM layers see the sentence.]],
    },
    {
      id = "embedding-layer", kind = "choice", points = 1,
      prompt = "An nn.Embedding(V, d) applied to token id i returns row i of its weight. Which Linear layer computes the same thing?",
      choices = {
        "Linear(d, V) applied to the id as a number",
        "Linear(V, d) without bias applied to the one-hot vector of i (with weight = the embedding's transpose)",
        "Linear(V, V) applied to the one-hot vector",
        "None: embeddings cannot be trained",
      },
      answer = 2,
      explain = [[
Multiplying a one-hot vector by a matrix selects one row (or column). An
embedding layer is that product done as a lookup, without building the
V-long one-hot vector, and its rows are trained by backpropagation like any
weight.]],
    },
    {
      id = "freeze", kind = "choice", points = 1,
      prompt = "You start a classifier's embedding layer from pre-trained vectors and have only 100 labelled examples. What does freezing the layer protect against?",
      choices = {
        "Words missing from the vocabulary",
        "Overfitting the few examples by moving thousands of embedding weights away from what pre-training learned",
        "Slow matrix multiplication",
        "Vectors of different dimensions",
      },
      answer = 2,
      explain = [[
Fine-tuning lets every vector move, which adapts them to the task but, with
few labels, can also fit noise and forget the general knowledge. Frozen
vectors keep it and leave only the small classifier to train. With more
labels, fine-tuning usually wins: measure both.]],
    },
    {
      id = "cosine-code", kind = "code", points = 3,
      prompt = [[
Write `most_similar(vectors, word)`: `vectors` maps words to Lua arrays of
numbers. Return the other word with the highest cosine similarity to `word`
(on equal scores, the alphabetically first one).]],
      entry = "most_similar",
      template = "function most_similar(vectors, word)\n  -- your code\nend",
      solution = [[
function most_similar(vectors, word)
  local function cos(a, b)
    local d, na, nb = 0, 0, 0
    for i = 1, #a do d = d + a[i] * b[i]; na = na + a[i] ^ 2; nb = nb + b[i] ^ 2 end
    if na == 0 or nb == 0 then return 0 end
    return d / math.sqrt(na * nb)
  end
  local best, score
  for w, v in pairs(vectors) do
    if w ~= word then
      local s = cos(vectors[word], v)
      if not score or s > score or (s == score and w < best) then best, score = w, s end
    end
  end
  return best
end]],
      tests = {
        { name = "simple", args = { { a = { 1, 0 }, b = { 0.9, 0.1 }, c = { 0, 1 } }, "a" }, expect = "b" },
        { name = "length does not matter", args = { { a = { 1, 1 }, b = { 10, 10 }, c = { 1, 0.9 } }, "a" }, expect = "b" },
        { name = "ties alphabetical", args = { { q = { 1, 0 }, z = { 2, 0 }, y = { 3, 0 } }, "q" }, expect = "y", hidden = true },
        { name = "negative", args = { { a = { 1, 0 }, b = { -1, 0 }, c = { -1, -1 } }, "a" }, expect = "c", hidden = true },
      },
      explain = [[
Cosine divides the dot product by both lengths, so only the direction
counts: (10, 10) is as similar to (1, 1) as (1, 1) itself. Nearest-neighbour
lists in llm.embed are this, computed over the whole vocabulary in C.]],
    },
  },
}
