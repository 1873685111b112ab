using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Layers;

/// <summary>
/// The classifier on pooled features: 1×1×1 conv to the hidden width (bias, activation, no BN) → dropout → 1×1×1 conv to the
/// classes (bias). Works on [B, C, T, 1, 1], so a causal model classifies after every frame.
/// </summary>
public sealed class ClassifierHead : VideoLayer
{
    private readonly ConvUnit hidden;
    private readonly ConvUnit logits;

    public double DropoutRate { get; }
    public ConvUnit Hidden => hidden;
    public ConvUnit Logits => logits;

    public ClassifierHead(int inChannels, int hiddenChannels, int classes, ActivationKind activation, double dropoutRate, ConvExecution execution)
        : base(nameof(ClassifierHead))
    {
        DropoutRate = dropoutRate;
        hidden = new ConvUnit(inChannels, hiddenChannels, (1, 1, 1), useBias: true, batchNorm: false, activation: activation, execution: execution);
        logits = new ConvUnit(hiddenChannels, classes, (1, 1, 1), useBias: true, batchNorm: false, execution: execution);
        using (no_grad()) nn.init.normal_(logits.Weight, 0, 0.01);
        RegisterComponents();
    }

    public override Tensor Forward(Tensor pooled, StreamState? state)
    {
        var h = hidden.Forward(pooled, null);
        if (DropoutRate > 0 && training) h = F.dropout(h, DropoutRate, training);
        return logits.Forward(h, null);
    }

    public override VideoShape Trace(VideoShape input, ModelTrace trace) => logits.Trace(hidden.Trace(input, trace), trace);
}
