#!/usr/bin/python3
"""Writes models saved by PyTorch itself, with inputs and PyTorch's outputs, for `recur encode`'s acceptance test.

Run from anywhere with Debian's python3-torch (1.13); the `safetensors` package is not needed:

    /usr/bin/python3 tools/reference/encode_reference.py

Each case builds torch.nn.RNN/LSTM/GRU from its own seed, saves it with save_recur() -- the snippet of
docs/pytorch.md, verbatim -- and runs it in float32 as a user would, through pack_padded_sequence(enforce_sorted=False)
and pad_packed_sequence when the lengths differ. Into recur-cli/src/test/resources/encode/ go, per case,
<case>.safetensors (the model), <case>.input.json (what `recur encode --input` reads) and <case>.expected.json
(PyTorch's output, h_n and c_n), plus cases.txt listing them. Shapes and seeds differ from rnn_reference.py's.
"""
import json
import os
import struct

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "recur-cli", "src", "test", "resources", "encode")


# ---- the snippet of docs/pytorch.md, verbatim ----
def save_recur(rnn, path):
    """Saves a torch.nn.RNN, LSTM or GRU as a Recur model file: its state_dict as safetensors, config in the metadata."""
    kind = rnn.mode.lower().split("_")          # ["lstm"], ["gru"], ["rnn", "tanh"] or ["rnn", "relu"]
    config = {"type": kind[0], "input_size": rnn.input_size, "hidden_size": rnn.hidden_size,
              "num_layers": rnn.num_layers, "bias": rnn.bias, "bidirectional": rnn.bidirectional,
              "proj_size": rnn.proj_size, "batch_first": rnn.batch_first}
    if kind[0] == "rnn":
        config["nonlinearity"] = kind[1]
    header, data = {"__metadata__": {"recur.config": json.dumps(config)}}, b""
    for name, t in rnn.state_dict().items():
        values = t.detach().float().flatten().tolist()
        raw = struct.pack(f"<{len(values)}f", *values)
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)
# ---- end of the snippet ----


def cases():
    """Every cell and mode x 1-2 layers x uni/bidirectional x bias/no bias. Per cell, every combination of bias,
    variable lengths and given h0 occurs; every third case is batch-first; then three LSTMs with projections."""
    i = 0
    for cell in ("rnn_tanh", "rnn_relu", "lstm", "gru"):
        for layers in (1, 2):
            for bidirectional in (False, True):
                for bias in (True, False):
                    yield dict(cell=cell, layers=layers, bidirectional=bidirectional, bias=bias,
                               variable=(i + i // 4) % 2 == 0, h0=(i // 2) % 2 == 0, batch_first=i % 3 == 0)
                    i += 1
    yield dict(cell="lstm", layers=1, bidirectional=False, bias=True, variable=True, h0=True, batch_first=False, proj_size=2)
    yield dict(cell="lstm", layers=2, bidirectional=True, bias=True, variable=True, h0=False, batch_first=True, proj_size=3)
    yield dict(cell="lstm", layers=2, bidirectional=False, bias=False, variable=False, h0=True, batch_first=False, proj_size=4)


def name(c):
    n = f"{c['cell']}_l{c['layers']}_{'bi' if c['bidirectional'] else 'uni'}_{'bias' if c['bias'] else 'nobias'}"
    n += "_variable" if c["variable"] else "_equal"
    n += "_h0" if c["h0"] else ""
    n += "_batchfirst" if c["batch_first"] else ""
    n += f"_proj{c['proj_size']}" if c.get("proj_size") else ""
    return n


def rounded(t, digits):
    """A tensor's values as nested lists of floats with `digits` significant digits, to keep the JSON small."""
    if t.dim() == 0:
        return float(f"{t.item():.{digits}g}")
    return [rounded(s, digits) for s in t]


def run(c, seed):
    torch.manual_seed(seed)
    F, H = 2 + seed % 3, 5 + seed % 2        # 2-4 features, hidden 5 or 6
    T, B = 4 + seed % 3, 2 + seed % 3        # 4-6 steps, 2-4 sequences
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[c["cell"].split("_")[0]]
    kwargs = dict(input_size=F, hidden_size=H, num_layers=c["layers"], bias=c["bias"],
                  bidirectional=c["bidirectional"], batch_first=c["batch_first"])
    if c["cell"].startswith("rnn_"): kwargs["nonlinearity"] = c["cell"][4:]
    if c.get("proj_size"): kwargs["proj_size"] = c["proj_size"]
    model = cls(**kwargs).eval()
    d, hout = 2 if c["bidirectional"] else 1, c.get("proj_size") or H

    # Inputs as a user would write them: JSON numbers with 6 significant digits, read back exactly so.
    request = {"input": rounded(torch.randn((B, T, F) if c["batch_first"] else (T, B, F)), 6)}
    if c["h0"]:
        request["h0"] = rounded(torch.randn(c["layers"] * d, B, hout), 6)
        if cls is torch.nn.LSTM: request["c0"] = rounded(torch.randn(c["layers"] * d, B, H), 6)
    if c["variable"]:
        lengths = torch.randint(1, T + 1, (B,)).tolist()
        lengths[seed % B] = T                  # pad_packed_sequence pads to the longest; make that T
        request["lengths"] = lengths

    x = torch.tensor(request["input"])
    hx = None
    if c["h0"]:
        hx = (torch.tensor(request["h0"]), torch.tensor(request["c0"])) if cls is torch.nn.LSTM else torch.tensor(request["h0"])
    with torch.no_grad():
        if c["variable"]:
            packed = pack_padded_sequence(x, torch.tensor(request["lengths"]), batch_first=c["batch_first"], enforce_sorted=False)
            y, state = model(packed, hx)
            y, _ = pad_packed_sequence(y, batch_first=c["batch_first"], total_length=T)
        else:
            y, state = model(x, hx)
    h_n, c_n = state if cls is torch.nn.LSTM else (state, None)
    expected = {"output": rounded(y, 9), "h_n": rounded(h_n, 9)}
    if c_n is not None: expected["c_n"] = rounded(c_n, 9)
    return model, request, expected


def main():
    os.makedirs(OUT, exist_ok=True)
    names = []
    for i, c in enumerate(cases()):
        model, request, expected = run(c, 4100 + 7 * i)
        n = name(c)
        save_recur(model, os.path.join(OUT, n + ".safetensors"))
        with open(os.path.join(OUT, n + ".input.json"), "w") as f:
            json.dump(request, f, separators=(",", ":"))
        with open(os.path.join(OUT, n + ".expected.json"), "w") as f:
            json.dump(expected, f, separators=(",", ":"))
        names.append(n)
    with open(os.path.join(OUT, "cases.txt"), "w") as f:
        f.write("\n".join(names) + "\n")
    print(f"wrote {len(names)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
