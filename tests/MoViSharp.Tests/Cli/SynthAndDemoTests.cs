using System.Text.Json;
using MoViSharp.Data.Synthetic;
using MoViSharp.Families.MoViNets;
using MoViSharp.Models;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Cli;

public class SynthAndDemoTests
{
    [Fact]
    public void SynthWritesTheBenchmarkDeterministically()
    {
        string a = Directory.CreateTempSubdirectory("synth").FullName, b = Directory.CreateTempSubdirectory("synth").FullName;
        foreach (var dir in new[] { a, b })
        {
            var result = CliRunner.Run("synth", "--out", dir, "--per-class", "1", "--seed", "11", "--frames", "4", "--size", "16", "--json");
            Assert.True(result.ExitCode == 0, result.Stderr);
            using var json = JsonDocument.Parse(result.Stdout);
            Assert.Equal(SyntheticActionClasses.Count, json.RootElement.GetProperty("clips").GetInt32());
        }
        Assert.Equal(SyntheticActionClasses.Names, File.ReadAllLines(Path.Combine(a, "labels.txt")));
        string clip = Path.Combine("rotate_cw", "rotate_cw_0000.npy");
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, clip)), File.ReadAllBytes(Path.Combine(b, clip)));
        using var scope = NewDisposeScope();
        Assert.Equal(new long[] { 4, 16, 16, 3 }, NpyFile.Read(Path.Combine(a, clip)).shape);
    }

    [Fact]
    public void DemoStreamsRenderedClipsThroughAStreamModel()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Stream("t0", classes: SyntheticActionClasses.Count,
            customize: c => c with { NativeFrames = 4, NativeSize = 32 });
        string path = Path.Combine(Directory.CreateTempSubdirectory("demo").FullName, "demo.safetensors");
        MoViSharpCheckpoint.Save(path, model, SyntheticActionClasses.Names);
        var result = CliRunner.Run("demo", "--weights", path, "--clips", "2", "--seed", "3", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var clips = json.RootElement.GetProperty("clips").EnumerateArray().ToList();
        Assert.Equal(2, clips.Count);
        Assert.All(clips, c => Assert.Equal(4, c.GetProperty("per_frame_top1").GetArrayLength()));
        Assert.Equal(3, json.RootElement.GetProperty("seed").GetInt64());
    }
}
