#!/usr/bin/python3
"""Reference timing: gensim's word2vec on the same corpus and settings as
bench/embeddings.lua. Usage: gensim_w2v.py CORPUS THREADS [fasttext] [SEED] [OUT.txt]"""
import sys, time
from gensim.models import Word2Vec, FastText

path, threads = sys.argv[1], int(sys.argv[2])
mode = sys.argv[3] if len(sys.argv) > 3 else "word2vec"
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
out = sys.argv[5] if len(sys.argv) > 5 else None
sentences = [line.split() for line in open(path, encoding="utf-8")]
sentences = [s for s in sentences if s]
t0 = time.time()
common = dict(vector_size=100, window=5, min_count=5, sg=1, negative=5, epochs=5,
              workers=threads, seed=seed, sample=1e-3)
if mode == "fasttext":
    model = FastText(sentences, min_n=3, max_n=6, bucket=2000000, **common)
else:
    model = Word2Vec(sentences, **common)
dt = time.time() - t0
print(f"gensim {mode} threads={threads} seconds={dt:.2f} vocab={len(model.wv)}")
if out:
    model.wv.save_word2vec_format(out)
