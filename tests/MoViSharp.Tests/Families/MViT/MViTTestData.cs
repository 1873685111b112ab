using System.Text.Json;
using System.Text.Json.Nodes;
using MoViSharp.Tests.Zoo;
using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.MViT;

/// <summary>The MViT reference data: the zoo manifests (deterministic weights and input) and the tiny torchvision-saved MViT-v2.</summary>
internal static class MViTTestData
{
    public const string TinyFixture = "tv_mvit_v2_tiny";

    public static string Tiny(string file) => DeterministicWeightsTests.ZooFixture("checkpoints", TinyFixture, file);

    public static JsonElement TinyFixtureConfig() => JsonDocument.Parse(File.ReadAllText(Tiny("config.json"))).RootElement;

    public static string TinyCheckpoint() => Tiny(TinyFixtureConfig().GetProperty("checkpoint").GetString()!);

    /// <summary>
    /// Our JSON for the tiny model: its block_setting copied from the fixture's config.json, clip size from its input, the v2
    /// switches the fixture's constructor call names (checked against that call's text).
    /// </summary>
    public static string TinyConfigJson()
    {
        var fixture = TinyFixtureConfig();
        string call = fixture.GetProperty("upstream").GetString()!;
        foreach (var flag in new[] { "'residual_pool': True", "'residual_with_cls_embed': False", "'rel_pos_embed': True", "'proj_after_attn': True", "'num_classes': 5" })
            Assert.Contains(flag, call);
        var input = fixture.GetProperty("input");
        Assert.Contains($"'spatial_size': ({input.GetProperty("H").GetInt32()}, {input.GetProperty("W").GetInt32()})", call);
        Assert.Contains($"'temporal_size': {input.GetProperty("T").GetInt32()}", call);
        return new JsonObject
        {
            ["family"] = "mvit", ["name"] = "tiny", ["classes"] = 5,
            ["spatial_size"] = new JsonArray(input.GetProperty("H").GetInt32(), input.GetProperty("W").GetInt32()),
            ["temporal_size"] = input.GetProperty("T").GetInt32(),
            ["residual_pool"] = true, ["residual_with_cls_embed"] = false, ["rel_pos_embed"] = true, ["proj_after_attn"] = true,
            ["block_setting"] = JsonNode.Parse(fixture.GetProperty("block_setting").GetRawText()),
        }.ToJsonString();
    }

    /// <summary>The tiny model's input [1, 3, T, H, W] and upstream logits [1, 5].</summary>
    public static (Tensor Input, Tensor Logits) TinyInputAndLogits()
    {
        var input = NpyFile.Read(Tiny("input.npy"));                  // [T, H, W, 3]
        return (input.permute(3, 0, 1, 2).unsqueeze(0).contiguous(), NpyFile.Read(Tiny("logits.npy")));
    }

    /// <summary>The manifest's upstream state dict filled with the deterministic weights, under torchvision's names.</summary>
    public static NamedTensors ManifestTensors(JsonElement manifest)
    {
        var tensors = new NamedTensors();
        foreach (var e in manifest.GetProperty("state_dict").EnumerateArray())
        {
            long[] shape = e.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray();
            var dtype = e.GetProperty("dtype").GetString() == "int64" ? ScalarType.Int64 : ScalarType.Float32;
            string key = e.GetProperty("key").GetString()!;
            tensors.Add(key, DeterministicWeights.Tensor(key, shape, dtype));
        }
        return tensors;
    }

    /// <summary>The manifest's default input [1, 3, T, H, W] (the canonical clip [T, H, W, 3], channels moved first).</summary>
    public static Tensor ManifestInput(JsonElement manifest)
    {
        var run = manifest.GetProperty("runs")[0];
        int t = run.GetProperty("T").GetInt32(), h = run.GetProperty("H").GetInt32(), w = run.GetProperty("W").GetInt32();
        return DeterministicWeights.InputClipTensor(t, h, w).permute(3, 0, 1, 2).unsqueeze(0).contiguous();
    }

    public static float[] ManifestLogits(JsonElement manifest) =>
        manifest.GetProperty("runs")[0].GetProperty("logits").EnumerateArray().Select(v => v.GetSingle()).ToArray();

    /// <summary>The issue's tolerance: 1e-4 + 1e-3·max|logit|.</summary>
    public static double Tolerance(IEnumerable<float> reference) => 1e-4 + 1e-3 * reference.Max(MathF.Abs);
}
