using MoViSharp.Families.MoViNets;
using MoViSharp.Models;
using MoViSharp.Tests.Cli;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Weights.Layouts;

/// <summary>
/// Checkpoints saved by real PyTorch (torch.save) from an independent reference implementation with the port's module tree
/// (tools/reference), with the logits PyTorch computed. A tiny architecture keeps the files small.
/// </summary>
public class PortFixtureTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "port", name);

    [Theory]
    [InlineData("tiny_base", "tiny_base")]
    [InlineData("tiny_stream", "tiny_stream")]
    [InlineData("tiny_stream", "tiny_stream_nonsquare")]
    public void PredictReproducesPyTorchLogits(string weights, string clip)
    {
        string output = Path.Combine(Directory.CreateTempSubdirectory("port").FullName, "logits.npy");
        var result = CliRunner.Run("predict", "--weights", Fixture($"{weights}_statedict.pt"), "--config", Fixture($"{weights}_spec.json"),
            "--input", Fixture($"{clip}_input.npy"), "--output", output);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var scope = NewDisposeScope();
        var expected = NpyFile.Read(Fixture($"{clip}_logits.npy"));
        var actual = NpyFile.Read(output);
        Assert.Equal(expected.shape, actual.shape);
        double tolerance = 1e-4 + 1e-3 * expected.abs().max().item<float>();
        Assert.True(TestModels.MaxAbsDiff(actual, expected) <= tolerance, $"max difference {TestModels.MaxAbsDiff(actual, expected)}");
    }

    [Fact]
    public void EveryTensorOfTheFileIsUsedAndStreamingMatches()
    {
        using var scope = NewDisposeScope();
        var spec = MoViNetConfigJson.Read(File.ReadAllText(Fixture("tiny_stream_spec.json")));
        var (model, _) = CheckpointLoader.Load(Fixture("tiny_stream_statedict.pt"), new CheckpointHints(Architecture: spec));
        using var file = TorchCheckpointReader.Read(Fixture("tiny_stream_statedict.pt"));
        Assert.Equal(file.Count, model.state_dict().Count);                        // strict: one model tensor per file tensor
        var clip = ClipFrom(Fixture("tiny_stream_input.npy"));
        var expected = NpyFile.Read(Fixture("tiny_stream_logits.npy"));
        using var mode = inference_mode();
        using var state = model.InitialState(1, (int)clip.shape[3], (int)clip.shape[4]);
        var chunked = cat([model.Logits(clip.narrow(2, 0, 4), state), model.Logits(clip.narrow(2, 4, 2), state)], 1).squeeze(0);
        Assert.True(TestModels.MaxAbsDiff(chunked, expected) <= 1e-4);
    }

    private static Tensor ClipFrom(string npy) => MoViSharp.Data.ClipReader.Read(new MoViSharp.Data.ClipSample(npy, 0), 0).ToTensor();
}
