using MoViSharp.Families.C3D;
using MoViSharp.Tests.Families.ClipCnns;
using MoViSharp.Tests.Zoo;
using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.C3D;

/// <summary>
/// The tiny real C3D file (the conversion's C3D class at tiny widths, 16×32², legacy torch.save like c3d.pickle). Its tensors are
/// the deterministic filler by key, so until the legacy reader lands they can be rebuilt in memory from its key list.
/// </summary>
internal static class C3DTestFiles
{

    public static TinyUpstreamFile Tiny => new("c3d_tiny");

    /// <summary>The tiny file's state dict, rebuilt from its config.json (names, shapes, order) and the deterministic filler.</summary>
    public static NamedTensors TinyStateDict()
    {
        var tensors = new NamedTensors();
        foreach (var e in Tiny.Config.GetProperty("state_dict").EnumerateArray())
        {
            string key = e.GetProperty("key").GetString()!;
            tensors.Add(key, DeterministicWeights.Tensor(key, e.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray()));
        }
        return tensors;
    }

    public static C3DConfig TinyConfig()
    {
        var a = Tiny.Architecture;
        return new C3DConfig
        {
            Name = "tiny", NumClasses = a.GetProperty("classes").GetInt32(),
            Stages = a.GetProperty("convs").EnumerateArray().Select(s => (IReadOnlyList<int>)s.EnumerateArray().Select(e => e.GetInt32()).ToList()).ToList(),
            FullyConnected = a.GetProperty("fc").EnumerateArray().Select(e => e.GetInt32()).ToList(),
            NativeFrames = Tiny.InputSize.Frames, NativeSize = Tiny.InputSize.Height,
        };
    }

    public static Tensor TinyInput()
    {
        var (t, h, w) = Tiny.InputSize;
        return UpstreamReference.Input(t, h, w);
    }
}
