using System.Text.Json;

namespace MoViSharp.Tests.Zoo;

/// <summary>Sanity of the committed zoo reference manifests (Fixtures/zoo/NAME/manifest.json, tools/zoo/).</summary>
public class ZooManifestTests
{
    public static readonly string[] Names =
    [
        "r3d_18", "mc3_18", "r2plus1d_18", "s3d", "mvit_v1_b", "mvit_v2_s",
        "x3d_xs", "x3d_s", "x3d_m", "x3d_l", "slowfast_r50", "slow_r50",
        "tsm_r50", "tsm_mobilenetv2", "blvnet_tam_r50", "c3d",
    ];

    public static TheoryData<string> All() => new(Names);

    internal static JsonElement Manifest(string name) =>
        JsonDocument.Parse(File.ReadAllText(DeterministicWeightsTests.ZooFixture(name, "manifest.json"))).RootElement;

    [Theory]
    [MemberData(nameof(All))]
    public void ManifestIsCompleteAndUsesThisFiller(string name)
    {
        var m = Manifest(name);
        Assert.Equal(name, m.GetProperty("name").GetString());
        Assert.Equal(DeterministicWeights.Version, m.GetProperty("filler").GetString());
        int classes = m.GetProperty("num_classes").GetInt32();
        Assert.Equal(name == "c3d" ? 487 : 400, classes);
        long elements = 0;
        foreach (var e in m.GetProperty("state_dict").EnumerateArray())
        {
            long n = 1;
            foreach (var s in e.GetProperty("shape").EnumerateArray()) n *= s.GetInt64();
            elements += n;
        }
        Assert.Equal(m.GetProperty("state_dict_elements").GetInt64(), elements);
        foreach (var run in m.GetProperty("runs").EnumerateArray())
        {
            var logits = run.GetProperty("logits").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            Assert.Equal(classes, logits.Length);
            Assert.All(logits, v => Assert.True(float.IsFinite(v)));
            Assert.Equal(run.GetProperty("logits_max_abs").GetDouble(), logits.Max(MathF.Abs), 5);
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void CSharpInputClipSumsLikeThePythonOne(string name)
    {
        foreach (var run in Manifest(name).GetProperty("runs").EnumerateArray())
        {
            var clip = DeterministicWeights.InputClip(run.GetProperty("T").GetInt32(), run.GetProperty("H").GetInt32(), run.GetProperty("W").GetInt32());
            double sum = 0;
            foreach (float v in clip) sum += v;
            double expected = run.GetProperty("input_sum_float64").GetDouble();
            Assert.True(Math.Abs(sum - expected) <= 1e-9 * Math.Abs(expected), $"{name}: {sum} vs {expected}");
        }
    }
}
