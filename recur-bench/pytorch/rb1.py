#!/usr/bin/env python3
"""The rb1 suite of issue 6 in PyTorch 1.13, with the same definitions as `recur bench rb1` (Rb1Case.java,
Rb1Workload.java, Rb1Bench.java). Run it through torch-env.sh so torch uses OpenMP OpenBLAS:

    recur-bench/pytorch/torch-env.sh 2 recur-bench/pytorch/rb1.py --threads 2 [--case lstm-medium] [--json FILE]

A training step is forward, backward of a scalar loss and an optimizer step: the mean of all outputs with SGD
(lr 0.01) for the recurrent stacks; for charlm the mean cross-entropy of random next characters with Adam (lr 0.002).
Forward runs under torch.no_grad(). Inputs are random and fixed; state starts at zero (None). Timing: iterations
for --warmup seconds (at least two), then --repeat repetitions, each as many iterations as last --min-time (at least
one), a repetition's time per iteration; median, min, max. GFLOP/s counts the recurrent layers, 2*B*T*(I+H)*G*H per
layer and direction, 3x forward for training. Peak RSS is VmHWM, reset before each case through clear_refs."""
import argparse, json, math, os, sys, time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blas_check  # noqa: E402

VOCABULARY = 96
# name: (kind, cell, layers, directions, input, hidden, batch, steps), as Rb1Case.ALL
CASES = {
    "lstm-small": ("sequence", "lstm", 1, 1, 64, 128, 32, 64),
    "lstm-medium": ("sequence", "lstm", 2, 1, 256, 512, 64, 100),
    "gru-medium": ("sequence", "gru", 2, 1, 256, 512, 64, 100),
    "rnn-medium": ("sequence", "rnn", 2, 1, 256, 512, 64, 100),
    "lstm-large": ("sequence", "lstm", 1, 1, 1024, 1024, 64, 50),
    "bilstm": ("sequence", "lstm", 1, 2, 128, 256, 32, 100),
    "infer-step": ("step", "lstm", 2, 1, 512, 512, 1, 1),
    "infer-step-gru": ("step", "gru", 2, 1, 512, 512, 1, 1),
    "charlm": ("language_model", "lstm", 2, 1, 64, 512, 64, 128),
}
GATES = {"lstm": 4, "gru": 3, "rnn": 1}


def stack(cell, layers, directions, inp, hidden):
    kind = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell]
    return kind(inp, hidden, layers, bidirectional=directions == 2)


def forward_flops(cell, layers, directions, inp, hidden, batch, steps):
    flops = 0.0
    for k in range(layers):
        i = inp if k == 0 else directions * hidden
        flops += directions * 2.0 * batch * steps * (i + hidden) * GATES[cell] * hidden
    return flops


def quantized(module, dtype):
    """PyTorch's own dynamic int8 quantization of LSTM/GRU/RNN and Linear modules (per-tensor weight scales, activations
    quantized on the fly), as torch.ao.quantization.quantize_dynamic gives it; fp32 leaves the module as it is."""
    if dtype == "fp32":
        return module
    return torch.ao.quantization.quantize_dynamic(module, {torch.nn.LSTM, torch.nn.GRU, torch.nn.RNN, torch.nn.Linear},
                                                  dtype=torch.qint8)


