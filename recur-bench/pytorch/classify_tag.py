#!/usr/bin/env python3
"""The text classifier of `recur classify train` and the part-of-speech tagger of `recur tag train` (softmax head),
with their default recipes, in PyTorch 1.13, for a comparison at equal wall-clock time (issue 19). Run it through
torch-env.sh so torch uses OpenMP OpenBLAS:

    recur-bench/pytorch/torch-env.sh 2 recur-bench/pytorch/classify_tag.py --task spam --time 10m --threads 2 --json spam-torch.json
    recur-bench/pytorch/torch-env.sh 2 recur-bench/pytorch/classify_tag.py --task spam --time 10m --threads 2 --rnn padded
    recur-bench/pytorch/torch-env.sh 2 recur-bench/pytorch/classify_tag.py --task sentiment --time 2m --threads 2
    recur-bench/pytorch/torch-env.sh 2 recur-bench/pytorch/classify_tag.py --task brown-pos --time 15m --threads 2 --json pos-torch.json

beside, with the same budget and thread count,

    ./recur classify train --data spam --time 10m
    ./recur tag train --data brown-pos --time 15m

Same data and definitions as Recur (ClassifyTrainCommand, TagTrainCommand, TextEncoder, Classifier, Tagger,
ClassifyTraining, TagTraining, BucketSampler, Vocabulary, Tokenizer, Split, Trainer, Schedule):
- Data: the bundled files under data/: spam/{train,valid,test}.jsonl.gz (fields text, label), sentiment/sentiment.tsv.gz
  (columns text, label; cut 90/5/5 by Split.hashed: the first 8 bytes of each text's MD5, unsigned, mod 100),
  brown-pos/{train,valid,test}.conll.gz (token in the first column, tag in the last, blank lines between sentences).
- Classifier tokens: Recur's WORD regex  \\n|[\\p{L}\\p{M}\\p{N}]+(?:['’][\\p{L}]+)*|[^\\s]  (Java's \\s: ASCII white space
  only), line breaks dropped, the first --max-tokens (400); a text without tokens reads as its first character.
- Vocabularies: words lower-cased, seen at least --min-count (2) times in training, the --vocab-size (50,000) most
  frequent (ties by first appearance), <unk> first (id 0); for the tagger's character encoder, the characters (as
  written) of the first 30 of each word, seen at least twice. Labels and tags: those of the training data, sorted.
- Encoder: Embedding(V, 100) [+ per word the two final states of a character BiLSTM(25 -> 2 x 25) over its first 30
  characters, for the tagger] -> Dropout(0.3) -> BiLSTM(128 per direction) over the batch -> Dropout(0.3).
  Classifier: max over each text's valid steps -> Linear(256, classes) -> cross-entropy. Tagger: Linear(256, tags)
  per token -> cross-entropy averaged over the non-padding tokens. Initial weights are PyTorch's defaults, as Recur's.
- Training: batches of 32 from Recur's BucketSampler (same SplitMix64 generator, so the same batches in the same order
  for the same --seed: pools of 100 batches sorted longest first, the order of the batches shuffled); Adam (lr 2e-3),
  the global gradient norm clipped to 1.0; the wsd schedule: linear warm-up over 50 steps, the full rate, then a
  linear decay to 5% over the last 20% of the budget (the budget's fraction being the larger of elapsed / --time and
  step / --steps); validation every 250 steps and once more at the end (unless the last step validated), in
  batches of 64 longest first; the best validated weights kept and scored on the test split.
- Metrics: classifier: accuracy (selects the weights) and macro F1 over the classes that occur; tagger: token accuracy
  (selects the weights) and accuracy on the tokens never seen, as written, in the training sentences.

Each BiLSTM (the word one and the character one) is, with --rnn packed (the default), nn.LSTM(bidirectional=True)
over pack_padded_sequence. PyTorch 1.13's CPU backward through a packed sequence grows with the square of its
length (measured on one thread, a BiLSTM of 2 x 128 over 32 sequences, forward and backward: 2.7x the padded time
at 25 steps, 7x at 100, 35x at 400), so a spam batch of 400-token texts takes seconds. --rnn padded computes the
same function (outputs, final states and gradients equal, the same dropout masks) with two nn.LSTM over the padded
batch, the reverse one over each sequence reversed within its length, on PyTorch's dense path: the fair setting for
long texts. The tagger's sentences are short enough for both to run at about the same speed.

The clock starts after the data are read and the model built, as Recur's Trainer's does; validations run inside the
budget, the last one (when the last step did not validate) after it, as in Recur. Training tokens are the non-padding
tokens of the training batches: tokens_per_s divides them by the run's seconds (validations within the budget
included), train_tokens_per_s by the time spent in training steps only. The result is printed as one JSON line and,
with --json FILE, written there. Time it on an idle machine: OpenMP's threads spin, and with another busy process on
the same cores a step can take ten times as long."""
import argparse, csv, gzip, hashlib, io, json, os, sys, time, unicodedata

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blas_check  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TASKS = {"spam": "classify", "sentiment": "classify", "brown-pos": "tag"}
UNKNOWN = "<unk>"
MAX_WORD_CHARS = 30   # TextEncoder.MAX_WORD_CHARS
POOL_BATCHES = 100    # BucketSampler.POOL_BATCHES
EVAL_BATCH = 64       # ClassifyTraining.EVAL_BATCH, TagTraining.EVAL_BATCH
FLOOR = 0.05          # ScheduleType.FLOOR


