#!/usr/bin/env python3
"""Writes a FULL-size checkpoint in an upstream project's container layout, filled with the
deterministic "movisharp-filler/1" weights, from a zoo manifest (ours; needs only numpy and
Debian's python3-torch, no upstream code).

  /usr/bin/python3 tools/zoo/save_upstream_layout.py tests/MoViSharp.Tests/Fixtures/zoo/x3d_m/manifest.json out.pyth
  /usr/bin/python3 tools/zoo/save_upstream_layout.py MANIFEST OUT --input-npy clip.npy --logits-npy logits.npy

Containers (as each upstream saves its files):
  torchvision    torch.save(state_dict)                                  zip format
  pytorchvideo   torch.save({"model_state": state_dict})                 zip format (.pyth)
  tsm            torch.save({"epoch", "arch", "state_dict": {"module." + key}, "best_prec1"},
                            _use_new_zipfile_serialization=False)        legacy format (.pth.tar/.pth)
  blvnet         torch.save(state_dict, _use_new_zipfile_serialization=False)   legacy (.pth.tar)
  c3d            torch.save(state_dict, _use_new_zipfile_serialization=False)   legacy (c3d.pickle)

The state dict is an OrderedDict in manifest order. Real upstream saves also carry the
OrderedDict's `_metadata` attribute (module prefix -> {"version": n}); it is approximated here
(every prefix of a key gets version 1, BatchNorm modules -- prefixes owning running_mean -- version 2;
parameter-free modules such as ReLU are absent). Readers must not depend on it.
"""
import argparse
import json
import os
import sys
from collections import OrderedDict

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import filler  # noqa: E402

FAMILY_OF = {"torchvision": "torchvision", "pytorchvideo": "pytorchvideo", "tsm": "tsm",
             "blvnet": "blvnet", "c3d": "c3d"}


def family(man):
    src = man["source"]
    if src.startswith("torchvision"):
        return "torchvision"
    if "pytorchvideo" in src:
        return "pytorchvideo"
    if "temporal-shift-module" in src:
        return "tsm"
    if "bLVNet" in src:
        return "blvnet"
    if "c3d" in src:
        return "c3d"
    raise ValueError(src)


def state_dict_from_manifest(man):
    if man.get("filler") != filler.VERSION:
        raise SystemExit("manifest filler %s != %s" % (man.get("filler"), filler.VERSION))
    sd = OrderedDict()
    for e in man["state_dict"]:
        sd[e["key"]] = torch.from_numpy(np.ascontiguousarray(filler.fill(e["key"], e["shape"], e["dtype"])))
    meta = OrderedDict()
    meta[""] = {"version": 1}
    for k in sd:
        parts = k.split(".")[:-1]
        for i in range(1, len(parts) + 1):
            meta.setdefault(".".join(parts[:i]), {"version": 1})
        if k.endswith("running_mean"):
            meta[".".join(parts)] = {"version": 2}
    sd._metadata = meta
    return sd


def save(man, out):
    sd = state_dict_from_manifest(man)
    fam = family(man)
    if fam == "torchvision":
        torch.save(sd, out)
    elif fam == "pytorchvideo":
        torch.save({"model_state": sd}, out)
    elif fam == "tsm":
        wrapped = OrderedDict(("module." + k, v) for k, v in sd.items())
        wrapped._metadata = OrderedDict(
            (("module." + k) if k else "module", v) for k, v in sd._metadata.items())
        arch = "mobilenetv2" if "mobilenetv2" in man["name"] else "resnet50"
        torch.save({"epoch": 50, "arch": arch, "state_dict": wrapped, "best_prec1": 0.0}, out,
                   _use_new_zipfile_serialization=False)
    elif fam in ("blvnet", "c3d"):
        torch.save(sd, out, _use_new_zipfile_serialization=False)
    return fam


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("manifest")
    ap.add_argument("out")
    ap.add_argument("--input-npy", help="also write the default deterministic input clip [T,H,W,3]")
    ap.add_argument("--logits-npy", help="also write the manifest's default logits [1,C]")
    args = ap.parse_args()
    with open(args.manifest) as f:
        man = json.load(f)
    fam = save(man, args.out)
    run = man["runs"][0]
    if args.input_npy:
        np.save(args.input_npy, filler.input_clip(run["T"], run["H"], run["W"]))
    if args.logits_npy:
        np.save(args.logits_npy, np.asarray(run["logits"], dtype=np.float32).reshape(1, -1))
    print("%s: %s layout, %d entries, %.1f MB" % (args.out, fam, len(man["state_dict"]),
                                                 os.path.getsize(args.out) / 1e6))


if __name__ == "__main__":
    main()
