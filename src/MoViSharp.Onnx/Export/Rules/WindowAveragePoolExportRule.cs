using MoViSharp.Layers;
using MoViSharp.Onnx.Graph;
using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary>
/// <see cref="WindowAveragePool"/> (the continual head pool of CoX3D/CoSlow), zero fill: in a stream, the frame's spatial mean joins
/// a buffer of the w−1 previous means (state like any buffer) and the output is their mean over the w frames; in a clip, the
/// per-frame means padded with w−1 zero frames in front and averaged over a window of w (padding counted, as the buffer's zeros are).
/// </summary>
public sealed class WindowAveragePoolExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not WindowAveragePool pool) return null;
        if (pool.Buffer.Fill != TemporalFill.Zeros)
            throw new OnnxExportException(pool, $"only the zero fill is exported, not {pool.Buffer.Fill}");
        var g = context.Graph;
        string hint = OnnxExportContext.Hint(pool);
        var shape = input.Shape with { Height = 1, Width = 1 };
        int w = pool.Window;
        if (context.IsClip)
        {
            var means = PoolingExportRule.SpatialMean(g, input.Value, clip: true, $"{hint}.spatial_mean");    // [B, C, T, 1, 1]
            if (w == 1) return new OnnxActivation(means, shape);
            var y = g.Node("AveragePool", [means], hint, attributes:
            [
                OnnxAttributes.Ints("kernel_shape", w, 1, 1), OnnxAttributes.Ints("strides", 1, 1, 1),
                OnnxAttributes.Ints("pads", w - 1, 0, 0, 0, 0, 0), OnnxAttributes.Int("count_include_pad", 1),
            ]);
            return new OnnxActivation(y, shape);
        }
        var mean = PoolingExportRule.SpatialMean(g, input.Value, clip: false, $"{hint}.spatial_mean");         // [B, C, 1, 1]
        if (w == 1) return new OnnxActivation(mean, shape);
        var frames = context.Buffer(pool.Buffer.Path, w - 1, new OnnxActivation(mean, shape), hint);
        var average = g.Node("ReduceMean", [frames.Stacked()], hint, attributes: [OnnxAttributes.Ints("axes", 2), OnnxAttributes.Int("keepdims", 0)]);
        return new OnnxActivation(average, shape);
    }
}
