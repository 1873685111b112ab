using MoViSharp.Layers;
using MoViSharp.Onnx.Graph;
using MoViSharp.Profiling;
using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary>
/// <see cref="TemporalShift"/> (TSM), fold = C / divisor. In a clip: channel slices shifted along time by Slice and a one-frame
/// zero Pad. In a stream the buffer is state like any other: online, one past frame of the fold channels, which replace the
/// current frame's; offline (delay 1), two full past frames z₋₂, z₋₁, and the output (centred on z₋₁) takes channels [0, fold)
/// from the current frame, [fold, 2·fold) from z₋₂ and the rest from z₋₁.
/// </summary>
public sealed class TemporalShiftExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not TemporalShift shift) return null;
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(shift);
        long c = input.Shape.Channels, fold = shift.Fold(c);
        if (fold == 0) return input;
        if (context.IsClip)
        {
            long t = input.Shape.Frames;
            if (t < 2) throw new OnnxExportException(shift, "a clip graph needs at least 2 frames to shift");
            var x = input.Value;
            OnnxValue[] parts = shift.Mode == TemporalShiftMode.Online
                ? [PadTime(g, Slice(g, x, 0, fold, 0, t - 1, $"{hint}.past"), before: true, $"{hint}.past_pad"),
                   Slice(g, x, fold, c, 0, t, $"{hint}.rest")]
                : [PadTime(g, Slice(g, x, 0, fold, 1, t, $"{hint}.future"), before: false, $"{hint}.future_pad"),
                   PadTime(g, Slice(g, x, fold, 2 * fold, 0, t - 1, $"{hint}.past"), before: true, $"{hint}.past_pad"),
                   Slice(g, x, 2 * fold, c, 0, t, $"{hint}.rest")];
            return input with { Value = g.Node("Concat", parts, hint, attributes: [OnnxAttributes.Int("axis", 1)]) };
        }
        var frame = input.Value;                                                                   // [B, C, H, W]
        if (shift.Mode == TemporalShiftMode.Online)
        {
            var moving = Channels(g, frame, 0, fold, $"{hint}.fold");
            var cache = context.Buffer(shift.Buffer.Path, 1, new OnnxActivation(moving, input.Shape with { Channels = fold }), hint);
            return input with { Value = g.Node("Concat", [cache.Frame(0), Channels(g, frame, fold, c, $"{hint}.rest")], hint,
                attributes: [OnnxAttributes.Int("axis", 1)]) };
        }
        var z = context.Buffer(shift.Buffer.Path, 2, input, hint);
        return input with { Value = g.Node("Concat",
            [Channels(g, z.Frame(2), 0, fold, $"{hint}.future"), Channels(g, z.Frame(0), fold, 2 * fold, $"{hint}.past"),
             Channels(g, z.Frame(1), 2 * fold, c, $"{hint}.rest")], hint, attributes: [OnnxAttributes.Int("axis", 1)]) };
    }

    private static OnnxValue Channels(OnnxGraph g, OnnxValue x, long from, long to, string hint) =>
        g.Node("Slice", [x, g.Int64s(from), g.Int64s(to), g.Int64s(1)], hint);

    private static OnnxValue Slice(OnnxGraph g, OnnxValue x, long c0, long c1, long t0, long t1, string hint) =>
        g.Node("Slice", [x, g.Int64s(c0, t0), g.Int64s(c1, t1), g.Int64s(1, 2)], hint);

    /// <summary>One zero frame before (or after) the clip on axis 2.</summary>
    private static OnnxValue PadTime(OnnxGraph g, OnnxValue x, bool before, string hint) =>
        g.Node("Pad", [x, before ? g.Int64s(0, 0, 1, 0, 0, 0, 0, 0, 0, 0) : g.Int64s(0, 0, 0, 0, 0, 0, 0, 1, 0, 0)], hint);
}
