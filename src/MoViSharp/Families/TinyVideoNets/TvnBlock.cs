using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Families.TinyVideoNets;

/// <summary>
/// One instance of a TVN block (tiny_video_net.py's tiny_block, non-inverted form): spatial op → temporal op → 1×1 expansion
/// (BN, no ReLU) → squeeze-excitation → context gate, plus a 1×1 conv + BN shortcut when the block skips and the frame count
/// stays, then ReLU. Which parts exist depends on the frames reaching it (<see cref="FramesOut"/>), so a TVN is built for its clip.
/// Part names: <c>spatial_reduce</c>/<c>spatial</c> (std, depth) or <c>spatial_pool</c>, <c>temporal</c> (1-D conv) or
/// <c>temporal_pool</c>, <c>expand</c>, <c>se</c>, <c>context_gate</c>, shortcut <c>residual</c>.
/// </summary>
public sealed class TvnBlock : StreamModule
{
    private readonly Sequential body;

    public int OutChannels { get; }
    public int FramesOut { get; }
    public bool HasSkip { get; }

    public TvnBlock(int inChannels, int frames, TvnBlockSpec spec, bool first, bool useTemporal, double eps, double momentum) : base(nameof(TvnBlock))
    {
        int spatialStride = first ? spec.SpatialStride : 1, temporalStride = first ? spec.TemporalStride : 1;
        var parts = new List<(string, StreamModule)>();
        int c = inChannels;
        ConvUnit Conv(int from, int to, (int, int, int) kernel, int stride = 1, int groups = 1, ActivationKind act = ActivationKind.Relu, int temporalStride = 1) =>
            new(from, to, kernel, stride, groups, activation: act, batchNormEpsilon: eps, batchNormMomentum: momentum, temporalStride: temporalStride);
        bool spatialChanges = false;
        if (spec.SpatialKernel != 1)
        {
            int k = spec.SpatialKernel;
            switch (spec.Spatial)
            {
                case TvnSpatialOp.Standard or TvnSpatialOp.Depthwise:
                    parts.Add(("spatial_reduce", Conv(c, spec.Filters, (1, 1, 1))));
                    c = spec.Filters;
                    parts.Add(("spatial", Conv(c, c, (1, k, k), spatialStride, spec.Spatial == TvnSpatialOp.Depthwise ? c : 1)));
                    break;
                default:
                    parts.Add(("spatial_pool", new TfSamePool(spec.Spatial == TvnSpatialOp.MaxPool, (1, k, k), (1, spatialStride, spatialStride))));
                    break;
            }
            spatialChanges = spatialStride > 1;
        }
        FramesOut = frames;
        if (useTemporal && frames > 1 && spec.TemporalKernel != 1)
        {
            int k = spec.TemporalKernel;
            if (spec.Temporal == TvnTemporalOp.Conv1d)
            {
                parts.Add(("temporal", Conv(c, spec.Filters, (k, 1, 1), temporalStride: temporalStride)));
                c = spec.Filters;
            }
            else parts.Add(("temporal_pool", new TfSamePool(spec.Temporal == TvnTemporalOp.MaxPool, (k, 1, 1), (temporalStride, 1, 1))));
            FramesOut = (frames + temporalStride - 1) / temporalStride;
        }
        if (spec.Expand > 0)
        {
            parts.Add(("expand", Conv(c, spec.Expanded, (1, 1, 1), act: ActivationKind.Identity)));
            c = spec.Expanded;
        }
        if (spec.Squeeze > 0)
            parts.Add(("se", new SqueezeExcitation(c, SqueezeExcitationType.ThreeD, ActivationKind.Relu, GateKind.Sigmoid, causal: false,
                positionalEncoding: false, hiddenChannels: Math.Max((int)(c * spec.Squeeze), 8))));
        if (spec.ContextGate) parts.Add(("context_gate", new ContextGate(c)));
        OutChannels = c;
        // TF adds the shortcut only when B·T is unchanged; it is a 1×1 conv + BN even when the widths match.
        HasSkip = spec.Skip && FramesOut == frames;
        body = HasSkip
            ? new Residual("Residual", parts, ("residual", Conv(inChannels, c, (1, 1, 1), spatialChanges ? spatialStride : 1, act: ActivationKind.Identity)))
            : new Sequential("Block", parts);
        register_module("body", body);
    }

    protected override void RegisterComponents() { }

    public override Tensor Forward(Tensor input, StreamState? state) => F.relu(body.Forward(input, state));

    public override TemporalProfile Temporal => body.Temporal;

    public override VideoShape Trace(VideoShape input, ModelTrace trace) => body.Trace(input, trace);
}
