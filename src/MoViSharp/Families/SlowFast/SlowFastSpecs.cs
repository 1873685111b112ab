namespace MoViSharp.Families.SlowFast;

/// <summary>
/// PyTorchVideo's hub <c>slow_r50</c> (8×8: 8 frames, stride 8, stem 1×7×7, head pool 8×7×7) and <c>slowfast_r50</c> (8×8:
/// fast 32 frames at stride 2, α = 4, β = 1/8, fusion kernel 7, head pools 8×7×7 and 32×7×7), both ResNet-50 [3, 4, 6, 3] at 224².
/// </summary>
public static class SlowFastSpecs
{
    public static readonly IReadOnlyList<string> Names = ["slow_r50", "slowfast_r50"];

    public static SlowFastConfig Get(string name) => name switch
    {
        "slow_r50" => new SlowFastConfig { Name = name, NumClasses = 400, Frames = 8, SamplingRate = 8 },
        "slowfast_r50" => new SlowFastConfig { Name = name, NumClasses = 400, FastChannelRatio = 8, Alpha = 4, FusionKernel = 7, Frames = 32, SamplingRate = 2 },
        _ => throw new ArgumentException($"Unknown Slow/SlowFast model '{name}' (known: {string.Join(", ", Names)})."),
    };
}
