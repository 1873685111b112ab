using MoViSharp.Families.X3D;
using MoViSharp.Models;
using MoViSharp.Tests.Families.ClipCnns;

namespace MoViSharp.Tests.Families.X3D;

/// <summary>
/// The tiny real PyTorchVideo X3D file (<c>create_x3d(4 frames, crop 64, width 0.5, depth 1.0, head 32, 5 classes)</c>, saved as
/// <c>{"model_state": …}</c>) and its architecture as a config: PyTorchVideo's own rounding of those factors.
/// </summary>
internal static class X3DTestFiles
{
    public static TinyUpstreamFile Tiny => new("pyv_x3d_tiny");

    public static X3DConfig TinyConfig() => X3DSpecs.FromFactors("tiny", 0.5, 1.0, frames: 4, crop: 64, classes: 5, headWidth: 32);

    /// <summary>The tiny architecture as a --config file.</summary>
    public static string TinyConfigFile()
    {
        string path = InProcessCli.Temp("tiny_x3d.json");
        File.WriteAllText(path, ModelConfigFile.Write(TinyConfig()));
        return path;
    }
}
