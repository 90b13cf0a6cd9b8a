#!/usr/bin/env python3
"""The encoder-decoder of `recur seq2seq train`, with its default recipe, in PyTorch 1.13, for a comparison at equal
wall-clock time on CMUdict. Run it through torch-env.sh so torch uses OpenMP OpenBLAS:

    recur-bench/pytorch/torch-env.sh 2 recur-bench/pytorch/seq2seq.py --time 40m --eval-every 1000 --json g2p-torch.json

beside, with the same budget and thread count,

    ./recur seq2seq train --data cmudict --time 40m --eval-every 1000

Same data and definitions as Recur (Seq2SeqTrainCommand, PairData, Seq2Seq, Attention, Search, Seq2SeqTraining,
SequenceScores, BucketSampler, Vocabulary, Schedule):
- Data: data/cmudict/{train,valid,test}.tsv.gz, word<TAB>phonemes; stress digits removed and pairs that then repeat
  dropped; every pair a training example; validation and test score each distinct word against all its variants.
- Units: the word's characters; the phonemes (whitespace-separated). Vocabularies: <unk> first, then symbols in order
  of first appearance; the target's <unk>, <s>, </s> first.
- Model: Embedding(Vs, 128) -> Dropout(0.3) -> a 2-layer bidirectional LSTM of 128 per direction (dropout 0.3 between
  layers) over packed sources -> Dropout(0.3): the memory m [S, B, 256]. Bridge: tanh(Linear(256, 256)) of the top
  layer's final forward and backward states, for h0 and c0. Decoder: an LSTM(128 + 256, 256) fed
  [dropout(E_tgt[y_{t-1}]) ; h~_{t-1}] (input feeding, h~_0 = 0); Luong's general attention: scores h_t . (W m_s),
  a softmax over the source's valid steps, context = sum of alpha m; h~_t = tanh(Linear(512, 256)[context ; h_t]);
  logits = Linear(256, Vt)(dropout(h~_t)). Loss: cross-entropy with label smoothing 0.1, the mean over target tokens
  (each target's phonemes and </s>). Initial weights are PyTorch's defaults, as Recur's.
- Training: batches of 64 pairs from Recur's BucketSampler over source lengths (same generator and seed, so the same
  batches in the same order); Adam (lr 2e-3), the global gradient norm clipped to 1.0; the wsd schedule (warm-up over
  50 steps, the full rate, a linear decay to 5% over the last 20% of the budget); validation every --eval-every steps
  and at the end by greedy decoding (outputs stop at 2 x source length + 10 symbols) in batches of 128, the weights
  with the lowest phoneme error rate kept and scored on the test split.
- Metrics: word error rate (1 - the share of words whose output equals one of their variants) and phoneme error rate
  (edit distance to the closest variant over its length, summed over the corpus).

Training tokens are target tokens (phonemes and </s>); tokens_per_s divides them by the run's seconds (validations
included), train_tokens_per_s by the time in training steps only. The result is one JSON line on stdout and, with
--json FILE, a file. Time it on an idle machine."""
import argparse, gzip, json, os, re, sys, time

import torch
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blas_check  # noqa: E402
from classify_tag import duration, epoch_batches, wsd_rate  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STRESS = re.compile(r"(?<=[A-Z])[0-2](?=\s|$)")
UNK, START, END = 0, 1, 2
DECODE_BATCH = 128


def read_pairs(path):
    seen, pairs = set(), []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            source, target = line.split("\t")
            target = STRESS.sub("", target)
            if (source, target) not in seen:
                seen.add((source, target))
                pairs.append((source, target))
    return pairs


def references(pairs):
    refs = {}
    for s, t in pairs:
        refs.setdefault(s, []).append(t.split())
    return list(refs), list(refs.values())


def edit_distance(a, b):
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        prev, row[0] = row[0], i
        for j in range(1, len(b) + 1):
            cur = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] != b[j - 1]))
            prev = cur
    return row[len(b)]


def scores(outputs, refs):
    edits = tokens = exact = 0
    for hyp, rs in zip(outputs, refs):
        best = min(((edit_distance(hyp, r), len(r)) for r in rs))
        edits, tokens, exact = edits + best[0], tokens + best[1], exact + (best[0] == 0)
    return {"per": edits / tokens, "wer": 1 - exact / len(outputs)}


