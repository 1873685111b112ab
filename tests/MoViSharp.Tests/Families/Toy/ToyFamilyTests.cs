using System.Text.Json;
using MoViSharp.Classification;
using MoViSharp.Data.Synthetic;
using MoViSharp.Inference;
using MoViSharp.Models;
using MoViSharp.Tests.Cli;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.Toy;

/// <summary>
/// A family added without touching any file outside its folder gets streaming, the compiled path, checkpoints and the CLI
/// from the shared contracts.
/// </summary>
public class ToyFamilyTests
{
    private static ToyNet Model(string name = "toy-s", long seed = 3) =>
        (ToyNet)TestModels.Randomize(ModelRegistry.Create(name), seed);

    [Fact]
    public void TheRegistryFindsTheFamilyInThisAssembly()
    {
        Assert.Contains(ModelRegistry.AllFamilies, f => f.Name == "toy");
        var entry = ModelRegistry.Entry("toy-m");
        Assert.Equal("toy", entry.Family);
        using var model = ModelRegistry.Create("toy-m", numClasses: 7);
        Assert.Equal(7, model.NumClasses);
        Assert.IsType<ToyNet>(model);
    }

    [Fact]
    public void ItStreamsFrameByFrameAndInSubClipsLikeTheWholeClip()
    {
        using var scope = NewDisposeScope();
        var model = Model();
        Assert.True(model.Streamable);
        Assert.Equal(new MoViSharp.Streaming.TemporalProfile(0, 0, 1), model.Temporal);      // causal, cumulative head: unbounded
        var clip = TestModels.Clip(7, 32);
        using var mode = inference_mode();
        var whole = model.Logits(clip);                                             // [1, 7, 5]
        using var state = model.InitialState(1, 32, 32);
        var steps = stack(Enumerable.Range(0, 7).Select(t => model.StepLogits(clip.select(2, t), state)).ToList(), 1);
        Assert.True(TestModels.MaxAbsDiff(whole, steps) <= 1e-4);
        using var chunked = model.InitialState(1, 32, 32);
        var pieces = cat([model.Logits(clip.narrow(2, 0, 3), chunked), model.Logits(clip.narrow(2, 3, 4), chunked)], 1);
        Assert.True(TestModels.MaxAbsDiff(whole, pieces) <= 1e-4);
        Assert.Contains(state.Names, n => n == "blocks.block0.temporal.buffer");
    }

    [Fact]
    public void ItCompilesAndTheCompiledPathGivesThePlainLogits()
    {
        var model = Model("toy-m");
        Inference.CompiledModelTests.AssertCompiledMatchesPlain(model, 6, 32, batch: 2, allCompileOptions: false);
        using var compiled = ModelCompiler.Compile(model);
        var described = compiled.Describe(32, 32);
        // The shared rules fuse what they know; the gate (a BroadcastReduce) runs in its plain form, unfused but correct.
        Assert.Contains(described, d => d.StartsWith("Residual", StringComparison.Ordinal));
        Assert.Contains(described, d => d.StartsWith("RingTemporalConv", StringComparison.Ordinal));
        Assert.Contains(described, d => d == "Plain BroadcastReduce (blocks.block0.gated)");
    }

    [Fact]
    public void ItSavesAndLoadsAsASelfDescribingCheckpoint()
    {
        using var scope = NewDisposeScope();
        var model = Model();
        string path = Path.Combine(Directory.CreateTempSubdirectory("toy").FullName, "toy.safetensors");
        MoViSharpCheckpoint.Save(path, model, ["a", "b", "c", "d", "e"]);
        using (var file = SafeTensorsFile.Read(path)) Assert.Equal("toy", file.Metadata["family"]);
        using var loaded = CheckpointLoader.Load(path);
        Assert.IsType<ToyNet>(loaded.Model);
        Assert.Equal(model.Config, loaded.Model.Config);
        Assert.Equal(["a", "b", "c", "d", "e"], loaded.Labels);
        var clip = TestModels.Clip(3, 32);
        using var mode = inference_mode();
        Assert.True(TestModels.MaxAbsDiff(model.Logits(clip), loaded.Model.Logits(clip)) <= 1e-6);
        var wrong = Assert.Throws<ArgumentException>(() => CheckpointLoader.Load(path, new CheckpointHints("a0")));
        Assert.Contains("holds a toy model (toy-s), not 'a0' (movinet)", wrong.Message);
    }

