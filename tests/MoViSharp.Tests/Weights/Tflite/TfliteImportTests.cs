using System.Diagnostics;
using MoViSharp.Families.MoViNets;
using MoViSharp.Models;
using MoViSharp.Classification;
using MoViSharp.Streaming;
using MoViSharp.Tests.Cli;
using MoViSharp.Video;
using MoViSharp.Weights;
using MoViSharp.Weights.Layouts;
using MoViSharp.Weights.Tflite;
using Xunit.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Weights.Tflite;

/// <summary>The reference model imported once, and both reference clips classified once, shared by the tests below.</summary>
public sealed class ImportedReferenceModel : IDisposable
{
    public const int CarvingIce = 72;                          // line 73 of kinetics600_label_map.txt

    public ImportedReferenceModel()
    {
        File = TfliteModel.Parse(TfliteReferenceFile.Bytes, TfliteReferenceFile.FileName);
        Model = TfliteMoViNetImporter.Import(File);
        Labels = System.IO.File.ReadAllLines(CliRunner.Reference("kinetics600_label_map.txt"));
        Clip172 = Classify("carving_ice_172.mp4");
        Clip360 = Classify("carving_ice_360.mp4");
    }

    public TfliteModel File { get; }
    public MoViNet Model { get; }
    public string[] Labels { get; }
    public ClipResult Clip172 { get; }
    public ClipResult Clip360 { get; }

    public sealed record ClipResult(int Frames, IReadOnlyList<Prediction> Top, IReadOnlyList<int> PerFrameTop1, double MillisecondsPerFrame);

    private ClipResult Classify(string clip)
    {
        using var classifier = new ModelClassifier(Model, Labels);
        using var session = new StreamingSession(classifier);
        using var source = FfmpegFrameSource.Open(CliRunner.Reference("videos/" + clip), VideoSourceOptions.Square(172));
        var perFrame = new List<int>();
        var watch = new Stopwatch();
        foreach (var frame in source.ReadFrames())
        {
            using (frame)
            using (var scope = NewDisposeScope())
            {
                var x = FrameConversion.ToFrameTensor(frame);
                watch.Start();
                perFrame.Add(Softmax.ArgMax(session.Push(x)!));
                watch.Stop();
            }
        }
        return new ClipResult(session.FramesSeen, session.Top(5), perFrame, watch.Elapsed.TotalMilliseconds / Math.Max(1, perFrame.Count));
    }

    public void Dispose() => Model.Dispose();
}

public sealed class TfliteImportTests(ImportedReferenceModel reference, ITestOutputHelper output) : IClassFixture<ImportedReferenceModel>
{
    [Fact]
    public void Import_uses_every_weight_constant_once_and_sets_every_model_entry()
    {
        using var model = new MoViNet(MoViNetSpecs.Mobile("a0"));
        var report = TfliteMoViNetImporter.ImportInto(reference.File, model);
        output.WriteLine(report.ToString());
        Assert.Equal(64, report.Convolutions);           // 38 CONV_2D + 26 DEPTHWISE_CONV_2D
        Assert.Equal(15, report.ReZeroScales);           // one per bottleneck
        Assert.Equal(144, report.WeightConstants);       // 64 kernels + 64 biases + 15 ReZero + head 1/(H·W)
        Assert.Equal(report.WeightConstants, report.WeightConstantsUsed);
        Assert.Equal(report.ModelEntries, report.ModelEntriesSet);
        int parameters = model.named_parameters().Count();
        Assert.True(report.ModelEntriesSet > parameters, "BN buffers are counted as set too");
    }

