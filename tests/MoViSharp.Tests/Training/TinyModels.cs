using MoViSharp.Families.MoViNets;
using MoViSharp.Models;

namespace MoViSharp.Tests.Training;

/// <summary>A two-stage MoViNet of a few thousand parameters for 32×32 × 8-frame clips: fast enough to train in tests.</summary>
internal static class TinyModels
{
    public static MoViNetConfig Config(bool causal = true, int classes = 4) =>
        MoViNetSpecs.Get("t0", causal ? MoViNetVariant.Stream : MoViNetVariant.Base) with
        {
            Name = "tiny",
            StemChannels = 8,
            Stages = [new StageSpec(8, 2, [new LayerSpec(16, 3, 3)]), new StageSpec(16, 2, [new LayerSpec(32, 3, 3)])],
            HeadChannels = 32,
            HiddenChannels = 32,
            NumClasses = classes,
            DropoutRate = 0,
            StochasticDepthRate = 0,
            NativeFrames = 8,
            NativeSize = 32,
        };

    public static MoViNet Create(bool causal = true, int classes = 4, long seed = 1)
    {
        TorchSharp.torch.manual_seed(seed);
        return new MoViNet(Config(causal, classes));
    }
}
