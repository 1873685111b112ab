#!/usr/bin/env python3
"""Compare logits produced by MoViSharp with a reference fixture.

  python3 compare_logits.py EXPECTED.npy ACTUAL [--atol 2e-4 --rtol 1e-4]

ACTUAL may be a .npy file, or a JSON file holding a "logits" array (nested lists) somewhere at the top level.
Shapes are compared after dropping leading singleton axes, so [1,C] vs [C] and [T,C] vs [1,T,C] both work;
for a stream fixture ([T,C]) an ACTUAL of shape [C] is compared with the last row (whole-clip prediction).
Exit status 0 when allclose, 1 otherwise; prints max abs diff and top-5 agreement.
"""
import argparse
import json
import sys

import numpy as np


def load(path):
    if path.endswith(".npy"):
        return np.load(path).astype(np.float64)
    with open(path) as f:
        d = json.load(f)
    return np.asarray(d["logits"] if isinstance(d, dict) else d, dtype=np.float64)


def squeeze_lead(a):
    while a.ndim > 1 and a.shape[0] == 1:
        a = a[0]
    return a


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("expected")
    ap.add_argument("actual")
    ap.add_argument("--atol", type=float, default=2e-4)
    ap.add_argument("--rtol", type=float, default=1e-4)
    a = ap.parse_args()
    e, x = squeeze_lead(load(a.expected)), squeeze_lead(load(a.actual))
    if e.ndim == 2 and x.ndim == 1:
        e = e[-1]
    if e.shape != x.shape:
        print(f"shape mismatch: expected {e.shape}, actual {x.shape}")
        return 1
    d = np.abs(e - x)
    ok = np.allclose(x, e, atol=a.atol, rtol=a.rtol)
    er, xr = e.reshape(-1, e.shape[-1]), x.reshape(-1, x.shape[-1])
    top5 = np.mean([set(np.argsort(-p)[:5]) == set(np.argsort(-q)[:5]) for p, q in zip(er, xr)])
    print(f"{'OK ' if ok else 'FAIL'} max|diff| {d.max():.3e} (at {np.unravel_index(d.argmax(), d.shape)}), "
          f"expected range [{e.min():.3f}, {e.max():.3f}], top-5 sets equal in {top5 * 100:.0f}% of rows")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
