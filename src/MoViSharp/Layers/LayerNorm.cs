using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Layers;

/// <summary>
/// Layer normalisation over the channels of each position, with a learnable scale (<c>weight</c>) and shift (<c>bias</c>), as
/// PyTorch's <c>nn.LayerNorm(C)</c>. Two layouts: tokens [.., N, C] (channels last, transformers) and video [B, C, T, H, W]
/// (channels second, normalised per frame and pixel). It treats every position on its own, so it streams; normalisation
/// counts no multiply-adds (fvcore convention).
/// </summary>
public sealed class LayerNorm : StreamModule
{
    private readonly Parameter weight;
    private readonly Parameter bias;

    public int Channels { get; }
    public double Epsilon { get; }
    public Parameter Weight => weight;
    public Parameter Bias => bias;

    public LayerNorm(int channels, double epsilon = 1e-5) : base(nameof(LayerNorm))
    {
        Channels = channels;
        Epsilon = epsilon;
        weight = new Parameter(ones(channels));
        bias = new Parameter(zeros(channels));
        register_parameter("weight", weight);
        register_parameter("bias", bias);
    }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        if (x.dim() == 5)
        {
            if (x.shape[1] != Channels) throw new ArgumentException($"{Describe()} expects {Channels} channels, got [{string.Join(", ", x.shape)}].");
            return F.layer_norm(x.permute(0, 2, 3, 4, 1), [Channels], weight, bias, Epsilon).permute(0, 4, 1, 2, 3);
        }
        if (x.shape[^1] != Channels) throw new ArgumentException($"{Describe()} expects {Channels} channels last, got [{string.Join(", ", x.shape)}].");
        return F.layer_norm(x, [Channels], weight, bias, Epsilon);
    }

    public override VideoShape Trace(VideoShape input, ModelTrace trace) => input;

    private string Describe() => Path.Length == 0 ? "LayerNorm" : Path;

    /// <summary>Children and parameters are registered by name in the constructor, never again by reflection over fields.</summary>
    protected override void RegisterComponents() { }
}
