#!/usr/bin/env python3
"""Analytic parameter counter for Tiny Video Networks TVN-1..4 (ours).

Block specs (tools/zoo/tvn_specs.json) are the architecture facts of google-research
tiny_video_nets/found_tvns.py; the layer semantics (docs/zoo-reference.md §TinyVideoNet) were read
from tiny_video_net.py / layers.py / batch_norm.py there. Counts trainable parameters as the TF code
creates them: conv kernels (no bias), BN gamma+beta (moving mean/var are not trainable), SE and
context-gate 1x1 convs with bias, final dense with bias.

  /usr/bin/python3 tools/zoo/tvn_count.py [--classes 400]
"""
import argparse
import json
import math
import os


def count(spec, classes):
    frames = spec["num_frames"]
    c = 3
    total = 0
    rows = []
    for b, blk in enumerate(spec["blocks"]):
        F = blk["filters"]
        E = max(F * blk["expand"], F)
        use_temporal = True
        for r in range(blk["repeats"]):
            p = 0
            first = r == 0
            s_sp = int(blk["spatial_stride"]) if first else 1
            s_t = int(blk["temporal_stride"]) if first else 1
            c_in = c
            k = int(blk["spatial_kernel"])
            if k != 1:
                if blk["spatial_type"] in ("std", "depth"):
                    p += c * F + 2 * F
                    c = F
                    p += (k * k * F * F if blk["spatial_type"] == "std" else k * k * F) + 2 * F
            t_on = (use_temporal if not first else True) and frames > 1
            new_frames = frames
            if t_on and blk["temporal_kernel"] != 1:
                if blk["temporal_type"] == "1d":
                    p += blk["temporal_kernel"] * c * F + 2 * F
                    c = F
                new_frames = math.ceil(frames / s_t)
            if blk["expand"] > 0:
                p += c * E + 2 * E
                c = E
            if blk["squeeze"] > 0:
                rdim = max(int(E * blk["squeeze"]), 8)
                p += E * rdim + rdim + rdim * E + E
            if blk["context_gate"]:
                p += E * E + E
            if blk["skip"] and new_frames == frames:
                p += c_in * c + 2 * c
            frames = new_frames
            if not first:
                use_temporal = not use_temporal
            else:
                use_temporal = False
            rows.append((b, r, p, c, frames))
            total += p
    total += c * classes + classes
    return total, rows, c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--classes", type=int, default=400)
    args = ap.parse_args()
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "tvn_specs.json")) as f:
        specs = json.load(f)
    for name, spec in specs.items():
        total, rows, c = count(spec, args.classes)
        print("%s: %d parameters (%d classes), final channels %d, final frames %d" % (
            name, total, args.classes, c, rows[-1][4]))


if __name__ == "__main__":
    main()
