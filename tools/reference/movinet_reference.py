#!/usr/bin/env python3
"""Independent PyTorch reference implementation of MoViNet (Kondratyuk et al. 2021).

Written from the facts in docs/movinet.md (sections 1, 2 and 6) for MoViSharp's test
fixtures and logit cross-checks. It is NOT a copy of the Atze00/MoViNet-pytorch port;
only the *state_dict key layout* of that port is reproduced (movinet.md 6.2):

  conv1.conv_1.{conv3d|conv2d}.weight, conv1.conv_1.norm.*
  blocks.b{i}_l{j}.expand.conv_1.*            1x1x1 expansion (BN, act)
  blocks.b{i}_l{j}.deep.conv_1.*              depthwise kt x k x k (base) / spatial k x k (stream)
  blocks.b{i}_l{j}.deep.conv_2.*              stream only, kt > 1: temporal (kt,1) depthwise, causal
  blocks.b{i}_l{j}.se.fc1.conv_1.*.{weight,bias}, se.fc2.conv_1.*.{weight,bias}
  blocks.b{i}_l{j}.project.conv_1.*           1x1x1 projection (BN, no act)
  blocks.b{i}_l{j}.res.{0|1}.conv_1.*         projection skip (index 1 when an AvgPool precedes it)
  blocks.b{i}_l{j}.alpha                      ReZero scalar (0-dim)
  conv7.conv_1.*                              head 1x1x1 conv (BN, act)
  classifier.0.conv_1.*.{weight,bias}         1x1x1 conv to hidden (bias), classifier.1 Swish, classifier.2 Dropout
  classifier.3.conv_1.*.{weight,bias}         1x1x1 conv to classes (bias)

Variants:
  base   ("3d"):      Conv3d everywhere, TF-"same" padding in T,H,W, SE "3d" (global mean, Swish, Sigmoid), Swish.
  stream ("2plus1d"): Conv2d per frame; kt>1 depthwise factorised into spatial k x k + temporal (kt,1) causal conv,
                      SE "2plus3d" ([causal cumulative mean, per-frame mean] -> Hardswish -> hard sigmoid
                      clamp(0.2x+0.5,0,1)), Hardswish backbone, causal cumulative-mean head, Swish classifier.

Input: [B,3,T,H,W] float in [0,1]. Output: base logits [B,C]; stream per-frame logits [B,T,C] (row t classifies
frames 0..t; the last row is what the port's stream model returns for the whole clip).

Stream models also support explicit streaming: model.reset_state(); then call model(chunk, stream=True) for
successive chunks (any length, e.g. one frame); the causal buffers / running means are carried between calls.
"""
from __future__ import annotations

import json
import math
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

BN_EPS = 1e-3
BN_MOMENTUM = 0.01  # Keras 0.99; irrelevant at inference

# --------------------------------------------------------------------------------------------------------------
# Architecture specs (movinet.md section 1). Stage = (out_channels, [(expand, kt, k), ...]); layer-0 spatial stride is
# 2 for stages 0,1,2,4 and 1 for stage 3.
# --------------------------------------------------------------------------------------------------------------

def _L(expands: Sequence[int], kernels: Sequence[str]) -> List[Tuple[int, int, int]]:
    out = []
    assert len(expands) == len(kernels)
    for e, k in zip(expands, kernels):
        kt, kh, kw = (int(v) for v in k.split("x"))
        assert kh == kw
        out.append((e, kt, kh))
    return out


_K = {"155": "1x5x5", "333": "3x3x3", "533": "5x3x3", "133": "1x3x3"}


def _ks(s: str) -> List[str]:
    return [_K[t] for t in s.split()]


