#!/usr/bin/env python3
"""Writes recur-core/src/test/resources/reference/optim.json: for each optimizer configuration, two parameters
(shapes [3, 4] and [5]) driven for 20 steps by a fixed sequence of random gradients, and their values after
every step; plus clip_grad_norm_ / clip_grad_value_ cases. Run with Debian's PyTorch: /usr/bin/python3."""
import json, torch

torch.manual_seed(1234)
STEPS = 20
shapes = [(3, 4), (5,)]
init = [torch.randn(s) for s in shapes]
grads = [[torch.randn(s) * 0.5 for s in shapes] for _ in range(STEPS)]

CONFIGS = [
    ("sgd", dict(lr=0.1)),
    ("sgd", dict(lr=0.1, momentum=0.9)),
    ("sgd", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("sgd", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.001)),
    ("adam", dict(lr=1e-2)),
    ("adam", dict(lr=3e-3, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01)),
    ("adamw", dict(lr=1e-2)),
    ("adamw", dict(lr=1e-2, weight_decay=0.1, betas=(0.9, 0.95))),
    ("rmsprop", dict(lr=1e-2)),
    ("rmsprop", dict(lr=1e-3, alpha=0.9, eps=1e-6, weight_decay=0.01, momentum=0.5)),
    ("adagrad", dict(lr=1e-1)),
    ("adagrad", dict(lr=1e-1, lr_decay=0.01, weight_decay=0.01, eps=1e-8)),
]
CLASSES = dict(sgd=torch.optim.SGD, adam=torch.optim.Adam, adamw=torch.optim.AdamW,
               rmsprop=torch.optim.RMSprop, adagrad=torch.optim.Adagrad)


def flat(tensors):
    return [[float(x) for x in t.reshape(-1)] for t in tensors]


cases = []
for name, kwargs in CONFIGS:
    params = [p.clone().requires_grad_(True) for p in init]
    opt = CLASSES[name](params, **kwargs)
    trajectory = []
    for step in range(STEPS):
        for p, g in zip(params, grads[step]):
            p.grad = g.clone()
        opt.step()
        trajectory.append(flat([p.detach() for p in params]))
    cases.append(dict(optimizer=name, options={k: (list(v) if isinstance(v, tuple) else v) for k, v in kwargs.items()},
                      trajectory=trajectory))

clips = []
for max_norm in (0.5, 1.0, 100.0):
    params = [p.clone().requires_grad_(True) for p in init]
    for p, g in zip(params, grads[0]):
        p.grad = g.clone()
    norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
    clips.append(dict(kind="norm", limit=max_norm, norm=float(norm), grads=flat([p.grad for p in params])))
params = [p.clone().requires_grad_(True) for p in init]
for p, g in zip(params, grads[0]):
    p.grad = g.clone()
torch.nn.utils.clip_grad_value_(params, 0.3)
clips.append(dict(kind="value", limit=0.3, grads=flat([p.grad for p in params])))

out = dict(torch=torch.__version__, shapes=[list(s) for s in shapes], init=flat(init),
           grads=[flat(g) for g in grads], cases=cases, clips=clips)
with open("recur-core/src/test/resources/reference/optim.json", "w") as f:
    json.dump(out, f)
print("wrote", len(cases), "optimizer cases and", len(clips), "clipping cases")