    [Fact]
    public void TheCliClassifiesPredictsAndDescribesIt()
    {
        using var scope = NewDisposeScope();
        var model = Model();
        string dir = Directory.CreateTempSubdirectory("toy-cli").FullName;
        string weights = Path.Combine(dir, "toy.safetensors"), video = Path.Combine(dir, "clip.mp4"), npy = Path.Combine(dir, "clip.npy");
        MoViSharpCheckpoint.Save(weights, model, ["a", "b", "c", "d", "e"]);
        var clip = SyntheticClipRenderer.Render(0, 1, 0, 12, 32);
        FfmpegClipEncoder.Write(video, clip);

        var classify = CliRunner.Run("classify", video, "--weights", weights, "--json");
        Assert.True(classify.ExitCode == 0, classify.Stderr);
        using (var json = JsonDocument.Parse(classify.Stdout))
        {
            Assert.Equal(12, json.RootElement.GetProperty("frames").GetInt32());
            Assert.Equal(5, json.RootElement.GetProperty("final_top").GetArrayLength());
            Assert.Contains(json.RootElement.GetProperty("final_top")[0].GetProperty("label").GetString(), new[] { "a", "b", "c", "d", "e" });
        }
        var plain = CliRunner.Run("classify", video, "--weights", weights, "--json", "--plain");
        Assert.True(plain.ExitCode == 0, plain.Stderr);
        using (var a = JsonDocument.Parse(classify.Stdout))
        using (var b = JsonDocument.Parse(plain.Stdout))
            Assert.Equal(a.RootElement.GetProperty("per_frame_top1").ToString(), b.RootElement.GetProperty("per_frame_top1").ToString());

        NpyFile.Write(npy, tensor(clip.Data, [12, 32, 32, 3]));
        var predict = CliRunner.Run("predict", npy, "--weights", weights, "--output", Path.Combine(dir, "logits.npy"));
        Assert.True(predict.ExitCode == 0, predict.Stderr);
        using var logits = NpyFile.Read(Path.Combine(dir, "logits.npy"));
        Assert.Equal(new long[] { 12, 5 }, logits.shape);

        var info = CliRunner.Run("info", "toy-s", "--json");
        Assert.True(info.ExitCode == 0, info.Stderr);
        using var infoJson = JsonDocument.Parse(info.Stdout);
        Assert.Equal("toy", infoJson.RootElement.GetProperty("family").GetString());
        Assert.Equal(model.ParameterCount, infoJson.RootElement.GetProperty("params").GetInt64());
        Assert.True(infoJson.RootElement.GetProperty("streamable").GetBoolean());
    }

    [Fact]
    public void AStreamOfTheToyFamilyJoinsAMultiStreamRunnerCompiled()
    {
        using var scope = NewDisposeScope();
        var model = Model();
        using var compiled = ModelCompiler.Compile(model);
        using var runner = new MultiStreamRunner(compiled, 32, 32);
        var clip = TestModels.Clip(4, 32);
        using var mode = inference_mode();
        var reference = model.Logits(Normalization.Apply(clip, model.Config.Preprocessing));
        int id = runner.Join();
        for (int t = 0; t < 4; t++)
        {
            var logits = runner.Step(new Dictionary<int, Tensor> { [id] = clip.select(2, t).squeeze(0) })[id];
            var expected = reference[0, t].data<float>().ToArray();
            Assert.True(logits.Zip(expected).Max(p => Math.Abs(p.First - p.Second)) <= 1e-4, $"frame {t}");
        }
    }
}
