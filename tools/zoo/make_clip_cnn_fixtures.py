#!/usr/bin/env python3
"""Small REAL upstream-saved checkpoints of the clip CNNs (torchvision R3D / MC3 / R(2+1)D / S3D, C3D) (ours).

The upstream builders have fixed widths, so the full models are 30-320 MB. These fixtures build the SAME
upstream module classes at tiny widths instead (torchvision's VideoResNet with narrower `_make_layer` planes,
S3D's own TemporalSeparableConv / Conv3dNormActivation / SepInceptionBlock3D in S3D's feature order, C3D with
narrower nn.Conv3d / nn.Linear layers), so every upstream forward, key name and the R(2+1)D mid-channel rule run
unchanged. Weights: "movisharp-filler/1" (filler name = the module's own state-dict key); input: the deterministic
clip. Each fixture directory gets the checkpoint (saved as the upstream project saves it), input.npy [T,H,W,3],
logits.npy [1,5] and config.json (upstream call, architecture, container, key list).

  /usr/bin/python3 tools/zoo/make_clip_cnn_fixtures.py --c3d DIR_OF_c3d-pytorch \
      [--out tests/MoViSharp.Tests/Fixtures/zoo/checkpoints]
"""
import argparse
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import filler  # noqa: E402
import zoo_models  # noqa: E402
from make_checkpoint_fixtures import entries, fill_model, run, write  # noqa: E402

CLASSES = 5


def video_resnet(kind, widths, blocks):
    """torchvision VideoResNet of `kind` with layer widths `widths` (instead of 64/128/256/512) and `blocks`."""
    from torchvision.models.video import resnet as R

    block, makers, stem = {
        "r3d": (R.BasicBlock, [R.Conv3DSimple] * 4, R.BasicStem),
        "mc3": (R.BasicBlock, [R.Conv3DSimple] + [R.Conv3DNoTemporal] * 3, R.BasicStem),
        "r2plus1d": (R.BasicBlock, [R.Conv2Plus1D] * 4, R.R2Plus1dStem),
    }[kind]
    original = R.VideoResNet._make_layer
    planes = iter(widths)

    def narrow(self, block_, conv_builder, _planes, blocks_, stride=1):
        return original(self, block_, conv_builder, next(planes), blocks_, stride)

    R.VideoResNet._make_layer = narrow
    try:
        model = R.VideoResNet(block, makers, blocks, stem)
    finally:
        R.VideoResNet._make_layer = original
    model.fc = nn.Linear(widths[-1], CLASSES)
    return model


def tv_video_resnet_tiny(out, kind, widths, blocks, t, size):
    model = fill_model(video_resnet(kind, widths, blocks))
    clip = filler.input_clip(t, size, size)
    logits = run(model, "ncthw", clip)
    name = "tv_%s_tiny" % kind
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    fname = "%s_tiny.pth" % kind
    torch.save(model.state_dict(), os.path.join(d, fname))
    write(d, fname, {
        "upstream": "torchvision.models.video.resnet.VideoResNet(%s, layers=%s) with _make_layer planes %s and "
                    "fc = nn.Linear(%d, %d)" % (kind, blocks, widths, widths[-1], CLASSES),
        "architecture": {"kind": kind, "widths": widths, "blocks": blocks, "classes": CLASSES},
        "container": "bare state_dict, torch.save zip format (torchvision)",
        "input_layout": zoo_models.LAYOUT_DOC["ncthw"], "input": {"T": t, "H": size, "W": size},
        "parameters": sum(p.numel() for p in model.parameters()),
        "state_dict": entries(model.state_dict())}, clip, logits)


# S3D's feature order with tiny widths: stem, pool, 1x1, separable conv, pool, stage 3 (2 blocks), pool,
# stage 4 (5 blocks), pool, stage 5 (2 blocks). Inception spec = (b0, b1_mid, b1, b2_mid, b2, b3).
S3D_TINY = {
    "stem": 8, "reduce": 8, "conv": 16,
    "inception": [[4, 4, 8, 2, 4, 4], [8, 4, 8, 2, 4, 4],
                  [8, 4, 8, 2, 4, 4], [8, 4, 8, 2, 4, 4], [8, 6, 8, 2, 4, 4], [8, 4, 8, 2, 4, 4], [8, 4, 8, 4, 4, 4],
                  [8, 8, 12, 4, 6, 6], [8, 8, 12, 4, 6, 6]],
    "stages": [2, 5, 2], "head_pool": [1, 1, 1],
}