def duration(text):
    units = {"h": 3600, "m": 60, "s": 1}
    return float(text[:-1]) * units[text[-1]] if text[-1] in units else float(text)


# ---- Tokenizer.WORD ----

def _unicode_class(major):
    """A regex character class of the code points whose general category starts with one of `major` (Java's \\p{L} ...)."""
    ranges, start = [], None
    for cp in range(0x110000):
        inside = unicodedata.category(chr(cp))[0] in major
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            ranges.append((start, cp - 1))
            start = None
    if start is not None:
        ranges.append((start, 0x10FFFF))
    esc = lambda cp: "\\U%08x" % cp
    return "".join(esc(a) if a == b else esc(a) + "-" + esc(b) for a, b in ranges)


def word_pattern():
    import re
    lmn, letters = _unicode_class("LMN"), _unicode_class("L")
    return re.compile("\\n|[" + lmn + "]+(?:['\u2019][" + letters + "]+)*|[^ \\t\\n\\x0b\\f\\r]")


def text_tokens(pattern, text, max_tokens):
    """Classifier.tokens: the WORD tokens without line breaks, the first max_tokens; never empty."""
    out = []
    for m in pattern.finditer(text):
        t = m.group()
        if t != "\n":
            out.append(t)
            if len(out) == max_tokens:
                break
    return out or [text[:1] if text else " "]


# ---- data ----

def read_jsonl(path):
    texts, labels = [], []
    with gzip.open(path, "rt", encoding="utf-8-sig") as f:
        for line in f:
            if not line.strip():
                continue
            o = json.loads(line)
            label = o["label"]
            texts.append(o["text"])
            labels.append(str(label).lower() if isinstance(label, bool) else str(label))
    return texts, labels


def read_tsv(path):
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.reader(io.StringIO(f.read().replace("\r\n", "\n").replace("\r", "\n")), delimiter="\t") if r]
    t, l = rows[0].index("text"), rows[0].index("label")
    return [r[t] for r in rows[1:]], [r[l] for r in rows[1:]]


def hashed_split(keys, valid_fraction=0.05, test_fraction=0.05):
    """Split.hashed: bucket = first 8 bytes of the key's MD5 (unsigned) mod 100."""
    train_end, valid_end = 100 * (1 - valid_fraction - test_fraction), 100 * (1 - test_fraction)
    parts = ([], [], [])
    for i, k in enumerate(keys):
        bucket = int.from_bytes(hashlib.md5(k.encode("utf-8")).digest()[:8], "big") % 100
        parts[0 if bucket < train_end else 1 if bucket < valid_end else 2].append(i)
    return parts


