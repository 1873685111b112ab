using MoViSharp.Models;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Classification;

/// <summary>
/// A temporal ensemble (MoViNet paper): two classifiers of one architecture, each at half the frame rate one frame apart — the
/// first sees frames 0, 2, 4…, the second 1, 3, 5… — their logits averaged before softmax. On clips it splits the frames and
/// averages position by position (for causal members, position t has seen 2t + 2 frames); online each frame runs through one
/// member only, so it costs about one full-rate model. The members may be plain or compiled.
/// </summary>
public sealed class TemporalEnsemble : IVideoClassifier
{
    private const string FramesKey = "ensemble.frames", EvenLogitsKey = "ensemble.even_logits", OddLogitsKey = "ensemble.odd_logits";

    public IVideoClassifier Even { get; }
    public IVideoClassifier Odd { get; }

    public TemporalEnsemble(IVideoClassifier even, IVideoClassifier odd)
    {
        if (even.NumClasses != odd.NumClasses)
            throw new ArgumentException($"Ensemble members disagree on classes: {even.NumClasses} vs {odd.NumClasses}.");
        if ((even.NotStreamableReason is null) != (odd.NotStreamableReason is null))
            throw new ArgumentException("Ensemble members must both be stream models or both clip models.");
        if (even.Labels is not null && odd.Labels is not null && !even.Labels.SequenceEqual(odd.Labels))
            throw new ArgumentException("Ensemble members have different labels.");
        Even = even;
        Odd = odd;
    }

    public string Name => $"temporal ensemble of {Even.Name} and {Odd.Name}";
    public int NumClasses => Even.NumClasses;
    public IReadOnlyList<string>? Labels => Even.Labels ?? Odd.Labels;
    /// <summary>A member's preprocessing with twice its frames (each member sees every other frame).</summary>
    public Preprocessing Preprocessing => Even.Preprocessing with { Frames = 2 * Even.Preprocessing.Frames };
    public string? NotStreamableReason => Even.NotStreamableReason ?? Odd.NotStreamableReason;
    public int Delay => 2 * Math.Max(Even.Delay, Odd.Delay);

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

    public Tensor ClipLogits(Tensor clips)
    {
        var (even, odd) = Split(clips);
        return Average(Even.ClipLogits(even), Odd.ClipLogits(odd));
    }

    public int FramesSeen(int position, int positions, int frames) => positions == 1 ? frames : 2 * position + 2;

    public IClassifierState InitialState(int batch, int height, int width) =>
        new State(Even.InitialState(batch, height, width), Odd.InitialState(batch, height, width), 0, null, null);

    public Tensor? Step(Tensor frames, IClassifierState state)
    {
        var s = (State)state;
        var member = s.Frames % 2 == 0 ? Even : Odd;
        var logits = member.Step(frames, s.Frames % 2 == 0 ? s.EvenState : s.OddState);
        s.Frames++;
        if (logits is null) return null;
        s.Replace(s.Frames % 2 == 1, logits);
        return s.OddLogits is null ? s.EvenLogits!.clone() : s.EvenLogits!.add(s.OddLogits).mul_(0.5);
    }

    public StreamState Export(IClassifierState state)
    {
        var s = (State)state;
        var result = new StreamState(s.BatchSize);
        using (var even = Even.Export(s.EvenState)) foreach (var (name, t) in even.Entries()) result.Set($"even.{name}", t.clone());
        using (var odd = Odd.Export(s.OddState)) foreach (var (name, t) in odd.Entries()) result.Set($"odd.{name}", t.clone());
        result.Set(FramesKey, full(s.BatchSize, s.Frames, dtype: ScalarType.Int32));
        if (s.EvenLogits is not null) result.Set(EvenLogitsKey, s.EvenLogits.clone());
        if (s.OddLogits is not null) result.Set(OddLogitsKey, s.OddLogits.clone());
        return result;
    }

    public IClassifierState Import(StreamState state, int height, int width)
    {
        using var even = Member(state, "even.");
        using var odd = Member(state, "odd.");
        var counts = state[FramesKey].data<int>().ToArray();
        if (counts.Distinct().Count() > 1)
            throw new NotSupportedException($"Streams of one ensemble batch must have seen equally many frames modulo 2 (got {string.Join(", ", counts)}).");
        return new State(Even.Import(even, height, width), Odd.Import(odd, height, width), counts[0],
            state.TryGet(EvenLogitsKey, out var e) ? e.clone() : null, state.TryGet(OddLogitsKey, out var o) ? o.clone() : null);
    }

    private static StreamState Member(StreamState state, string prefix)
    {
        var member = new StreamState(state.BatchSize);
        foreach (var (name, t) in state.Entries())
            if (name.StartsWith(prefix, StringComparison.Ordinal)) member.Set(name[prefix.Length..], t.clone());
        return member;
    }

    public void Dispose()
    {
        Even.Dispose();
        Odd.Dispose();
    }

    private sealed class State(IClassifierState even, IClassifierState odd, int frames, Tensor? evenLogits, Tensor? oddLogits) : IClassifierState
    {
        public IClassifierState EvenState { get; } = even;
        public IClassifierState OddState { get; } = odd;
        public int Frames { get; set; } = frames;
        public Tensor? EvenLogits { get; private set; } = evenLogits?.DetachFromDisposeScope();
        public Tensor? OddLogits { get; private set; } = oddLogits?.DetachFromDisposeScope();
        public int BatchSize => EvenState.BatchSize;
        public int Height => EvenState.Height;
        public int Width => EvenState.Width;

        /// <summary>Keeps a copy of a member's latest logits (the caller's tensor stays the caller's).</summary>
        public void Replace(bool even, Tensor logits)
        {
            var copy = logits.clone().DetachFromDisposeScope();
            logits.Dispose();
            if (even) { EvenLogits?.Dispose(); EvenLogits = copy; }
            else { OddLogits?.Dispose(); OddLogits = copy; }
        }

        public void Dispose()
        {
            EvenState.Dispose();
            OddState.Dispose();
            EvenLogits?.Dispose();
            OddLogits?.Dispose();
        }
    }
}
