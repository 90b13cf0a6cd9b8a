#!/usr/bin/env python3
"""Interpolated Kneser-Ney character n-gram (absolute discount 0.75): bits per character of a test text given a
training text, the count-table baseline of docs/language-models.md. Files may be gzip-compressed.

    python3 tools/reference/kneser_ney.py data/moby-dick/train.txt.gz data/moby-dick/test.txt.gz 6

The highest order uses raw counts, the lower orders continuation counts (the number of distinct characters seen
before a context); an unseen context backs off to the next lower order, and the order 0 to a uniform
distribution over the training characters plus one."""
import gzip, math, sys
from collections import defaultdict


def read(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return f.read()


def train(text, n):
    counts = [defaultdict(lambda: defaultdict(int)) for _ in range(n)]  # counts[k][context of length k][char]
    for i in range(len(text)):
        for k in range(n):
            if i - k < 0:
                break
            counts[k][text[i - k:i]][text[i]] += 1
    continuation = [defaultdict(lambda: defaultdict(int)) for _ in range(n)]
    for k in range(1, n):
        for context, chars in counts[k].items():
            for c in chars:
                continuation[k - 1][context[1:]][c] += 1
    tables = []
    for k in range(n):
        source = counts[k] if k == n - 1 else continuation[k]
        tables.append({context: (chars, sum(chars.values()), len(chars)) for context, chars in source.items()})
    return tables


def probability(tables, vocab, history, c, d=0.75):
    p = 1.0 / (vocab + 1)
    for k in range(len(tables)):
        if k > len(history):
            break
        entry = tables[k].get(history[len(history) - k:] if k else "")
        if entry is None:
            break
        chars, total, types = entry
        p = max(chars.get(c, 0) - d, 0) / total + d * types / total * p
    return p


def main():
    train_text, test_text, n = read(sys.argv[1]), read(sys.argv[2]), int(sys.argv[3])
    tables = train(train_text, n)
    vocab = len(set(train_text))
    bits = -sum(math.log2(probability(tables, vocab, test_text[max(0, i - n + 1):i], test_text[i]))
                for i in range(len(test_text)))
    print(f"{n}-gram Kneser-Ney: {bits / len(test_text):.3f} bits per character on {len(test_text):,} characters")


main()