def read_conll(path):
    """Conll.read with the token in the first column and the tag in the last; blank and -DOCSTART- lines end a sentence."""
    sentences, tokens, tags, tabs = [], [], [], None
    with gzip.open(path, "rt", encoding="utf-8-sig") as f:
        for line in f:
            line = line.rstrip("\n")
            s = line.strip()
            token = bool(s) and not (s.startswith("-DOCSTART-") and (len(s) == 10 or s[10].isspace()))
            if not token:
                if tokens:
                    sentences.append((tokens, tags))
                    tokens, tags = [], []
                continue
            if tabs is None:
                tabs = "\t" in line
            cols = line.split("\t") if tabs else s.split()
            tokens.append(cols[0])
            tags.append(cols[-1])
    if tokens:
        sentences.append((tokens, tags))
    return sentences


def vocabulary(tokens, max_size, min_count):
    """Vocabulary.build: <unk>, then the symbols seen at least min_count times, the max_size - 1 most frequent (0 = all)."""
    counts = {}
    for t in tokens:
        counts[t] = counts.get(t, 0) + 1
    counts.pop(UNKNOWN, None)
    order = [t for t, c in counts.items() if c >= min_count]
    if max_size > 0 and len(order) > max_size - 1:
        order = sorted(order, key=lambda t: -counts[t])[: max_size - 1]   # stable: ties by first appearance
    return {s: i for i, s in enumerate([UNKNOWN] + order)}


# ---- BucketSampler, with Recur's generator ----

MASK = (1 << 64) - 1


class Rng:
    """dev.recur.tensor.Rng (SplitMix64) and java.util.random.RandomGenerator's nextInt(bound)."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next_long(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def next_int_bits(self):
        return self.next_long() >> 32   # (int) (nextLong() >>> 32), as an unsigned 32-bit pattern

    def next_int(self, bound):
        r, m = self.next_int_bits(), bound - 1
        if bound & m == 0:
            return r & m
        u = r >> 1
        while True:
            r = u % bound
            if u + m - r < 1 << 31:   # no int overflow: accept
                return r
            u = self.next_int_bits() >> 1


def wsd_rate(a, budget, step, elapsed):
    """Schedule.stableDecay(warmup, decay, 0.05) at the budget's fraction spent (options a.lr, a.warmup, a.decay, a.steps)."""
    if step < a.warmup:
        return a.lr * (step + 1) / a.warmup
    progress = min(1.0, max(elapsed / budget, step / a.steps if a.steps else 0.0))
    into = (progress - (1 - a.decay)) / a.decay
    return a.lr if into <= 0 else a.lr * (1 - (1 - FLOOR) * into)


def shuffle(a, rng):
    for i in range(len(a) - 1, 0, -1):
        j = rng.next_int(i + 1)
        a[i], a[j] = a[j], a[i]


def epoch_batches(lengths, batch, seed, epoch):
    """BucketSampler.shuffled(lengths, batch, seed).epoch(epoch)."""
    rng = Rng(Rng((seed ^ Rng(epoch).next_long()) & MASK).next_long())
    order = list(range(len(lengths)))
    shuffle(order, rng)
    batches, pool = [], POOL_BATCHES * batch
    for start in range(0, len(order), pool):
        part = sorted(order[start:start + pool], key=lambda i: -lengths[i])
        batches += [part[k:k + batch] for k in range(0, len(part), batch)]
    shuffle(batches, rng)
    return batches


# ---- models ----

