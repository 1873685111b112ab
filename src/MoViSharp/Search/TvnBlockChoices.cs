using MoViSharp.Families.TinyVideoNets;

namespace MoViSharp.Search;

/// <summary>An inclusive integer range with a step (the values are Min, Min + Step, … ≤ Max).</summary>
public sealed record SteppedRange(int Min, int Max, int Step = 1)
{
    public IReadOnlyList<int> Values => Enumerable.Range(0, (Max - Min) / Step + 1).Select(k => Min + k * Step).ToList();

    public bool Contains(int v) => v >= Min && v <= Max && (v - Min) % Step == 0;

    public override string ToString() => Step == 1 ? $"[{Min}, {Max}]" : $"{Min}…{Max} (step {Step})";
}

/// <summary>
/// What every block of a TVN point chooses from (the TVN search draws all blocks from one set of choices, related-models.md
/// §7.1): spatial op type, kernel and stride; temporal op type, kernel and stride (kernel 1: no op); filters; 1×1 expansion
/// factor; residual skip; squeeze-excitation (off, or a ratio in <see cref="SqueezeRatio"/>); context gate; repeats.
/// </summary>
public sealed record TvnBlockChoices
{
    public IReadOnlyList<TvnSpatialOp> SpatialTypes { get; init; } = Enum.GetValues<TvnSpatialOp>();
    public IReadOnlyList<int> SpatialKernels { get; init; } = [1, 2, 3, 4, 5];
    public IReadOnlyList<int> SpatialStrides { get; init; } = [1, 2, 3, 4];
    public IReadOnlyList<TvnTemporalOp> TemporalTypes { get; init; } = Enum.GetValues<TvnTemporalOp>();
    public IReadOnlyList<int> TemporalKernels { get; init; } = [1, 2, 3, 4, 5];
    public IReadOnlyList<int> TemporalStrides { get; init; } = [1, 2, 3];
    /// <summary>Filters: multiples of 4 so TVN-2's 348 is a point.</summary>
    public SteppedRange Filters { get; init; } = new(16, 1024, 4);
    public IReadOnlyList<int> Expand { get; init; } = [1, 2, 3, 4, 5, 6, 7, 8];
    public IReadOnlyList<bool> Skip { get; init; } = [false, true];
    public IReadOnlyList<bool> SqueezeExcitation { get; init; } = [false, true];
    /// <summary>Any ratio in [Min, Max] is a point (the published ratios are arbitrary reals); sampling and mutation use the grid of <see cref="SqueezeStep"/>.</summary>
    public RealRange SqueezeRatio { get; init; } = new(0.05, 1.0);
    public double SqueezeStep { get; init; } = 0.05;
    public IReadOnlyList<bool> ContextGate { get; init; } = [false, true];
    public SteppedRange Repeats { get; init; } = new(1, 6);

    /// <summary>The values a block's squeeze may take when sampled or mutated: 0 (SE off) if allowed, then the ratio grid.</summary>
    public IReadOnlyList<double> Squeezes
    {
        get
        {
            var values = new List<double>();
            if (SqueezeExcitation.Contains(false)) values.Add(0);
            if (SqueezeExcitation.Contains(true))
                for (int k = 0; SqueezeRatio.Min + k * SqueezeStep <= SqueezeRatio.Max + 1e-9; k++)
                    values.Add(Math.Round(SqueezeRatio.Min + k * SqueezeStep, 6));
            return values;
        }
    }

    public bool ContainsSqueeze(double squeeze) => squeeze == 0
        ? SqueezeExcitation.Contains(false)
        : SqueezeExcitation.Contains(true) && squeeze >= SqueezeRatio.Min - 1e-12 && squeeze <= SqueezeRatio.Max + 1e-12;
}
