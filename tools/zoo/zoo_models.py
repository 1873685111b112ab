"""Builds the upstream models of the MoViSharp zoo (issue 10) from the upstream sources.

Ours. Upstream code is imported from directories given on the command line (never copied):
  --pytorchvideo DIR   checkout of facebookresearch/pytorchvideo (the repo root)
  --stubs DIR          a directory holding a minimal `fvcore` package (fvcore/__init__.py,
                       fvcore/nn/__init__.py empty, plus fvcore's own nn/squeeze_excitation.py,
                       nn/weight_init.py and nn/distributed.py) -- see tools/zoo/README.md
  --tsm DIR            checkout of mit-han-lab/temporal-shift-module
  --blvnet DIR         checkout of IBM/bLVNet-TAM
  --c3d DIR            checkout of DavideA/c3d-pytorch
"""
import sys

import numpy as np
import torch

K400_MEAN_TV = [0.43216, 0.394666, 0.37645]
K400_STD_TV = [0.22803, 0.22145, 0.216989]
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]

ALL = ["r3d_18", "mc3_18", "r2plus1d_18", "s3d", "mvit_v1_b", "mvit_v2_s",
       "x3d_xs", "x3d_s", "x3d_m", "x3d_l", "slowfast_r50", "slow_r50",
       "tsm_r50", "tsm_mobilenetv2", "blvnet_tam_r50", "c3d"]


def add_paths(args):
    for p in [args.stubs, args.pytorchvideo, args.tsm, args.blvnet, args.c3d]:
        if p and p not in sys.path:
            sys.path.insert(0, p)


# ----------------------------------------------------------------------------------------------
# Layouts: every model takes the canonical clip [T, H, W, 3] (float32) laid out as below.

def layout_ncthw(clip):
    return (torch.from_numpy(np.ascontiguousarray(clip)).permute(3, 0, 1, 2).unsqueeze(0).contiguous(),)