class BiLSTM(torch.nn.Module):
    """A one-layer bidirectional LSTM over a padded, time-major batch [T, B, I] with lengths: the outputs [T, B, 2H], zero
    past each length, and the two final states [B, H] (forward: at step n - 1; reverse: at step 0), as Recur's.
    packed: nn.LSTM(bidirectional=True) over pack_padded_sequence. padded: the same function from two nn.LSTM run over
    the padded tensor (PyTorch's fast dense path), the reverse one over each sequence reversed within its length."""

    def __init__(self, inputs, hidden, mode):
        super().__init__()
        self.mode = mode
        if mode == "packed":
            self.rnn = torch.nn.LSTM(inputs, hidden, bidirectional=True)
        else:
            self.forward_rnn = torch.nn.LSTM(inputs, hidden)
            self.reverse_rnn = torch.nn.LSTM(inputs, hidden)

    def forward(self, x, lengths):
        if self.mode == "packed":
            out, (h, _) = self.rnn(pack_padded_sequence(x, lengths, enforce_sorted=False))
            return pad_packed_sequence(out, total_length=x.size(0))[0], h[0], h[1]
        t = torch.arange(x.size(0)).unsqueeze(1)                                  # [T, 1]
        valid = t < lengths.unsqueeze(0)                                          # [T, B]
        rev = torch.where(valid, lengths.unsqueeze(0) - 1 - t, t)                 # step t of the reversed sequence
        fwd = self.forward_rnn(x)[0]
        back = self.reverse_rnn(x.gather(0, rev.unsqueeze(2).expand_as(x)))[0]   # reversed within each length
        h = fwd.size(2)
        out = torch.cat([fwd, back.gather(0, rev.unsqueeze(2).expand_as(fwd))], 2).masked_fill(~valid.unsqueeze(2), 0.0)
        last = (lengths - 1).view(1, -1, 1).expand(1, -1, h)
        return out, fwd.gather(0, last)[0], back.gather(0, last)[0]


class Encoder(torch.nn.Module):
    """TextEncoder: word embedding [+ character BiLSTM per word] -> dropout -> BiLSTM over the batch -> dropout."""

    def __init__(self, words, embed, chars, char_embed, char_hidden, hidden, dropout, mode):
        super().__init__()
        self.embedding = torch.nn.Embedding(words, embed)
        self.char_embed = char_embed
        if char_embed > 0:
            self.char_embedding = torch.nn.Embedding(chars, char_embed)
            self.char_rnn = BiLSTM(char_embed, char_hidden, mode)
        self.drop = torch.nn.Dropout(dropout)
        self.rnn = BiLSTM(embed + (2 * char_hidden if char_embed > 0 else 0), hidden, mode)

    def forward(self, b):
        x = self.embedding(b["ids"])                                              # [T, B, E]
        if self.char_embed > 0:
            _, last, first = self.char_rnn(self.char_embedding(b["char_ids"]), b["word_lengths"])   # [N, Hc] each
            per_word = torch.cat([last, first], 1)
            table = torch.cat([per_word.new_zeros(1, per_word.size(1)), per_word], 0)
            x = torch.cat([x, table[b["positions"]]], 2)                          # zeros at padding
        return self.drop(self.rnn(self.drop(x), b["lengths"])[0])               # [T, B, 2H], zero past each length


class Classifier(torch.nn.Module):
    def __init__(self, encoder, classes, hidden):
        super().__init__()
        self.encoder = encoder
        self.head = torch.nn.Linear(2 * hidden, classes)

    def forward(self, b):
        out = self.encoder(b)
        pad = torch.arange(out.size(0)).unsqueeze(1) >= b["lengths"].unsqueeze(0)   # [T, B]
        return self.head(out.masked_fill(pad.unsqueeze(2), float("-inf")).max(0).values)   # max over valid steps


class Tagger(torch.nn.Module):
    def __init__(self, encoder, tags, hidden):
        super().__init__()
        self.encoder = encoder
        self.emissions = torch.nn.Linear(2 * hidden, tags)

    def forward(self, b):
        return self.emissions(self.encoder(b))                                    # [T, B, K]


# ---- batches ----

class Examples:
    """Token id sequences, for the tagger also each token's type (its string as written) for the character encoder."""

    def __init__(self, word_ids, targets, types=None):
        self.ids = [torch.tensor(s, dtype=torch.long) for s in word_ids]
        self.lengths = [len(s) for s in word_ids]
        self.targets = targets
        self.types = None if types is None else [torch.tensor(s, dtype=torch.long) for s in types]


class CharTable:
    """The character ids of every word type (first 30 characters), padded, and their lengths."""

    def __init__(self, types, chars):
        n = len(types)
        self.ids = torch.zeros(n, MAX_WORD_CHARS, dtype=torch.long)
        self.lengths = torch.ones(n, dtype=torch.long)
        for k, w in enumerate(types):
            cs = [chars.get(c, 0) for c in w[:MAX_WORD_CHARS]]
            self.lengths[k] = max(1, len(cs))
            if cs:
                self.ids[k, :len(cs)] = torch.tensor(cs)


