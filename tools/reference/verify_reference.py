#!/usr/bin/env python3
"""Self-checks of the independent MoViNet reference (movinet_reference.py) and of the committed fixtures.

  /usr/bin/python3 tools/reference/verify_reference.py            # all checks (~1 min on 1 core)
  /usr/bin/python3 tools/reference/verify_reference.py --quick    # skip the larger A0/A1 runs

Checks
  1. parameter counts (600 classes) against movinet.md section 1 (A0-A5, T0; base and stream)
  2. state_dict key layout against movinet.md 6.2 (names, 5-D/4-D shapes, res.0/res.1 rule, SE widths, alpha 0-dim)
  3. primitives against independent formulations: TF-same padding values, the pad-excluding avg pool (brute force),
     the causal temporal (kt,1) conv (vs a causally padded Conv3d kt x 1 x 1), feature-map sizes of A0 at 172x172
  4. stream: causality (perturbing frames >= t leaves logits < t bit-identical), frame-by-frame and chunked
     streaming == whole clip; base: no spurious causality (future frames DO change the result)
  5. committed fixtures: reload (weights_only), recompute logits, and show that plausible implementation mistakes
     (symmetric padding, pool counting padding, SE concat order, TF hard_sigmoid, no ReZero, plain sigmoid gate,
     non-causal SE pool) move the logits far beyond a 1e-4 tolerance.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import movinet_reference as mr  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
FIXTURES = os.path.join(REPO, "tests", "MoViSharp.Tests", "Fixtures", "port")

DOC_PARAMS_M = {  # movinet.md section 1 [calc], 600 classes
    "a0": (3.11, 3.75), "a1": (4.69, 6.45), "a2": (5.25, 7.33), "a3": (7.40, 10.99),
    "a4": (11.35, 18.14), "a5": (18.65, 31.50), "t0": (1.73, 2.37),
}

FAILS = []


def check(cond: bool, msg: str):
    print(("  ok   " if cond else "  FAIL ") + msg)
    if not cond:
        FAILS.append(msg)


def t_params():
    print("1. parameter counts (600 classes)")
    for name, (pb, ps) in DOC_PARAMS_M.items():
        for variant, want in (("base", pb), ("stream", ps)):
            got = mr.count_params(mr.build(name, variant, 600)) / 1e6
            check(round(got, 2) == want, f"{name} {variant}: {got:.3f} M (doc {want} M)")


KEY_RE = re.compile(
    r"^(conv1\.conv_1|conv7\.conv_1|classifier\.[03]\.conv_1|"
    r"blocks\.b[0-4]_l\d+\.(expand\.conv_1|deep\.conv_[12]|se\.fc[12]\.conv_1|project\.conv_1|res\.[01]\.conv_1))"
    r"\.(conv3d|conv2d|norm)\.(weight|bias|running_mean|running_var|num_batches_tracked)$"
    r"|^blocks\.b[0-4]_l\d+\.alpha$")


def t_keys():
    print("2. state_dict key layout")
    for name in ("a0", "a1", "a2", "a3", "a4", "a5"):
        for variant in ("base", "stream"):
            sd = mr.build(name, variant, 600).state_dict()
            conv = "conv3d" if variant == "base" else "conv2d"
            nd = 5 if variant == "base" else 4
            bad = [k for k in sd if not KEY_RE.match(k)]
            wrongconv = [k for k in sd if ("conv3d" in k or "conv2d" in k) and conv not in k]
            wrongnd = [k for k, v in sd.items() if k.endswith(conv + ".weight") and v.dim() != nd]
            alphas = [k for k, v in sd.items() if k.endswith("alpha") and v.dim() != 0]
            spec = mr.ARCHS[name]
            res_ok = True
            nlayers = 0
            cin = spec["stem"]
            for i, ((out, layers), s) in enumerate(zip(spec["stages"], mr._STAGE_STRIDES)):
                for j, (e, kt, k) in enumerate(layers):
                    nlayers += 1
                    p = f"blocks.b{i}_l{j}."
                    stride = s if j == 0 else 1
                    want = None if (cin == out and stride == 1) else (1 if stride == 2 else 0)
                    has = [r for r in (0, 1) if p + f"res.{r}.conv_1.{conv}.weight" in sd]
                    res_ok &= has == ([] if want is None else [want])
                    dw = sd[p + f"deep.conv_1.{conv}.weight"].shape
                    if variant == "base":
                        res_ok &= tuple(dw) == (e, 1, kt, k, k)
                    else:
                        res_ok &= tuple(dw) == (e, 1, k, k)
                        c2 = p + "deep.conv_2.conv2d.weight"
                        res_ok &= (tuple(sd[c2].shape) == (e, 1, kt, 1)) if kt > 1 else (c2 not in sd)
                    se = sd[p + f"se.fc1.conv_1.{conv}.weight"].shape
                    m = 1 if variant == "base" else 2
                    res_ok &= se[0] == mr.make_divisible(0.25 * e * m, 8) and se[1] == e * m
                    cin = out
            n_alpha = sum(k.endswith("alpha") for k in sd)
            check(not bad and not wrongconv and not wrongnd and not alphas and res_ok and n_alpha == nlayers
                  and "classifier.3.conv_1." + conv + ".bias" in sd and "classifier.0.conv_1." + conv + ".bias" in sd,
                  f"{name} {variant}: {len(sd)} keys, {nlayers} layers "
                  f"(bad={bad[:2]}, conv={wrongconv[:2]}, nd={wrongnd[:2]}, res/shapes ok={res_ok})")
    for e, (b, s) in {24: (8, 16), 80: (24, 40), 184: (48, 96)}.items():
        check((mr.make_divisible(0.25 * e), mr.make_divisible(0.5 * e)) == (b, s), f"SE width E={e} -> {b}/{s}")


def brute_pool(x):  # x [C,H,W], TF same 3x3/2, padding excluded
    c, h, w = x.shape
    ph, pw = mr.tf_same_pad(h, 3, 2)[0], mr.tf_same_pad(w, 3, 2)[0]
    oh, ow = -(-h // 2), -(-w // 2)
    out = torch.zeros(c, oh, ow, dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * 2 - ph, j * 2 - pw
            rs = [r for r in range(r0, r0 + 3) if 0 <= r < h]
            cs = [q for q in range(c0, c0 + 3) if 0 <= q < w]
            out[:, i, j] = x[:, rs][:, :, cs].mean(dim=(1, 2))
    return out


@torch.no_grad()
def t_primitives():
    print("3. primitives")
    check(mr.tf_same_pad(172, 3, 2) == (0, 1) and mr.tf_same_pad(172, 5, 2) == (1, 2)
          and mr.tf_same_pad(43, 3, 2) == (1, 1) and mr.tf_same_pad(11, 5, 1) == (2, 2)
          and mr.tf_same_pad(50, 5, 1) == (2, 2), "TF-same pad: even/stride2 asymmetric, odd symmetric")
    g = torch.Generator().manual_seed(0)
    pool = mr.SamePoolExclPad()
    ok = True
    for h, w in ((8, 8), (9, 9), (7, 10), (1, 1), (2, 3)):
        x = torch.randn(2, 4, 3, h, w, generator=g, dtype=torch.float64)
        y = pool(x)
        for b, t in itertools.product(range(2), range(3)):
            ok &= torch.allclose(y[b, :, t], brute_pool(x[b, :, t]), atol=1e-12)
    check(ok, "avg pool 3x3/2 same (pad excluded) == brute force, incl. non-square/odd/1x1")
    # causal temporal conv vs Conv3d (kt,1,1) with causal zero padding
    for kt in (3, 5):
        u = mr.ConvUnit("time", 6, 6, (kt, 1), (1, 1), groups=6, bn=False).double()
        w3 = u.conv2d.weight.detach().unsqueeze(-1)  # [E,1,kt,1,1]
        x = torch.randn(2, 6, 7, 3, 5, generator=g, dtype=torch.float64)
        ref = F.conv3d(F.pad(x, (0, 0, 0, 0, kt - 1, 0)), w3, groups=6)
        check(torch.allclose(u(x), ref, atol=1e-12), f"temporal (kt={kt},1) conv on [B,C,T,HW] == causal Conv3d kt x1x1")
    # feature map sizes of A0 at 172 (doc: 86, 43, 22, 11, 11, 6)
    m = mr.build("a0", "base", 600).eval()
    sizes = []
    hooks = [m.conv1.register_forward_hook(lambda mod, i, o: sizes.append(o.shape[-1]))]
    for i in range(5):
        hooks.append(getattr(m.blocks, f"b{i}_l0").register_forward_hook(lambda mod, i, o: sizes.append(o.shape[-1])))
    torch.set_num_threads(1)
    m(torch.rand(1, 3, 1, 172, 172))
    for hk in hooks:
        hk.remove()
    check(sizes == [86, 43, 22, 11, 11, 6], f"A0 feature sizes at 172: {sizes}")


def _rand_model(spec, seed=0):
    import make_port_fixtures as mp
    m = mr.build_from_spec(spec).eval().double()
    mp.randomise(m, seed)
    return m


@torch.no_grad()
def t_stream(quick: bool):
    print("4. causality / streaming")
    import make_port_fixtures as mp
    cases = [("tiny stream", mp.tiny_spec("stream"), 7, 30, 26)]
    if not quick:
        cases += [("a0 stream", mr.arch_spec("a0", "stream", 600), 6, 48, 48),
                  ("a1 stream", mr.arch_spec("a1", "stream", 600), 4, 40, 40)]
    g = torch.Generator().manual_seed(5)
    for label, spec, T, H, W in cases:
        m = _rand_model(spec, 3)
        x = torch.rand(1, 3, T, H, W, generator=g, dtype=torch.float64)
        full = m(x)
        worst = 0.0
        for t in range(1, T):
            x2 = x.clone()
            x2[:, :, t:] = torch.rand(x2[:, :, t:].shape, generator=g, dtype=torch.float64)
            y2 = m(x2)
            worst = max(worst, (y2[:, :t] - full[:, :t]).abs().max().item())
            assert (y2[:, t:] - full[:, t:]).abs().max().item() > 1e-6
        check(worst == 0.0, f"{label}: changing frames >= t leaves logits < t identical (max diff {worst:.1e})")
        m.reset_state()
        fw = torch.cat([m(x[:, :, t:t + 1], stream=True) for t in range(T)], dim=1)
        check((fw - full).abs().max().item() < 1e-10, f"{label}: frame-by-frame streaming == whole clip "
                                                      f"(max diff {(fw - full).abs().max().item():.1e})")
        m.reset_state()
        cuts = [0, 2, 3, T]
        ch = torch.cat([m(x[:, :, a:b], stream=True) for a, b in zip(cuts, cuts[1:])], dim=1)
        check((ch - full).abs().max().item() < 1e-10, f"{label}: chunked streaming (2,1,{T - 3}) == whole clip")
        # prefix recompute: logits of x[:, :, :t+1] at its last frame == full[:, t]
        m.reset_state()
        pre = torch.stack([m(x[:, :, :t + 1])[:, -1] for t in range(T)], dim=1)
        check((pre - full).abs().max().item() < 1e-10, f"{label}: prefix recompute == whole clip")
    m = _rand_model(mp.tiny_spec("base"), 3)
    x = torch.rand(1, 3, 5, 32, 32, generator=g, dtype=torch.float64)
    x2 = x.clone()
    x2[:, :, 4] = 0.5
    check((m(x) - m(x2)).abs().max().item() > 1e-6, "base: non-causal (last frame changes the clip logits)")


@torch.no_grad()
def t_fixtures():
    print("5. committed fixtures")
    man_path = os.path.join(FIXTURES, "manifest.json")
    if not os.path.exists(man_path):
        check(False, f"missing {man_path}")
        return
    with open(man_path) as f:
        man = json.load(f)
    for e in man["fixtures"]:
        spec = mr.load_spec(os.path.join(FIXTURES, e["files"]["spec"]))
        sd = torch.load(os.path.join(FIXTURES, e["files"]["statedict"]), weights_only=True)
        x = torch.from_numpy(np.load(os.path.join(FIXTURES, e["files"]["input"])))  # [T,H,W,3]
        want = torch.from_numpy(np.load(os.path.join(FIXTURES, e["files"]["logits"]))).double()
        x = x.permute(3, 0, 1, 2).unsqueeze(0)
        check(tuple(x.shape[2:]) == (e["frames"], e["height"], e["width"]) and 0 <= x.min() and x.max() <= 1,
              f"{e['tag']}: input [T,H,W,3] {list(x.shape)}")

        def run(model_ctor=None, **kw):
            m = (model_ctor or mr.build_from_spec)(spec, **kw).eval().double()
            m.load_state_dict(sd)
            y = m(x.double())
            return y[0] if spec["variant"] == "stream" else y

        y = run()
        d = (y - want).abs().max().item()
        check(d < 1e-6, f"{e['tag']}: reload + recompute logits, max diff {d:.1e} (logits std {want.std():.3f})")
        y32 = mr.build_from_spec(spec).eval()
        y32.load_state_dict(sd)
        y32 = y32(x)
        y32 = y32[0] if spec["variant"] == "stream" else y32
        check((y32.double() - want).abs().max().item() < 1e-5, f"{e['tag']}: float32 forward within 1e-5")
        # mutation sensitivity
        muts = mutations(spec["variant"])
        for label, ctx in muts:
            with ctx():
                ym = run()
            dm = (ym - want).abs().max().item()
            check(dm > 1e-3, f"{e['tag']}: mutation '{label}' detected, max diff {dm:.2e}")


class _Patch:
    def __init__(self, obj, attr, value):
        self.obj, self.attr, self.value = obj, attr, value

    def __call__(self):
        return self

    def __enter__(self):
        self.old = getattr(self.obj, self.attr)
        setattr(self.obj, self.attr, self.value)

    def __exit__(self, *a):
        setattr(self.obj, self.attr, self.old)


def mutations(variant):
    sym = lambda n, k, s: ((max(k - ((n - 1) % s + 1), 0) + 1) // 2, max(k - ((n - 1) % s + 1), 0) // 2)

    def pool_incl(self, x, stream=False):
        _, _, _, h, w = x.shape
        ph, pw = mr.tf_same_pad(h, 3, 2), mr.tf_same_pad(w, 3, 2)
        y, b, t = mr._frames_to_batch(x)
        return mr._batch_to_frames(F.avg_pool2d(F.pad(y, (pw[0], pw[1], ph[0], ph[1])), 3, 2), b, t)

    orig_se = mr.SqueezeExcitation.forward

    def se_swapped(self, x, stream=False):
        if self.variant == "base":
            return orig_se(self, x, stream)
        xs = x.mean(dim=(3, 4), keepdim=True)
        p = torch.cat([xs, self.pool(xs, stream)], dim=1)
        return x * self.gate(self.fc2(self.fc1(p)))

    def se_noncausal(self, x, stream=False):
        if self.variant == "base":
            return orig_se(self, x, stream)
        xs = x.mean(dim=(3, 4), keepdim=True)
        p = torch.cat([xs.mean(dim=2, keepdim=True).expand_as(xs), xs], dim=1)
        return x * self.gate(self.fc2(self.fc1(p)))

    orig_bneck = mr.Bottleneck.forward

    def no_rezero(self, x, stream=False):
        a = self.alpha.data.clone()
        self.alpha.data.fill_(1.0)
        try:
            return orig_bneck(self, x, stream)
        finally:
            self.alpha.data.copy_(a)

    orig_unit = mr.ConvUnit.forward

    def time_centered(self, x, stream=False):
        if self.mode != "time":
            return orig_unit(self, x, stream)
        b, c, t, h, w = x.shape
        kt = self.kernel[0]
        y = F.pad(x.reshape(b, c, t, h * w), (0, 0, (kt - 1) // 2, kt - 1 - (kt - 1) // 2))
        return self.act(self.norm(self.conv2d(y))).reshape(b, -1, t, h, w)

    muts = [("symmetric 'same' padding (PyTorch style)", _Patch(mr, "tf_same_pad", sym)),
            ("BN eps 1e-5 instead of 1e-3", _Patch(mr, "BN_EPS", 1e-5)),
            ("avg pool counts padded cells", _Patch(mr.SamePoolExclPad, "forward", pool_incl)),
            ("ReZero alpha ignored", _Patch(mr.Bottleneck, "forward", no_rezero))]
    if variant == "stream":
        muts += [("SE concat order [per-frame, cumulative]", _Patch(mr.SqueezeExcitation, "forward", se_swapped)),
                 ("SE gate relu6(x+3)/6 instead of clamp(0.2x+0.5)", _Patch(mr, "HardSigmoidPort", mr.HardSigmoidTF)),
                 ("SE gate plain sigmoid", _Patch(mr, "HardSigmoidPort", torch.nn.Sigmoid)),
                 ("non-causal SE pool (clip mean)", _Patch(mr.SqueezeExcitation, "forward", se_noncausal)),
                 ("centred (non-causal) temporal padding", _Patch(mr.ConvUnit, "forward", time_centered)),
                 ("Swish instead of Hardswish in the backbone", _Patch(torch.nn, "Hardswish", mr.Swish))]
    else:
        muts += [("SE gate hard sigmoid instead of sigmoid", _Patch(torch.nn, "Sigmoid", mr.HardSigmoidPort))]
    return muts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(1)
    t_params()
    t_keys()
    t_primitives()
    t_stream(a.quick)
    t_fixtures()
    print(f"\n{'ALL OK' if not FAILS else str(len(FAILS)) + ' FAILED'}")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
