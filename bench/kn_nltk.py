#!/usr/bin/python3
"""kn_nltk.py TRAIN HELDOUT N_CHECK: NLTK's KneserNeyInterpolated(order=3), unk_cutoff=2, fit
on one tokenised sentence per line; prints the fit seconds, and the perplexity
of the first N_CHECK held-out sentences (NLTK scores continuation counts by
scanning every trigram context, so the full held-out set would take hours)."""
import sys
import time
from nltk.lm import KneserNeyInterpolated, Vocabulary
from nltk.lm.preprocessing import padded_everygram_pipeline, pad_both_ends
from nltk.util import ngrams


def read(path):
    return [l.split() for l in open(path, encoding="utf-8").read().split("\n") if l.strip()]


train, held = read(sys.argv[1]), read(sys.argv[2])
n_check = int(sys.argv[3])
t0 = time.perf_counter()
grams, vocab = padded_everygram_pipeline(3, train)
lm = KneserNeyInterpolated(3, vocabulary=Vocabulary(unk_cutoff=2))  # words seen once -> <UNK>
lm.fit(grams, vocab)
fit_s = time.perf_counter() - t0
check = [g for s in held[:n_check] for g in ngrams(list(pad_both_ends(s, n=3)), 3)]
t0 = time.perf_counter()
ppl = lm.perplexity(check)
ppl_s = time.perf_counter() - t0
print("nltk_fit_seconds %.4f" % fit_s)
print("nltk_check_events %d" % len(check))
print("nltk_check_perplexity %.12g" % ppl)
print("nltk_check_seconds %.4f" % ppl_s)
