#!/usr/bin/env python3
"""The count baselines of data/brown-pos (part-of-speech tags of the Brown corpus, data/SOURCES.md): token accuracy
of a most-frequent-tag rule and of a bigram hidden Markov model, on validation and test, overall and on the words
never seen in training (exact form, case-sensitive).

    python3 tools/reference/brown_tagger.py

Suffix model (both taggers, for words unseen in training): the tags of the words seen exactly once in training,
counted by the word's last 1, 2 and 3 letters lower-cased (and by the empty suffix); an unseen word takes the
distribution of its longest suffix (of at most 3 letters) found there, P(t | suffix).
- Most frequent tag: a training word gets the tag it had most often in training (ties: the alphabetically first
  tag); an unseen word the most frequent tag of its suffix.
- Bigram HMM: transitions P(t | t') with add-one smoothing over the tags plus a sentence-end symbol, from a
  sentence-start symbol; emissions count(w, t) / count(t) for a training word (only the tags it was seen with), and
  P(t | suffix) for an unseen word; the best tag sequence by Viterbi. Standard library only."""
import gzip, math
from collections import Counter, defaultdict

START, END = "<s>", "</s>"


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


class Tagger:
    def __init__(self, train, suffix_length=3):
        self.words = defaultdict(Counter)   # word -> tag -> count
        self.tags = Counter()
        self.bigrams = Counter()
        self.before = Counter()              # count of each tag (or START) as the previous tag
        for sentence in train:
            prev = START
            for word, tag in sentence:
                self.words[word][tag] += 1
                self.tags[tag] += 1
                self.bigrams[prev, tag] += 1
                self.before[prev] += 1
                prev = tag
            self.bigrams[prev, END] += 1
            self.before[prev] += 1
        self.k = suffix_length
        self.suffixes = defaultdict(Counter)
        for word, tags in self.words.items():
            if sum(tags.values()) == 1:
                for suffix in self.suffixes_of(word):
                    self.suffixes[suffix].update(tags)
        n = len(self.tags) + 1
        self.transition = {p: {t: math.log((self.bigrams[p, t] + 1) / (self.before[p] + n)) for t in [*self.tags, END]}
                           for p in [START, *self.tags]}

    def suffixes_of(self, word):
        w = word.lower()
        return [w[len(w) - i:] if i else "" for i in range(min(self.k, len(w)) + 1)]

    def suffix_distribution(self, word):
        suffix = next(s for s in reversed(self.suffixes_of(word)) if s in self.suffixes)
        counts = self.suffixes[suffix]
        total = sum(counts.values())
        return {t: c / total for t, c in counts.items()}

    def most_frequent(self, words):
        out = []
        for w in words:
            counts = self.words[w] if w in self.words else self.suffix_distribution(w)
            out.append(max(sorted(counts), key=counts.get))
        return out

    def emissions(self, word):
        if word in self.words:
            return {t: math.log(c / self.tags[t]) for t, c in self.words[word].items()}
        return {t: math.log(p) for t, p in self.suffix_distribution(word).items()}

    def viterbi(self, words):
        columns = [{t: (self.transition[START][t] + e, None) for t, e in self.emissions(words[0]).items()}]
        for word in words[1:]:
            column = {}
            for t, e in self.emissions(word).items():
                score, prev = max((s + self.transition[p][t], p) for p, (s, _) in columns[-1].items())
                column[t] = (score + e, prev)
            columns.append(column)
        tag = max((s + self.transition[t][END], t) for t, (s, _) in columns[-1].items())[1]
        path = [tag]
        for column in reversed(columns[1:]):
            tag = column[tag][1]
            path.append(tag)
        return path[::-1]


def accuracy(tagger, sentences, tag):
    right = total = unseen_right = unseen = 0
    for sentence in sentences:
        words = [w for w, _ in sentence]
        for (word, gold), guess in zip(sentence, tag(words)):
            total += 1
            right += guess == gold
            if word not in tagger.words:
                unseen += 1
                unseen_right += guess == gold
    return right / total, unseen_right / unseen, total, unseen


def main():
    train = read("data/brown-pos/train.conll.gz")
    tagger = Tagger(train)
    print(f"brown-pos: {sum(len(s) for s in train):,} training tokens, {len(tagger.tags)} tags, "
          f"{len(tagger.words):,} distinct words")
    for split in ("valid", "test"):
        sentences = read(f"data/brown-pos/{split}.conll.gz")
        for name, tag in (("most frequent tag", tagger.most_frequent), ("bigram HMM", tagger.viterbi)):
            acc, unseen_acc, n, unseen = accuracy(tagger, sentences, tag)
            print(f"  {name:17} {split:5} accuracy {acc:.4f} ({n:,} tokens), "
                  f"unseen words {unseen_acc:.3f} ({unseen:,})")


if __name__ == "__main__":
    main()
