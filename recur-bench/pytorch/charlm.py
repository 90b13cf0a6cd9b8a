#!/usr/bin/env python3
"""The same character-level language model and training recipe as `recur lm train`, in PyTorch 1.13, for a
comparison at equal wall-clock time. Run through torch-env.sh so torch uses OpenMP OpenBLAS:

    recur-bench/pytorch/torch-env.sh 2 recur-bench/pytorch/charlm.py --data moby-dick --time 30m

Identical definitions: vocabulary (<unk> first, then characters in order of first appearance in the training
text); the training text cut into B columns and chunks of bptt steps, state carried across chunks (detached)
and reset each epoch; Embedding(V, embed) -> dropout -> LSTM(hidden x layers, dropout between layers) ->
dropout -> Linear(hidden, V); cross-entropy; Adam; global-norm clipping; the schedule: wsd (the default: linear
warm-up over 50 steps, the full rate, then a linear decay to 5% of it over the last 20% of the budget), cosine (warm-up,
then cosine decay to 5% over the budget) -- the budget's fraction being the larger of elapsed / --time and
step / --steps -- or plateau (ReduceLROnPlateau(0.5, patience 2, threshold 1e-3, min 1%
of the rate) fed by each validation on the first --eval-tokens of the validation text); the best validated weights
kept; test bits per character over the whole test text in 32 columns."""
import argparse, gzip, json, math, os, sys, time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blas_check  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read(corpus, split):
    with gzip.open(os.path.join(ROOT, "data", corpus, split + ".txt.gz"), "rt", encoding="utf-8") as f:
        return f.read().replace("\r\n", "\n")


def duration(text):
    units = {"h": 3600, "m": 60, "s": 1}
    return float(text[:-1]) * units[text[-1]] if text[-1] in units else float(text)


class Model(torch.nn.Module):
    def __init__(self, vocab, embed, hidden, layers, dropout):
        super().__init__()
        self.encoder = torch.nn.Embedding(vocab, embed)
        self.drop = torch.nn.Dropout(dropout)
        self.rnn = torch.nn.LSTM(embed, hidden, layers, dropout=dropout if layers > 1 else 0.0)
        self.decoder = torch.nn.Linear(hidden, vocab)

    def forward(self, ids, state):
        out, state = self.rnn(self.drop(self.encoder(ids)), state)
        return self.decoder(self.drop(out)), state


def columns(ids, batch):
    n = len(ids) // batch
    return torch.tensor(ids[: n * batch], dtype=torch.long).view(batch, n).t().contiguous()   # [n, B]


def chunks(data, bptt):
    n = data.size(0)
    for start in range(0, n - 1, bptt):
        steps = min(bptt, n - 1 - start)
        yield data[start:start + steps], data[start + 1:start + 1 + steps]


def evaluate(model, ids, batch, bptt):
    model.eval()
    data = columns(ids, max(1, min(batch, len(ids) // 2)))
    total, count, state = 0.0, 0, None
    with torch.no_grad():
        for x, y in chunks(data, bptt):
            logits, state = model(x, state)
            total += torch.nn.functional.cross_entropy(logits.view(-1, logits.size(-1)), y.reshape(-1), reduction="sum").item()
            count += y.numel()
    model.train()
    return total / count, count


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="sotu")
    p.add_argument("--time", default="30m")
    p.add_argument("--steps", type=int, default=0)
    p.add_argument("--embed", type=int, default=64)
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--dropout", default="auto", help="a number, or auto: 0.2 below 2M training tokens, 0.1 below 8M, else 0")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--bptt", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.002)
    p.add_argument("--clip", type=float, default=1.0)
    p.add_argument("--schedule", choices=("wsd", "cosine", "plateau"), default="wsd")
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--eval-tokens", type=int, default=100000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()

    libs = blas_check.require_openblas_openmp()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train, valid, test = (read(a.data, s) for s in ("train", "valid", "test"))
    symbols = ["<unk>"] + list(dict.fromkeys(train))
    index = {s: i for i, s in enumerate(symbols)}
    encode = lambda text: [index.get(c, 0) for c in text]
    train_ids, valid_ids, test_ids = encode(train), encode(valid)[: a.eval_tokens or None], encode(test)

    dropout = (0.2 if len(train_ids) < 2_000_000 else 0.1 if len(train_ids) < 8_000_000 else 0.0) if a.dropout == "auto" else float(a.dropout)
    model = Model(len(symbols), a.embed, a.hidden, a.layers, dropout)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2, threshold=1e-3, min_lr=a.lr * 0.01)
    data = columns(train_ids, a.batch)
    budget = duration(a.time)

    def budget_rate(step, elapsed):
        if step < 50:
            return a.lr * (step + 1) / 50
        p = min(1.0, max(elapsed / budget, step / a.steps if a.steps else 0.0))
        if a.schedule == "wsd":
            into = (p - 0.8) / 0.2
            return a.lr if into <= 0 else a.lr * (1 - 0.95 * into)
        return a.lr * (0.05 + 0.95 * (1 + math.cos(math.pi * p)) / 2)
    print(f"charlm: torch {torch.__version__}, {a.threads} threads, BLAS {libs[0]}", file=sys.stderr)

    start, step, tokens, best, best_state = time.time(), 0, 0, float("inf"), None
    done = False
    while not done:
        state = None
        for x, y in chunks(data, a.bptt):
            if a.schedule != "plateau":
                for g in opt.param_groups:
                    g["lr"] = budget_rate(step, time.time() - start)
            logits, state = model(x, state)
            state = tuple(s.detach() for s in state)
            loss = torch.nn.functional.cross_entropy(logits.view(-1, logits.size(-1)), y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
            opt.step()
            step += 1
            tokens += y.numel()
            if step % a.eval_every == 0:
                v, _ = evaluate(model, valid_ids, 32, a.bptt)
                if a.schedule == "plateau":
                    sched.step(v)
                if v < best:
                    best, best_state = v, {k: t.clone() for k, t in model.state_dict().items()}
                print(f"step {step}: loss {loss.item() / math.log(2):.3f} bpc, valid {v / math.log(2):.3f} bpc, "
                      f"{tokens / (time.time() - start):,.0f} tok/s", file=sys.stderr)
            if (a.steps and step >= a.steps) or time.time() - start >= budget:
                done = True
                break
    seconds = time.time() - start
    v, _ = evaluate(model, valid_ids, 32, a.bptt)
    if v < best:
        best, best_state = v, None
    if best_state is not None:
        model.load_state_dict(best_state)
    t, count = evaluate(model, test_ids, 32, a.bptt)
    print(json.dumps(dict(framework="pytorch " + torch.__version__, data=a.data, steps=step, seconds=round(seconds, 1),
                          tokens_per_s=round(tokens / seconds), valid_bpc=round(best / math.log(2), 4),
                          test_bpc=round(t / math.log(2), 4), test_tokens=count)))


if __name__ == "__main__":
    main()
