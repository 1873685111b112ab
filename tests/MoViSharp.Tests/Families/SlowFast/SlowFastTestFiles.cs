using MoViSharp.Families.SlowFast;
using MoViSharp.Models;
using MoViSharp.Tests.Families.ClipCnns;

namespace MoViSharp.Tests.Families.SlowFast;

/// <summary>
/// The tiny real PyTorchVideo SlowFast file (<c>create_slowfast(R50 depths, stem (4, 1), reduction 4, head pools (4,1,1)/(16,1,1),
/// 5 classes)</c> at 16×32², saved as <c>{"model_state": …}</c>) and its architecture as a config.
/// </summary>
internal static class SlowFastTestFiles
{
    public static TinyUpstreamFile Tiny => new("pyv_slowfast_tiny");

    public static SlowFastConfig TinyConfig() => SlowFastSpecs.Get("slowfast_r50") with
    {
        Name = "tiny", NumClasses = 5, StemWidth = 4, FastChannelRatio = 4, Frames = 16, CropSize = 32,
    };

    public static string TinyConfigFile()
    {
        string path = InProcessCli.Temp("tiny_slowfast.json");
        File.WriteAllText(path, ModelConfigFile.Write(TinyConfig()));
        return path;
    }
}
