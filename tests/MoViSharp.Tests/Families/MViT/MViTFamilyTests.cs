using MoViSharp.Classification;
using MoViSharp.Families.MViT;
using MoViSharp.Inference;
using MoViSharp.Models;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Families.MViT;

/// <summary>The MViT family through the shared contracts, on the tiny torchvision-saved MViT-v2 and small configurations.</summary>
public class MViTFamilyTests
{
    private static MViTConfig TinyConfig() => MViTConfigJson.Read(MViTTestData.TinyConfigJson(), "tiny");

    private static MoViSharp.Families.MViT.MViT Tiny(long seed = 5) => TestModels.Randomize(new MoViSharp.Families.MViT.MViT(TinyConfig()), seed);

    [Fact]
    public void RegisteredModelsCarryTheirPreprocessingAndPublishedFigures()
    {
        foreach (var name in MViTSpecs.Names)
        {
            var entry = ModelRegistry.Entry(name);
            Assert.Equal("mvit", entry.Family);
            var p = entry.Config.Preprocessing;
            Assert.Equal((16, 224, 256, 7.5), (p.Frames, p.Size, p.ResizeShortSide, p.Fps));
            Assert.Equal([0.45f, 0.45f, 0.45f], p.Mean);
            Assert.Equal([0.225f, 0.225f, 0.225f], p.Std);
            Assert.Equal(1f, p.ValueScale);
            Assert.Equal("kinetics400", entry.Weights!.LabelSet);
            Assert.Equal(400, CheckpointLoader.ShippedLabels(entry.Config)!.Count);
        }
        Assert.Equal(78.477, ModelRegistry.Entry("mvit_v1_b").Weights!.Top1);
        Assert.Equal(80.757, ModelRegistry.Entry("mvit_v2_s").Weights!.Top1);
    }

    [Fact]
    public void ConfigsRoundTripThroughJsonWithTheirFamily()
    {
        foreach (var config in new[] { MViTSpecs.Get("mvit_v1_b"), MViTSpecs.Get("mvit_v2_s"), TinyConfig() })
        {
            string json = ModelConfigFile.Write(config);
            Assert.Contains("\"family\":\"mvit\"", json);
            var back = Assert.IsType<MViTConfig>(ModelConfigFile.Parse(json, "test"));
            Assert.Equal(json, MViTConfigJson.Write(back));
            Assert.Equal(config with { Blocks = back.Blocks }, back);
            Assert.Equal(config.Blocks.Select(MViTConfigJsonBlock), back.Blocks.Select(MViTConfigJsonBlock));
        }
        var broken = Assert.Throws<InvalidDataException>(() => MViTConfigJson.Read("""{"classes":5,"block_setting":[{"num_heads":3,"input_channels":8,"output_channels":8,"kernel_q":[],"kernel_kv":[3,3,3],"stride_q":[],"stride_kv":[1,2,2]}]}""", "bad.json"));
        Assert.Contains("bad.json", broken.Message);
        Assert.Contains("do not split into 3 heads", broken.Message);
    }

    private static string MViTConfigJsonBlock(MViTBlockSpec b) =>
        $"{b.Heads} {b.InChannels} {b.OutChannels} [{string.Join(",", b.KernelQ)}] [{string.Join(",", b.KernelKv)}] [{string.Join(",", b.StrideQ)}] [{string.Join(",", b.StrideKv)}]";

    [Fact]
    public void ItIsAClipModelThatSaysWhyItDoesNotStream()
    {
        using var scope = NewDisposeScope();
        var model = Tiny();
        Assert.False(model.Streamable);
        Assert.Contains("clip model", model.NotStreamableReason);
        Assert.Contains("self-attention", model.NotStreamableReason);
        Assert.True(model.Temporal.Unbounded);                                  // every logit depends on the whole clip
        var clip = TestModels.Clip(4, 32);
        Assert.Throws<NotSupportedException>(() => model.InitialState(1, 32, 32));
        Assert.Throws<NotSupportedException>(() => model.Logits(clip, new MoViSharp.Streaming.StreamState(1)));
        using var mode = inference_mode();
        var logits = model.Logits(clip);
        Assert.Equal(new long[] { 1, 1, 5 }, logits.shape);
        var wrongSize = Assert.Throws<ArgumentException>(() => model.Logits(TestModels.Clip(4, 48)));
        Assert.Contains("built for a 2×8×8 patch grid", wrongSize.Message);
    }

    [Fact]
    public void TheCompiledClassifierGivesThePlainLogits()
    {
        using var scope = NewDisposeScope();
        var model = Tiny(seed: 9);
        var clips = TestModels.Clip(4, 32, batch: 2);
        using var compiled = ModelCompiler.Compile(model);
        using var mode = inference_mode();
        var plain = new ModelClassifier(model).ClipLogits(clips);
        var fast = compiled.ClipLogits(clips);
        Assert.Equal(new long[] { 2, 1, 5 }, fast.shape);
        Assert.True(plain.abs().max().item<float>() > 1e-2);
        Assert.True(TestModels.MaxAbsDiff(plain, fast) <= 1e-4, $"compiled differs by {TestModels.MaxAbsDiff(plain, fast)}");
    }