ARCHS = {
    "a0": dict(stem=8, head=480, hidden=2048, stages=[
        (8, _L([24], _ks("155"))),
        (32, _L([80, 80, 80], _ks("333 333 333"))),
        (56, _L([184, 112, 184], _ks("533 333 333"))),
        (56, _L([184, 184, 184, 184], _ks("533 333 333 333"))),
        (104, _L([384, 280, 280, 344], _ks("533 155 155 155"))),
    ]),
    "a1": dict(stem=16, head=600, hidden=2048, stages=[
        (16, _L([40, 40], _ks("155 333"))),
        (40, _L([96, 120, 96, 96], _ks("333 333 333 333"))),
        (64, _L([216, 128, 216, 168, 216], _ks("533 333 333 333 333"))),
        (64, _L([216, 216, 216, 128, 128, 216], _ks("533 333 333 333 155 333"))),
        (136, _L([456, 360, 360, 360, 456, 456, 544], _ks("533 155 155 155 155 333 133"))),
    ]),
    "a2": dict(stem=16, head=640, hidden=2048, stages=[
        (16, _L([40, 40, 64], _ks("155 333 333"))),
        (40, _L([96, 120, 96, 96, 120], _ks("333 333 333 333 333"))),
        (72, _L([240, 160, 240, 192, 240], _ks("533 333 333 333 333"))),
        (72, _L([240, 240, 240, 240, 144, 240], _ks("533 333 333 333 155 333"))),
        (144, _L([480, 384, 384, 480, 480, 480, 576], _ks("533 155 155 155 155 333 133"))),
    ]),
    "a3": dict(stem=16, head=744, hidden=2048, stages=[
        (16, _L([40, 40, 64, 40], _ks("155 333 333 333"))),
        (48, _L([112, 144, 112, 112, 144, 144], _ks("333 333 333 155 333 333"))),
        (80, _L([240, 152, 240, 192, 240], _ks("533 333 333 333 333"))),
        (88, _L([264, 264, 264, 264, 160, 264, 264, 264], _ks("533 333 333 333 155 333 333 333"))),
        (168, _L([560, 448, 448, 560, 560, 560, 448, 448, 560, 672],
                 _ks("533 155 155 155 155 333 155 155 333 133"))),
    ]),
    "a4": dict(stem=24, head=856, hidden=2048, stages=[
        (24, _L([64, 64, 96, 64, 96, 64], _ks("155 333 333 333 333 333"))),
        (56, _L([168, 168, 136, 136, 168, 168, 168, 136, 136], _ks("333 333 333 333 333 333 333 155 333"))),
        (96, _L([320, 160, 320, 192, 320, 160, 320, 256, 320], _ks("533 333 333 333 333 333 333 333 333"))),
        (96, _L([320, 320, 320, 320, 192, 320, 320, 192, 320, 320], _ks("533 333 333 333 155 333 333 333 333 333"))),
        (192, _L([640, 512, 512, 640, 640, 640, 512, 512, 640, 768, 640, 640, 768],
                 _ks("533 155 155 155 155 333 155 155 155 155 155 333 333"))),
    ]),
    "a5": dict(stem=24, head=992, hidden=2048, stages=[
        (24, _L([64, 64, 96, 64, 96, 64], _ks("155 155 333 333 333 333"))),
        (64, _L([192, 152, 152, 152, 192, 192, 192, 152, 152, 192, 192],
                _ks("533 333 333 333 333 333 333 333 333 333 333"))),
        (112, _L([376, 224, 376, 376, 296, 376, 224, 376, 376, 296, 376, 376, 376],
                 _ks("533 333 333 333 333 333 333 333 333 333 333 333 333"))),
        (120, _L([376, 376, 376, 376, 224, 376, 376, 224, 376, 376, 376],
                 _ks("533 333 333 333 155 333 333 333 333 333 333"))),
        (224, _L([744, 744, 600, 600, 744, 744, 744, 896, 600, 600, 896, 744, 744, 896, 600, 600, 744, 744],
                 _ks("533 333 155 155 155 155 333 155 155 155 155 155 333 155 155 155 155 333"))),
    ]),
    "t0": dict(stem=8, head=240, hidden=1024, stages=[
        (8, _L([16], _ks("155"))),
        (32, _L([72, 72], _ks("333 155"))),
        (56, _L([112, 112, 112], _ks("533 155 333"))),
        (56, _L([184, 184, 184, 184], _ks("533 155 333 333"))),
        (104, _L([344, 344, 344, 344], _ks("533 155 155 333"))),
    ]),
}
_STAGE_STRIDES = [2, 2, 2, 1, 2]