    [Fact]
    public void Imported_values_land_in_our_layout()
    {
        var layer = reference.Model.Layers[1];                                   // b1_l0
        Assert.Equal(new long[] { 80, 1, 3, 1, 1 }, layer.Feature.TemporalPart!.Weight.shape);
        Assert.Equal(new long[] { 80, 1, 1, 3, 3 }, layer.Feature.SpatialPart!.Weight.shape);
        Assert.Equal(-2.242269f, layer.ReZeroScale!.ToSingle(), 4);              // graph doc: op 38, #113
        Assert.Equal(-2.329769f, reference.Model.Layers[0].ReZeroScale!.ToSingle(), 4);
        var bn = layer.Projection.Norm!;
        Assert.Equal(1f, bn.weight!.max().ToSingle());
        Assert.Equal(0f, bn.running_mean!.abs().max().ToSingle());
        Assert.Equal(1.0, (bn.running_var![0].ToSingle() + reference.Model.Spec.BatchNormEpsilon), 5);
        Assert.Null(layer.SqueezeExcitation);
    }

    [Fact]
    public void A_target_with_other_shapes_fails_naming_the_tensor_and_both_shapes()
    {
        using var model = new MoViNet(MoViNetSpecs.Mobile("a0") with { NumClasses = 400 });
        var e = Assert.Throws<CheckpointFormatException>(() => TfliteMoViNetImporter.ImportInto(reference.File, model));
        output.WriteLine(e.Message);
        Assert.Contains("classifier/conv2d/conv2d_1/Conv2D", e.Message);
        Assert.Contains("[600,2048,1,1,1]", e.Message);
        Assert.Contains("[400,2048,1,1,1]", e.Message);
        Assert.Contains("classifier.logits", e.Message);
    }

    [Fact]
    public void A_target_with_squeeze_excitation_is_reported_as_unset()
    {
        using var model = new MoViNet(MoViNetSpecs.Mobile("a0") with { SeType = MoViSharp.Layers.SqueezeExcitationType.TwoPlusThreeD });
        var e = Assert.Throws<CheckpointFormatException>(() => TfliteMoViNetImporter.ImportInto(reference.File, model));
        output.WriteLine(e.Message);
        Assert.Contains("were not set", e.Message);
        Assert.Contains(".se.", e.Message);
    }

    [Fact]
    public void Carving_ice_172_is_top1_with_probability_at_least_half()
    {
        var r = reference.Clip172;
        output.WriteLine($"172: {r.Frames} frames, top {string.Join(", ", r.Top)}; {r.MillisecondsPerFrame:F1} ms/frame; per-frame {string.Join(" ", r.PerFrameTop1)}");
        Assert.Equal(131, r.Frames);
        Assert.Equal(ImportedReferenceModel.CarvingIce, r.Top[0].Index);
        Assert.Equal("carving ice", r.Top[0].Label);
        Assert.True(r.Top[0].Probability >= 0.5f, $"carving ice p = {r.Top[0].Probability}");
    }

    [Fact]
    public void Carving_ice_360_center_cropped_is_top1_with_probability_above_0_6()
    {
        var r = reference.Clip360;
        output.WriteLine($"360: {r.Frames} frames, top {string.Join(", ", r.Top)}; {r.MillisecondsPerFrame:F1} ms/frame; per-frame {string.Join(" ", r.PerFrameTop1)}");
        Assert.Equal(200, r.Frames);
        Assert.Equal(ImportedReferenceModel.CarvingIce, r.Top[0].Index);
        Assert.True(r.Top[0].Probability > 0.6f, $"carving ice p = {r.Top[0].Probability}");
    }

    [Fact]
    public void Per_frame_top1_settles_on_carving_ice_within_ten_frames()
    {
        foreach (var r in new[] { reference.Clip172, reference.Clip360 })
        {
            int settled = SettleFrame(r.PerFrameTop1, ImportedReferenceModel.CarvingIce);
            output.WriteLine($"settles at frame {settled} of {r.Frames}");
            Assert.InRange(settled, 0, 10);
        }
    }

    /// <summary>The first frame from which top-1 is <paramref name="label"/> on every later frame (−1 if never).</summary>
    public static int SettleFrame(IReadOnlyList<int> perFrame, int label)
    {
        int settled = -1;
        for (int i = perFrame.Count - 1; i >= 0 && perFrame[i] == label; i--) settled = i;
        return settled;
    }
}
