namespace MoViSharp.Streaming;

/// <summary>
/// How a module sees time, in input frames: its temporal <see cref="ReceptiveField"/> (how many input frames one output
/// depends on), its <see cref="Delay"/> (how many steps after an input frame arrives the output that it completes appears:
/// 0 for causal layers, k−1−p for a kernel k with p frames of left padding) and its temporal <see cref="Stride"/>
/// (one output every s input frames). The facts and composition rules of the continual-inference library (related-models.md §2.2).
/// A receptive field of 0 is unbounded (a cumulative average over everything since the stream started).
/// </summary>
public readonly record struct TemporalProfile(int ReceptiveField, int Delay, int Stride)
{
    /// <summary>A module that treats every frame on its own (1×1 convs, activations, spatial layers).</summary>
    public static TemporalProfile Pointwise { get; } = new(1, 0, 1);

    /// <summary>This module followed by <paramref name="next"/>: receptive fields widen by the next one's times this stride,
    /// delays add (the next one's counted in this module's input frames), strides multiply.</summary>
    public TemporalProfile Then(TemporalProfile next) => new(
        ReceptiveField == 0 || next.ReceptiveField == 0 ? 0 : checked(ReceptiveField + (next.ReceptiveField - 1) * Stride),
        checked(Delay + next.Delay * Stride),
        checked(Stride * next.Stride));

    /// <summary>Parallel branches after delay alignment: the widest receptive field and the largest delay; strides must agree.</summary>
    public static TemporalProfile Parallel(IEnumerable<TemporalProfile> branches)
    {
        var list = branches.ToList();
        if (list.Count == 0) return Pointwise;
        if (list.Select(b => b.Stride).Distinct().Count() > 1)
            throw new ArgumentException($"Parallel branches must share one temporal stride, got {string.Join(", ", list.Select(b => b.Stride))}.");
        int field = list.Any(b => b.ReceptiveField == 0) ? 0 : list.Max(b => b.ReceptiveField);
        return new TemporalProfile(field, list.Max(b => b.Delay), list[0].Stride);
    }

    /// <summary>A cumulative layer: every frame since the start of the stream.</summary>
    public static TemporalProfile Cumulative { get; } = new(0, 0, 1);

    public bool Unbounded => ReceptiveField == 0;

    public override string ToString() => $"receptive field {(Unbounded ? "unbounded" : ReceptiveField.ToString())}, delay {Delay}, stride {Stride}";
}
