using System.Diagnostics;
using System.Text.Json;
using MoViSharp.Families.MViT;
using MoViSharp.Tests.Zoo;
using MoViSharp.Weights;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.MViT;

/// <summary>
/// Both published MViTs loaded once from their manifests' upstream state dicts (deterministic weights, torchvision names,
/// architecture found by the layout from the shapes alone) and run once on the default 16×224² input — the expensive part,
/// shared by every test of <see cref="MViTUpstreamTests"/>.
/// </summary>
public sealed class MViTFullSizeModels
{
    public sealed record Result(JsonElement Manifest, string LoadedAs, float[] Logits, long Parameters, long MultiplyAdds,
        IReadOnlyList<string> ExportProblems, double ForwardSeconds);

    public IReadOnlyDictionary<string, Result> Results { get; }

    public MViTFullSizeModels() => Results = MViTSpecs.Names.ToDictionary(n => n, Run);

    private static Result Run(string name)
    {
        using var scope = NewDisposeScope();
        var manifest = ZooManifestTests.Manifest(name);
        using var tensors = MViTTestData.ManifestTensors(manifest);
        var layout = new TorchvisionLayout();
        Assert.True(layout.Matches(tensors));
        using var model = layout.Load(tensors, $"{name} manifest", new CheckpointHints());

        var problems = new List<string>();
        using (var exported = layout.Export(model))
        {
            if (!exported.Names.SequenceEqual(tensors.Names)) problems.Add("names or order differ");
            foreach (var key in tensors.Names.Where(exported.ContainsName))
                if (!exported[key].shape.SequenceEqual(tensors[key].shape) || !exported[key].eq(tensors[key]).all().item<bool>())
                    problems.Add(key);
        }

        var input = MViTTestData.ManifestInput(manifest);
        var clock = Stopwatch.StartNew();
        float[] logits;
        using (inference_mode()) logits = model.forward(input).data<float>().ToArray();
        double seconds = clock.Elapsed.TotalSeconds;
        var run = manifest.GetProperty("runs")[0];
        long macs = model.Trace(run.GetProperty("T").GetInt32(), run.GetProperty("H").GetInt32(), run.GetProperty("W").GetInt32()).MultiplyAdds;
        return new Result(manifest, model.Config.Id, logits, model.ParameterCount, macs, problems, seconds);
    }
}
