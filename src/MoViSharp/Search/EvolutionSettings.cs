using System.Text.Json.Nodes;

namespace MoViSharp.Search;

/// <summary>
/// Runtime-constrained evolution (TVN/EvaNet-style, related-models.md §7): a population of <see cref="PopulationSize"/> feasible
/// points, tournaments of <see cref="TournamentSize"/>, one-choice mutations, oldest member retired per child (aging), a hard
/// <see cref="CostLimit"/>, stopping after <see cref="MaxEvaluations"/> trained candidates.
/// </summary>
/// <remarks>
/// Retiring the oldest (regularized evolution) keeps a long search exploring; retiring the least fit keeps the best members
/// until something beats them, which suits a short search started from a known good point (an initial point would otherwise
/// retire after the first child, whether or not it was ever a parent).
/// </remarks>
public sealed record EvolutionSettings
{
    public int PopulationSize { get; init; } = 8;
    public int TournamentSize { get; init; } = 3;
    public int MaxEvaluations { get; init; } = 40;
    /// <summary>Candidates costing more are rejected untrained (the hard runtime limit).</summary>
    public double CostLimit { get; init; } = double.PositiveInfinity;
    public long Seed { get; init; } = 1;
    /// <summary>Proposals allowed per evaluation before giving up (a limit no point of the space meets).</summary>
    public int MaxProposalsPerEvaluation { get; init; } = 200;
    /// <summary>Which member leaves when a child joins a full population.</summary>
    public Retirement Retire { get; init; } = Retirement.Oldest;

    public void Validate()
    {
        if (PopulationSize < 1 || TournamentSize < 1 || TournamentSize > PopulationSize)
            throw new ArgumentException($"Evolution needs 1 ≤ tournament ({TournamentSize}) ≤ population ({PopulationSize}).");
        if (MaxEvaluations < 1) throw new ArgumentException($"MaxEvaluations must be positive, got {MaxEvaluations}.");
        if (!(CostLimit > 0)) throw new ArgumentException($"The cost limit must be positive, got {CostLimit}.");
        if (MaxProposalsPerEvaluation < 1) throw new ArgumentException("MaxProposalsPerEvaluation must be positive.");
    }

    public JsonObject ToJson() => new()
    {
        ["population"] = PopulationSize,
        ["tournament"] = TournamentSize,
        ["max_evaluations"] = MaxEvaluations,
        ["cost_limit"] = double.IsPositiveInfinity(CostLimit) ? null : CostLimit,
        ["seed"] = Seed,
        ["max_proposals_per_evaluation"] = MaxProposalsPerEvaluation,
        ["retire"] = RetireName,
    };

    public static EvolutionSettings FromJson(JsonObject o, string source) => new()
    {
        PopulationSize = Json.Int(o, "population", source),
        TournamentSize = Json.Int(o, "tournament", source),
        MaxEvaluations = Json.Int(o, "max_evaluations", source),
        CostLimit = o["cost_limit"]?.GetValue<double>() ?? double.PositiveInfinity,
        Seed = Json.Long(o, "seed", source),
        MaxProposalsPerEvaluation = Json.Int(o, "max_proposals_per_evaluation", source),
        // States written before the choice existed retired the oldest.
        Retire = o["retire"]?.GetValue<string>() is not { } name ? Retirement.Oldest
            : RetirementNamed(name) ?? throw new InvalidDataException($"{source}: 'retire' must be \"oldest\" or \"worst\", not \"{name}\"."),
    };

    /// <summary>The name of <see cref="Retire"/> in the state file and on the command line.</summary>
    public string RetireName => Retire == Retirement.Oldest ? "oldest" : "worst";

    /// <summary>The retirement a name (oldest, worst; any case) stands for, or null.</summary>
    public static Retirement? RetirementNamed(string name) => name.ToLowerInvariant() switch
    {
        "oldest" => Retirement.Oldest,
        "worst" => Retirement.Worst,
        _ => null,
    };
}

/// <summary>Which member leaves a full population when a child joins.</summary>
public enum Retirement
{
    /// <summary>The member that joined first (aging, regularized evolution).</summary>
    Oldest,
    /// <summary>The least fit member, the new child included (lowest accuracy, then higher cost, then later).</summary>
    Worst,
}
