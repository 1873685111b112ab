using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Families.MViT;

/// <summary>
/// MViT's pooling of queries, keys or values [B, heads, N, head_dim]: a depthwise 3-D convolution (<c>conv</c>, no bias,
/// padding k//2) over each head's grid tokens — the class token passes around it — then LayerNorm over head_dim (<c>norm</c>) on
/// every token, the class token included. The grid is fixed when the model is built.
/// </summary>
public sealed class AttentionPool : StreamModule
{
    private readonly ConvUnit conv;
    private readonly LayerNorm norm;

    public TokenGrid Input { get; }
    public TokenGrid Output { get; }
    public int Heads { get; }
    public ConvUnit Conv => conv;
    public LayerNorm Norm => norm;

    public AttentionPool(int heads, int headDim, (int Time, int Height, int Width) kernel, (int Time, int Height, int Width) stride,
        TokenGrid input, double epsilon) : base(nameof(AttentionPool))
    {
        Heads = heads;
        Input = input;
        var padding = MViTGeometry.HalfKernel(kernel);
        Output = input.After(kernel, stride, padding);
        conv = new ConvUnit(headDim, headDim, kernel, stride.Height, groups: headDim, batchNorm: false,
            temporalStride: stride.Time, padding: padding);
        norm = new LayerNorm(headDim, epsilon);
        register_module("conv", conv);
        register_module("norm", norm);
    }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        if (state is not null) throw new NotSupportedException(NotStreamableReason);
        return norm.Forward(TokenGridPool.Apply(x, Input, 1, grid => conv.Forward(grid, null)), null);
    }

    public override string NotStreamableReason => $"{(Path.Length == 0 ? "an attention pool" : Path)} pools the tokens of the whole clip";

    /// <summary>Per-head shape in, per-head shape out; multiply-adds of every head's convolution (the class token is not convolved).</summary>
    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        var perHead = new ModelTrace(trace.BatchSize);
        var output = conv.Trace(input, perHead);
        trace.AddMultiplyAdds(perHead.MultiplyAdds * Heads);
        return output;
    }

    /// <summary>Children and parameters are registered by name in the constructor, never again by reflection over fields.</summary>
    protected override void RegisterComponents() { }
}
