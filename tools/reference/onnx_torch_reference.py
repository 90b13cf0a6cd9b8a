#!/usr/bin/python3
"""Writes recur-onnx/src/test/resources/torch/: nn.LSTM, nn.GRU and nn.RNN exported by torch.onnx.export, for
OnnxTorchImportTest.

For each case <name> it writes <name>.onnx (input_names "input", "h0"(, "c0"); output_names "output", "h_n"(, "c_n");
T and B dynamic) and <name>.safetensors holding the float32 tensors input, h0 (and c0) fed to the module and
PyTorch's output, h_n (and c_n). Cases ending in _noh0 export the module called on the input alone, so the graph
builds its zero initial state from the input's shape; their safetensors hold no h0/c0.
The safetensors files are written by the small writer below (struct + json), not by Recur.

Run from the repository root:  /usr/bin/python3 tools/reference/onnx_torch_reference.py
"""
import json
import os
import struct
import warnings

import torch

OUT = "recur-onnx/src/test/resources/torch"
F, H, T, B = 3, 4, 5, 2

# (cell, layers, bidirectional, batch_first, bias, opset, with_h0): a subset of
# {lstm, gru, rnn_tanh, rnn_relu} x {1, 2 layers} x {uni, bi} x batch_first x opset {14, 17}, plus one case per cell
# without h0. 20 cases, and the 2 of OLD_OPSETS.
SHAPES = [
    (1, False, False, True, 14, True),
    (2, True, True, True, 17, True),
    (2, False, False, False, 17, True),
    (1, True, True, True, 14, True),
    (2, True, False, True, 17, False),
]
CELLS = ["lstm", "gru", "rnn_tanh", "rnn_relu"]


def module(cell, layers, bidirectional, batch_first, bias):
    kw = dict(num_layers=layers, bidirectional=bidirectional, batch_first=batch_first, bias=bias)
    if cell == "lstm":
        return torch.nn.LSTM(F, H, **kw)
    if cell == "gru":
        return torch.nn.GRU(F, H, **kw)
    return torch.nn.RNN(F, H, nonlinearity=cell[4:], **kw)


class NoState(torch.nn.Module):
    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x):
        return self.rnn(x)


def write_safetensors(path, tensors):
    header, data = {}, b""
    for name, t in tensors.items():
        v = t.detach().contiguous().reshape(-1).tolist()
        raw = struct.pack("<%df" % len(v), *v)
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


# Older opsets, for the attribute forms of the glue: Slice's starts/ends/axes before opset 10, Squeeze's and
# Unsqueeze's axes before 13.
OLD_OPSETS = [
    ("gru", (2, False, False, True, 9, True)),
    ("lstm", (2, True, True, True, 11, False)),
]


def main():
    warnings.filterwarnings("ignore")
    os.makedirs(OUT, exist_ok=True)
    seed = 0
    cases = [(cell, shape) for cell in CELLS for shape in SHAPES] + OLD_OPSETS
    for cell, (layers, bidirectional, batch_first, bias, opset, with_h0) in cases:
        seed += 1
        torch.manual_seed(seed)
        rnn = module(cell, layers, bidirectional, batch_first, bias).eval()
        d = 2 if bidirectional else 1
        name = "%s_l%d_%s_%s_%s_op%d%s" % (cell, layers, "bi" if bidirectional else "uni", "bf" if batch_first else "tm",
                                          "bias" if bias else "nobias", opset, "" if with_h0 else "_noh0")
        x = torch.randn(B, T, F) if batch_first else torch.randn(T, B, F)
        seq = {0: "B", 1: "T"} if batch_first else {0: "T", 1: "B"}
        lstm = cell == "lstm"
        tensors = {"input": x}
        if with_h0:
            h0 = torch.randn(layers * d, B, H)
            state = (h0, torch.randn(layers * d, B, H)) if lstm else h0
            args, model = (x, state), rnn
            inputs = ["input", "h0", "c0"] if lstm else ["input", "h0"]
            tensors["h0"] = h0
            if lstm:
                tensors["c0"] = state[1]
        else:
            args, model = (x,), NoState(rnn)
            inputs = ["input"]
        outputs = ["output", "h_n", "c_n"] if lstm else ["output", "h_n"]
        axes = {n: ({1: "B"} if n not in ("input", "output") else seq) for n in inputs + outputs}
        with torch.no_grad():
            y, state_n = rnn(*args)
        tensors["output"] = y
        if lstm:
            tensors["h_n"], tensors["c_n"] = state_n
        else:
            tensors["h_n"] = state_n
        torch.onnx.export(model, args, os.path.join(OUT, name + ".onnx"), input_names=inputs, output_names=outputs,
                          dynamic_axes=axes, opset_version=opset)
        write_safetensors(os.path.join(OUT, name + ".safetensors"), tensors)
        print(name)


if __name__ == "__main__":
    main()
