#!/usr/bin/python3
"""Writes PyTorch reference vectors for Recur's Rnn, Lstm and Gru tests.

Run from the repository root with Debian's python3-torch (1.13):

    /usr/bin/python3 tools/reference/rnn_reference.py

For every case it builds torch.nn.RNN/LSTM/GRU from a fixed seed, runs it (float64, on float32 values) over
a padded batch -- through pack_padded_sequence(enforce_sorted=False) / pad_packed_sequence when the lengths
differ -- and back-propagates L = sum(output * R_out) + sum(h_n * R_h) + sum(c_n * R_c), R fixed and random.
Each case is one safetensors file in recur-core/src/test/resources/reference/: float32 tensors

    input, h0, c0, param.<name> (the state_dict), seed.output, seed.h_n, seed.c_n,
    output, h_n, c_n, grad.input, grad.h0, grad.c0, grad.<name>

and the configuration and lengths as JSON in __metadata__["recur.config"].
"""
import json
import os
import struct

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "recur-core", "src", "test", "resources", "reference")
T, B, F, H, P = 5, 3, 3, 4, 2
VARIABLE = [3, 5, 1]   # unsorted, with a full-length and a length-1 sequence


def cases():
    for cell in ("lstm", "gru", "rnn"):
        for layers in (1, 2):
            for bidirectional in (False, True):
                for bias in (True, False):
                    for lengths in ("equal", "variable"):
                        yield dict(cell=cell, layers=layers, bidirectional=bidirectional, bias=bias, lengths=lengths)
    yield dict(cell="lstm", layers=2, bidirectional=True, bias=True, lengths="variable", proj_size=P)
    yield dict(cell="lstm", layers=1, bidirectional=False, bias=False, lengths="equal", proj_size=P)
    yield dict(cell="rnn", layers=2, bidirectional=True, bias=True, lengths="variable", nonlinearity="relu")
    yield dict(cell="gru", layers=2, bidirectional=True, bias=True, lengths="variable", batch_first=True)


def name(c):
    n = f"{c['cell']}_l{c['layers']}_{'bi' if c['bidirectional'] else 'uni'}_{'bias' if c['bias'] else 'nobias'}_{c['lengths']}"
    if c.get("proj_size"): n += "_proj"
    if c.get("nonlinearity") == "relu": n += "_relu"
    if c.get("batch_first"): n += "_batchfirst"
    return n


def run(c, seed):
    torch.manual_seed(seed)
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[c["cell"]]
    kwargs = dict(input_size=F, hidden_size=H, num_layers=c["layers"], bias=c["bias"],
                  bidirectional=c["bidirectional"], batch_first=c.get("batch_first", False))
    if c.get("proj_size"): kwargs["proj_size"] = c["proj_size"]
    if c.get("nonlinearity"): kwargs["nonlinearity"] = c["nonlinearity"]
    model = cls(**kwargs)
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    model = model.double()
    d = 2 if c["bidirectional"] else 1
    hout = c.get("proj_size") or H
    lengths = VARIABLE if c["lengths"] == "variable" else [T] * B
    shape = (B, T, F) if c.get("batch_first") else (T, B, F)
    x = torch.randn(*shape).double().requires_grad_()
    h0 = torch.randn(c["layers"] * d, B, hout).double().requires_grad_()
    c0 = torch.randn(c["layers"] * d, B, H).double().requires_grad_()
    hx = (h0, c0) if c["cell"] == "lstm" else h0
    if c["lengths"] == "variable":
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=c.get("batch_first", False), enforce_sorted=False)
        y, s = model(packed, hx)
        y, _ = pad_packed_sequence(y, batch_first=c.get("batch_first", False), total_length=T)
    else:
        y, s = model(x, hx)
    h_n, c_n = s if c["cell"] == "lstm" else (s, None)
    seeds = {"output": torch.randn(y.shape).double(), "h_n": torch.randn(h_n.shape).double()}
    loss = (y * seeds["output"]).sum() + (h_n * seeds["h_n"]).sum()
    if c_n is not None:
        seeds["c_n"] = torch.randn(c_n.shape).double()
        loss = loss + (c_n * seeds["c_n"]).sum()
    loss.backward()

    tensors = {"input": x, "h0": h0, "output": y, "h_n": h_n, "grad.input": x.grad, "grad.h0": h0.grad}
    if c["cell"] == "lstm":
        tensors.update({"c0": c0, "c_n": c_n, "grad.c0": c0.grad})
    for k, v in seeds.items(): tensors["seed." + k] = v
    for k, v in state.items(): tensors["param." + k] = v
    for k, p in model.named_parameters(): tensors["grad." + k] = p.grad
    meta = dict(c, lengths=lengths, input_size=F, hidden_size=H, proj_size=c.get("proj_size", 0),
                nonlinearity=c.get("nonlinearity", "tanh"), batch_first=c.get("batch_first", False),
                state_dict=list(state.keys()))
    return tensors, meta


def write_safetensors(path, tensors, meta):
    header, blobs, offset = {"__metadata__": {"recur.config": json.dumps(meta)}}, [], 0
    for k, v in tensors.items():
        data = v.detach().float().contiguous().numpy().tobytes()
        header[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main():
    os.makedirs(OUT, exist_ok=True)
    names = []
    for i, c in enumerate(cases()):
        tensors, meta = run(c, 1000 + i)
        write_safetensors(os.path.join(OUT, name(c) + ".safetensors"), tensors, meta)
        names.append(name(c))
    with open(os.path.join(OUT, "cases.txt"), "w") as f:
        f.write("\n".join(names) + "\n")
    print(f"wrote {len(names)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
