#!/usr/bin/env python3
"""Generate port-layout MoViNet fixtures with the independent reference model (movinet_reference.py).

For every requested fixture TAG this writes into --out:
  TAG_statedict.pt   torch.save(model.state_dict()) - PyTorch zip format, port key layout (movinet.md 6.2),
                     every weight and BN statistic randomised (see randomise()).
  TAG_spec.json      the architecture (schema in tools/reference/README.md); MoViSharp can build the same model from it.
  TAG_input.npy      the input clip, float32 [T,H,W,3] channel-last, values in [0,1]
  TAG_logits.npy     expected logits, float32: base [1,C]; stream [T,C] (row t = cumulative prediction after frame t)
and a manifest.json describing all fixtures in the folder.

Expected logits are computed in float64 (model.double()) so they are the exact-math reference; the manifest also
records how far a float32 forward of this reference lands from them (a realistic tolerance for a float32 port).
For stream fixtures the script also runs the clip frame by frame through the reference's own causal streaming state
and records the max deviation from the whole-clip logits.

Examples
  # committed tiny fixtures (default preset)
  python3 make_port_fixtures.py --preset tiny --out tests/MoViSharp.Tests/Fixtures/port
  # full-size A0..A5 fixtures for local cross-checks (not committed)
  python3 make_port_fixtures.py --preset full --out /work/fixtures-port
  # one custom fixture
  python3 make_port_fixtures.py --out /tmp/fx --model a1 --variant stream --classes 600 --frames 3 --size 48 --seed 7
  python3 make_port_fixtures.py --out /tmp/fx --spec-json my_spec.json --frames 4 --size 32 --seed 1
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import movinet_reference as mr  # noqa: E402

# Tiny architecture that keeps the port's structure and key names and exercises every feature:
# strided pool+projection skip with equal channels (b0_l0 8->8), identity skips, a stride-1 projection skip (res.0, b3_l0),
# kt in {1,3,5}, k in {3,5}, kt=1 single convs and factorised kt>1 depthwise convs in stream mode.
TINY_STAGES = [
    {"out": 8, "stride": 2, "layers": [[16, 1, 5]]},
    {"out": 16, "stride": 2, "layers": [[24, 3, 3], [24, 3, 3]]},
    {"out": 24, "stride": 2, "layers": [[32, 5, 3], [24, 1, 3]]},
    {"out": 32, "stride": 1, "layers": [[32, 5, 3], [32, 1, 5]]},
    {"out": 40, "stride": 2, "layers": [[40, 5, 3], [32, 1, 5], [40, 3, 3]]},
]


def tiny_spec(variant: str, classes: int = 10) -> dict:
    return {"name": "tiny", "variant": variant, "stem": 8, "stages": TINY_STAGES,
            "head": 48, "hidden": 64, "classes": classes}


# (tag, spec-or-(name,variant,classes), frames, H, W, seed)
PRESETS = {
    "tiny": [
        ("tiny_base", tiny_spec("base"), 5, 32, 32, 11),
        ("tiny_stream", tiny_spec("stream"), 6, 32, 32, 12),
        # non-square, odd sizes: exercises asymmetric / symmetric TF-same padding and the pool divisor separately per axis
        # (reuses tiny_stream's state dict: only the input differs)
        ("tiny_stream_nonsquare", tiny_spec("stream"), 4, 27, 38, 13, "tiny_stream"),
    ],
    "full": [
        ("a0_base", ("a0", "base", 600), 8, 64, 64, 100),
        ("a1_base", ("a1", "base", 600), 4, 64, 64, 101),
        ("a2_base", ("a2", "base", 600), 4, 64, 64, 102),
        ("a3_base", ("a3", "base", 600), 4, 64, 64, 103),
        ("a4_base", ("a4", "base", 600), 4, 64, 64, 104),
        ("a5_base", ("a5", "base", 600), 4, 64, 64, 105),
        ("a0_stream", ("a0", "stream", 600), 8, 64, 64, 110),
        ("a1_stream", ("a1", "stream", 600), 6, 64, 64, 111),
        ("a2_stream", ("a2", "stream", 600), 6, 64, 64, 112),
    ],
}


# Weight gains (std = gain / sqrt(fan_in)). With gain 1 the squeeze-excitation input (a spatial mean of roughly
# zero-mean activations) is so small that every SE gate sits at ~0.5 and SE-specific mistakes (concat order, gate
# function, causal pool) change the logits by < 1e-4; the classifier gain brings logits to O(1) so a 1e-4 tolerance
# is a strict test. verify_reference.py checks that each such mistake moves the fixture logits by > 1e-3.
GAINS = {"se": 6.0, "classifier": 4.0}


def _gain(key: str) -> float:
    if ".se." in key:
        return GAINS["se"]
    if key.startswith("classifier."):
        return GAINS["classifier"]
    return 1.0


@torch.no_grad()
def randomise(model: torch.nn.Module, seed: int) -> None:
    """Deterministically randomise every state_dict entry so that BN, ReZero and SE are non-trivial.

    conv weights ~ N(0, gain^2/fan_in) (fan_in = in/groups * kernel volume; gain 1, SE convs 6, classifier convs 4);
    conv biases ~ U(-0.1, 0.1);
    BN weight ~ U(0.8, 1.2), bias ~ U(-0.1, 0.1), running_mean ~ U(-0.1, 0.1), running_var ~ U(0.75, 1.25),
    num_batches_tracked = 1000 + index; alpha ~ U(0.5, 1)."""
    g = torch.Generator().manual_seed(seed)

    def u(shape, lo, hi):
        return torch.rand(shape, generator=g, dtype=torch.float64) * (hi - lo) + lo

    for i, (k, v) in enumerate(model.state_dict(keep_vars=True).items()):
        shape = tuple(v.shape)
        leaf = k.rsplit(".", 1)[-1]
        parent = k.rsplit(".", 2)[-2] if k.count(".") >= 1 else ""
        if leaf == "alpha":
            new = u(shape, 0.5, 1.0)
        elif parent == "norm":
            if leaf == "weight":
                new = u(shape, 0.8, 1.2)
            elif leaf in ("bias", "running_mean"):
                new = u(shape, -0.1, 0.1)
            elif leaf == "running_var":
                new = u(shape, 0.75, 1.25)
            elif leaf == "num_batches_tracked":
                v.data.fill_(1000 + i)
                continue
            else:
                raise KeyError(k)
        elif parent in ("conv3d", "conv2d"):
            if leaf == "weight":
                fan_in = int(np.prod(shape[1:]))
                new = torch.randn(shape, generator=g, dtype=torch.float64) * (_gain(k) / math.sqrt(fan_in))
            elif leaf == "bias":
                new = u(shape, -0.1, 0.1)
            else:
                raise KeyError(k)
        else:
            raise KeyError(k)
        v.data.copy_(new.to(v.dtype))


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@torch.no_grad()
def make_one(out_dir: str, tag: str, spec: dict, frames: int, h: int, w: int, seed: int,
             weights_from: str = None, check_stream: bool = True, dump_acts: bool = False):
    """Returns (manifest entry, seconds).

    weights_from: tag of an already generated fixture (same spec) whose state dict and spec file are reused.
    dump_acts: also write TAG_acts.npz with the float64-computed outputs of conv1, every block and conv7
    (batch element 0, layout [C,T,H,W]) for locating a mismatch layer by layer."""
    t0 = time.time()
    model = mr.build_from_spec(spec).eval()
    src = weights_from or tag
    sd_path = os.path.join(out_dir, f"{src}_statedict.pt")
    spec_path = os.path.join(out_dir, f"{src}_spec.json")
    if weights_from:
        with open(spec_path) as f:
            assert json.load(f) == spec, "weights_from needs an identical spec"
        model.load_state_dict(torch.load(sd_path))
    else:
        randomise(model, seed)
        torch.save(model.state_dict(), sd_path)
        with open(spec_path, "w") as f:
            json.dump(spec, f, indent=1)
            f.write("\n")

    g = torch.Generator().manual_seed(seed + 1_000_003)
    clip = torch.rand((3, frames, h, w), generator=g, dtype=torch.float32)  # [3,T,H,W]
    np.save(os.path.join(out_dir, f"{tag}_input.npy"),
            np.ascontiguousarray(clip.permute(1, 2, 3, 0).numpy().astype(np.float32)))  # [T,H,W,3]

    x32 = clip.unsqueeze(0)
    m64 = mr.build_from_spec(spec).eval().double()
    m64.load_state_dict(model.state_dict())
    ref = m64(x32.double())
    y32 = model(x32)
    logits = ref[0] if spec["variant"] == "stream" else ref  # stream: [T,C]; base: [1,C]
    np.save(os.path.join(out_dir, f"{tag}_logits.npy"), logits.float().numpy().astype(np.float32))
    f32_diff = (y32.double() - ref).abs().max().item()

    info = {
        "tag": tag, "variant": spec["variant"], "name": spec["name"], "classes": spec["classes"],
        "frames": frames, "height": h, "width": w, "seed": seed,
        "files": {"statedict": os.path.basename(sd_path), "spec": os.path.basename(spec_path),
                  "input": f"{tag}_input.npy", "logits": f"{tag}_logits.npy"},
        "input_shape": [frames, h, w, 3], "logits_shape": list(logits.shape),
        "params": mr.count_params(model),
        "state_dict_entries": len(model.state_dict()),
        "statedict_bytes": os.path.getsize(sd_path),
        "logits_min": float(logits.min()), "logits_max": float(logits.max()),
        "logits_std": float(logits.std()),
        "float32_max_abs_diff": f32_diff,
    }
    if spec["variant"] == "stream" and check_stream:
        m64.reset_state()
        per = [m64(x32.double()[:, :, t:t + 1], stream=True)[0, 0] for t in range(frames)]
        info["framewise_max_abs_diff"] = (torch.stack(per) - logits).abs().max().item()
        m64.reset_state()
    for k in ("statedict", "input", "logits"):
        info["files"][k + "_sha256"] = sha256(os.path.join(out_dir, info["files"][k]))
    if dump_acts:
        acts = {}
        hooks = []
        named = [("conv1", m64.conv1)] + [(f"blocks.{n}", b) for n, b in m64.blocks.named_children()] + \
                [("conv7", m64.conv7)]
        for n, mod in named:
            hooks.append(mod.register_forward_hook(
                lambda mod, i, o, n=n: acts.__setitem__(n, o[0].float().numpy())))  # [C,T,H,W]
        m64(x32.double())
        for hk in hooks:
            hk.remove()
        np.savez(os.path.join(out_dir, f"{tag}_acts.npz"), **acts)
        info["files"]["acts"] = f"{tag}_acts.npz"
    return info, round(time.time() - t0, 2)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--preset", choices=sorted(PRESETS))
    ap.add_argument("--only", nargs="*", help="restrict a preset to these tags")
    ap.add_argument("--model", help="a0..a5 (or t0)")
    ap.add_argument("--spec-json", help="custom architecture JSON (schema in README.md)")
    ap.add_argument("--variant", default="base", choices=["base", "stream"])
    ap.add_argument("--classes", type=int, default=600)
    ap.add_argument("--frames", type=int, default=4)
    ap.add_argument("--size", type=int, default=32, help="square H=W (overridden by --height/--width)")
    ap.add_argument("--height", type=int)
    ap.add_argument("--width", type=int)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tag")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dump-acts", action="store_true", help="also write TAG_acts.npz (per-block activations)")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)

    jobs = []
    if a.preset:
        for tag, s, T, H, W, seed, *share in PRESETS[a.preset]:
            if a.only and tag not in a.only:
                continue
            spec = s if isinstance(s, dict) else mr.arch_spec(*s)
            jobs.append((tag, spec, T, H, W, seed, share[0] if share else None))
    else:
        if a.spec_json:
            spec = mr.load_spec(a.spec_json)
        elif a.model:
            spec = mr.arch_spec(a.model, a.variant, a.classes)
        else:
            ap.error("give --preset, --model or --spec-json")
        H = a.height or a.size
        W = a.width or a.size
        tag = a.tag or f"{spec['name']}_{spec['variant']}"
        jobs.append((tag, spec, a.frames, H, W, a.seed, None))

    man_path = os.path.join(a.out, "manifest.json")
    manifest = {}
    if os.path.exists(man_path):
        with open(man_path) as f:
            manifest = {e["tag"]: e for e in json.load(f)["fixtures"]}

    print(f"{'tag':24s} {'params':>10s} {'sd MB':>7s} {'logits':>10s} {'min':>9s} {'max':>9s} {'std':>7s} "
          f"{'f32 diff':>9s} {'framewise':>9s} {'sec':>6s}")
    for tag, spec, T, H, W, seed, share in jobs:
        info, secs = make_one(a.out, tag, spec, T, H, W, seed, weights_from=share, dump_acts=a.dump_acts)
        manifest[tag] = info
        fw = info.get("framewise_max_abs_diff")
        print(f"{tag:24s} {info['params']:10d} {info['statedict_bytes'] / 1e6:7.2f} {str(info['logits_shape']):>10s} "
              f"{info['logits_min']:9.4f} {info['logits_max']:9.4f} {info['logits_std']:7.4f} "
              f"{info['float32_max_abs_diff']:9.2e} {('%9.2e' % fw) if fw is not None else '        -'} "
              f"{secs:6.1f}", flush=True)
        with open(man_path, "w") as f:
            json.dump({"generator": "tools/reference/make_port_fixtures.py",
                       "torch": torch.__version__,
                       "input_layout": "[T,H,W,3] float32 in [0,1]",
                       "logits_layout": "base [1,C]; stream [T,C] cumulative per frame",
                       "fixtures": [manifest[k] for k in sorted(manifest)]}, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
