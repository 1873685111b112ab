using System.Text.Json;
using MoViSharp.Families.VideoResNets;
using MoViSharp.Labels;
using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Tests.Families.ClipCnns;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.VideoResNets;

/// <summary>Registration, figures, configuration as data and the R(2+1)D mid-channel rule, without running the big models.</summary>
public sealed class VideoResNetArchitectureTests
{
    public static TheoryData<string> Names() => new(VideoResNetSpecs.Names);

    [Theory]
    [MemberData(nameof(Names))]
    public void InfoReportsTheUpstreamParameterCountAndThePublishedMultiplyAdds(string name)
    {
        var result = InProcessCli.Run("info", name, "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var info = json.RootElement;
        var manifest = UpstreamReference.Manifest(name);
        var published = ModelRegistry.Entry(name).Weights!;
        Assert.Equal(VideoResNetFamily.FamilyName, info.GetProperty("family").GetString());
        Assert.Equal(manifest.GetProperty("parameters").GetInt64(), info.GetProperty("params").GetInt64());
        Assert.Equal(published.Parameters, info.GetProperty("params").GetInt64());
        long macs = info.GetProperty("macs").GetInt64();
        Assert.Equal(manifest.GetProperty("macs_default").GetInt64(), macs);      // fvcore's count of torchvision's model, exactly
        Assert.InRange(macs / 1e9 / published.GigaMultiplyAdds!.Value, 0.99, 1.01);
        Assert.Equal((16, 112), (info.GetProperty("frames").GetInt32(), info.GetProperty("size").GetInt32()));
        Assert.False(info.GetProperty("streamable").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void RegistryEntryCarriesTheTorchvisionRecipeAndFigures(string name)
    {
        var entry = ModelRegistry.Entry(name);
        Assert.Equal(VideoResNetFamily.FamilyName, entry.Family);
        Assert.Equal(LabelSets.Kinetics400, entry.Weights!.LabelSet);
        Assert.Equal(400, LabelSets.TryGet(entry.Weights.LabelSet)!.Count);
        Assert.Equal(new Dictionary<string, double> { ["r3d_18"] = 63.20, ["mc3_18"] = 63.96, ["r2plus1d_18"] = 67.463 }[name], entry.Weights.Top1);
        Assert.Contains("5 clips", entry.Weights.Top1Protocol);
        var p = entry.Config.Preprocessing;
        Assert.Equal((16, 112, (128, 171), 15.0), (p.Frames, p.Size, p.ResizeTo!.Value, p.Fps!.Value));
        Assert.Equal([0.43216f, 0.394666f, 0.37645f], p.Mean);
        Assert.Equal([0.22803f, 0.22145f, 0.216989f], p.Std);
        Assert.Equal(1f, p.ValueScale);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ConfigRoundTripsThroughJsonWithItsFamily(string name)
    {
        var config = (VideoResNetConfig)ModelRegistry.Config(name, numClasses: 7) with { DropoutRate = 0.25, NativeSize = 96 };
        string json = ModelConfigFile.Write(config);
        using (var doc = JsonDocument.Parse(json)) Assert.Equal("video_resnet", doc.RootElement.GetProperty("family").GetString());
        var back = Assert.IsType<VideoResNetConfig>(ModelConfigFile.Parse(json, "test"));
        Assert.True(back.SameArchitecture(config));
        Assert.Equal((config.Name, 7, 0.25, 96, 16), (back.Name, back.NumClasses, back.DropoutRate, back.NativeSize, back.NativeFrames));
        Assert.Equal(json, ModelConfigFile.Write(back));
    }

    [Fact]
    public void BadConfigsFailNamingTheField()
    {
        var wrongKind = Assert.Throws<InvalidDataException>(() => ModelConfigFile.Parse(
            """{"family":"video_resnet","classes":4,"stem":"basic","convs":["3d","4d","3d","3d"]}""", "mine.json"));
        Assert.Contains("mine.json: convs[1] is '4d'", wrongKind.Message);
        var lengths = Assert.Throws<InvalidDataException>(() => ModelConfigFile.Parse(
            """{"family":"video_resnet","classes":4,"stem":"basic","convs":["3d","3d"]}""", "mine.json"));
        Assert.Contains("one entry per layer", lengths.Message);
    }

    [Fact]
    public void R2Plus1DUsesOneMidWidthPerBlockFromItsInputAndOutputWidths()
    {
        // torchvision's published widths: layer1 144/144, layer2 230/288, layer3 460/576, layer4 921/1152.
        Assert.Equal([144, 230, 288, 460, 576, 921, 1152],
            new[] { (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 512), (512, 512) }.Select(p => Conv2Plus1D.MidChannels(p.Item1, p.Item2)));
        using var scope = NewDisposeScope();
        using var model = new VideoResNet(Tiny(VideoResNetStem.TwoPlusOneD, ResNetConvKind.TwoPlusOneD));
        var first = model.Layers[1][0];      // 4 → 8 channels: both convs use mid(4, 8), not the second conv mid(8, 8)
        Assert.Equal(Conv2Plus1D.MidChannels(4, 8), ((Conv2Plus1D)first.Conv1).SpatialConv.OutChannels);
        Assert.Equal(Conv2Plus1D.MidChannels(4, 8), ((Conv2Plus1D)first.Conv2).SpatialConv.OutChannels);
        Assert.Equal(Conv2Plus1D.MidChannels(8, 8), ((Conv2Plus1D)model.Layers[1][1].Conv2).SpatialConv.OutChannels);
        Assert.NotEqual(Conv2Plus1D.MidChannels(4, 8), Conv2Plus1D.MidChannels(8, 8));
    }

    [Fact]
    public void Mc3StridesOnlyInSpaceAfterItsFirstLayer()
    {
        using var scope = NewDisposeScope();
        using var r3d = new VideoResNet(Tiny(VideoResNetStem.Basic, ResNetConvKind.ThreeD));
        using var mc3 = new VideoResNet(Tiny(VideoResNetStem.Basic, ResNetConvKind.ThreeD) with
        {
            ConvKinds = [ResNetConvKind.ThreeD, ResNetConvKind.NoTemporal, ResNetConvKind.NoTemporal, ResNetConvKind.NoTemporal],
        });
        // Before the pool: r3d halves time in layers 2-4 (16 → 2), mc3 keeps it; both halve space three times.
        var r3dMap = r3d.Items.TakeWhile(i => i.Name != "pool").Aggregate(new Profiling.VideoShape(3, 16, 32, 32), (s, i) => i.Module.Trace(s, new Profiling.ModelTrace(1)));
        var mc3Map = mc3.Items.TakeWhile(i => i.Name != "pool").Aggregate(new Profiling.VideoShape(3, 16, 32, 32), (s, i) => i.Module.Trace(s, new Profiling.ModelTrace(1)));
        Assert.Equal((2L, 2L), (r3dMap.Frames, r3dMap.Height));
        Assert.Equal((16L, 2L), (mc3Map.Frames, mc3Map.Height));
        Assert.Equal((1, 2, 2), (mc3.Layers[1][0].Downsample!.TemporalStride, mc3.Layers[1][0].Downsample!.SpatialStride, r3d.Layers[1][0].Downsample!.TemporalStride));
    }

    [Fact]
    public void AClipModelSaysWhyItCannotStreamAndTrainsAtAnyClip()
    {
        using var scope = NewDisposeScope();
        using var model = new VideoResNet(Tiny(VideoResNetStem.Basic, ResNetConvKind.ThreeD));
        Assert.Contains("averages over the whole clip", model.NotStreamableReason);
        Assert.Throws<NotSupportedException>(() => model.InitialState());
        var training = (VideoResNetConfig)model.Spec.ForTraining(8, 64, dropout: 0.3);
        Assert.True(training.SameArchitecture(model.Spec));
        Assert.Equal((8, 64, (73, 98), 0.3), (training.Preprocessing.Frames, training.Preprocessing.Size, training.Preprocessing.ResizeTo!.Value, training.DropoutRate));
        using var _ = inference_mode();
        Assert.Equal(new long[] { 2, 5 }, model.forward(rand([2, 3, 3, 20, 20])).shape);       // any clip ≥ 1×1×1
    }

    /// <summary>A tiny architecture of the given kinds (widths 4/8/8/8, two blocks per layer, 5 classes).</summary>
    internal static VideoResNetConfig Tiny(VideoResNetStem stem, ResNetConvKind kind) => new()
    {
        Name = "tiny", NumClasses = 5, Stem = stem, StemChannels = 8, StemMidChannels = 6,
        ConvKinds = [.. Enumerable.Repeat(kind, 4)], Widths = [4, 8, 8, 8],
    };
}
