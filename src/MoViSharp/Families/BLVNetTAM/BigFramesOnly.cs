using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Families.BLVNetTAM;

/// <summary>Keeps the odd (big-branch) frames, as bLVNet does before layer4: [B, C, T, H, W] → [B, C, T/2, H, W].</summary>
public sealed class BigFramesOnly() : StreamModule(nameof(BigFramesOnly))
{
    public override Tensor Forward(Tensor x, StreamState? state)
    {
        if (state is not null) throw new NotSupportedException(NotStreamableReason);
        BigLittleFrames.CheckEven(x, Path);
        return BigLittleFrames.Big(x);
    }

    public override string NotStreamableReason => $"{(Path.Length == 0 ? "the big-frame selection" : Path)} drops every other frame of the clip; bLVNet-TAM runs on clips only.";

    public override TemporalProfile Temporal => new(2, 1, 2);

    public override VideoShape Trace(VideoShape input, ModelTrace trace) => input with { Frames = input.Frames / 2 };
}
