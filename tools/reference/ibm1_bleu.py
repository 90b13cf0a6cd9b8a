#!/usr/bin/env python3
"""IBM Model 1 word-for-word substitution on data/bible-es-en: the count-table baseline of the seq2seq task.

    python3 tools/reference/ibm1_bleu.py [ITERATIONS]    # default 5; from the repository root, about 4 minutes

Both sides are tokenised as sacreBLEU's default `13a` tokeniser does (case kept). Model 1 (Brown et al., 1993)
learns t(english word | spanish word) on the `train` pairs by EM: uniform start, a NULL word on the Spanish side,
ITERATIONS rounds. A test verse is translated word by word: each Spanish token becomes its most probable English
word (ties: the first in sorted order), a token never seen in training is copied as it is; nothing is reordered,
dropped or inserted. The score is corpus BLEU-4 as sacreBLEU computes it by default: 13a tokens of hypothesis and
reference, n-gram precisions 1-4 clipped by the references' counts (several lines with the same source are that
source's references), geometric mean, brevity penalty against the closest reference length, no smoothing.
Prints the validation and test BLEU with their n-gram precisions (5 iterations: test 20.04, validation 24.25)."""
import gzip, math, re, sys
from collections import Counter, defaultdict


def tok13a(line):
    """sacreBLEU's `13a` tokeniser (mteval-v13a.pl's): punctuation and symbols split off, dots and commas unless
    between digits, a dash after a digit."""
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        line = line.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    line = f" {line} "
    line = re.sub(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])", r" \1 ", line)
    line = re.sub(r"([^0-9])([\.,])", r"\1 \2 ", line)
    line = re.sub(r"([\.,])([^0-9])", r" \1 \2", line)
    line = re.sub(r"([0-9])(-)", r"\1 \2 ", line)
    return line.split()


def read(split):
    """{source: [references]} in file order."""
    pairs = defaultdict(list)
    with gzip.open(f"data/bible-es-en/{split}.tsv.gz", "rt", encoding="utf-8") as f:
        for line in f:
            source, target = line.rstrip("\n").split("\t")
            pairs[source].append(target)
    return pairs


def train(pairs, iterations):
    corpus = [(["<NULL>"] + tok13a(s), tok13a(t)) for s, t in pairs]
    t = defaultdict(lambda: 1.0)  # t[(e, f)]; uniform start (any constant: each E step normalises over f)
    for it in range(iterations):
        count, total = defaultdict(float), defaultdict(float)
        for fs, es in corpus:
            for e in es:
                z = sum(t[(e, f)] for f in fs)
                for f in fs:
                    c = t[(e, f)] / z
                    count[(e, f)] += c
                    total[f] += c
        t = defaultdict(float, {(e, f): c / total[f] for (e, f), c in count.items()})
    best = {}
    for (e, f), p in t.items():
        if f not in best or p > best[f][0] or (p == best[f][0] and e < best[f][1]):
            best[f] = (p, e)
    return {f: e for f, (p, e) in best.items()}


def ngrams(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def bleu(hypotheses, references):
    """Corpus BLEU-4 (percent) and the four precisions; references: a list of reference lists."""
    matches, totals, hyp_len, ref_len = [0] * 4, [0] * 4, 0, 0
    for hyp, refs in zip(hypotheses, references):
        h, rs = tok13a(hyp), [tok13a(r) for r in refs]
        hyp_len += len(h)
        ref_len += min((abs(len(r) - len(h)), len(r)) for r in rs)[1]
        for n in range(1, 5):
            counts, most = ngrams(h, n), Counter()
            for r in rs:
                most |= ngrams(r, n)
            matches[n - 1] += sum(min(c, most[g]) for g, c in counts.items())
            totals[n - 1] += max(len(h) - n + 1, 0)
    precisions = [m / t if t else 0.0 for m, t in zip(matches, totals)]
    if min(matches) == 0:
        return 0.0, precisions, hyp_len, ref_len
    bp = 1.0 if hyp_len > ref_len else math.exp(1 - ref_len / hyp_len)
    return 100 * bp * math.exp(sum(math.log(p) for p in precisions) / 4), precisions, hyp_len, ref_len


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    pairs = [(s, t) for s, ts in read("train").items() for t in ts]
    table = train(pairs, iterations)
    for split in ("valid", "test"):
        data = read(split)
        hyps = [" ".join(table.get(f, f) for f in tok13a(s)) for s in data]
        score, precisions, h, r = bleu(hyps, list(data.values()))
        print(f"{split}: BLEU {score:.2f} ({'/'.join(f'{100 * p:.1f}' for p in precisions)}, "
              f"BP {min(1.0, math.exp(1 - r / h)):.3f}, hyp_len {h:,}, ref_len {r:,}); {len(data):,} verses")


if __name__ == "__main__":
    main()
