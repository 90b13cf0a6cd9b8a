"""Reference values for BleuTest, ChrfTest and the tokenizer cases in SequenceScoresTest.

Runs sacreBLEU's own code (2.6.0, commit f615c72 of mjpost/sacrebleu) with its defaults: BLEU with
tokenizer 13a, case-sensitive, smoothing 'exp'; chrF with character order 6, word order 0, beta 2,
whitespace removed. Put the sacrebleu package directory and its imports (portalocker, tabulate,
colorama, lxml) on PYTHONPATH and run:

    python3 tools/reference/seq2seq_metrics_reference.py
"""
from sacrebleu.metrics import BLEU, CHRF
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a
from sacrebleu.utils import sum_of_lists

# Per sentence: the hypothesis and its references (one or two).
FIXTURE = [
    ("The cat sat on the mat.", ["The cat sat on the mat."]),
    ('He paid $1,000 for 3.5 kg of "organic" coffee.',
     ["He spent 1,000 dollars on 3.5 kg of organic coffee.",
      "He paid $1,000 for 3.5 kilograms of &quot;organic&quot; coffee."]),
    ("Wait -- is it 5-10 minutes (or more)?", ["Wait, is it 5-10 minutes or more?"]),
    ("Birds fly south quickly.", ["In winter, the geese migrate towards warmer lands."]),
    ("The results, e.g. 2.5% and 7%, were clear.",
     ["The results (e.g. 2.5% and 7%) were clear!", "Results were clear: 2.5% and 7%."]),
    ("I can't believe it's 10:30 already", ["I cannot believe it's already 10:30."]),
]

# No 4-gram matches in the whole corpus, so 'exp' smoothing sets p4 = 100 / (2 · total4).
NO_FOUR_GRAMS = [
    ("the cat sat down", ["the cat lay down"]),
    ("a dog ran", ["a dog ran away"]),
]

# The hypothesis (3 tokens) is as far from both references (2 and 4); the shorter counts.
TIE = [("a b c", ["a b", "a b c d"])]

# The first reference has no n-grams above order 2, so the first hypothesis adds none of its own to those orders.
SHORT_REFERENCE = [("abcdefg", ["ab"]), ("xyz123", ["xyz123"])]

TOKENIZER_CASES = [
    'He said &quot;3.5 &amp; 1,000&quot; &lt;b&gt;',
    "The end. Really, it's 5-10 x-ray items: $5 (approx.)!",
    "a.b 1.a a,1 1,a 3.5. ,5 end,",
    "<skipped>line-\nbreak\nnext &amp;quot; &apos;",
    "  many   spaces\there  ",
]


def streams(fixture):
    """sacreBLEU takes reference streams: stream k holds each sentence's k-th reference or None."""
    width = max(len(refs) for _, refs in fixture)
    return [[refs[k] if k < len(refs) else None for _, refs in fixture] for k in range(width)]


def report(name, fixture):
    hyps = [h for h, _ in fixture]
    bleu = BLEU().corpus_score(hyps, streams(fixture))
    chrf = CHRF().corpus_score(hyps, streams(fixture))
    print(f"{name}: BLEU score {bleu.score!r}")
    print(f"  precisions {[p for p in bleu.precisions]!r}")
    print(f"  counts {bleu.counts!r} totals {bleu.totals!r}")
    print(f"  bp {bleu.bp!r} ratio {bleu.ratio!r} hyp_len {bleu.sys_len} ref_len {bleu.ref_len}")
    print(f"  chrF score {chrf.score!r}")
    # chrF's P and R: the means over the orders with hypothesis and reference n-grams, as CHRF._compute_f_score.
    stats = sum_of_lists(CHRF()._extract_corpus_statistics(hyps, streams(fixture)))
    orders = [stats[3 * i: 3 * i + 3] for i in range(6)]
    used = [(m / h, m / r) for h, r, m in orders if h > 0 and r > 0]
    print(f"  chrF P {100 * sum(p for p, _ in used) / len(used)!r} R {100 * sum(r for _, r in used) / len(used)!r}")


report("fixture", FIXTURE)
report("no four-grams", NO_FOUR_GRAMS)
report("tie", TIE)
report("short reference", SHORT_REFERENCE)
# chrF picks per sentence the reference with the best sentence score; each reference alone:
for k in range(2):
    two = [(h, [refs[min(k, len(refs) - 1)]]) for h, refs in FIXTURE]
    print(f"fixture, reference {k} only: chrF {CHRF().corpus_score([h for h, _ in two], streams(two)).score!r}")
tok = Tokenizer13a()
for line in TOKENIZER_CASES:
    print(f"13a {line!r} -> {tok(line.rstrip())!r}")
