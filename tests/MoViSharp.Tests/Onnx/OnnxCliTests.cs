using System.Text.Json;
using MoViSharp.Models;
using MoViSharp.Tests.Cli;
using MoViSharp.Tests.Weights.Tflite;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Onnx;

/// <summary>`export --onnx`, `--backend onnx` on classify and predict, and the int8 paths on the real reference model and clips.</summary>
public class OnnxCliTests
{
    private static string ReferenceFile(string name) => Path.Combine(Path.GetDirectoryName(TfliteReferenceFile.Path)!, name);

    private static string[] TopFive(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("final_top").EnumerateArray().Select(p => p.GetProperty("label").GetString()!).ToArray();
    }

    [Fact]
    public void ExportWritesPlainAndRingFormsThatPredictLikeTorch()
    {
        using var scope = NewDisposeScope();
        string dir = Directory.CreateTempSubdirectory("onnx-cli").FullName;
        string weights = Path.Combine(dir, "toy.safetensors"), onnx = Path.Combine(dir, "toy.onnx"), npy = Path.Combine(dir, "clip.npy");
        MoViSharpCheckpoint.Save(weights, TestModels.Randomize(ModelRegistry.Create("toy-s"), 8), ["a", "b", "c", "d", "e"]);
        var export = CliRunner.Run("export", "--onnx", "--weights", weights, "--output", onnx);
        Assert.True(export.ExitCode == 0, export.Stderr);
        Assert.True(File.Exists(onnx) && File.Exists(Path.Combine(dir, "toy.ring.onnx")), export.Stderr);

        NpyFile.Write(npy, rand([5, 32, 32, 3]));
        var torchRun = CliRunner.Run("predict", npy, "--weights", weights, "--output", Path.Combine(dir, "torch.npy"));
        var onnxRun = CliRunner.Run("predict", npy, "--weights", onnx, "--output", Path.Combine(dir, "onnx.npy"));
        var backendRun = CliRunner.Run("predict", npy, "--weights", weights, "--backend", "onnx", "--output", Path.Combine(dir, "backend.npy"));
        Assert.True(torchRun.ExitCode == 0 && onnxRun.ExitCode == 0 && backendRun.ExitCode == 0, torchRun.Stderr + onnxRun.Stderr + backendRun.Stderr);
        using var a = NpyFile.Read(Path.Combine(dir, "torch.npy"));
        using var b = NpyFile.Read(Path.Combine(dir, "onnx.npy"));
        using var c = NpyFile.Read(Path.Combine(dir, "backend.npy"));
        Assert.Equal(new long[] { 5, 5 }, b.shape);
        Assert.True(TestModels.MaxAbsDiff(a, b) <= OnnxAssert.Tolerance);
        Assert.True(TestModels.MaxAbsDiff(a, c) <= OnnxAssert.Tolerance);
    }

    [Fact]
    public void BadRequestsAreClearErrors()
    {
        string dir = Directory.CreateTempSubdirectory("onnx-cli-errors").FullName;
        var noFormat = CliRunner.Run("export", "--model", "toy-s", "--output", Path.Combine(dir, "x.onnx"));
        Assert.Equal(1, noFormat.ExitCode);
        Assert.Contains("--onnx", noFormat.Stderr);
        var clipOnlyStream = CliRunner.Run("export", "--onnx", "--model", "t0-base", "--form", "ring", "--output", Path.Combine(dir, "y.onnx"));
        Assert.Equal(1, clipOnlyStream.ExitCode);
        Assert.Contains("cannot stream", clipOnlyStream.Stderr);
        Assert.False(File.Exists(Path.Combine(dir, "y.onnx")));
        var backend = CliRunner.Run("predict", "x.npy", "--weights", "w.safetensors", "--backend", "tpu", "--output", Path.Combine(dir, "z.npy"));
        Assert.Equal(1, backend.ExitCode);
        Assert.Contains("--backend must be torch or onnx", backend.Stderr);
    }

    [Fact]
    public void ClassifyWithTheOnnxBackendGivesTorchsTopFiveOnTheReferenceClips()
    {
        string model = TfliteReferenceFile.Path, labels = ReferenceFile("kinetics600_label_map.txt");
        foreach (var clip in new[] { "carving_ice_172.mp4", "carving_ice_360.mp4" })
        {
            string video = Path.Combine(ReferenceFile("videos"), clip);
            var torchRun = CliRunner.Run("classify", video, "--weights", model, "--labels", labels, "--json");
            var onnxRun = CliRunner.Run("classify", video, "--weights", model, "--labels", labels, "--json", "--backend", "onnx");
            Assert.True(torchRun.ExitCode == 0 && onnxRun.ExitCode == 0, torchRun.Stderr + onnxRun.Stderr);
            var top = TopFive(torchRun.Stdout);
            Assert.Equal("carving ice", top[0]);
            Assert.Equal(top, TopFive(onnxRun.Stdout));
        }
    }

    [Fact]
    public void TheTranslatedInt8TfliteGraphAndTheInt8ExportKeepCarvingIceOnTop()
    {
        string dir = Directory.CreateTempSubdirectory("onnx-int8").FullName;
        string labels = ReferenceFile("kinetics600_label_map.txt"), video = Path.Combine(ReferenceFile("videos"), "carving_ice_172.mp4");
        string translated = Path.Combine(dir, "tflite.onnx"), quantized = Path.Combine(dir, "qdq.onnx");
        var t = CliRunner.Run("export", "--onnx", "--weights", TfliteReferenceFile.Path, "--tflite-graph", "--labels", labels, "--output", translated);
        Assert.True(t.ExitCode == 0, t.Stderr);
        var q = CliRunner.Run("export", "--onnx", "--weights", TfliteReferenceFile.Path, "--int8", "--calibration-frames", "8", "--labels", labels, "--output", quantized);
        Assert.True(q.ExitCode == 0, q.Stderr);
        foreach (var file in new[] { translated, quantized })
        {
            var run = CliRunner.Run("classify", video, "--weights", file, "--json");
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Equal("carving ice", TopFive(run.Stdout)[0]);
        }
    }
}