class Seq2Seq(torch.nn.Module):
    def __init__(self, vs, vt, embed=128, hidden=256, layers=2, dropout=0.3):
        super().__init__()
        self.hidden = hidden
        self.source = torch.nn.Embedding(vs, embed)
        self.encoder = torch.nn.LSTM(embed, hidden // 2, num_layers=layers, bidirectional=True, dropout=dropout if layers > 1 else 0)
        self.bridge_h = torch.nn.Linear(hidden, hidden)
        self.bridge_c = torch.nn.Linear(hidden, hidden)
        self.target = torch.nn.Embedding(vt, embed)
        self.decoder = torch.nn.LSTMCell(embed + hidden, hidden)
        self.memory = torch.nn.Linear(hidden, hidden, bias=False)   # general attention's W
        self.combine = torch.nn.Linear(2 * hidden, hidden)
        self.generator = torch.nn.Linear(hidden, vt)
        self.drop = torch.nn.Dropout(dropout)
        for e in (self.source, self.target):   # Recur's Embedding draws N(0, 1), as PyTorch's
            torch.nn.init.normal_(e.weight)

    def encode(self, src, lengths):
        x = self.drop(self.source(src))
        out, (h, c) = self.encoder(pack_padded_sequence(x, lengths, enforce_sorted=False))
        memory, _ = pad_packed_sequence(out)
        memory = self.drop(memory)
        last = lambda s: torch.cat([s[-2], s[-1]], 1)
        state = (torch.tanh(self.bridge_h(last(h))), torch.tanh(self.bridge_c(last(c))))
        mask = torch.arange(memory.size(0)).unsqueeze(1) < lengths.unsqueeze(0)   # [S, B]
        return memory, self.memory(memory), mask, state

    def step(self, previous, state, feed, memory, keys, mask):
        h, c = self.decoder(torch.cat([self.drop(self.target(previous)), feed], 1), state)
        s = (keys * h.unsqueeze(0)).sum(2).masked_fill(~mask, float("-inf"))   # [S, B]
        alpha = torch.softmax(s, 0)
        context = (alpha.unsqueeze(2) * memory).sum(0)
        attentional = torch.tanh(self.combine(torch.cat([context, h], 1)))
        return attentional, (h, c)

    def loss(self, src, lengths, tgt_in, gold, smoothing):
        memory, keys, mask, state = self.encode(src, lengths)
        feed = torch.zeros(src.size(1), self.hidden)
        outs = []
        for t in range(tgt_in.size(0)):
            feed, state = self.step(tgt_in[t], state, feed, memory, keys, mask)
            outs.append(feed)
        logits = self.generator(self.drop(torch.stack(outs)))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), gold.view(-1), ignore_index=-100, label_smoothing=smoothing)

    @torch.no_grad()
    def greedy(self, src, lengths, max_len):
        memory, keys, mask, state = self.encode(src, lengths)
        b = src.size(1)
        feed, previous = torch.zeros(b, self.hidden), torch.full((b,), START, dtype=torch.long)
        out, done = [[] for _ in range(b)], [False] * b
        for _ in range(int(max_len.max())):
            feed, state = self.step(previous, state, feed, memory, keys, mask)
            previous = self.generator(feed).argmax(1)
            for i, y in enumerate(previous.tolist()):
                if done[i]:
                    continue
                if y == END:
                    done[i] = True
                else:
                    out[i].append(y)
                    done[i] = len(out[i]) >= max_len[i]
            if all(done):
                break
        return out


def batch_tensors(sources, targets=None):
    lengths = torch.tensor([len(s) for s in sources])
    src = torch.zeros(int(lengths.max()), len(sources), dtype=torch.long)
    for i, s in enumerate(sources):
        src[:len(s), i] = torch.tensor(s)
    if targets is None:
        return src, lengths
    t = max(len(y) for y in targets) + 1
    tgt_in = torch.full((t, len(sources)), END, dtype=torch.long)
    gold = torch.full((t, len(sources)), -100, dtype=torch.long)
    for i, y in enumerate(targets):
        seq = torch.tensor(y + [END])
        tgt_in[0, i] = START
        tgt_in[1:len(y) + 1, i] = torch.tensor(y) if y else tgt_in[1:1, i]
        gold[:len(y) + 1, i] = seq
    return src, lengths, tgt_in, gold


def decode(model, sources, symbols):
    model.eval()
    order = sorted(range(len(sources)), key=lambda i: -len(sources[i]))
    outputs = [None] * len(sources)
    for k in range(0, len(order), DECODE_BATCH):
        rows = order[k:k + DECODE_BATCH]
        src, lengths = batch_tensors([sources[i] for i in rows])
        for i, ids in zip(rows, model.greedy(src, lengths, 2 * lengths + 10)):
            outputs[i] = [symbols[y] for y in ids]
    model.train()
    return outputs


