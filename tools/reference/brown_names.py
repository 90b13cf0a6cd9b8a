#!/usr/bin/env python3
"""The lexicon baseline of data/brown-names (proper-name spans in BIO tags, data/SOURCES.md): exact-match span
precision, recall and F1 as conlleval counts them, on the test split (and on validation).

    python3 tools/reference/brown_names.py

The rule: a token seen in training is a name when it was tagged B-NAME or I-NAME in more than half of its
training occurrences (case-sensitive: "Bill" and "bill" are different words); a token never seen in training is a
name when it starts with a capital letter and is not the first of its sentence. Each maximal run of name tokens
is one predicted span (B-NAME, then I-NAME). Standard library only."""
import gzip
from collections import Counter


def read(path):
    """CoNLL: sentences as lists of (word, tag), word and tag separated by a tab, blank lines between sentences."""
    sentences, current = [], []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                word, tag = line.split("\t")
                current.append((word, tag))
            elif current:
                sentences.append(current)
                current = []
    if current:
        sentences.append(current)
    return sentences


def spans(tags):
    """conlleval's chunks: a span starts at B-, or at an I- that follows O; it ends before the next B- or O."""
    found, start = set(), None
    for i, tag in enumerate(tags + ["O"]):
        if tag == "O" or tag.startswith("B-") or start is None:
            if start is not None:
                found.add((start, i))
            start = None if tag == "O" else i
    return found


def score(sentences, predict):
    tp = fp = fn = 0
    for sentence in sentences:
        gold = spans([t for _, t in sentence])
        guess = spans(predict([w for w, _ in sentence]))
        tp, fp, fn = tp + len(gold & guess), fp + len(guess - gold), fn + len(gold - guess)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return precision, recall, 2 * precision * recall / (precision + recall), tp + fn


def main():
    train = read("data/brown-names/train.conll.gz")
    name, other = Counter(), Counter()
    for sentence in train:
        for word, tag in sentence:
            (other if tag == "O" else name)[word] += 1
    seen = set(name) | set(other)

    def predict(words):
        flags = [name[w] > other[w] if w in seen else i > 0 and w[:1].isupper() for i, w in enumerate(words)]
        return ["O" if not f else "I-NAME" if i and flags[i - 1] else "B-NAME" for i, f in enumerate(flags)]

    print(f"brown-names: {sum(len(s) for s in train):,} training tokens, {len(seen):,} distinct words")
    for split in ("valid", "test"):
        p, r, f, n = score(read(f"data/brown-names/{split}.conll.gz"), predict)
        print(f"  lexicon rule  {split:5} ({n:,} spans): precision {p:.3f}, recall {r:.3f}, F1 {f:.3f}")


if __name__ == "__main__":
    main()
