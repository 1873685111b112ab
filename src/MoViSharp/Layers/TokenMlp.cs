using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Layers;

/// <summary>
/// A transformer's position-wise MLP on tokens [B, N, C]: Linear (<c>fc1</c>) → activation (GELU, the exact erf form) →
/// dropout → Linear (<c>fc2</c>) → dropout. Every token on its own, so it streams. Trace counts both linears over the grid's
/// tokens plus <see cref="PrefixTokens"/> (class tokens).
/// </summary>
public sealed class TokenMlp : StreamModule
{
    private readonly Linear fc1;
    private readonly Linear fc2;

    public int InChannels { get; }
    public int HiddenChannels { get; }
    public int OutChannels { get; }
    public ActivationKind Activation { get; }
    public double DropoutRate { get; }
    public int PrefixTokens { get; }
    public Linear Fc1 => fc1;
    public Linear Fc2 => fc2;

    public TokenMlp(int inChannels, int hiddenChannels, int outChannels, ActivationKind activation = ActivationKind.Gelu,
        double dropoutRate = 0, int prefixTokens = 0) : base(nameof(TokenMlp))
    {
        (InChannels, HiddenChannels, OutChannels, Activation, DropoutRate, PrefixTokens) =
            (inChannels, hiddenChannels, outChannels, activation, dropoutRate, prefixTokens);
        fc1 = nn.Linear(inChannels, hiddenChannels);
        fc2 = nn.Linear(hiddenChannels, outChannels);
        register_module("fc1", fc1);
        register_module("fc2", fc2);
    }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        var y = Activations.Apply(fc1.forward(x), Activation);
        if (DropoutRate > 0 && training) y = F.dropout(y, DropoutRate, training);
        y = fc2.forward(y);
        return DropoutRate > 0 && training ? F.dropout(y, DropoutRate, training) : y;
    }

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        long tokens = input.Frames * input.Height * input.Width + PrefixTokens;
        trace.AddMultiplyAdds(tokens * InChannels * HiddenChannels + tokens * HiddenChannels * OutChannels);
        return input with { Channels = OutChannels };
    }

    /// <summary>Children and parameters are registered by name in the constructor, never again by reflection over fields.</summary>
    protected override void RegisterComponents() { }
}
