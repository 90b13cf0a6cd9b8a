#!/usr/bin/env python3
"""Writes recur-core/src/test/resources/reference/schedules.json: learning rates of PyTorch 1.13's StepLR,
ExponentialLR, CosineAnnealingLR and ReduceLROnPlateau (fed a fixed metric sequence) for 40 steps, base lr 0.5.
Run with Debian's PyTorch: /usr/bin/python3."""
import json, math, torch

BASE, STEPS = 0.5, 40


def run(make, metrics=None):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=BASE)
    sched = make(opt)
    lrs = []
    for t in range(STEPS):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[t])
    return lrs


metrics = [1.0 / (1 + t) if t < 8 else 0.125 + 0.01 * math.sin(t) for t in range(STEPS)]
cases = {
    "step_7_0.5": run(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5)),
    "exponential_0.9": run(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)),
    "cosine_30_0.1": run(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=30, eta_min=0.05)),
    "plateau_0.5_3_cooldown_2": run(lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(
        o, factor=0.5, patience=3, cooldown=2, min_lr=0.02), metrics),
}
with open("recur-core/src/test/resources/reference/schedules.json", "w") as f:
    json.dump(dict(torch=torch.__version__, base=BASE, metrics=metrics, cases=cases), f, indent=1)
print("wrote", list(cases))
