#!/usr/bin/python3
"""tfidf_sklearn.py VERSES OUT: scikit-learn's TfidfVectorizer(ngram_range=(1, 2))
on one document per line; prints the seconds of fit_transform and writes the
matrix (shape, vocabulary, CSR arrays) to OUT for bench/tfidf_kjv.lua to compare."""
import sys
import time
from sklearn.feature_extraction.text import TfidfVectorizer

docs = open(sys.argv[1], encoding="utf-8").read().split("\n")
if docs and docs[-1] == "":
    docs.pop()
best = None
for _ in range(3):
    vec = TfidfVectorizer(ngram_range=(1, 2))
    t0 = time.perf_counter()
    X = vec.fit_transform(docs)
    dt = time.perf_counter() - t0
    best = dt if best is None else min(best, dt)
X.sort_indices()
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write("%d %d %d\n" % (X.shape[0], X.shape[1], X.nnz))
    f.write("\n".join(vec.get_feature_names_out()) + "\n")
    f.write(" ".join(map(str, X.indptr)) + "\n")
    f.write(" ".join(map(str, X.indices)) + "\n")
    f.write(" ".join("%.9g" % v for v in X.data) + "\n")
print("sklearn_seconds %.4f" % best)
