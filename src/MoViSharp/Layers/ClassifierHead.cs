using MoViSharp.Streaming.Containers;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>
/// The classifier on pooled features: 1×1×1 conv to the hidden width (bias, activation, no BN) → dropout → 1×1×1 conv to the
/// classes (bias). Works on [B, C, T, 1, 1], so a causal model classifies after every frame.
/// </summary>
public sealed class ClassifierHead : Sequential
{
    public double DropoutRate { get; }
    public ConvUnit Hidden { get; }
    public ConvUnit Logits { get; }

    public ClassifierHead(int inChannels, int hiddenChannels, int classes, ActivationKind activation, double dropoutRate, ConvExecution execution)
        : base(nameof(ClassifierHead), [])
    {
        DropoutRate = dropoutRate;
        Hidden = new ConvUnit(inChannels, hiddenChannels, (1, 1, 1), useBias: true, batchNorm: false, activation: activation, execution: execution);
        Logits = new ConvUnit(hiddenChannels, classes, (1, 1, 1), useBias: true, batchNorm: false, execution: execution);
        using (no_grad()) nn.init.normal_(Logits.Weight, 0, 0.01);
        Add("hidden", Hidden);
        Add("dropout", new Dropout(dropoutRate));
        Add("logits", Logits);
    }
}
