using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Families.MViT;

/// <summary>
/// The skip path of a downsampling MViT block: the shared <see cref="MaxPool"/> (kernel s+1 where the stride s &gt; 1, padding
/// k//2) over the grid tokens [B, N, C]; the class token passes around it.
/// </summary>
public sealed class TokenMaxPool : StreamModule
{
    private readonly MaxPool pool;

    public TokenGrid Input { get; }

    public TokenMaxPool((int Time, int Height, int Width) stride, TokenGrid input) : base(nameof(TokenMaxPool))
    {
        static int KernelFor(int s) => s > 1 ? s + 1 : s;
        var kernel = (KernelFor(stride.Time), KernelFor(stride.Height), KernelFor(stride.Width));
        Input = input;
        pool = new MaxPool(kernel, stride, MViTGeometry.HalfKernel(kernel));
        register_module("pool", pool);
    }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        if (state is not null) throw new NotSupportedException(NotStreamableReason);
        return TokenGridPool.Apply(x, Input, 1, grid => pool.Forward(grid, null));
    }

    public override string NotStreamableReason => $"{(Path.Length == 0 ? "a token max pool" : Path)} pools the tokens of the whole clip";

    public override VideoShape Trace(VideoShape input, ModelTrace trace) => pool.Trace(input, trace);

    /// <summary>Children and parameters are registered by name in the constructor, never again by reflection over fields.</summary>
    protected override void RegisterComponents() { }
}
