#!/usr/bin/env python3
"""Cost model of `recur spark` data-parallel training, calibrated with `recur bench spark` on one machine.

A synchronous step on W workers, each with a per-worker batch of 64 (the global batch grows with W):

    t_step(W) = t_c + t_s(W) + bytes(W) * (1 / network + 1 / driver)

t_c       the step's computation on one worker (rb1's training step at batch 64, 2 threads, JDK 25)
t_s(W)    scheduling a Spark job of W tasks and collecting their results: s0 + s1 * W
bytes(W)  through the driver: the weights broadcast once (4P) and W gradients back (W * 4P), as --reduce driver does;
          a ring all-reduce (not what recur spark does) would move 2 (W - 1) / W * 4P per worker instead
network   the driver's link, 10 or 25 Gbit/s
driver    the driver's rate of (de)serialising and summing gradients (measured here; infinite = network-bound)

Speed-up against one machine training batch 64: W * t_c / t_step(W). Federated averaging with K local steps pays
the exchange once per K steps: W * K * t_c / (K * t_c + t_s(W) + bytes(W) / rate).

Usage: python3 tools/bench/spark_cost_model.py [--s0 MS] [--s1 MS] [--driver GBPS]
"""
import argparse

# rb1's training cases: parameters and milliseconds per training step (batch 64; BENCHMARKS.md, JDK 25, 2 threads)
MODELS = {
    "lstm-small": (99_328, 5.6),
    "lstm-medium": (3_678_208, 523.0),
    "lstm-large": (8_396_800, 514.0),
    "charlm": (3_340_000, 688.0),
}
WORKERS = [2, 4, 8, 16, 32, 64]


def step(p, t_c, w, s0, s1, network, driver, ring=False, k=1):
    model_bytes = 4 * p
    moved = 2 * (w - 1) / w * model_bytes if ring else (w + 1) * model_bytes
    rate = 1 / (1 / network + (0 if ring or driver == float("inf") else 1 / driver))
    exchange = (s0 + s1 * w) / 1e3 + moved / rate
    return (k * t_c / 1e3 + exchange) / k, exchange


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--s0", type=float, default=35.0, help="fixed scheduling ms per step (measured: 35)")
    ap.add_argument("--s1", type=float, default=26.0, help="scheduling ms per worker (measured: 26)")
    ap.add_argument("--driver", type=float, default=0.3, help="driver GB/s for gradients (measured: 0.3)")
    args = ap.parse_args()
    driver = args.driver * 1e9
    variants = [("sync, driver sum (as measured)", dict()), ("sync, network-bound driver", dict(s1=0, driver=float("inf"))),
                ("ring all-reduce", dict(s1=0, driver=float("inf"), ring=True)), ("fedavg K=10 (as measured)", dict(k=10))]
    for gbit in (10, 25):
        network = gbit * 1e9 / 8
        print(f"\nPredicted speed-up over one machine, {gbit} Gbit/s links, per-worker batch 64\n")
        print("| model | how | " + " | ".join(f"W={w}" for w in WORKERS) + " |")
        print("|---|---|" + "---:|" * len(WORKERS))
        for name, (p, t_c) in MODELS.items():
            for label, v in variants:
                cells = []
                for w in WORKERS:
                    t, _ = step(p, t_c, w, args.s0, v.get("s1", args.s1), network, v.get("driver", driver), v.get("ring", False), v.get("k", 1))
                    cells.append(f"{w * t_c / 1e3 / t:.1f}")
                print(f"| {name} ({4 * p / 1e6:.1f} MB, {t_c:.0f} ms) | {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