def tv_s3d_tiny(out, t=8, size=32):
    import importlib
    from functools import partial
    from torchvision.ops.misc import Conv3dNormActivation

    S = importlib.import_module("torchvision.models.video.s3d")   # the package re-exports a function of that name

    spec = S3D_TINY
    norm = partial(nn.BatchNorm3d, eps=0.001, momentum=0.001)
    model = S.S3D(num_classes=CLASSES)
    layers = [S.TemporalSeparableConv(3, spec["stem"], 7, 2, 3, norm),
              nn.MaxPool3d(kernel_size=(1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1)),
              Conv3dNormActivation(spec["stem"], spec["reduce"], kernel_size=1, stride=1, norm_layer=norm),
              S.TemporalSeparableConv(spec["reduce"], spec["conv"], 3, 1, 1, norm),
              nn.MaxPool3d(kernel_size=(1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1))]
    channels, blocks = spec["conv"], iter(spec["inception"])
    pools = [nn.MaxPool3d(kernel_size=(3, 3, 3), stride=(2, 2, 2), padding=(1, 1, 1)),
             nn.MaxPool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0))]
    for stage, count in enumerate(spec["stages"]):
        if stage > 0:
            layers.append(pools[stage - 1])
        for _ in range(count):
            b = next(blocks)
            layers.append(S.SepInceptionBlock3D(channels, *b, norm))
            channels = b[0] + b[2] + b[4] + b[5]
    model.features = nn.Sequential(*layers)
    model.avgpool = nn.AvgPool3d(kernel_size=tuple(spec["head_pool"]), stride=1)
    model.classifier[1] = nn.Conv3d(channels, CLASSES, kernel_size=1, stride=1, bias=True)
    model = fill_model(model)
    clip = filler.input_clip(t, size, size)
    logits = run(model, "ncthw", clip)
    d = os.path.join(out, "tv_s3d_tiny")
    os.makedirs(d, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(d, "s3d_tiny.pth"))
    write(d, "s3d_tiny.pth", {
        "upstream": "torchvision.models.video.s3d.S3D(num_classes=5) with features rebuilt from S3D's own blocks at "
                    "the widths in 'architecture', avgpool = AvgPool3d(head_pool, stride=1), classifier[1] = "
                    "Conv3d(%d, 5, 1)" % channels,
        "architecture": dict(spec, classes=CLASSES),
        "container": "bare state_dict, torch.save zip format (torchvision)",
        "input_layout": zoo_models.LAYOUT_DOC["ncthw"], "input": {"T": t, "H": size, "W": size},
        "parameters": sum(p.numel() for p in model.parameters()),
        "state_dict": entries(model.state_dict())}, clip, logits)


# C3D at 16x32^2: pool5 leaves 1x2x2, so conv5b needs 2048 channels for fc6's fixed view(-1, 8192).
C3D_TINY = {"convs": [[4], [4], [4, 4], [4, 4], [1, 2048]], "fc": [4, 4]}


def c3d_tiny(out, c3d_dir, t=16, size=32):
    sys.path.insert(0, c3d_dir)
    from C3D_model import C3D

    spec = C3D_TINY
    model = C3D()
    names = ["conv1", "conv2", "conv3a", "conv3b", "conv4a", "conv4b", "conv5a", "conv5b"]
    widths = [w for stage in spec["convs"] for w in stage]
    inputs = 3
    for name, width in zip(names, widths):
        setattr(model, name, nn.Conv3d(inputs, width, kernel_size=(3, 3, 3), padding=(1, 1, 1)))
        inputs = width
    model.fc6 = nn.Linear(8192, spec["fc"][0])
    model.fc7 = nn.Linear(spec["fc"][0], spec["fc"][1])
    model.fc8 = nn.Linear(spec["fc"][1], CLASSES)
    model = fill_model(model)
    clip = filler.input_clip(t, size, size)
    captured = {}
    model.fc8.register_forward_hook(lambda m, i, o: captured.setdefault("logits", o.detach().clone()))
    run(model, "ncthw", clip)   # forward() returns softmax probabilities; the logits are fc8's output
    logits = captured["logits"].float().numpy()
    d = os.path.join(out, "c3d_tiny")
    os.makedirs(d, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(d, "c3d_tiny.pickle"), _use_new_zipfile_serialization=False)
    write(d, "c3d_tiny.pickle", {
        "upstream": "c3d-pytorch C3D_model.C3D() with conv widths %s, fc6 Linear(8192, %d), fc7, fc8 -> %d classes"
                    % (widths, spec["fc"][0], CLASSES),
        "architecture": dict(spec, classes=CLASSES),
        "container": "legacy (non-zip) torch.save of the bare state_dict (as c3d.pickle)",
        "output_note": "forward() returns softmax probabilities; logits.npy holds fc8's output (forward hook)",
        "input_layout": zoo_models.LAYOUT_DOC["ncthw"], "input": {"T": t, "H": size, "W": size},
        "parameters": sum(p.numel() for p in model.parameters()),
        "state_dict": entries(model.state_dict())}, clip, logits)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser()
    p.add_argument("--c3d", required=True, help="a DavideA/c3d-pytorch checkout")
    p.add_argument("--out", default=os.path.join(here, "..", "..", "tests", "MoViSharp.Tests", "Fixtures", "zoo", "checkpoints"))
    args = p.parse_args()
    torch.set_num_threads(2)
    tv_video_resnet_tiny(args.out, "r3d", [4, 4, 8, 8], [1, 1, 1, 1], 4, 32)
    tv_video_resnet_tiny(args.out, "mc3", [4, 4, 8, 8], [1, 1, 1, 1], 4, 32)
    tv_video_resnet_tiny(args.out, "r2plus1d", [4, 8, 8, 8], [2, 2, 2, 2], 4, 32)
    tv_s3d_tiny(args.out)
    c3d_tiny(args.out, args.c3d)


if __name__ == "__main__":
    main()
