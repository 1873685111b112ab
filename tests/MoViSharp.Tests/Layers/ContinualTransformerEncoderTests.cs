using MoViSharp.Layers.Transformers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Layers;

public class ContinualTransformerEncoderTests
{
    private static ContinualTransformerEncoder Encoder(int blocks, int window = 5)
    {
        manual_seed(31 + blocks);
        var encoder = new ContinualTransformerEncoder(channels: 16, heads: 4, feedForward: 32, blocks: blocks, window: window);
        encoder.eval();
        encoder.AssignStatePaths();
        return encoder;
    }

    private static Tensor Tokens(int frames, int batch = 2) =>
        randn([batch, 16, frames, 1, 1], generator: new Generator(5));

    [Theory]
    [InlineData(1)]      // single-output attention
    [InlineData(2)]      // retroactive first layer, single-output last
    [InlineData(3)]      // retroactive, one recomputed middle layer, single-output
    public void ContinualOutputsEqualTheRegularEncoderOverEverySlidingWindow(int blocks)
    {
        using var scope = NewDisposeScope();
        var encoder = Encoder(blocks);
        var x = Tokens(12);                                          // more frames than the window: tokens leave it
        using var mode = inference_mode();
        var reference = encoder.SlidingWindow(x);                    // [B, C, T, 1, 1]
        var clip = encoder.forward(x);
        Assert.True(TestModels.MaxAbsDiff(reference, clip) <= 1e-4, $"clip call differs by {TestModels.MaxAbsDiff(reference, clip)}");
        using var state = new StreamState(2);
        var steps = cat([encoder.Forward(x.narrow(2, 0, 1), state), encoder.Forward(x.narrow(2, 1, 4), state),
            encoder.Forward(x.narrow(2, 5, 7), state)], 2);
        Assert.True(TestModels.MaxAbsDiff(reference, steps) <= 1e-4, $"steps differ by {TestModels.MaxAbsDiff(reference, steps)}");
    }

    [Fact]
    public void StreamsInABatchKeepTheirOwnWindowsWhenTheyJoinLate()
    {
        using var scope = NewDisposeScope();
        var encoder = Encoder(2);
        var a = Tokens(8, batch: 1);
        var b = randn([1, 16, 4, 1, 1], generator: new Generator(6));
        using var mode = inference_mode();
        using var alone = new StreamState(1);
        encoder.Forward(a.narrow(2, 0, 4), alone);
        var specs = new ModelTrace(1);
        encoder.Trace(new VideoShape(16, 1, 1, 1), specs);
        using var fresh = StreamState.Zeros(specs.States, 1);                  // the zero state is a stream that has seen nothing
        using var joined = StreamState.Concatenate([alone, fresh]);
        // Stream b starts now, stream a continues: each must match its own sliding windows.
        var both = encoder.Forward(cat([a.narrow(2, 4, 4), b], 0), joined);
        Assert.True(TestModels.MaxAbsDiff(both.narrow(0, 0, 1), encoder.SlidingWindow(a).narrow(2, 4, 4)) <= 1e-4);
        Assert.True(TestModels.MaxAbsDiff(both.narrow(0, 1, 1), encoder.SlidingWindow(b)) <= 1e-4);
    }

    [Fact]
    public void OneBlockSavesTheWindowsRecomputationAndTwoBlocksSaveLess()
    {
        const int window = 64;
        long Macs(int blocks)
        {
            using var encoder = new ContinualTransformerEncoder(256, 8, 512, blocks, window);
            var trace = new ModelTrace(1);
            encoder.Trace(new VideoShape(256, 1, 1, 1), trace);
            return trace.MultiplyAdds;
        }
        // The regular encoder recomputes every layer on the whole window for each new token.
        long Regular(int blocks) => blocks * (window * 4L * 256 * 256 + window * 2L * 256 * 512 + 2L * window * window * 256);
        double one = (double)Regular(1) / Macs(1), two = (double)Regular(2) / Macs(2);
        Assert.InRange(one, 40, 80);          // paper: up to 63× for one block
        Assert.InRange(two, 1.5, 4);          // paper: 2.6× for two blocks
    }
}