    [Fact]
    public void TraceCountsTheTinyModelsMultiplyAddsByHand()
    {
        using var model = new MoViSharp.Families.MViT.MViT(TinyConfig());
        // Patch conv: 8 channels on a 2×8×8 grid, 3·3·7·7 inputs each.
        long expected = 8L * 2 * 8 * 8 * 3 * 3 * 7 * 7;
        // Block 0 (8→8, 1 head, kv stride (1,2,2)): qkv, pool q (no stride) and k, v convs, q·kᵀ and a·v, rel-pos, output, MLP.
        long n = 1 + 128, m = 1 + 2 * 4 * 4;
        expected += n * 8 * 24 + 128 * 8 * 27 + 2 * 32 * 8 * 27 + 2 * n * m * 8 + 128 * (4 + 4 + 2) * 8 + n * 8 * 8 + n * 8 * 32 + n * 32 * 8;
        // Block 1 (8→16, 1 head): as block 0 at width 16 (qkv from 8 channels), and the skip projection of the 129 input tokens.
        expected += n * 8 * 48 + 128 * 16 * 27 + 2 * 32 * 16 * 27 + 2 * n * m * 16 + 128 * (4 + 4 + 2) * 16 + n * 16 * 16 + n * 16 * 64 + n * 64 * 16 + n * 8 * 16;
        // Block 2 (16→16, 2 heads of 8, q stride (1,2,2) → 2×4×4, no kv stride): queries 33, keys 129.
        long q = 1 + 32;
        expected += n * 16 * 48 + 2 * (32 * 8 * 27 + 2 * 128 * 8 * 27) + 2 * 2 * q * n * 8 + 2 * 32 * (8 + 8 + 2) * 8 + q * 16 * 16 + q * 16 * 64 + q * 64 * 16;
        expected += 16 * 5;                                                       // head on the class token
        Assert.Equal(1_718_432L, expected);                                       // tools/zoo/macs.py on torchvision's tiny model
        Assert.Equal(expected, model.Trace(4, 32, 32).MultiplyAdds);
    }

    [Fact]
    public void StrictLoadingNamesEveryMissingUnexpectedAndMisshapedKey()
    {
        using var scope = NewDisposeScope();
        var hints = new CheckpointHints(Architecture: TinyConfig());
        using var file = TorchCheckpointReader.Read(MViTTestData.TinyCheckpoint());
        using var broken = new NamedTensors();
        foreach (var name in file.Names.Where(n => n != "blocks.0.attn.qkv.bias"))
            broken.Add(name, name == "norm.weight" ? zeros(15) : file[name].clone());
        broken.Add("blocks.0.attn.extra", zeros(3));
        var e = Assert.Throws<CheckpointMismatchException>(() => new TorchvisionLayout().Load(broken, "broken.pth", hints));
        Assert.Equal(["blocks.0.attn.qkv.bias"], e.Missing);
        Assert.Equal(["blocks.0.attn.extra"], e.Unexpected);
        Assert.Single(e.ShapeMismatches);
        Assert.Contains("norm.weight is [15], expected [16]", e.ShapeMismatches[0]);

        // The file names no architecture, and it is none of the registered ones.
        var unknown = Assert.Throws<InvalidDataException>(() => new TorchvisionLayout().Load(file, "tiny.pth", new CheckpointHints()));
        Assert.Contains("relative positions (v2), 3 blocks", unknown.Message);
        Assert.Contains("--config", unknown.Message);
        var wrongModel = Assert.Throws<CheckpointMismatchException>(() => new TorchvisionLayout().Load(file, "tiny.pth", new CheckpointHints("mvit_v2_s")));
        Assert.NotEmpty(wrongModel.ShapeMismatches);
    }

    [Fact]
    public void ADataParallelPrefixIsStrippedByTheLayout()
    {
        using var scope = NewDisposeScope();
        var hints = new CheckpointHints(Architecture: TinyConfig());
        using var file = TorchCheckpointReader.Read(MViTTestData.TinyCheckpoint());
        using var wrapped = new NamedTensors();
        foreach (var name in file.Names) wrapped.Add("module." + name, file[name].clone());
        var layout = new TorchvisionLayout();
        Assert.True(layout.Matches(wrapped));
        using var a = layout.Load(file, "tiny.pth", hints);
        using var b = layout.Load(wrapped, "wrapped.pth", hints);
        var (input, _) = MViTTestData.TinyInputAndLogits();
        using var mode = inference_mode();
        Assert.Equal(0.0, TestModels.MaxAbsDiff(a.forward(input), b.forward(input)));
    }

    [Fact]
    public void TrainingConfigsFollowTheClipAndBuildAnyMViT()
    {
        using var scope = NewDisposeScope();
        var config = (MViTConfig)MViTSpecs.Get("mvit_v1_b").ForTraining(4, 32, dropout: 0.1, stochasticDepth: 0.05);
        Assert.Equal((4, (32, 32), 0.1, 0.05, 37), (config.TemporalSize, config.SpatialSize, config.DropoutRate, config.StochasticDepthRate, config.ResizeShortSide));
        var grids = MViTGeometry.Blocks(config);
        Assert.Equal(new TokenGrid(2, 8, 8), grids[0].Input);
        Assert.Equal(new TokenGrid(2, 1, 1), grids[^1].Queries);
        // A v1 (absolute positions) of the tiny model's width trains on such clips: loss goes down on a fixed batch.
        var small = config with { Blocks = TinyConfig().Blocks, NumClasses = 3, DropoutRate = 0 };
        var model = new MoViSharp.Families.MViT.MViT(small);
        Assert.True(model.Tokens.AbsolutePositions);
        var clips = TestModels.Clip(4, 32, batch: 2);
        var labels = tensor(new long[] { 0, 2 });
        var optimizer = optim.AdamW(model.parameters(), 1e-2);
        model.train();
        double first = 0, last = 0;
        for (int step = 0; step < 5; step++)
        {
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(clips), labels);
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < first, $"loss {first} → {last}");
    }
}
