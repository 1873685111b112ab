#!/usr/bin/env python3
"""Writes tests/MoViSharp.Tests/Fixtures/zoo/<name>/manifest.json for the zoo models (ours).

Usage (see tools/zoo/README.md):
  /usr/bin/python3 tools/zoo/make_manifests.py --pytorchvideo P --stubs S --tsm T --blvnet B --c3d C \
      [--out tests/MoViSharp.Tests/Fixtures/zoo] [--models r3d_18,x3d_xs,...] [--threads 2]
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import filler  # noqa: E402
import macs  # noqa: E402
import zoo_models  # noqa: E402

# Smaller valid inputs recorded in addition to the default one (cheap C# checks).
SMALL = {
    "r3d_18": (8, 64, 64), "mc3_18": (8, 64, 64), "r2plus1d_18": (8, 64, 64),
    "s3d": None,  # AvgPool3d((2,7,7)) fixed: needs >= 224 crop
    # PyTorchVideo heads use a fixed AvgPool3d kernel from the build input: no smaller valid input
    "x3d_xs": None, "x3d_s": None, "x3d_m": None, "x3d_l": None, "slow_r50": None, "slowfast_r50": None,
    "tsm_r50": (8, 64, 64), "tsm_mobilenetv2": (8, 64, 64), "blvnet_tam_r50": (16, 64, 64),
    "c3d": None, "mvit_v1_b": None, "mvit_v2_s": None,
}


def git_head(path):
    if not path:
        return None
    try:
        return subprocess.check_output(["git", "-C", path, "rev-parse", "HEAD"], text=True).strip()
    except Exception:
        return None


def f32list(a):
    return [float(x) for x in np.asarray(a, dtype=np.float32).reshape(-1)]


def run_input(name, model, spec, t, h, w, count=True):
    clip = filler.input_clip(t, h, w)
    inputs = zoo_models.LAYOUT_FN[spec["layout"]](clip)
    x = inputs[0]  # shapes before the forward: PyTorchVideo's multipathway Net rewrites the list in place
    shapes = [list(v.shape) for v in x] if isinstance(x, list) else [list(x.shape)]
    t0 = time.time()
    with torch.no_grad():
        if count:
            with macs.MacCounter(model) as c:
                logits, probs = zoo_models.forward_logits(name, model, inputs)
            total, by_kind = c.total, dict(c.by_kind)
        else:
            logits, probs = zoo_models.forward_logits(name, model, inputs)
            total, by_kind = None, None
    dt = time.time() - t0
    rec = {"T": t, "H": h, "W": w, "model_input_shapes": shapes,
           "input_sum_float64": float(clip.astype(np.float64).sum()),
           "macs": total, "macs_by_kind": by_kind,
           "logits": f32list(logits), "logits_max_abs": float(np.abs(logits).max()),
           "logits_finite": bool(np.isfinite(logits).all()),
           "top5": [int(i) for i in np.argsort(-logits.reshape(-1))[:5]],
           "forward_seconds_cpu": round(dt, 2)}
    if probs is not None:
        rec["forward_output_note"] = "upstream forward returns softmax(logits)"
    return rec


def dump_compact(obj, indent=0):
    """JSON with one line per list of scalars and per state-dict entry (small diffs, small files)."""
    pad = " " * indent
    if isinstance(obj, dict):
        flat = all(not isinstance(v, dict) and not (isinstance(v, list) and any(
            isinstance(x, (dict, list)) for x in v)) for v in obj.values())
        if flat and len(obj) <= 4:
            return json.dumps(obj)
        items = ['%s "%s": %s' % (pad, k, dump_compact(v, indent + 1)) for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list):
        if all(not isinstance(v, (dict, list)) for v in obj) or all(
                isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v) for v in obj):
            return json.dumps(obj)
        items = [pad + " " + dump_compact(v, indent + 1) for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(obj)


def main():
    ap = argparse.ArgumentParser()
    for k in ["pytorchvideo", "stubs", "tsm", "blvnet", "c3d"]:
        ap.add_argument("--" + k)
    ap.add_argument("--out", default="tests/MoViSharp.Tests/Fixtures/zoo")
    ap.add_argument("--models", default=",".join(zoo_models.ALL))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-small", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    commits = {"pytorchvideo": git_head(args.pytorchvideo), "temporal-shift-module": git_head(args.tsm),
               "bLVNet-TAM": git_head(args.blvnet), "c3d-pytorch": git_head(args.c3d),
               "fvcore (stubs copied from)": None}
    for name in args.models.split(","):
        model, spec = zoo_models.build(name, args)
        model.eval()
        sd = model.state_dict()
        filled = filler.fill_state_dict(sd)
        model.load_state_dict(filled, strict=True)
        n_params = sum(p.numel() for p in model.parameters())
        n_train = sum(p.numel() for p in model.parameters() if p.requires_grad)
        entries = [{"key": k, "shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", ""),
                    "is_parameter": False} for k, v in sd.items()]
        pnames = {n for n, _ in model.named_parameters()}
        for e in entries:
            e["is_parameter"] = e["key"] in pnames
        i = spec["input"]
        default = run_input(name, model, spec, i["T"], i["H"], i["W"])
        small = None
        if not args.no_small and SMALL.get(name):
            small = run_input(name, model, spec, *SMALL[name])
        fam = spec["family"]
        src = {"torchvision": "torchvision %s (Debian python3-torchvision)" % __import__("torchvision").__version__,
               "pytorchvideo": "facebookresearch/pytorchvideo@%s" % commits["pytorchvideo"],
               "tsm": "mit-han-lab/temporal-shift-module@%s" % commits["temporal-shift-module"],
               "blvnet": "IBM/bLVNet-TAM@%s" % commits["bLVNet-TAM"],
               "c3d": "DavideA/c3d-pytorch@%s" % commits["c3d-pytorch"]}[fam]
        man = {
            "name": name, "filler": filler.VERSION, "source": src, "torch": torch.__version__,
            "upstream": spec["upstream"], "mode": "eval",
            "num_classes": spec["num_classes"],
            "parameters": int(n_params), "parameters_trainable": int(n_train),
            "state_dict_entries": len(entries),
            "state_dict_elements": int(sum(v.numel() for v in sd.values())),
            "macs_default": default["macs"],
            "mac_convention": "conv: out elements x in/groups x kernel volume; linear: out elements x in; "
                              "matmul/bmm/einsum: out elements x contracted dim; nothing else (tools/zoo/macs.py)",
            "input": {"canonical": "[T, H, W, 3] float32, filler name 'input', u(i) in [0,1) at row-major index i",
                      "layout": spec["layout"], "layout_doc": zoo_models.LAYOUT_DOC[spec["layout"]],
                      "default": {k: spec["input"][k] for k in ("T", "H", "W")}},
            "preprocessing": spec["preprocessing"],
            "checkpoint_container": spec["checkpoint_container"],
            "runs": [dict(default, which="default")] + ([dict(small, which="small")] if small else []),
            "state_dict": entries,
        }
        if "output_note" in spec:
            man["output_note"] = spec["output_note"]
        d = os.path.join(args.out, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "manifest.json"), "w") as f:
            f.write(dump_compact(man))
        print("%-16s params %11d  MACs %14d  in %s  max|logit| %.4g  (%.1fs)%s" % (
            name, n_params, default["macs"], default["model_input_shapes"], default["logits_max_abs"],
            default["forward_seconds_cpu"],
            "" if not small else "  small max|logit| %.4g" % small["logits_max_abs"]), flush=True)


if __name__ == "__main__":
    main()
