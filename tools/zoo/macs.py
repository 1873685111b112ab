"""Hook-based multiply-add counter (ours), fvcore convention.

Counted (batch 1, one forward pass):
  * Conv1d/2d/3d modules:   output elements x (in_channels / groups) x kernel volume
  * Linear modules:         output elements x in_features   (tokens included: B*N*out*in)
  * functional matrix products outside Linear modules, caught with a TorchFunctionMode:
    torch.matmul / Tensor.__matmul__ / bmm / mm / baddbmm / addmm / einsum  (= product of the
    output elements and the contracted dimension), e.g. attention q.k^T and attn.v.
  * functional convolutions / linears called outside the hooked modules (F.conv*, F.linear).
Not counted: bias adds, normalisation (BN / LN), activations, pooling, softmax, element-wise adds
and multiplies (SE scaling, residuals), interpolation, the TSM shift, TAM's shifted sum (its three
depthwise 1x1 convs ARE counted as convolutions), data movement.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

_CONV = (nn.Conv1d, nn.Conv2d, nn.Conv3d)


def _prod(xs):
    n = 1
    for x in xs:
        n *= int(x)
    return n


class _MatmulMode(TorchFunctionMode):
    def __init__(self, counter):
        super().__init__()
        self.c = counter

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if self.c.depth == 0:  # inside a hooked module the module hook counts
            name = getattr(func, "__name__", "")
            try:
                if func in (torch.matmul, torch.Tensor.matmul, torch.Tensor.__matmul__,
                            torch.bmm, torch.Tensor.bmm, torch.mm, torch.Tensor.mm):
                    k = args[0].shape[-1]
                    self.c.add("matmul", out.numel() * int(k))
                elif func in (torch.baddbmm, torch.addmm, torch.Tensor.addmm,
                              torch.Tensor.baddbmm):
                    k = args[1].shape[-1]
                    self.c.add("matmul", out.numel() * int(k))
                elif func is torch.einsum:
                    self.c.add("einsum", _einsum_macs(args))
                elif func in (F.conv1d, F.conv2d, F.conv3d):
                    w = args[1] if len(args) > 1 else kwargs["weight"]
                    self.c.add("conv", out.numel() * _prod(w.shape[1:]))
                elif func is F.linear:
                    w = args[1] if len(args) > 1 else kwargs["weight"]
                    self.c.add("linear", out.numel() * int(w.shape[1]))
            except Exception:  # pragma: no cover - never let counting break a forward
                self.c.add("uncounted:" + name, 0)
        return out


def _einsum_macs(args):
    eq = args[0].replace(" ", "")
    ops = args[1:] if not isinstance(args[1], (list, tuple)) else args[1]
    lhs, rhs = eq.split("->")
    dims = {}
    for spec, t in zip(lhs.split(","), ops):
        for ch, s in zip(spec, t.shape):
            dims[ch] = int(s)
    return _prod(dims.values())


class MacCounter:
    def __init__(self, model):
        self.model = model
        self.by_kind = {}
        self.depth = 0
        self._handles = []

    def add(self, kind, n):
        self.by_kind[kind] = self.by_kind.get(kind, 0) + int(n)

    def _pre(self, m, inp):
        self.depth += 1

    def _post(self, m, inp, out):
        self.depth -= 1
        if isinstance(m, _CONV):
            self.add("conv", out.numel() * (m.in_channels // m.groups) * _prod(m.kernel_size))
        elif isinstance(m, nn.Linear):
            self.add("linear", out.numel() * m.in_features)

    def __enter__(self):
        for m in self.model.modules():
            if isinstance(m, _CONV + (nn.Linear,)):
                self._handles.append(m.register_forward_pre_hook(self._pre))
                self._handles.append(m.register_forward_hook(self._post))
        self._mode = _MatmulMode(self)
        self._mode.__enter__()
        return self

    def __exit__(self, *exc):
        self._mode.__exit__(*exc)
        for h in self._handles:
            h.remove()
        return False

    @property
    def total(self):
        return sum(self.by_kind.values())


def count_macs(model, *inputs):
    with torch.no_grad(), MacCounter(model) as c:
        out = model(*inputs)
    return c.total, dict(c.by_kind), out
