using MoViSharp.Streaming.Containers;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Layers;

/// <summary>
/// TSN's head on per-frame features [B, C, T, 1, 1]: dropout (training only) → a linear classifier on every frame (<c>fc</c>, a
/// 1×1×1 conv with bias) → optionally the average consensus over the frames (<c>consensus</c>: the clip's logits are the mean of
/// the frames'). Without the consensus it yields one prediction per frame (causal). One part, so a frozen backbone trains it
/// whole; its multiply-adds are counted per frame, as TSN-style models run it (TSM, bLVNet-TAM).
/// </summary>
public sealed class FrameClassifierHead : Sequential
{
    public ConvUnit Fc { get; }
    public bool Consensus { get; }

    public FrameClassifierHead(int inChannels, int classes, double dropoutRate, bool consensus, double initStd)
        : base(nameof(FrameClassifierHead), [])
    {
        Consensus = consensus;
        Fc = new ConvUnit(inChannels, classes, (1, 1, 1), useBias: true, batchNorm: false, padding: (0, 0, 0));
        using (no_grad()) nn.init.normal_(Fc.Weight, 0, initStd);
        Add("dropout", new Dropout(dropoutRate));
        Add("fc", Fc);
        if (consensus) Add("consensus", new GlobalAveragePool());
    }
}
