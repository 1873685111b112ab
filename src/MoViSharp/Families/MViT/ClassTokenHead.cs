using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Dropout = MoViSharp.Layers.Dropout;

namespace MoViSharp.Families.MViT;

/// <summary>
/// The classifier on the class token: tokens [B, 1+N, C] → the first token → dropout (training only) → Linear (<c>linear</c>)
/// → logits [B, K, 1, 1, 1], the last part of a clip model.
/// </summary>
public sealed class ClassTokenHead : StreamModule
{
    private readonly Dropout dropout;
    private readonly Linear linear;

    public Linear Linear => linear;

    public ClassTokenHead(int channels, int classes, double dropoutRate) : base(nameof(ClassTokenHead))
    {
        dropout = new Dropout(dropoutRate);
        linear = nn.Linear(channels, classes);
        using (no_grad())
        {
            nn.init.trunc_normal_(linear.weight!, std: 0.02);
            nn.init.zeros_(linear.bias!);
        }
        register_module("dropout", dropout);
        register_module("linear", linear);
    }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        var token = x.select(1, 0);
        var logits = linear.forward(dropout.Forward(token, null));
        return logits.view(logits.shape[0], logits.shape[1], 1, 1, 1);
    }

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        trace.AddMultiplyAdds(input.Channels * linear.weight!.shape[0]);
        return new VideoShape(linear.weight.shape[0], 1, 1, 1);
    }

    /// <summary>Children and parameters are registered by name in the constructor, never again by reflection over fields.</summary>
    protected override void RegisterComponents() { }
}