def arch_spec(name: str, variant: str, num_classes: int) -> dict:
    """The JSON-style spec (see tools/reference/README.md) of a named architecture."""
    a = ARCHS[name.lower()]
    return {
        "name": name.lower(),
        "variant": variant,
        "stem": a["stem"],
        "stages": [{"out": out, "stride": s, "layers": [list(l) for l in layers]}
                   for (out, layers), s in zip(a["stages"], _STAGE_STRIDES)],
        "head": a["head"],
        "hidden": a["hidden"],
        "classes": num_classes,
    }


def make_divisible(v: float, divisor: int = 8, min_value: Optional[int] = None) -> int:
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return int(new_v)


# --------------------------------------------------------------------------------------------------------------
# Primitives
# --------------------------------------------------------------------------------------------------------------

def tf_same_pad(n: int, k: int, s: int) -> Tuple[int, int]:
    total = max(k - ((n - 1) % s + 1), 0)
    return total // 2, total - total // 2


class Swish(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(x)


class HardSigmoidPort(nn.Module):
    """clamp(0.2 x + 0.5, 0, 1) (old Keras hard sigmoid; what the port uses for its stream gate)."""

    def forward(self, x):
        return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


class HardSigmoidTF(nn.Module):
    """relu6(x + 3) / 6 (TF Model Garden hard_sigmoid) - only used with gate='tf'."""

    def forward(self, x):
        return F.relu6(x + 3.0) / 6.0


def _frames_to_batch(x: torch.Tensor) -> Tuple[torch.Tensor, int, int]:
    b, c, t, h, w = x.shape
    return x.permute(0, 2, 1, 3, 4).reshape(b * t, c, h, w), b, t


def _batch_to_frames(y: torch.Tensor, b: int, t: int) -> torch.Tensor:
    bt, c, h, w = y.shape
    return y.reshape(b, t, c, h, w).permute(0, 2, 1, 3, 4)


class ConvUnit(nn.Module):
    """One conv (+BN)(+act). Holds the `conv3d`/`conv2d` and `norm` children that give the port's key names.

    mode:
      '3d'      Conv3d on [B,C,T,H,W] with TF-same padding in T, H, W.
      'frame'   Conv2d (kh,kw) applied to every frame of [B,C,T,H,W] with TF-same spatial padding.
      'time'    Conv2d (kt,1) applied to [B,C,T,H*W] with causal temporal padding (kt-1 zero frames in front),
                or, when streaming, the kt-1 frames buffered from the previous call.
    All work on and return [B,C,T,H,W].
    """

    def __init__(self, mode: str, cin: int, cout: int, kernel: Tuple[int, ...], stride: Tuple[int, ...],
                 groups: int = 1, bias: bool = False, bn: bool = True, act: Optional[nn.Module] = None):
        super().__init__()
        self.mode = mode
        self.kernel = tuple(kernel)
        self.stride = tuple(stride)
        if mode == "3d":
            self.conv3d = nn.Conv3d(cin, cout, self.kernel, self.stride, padding=0, groups=groups, bias=bias)
            self.norm = nn.BatchNorm3d(cout, eps=BN_EPS, momentum=BN_MOMENTUM) if bn else nn.Identity()
        else:
            self.conv2d = nn.Conv2d(cin, cout, self.kernel, self.stride, padding=0, groups=groups, bias=bias)
            self.norm = nn.BatchNorm2d(cout, eps=BN_EPS, momentum=BN_MOMENTUM) if bn else nn.Identity()
        self.act = act if act is not None else nn.Identity()
        self.buffer: Optional[torch.Tensor] = None  # streaming state for mode 'time'

    def forward(self, x: torch.Tensor, stream: bool = False) -> torch.Tensor:
        if self.mode == "3d":
            _, _, t, h, w = x.shape
            pt = tf_same_pad(t, self.kernel[0], self.stride[0])
            ph = tf_same_pad(h, self.kernel[1], self.stride[1])
            pw = tf_same_pad(w, self.kernel[2], self.stride[2])
            x = F.pad(x, (pw[0], pw[1], ph[0], ph[1], pt[0], pt[1]))
            return self.act(self.norm(self.conv3d(x)))
        if self.mode == "frame":
            _, _, _, h, w = x.shape
            ph = tf_same_pad(h, self.kernel[0], self.stride[0])
            pw = tf_same_pad(w, self.kernel[1], self.stride[1])
            y, b, t = _frames_to_batch(x)
            y = F.pad(y, (pw[0], pw[1], ph[0], ph[1]))
            y = self.act(self.norm(self.conv2d(y)))
            return _batch_to_frames(y, b, t)
        if self.mode == "time":
            b, c, t, h, w = x.shape
            kt = self.kernel[0]
            y = x.reshape(b, c, t, h * w)
            if stream:
                prev = self.buffer if self.buffer is not None else y.new_zeros(b, c, kt - 1, h * w)
                full = torch.cat([prev, y], dim=2)
                self.buffer = full[:, :, full.shape[2] - (kt - 1):].detach()
            else:
                full = F.pad(y, (0, 0, kt - 1, 0))
            y = self.act(self.norm(self.conv2d(full)))
            return y.reshape(b, -1, t, h, w)
        raise ValueError(self.mode)


class ConvBlock(nn.Module):
    """Container with children conv_1 (and conv_2 for the factorised stream depthwise conv)."""

    def __init__(self, conv_1: ConvUnit, conv_2: Optional[ConvUnit] = None):
        super().__init__()
        self.conv_1 = conv_1
        if conv_2 is not None:
            self.conv_2 = conv_2

    def forward(self, x, stream: bool = False):
        x = self.conv_1(x, stream)
        if hasattr(self, "conv_2"):
            x = self.conv_2(x, stream)
        return x


class SamePoolExclPad(nn.Module):
    """AvgPool 3x3 stride 2 over H,W with TF 'same' padding, padded cells excluded from the divisor (per frame)."""

    def forward(self, x: torch.Tensor, stream: bool = False) -> torch.Tensor:
        _, _, _, h, w = x.shape
        ph = tf_same_pad(h, 3, 2)
        pw = tf_same_pad(w, 3, 2)
        y, b, t = _frames_to_batch(x)
        ones = y.new_ones(1, 1, h, w)
        pad = (pw[0], pw[1], ph[0], ph[1])
        num = F.avg_pool2d(F.pad(y, pad), 3, 2)
        den = F.avg_pool2d(F.pad(ones, pad), 3, 2)
        return _batch_to_frames(num / den, b, t)


class CausalMean(nn.Module):
    """Per-frame spatial mean followed by a causal cumulative mean over frames: out[t] = mean(m[0..t]).

    When streaming, the running sum and frame count are carried between calls (state, not in the state_dict)."""

    def __init__(self):
        super().__init__()
        self.sum: Optional[torch.Tensor] = None
        self.count = 0

    def forward(self, m: torch.Tensor, stream: bool = False) -> torch.Tensor:
        # m: [B,C,T,1,1] per-frame spatial means
        t = m.shape[2]
        cum = torch.cumsum(m, dim=2)
        n0 = 0
        if stream:
            if self.sum is not None:
                cum = cum + self.sum
            n0 = self.count
            self.sum = cum[:, :, -1:].detach()
            self.count = n0 + t
        counts = torch.arange(n0 + 1, n0 + t + 1, dtype=m.dtype, device=m.device).view(1, 1, t, 1, 1)
        return cum / counts


class SqueezeExcitation(nn.Module):
    def __init__(self, variant: str, e: int, gate: str = "port"):
        super().__init__()
        self.variant = variant
        if variant == "base":
            s = make_divisible(0.25 * e, 8)
            self.fc1 = ConvBlock(ConvUnit("3d", e, s, (1, 1, 1), (1, 1, 1), bias=True, bn=False, act=Swish()))
            self.fc2 = ConvBlock(ConvUnit("3d", s, e, (1, 1, 1), (1, 1, 1), bias=True, bn=False))
            self.gate = nn.Sigmoid()
        else:
            s = make_divisible(0.5 * e, 8)
            self.fc1 = ConvBlock(ConvUnit("frame", 2 * e, s, (1, 1), (1, 1), bias=True, bn=False, act=nn.Hardswish()))
            self.fc2 = ConvBlock(ConvUnit("frame", s, e, (1, 1), (1, 1), bias=True, bn=False))
            self.gate = HardSigmoidPort() if gate == "port" else HardSigmoidTF()
            self.pool = CausalMean()
        self.hidden = s

    def forward(self, x: torch.Tensor, stream: bool = False) -> torch.Tensor:
        if self.variant == "base":
            p = x.mean(dim=(2, 3, 4), keepdim=True)
            return x * self.gate(self.fc2(self.fc1(p)))
        x_space = x.mean(dim=(3, 4), keepdim=True)             # [B,E,T,1,1]
        x_3d = self.pool(x_space, stream)                        # causal cumulative mean
        p = torch.cat([x_3d, x_space], dim=1)                    # order: [cumulative, per-frame]
        return x * self.gate(self.fc2(self.fc1(p)))


class Bottleneck(nn.Module):
    def __init__(self, variant: str, cin: int, cout: int, e: int, kt: int, k: int, stride: int, gate: str = "port"):
        super().__init__()
        base = variant == "base"
        act = Swish if base else nn.Hardswish
        # ReZero scalar (0-dim); registered first, so it comes first in this block's state_dict
        self.alpha = nn.Parameter(torch.zeros(()))
        if base:
            self.expand = ConvBlock(ConvUnit("3d", cin, e, (1, 1, 1), (1, 1, 1), act=act()))
            self.deep = ConvBlock(ConvUnit("3d", e, e, (kt, k, k), (1, stride, stride), groups=e, act=act()))
        else:
            self.expand = ConvBlock(ConvUnit("frame", cin, e, (1, 1), (1, 1), act=act()))
            spatial = ConvUnit("frame", e, e, (k, k), (stride, stride), groups=e, act=act())
            temporal = ConvUnit("time", e, e, (kt, 1), (1, 1), groups=e, act=act()) if kt > 1 else None
            self.deep = ConvBlock(spatial, temporal)
        self.se = SqueezeExcitation(variant, e, gate)
        if base:
            self.project = ConvBlock(ConvUnit("3d", e, cout, (1, 1, 1), (1, 1, 1)))
        else:
            self.project = ConvBlock(ConvUnit("frame", e, cout, (1, 1), (1, 1)))
        self.identity = cin == cout and stride == 1
        if not self.identity:
            mods = []
            if stride != 1:
                assert stride == 2
                mods.append(SamePoolExclPad())
            if base:
                mods.append(ConvBlock(ConvUnit("3d", cin, cout, (1, 1, 1), (1, 1, 1))))
            else:
                mods.append(ConvBlock(ConvUnit("frame", cin, cout, (1, 1), (1, 1))))
            self.res = nn.Sequential(*mods)

    def forward(self, x: torch.Tensor, stream: bool = False) -> torch.Tensor:
        skip = x
        if not self.identity:
            for m in self.res:
                skip = m(skip, stream)
        y = self.expand(x, stream)
        y = self.deep(y, stream)
        y = self.se(y, stream)
        y = self.project(y, stream)
        return skip + self.alpha * y



class MoViNet(nn.Module):
    def __init__(self, spec: dict, gate: str = "port", dropout: float = 0.2):
        super().__init__()
        self.spec = spec
        variant = spec["variant"]
        if variant not in ("base", "stream"):
            raise ValueError(f"variant must be base|stream, got {variant}")
        self.variant = variant
        base = variant == "base"
        act = Swish if base else nn.Hardswish
        stem = spec["stem"]
        if base:
            self.conv1 = ConvBlock(ConvUnit("3d", 3, stem, (1, 3, 3), (1, 2, 2), act=act()))
        else:
            self.conv1 = ConvBlock(ConvUnit("frame", 3, stem, (3, 3), (2, 2), act=act()))
        blocks = OrderedDict()
        cin = stem
        for i, st in enumerate(spec["stages"]):
            for j, (e, kt, k) in enumerate(st["layers"]):
                stride = st["stride"] if j == 0 else 1
                blocks[f"b{i}_l{j}"] = Bottleneck(variant, cin, st["out"], e, kt, k, stride, gate)
                cin = st["out"]
        self.blocks = nn.Sequential(blocks)
        head, hidden, classes = spec["head"], spec["hidden"], spec["classes"]
        if base:
            self.conv7 = ConvBlock(ConvUnit("3d", cin, head, (1, 1, 1), (1, 1, 1), act=act()))
            fc = lambda a, b: ConvBlock(ConvUnit("3d", a, b, (1, 1, 1), (1, 1, 1), bias=True, bn=False))
        else:
            self.conv7 = ConvBlock(ConvUnit("frame", cin, head, (1, 1), (1, 1), act=act()))
            fc = lambda a, b: ConvBlock(ConvUnit("frame", a, b, (1, 1), (1, 1), bias=True, bn=False))
            self.head_pool = CausalMean()
        self.classifier = nn.Sequential(fc(head, hidden), Swish(), nn.Dropout(dropout), fc(hidden, classes))

    def reset_state(self):
        for m in self.modules():
            if isinstance(m, ConvUnit):
                m.buffer = None
            if isinstance(m, CausalMean):
                m.sum, m.count = None, 0

    def forward(self, x: torch.Tensor, stream: bool = False) -> torch.Tensor:
        """x: [B,3,T,H,W]. base -> [B,classes]; stream -> [B,T,classes] (cumulative, causal).

        stream=True (stream variant only) carries causal state across calls; call reset_state() between videos."""
        if stream and self.variant != "stream":
            raise ValueError("stream=True needs the stream variant")
        x = self.conv1(x, stream)
        for blk in self.blocks:
            x = blk(x, stream)
        x = self.conv7(x, stream)
        if self.variant == "base":
            p = x.mean(dim=(2, 3, 4), keepdim=True)  # [B,P,1,1,1]
            for m in self.classifier:
                p = m(p, stream) if isinstance(m, ConvBlock) else m(p)
            return p.flatten(1)
        p = self.head_pool(x.mean(dim=(3, 4), keepdim=True), stream)  # [B,P,T,1,1]
        for m in self.classifier:
            p = m(p, stream) if isinstance(m, ConvBlock) else m(p)
        return p[:, :, :, 0, 0].transpose(1, 2)  # [B,T,C]


def build_from_spec(spec: dict, gate: str = "port") -> MoViNet:
    return MoViNet(spec, gate=gate)


def build(name: str, variant: str = "base", num_classes: int = 600, gate: str = "port") -> MoViNet:
    """name in a0..a5 (t0 also available, not in the port); variant 'base' | 'stream'."""
    return MoViNet(arch_spec(name, variant, num_classes), gate=gate)


def load_spec(path: str) -> dict:
    with open(path) as f:
        return json.load(f)


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="print parameter counts / key layout")
    ap.add_argument("name", nargs="?", default="a0")
    ap.add_argument("--variant", default="base")
    ap.add_argument("--classes", type=int, default=600)
    ap.add_argument("--keys", action="store_true")
    a = ap.parse_args()
    m = build(a.name, a.variant, a.classes)
    print(f"{a.name} {a.variant}: {count_params(m) / 1e6:.3f} M params")
    if a.keys:
        for k, v in m.state_dict().items():
            print(k, list(v.shape))
