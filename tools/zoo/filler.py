"""Deterministic weight / input filler shared by the Python reference tools and the C# tests.

Version: "movisharp-filler/1". The C# twin is tests/MoViSharp.Tests/Zoo/DeterministicWeights.cs;
both must produce bit-identical float32 values. Definition (all integer arithmetic mod 2^64):

    fnv1a64(bytes): h = 0xCBF29CE484222325; for each byte b: h = (h XOR b) * 0x100000001B3
    splitmix64(x):  z = x + 0x9E3779B97F4A7C15
                    z = (z XOR (z >> 30)) * 0xBF58476D1CE4E5B9
                    z = (z XOR (z >> 27)) * 0x94D049BB133111EB
                    return z XOR (z >> 31)
    u(name, i) = (splitmix64(fnv1a64(utf8(name)) + i) >> 11) * 2^-53        (a double in [0, 1))

i is the row-major flat index of the element. Values are computed in IEEE double, in exactly the
order written below, then rounded once to float32 (round to nearest even).

Value rule for a state-dict entry (name = the key in the upstream module's own state_dict, without
container prefixes such as "module." or "model_state"):
    integer dtype (num_batches_tracked)      -> 0
    name ends with "running_var"             -> 0.5 + u                      in [0.5, 1.5)
    name ends with "running_mean"            -> (2u - 1) * 0.1               in [-0.1, 0.1)
    ndim >= 2                                -> (2u - 1) * s,  s = sqrt(GAIN / fan_in),
                                                fan_in = numel / shape[0],   GAIN = 3.0
    ndim == 1 and name ends with "weight"    -> 0.8 + 0.4 * u                in [0.8, 1.2)
    anything else (biases, other 1-D / 0-D)  -> (2u - 1) * 0.02              in [-0.02, 0.02)

Input clip: name "input", canonical layout [T, H, W, 3] (channels last), value u(i) in [0, 1)
rounded to float32; each model's manifest says how it is laid out for the upstream forward.
"""
import math

import numpy as np

VERSION = "movisharp-filler/1"
GAIN = 3.0

_M64 = (1 << 64) - 1


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & _M64
    return h


def _splitmix64_np(x: np.ndarray) -> np.ndarray:
    # numpy uint64 arithmetic wraps mod 2^64
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def uniform(name: str, count: int) -> np.ndarray:
    """u(name, i) for i = 0..count-1 as float64."""
    seed = np.uint64(fnv1a64(name.encode("utf-8")))
    with np.errstate(over="ignore"):
        idx = np.arange(count, dtype=np.uint64) + seed
    bits = _splitmix64_np(idx) >> np.uint64(11)
    return bits.astype(np.float64) * (2.0 ** -53)


def fan_in(shape) -> int:
    n = 1
    for s in shape:
        n *= int(s)
    return n // int(shape[0])


def value_kind(name: str, shape, is_integer: bool) -> str:
    if is_integer:
        return "zero"
    if name.endswith("running_var"):
        return "running_var"
    if name.endswith("running_mean"):
        return "running_mean"
    if len(shape) >= 2:
        return "weight_nd"
    if len(shape) == 1 and name.endswith("weight"):
        return "scale"
    return "bias"


def fill(name: str, shape, dtype: str = "float32") -> np.ndarray:
    """Deterministic tensor for a state-dict entry. dtype: numpy dtype name."""
    shape = tuple(int(s) for s in shape)
    count = 1
    for s in shape:
        count *= s
    is_int = np.dtype(dtype).kind in "iub"
    kind = value_kind(name, shape, is_int)
    if kind == "zero":
        return np.zeros(shape, dtype=dtype)
    u = uniform(name, count)
    if kind == "running_var":
        v = 0.5 + u
    elif kind == "running_mean":
        v = (2.0 * u - 1.0) * 0.1
    elif kind == "weight_nd":
        s = math.sqrt(GAIN / fan_in(shape))
        v = (2.0 * u - 1.0) * s
    elif kind == "scale":
        v = 0.8 + 0.4 * u
    else:
        v = (2.0 * u - 1.0) * 0.02
    return v.astype(np.float32).astype(dtype).reshape(shape)


def input_clip(t: int, h: int, w: int, name: str = "input") -> np.ndarray:
    """Canonical clip [T, H, W, 3] float32 in [0, 1)."""
    return uniform(name, t * h * w * 3).astype(np.float32).reshape(t, h, w, 3)


def fill_state_dict(state_dict):
    """Return a new state dict (torch tensors) with every entry filled deterministically."""
    import torch

    out = {}
    for k, v in state_dict.items():
        np_dtype = str(v.dtype).replace("torch.", "")
        arr = fill(k, tuple(v.shape), np_dtype)
        out[k] = torch.from_numpy(np.ascontiguousarray(arr))
    return out


if __name__ == "__main__":
    import json
    import sys

    # Emit a small sample for the C# cross-check (tests/MoViSharp.Tests/Zoo/filler_sample.json).
    cases = [
        ("conv1.weight", [4, 3, 3, 3], "float32"),
        ("blocks.0.norm.weight", [5], "float32"),
        ("layer1.0.bn1.running_var", [6], "float32"),
        ("layer1.0.bn1.running_mean", [6], "float32"),
        ("fc.bias", [7], "float32"),
        ("bn.num_batches_tracked", [], "int64"),
        ("head.proj.weight", [3, 64], "float32"),
        ("cls_token", [1, 1, 8], "float32"),
        ("ünïcode.weight", [2, 2], "float32"),
    ]
    sample = {"version": VERSION, "fnv1a64": {}, "u": {}, "tensors": [], "input": None}
    for n in ["", "a", "input", "conv1.weight"]:
        sample["fnv1a64"][n] = format(fnv1a64(n.encode("utf-8")), "016x")
    sample["u"]["conv1.weight"] = [float(x) for x in uniform("conv1.weight", 4)]
    for name, shape, dt in cases:
        a = fill(name, shape, dt)
        flat = a.reshape(-1)
        if a.dtype == np.float32:
            vals = [int(x) for x in flat.view(np.uint32)]
        else:
            vals = [int(x) for x in flat]
        sample["tensors"].append({"name": name, "shape": shape, "dtype": dt,
                                  "bits" if a.dtype == np.float32 else "values": vals,
                                  "first_float": float(flat[0]) if flat.size else None})
    clip = input_clip(2, 3, 4)
    sample["input"] = {"t": 2, "h": 3, "w": 4,
                       "bits": [int(x) for x in clip.reshape(-1).view(np.uint32)]}
    json.dump(sample, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
