using MoViSharp.Layers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MoViSharp.Inference;

/// <summary>
/// The head after the backbone, for one frame: folded 1×1 head conv → spatial mean added to a running sum → divided by the
/// frame count (the cumulative average pool) → two linear layers (the classifier's 1×1×1 convs). Dropout is inference-free.
/// </summary>
public sealed class FusedClassifier : IDisposable
{
    private readonly FoldedConv2d head;
    private readonly Tensor hiddenWeight, hiddenBias, logitsWeight, logitsBias;
    private readonly ActivationKind hiddenActivation;
    private Tensor runningSum;        // [B, C_head]

    public int HeadChannels { get; }

    public FusedClassifier(ConvUnit headUnit, ClassifierHead classifier, long batch)
    {
        head = new FoldedConv2d(headUnit);
        HeadChannels = headUnit.OutChannels;
        var (hw, hb) = BatchNormFolding.Fold(classifier.Hidden);
        var (lw, lb) = BatchNormFolding.Fold(classifier.Logits);
        hiddenWeight = hw.flatten(1).contiguous().DetachFromDisposeScope();
        logitsWeight = lw.flatten(1).contiguous().DetachFromDisposeScope();
        hiddenBias = hb.DetachFromDisposeScope();
        logitsBias = lb.DetachFromDisposeScope();
        hw.Dispose(); lw.Dispose();
        hiddenActivation = classifier.Hidden.Activation;
        runningSum = zeros(batch, HeadChannels).DetachFromDisposeScope();
    }

    /// <summary>Backbone output [B, C, H, W] → logits [B, classes].</summary>
    internal Tensor Forward(Tensor x, StepContext context)
    {
        var features = head.Forward(x);
        runningSum.add_(features.mean([2, 3], false, null));
        var pooled = runningSum.div(context.CountsAfter);
        var hidden = F.linear(pooled, hiddenWeight, hiddenBias);
        InPlaceActivation.Apply(hidden, hiddenActivation);
        return F.linear(hidden, logitsWeight, logitsBias);
    }

    internal Tensor ExportPool() => runningSum.reshape(runningSum.shape[0], 1, 1, 1, HeadChannels).clone();

    internal void ImportPool(Tensor official)
    {
        var next = official.reshape(official.shape[0], HeadChannels).to_type(ScalarType.Float32).clone().DetachFromDisposeScope();
        runningSum.Dispose();
        runningSum = next;
    }

    public void Dispose()
    {
        head.Dispose();
        foreach (var t in new[] { hiddenWeight, hiddenBias, logitsWeight, logitsBias, runningSum }) t.Dispose();
    }
}
