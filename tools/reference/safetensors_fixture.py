#!/usr/bin/python3
"""Writes recur-core/src/test/resources/dev/recur/io/reference.safetensors for SafeTensorsTest.

The values come from PyTorch (Debian's python3-torch); the file is written by the small, independent safetensors
writer below (struct + json, following the format's specification), not by Recur. It holds:
  - an nn.LSTM(3, 5) state_dict (manual_seed 0) as F32, under PyTorch's names;
  - F16 and BF16 tensors holding every 61st 16-bit pattern plus special ones (zeros, subnormals, largest
    finite, infinities, NaNs), with PyTorch's float32 conversions of them as *_as_f32;
  - an F64 tensor (ordinary, tiny, huge and halfway values) with PyTorch's .float() of it as double_as_f32;
  - a 0-d scalar and an empty [0, 4] tensor;
  - metadata: recur.config (a bare LSTM's configuration) and format=pt.
The header deliberately differs from what Recur writes: json.dumps' spaced separators, names sorted
alphabetically while the data is in another order, __metadata__ last.

Run from the repository root:  /usr/bin/python3 tools/reference/safetensors_fixture.py
"""
import json
import struct
import sys

import torch

OUT = "recur-core/src/test/resources/dev/recur/io/reference.safetensors"


def f32(t):
    v = t.detach().reshape(-1).tolist()
    return "F32", list(t.shape), struct.pack("<%df" % len(v), *v)


def f64(t):
    v = t.reshape(-1).tolist()
    return "F64", list(t.shape), struct.pack("<%dd" % len(v), *v)


def bits16(dtype_name, bits):
    return dtype_name, [len(bits)], struct.pack("<%dH" % len(bits), *bits)


def main():
    torch.manual_seed(0)
    tensors = {}
    for name, value in torch.nn.LSTM(3, 5).state_dict().items():
        tensors[name] = f32(value)

    special = [0x0000, 0x8000, 0x0001, 0x8001, 0x0200, 0x03FF, 0x0400, 0x3C00, 0xBC00, 0x3555, 0x7BFF, 0xFBFF,
               0x7C00, 0xFC00, 0x7E00, 0x7C01, 0xFE00, 0x3BFF, 0x3C01]
    patterns = special + list(range(3, 0x10000, 61))
    as_signed = torch.tensor([p - 0x10000 if p >= 0x8000 else p for p in patterns], dtype=torch.int16)
    tensors["half"] = bits16("F16", patterns)
    tensors["half_as_f32"] = f32(as_signed.view(torch.float16).float())
    bf_special = [0x0000, 0x8000, 0x0001, 0x007F, 0x0080, 0x3F80, 0xBF80, 0x7F7F, 0x7F80, 0xFF80, 0x7FC0, 0x7F81]
    bf_patterns = bf_special + list(range(5, 0x10000, 61))
    bf_signed = torch.tensor([p - 0x10000 if p >= 0x8000 else p for p in bf_patterns], dtype=torch.int16)
    tensors["bfloat"] = bits16("BF16", bf_patterns)
    tensors["bfloat_as_f32"] = f32(bf_signed.view(torch.bfloat16).float())

    doubles = torch.cat([torch.randn(20, dtype=torch.float64),
                         torch.tensor([0.0, -0.0, 1e-50, -1e-50, 1e300, -1e300, 1.0 + 2.0 ** -24, 1.0 + 3 * 2.0 ** -24,
                                       3.4028235677973366e38, 1.401298464324817e-45, float("inf"), float("-inf")],
                                      dtype=torch.float64)]).reshape(4, 8)
    tensors["double"] = f64(doubles)
    tensors["double_as_f32"] = f32(doubles.float())
    tensors["scalar"] = f32(torch.tensor(3.5))
    tensors["empty"] = f32(torch.zeros(0, 4))

    header, data = {}, b""
    for name, (dtype, shape, raw) in tensors.items():   # data in insertion order
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    config = {"type": "lstm", "input_size": 3, "hidden_size": 5, "num_layers": 1, "bias": True,
              "bidirectional": False, "proj_size": 0}
    ordered = {name: header[name] for name in sorted(header)}
    ordered["__metadata__"] = {"recur.config": json.dumps(config), "format": "pt"}
    text = json.dumps(ordered).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(OUT, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)
    print("wrote", OUT, 8 + len(text) + len(data), "bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
