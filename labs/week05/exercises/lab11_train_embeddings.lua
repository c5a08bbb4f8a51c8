-- Your exercise file for lab 11 (training and visualising word
-- embeddings). Fill in each function, then run
--   llmlab lab run 11 --check
-- Stuck? `llmlab lab hint 11` gives the next hint.
local M = {}

-- Cosine similarity of two vectors (Lua arrays of the same length):
-- dot(a, b) / (|a| |b|), and 0 when either vector is all zeros.
-- cosine({1, 0}, {1, 1}) --> 0.7071...
function M.cosine(a, b)
  -- TODO
end

-- The (center, context) training pairs of skip-gram with a fixed window:
-- for each position i, every word at positions i-window .. i+window other
-- than i itself (staying inside the list), in order of i, then of position.
-- skipgram_pairs({"a", "b", "c"}, 1) --> {{"a","b"}, {"b","a"}, {"b","c"}, {"c","b"}}
function M.skipgram_pairs(words, window)
  -- TODO
end

-- Frequent-word subsampling: the probability of KEEPING an occurrence of a
-- word seen `count` times among `total` words, with threshold t:
-- f = count / total, keep = sqrt(t / f), never more than 1.
-- keep_probability(1000, 100000, 1e-3) --> 0.3162...
function M.keep_probability(count, total, t)
  -- TODO
end

-- fastText's character n-grams: wrap the word in "<" and ">", then list
-- every substring of length minn .. maxn (shortest first, then left to
-- right). char_ngrams("the", 3, 4) --> {"<th", "the", "he>", "<the", "the>"}
function M.char_ngrams(word, minn, maxn)
  -- TODO
end

-- GloVe's co-occurrence counts: for every two positions i < j with
-- j - i <= window, add 1 / (j - i) to X[words[i]][words[j]] AND to
-- X[words[j]][words[i]]. Returns X, a table of tables.
-- cooccurrence({"a", "b", "a"}, 2) --> {a = {b = 2, a = 1}, b = {a = 2}}
function M.cooccurrence(words, window)
  -- TODO
end

-- Points for a 2-D scatter plot: keep the words that `vecs` knows
-- (vecs:has(w)), take their vectors (vecs:vector(w)), project them with
-- llm.embed.pca(rows, 2), and return {{x, y, word}, ...} in the order of
-- the known words.
function M.scatter_points(vecs, words)
  -- TODO
end

-- ELMo's layer mix: vectors is a list of K arrays (one per layer, all of
-- the same length), weights a list of K numbers. Returns the array
-- gamma * sum_k softmax(weights)_k * vectors[k].
-- layer_mix({{1, 2}, {3, 4}}, {0, 0}, 1) --> {2, 3}
function M.layer_mix(vectors, weights, gamma)
  -- TODO
end

return M
