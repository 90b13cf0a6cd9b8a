#!/usr/bin/env python3
"""Multinomial naive Bayes, the count baseline of the two bundled classification sets (data/SOURCES.md).

    python3 tools/reference/naive_bayes.py            # both
    python3 tools/reference/naive_bayes.py spam       # data/spam: train on train, score test
    python3 tools/reference/naive_bayes.py sentiment  # data/sentiment: 10-fold cross-validation

Features: the lower-cased text cut into runs of [a-z0-9] (for spam the whole raw message, headers included).
Class priors from the training counts; word probabilities with add-one smoothing over a vocabulary V,
P(w | c) = (count(w, c) + 1) / (words(c) + |V|); ties go to the label first in alphabetical order.
- spam: V is the training words; a test word outside V is ignored.
- sentiment: V is the words of all 1,000 sentences (as a bag-of-words vectoriser fitted once on the file before
  cross-validation has it), so a word unseen in a fold's training part counts with probability 1 / (words(c) + |V|).
  Fold k holds the lines whose index (from 0, header excluded) is k mod 10; the score is the mean of the 10 fold
  accuracies. (With spam's rule instead, training words only and unseen words ignored, the mean is 0.815.)
Standard library only."""
import csv, gzip, io, json, math, re, sys
from collections import Counter

WORD = re.compile(r"[a-z0-9]+")


def tokens(text):
    return WORD.findall(text.lower())


class NaiveBayes:
    def __init__(self, examples, vocabulary=None):
        """examples: (tokens, label) pairs; vocabulary: the smoothing vocabulary, by default the training words."""
        self.docs = Counter(label for _, label in examples)
        self.counts = {label: Counter() for label in self.docs}
        for words, label in examples:
            self.counts[label].update(words)
        self.known = set().union(*self.counts.values())
        self.vocabulary = self.known if vocabulary is None else vocabulary
        self.total = {label: sum(c.values()) for label, c in self.counts.items()}

    def predict(self, words):
        n = sum(self.docs.values())
        size = len(self.vocabulary)
        words = [w for w in words if w in self.vocabulary]

        def score(label):
            c, t = self.counts[label], self.total[label]
            return math.log(self.docs[label] / n) + sum(math.log((c[w] + 1) / (t + size)) for w in words)

        return max(sorted(self.docs), key=score)


def spam():
    def read(split):
        with gzip.open(f"data/spam/{split}.jsonl.gz", "rt", encoding="utf-8") as f:
            return [(tokens(m["text"]), m["label"]) for m in map(json.loads, f)]

    train, test = read("train"), read("test")
    model = NaiveBayes(train)
    tp = fp = fn = correct = 0
    for words, label in test:
        guess = model.predict(words)
        correct += guess == label
        tp += guess == "spam" and label == "spam"
        fp += guess == "spam" and label == "ham"
        fn += guess == "ham" and label == "spam"
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    majority = Counter(label for _, label in train).most_common(1)[0][0]
    print(f"spam: {len(train)} train, {len(test)} test messages")
    print(f"  naive Bayes   test accuracy {correct / len(test):.3f}, spam precision {precision:.3f}, "
          f"recall {recall:.3f}, F1 {2 * precision * recall / (precision + recall):.3f}")
    print(f"  majority ({majority}) test accuracy {sum(label == majority for _, label in test) / len(test):.3f}")


def sentiment():
    with gzip.open("data/sentiment/sentiment.tsv.gz", "rb") as f:
        rows = list(csv.DictReader(io.TextIOWrapper(f, encoding="utf-8", newline=""), delimiter="\t"))
    examples = [(tokens(r["text"]), r["label"]) for r in rows]
    vocabulary = {w for words, _ in examples for w in words}
    accuracies = []
    for k in range(10):
        model = NaiveBayes([e for i, e in enumerate(examples) if i % 10 != k], vocabulary)
        held = [e for i, e in enumerate(examples) if i % 10 == k]
        accuracies.append(sum(model.predict(words) == label for words, label in held) / len(held))
    print(f"sentiment: {len(examples)} sentences, 10 folds")
    print(f"  naive Bayes   mean accuracy {sum(accuracies) / 10:.3f} (folds {' '.join(f'{a:.2f}' for a in accuracies)})")


if __name__ == "__main__":
    sets = {"spam": spam, "sentiment": sentiment}
    for name in sys.argv[1:] or sets:
        if name not in sets:
            sys.exit(f"unknown set {name}; choose from {', '.join(sets)}")
        sets[name]()