def main():
    p = argparse.ArgumentParser(description="Recur's seq2seq recipe on CMUdict in PyTorch, for a comparison at equal time.")
    p.add_argument("--time", default="5m")
    p.add_argument("--steps", type=int, default=0)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.002)
    p.add_argument("--clip", type=float, default=1.0)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--decay", type=float, default=0.2)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json")
    a = p.parse_args()
    libs = blas_check.require_openblas_openmp()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    log = lambda msg: print("seq2seq: " + msg, file=sys.stderr, flush=True)
    log(f"torch {torch.__version__}, {torch.get_num_threads()} threads, BLAS {', '.join(os.path.basename(l) for l in libs)}")

    data = os.path.join(ROOT, "data", "cmudict")
    train = read_pairs(os.path.join(data, "train.tsv.gz"))
    valid_words, valid_refs = references(read_pairs(os.path.join(data, "valid.tsv.gz")))
    test_words, test_refs = references(read_pairs(os.path.join(data, "test.tsv.gz")))
    src_symbols, tgt_symbols = ["<unk>"], ["<unk>", "<s>", "</s>"]
    for s, t in train:
        for c in s:
            if c not in src_symbols:
                src_symbols.append(c)
        for y in t.split():
            if y not in tgt_symbols:
                tgt_symbols.append(y)
    src_index, tgt_index = {c: i for i, c in enumerate(src_symbols)}, {y: i for i, y in enumerate(tgt_symbols)}
    src_ids = lambda w: [src_index.get(c, UNK) for c in w]
    train_src = [src_ids(s) for s, _ in train]
    train_tgt = [[tgt_index[y] for y in t.split()] for _, t in train]
    valid_src, test_src = [src_ids(w) for w in valid_words], [src_ids(w) for w in test_words]
    log(f"cmudict: {len(train):,} training pairs, {len(valid_words):,} validation and {len(test_words):,} test words, "
        f"{len(src_symbols)} -> {len(tgt_symbols)} symbols")

    model = Seq2Seq(len(src_symbols), len(tgt_symbols))
    parameters = sum(t.numel() for t in model.parameters())
    log(f"{parameters:,} parameters")
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    budget = duration(a.time)
    lengths = [len(s) for s in train_src]
    per_epoch = (len(lengths) + a.batch - 1) // a.batch

    def rate(step, elapsed):
        return wsd_rate(a, budget, step, elapsed)

    step, tokens, train_seconds, eval_seconds = 0, 0, 0.0, 0.0
    best, best_step, best_state, batches, loaded, history = None, 0, None, None, -1, []

    def validate():
        nonlocal best, best_step, best_state, eval_seconds
        t0 = time.perf_counter()
        m = scores(decode(model, valid_src, tgt_symbols), valid_refs)
        improved = best is None or m["per"] < best["per"]
        if improved:
            best, best_step, best_state = m, step, {k: v.clone() for k, v in model.state_dict().items()}
        eval_seconds += time.perf_counter() - t0
        history.append(dict(step=step, **{k: round(v, 5) for k, v in m.items()}))
        log(f"step {step:,}: validation PER {m['per']:.4f}, WER {m['wer']:.4f}" + (" (best)" if improved else "")
            + (f", {tokens / train_seconds:,.0f} tok/s in training steps" if train_seconds else ""))

    model.train()
    start = time.perf_counter()
    while not ((a.steps and step >= a.steps) or time.perf_counter() - start >= budget):
        t0 = time.perf_counter()
        epoch = step // per_epoch
        if epoch != loaded:
            batches, loaded = epoch_batches(lengths, a.batch, a.seed, epoch), epoch
        rows = batches[step % per_epoch]
        for g in opt.param_groups:
            g["lr"] = rate(step, t0 - start)
        src, lens, tgt_in, gold = batch_tensors([train_src[i] for i in rows], [train_tgt[i] for i in rows])
        loss = model.loss(src, lens, tgt_in, gold, a.label_smoothing)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        step += 1
        tokens += sum(len(train_tgt[i]) + 1 for i in rows)
        train_seconds += time.perf_counter() - t0
        if a.eval_every and step % a.eval_every == 0:
            validate()
    seconds = time.perf_counter() - start
    if not a.eval_every or step % a.eval_every != 0:
        validate()
    model.load_state_dict(best_state)
    t = scores(decode(model, test_src, tgt_symbols), test_refs)
    result = dict(framework="pytorch " + torch.__version__, task="cmudict", threads=a.threads, seed=a.seed, budget_s=budget,
                  steps=step, epochs=round(step / per_epoch, 3), seconds=round(seconds, 1), train_seconds=round(train_seconds, 1),
                  eval_seconds=round(eval_seconds, 1), train_tokens=tokens, tokens_per_s=round(tokens / seconds),
                  train_tokens_per_s=round(tokens / train_seconds) if train_seconds else 0, parameters=parameters,
                  valid_best=best, valid_best_step=best_step, test_greedy={k: round(v, 5) for k, v in t.items()}, validations=history)
    print(json.dumps(result))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=2)
        log("wrote " + a.json)


if __name__ == "__main__":
    main()
