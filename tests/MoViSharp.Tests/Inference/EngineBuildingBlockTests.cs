using MoViSharp.Inference;
using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Inference;

public class EngineBuildingBlockTests
{
    /// <summary>A compiled module on its own, with a state for <paramref name="batch"/> streams.</summary>
    private sealed class Alone : IDisposable
    {
        public CompileContext Context { get; } = new(CompileOptions.Default, ModelCompiler.BuiltInRules, ModelCompiler.BuiltInPairRules);
        private CompiledGraph? graph;
        public CompiledState State { get; private set; } = null!;

        public T Start<T>(T module, int batch) where T : CompiledModule
        {
            graph = new CompiledGraph(module, Context.SlotCount, 0, 0);
            State = graph.NewState(batch);
            return module;
        }

        public void Dispose() { State?.Dispose(); graph?.Dispose(); }
    }

    [Theory]
    [InlineData(1, 1, 1, 16, 24)]      // pointwise
    [InlineData(3, 2, 24, 24, 24)]     // depthwise 3×3, stride 2 on an even size (asymmetric TF padding)
    [InlineData(5, 1, 24, 24, 24)]     // depthwise 5×5
    [InlineData(3, 2, 1, 3, 8)]        // the stem
    public void FoldedBatchNormEqualsConvThenBatchNorm(int kernel, int stride, int groups, int inChannels, int outChannels)
    {
        using var scope = NewDisposeScope();
        var unit = TestModels.Randomize(new ConvUnit(inChannels, outChannels, (1, kernel, kernel), stride, groups,
            activation: ActivationKind.HardSwish, execution: ConvExecution.Conv2dOnFrames));
        using var folded = new FoldedConv2d(unit, new VideoShape(inChannels, 1, 22, 22));
        var x = randn([2, inChannels, 1, 22, 22], generator: new TorchSharp.torch.Generator(5));
        using var mode = inference_mode();
        var expected = unit.Forward(x, null).squeeze(2);
        var actual = folded.Forward(x.squeeze(2));
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(TestModels.MaxAbsDiff(expected, actual) <= 1e-5, $"differs by {TestModels.MaxAbsDiff(expected, actual)}");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void RingBufferTemporalConvEqualsTheCausalConvWithStreamBuffer(int kernelTime)
    {
        using var scope = NewDisposeScope();
        const int channels = 12, size = 7, batch = 2, frames = 11;
        var unit = TestModels.Randomize(new ConvUnit(channels, channels, (kernelTime, 1, 1), groups: channels,
            activation: ActivationKind.HardSwish, temporalPadding: TemporalPadding.Causal, execution: ConvExecution.Conv2dOnFrames));
        unit.AssignStatePaths();
        var clip = randn([batch, channels, frames, size, size], generator: new TorchSharp.torch.Generator(9));
        using var mode = inference_mode();
        var expected = unit.Forward(clip, null);                                       // causal whole clip, zero past
        using var alone = new Alone();
        using var ring = alone.Start(new RingTemporalConv(unit, new VideoShape(channels, 1, size, size), alone.Context), batch);
        for (int t = 0; t < frames; t++)
        {
            var y = ring.Step(clip.select(2, t), alone.State);
            Assert.True(TestModels.MaxAbsDiff(y, expected.select(2, t)) <= 1e-5, $"frame {t}");
        }

        // The exported ring is the plain module's stream buffer: the last k−1 input frames, oldest first.
        using var state = new StreamState(batch);
        unit.Forward(clip, state);
        using var exported = new StreamState(batch);
        ring.ExportState(alone.State, exported);
        Assert.Equal("buffer", ring.StateKey);
        Assert.True(TestModels.MaxAbsDiff(exported[ring.StateKey], state[ring.StateKey]) == 0);
    }

    [Theory]
    [InlineData(3, 1, 3, 11)]     // 3×3 then temporal k_t = 3, row shorter than two vectors
    [InlineData(5, 2, 5, 22)]     // 5×5 stride 2 (asymmetric padding) then k_t = 5
    [InlineData(3, 2, 1, 23)]     // odd size, no temporal part
    [InlineData(5, 1, 1, 6)]
    public void SimdDepthwiseKernelEqualsTorchSpatialThenRingTemporal(int kernel, int stride, int kernelTime, int size)
    {
        using var scope = NewDisposeScope();
        const int channels = 10, batch = 2, frames = 4;
        var spatialUnit = TestModels.Randomize(new ConvUnit(channels, channels, (1, kernel, kernel), stride, groups: channels,
            activation: ActivationKind.HardSwish, execution: ConvExecution.Conv2dOnFrames), seed: 3);
        var temporalUnit = kernelTime == 1 ? null : TestModels.Randomize(new ConvUnit(channels, channels, (kernelTime, 1, 1), groups: channels,
            activation: ActivationKind.Relu6, temporalPadding: TemporalPadding.Causal, execution: ConvExecution.Conv2dOnFrames), seed: 4);
        long outSize = SamePadding.OutputSize(size, stride);
        var input = new VideoShape(channels, 1, size, size);
        var middle = new VideoShape(channels, 1, outSize, outSize);
        using var torchPath = new Alone();
        using var torchSpatial = new FoldedConv2d(spatialUnit, input);
        var torchRing = temporalUnit is null ? null : new RingTemporalConv(temporalUnit, middle, torchPath.Context);
        torchPath.Start<CompiledModule>(torchRing is null ? new CompiledIdentity(middle) : torchRing, batch);
        using var simdPath = new Alone();
        var simdRing = temporalUnit is null ? null : new RingTemporalConv(temporalUnit, middle, simdPath.Context);
        var simd = simdPath.Start(new SimdDepthwise(spatialUnit, simdRing, input), batch);
        using var mode = inference_mode();
        for (int t = 0; t < frames; t++)
        {
            var x = randn([batch, channels, size, size], generator: new TorchSharp.torch.Generator((ulong)(20 + t)));
            var expected = torchSpatial.Forward(x);
            if (torchRing is not null) expected = torchRing.Step(expected, torchPath.State);
            var actual = simd.Step(x, simdPath.State);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(TestModels.MaxAbsDiff(expected, actual) <= 1e-5, $"frame {t} differs by {TestModels.MaxAbsDiff(expected, actual)}");
        }
        if (torchRing is not null)
        {
            using var a = new StreamState(batch);
            using var b = new StreamState(batch);
            torchRing.ExportState(torchPath.State, a);
            simdRing!.ExportState(simdPath.State, b);
            Assert.True(TestModels.MaxAbsDiff(a[torchRing.StateKey], b[simdRing.StateKey]) <= 1e-5);
        }
    }
}
