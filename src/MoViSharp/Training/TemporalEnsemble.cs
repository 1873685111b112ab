using MoViSharp.Models;
using static TorchSharp.torch;

namespace MoViSharp.Training;

/// <summary>
/// Two models of one architecture, each run at half the frame rate one frame apart (the first on frames 0, 2, 4…, the second on
/// 1, 3, 5…); their logits are averaged before softmax (MoViNet paper, "temporal ensembles"). Costs about one full-rate model.
/// For causal members, output position t averages logits after frames 2t and 2t+1, i.e. having seen 2t + 2 frames.
/// </summary>
public sealed class TemporalEnsemble : IClipClassifier, IDisposable
{
    public MoViNet Even { get; }
    public MoViNet Odd { get; }

    public TemporalEnsemble(MoViNet even, MoViNet odd)
    {
        if (even.Config.NumClasses != odd.Config.NumClasses)
            throw new ArgumentException($"Ensemble members disagree on classes: {even.Config.NumClasses} vs {odd.Config.NumClasses}.");
        if (even.Config.Causal != odd.Config.Causal)
            throw new ArgumentException("Ensemble members must both be causal (stream) or both base models.");
        Even = even;
        Odd = odd;
    }

    public int NumClasses => Even.Config.NumClasses;

    /// <summary>Frames 0, 2, 4… and 1, 3, 5… of clips [N, 3, T, H, W] (T ≥ 2).</summary>
    public static (Tensor Even, Tensor Odd) Split(Tensor clips)
    {
        long frames = clips.shape[2];
        if (frames < 2) throw new ArgumentException($"A temporal ensemble needs at least 2 frames, got {frames}.");
        using var even = arange(0, frames, 2, dtype: ScalarType.Int64, device: clips.device);
        using var odd = arange(1, frames, 2, dtype: ScalarType.Int64, device: clips.device);
        return (clips.index_select(2, even), clips.index_select(2, odd));
    }

    /// <summary>Averages two members' logits [N, P, K] position by position (the shorter length wins).</summary>
    public static Tensor Average(Tensor a, Tensor b)
    {
        long positions = Math.Min(a.shape[1], b.shape[1]);
        return a.narrow(1, 0, positions).add(b.narrow(1, 0, positions)).mul(0.5);
    }

    public Tensor Logits(Tensor clips)
    {
        var (even, odd) = Split(clips);
        return Average(Even.Forward(even, null), Odd.Forward(odd, null));
    }

    public int FramesSeen(int position, int positions, int frames) => positions == 1 ? frames : 2 * position + 2;

    public void Dispose()
    {
        Even.Dispose();
        Odd.Dispose();
    }
}