def collate(ex, rows, char_table):
    b = {"ids": pad_sequence([ex.ids[i] for i in rows]), "lengths": torch.tensor([ex.lengths[i] for i in rows])}
    if char_table is not None:
        types = pad_sequence([ex.types[i] for i in rows], padding_value=-1)      # [T, B]
        valid = types >= 0
        distinct, inverse = torch.unique(types[valid], return_inverse=True)
        positions = torch.zeros_like(types)
        positions[valid] = inverse + 1
        lengths = char_table.lengths[distinct]
        b["char_ids"] = char_table.ids[distinct, : int(lengths.max())].t()       # [C, N]
        b["word_lengths"] = lengths
        b["positions"] = positions
    return b


def predict(model, ex, char_table, kind):
    """Predicted class per example, or tag indices per token; longest first in batches of 64, nothing recorded."""
    model.eval()
    order = sorted(range(len(ex.lengths)), key=lambda i: -ex.lengths[i])
    out = [None] * len(order)
    with torch.no_grad():
        for start in range(0, len(order), EVAL_BATCH):
            rows = order[start:start + EVAL_BATCH]
            scores = model(collate(ex, rows, char_table))
            best = scores.argmax(-1)
            for k, i in enumerate(rows):
                out[i] = int(best[k]) if kind == "classify" else best[: ex.lengths[i], k].tolist()
    model.train()
    return out


def classification_scores(gold, predicted, classes):
    """Accuracy, and macro F1 over the classes that occur as gold or predicted label (ClassificationScores)."""
    n = len(gold)
    f1s = []
    for k in range(classes):
        tp = sum(1 for g, p in zip(gold, predicted) if g == k and p == k)
        support, predicted_k = sum(1 for g in gold if g == k), sum(1 for p in predicted if p == k)
        if support == 0 and predicted_k == 0:
            continue
        precision = tp / predicted_k if predicted_k else 0.0
        recall = tp / support if support else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return {"accuracy": sum(1 for g, p in zip(gold, predicted) if g == p) / n, "macro_f1": sum(f1s) / len(f1s)}


def tagging_scores(gold, predicted, tokens, seen):
    """Token accuracy, and accuracy on the tokens not seen (as written) in the training sentences (TaggingScores)."""
    n = correct = unknown = unknown_correct = 0
    for g, p, t in zip(gold, predicted, tokens):
        for gk, pk, w in zip(g, p, t):
            n += 1
            correct += gk == pk
            if w not in seen:
                unknown += 1
                unknown_correct += gk == pk
    m = {"accuracy": correct / n}
    if unknown:
        m["unknown_accuracy"] = unknown_correct / unknown
    return m


# ---- the run ----

def load(a):
    """The splits of a task as (tokens, labels) lists, labels being strings (classify) or tag lists (tag)."""
    d = os.path.join(ROOT, "data", a.task)
    if a.task == "spam":
        return [read_jsonl(os.path.join(d, s + ".jsonl.gz")) for s in ("train", "valid", "test")]
    if a.task == "sentiment":
        texts, labels = read_tsv(os.path.join(d, "sentiment.tsv.gz"))
        return [([texts[i] for i in part], [labels[i] for i in part]) for part in hashed_split(texts)]
    return [tuple(map(list, zip(*read_conll(os.path.join(d, s + ".conll.gz"))))) for s in ("train", "valid", "test")]