def workload(name, dtype="fp32"):
    kind, cell, layers, directions, inp, hidden, batch, steps = CASES[name]
    if kind == "sequence":
        model = quantized(stack(cell, layers, directions, inp, hidden), dtype)
        x = torch.rand(steps, batch, inp) * 2 - 1
        sgd = torch.optim.SGD(model.parameters(), lr=0.01) if dtype == "fp32" else None

        def forward():
            with torch.no_grad():
                model(x)

        def train():
            sgd.zero_grad()
            model(x)[0].mean().backward()
            sgd.step()
        return forward, train
    if kind == "step":
        model = quantized(stack(cell, layers, directions, inp, hidden), dtype)
        x = torch.rand(1, 1, inp) * 2 - 1
        h = torch.zeros(layers, 1, hidden)
        state = [(h, torch.zeros(layers, 1, hidden)) if cell == "lstm" else h]

        def step():
            with torch.no_grad():
                state[0] = model(x, state[0])[1]
        return step, None
    encoder = torch.nn.Embedding(VOCABULARY, inp)
    rnn = quantized(stack(cell, layers, directions, inp, hidden), dtype)
    decoder = quantized(torch.nn.Linear(hidden, VOCABULARY), dtype)
    ids = torch.randint(VOCABULARY, (steps, batch))
    targets = torch.randint(VOCABULARY, (steps * batch,))
    adam = torch.optim.Adam(list(encoder.parameters()) + list(rnn.parameters()) + list(decoder.parameters()), lr=0.002) \
        if dtype == "fp32" else None

    def logits():
        return decoder(rnn(encoder(ids))[0])

    def forward():
        with torch.no_grad():
            logits()

    def train():
        adam.zero_grad()
        torch.nn.functional.cross_entropy(logits().view(-1, VOCABULARY), targets).backward()
        adam.step()
    return forward, train


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure(name, mode, threads, a):
    kind, cell, layers, directions, inp, hidden, batch, steps = CASES[name]
    reset_peak()
    forward, train = workload(name, a.dtype)
    it = train if mode == "train" else forward
    start, done, last = time.perf_counter(), 0, 0.0
    while done < 2 or time.perf_counter() - start < a.warmup:
        t0 = time.perf_counter()
        it()
        last = time.perf_counter() - t0
        done += 1
    per = max(1, math.ceil(a.min_time / max(last, 1e-9)))
    ms = []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        for _ in range(per):
            it()
        ms.append((time.perf_counter() - t0) * 1e3 / per)
    ms.sort()
    median = ms[len(ms) // 2]
    seconds = median / 1e3
    flops = forward_flops(cell, layers, directions, inp, hidden, batch, steps) * (3 if mode == "train" else 1)
    r = {"case": name, "mode": mode, "dtype": a.dtype, "threads": threads, "ms_median": median, "ms_min": ms[0], "ms_max": ms[-1],
         "seq_per_s": batch / seconds, "tokens_per_s": batch * steps / seconds, "gflops": flops / seconds / 1e9}
    if kind == "step":
        r["us_per_step"] = median * 1e3
    if a.dtype != "fp32":
        r["engine"] = torch.backends.quantized.engine
    r["peak_rss_mb"] = peak_mb()
    return r


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--case", action="append", help="cases to run (default: all); repeat or separate by commas")
    p.add_argument("--mode", default="forward,train")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--warmup", type=float, default=3.0)
    p.add_argument("--min-time", type=float, default=0.3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dtype", choices=["fp32", "int8"], default="fp32",
                   help="int8: PyTorch's dynamic quantization (quantize_dynamic) of the recurrent and linear modules; forward only")
    p.add_argument("--json")
    a = p.parse_args()
    libs = blas_check.require_openblas_openmp()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    names = [n for arg in (a.case or [",".join(CASES)]) for n in arg.split(",")]
    for n in names:
        if n not in CASES:
            sys.exit(f"rb1.py: --case: no case \"{n}\"; expected one of {list(CASES)}")
    print(f"rb1.py: torch {torch.__version__}, {torch.get_num_threads()} threads, OMP_NUM_THREADS="
          f"{os.environ.get('OMP_NUM_THREADS')}, BLAS {', '.join(libs)}", file=sys.stderr)
    records = []
    for n in names:
        for mode in a.mode.split(","):
            if mode == "train" and (CASES[n][0] == "step" or a.dtype != "fp32"):
                continue
            r = measure(n, mode, a.threads, a)
            records.append(r)
            print(f"{n} {mode}: {r['ms_median']:.3f} ms", file=sys.stderr)
    print("| case | mode | threads | ms | min | max | seq/s | tokens/s | GFLOP/s | µs/step | peak RSS MB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in records:
        us = f"{r['us_per_step']:.1f}" if "us_per_step" in r else ""
        print(f"| {r['case']} | {r['mode']} | {r['threads']} | {r['ms_median']:.3f} | {r['ms_min']:.3f} | {r['ms_max']:.3f} | "
              f"{r['seq_per_s']:.1f} | {r['tokens_per_s']:.0f} | {r['gflops']:.2f} | {us} | {r['peak_rss_mb']:.0f} |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(records, f, indent=2)
        print("wrote " + a.json, file=sys.stderr)


if __name__ == "__main__":
    main()
