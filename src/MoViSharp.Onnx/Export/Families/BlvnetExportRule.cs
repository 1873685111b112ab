using MoViSharp.Families.BLVNetTAM;
using MoViSharp.Layers;
using MoViSharp.Onnx.Export.Rules;
using MoViSharp.Onnx.Graph;
using MoViSharp.Profiling;
using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export.Families;

/// <summary>
/// bLVNet-TAM's own modules (clip graphs only; bLVNet pairs and drops frames across the clip). The frame bookkeeping is Slice with
/// step 2 (big = odd frames, little = even) and, for "write the merged frame to both slots", Unsqueeze → Expand → Reshape;
/// <see cref="TemporalAggregation"/> is the depthwise 3×1×1 conv [prev, curr, next] it equals, padded one zero frame each side,
/// then ReLU; the bL module's nearest upsampling of the big branch is two Gathers with PyTorch's source indices ⌊i·in/out⌋; the
/// convolutions, pools and shortcuts are the shared rules'.
/// </summary>
public sealed class BlvnetExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not (TemporalAggregation or BlBottleneck or BigLittleStem or BigLittleModule or BigFramesOnly)) return null;
        if (!context.IsClip) throw new OnnxExportException(module, module.NotStreamableReason ?? "bLVNet-TAM runs on clips only");
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(module);
        switch (module)
        {
            case TemporalAggregation tam:
                return Tam(tam, input, context);
            case BigFramesOnly:
                return EveryOther(g, input, 1, hint);
            case BlBottleneck block:
            {
                var x = block.Tam is { } tam ? Tam(tam, input, context) : input;
                var y = context.ExportSequence([block.Conv1, block.Conv2, block.Conv3], x);
                var downsample = block.StreamChildren.FirstOrDefault(c => c.Name == "downsample").Module;
                var shortcut = downsample is null ? input : context.Export(downsample, x);
                var sum = g.Node("Add", [y.Value, shortcut.Value], $"{hint}.sum");
                return y with { Value = block.LastRelu ? context.Activate(sum, ActivationKind.Relu, hint) : sum };
            }
            case BigLittleStem stem:
            {
                RequireEven(stem, input);
                var x = Tam(stem.Tam, input, context);
                var big = context.Export(stem.BigConv, EveryOther(g, x, 1, $"{hint}.big_frames"));
                var little = context.ExportSequence([stem.LittleConv0, stem.LittleConv1, stem.LittleConv2], EveryOther(g, x, 0, $"{hint}.little_frames"));
                var merged = big with { Value = context.Activate(g.Node("Add", [big.Value, little.Value], $"{hint}.merge"), ActivationKind.Relu, $"{hint}.merge") };
                return BothSlots(g, context.Export(stem.Init, merged), hint);
            }
            case BigLittleModule bl:
            {
                RequireEven(bl, input);
                var parts = bl.StreamChildren.ToDictionary(c => c.Name, c => c.Module);
                var x = Tam(bl.Tam, input, context);
                var big = context.Export(parts["big"], EveryOther(g, x, 1, $"{hint}.big_frames"));
                var little = context.Export(bl.LittleExpand, context.Export(parts["little"], EveryOther(g, x, 0, $"{hint}.little_frames")));
                var upsampled = Nearest(g, big.Value, big.Shape, little.Shape, hint);
                var merged = little with { Value = context.Activate(g.Node("Add", [upsampled, little.Value], $"{hint}.merge"), ActivationKind.Relu, $"{hint}.merge") };
                return BothSlots(g, context.Export(bl.Fusion, merged), hint);
            }
            default:
                return null;
        }
    }

    private static void RequireEven(StreamModule module, OnnxActivation input)
    {
        if (input.Shape.Frames % 2 != 0)
            throw new OnnxExportException(module, $"bLVNet pairs frames, so it needs an even number of frames, got {input.Shape.Frames}");
    }

    private static OnnxActivation Tam(TemporalAggregation tam, OnnxActivation input, OnnxExportContext context)
    {
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(tam);
        int c = tam.Channels;
        float[] prev = TensorValues.Floats(tam.Prev.Weight), curr = TensorValues.Floats(tam.Curr.Weight), next = TensorValues.Floats(tam.Next.Weight);
        var weight = new float[3 * c];
        for (int ch = 0; ch < c; ch++) (weight[3 * ch], weight[3 * ch + 1], weight[3 * ch + 2]) = (prev[ch], curr[ch], next[ch]);
        var y = ConvUnitExportRule.Conv(g, input.Value, weight, [c, 1, 3, 1, 1], new float[c], hint, [3, 1, 1], [1, 1, 1], [1, 0, 0, 1, 0, 0], c);
        return input with { Value = context.Activate(y, ActivationKind.Relu, hint) };
    }

    /// <summary>Frames start, start+2, … (big: start 1, little: start 0).</summary>
    private static OnnxActivation EveryOther(OnnxGraph g, OnnxActivation x, long start, string hint) =>
        new(g.Node("Slice", [x.Value, g.Int64s(start), g.Int64s(x.Shape.Frames), g.Int64s(2), g.Int64s(2)], hint),
            x.Shape with { Frames = (x.Shape.Frames - start + 1) / 2 });

    /// <summary>[B, C, T/2, H, W] → [B, C, T, H, W], each frame repeated in place (repeat_interleave 2 on time).</summary>
    private static OnnxActivation BothSlots(OnnxGraph g, OnnxActivation x, string hint)
    {
        var s = x.Shape;
        var pairs = g.Node("Expand", [g.Node("Unsqueeze", [x.Value, g.Int64s(3)], $"{hint}.pair_axis"), g.Int64s(1, 1, 1, 2, 1, 1)], $"{hint}.pairs");
        return new OnnxActivation(g.Node("Reshape", [pairs, g.Int64s(0, s.Channels, 2 * s.Frames, s.Height, s.Width)], hint), s with { Frames = 2 * s.Frames });
    }

    /// <summary>PyTorch's nearest resize to <paramref name="to"/>'s H, W: output i reads input ⌊i·in/out⌋ (the scale in float, as PyTorch).</summary>
    private static OnnxValue Nearest(OnnxGraph g, OnnxValue x, VideoShape from, VideoShape to, string hint)
    {
        static long[] Sources(long input, long output)
        {
            float scale = (float)input / output;
            return Enumerable.Range(0, (int)output).Select(i => Math.Min((long)MathF.Floor(i * scale), input - 1)).ToArray();
        }
        if (from.Height != to.Height)
            x = g.Node("Gather", [x, g.Int64s(Sources(from.Height, to.Height))], $"{hint}.up_h", attributes: [OnnxAttributes.Int("axis", 3)]);
        if (from.Width != to.Width)
            x = g.Node("Gather", [x, g.Int64s(Sources(from.Width, to.Width))], $"{hint}.up_w", attributes: [OnnxAttributes.Int("axis", 4)]);
        return x;
    }
}