def main():
    p = argparse.ArgumentParser(description="Recur's classifier and tagger recipes in PyTorch, for a comparison at equal time.")
    p.add_argument("--task", choices=sorted(TASKS), default="spam", help="spam or sentiment (classifier), brown-pos (tagger)")
    p.add_argument("--time", default="5m", help="wall-clock budget, e.g. 90s, 10m, 1h (Recur's default: 5m)")
    p.add_argument("--steps", type=int, default=0, help="a step budget as well (0 = none)")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--embed", type=int, default=100)
    p.add_argument("--char-embed", type=int, default=None, help="default: 25 for the tagger, 0 (none) for the classifier")
    p.add_argument("--char-hidden", type=int, default=25)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--rnn", choices=("packed", "padded"), default="packed",
                   help="packed: nn.LSTM(bidirectional=True) over pack_padded_sequence; padded: two nn.LSTM over the padded "
                        "batch, the reverse one over each sequence reversed within its length (the same function, faster)")
    p.add_argument("--dropout", type=float, default=0.3)
    p.add_argument("--vocab-size", type=int, default=50000)
    p.add_argument("--min-count", type=int, default=2)
    p.add_argument("--max-tokens", type=int, default=400, help="classifier: read the first N tokens of a text")
    p.add_argument("--lr", type=float, default=0.002)
    p.add_argument("--clip", type=float, default=1.0)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--decay", type=float, default=0.2)
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", help="also write the result to this file")
    a = p.parse_args()
    kind = TASKS[a.task]
    char_embed = a.char_embed if a.char_embed is not None else (25 if kind == "tag" else 0)

    libs = blas_check.require_openblas_openmp()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    log = lambda msg: print("classify_tag: " + msg, file=sys.stderr, flush=True)
    log(f"torch {torch.__version__}, {torch.get_num_threads()} threads, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, "
        f"BLAS {', '.join(os.path.basename(l) for l in libs)}")

    (train_x, train_y), (valid_x, valid_y), (test_x, test_y) = load(a)
    if kind == "classify":
        pattern = word_pattern()
        train_x, valid_x, test_x = ([text_tokens(pattern, t, a.max_tokens) for t in xs] for xs in (train_x, valid_x, test_x))
    unit = "texts" if kind == "classify" else "sentences"
    log(f"{a.task}: {len(train_x):,} training, {len(valid_x):,} validation, {len(test_x):,} test {unit}")

    words = vocabulary([w.lower() for s in train_x for w in s], a.vocab_size, a.min_count)
    chars = vocabulary([c for s in train_x for w in s for c in w[:MAX_WORD_CHARS]], 0, 2) if char_embed > 0 else None
    if kind == "classify":
        names = sorted(set(train_y))
        index = {n: i for i, n in enumerate(names)}
        for y in valid_y + test_y:   # labels never seen in training: never predicted, so always errors
            index.setdefault(y, len(index))
        target = lambda ys: [index[y] for y in ys]
        classes = len(names)
    else:
        names = sorted({t for ts in train_y for t in ts})
        index = {n: i for i, n in enumerate(names)}
        target = lambda ys: [[index.get(t, -1) for t in ts] for ts in ys]   # -1: a tag never seen in training
        classes = len(names)

    types = char_table = None
    if char_embed > 0:
        type_index = {}
        for xs in (train_x, valid_x, test_x):
            for s in xs:
                for w in s:
                    type_index.setdefault(w, len(type_index))
        char_table = CharTable(list(type_index), chars)
        types = lambda xs: [[type_index[w] for w in s] for s in xs]
    ids = lambda xs: [[words.get(w.lower(), 0) for w in s] for s in xs]
    train = Examples(ids(train_x), target(train_y), types(train_x) if types else None)
    valid = Examples(ids(valid_x), target(valid_y), types(valid_x) if types else None)
    test = Examples(ids(test_x), target(test_y), types(test_x) if types else None)
    seen = {w for s in train_x for w in s}

    encoder = Encoder(len(words), a.embed, len(chars) if chars else 0, char_embed, a.char_hidden, a.hidden, a.dropout, a.rnn)
    model = Classifier(encoder, classes, a.hidden) if kind == "classify" else Tagger(encoder, classes, a.hidden)
    parameters = sum(t.numel() for t in model.parameters())
    log(f"{len(words):,} words" + (f", {len(chars):,} characters" if chars else "")
        + (f", {classes} labels {names}" if kind == "classify" else f", {classes} tags") + f", {parameters:,} parameters")
    log(str(model).replace("\n", " ").replace("  ", ""))
    if a.rnn == "packed" and max(train.lengths) > 100:
        log(f"note: the longest training {unit[:-1]} has {max(train.lengths)} tokens; PyTorch's CPU backward through a packed "
            "sequence grows with the square of its length, --rnn padded computes the same function without that cost")

    def score(ex, tokens):
        predicted = predict(model, ex, char_table, kind)
        if kind == "classify":
            return classification_scores(ex.targets, predicted, len(index))
        return tagging_scores(ex.targets, predicted, tokens, seen)

    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    budget = duration(a.time)
    per_epoch = (len(train.lengths) + a.batch - 1) // a.batch

    def rate(step, elapsed):
        return wsd_rate(a, budget, step, elapsed)

    step, tokens, train_seconds, eval_seconds = 0, 0, 0.0, 0.0
    best, best_step, best_state, batches, loaded = None, 0, None, None, -1
    history = []

    def validate():
        nonlocal best, best_step, best_state, eval_seconds
        t0 = time.perf_counter()
        m = score(valid, valid_x)
        improved = best is None or m["accuracy"] > best["accuracy"]
        if improved:
            best, best_step, best_state = m, step, {k: v.clone() for k, v in model.state_dict().items()}
        eval_seconds += time.perf_counter() - t0
        history.append(dict(step=step, **{k: round(v, 5) for k, v in m.items()}))
        return m, improved

    start = time.perf_counter()
    while not ((a.steps and step >= a.steps) or time.perf_counter() - start >= budget):
        t0 = time.perf_counter()
        epoch = step // per_epoch
        if epoch != loaded:
            batches, loaded = epoch_batches(train.lengths, a.batch, a.seed, epoch), epoch
        rows = batches[step % per_epoch]
        for g in opt.param_groups:
            g["lr"] = rate(step, t0 - start)
        b = collate(train, rows, char_table)
        scores = model(b)
        if kind == "classify":
            loss = torch.nn.functional.cross_entropy(scores, torch.tensor([train.targets[i] for i in rows]))
        else:
            gold = pad_sequence([torch.tensor(train.targets[i]) for i in rows], padding_value=-100)
            loss = torch.nn.functional.cross_entropy(scores.view(-1, classes), gold.view(-1), ignore_index=-100)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        step += 1
        tokens += sum(train.lengths[i] for i in rows)
        train_seconds += time.perf_counter() - t0
        if a.eval_every and step % a.eval_every == 0:
            m, improved = validate()
            log(f"step {step:,} (epoch {(step - 1) // per_epoch}): loss {loss.item():.4f}, validation "
                + ", ".join(f"{k} {v:.4f}" for k, v in m.items()) + (" (best)" if improved else "")
                + f", {tokens / train_seconds:,.0f} tok/s in training steps")
    seconds = time.perf_counter() - start
    if not a.eval_every or step % a.eval_every != 0:
        m, improved = validate()
        log(f"step {step:,} (end): validation " + ", ".join(f"{k} {v:.4f}" for k, v in m.items())
            + (" (best)" if improved else ""))
    if best_state is not None:
        model.load_state_dict(best_state)
    t = score(test, test_x)
    metric = "accuracy"
    result = dict(framework="pytorch " + torch.__version__, task=a.task,
                  model="classifier" if kind == "classify" else "tagger (softmax)", rnn=a.rnn, threads=a.threads, seed=a.seed, budget_s=budget, steps=step, epochs=round(step / per_epoch, 3),
                  batches_per_epoch=per_epoch, seconds=round(seconds, 1), train_seconds=round(train_seconds, 1),
                  eval_seconds=round(eval_seconds, 1), train_tokens=tokens, tokens_per_s=round(tokens / seconds),
                  train_tokens_per_s=round(tokens / train_seconds) if train_seconds else 0, parameters=parameters,
                  words=len(words), chars=len(chars) if chars else 0, classes=classes,
                  valid_metric=metric, valid_best=round(best[metric], 5), valid_best_step=best_step,
                  valid_best_metrics={k: round(v, 5) for k, v in best.items()},
                  test={k: round(v, 5) for k, v in t.items()}, validations=history)
    line = json.dumps(result)
    print(line)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=2)
        log("wrote " + a.json)


if __name__ == "__main__":
    main()
