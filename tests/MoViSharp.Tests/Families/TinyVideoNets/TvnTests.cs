using MoViSharp.Classification;
using MoViSharp.Families.TinyVideoNets;
using MoViSharp.Inference;
using MoViSharp.Models;
using MoViSharp.Weights;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.TinyVideoNets;

/// <summary>
/// TVN-1…4 from found_tvns.py: parameter counts equal the analytic count of tools/zoo/tvn_count.py (400 and 339 classes), the
/// final widths and frame counts are the specs', the TF-same pools and repeats behave as tiny_video_net.py builds them, the
/// config round-trips, a TVN saves and loads as MoViSharp safetensors and its compiled clip path equals the plain model.
/// </summary>
public sealed class TvnTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("tvn1", 26_539_710, 26_414_721, 2048, 1)]
    [InlineData("tvn2", 109_565_916, 109_438_487, 2088, 1)]
    [InlineData("tvn3", 67_865_442, 67_709_221, 2560, 1)]
    [InlineData("tvn4", 43_793_994, 43_669_005, 2048, 2)]
    public void ParameterCountsEqualTheAnalyticCount(string name, long kinetics, long moments, int channels, int frames)
    {
        var config = TvnSpecs.Get(name);
        using (var model = (TvnNet)ModelRegistry.Create(name))
        {
            Assert.Equal(kinetics, model.ParameterCount);
            Assert.Equal(TvnSpecs.AnalyticParameters[name], model.ParameterCount);
            Assert.Equal((channels, frames), (model.Instances[^1].OutChannels, model.Instances.Last(i => i.FramesOut > 0).FramesOut));
            var trace = model.Trace(config.Frames, config.ImageSize, config.ImageSize);
            output.WriteLine($"{name}: {model.ParameterCount:N0} parameters, {trace.MultiplyAdds / 1e9:F3} GMACs at {config.Frames}×{config.ImageSize}²");
            Assert.False(model.Streamable);
        }
        using var mit = new TvnNet(config with { NumClasses = 339 });
        Assert.Equal(moments, mit.ParameterCount);
    }

    [Fact]
    public void RepeatsAlternateTheTemporalOpAndSkipOnlyWhereTheFramesStay()
    {
        // TVN-4 block 1: 1-D conv k3/s2 over 8 frames, ×5, skip: the first instance halves the frames (so no skip), then the
        // repeats use the conv off, on, off, on at stride 1 (and skip).
        using var model = (TvnNet)ModelRegistry.Create("tvn4");
        var first = model.Instances.Take(5).ToList();
        Assert.Equal([4, 4, 4, 4, 4], first.Select(i => i.FramesOut));
        Assert.Equal([false, true, true, true, true], first.Select(i => i.HasSkip));
        var names = first.Select(i => i.named_modules().Select(m => m.name).ToHashSet()).ToList();
        Assert.Equal([true, false, true, false, true], names.Select(n => n.Contains("body.temporal")));
    }

    [Fact]
    public void TfSamePoolsPadTheSmallerHalfFirstAndAverageOnlyRealCells()
    {
        using var scope = NewDisposeScope();
        var x = arange(5, dtype: ScalarType.Float32).reshape(1, 1, 5, 1, 1);
        // k2/s2 on 5 frames: pad_total 1, all after → windows {0,1}, {2,3}, {4}.
        Assert.Equal([0.5f, 2.5f, 4f], new TfSamePool(false, (2, 1, 1), (2, 1, 1)).forward(x).data<float>().ToArray());
        Assert.Equal([1f, 3f, 4f], new TfSamePool(true, (2, 1, 1), (2, 1, 1)).forward(x).data<float>().ToArray());
        // k3/s1: one frame of padding each side, never picked by max, not counted by the average.
        Assert.Equal([0.5f, 1f, 2f, 3f, 3.5f], new TfSamePool(false, (3, 1, 1), (1, 1, 1)).forward(x).data<float>().ToArray());
        // On −x the last window would be 0 with zero padding; −∞ padding gives the real −3.
        Assert.Equal([0f, 0f, -1f, -2f, -3f], new TfSamePool(true, (3, 1, 1), (1, 1, 1)).forward(x.neg()).add(0f).data<float>().ToArray());
    }

    [Fact]
    public void ConfigRoundTripsThroughJsonWithItsFamily()
    {
        foreach (var name in TvnSpecs.Names)
        {
            string json = ModelConfigFile.Write(TvnSpecs.Get(name));
            var back = Assert.IsType<TvnConfig>(ModelConfigFile.Parse(json, "test"));
            Assert.Equal(TvnSpecs.Get(name).Blocks, back.Blocks);
            Assert.Equal(json, ModelConfigFile.Write(back));
        }
        var bad = Assert.Throws<InvalidDataException>(() => ModelConfigFile.Parse(
            """{"family":"tvn","classes":3,"num_frames":2,"image_size":32,"blocks":[{"filters":8,"spatial_type":"conv","spatial_kernel":3,"spatial_stride":1,"temporal_type":"1d","temporal_kernel":1,"temporal_stride":1}]}""",
            "mine.json"));
        Assert.Contains("mine.json", bad.Message);
        Assert.Contains("spatial_type", bad.Message);
    }

    /// <summary>A small TVN exercising every op: std/depth/pool spatial, 1-D and pool temporal, SE, context gate, skip.</summary>
    private static TvnConfig Small => new()
    {
        Name = "small", NumClasses = 5, Frames = 4, ImageSize = 32,
        Blocks =
        [
            new(8, TvnSpatialOp.Standard, 3, 2, TvnTemporalOp.Conv1d, 3, 2, 3, 2, 0.5, true, true),
            new(8, TvnSpatialOp.Depthwise, 3, 2, TvnTemporalOp.MaxPool, 2, 2, 2, 2, 0, true, false),
            new(16, TvnSpatialOp.AveragePool, 3, 2, TvnTemporalOp.AveragePool, 2, 1, 1, 1, 0.25, false, true),
        ],
    };

    [Fact]
    public void SavesAndLoadsAsMoViSharpSafetensorsAndCompiledEqualsPlain()
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(Directory.CreateTempSubdirectory("tvn").FullName, "small.safetensors");
        using var model = new TvnNet(Small);
        model.eval();
        MoViSharpCheckpoint.Save(path, model);
        var (loaded, _) = MoViSharpCheckpoint.Load(path);
        using (loaded)
        {
            var clip = rand([2, 3, 4, 32, 32], generator: new Generator(7));
            using var _ = inference_mode();
            var plain = model.forward(clip);
            Assert.Equal([2L, 5], plain.shape);
            Assert.True(loaded.forward(clip).sub(plain).abs().max().item<float>() == 0);
            var compiled = ModelCompiler.Compile(loaded).ClipLogits(clip).select(1, -1);      // preprocessing is the identity
            Assert.True(compiled.sub(plain).abs().max().item<float>() <= 1e-4);
        }
    }

    [Fact]
    public void Tvn1RunsOnItsNativeClip()
    {
        using var scope = NewDisposeScope();
        using var model = ModelRegistry.Create("tvn1");
        model.eval();
        using var _ = inference_mode();
        var logits = model.forward(rand([1, 3, 2, 224, 224], generator: new Generator(3)));
        Assert.Equal([1L, 400], logits.shape);
        Assert.True(logits.isfinite().all().item<bool>());
    }
}
