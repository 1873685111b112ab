using MoViSharp.Layers;
using MoViSharp.Classification;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Layers;

public class PositionalEncodingTests
{
    [Fact]
    public void FirstHalfSinesSecondHalfCosinesSharingFrequencies()
    {
        using var scope = NewDisposeScope();
        const int channels = 8;
        var encoding = PositionalEncoding.Encode(tensor(new[] { 3 }), 2, channels);      // positions 3 and 4
        Assert.Equal(new long[] { 1, channels, 2 }, encoding.shape);
        for (int k = 0; k < channels / 2; k++)
        {
            double omega = 1 / Math.Pow(10000, 2.0 * k / channels);
            for (int t = 0; t < 2; t++)
            {
                double p = 3 + t;
                Assert.Equal(Math.Sin(p * omega), encoding[0, k, t].item<float>(), 5);
                Assert.Equal(Math.Cos(p * omega), encoding[0, channels / 2 + k, t].item<float>(), 5);
            }
        }
    }

    [Fact]
    public void PositionsContinueFromTheStateAndTheScaleMultiplies()
    {
        using var scope = NewDisposeScope();
        var pe = new PositionalEncoding(6);
        using (no_grad()) pe.Scale.fill_(0.5f);
        var x = zeros([1, 6, 3, 1, 1]);
        using var state = new StreamState(1);
        pe.Forward(x.narrow(2, 0, 2), state);
        Assert.Equal(new[] { 2 }, state[pe.CountKey].data<int>().ToArray());
        var next = pe.Forward(x.narrow(2, 2, 1), state);
        var expected = PositionalEncoding.Encode(tensor(new[] { 2 }), 1, 6).mul(0.5).view(1, 6, 1, 1, 1);
        Assert.True(TestModels.MaxAbsDiff(next, expected) < 1e-6);
        Assert.True(TestModels.MaxAbsDiff(pe.forward(x).narrow(2, 2, 1), next) < 1e-6);
    }
}
