#!/usr/bin/env python3
"""Small REAL upstream-saved checkpoints for the checkpoint readers' end-to-end tests (ours).

Writes tests/MoViSharp.Tests/Fixtures/zoo/checkpoints/<fixture>/{<checkpoint file>, input.npy,
logits.npy, config.json}. Every model is built by the upstream code (paths as for
make_manifests.py), filled with "movisharp-filler/1" weights (filler name = the module's own
state-dict key), run in eval mode on the deterministic input, and saved the way that upstream
project saves its files. Where the upstream builder has no small configuration (fixed ResNet /
C3D widths), a key SUBSET of the full model is saved in the real container instead (no logits).

  /usr/bin/python3 tools/zoo/make_checkpoint_fixtures.py --pytorchvideo P --stubs S --tsm T \
      --blvnet B --c3d C [--out tests/MoViSharp.Tests/Fixtures/zoo/checkpoints]
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
import zoo_models  # noqa: E402
from make_manifests import dump_compact  # noqa: E402


def fill_model(model):
    sd = model.state_dict()
    model.load_state_dict(filler.fill_state_dict(sd), strict=True)
    model.eval()
    return model


def refill_preserving_metadata(model):
    """model.state_dict() after filling: an OrderedDict with _metadata, exactly what upstream saves."""
    return model.state_dict()


def write(d, fname, config, clip=None, logits=None):
    os.makedirs(d, exist_ok=True)
    if clip is not None:
        np.save(os.path.join(d, "input.npy"), clip)
    if logits is not None:
        np.save(os.path.join(d, "logits.npy"), np.asarray(logits, dtype=np.float32))
        config["logits_max_abs"] = float(np.abs(logits).max())
    config["filler"] = filler.VERSION
    config["checkpoint"] = fname
    config["checkpoint_bytes"] = os.path.getsize(os.path.join(d, fname))
    with open(os.path.join(d, "config.json"), "w") as f:
        f.write(dump_compact(config) + "\n")
    print("%-28s %-34s %8d bytes" % (os.path.basename(d), fname, config["checkpoint_bytes"]))


def entries(sd):
    return [{"key": k, "shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", "")} for k, v in sd.items()]


def run(model, layout, clip):
    with torch.no_grad():
        out = model(*zoo_models.LAYOUT_FN[layout](clip))
    return out.detach().float().numpy()


# ----------------------------------------------------------------------------------------------

def tv_mvit_v2_tiny(out):
    from torchvision.models.video.mvit import MViT, MSBlockConfig

    # MViT-V2 settings (residual pooling, cls-embed residual, relative positions, projection after
    # attention) at a tiny size: 3 blocks, one channel/resolution stage change.
    blocks = [
        MSBlockConfig(num_heads=1, input_channels=8, output_channels=8, kernel_q=[3, 3, 3], kernel_kv=[3, 3, 3],
                      stride_q=[1, 1, 1], stride_kv=[1, 2, 2]),
        MSBlockConfig(num_heads=1, input_channels=8, output_channels=16, kernel_q=[3, 3, 3], kernel_kv=[3, 3, 3],
                      stride_q=[1, 1, 1], stride_kv=[1, 2, 2]),
        MSBlockConfig(num_heads=2, input_channels=16, output_channels=16, kernel_q=[3, 3, 3], kernel_kv=[3, 3, 3],
                      stride_q=[1, 2, 2], stride_kv=[1, 1, 1]),
    ]
    kw = dict(spatial_size=(32, 32), temporal_size=4, residual_pool=True, residual_with_cls_embed=False,
              rel_pos_embed=True, proj_after_attn=True, num_classes=5)
    model = fill_model(MViT(block_setting=blocks, **kw))
    clip = filler.input_clip(4, 32, 32)
    logits = run(model, "ncthw", clip)
    d = os.path.join(out, "tv_mvit_v2_tiny")
    os.makedirs(d, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(d, "mvit_v2_tiny.pth"))
    write(d, "mvit_v2_tiny.pth", {
        "upstream": "torchvision.models.video.mvit.MViT(block_setting=..., %s)" % kw,
        "block_setting": [b.__dict__ for b in blocks],
        "container": "bare state_dict, torch.save zip format (torchvision)",
        "input_layout": zoo_models.LAYOUT_DOC["ncthw"], "input": {"T": 4, "H": 32, "W": 32},
        "parameters": sum(p.numel() for p in model.parameters()),
        "state_dict": entries(model.state_dict())}, clip, logits)


def pyv_x3d_tiny(out):
    from pytorchvideo.models.x3d import create_x3d

    kw = dict(input_clip_length=4, input_crop_size=64, model_num_class=5, width_factor=0.5, depth_factor=1.0,
              head_dim_out=32)
    model = fill_model(create_x3d(**kw))
    clip = filler.input_clip(4, 64, 64)
    logits = run(model, "ncthw", clip)
    d = os.path.join(out, "pyv_x3d_tiny")
    os.makedirs(d, exist_ok=True)
    torch.save({"model_state": model.state_dict()}, os.path.join(d, "x3d_tiny.pyth"))
    write(d, "x3d_tiny.pyth", {
        "upstream": "pytorchvideo.models.x3d.create_x3d(%s)" % kw,
        "container": "PyTorchVideo .pyth: torch.save({'model_state': state_dict}), zip format",
        "input_layout": zoo_models.LAYOUT_DOC["ncthw"], "input": {"T": 4, "H": 64, "W": 64},
        "parameters": sum(p.numel() for p in model.parameters()),
        "state_dict": entries(model.state_dict())}, clip, logits)


def pyv_slowfast_tiny(out):
    from pytorchvideo.models.slowfast import create_slowfast

    kw = dict(model_depth=50, model_num_class=5, slowfast_channel_reduction_ratio=(4,),
              stem_dim_outs=(4, 1), head_pool_kernel_sizes=((4, 1, 1), (16, 1, 1)),
              slowfast_fusion_conv_kernel_size=(7, 1, 1))
    model = fill_model(create_slowfast(**kw))
    clip = filler.input_clip(16, 32, 32)
    logits = run(model, "slowfast", clip)
    d = os.path.join(out, "pyv_slowfast_tiny")
    os.makedirs(d, exist_ok=True)
    torch.save({"model_state": model.state_dict()}, os.path.join(d, "slowfast_tiny.pyth"))
    write(d, "slowfast_tiny.pyth", {
        "upstream": "pytorchvideo.models.slowfast.create_slowfast(%s)" % kw,
        "container": "PyTorchVideo .pyth: torch.save({'model_state': state_dict}), zip format",
        "input_layout": zoo_models.LAYOUT_DOC["slowfast"], "alpha": 4,
        "slow_indices": zoo_models.slow_indices(16), "input": {"T": 16, "H": 32, "W": 32},
        "parameters": sum(p.numel() for p in model.parameters()),
        "state_dict": entries(model.state_dict())}, clip, logits)


def tsm_mobilenetv2_tiny(out):
    import archs.mobilenet_v2 as mb
    from ops.models import TSN

    if not hasattr(TSN, "print_spec"):
        TSN.print_spec = False  # upstream bug workaround, see zoo_models._tsm
    original = mb.mobilenet_v2
    mb.mobilenet_v2 = lambda pretrained=False: mb.MobileNetV2(width_mult=0.25)  # width_mult is upstream's own knob
    try:
        model = TSN(5, 8, "RGB", base_model="mobilenetv2", consensus_type="avg", dropout=0.5, print_spec=False,
                    pretrain="scratch", is_shift=True, shift_div=8, shift_place="blockres")
    finally:
        mb.mobilenet_v2 = original
    model = fill_model(model)
    clip = filler.input_clip(8, 32, 32)
    logits = run(model, "tchw", clip)
    d = os.path.join(out, "tsm_mobilenetv2_tiny")
    os.makedirs(d, exist_ok=True)
    sd = model.state_dict()
    wrapped = OrderedDict(("module." + k, v) for k, v in sd.items())
    # DataParallel's state_dict carries the same _metadata with "module." prefixed keys
    wrapped._metadata = OrderedDict((("module." + k) if k else "module", v) for k, v in sd._metadata.items())
    wrapped._metadata[""] = {"version": 1}
    wrapped._metadata.move_to_end("", last=False)
    ckpt = {"epoch": 50, "arch": "mobilenetv2", "state_dict": wrapped, "best_prec1": 0.0}
    torch.save(ckpt, os.path.join(d, "TSM_kinetics_RGB_mobilenetv2_tiny_shift8_blockres_avg_segment8.pth"),
               _use_new_zipfile_serialization=False)
    write(d, "TSM_kinetics_RGB_mobilenetv2_tiny_shift8_blockres_avg_segment8.pth", {
        "upstream": "temporal-shift-module ops.models.TSN(5, 8, 'RGB', base_model='mobilenetv2', dropout=0.5, "
                    "is_shift=True, shift_div=8, shift_place='blockres', pretrain='scratch') with "
                    "archs.mobilenet_v2.MobileNetV2(width_mult=0.25) as the base model",
        "container": "legacy (non-zip) torch.save of {'epoch': 50, 'arch': 'mobilenetv2', 'state_dict': "
                     "{'module.' + key}, 'best_prec1': 0.0} (TSM main.py under DataParallel)",
        "input_layout": zoo_models.LAYOUT_DOC["tchw"], "input": {"T": 8, "H": 32, "W": 32},
        "segments": 8, "parameters": sum(p.numel() for p in model.parameters()),
        "state_dict": entries(sd)}, clip, logits)


def subset(sd, max_numel=20000, always=()):
    keep = OrderedDict()
    for k, v in sd.items():
        if v.numel() <= max_numel or k in always:
            keep[k] = v
    return keep


def subset_fixture(out, dirname, fname, name, args, container, wrap, max_numel=5000, per_prefix=None):
    model, spec = zoo_models.build(name, args)
    full = fill_model(model).state_dict()
    keep = OrderedDict()
    seen = {}
    for k, v in full.items():
        if v.numel() > max_numel:
            continue
        if per_prefix:
            p = per_prefix(k)
            if p is None:
                continue
            seen.setdefault(p, 0)
            if seen[p] >= 64:
                continue
            seen[p] += 1
        keep[k] = v
    keep._metadata = OrderedDict((p, m) for p, m in full._metadata.items()
                                 if p == "" or any(k.startswith(p + ".") for k in keep))
    d = os.path.join(out, dirname)
    os.makedirs(d, exist_ok=True)
    obj = wrap(keep)
    torch.save(obj, os.path.join(d, fname), _use_new_zipfile_serialization=False)
    write(d, fname, {
        "upstream": spec["upstream"], "subset_of": name,
        "note": "KEY SUBSET of the full model (entries with <= %d elements, same names, shapes, dtypes and "
                "filler values as the full model; the full list is in ../../%s/manifest.json). The upstream "
                "builder has no small configuration; the full-size file is made by "
                "tools/zoo/save_upstream_layout.py. No logits." % (max_numel, name),
        "container": container, "entries": len(keep), "state_dict": entries(keep)})


def tsm_r50_subset(out, args):
    def wrap(sd):
        w = OrderedDict(("module." + k, v) for k, v in sd.items())
        w._metadata = OrderedDict((("module." + k) if k else "module", v) for k, v in sd._metadata.items())
        return {"epoch": 50, "arch": "resnet50", "state_dict": w, "best_prec1": 0.0}

    subset_fixture(out, "tsm_r50_subset", "TSM_kinetics_RGB_resnet50_shift8_blockres_avg_segment8_e50_subset.pth",
                   "tsm_r50", args,
                   "legacy (non-zip) torch.save of {'epoch','arch','state_dict': {'module.' + key}, 'best_prec1'}",
                   wrap, per_prefix=lambda k: "x" if (k.startswith("base_model.layer1.0.") or k.startswith("base_model.bn1")
                                                       or k.startswith("base_model.conv1") or k.startswith("new_fc.bias")
                                                       or k.startswith("base_model.layer4.0.bn")) else None)


def blvnet_subset(out, args):
    subset_fixture(out, "blvnet_tam_r50_subset", "kinetics400-bLVNet-TAM-50-a2-b4-f8x2_subset.pth.tar",
                   "blvnet_tam_r50", args,
                   "legacy (non-zip) torch.save of the bLVNet_TAM module's bare state_dict",
                   lambda sd: sd,
                   per_prefix=lambda k: "x" if (k.startswith("baseline_model.tam.") or k.startswith("baseline_model.bn")
                                                 or k.startswith("baseline_model.layer1.tam.")
                                                 or k.startswith("baseline_model.layer1.little_e.")
                                                 or k.startswith("baseline_model.layer4.0.tam.")
                                                 or k.startswith("new_fc.bias")) else None)


def c3d_subset(out, args):
    subset_fixture(out, "c3d_subset", "c3d_subset.pickle", "c3d", args,
                   "legacy (non-zip) torch.save of the bare state_dict (c3d.pickle)", lambda sd: sd,
                   max_numel=6000)


def main():
    ap = argparse.ArgumentParser()
    for k in ["pytorchvideo", "stubs", "tsm", "blvnet", "c3d"]:
        ap.add_argument("--" + k)
    ap.add_argument("--out", default="tests/MoViSharp.Tests/Fixtures/zoo/checkpoints")
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    torch.set_num_threads(2)
    zoo_models.add_paths(args)
    jobs = {"tv_mvit_v2_tiny": lambda: tv_mvit_v2_tiny(args.out),
            "pyv_x3d_tiny": lambda: pyv_x3d_tiny(args.out),
            "pyv_slowfast_tiny": lambda: pyv_slowfast_tiny(args.out),
            "tsm_mobilenetv2_tiny": lambda: tsm_mobilenetv2_tiny(args.out),
            "tsm_r50_subset": lambda: tsm_r50_subset(args.out, args),
            "blvnet_tam_r50_subset": lambda: blvnet_subset(args.out, args),
            "c3d_subset": lambda: c3d_subset(args.out, args)}
    for name, job in jobs.items():
        if args.only and name not in args.only.split(","):
            continue
        job()


if __name__ == "__main__":
    main()
