using MoViSharp.Layers;
using MoViSharp.Profiling;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Tests.Layers;

/// <summary>The shared transformer pieces against their definitions written out by hand.</summary>
public class TransformerLayerTests
{
    [Fact]
    public void LayerNormNormalisesTheChannelsOfTokensAndOfVideo()
    {
        using var scope = NewDisposeScope();
        var norm = TestModels.Randomize(new LayerNorm(6, epsilon: 1e-6));
        var tokens = randn(2, 5, 6, generator: new Generator(1)).mul(3).add(1);
        var mean = tokens.mean([-1], keepdim: true);
        var variance = tokens.sub(mean).pow(2).mean([-1], keepdim: true);
        var expected = tokens.sub(mean).div(variance.add(1e-6).sqrt()).mul(norm.Weight).add(norm.Bias);
        Assert.True(TestModels.MaxAbsDiff(norm.forward(tokens), expected) <= 1e-5);

        // Video [B, C, T, H, W]: the same normalisation at every frame and pixel, over C.
        var video = randn([2, 6, 3, 4, 5], generator: new Generator(2));
        var viaTokens = norm.forward(video.flatten(2).transpose(1, 2)).transpose(1, 2).reshape(2, 6, 3, 4, 5);
        Assert.True(TestModels.MaxAbsDiff(norm.forward(video), viaTokens) <= 1e-6);
        Assert.Throws<ArgumentException>(() => norm.forward(randn(2, 5, 7)));
    }

    [Fact]
    public void MultiHeadAttentionIsSoftmaxAttentionPerHead()
    {
        using var scope = NewDisposeScope();
        int inChannels = 6, channels = 8, heads = 2, d = 4;
        var attention = TestModels.Randomize(new MultiHeadAttention(inChannels, channels, heads, prefixTokens: 1));
        var x = randn(2, 7, inChannels, generator: new Generator(3));
        using var mode = inference_mode();
        var qkv = F.linear(x, attention.Qkv.weight!, attention.Qkv.bias);       // [B, N, 3·C], laid out [3][heads][d]
        var perHead = new List<Tensor>();
        for (int h = 0; h < heads; h++)
        {
            var q = qkv.narrow(2, h * d, d);
            var k = qkv.narrow(2, channels + h * d, d);
            var v = qkv.narrow(2, 2 * channels + h * d, d);
            var weights = q.matmul(k.transpose(1, 2)).div(Math.Sqrt(d)).softmax(-1);
            perHead.Add(weights.matmul(v));
        }
        var expected = F.linear(cat(perHead, 2), attention.Output.weight!, attention.Output.bias);
        Assert.True(TestModels.MaxAbsDiff(attention.forward(x), expected) <= 1e-5);
        Assert.Throws<NotSupportedException>(() => attention.Forward(x, new MoViSharp.Streaming.StreamState(2)));
        Assert.NotNull(attention.NotStreamableReason);

        // 2×3×1 grid + 1 class token = 7 tokens: qkv 7·6·24, q·kᵀ and a·v 2·2·7·7·4, output 7·8·8.
        var trace = new ModelTrace(1);
        Assert.Equal(new VideoShape(channels, 2, 3, 1), attention.Trace(new VideoShape(inChannels, 2, 3, 1), trace));
        Assert.Equal(7L * 6 * 24 + 2L * 2 * 7 * 7 * 4 + 7L * 8 * 8, trace.MultiplyAdds);
    }

    [Fact]
    public void TokenMlpIsLinearGeluLinear()
    {
        using var scope = NewDisposeScope();
        var mlp = TestModels.Randomize(new TokenMlp(4, 16, 5, prefixTokens: 1));
        var x = randn(1, 3, 4, generator: new Generator(4));
        var hidden = F.linear(x, mlp.Fc1.weight!, mlp.Fc1.bias);
        var gelu = hidden.mul(0.5).mul(hidden.div(Math.Sqrt(2)).erf().add(1));  // exact GELU, x·Φ(x)
        var expected = F.linear(gelu, mlp.Fc2.weight!, mlp.Fc2.bias);
        Assert.True(TestModels.MaxAbsDiff(mlp.forward(x), expected) <= 1e-5);
        var trace = new ModelTrace(1);
        Assert.Equal(new VideoShape(5, 1, 1, 2), mlp.Trace(new VideoShape(4, 1, 1, 2), trace));
        Assert.Equal(3L * 4 * 16 + 3L * 16 * 5, trace.MultiplyAdds);
    }
}
