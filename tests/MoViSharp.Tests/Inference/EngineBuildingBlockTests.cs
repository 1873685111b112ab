using MoViSharp.Inference;
using MoViSharp.Layers;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Inference;

public class EngineBuildingBlockTests
{
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
        using var folded = new FoldedConv2d(unit);
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
            activation: ActivationKind.HardSwish, temporalPadding: TemporalPadding.Causal, execution: ConvExecution.Conv2dOnFrames,
            bufferName: "state_test_stream_buffer"));
        var clip = randn([batch, channels, frames, size, size], generator: new TorchSharp.torch.Generator(9));
        using var mode = inference_mode();
        var expected = unit.Forward(clip, null);                                       // causal whole clip, zero past
        using var ring = new RingTemporalConv(unit, batch, size, size);
        for (int t = 0; t < frames; t++)
        {
            var y = ring.Forward(clip.select(2, t));
            Assert.True(TestModels.MaxAbsDiff(y, expected.select(2, t)) <= 1e-5, $"frame {t}");
        }

        // The exported buffer is the model's stream buffer: the last k−1 input frames, oldest first, channels last.
        using var state = new StreamState(batch);
        unit.Forward(clip, state);
        Assert.True(TestModels.MaxAbsDiff(ring.Export(), state["state_test_stream_buffer"]) == 0);
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
            activation: ActivationKind.Relu6, temporalPadding: TemporalPadding.Causal, execution: ConvExecution.Conv2dOnFrames,
            bufferName: "state_test_stream_buffer"), seed: 4);
        long outSize = SamePadding.OutputSize(size, stride);
        using var torchSpatial = new FoldedConv2d(spatialUnit);
        using var torchRing = temporalUnit is null ? null : new RingTemporalConv(temporalUnit, batch, outSize, outSize);
        using var simdRing = temporalUnit is null ? null : new RingTemporalConv(temporalUnit, batch, outSize, outSize);
        var simd = new SimdDepthwise(spatialUnit, simdRing);
        using var mode = inference_mode();
        for (int t = 0; t < frames; t++)
        {
            var x = randn([batch, channels, size, size], generator: new TorchSharp.torch.Generator((ulong)(20 + t)));
            var expected = torchSpatial.Forward(x);
            if (torchRing is not null) expected = torchRing.Forward(expected);
            var actual = simd.Forward(x);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(TestModels.MaxAbsDiff(expected, actual) <= 1e-5, $"frame {t} differs by {TestModels.MaxAbsDiff(expected, actual)}");
        }
        if (torchRing is not null) Assert.True(TestModels.MaxAbsDiff(torchRing.Export(), simdRing!.Export()) <= 1e-5);
    }
}
