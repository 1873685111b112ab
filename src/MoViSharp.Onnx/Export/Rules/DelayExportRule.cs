using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;

namespace MoViSharp.Onnx.Export.Rules;

/// <summary><see cref="Delay"/>: the identity in a clip; in a stream the oldest of its d buffered frames (a ring or a state like any buffer).</summary>
public sealed class DelayExportRule : IOnnxExportRule
{
    public OnnxActivation? TryExport(StreamModule module, OnnxActivation input, OnnxExportContext context)
    {
        if (module is not Delay delay) return null;
        if (context.IsClip || delay.Frames == 0) return input;
        var frames = context.Buffer(delay.Path, delay.Frames, input, OnnxExportContext.Hint(delay));
        return input with { Value = frames.Frame(0) };
    }
}
