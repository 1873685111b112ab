using MoViSharp.Families.S3D;
using MoViSharp.Models;
using MoViSharp.Tests.Families.ClipCnns;

namespace MoViSharp.Tests.Families.S3D;

/// <summary>The tiny real S3D file (torchvision's own S3D blocks at tiny widths, head pool 1×1×1) and its architecture as a config.</summary>
internal static class S3DTestFiles
{
    public static TinyUpstreamFile Tiny => new("tv_s3d_tiny");

    public static S3DConfig TinyConfig()
    {
        var a = Tiny.Architecture;
        int[] Ints(string key) => a.GetProperty(key).EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var pool = Ints("head_pool");
        return new S3DConfig
        {
            Name = "tiny", NumClasses = a.GetProperty("classes").GetInt32(),
            StemChannels = a.GetProperty("stem").GetInt32(), ReduceChannels = a.GetProperty("reduce").GetInt32(), ConvChannels = a.GetProperty("conv").GetInt32(),
            Inception = a.GetProperty("inception").EnumerateArray().Select(s => s.EnumerateArray().Select(e => e.GetInt32()).ToArray())
                .Select(s => new InceptionSpec(s[0], s[1], s[2], s[3], s[4], s[5])).ToList(),
            StageBlocks = Ints("stages"), HeadPool = (pool[0], pool[1], pool[2]),
        };
    }

    /// <summary>The tiny architecture as a --config file.</summary>
    public static string TinyConfigFile()
    {
        string path = InProcessCli.Temp("tiny_s3d.json");
        File.WriteAllText(path, ModelConfigFile.Write(TinyConfig()));
        return path;
    }
}
