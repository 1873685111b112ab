using System.Text.Json;
using MoViSharp.Tests.Zoo;
using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.ClipCnns;

/// <summary>
/// The upstream references of the clip CNN families (torchvision video ResNets and S3D, C3D): the zoo manifests' state-dict
/// layouts filled with the deterministic weights, their deterministic inputs and logits, and the tolerance.
/// </summary>
internal static class UpstreamReference
{
    public static JsonElement Manifest(string name) => ZooManifestTests.Manifest(name);

    /// <summary>The manifest's state dict (upstream names, shapes, dtypes, in order) with the movisharp-filler/1 values.</summary>
    public static NamedTensors DeterministicStateDict(JsonElement manifest, string prefix = "")
    {
        var tensors = new NamedTensors();
        foreach (var e in manifest.GetProperty("state_dict").EnumerateArray())
        {
            string key = e.GetProperty("key").GetString()!;
            long[] shape = e.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray();
            var dtype = e.GetProperty("dtype").GetString() == "int64" ? ScalarType.Int64 : ScalarType.Float32;
            tensors.Add(prefix + key, DeterministicWeights.Tensor(key, shape, dtype));
        }
        return tensors;
    }

    /// <summary>The deterministic clip as the network input [1, 3, T, H, W] (the manifests' "ncthw" layout).</summary>
    public static Tensor Input(int frames, int height, int width) =>
        DeterministicWeights.InputClipTensor(frames, height, width).permute(3, 0, 1, 2).unsqueeze(0).contiguous();

    public static Tensor Input(JsonElement run) => Input(run.GetProperty("T").GetInt32(), run.GetProperty("H").GetInt32(), run.GetProperty("W").GetInt32());

    public static float[] Logits(JsonElement run) => run.GetProperty("logits").EnumerateArray().Select(v => v.GetSingle()).ToArray();

    /// <summary>The tolerance for reproducing upstream logits: 1e-4 + 1e-3·max|logit|.</summary>
    public static double Tolerance(IReadOnlyCollection<float> expected) => 1e-4 + 1e-3 * expected.Max(MathF.Abs);

    public static double MaxAbsDifference(IReadOnlyList<float> expected, Tensor actual)
    {
        var values = actual.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        Assert.Equal(expected.Count, values.Length);
        return expected.Zip(values).Max(p => Math.Abs(p.First - p.Second));
    }

    /// <summary>Same shape, dtype and every value (bit for bit for floats without NaN).</summary>
    public static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();

    public static string Fixture(params string[] parts) => DeterministicWeightsTests.ZooFixture(parts);
}