def slow_indices(t, alpha=4):
    # PyTorchVideo hub tutorial PackPathway: torch.linspace(0, T-1, T // alpha).long()
    return [int(i) for i in torch.linspace(0, t - 1, t // alpha).long().tolist()]


def layout_slowfast(clip, alpha=4):
    fast = layout_ncthw(clip)[0]
    idx = torch.tensor(slow_indices(clip.shape[0], alpha), dtype=torch.long)
    slow = torch.index_select(fast, 2, idx).contiguous()
    return ([slow, fast],)


def layout_tchw(clip):
    # [N*T, 3, H, W] with N = 1 (TSN.forward views its input as (-1, 3, H, W))
    return (torch.from_numpy(np.ascontiguousarray(clip)).permute(0, 3, 1, 2).contiguous(),)


def layout_n_tc_hw(clip):
    # [N, T*3, H, W]: frame t occupies channels 3t..3t+2 (bLVNet-TAM forward views it as [N*T,3,H,W])
    t, h, w, _ = clip.shape
    x = torch.from_numpy(np.ascontiguousarray(clip)).permute(0, 3, 1, 2).reshape(1, t * 3, h, w)
    return (x.contiguous(),)


LAYOUT_DOC = {
    "ncthw": "[1, 3, T, H, W] = clip[T,H,W,3].permute(3,0,1,2)[None]",
    "slowfast": "list [slow, fast]: fast = [1,3,T,H,W] as ncthw; slow = fast[:, :, idx] with "
                "idx = torch.linspace(0, T-1, T//alpha).long() (truncation toward zero), alpha = 4",
    "tchw": "[N*T, 3, H, W] with N = 1: clip.permute(0,3,1,2) (TSN.forward views any input as (-1, 3, H, W))",
    "n_tc_hw": "[1, T*3, H, W]: clip.permute(0,3,1,2).reshape(1, T*3, H, W); channel 3t+c = frame t, colour c",
}
LAYOUT_FN = {"ncthw": layout_ncthw, "slowfast": layout_slowfast, "tchw": layout_tchw,
             "n_tc_hw": layout_n_tc_hw}


# ----------------------------------------------------------------------------------------------

def build(name, args, tiny=False):
    """Returns (model, spec). spec: dict with upstream, source, default input, preprocessing."""
    add_paths(args)
    if name in ("r3d_18", "mc3_18", "r2plus1d_18", "s3d", "mvit_v1_b", "mvit_v2_s"):
        return _torchvision(name)
    if name.startswith("x3d_") or name in ("slowfast_r50", "slow_r50"):
        return _pytorchvideo(name)
    if name.startswith("tsm_"):
        return _tsm(name)
    if name == "blvnet_tam_r50":
        return _blvnet(name)
    if name == "c3d":
        return _c3d()
    raise KeyError(name)


def _torchvision(name):
    import torchvision
    import torchvision.models.video as V

    model = getattr(V, name)(weights=None)  # num_classes 400 default
    wenum = {"r3d_18": V.R3D_18_Weights, "mc3_18": V.MC3_18_Weights,
             "r2plus1d_18": V.R2Plus1D_18_Weights, "s3d": V.S3D_Weights,
             "mvit_v1_b": V.MViT_V1_B_Weights, "mvit_v2_s": V.MViT_V2_S_Weights}[name].DEFAULT
    tr = wenum.transforms()
    meta = wenum.meta
    small = name in ("r3d_18", "mc3_18", "r2plus1d_18")
    t, s = 16, (112 if small else 224)
    pre = {
        "frames": 16 if name != "s3d" else 16,
        "eval_protocol": meta.get("_docs"),
        "resize": list(tr.resize_size),
        "resize_note": ("resize to [H, W] = " + str(list(tr.resize_size))) if len(tr.resize_size) == 2
        else "resize the short side to %d" % tr.resize_size[0],
        "crop": list(tr.crop_size),
        "mean": list(tr.mean), "std": list(tr.std), "interpolation": "bilinear",
        "value_range": "[0,1] (uint8/255) before normalisation",
        "labels": "kinetics400 (torchvision _KINETICS400_CATEGORIES)",
        "min_size": list(meta.get("min_size")), "min_temporal_size": meta.get("min_temporal_size"),
        "weights_url": wenum.url, "published_num_params": meta.get("num_params"),
        "published_metrics": meta.get("_metrics"),
    }
    spec = {"family": "torchvision", "upstream": "torchvision %s, torchvision.models.video.%s(weights=None)"
            % (torchvision.__version__, name),
            "layout": "ncthw", "input": {"T": t, "H": s, "W": s}, "num_classes": 400,
            "preprocessing": pre, "checkpoint_container": "bare state_dict, torch.save zip format (.pth)"}
    return model, spec


def _pytorchvideo(name):
    import pytorchvideo.models.hub as hub

    model = getattr(hub, name)(pretrained=False)
    x3d = {"x3d_xs": (4, 12, 160, 182, 182), "x3d_s": (13, 6, 160, 182, 182),
           "x3d_m": (16, 5, 224, 256, 256), "x3d_l": (16, 5, 312, 356, 356)}
    if name in x3d:
        t, rate, crop, side, test_crop = x3d[name]
        pre = {"frames": t, "sampling_rate": rate, "fps": 30,
               "model_built_for_crop": crop,
               "hub_inference": {"side_size": side, "crop_size": test_crop,
                                 "note": "PyTorchVideo hub tutorial values for X3D (short side resize, centre crop); "
                                         "the head AvgPool3d kernel is fixed from the build crop, a larger crop gives "
                                         "a >1 pooled map that the head's AdaptiveAvgPool3d(1) averages after the projection"},
               "mean": [0.45, 0.45, 0.45], "std": [0.225, 0.225, 0.225],
               "labels": "kinetics400 (PyTorchVideo kinetics_classnames.json order)"}
        spec_in = {"T": t, "H": crop, "W": crop}
        layout = "ncthw"
    elif name == "slow_r50":
        pre = {"frames": 8, "sampling_rate": 8, "fps": 30, "side_size": 256, "crop_size": 256,
               "model_built_for_crop": 224,
               "mean": [0.45, 0.45, 0.45], "std": [0.225, 0.225, 0.225],
               "labels": "kinetics400"}
        spec_in = {"T": 8, "H": 224, "W": 224}
        layout = "ncthw"
    else:
        pre = {"frames": 32, "sampling_rate": 2, "fps": 30, "alpha": 4, "side_size": 256, "crop_size": 256,
               "model_built_for_crop": 224,
               "slow_frame_indices_of_32": slow_indices(32),
               "mean": [0.45, 0.45, 0.45], "std": [0.225, 0.225, 0.225],
               "labels": "kinetics400"}
        spec_in = {"T": 32, "H": 224, "W": 224}
        layout = "slowfast"
    spec = {"family": "pytorchvideo", "upstream": "pytorchvideo.models.hub.%s(pretrained=False)" % name,
            "layout": layout, "input": spec_in, "num_classes": 400, "preprocessing": pre,
            "checkpoint_container": "PyTorchVideo hub .pyth: torch.save({'model_state': state_dict}) zip format"}
    return model, spec


def _tsm(name):
    import ops.models as tsm_models
    from ops.models import TSN

    # Upstream bug workaround (harness side, upstream code untouched): the MobileNetV2 branch of
    # TSN._prepare_base_model reads self.print_spec, which __init__ never sets.
    if not hasattr(TSN, "print_spec"):
        TSN.print_spec = False
    arch = "resnet50" if name == "tsm_r50" else "mobilenetv2"
    model = TSN(400, 8, "RGB", base_model=arch, consensus_type="avg", dropout=0.5,
                img_feature_dim=256, partial_bn=True, print_spec=False, pretrain="scratch",
                is_shift=True, shift_div=8, shift_place="blockres", temporal_pool=False, non_local=False)
    pre = {"segments": 8, "scale_size": 256, "crop": 224, "mean": IMAGENET_MEAN, "std": IMAGENET_STD,
           "value_range": "[0,1] (ToTorchFormatTensor divides by 255) before GroupNormalize",
           "sampling": "Kinetics release models: dense sampling, 8 frames with stride 8 from a 64-frame window "
                       "(test: 10 clips); uniform (TSN) sampling, one frame per segment, is the alternative",
           "test_crops": "1 crop: GroupScale(256) + GroupCenterCrop(224); full_res: GroupScale(256)+crop 256",
           "labels": "kinetics400 (TSM tools/gen_label_kinetics.py: sorted class names of the train csv)"}
    spec = {"family": "tsm", "upstream": "temporal-shift-module ops.models.TSN(400, 8, 'RGB', base_model='%s', "
            "consensus_type='avg', dropout=0.5, pretrain='scratch', is_shift=True, shift_div=8, "
            "shift_place='blockres')" % arch,
            "layout": "tchw", "input": {"T": 8, "H": 224, "W": 224}, "num_classes": 400,
            "preprocessing": pre,
            "checkpoint_container": "TSM release: legacy (non-zip) torch.save of {'epoch','arch','state_dict','best_prec1'}; "
                                    "state_dict keys carry DataParallel's 'module.' prefix"}
    return model, spec


def _blvnet(name):
    from core.models.blvnet_tam import bLVNet_TAM

    params = {"depth": 50, "alpha": 2, "beta": 4, "groups": 16, "num_classes": 400, "dropout": 0.5,
              "blending_frames": 3, "input_channels": 3, "pretrained": False, "dataset": "kinetics400",
              "imagenet_blnet_pretrained": False}
    model = bLVNet_TAM(params)
    pre = {"frames": 16, "groups": 16, "frames_per_group": 1, "scale_size": 256, "crop": 224,
           "mean": IMAGENET_MEAN, "std": IMAGENET_STD,
           "value_range": "[0,1] before GroupNormalize",
           "sampling": "uniform: one frame per group (16 groups), centre frame at test (fixed_offset)",
           "scale_note": "test.py: scale_size = int(224/0.875+0.5) = 256 unless --disable_scaleup (then 224)",
           "labels": "kinetics400 (dataset list file order)"}
    spec = {"family": "blvnet", "upstream": "bLVNet-TAM core.models.bLVNet_TAM(%r)" % params,
            "layout": "n_tc_hw", "input": {"T": 16, "H": 224, "W": 224}, "num_classes": 400,
            "preprocessing": pre,
            "checkpoint_container": "bLVNet-TAM release (.pth.tar): torch.save of the bLVNet_TAM module's bare state_dict "
                                    "(keys baseline_model.*, new_fc.*; no 'module.' prefix: bLVNet_TAM.__init__ loads it "
                                    "with load_state_dict before DataParallel wraps the model)"}
    return model, spec


def _c3d():
    from C3D_model import C3D

    model = C3D()
    pre = {"frames": 16, "resize": [112, 200], "crop": "centre 112x112 (columns 44..155)",
           "value_range": "0..255 float, no mean subtraction, RGB (predict.py)",
           "labels": "sports1m 487 classes (c3d-pytorch labels.txt)"}
    spec = {"family": "c3d", "upstream": "c3d-pytorch C3D_model.C3D()", "layout": "ncthw",
            "input": {"T": 16, "H": 112, "W": 112}, "num_classes": 487, "preprocessing": pre,
            "checkpoint_container": "c3d.pickle: legacy (non-zip) torch.save of the bare state_dict",
            "output_note": "forward() returns softmax probabilities; 'logits' are fc8's output captured by a hook"}
    return model, spec


def forward_logits(name, model, inputs):
    """Run the upstream forward; return the [1, C] logits as float32 numpy (C3D: fc8 output)."""
    if name == "c3d":
        got = {}
        h = model.fc8.register_forward_hook(lambda m, i, o: got.__setitem__("fc8", o))
        out = model(*inputs)
        h.remove()
        return got["fc8"].detach().float().numpy(), out.detach().float().numpy()
    out = model(*inputs)
    return out.detach().float().numpy(), None
