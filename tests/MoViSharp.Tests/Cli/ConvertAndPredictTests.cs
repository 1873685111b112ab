using MoViSharp.Families.MoViNets;
using MoViSharp.Models;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Cli;

public class ConvertAndPredictTests
{
    private static string Temp(string name) => Path.Combine(Directory.CreateTempSubdirectory("cli").FullName, name);

    [Fact]
    public void ConvertToMoViSharpAndBackToThePortLayoutIsBitIdentical()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Randomize(new MoViNet(PortLayout.Config(MoViNetSpecs.Get("a0", MoViNetVariant.Stream) with { NumClasses = 5 })));
        string port = Temp("port.safetensors"), ours = Temp("ours.safetensors"), back = Temp("back.safetensors"), labels = Temp("labels.txt");
        using (var exported = new PortLayout().Export(model)) SafeTensorsFile.Write(port, exported);
        File.WriteAllLines(labels, ["a", "b", "c", "d", "e"]);

        var toOurs = CliRunner.Run("convert", "--from", port, "--to", ours, "--model", "a0", "--variant", "stream", "--labels", labels);
        Assert.True(toOurs.ExitCode == 0, toOurs.Stderr);
        var toPort = CliRunner.Run("convert", "--from", ours, "--to", back, "--layout", "port");
        Assert.True(toPort.ExitCode == 0, toPort.Stderr);

        using var original = SafeTensorsFile.Read(port);
        using var roundTrip = SafeTensorsFile.Read(back);
        Assert.Equal(original.Names.Order(), roundTrip.Names.Order());
        foreach (var name in original.Names)
        {
            Assert.Equal(original[name].shape, roundTrip[name].shape);
            Assert.True(original[name].eq(roundTrip[name]).all().item<bool>(), name);
        }
        var (loaded, names) = MoViSharpCheckpoint.Load(ours);
        Assert.Equal(["a", "b", "c", "d", "e"], names);
        loaded.Dispose();
    }

    [Fact]
    public void PredictWritesPerFrameLogitsForStreamAndClipLogitsForBase()
    {
        using var scope = NewDisposeScope();
        var stream = TestModels.Stream("t0", classes: 4);
        var baseModel = TestModels.Randomize(MoViNet.Create("t0", MoViNetVariant.Base, 4));
        string streamPath = Temp("s.safetensors"), basePath = Temp("b.safetensors"), clipPath = Temp("clip.npy");
        MoViSharpCheckpoint.Save(streamPath, stream);
        MoViSharpCheckpoint.Save(basePath, baseModel);
        var clip = TestModels.Clip(5, 40);
        NpyFile.Write(clipPath, clip.squeeze(0).permute(1, 2, 3, 0).contiguous());        // [T, H, W, 3]

        string streamOut = Temp("s.npy"), baseOut = Temp("b.npy");
        var s = CliRunner.Run("predict", "--weights", streamPath, "--input", clipPath, "--output", streamOut);
        Assert.True(s.ExitCode == 0, s.Stderr);
        var b = CliRunner.Run("predict", "--weights", basePath, "--input", clipPath, "--output", baseOut);
        Assert.True(b.ExitCode == 0, b.Stderr);

        using var mode = inference_mode();
        var streamLogits = NpyFile.Read(streamOut);
        Assert.Equal(new long[] { 5, 4 }, streamLogits.shape);
        Assert.True(TestModels.MaxAbsDiff(streamLogits, stream.Logits(clip).squeeze(0)) <= 1e-4);
        var baseLogits = NpyFile.Read(baseOut);
        Assert.Equal(new long[] { 1, 4 }, baseLogits.shape);
        Assert.True(TestModels.MaxAbsDiff(baseLogits, baseModel.forward(clip)) <= 1e-4);
    }

    [Fact]
    public void BadInputsFailClearlyAndWriteNothing()
    {
        string output = Temp("out.npy");
        var missing = CliRunner.Run("predict", "--weights", "/nonexistent/w.pt", "--input", "x.npy", "--output", output);
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("error: Weights file '/nonexistent/w.pt' not found.", missing.Stderr.Trim());

        string junk = Temp("junk.bin");
        File.WriteAllText(junk, "not a model at all");
        var notModel = CliRunner.Run("predict", "--weights", junk, "--input", "x.npy", "--output", output);
        Assert.Equal(1, notModel.ExitCode);
        Assert.Contains("is not a weights file MoViSharp reads", notModel.Stderr);
        Assert.False(File.Exists(output));
    }
}
