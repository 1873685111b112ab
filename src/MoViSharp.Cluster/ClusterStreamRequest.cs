using System.Text.RegularExpressions;
using MoViSharp.Server;

namespace MoViSharp.Cluster;

/// <summary>
/// The body of POST /streams on a cluster node: the single-machine server's fields for a synthetic stream, plus how many
/// frames it runs. Cluster streams are synthetic only (a replayable source: see <see cref="StreamGrain"/>).
/// </summary>
public sealed partial record ClusterStreamRequest
{
    public string? Id { get; init; }
    public string? Kind { get; init; }
    public double Fps { get; init; } = 15;
    public string? Model { get; init; }
    public long? Seed { get; init; }
    /// <summary>Frames to run (0: without end).</summary>
    public long Frames { get; init; }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdPattern();

    /// <summary>The grain's spec and the stream id (made up when none is given); throws <see cref="BadRequestException"/> naming the first thing wrong.</summary>
    public (string Id, ClusterStreamSpec Spec) Validate(ModelCatalog models)
    {
        if (Kind is not null && !Kind.Equals("synthetic", StringComparison.OrdinalIgnoreCase))
            throw new BadRequestException($"A cluster runs synthetic streams only (kind 'synthetic'), not '{Kind}'; files, URLs and pushed frames need `movisharp serve` without --cluster.");
        string id = Id ?? $"s-{Guid.NewGuid():N}"[..10];
        if (!IdPattern().IsMatch(id)) throw new BadRequestException($"Stream id '{id}' is not valid: use 1–64 letters, digits, '-' or '_'.");
        if (!double.IsFinite(Fps) || Fps <= 0 || Fps > 120) throw new BadRequestException($"fps must be in (0, 120], not {Fps}.");
        if (Frames < 0) throw new BadRequestException($"frames must be 0 (without end) or more, not {Frames}.");
        var (model, _) = models.Get(Model);
        return (id, new ClusterStreamSpec(Seed ?? StableSeed(id), Fps, model, Frames));
    }

    // The same id gives the same clips on every node and every run.
    private static long StableSeed(string id) => id.Aggregate(17L, (h, c) => unchecked(h * 31 + c)) & 0x7FFFFFFF;
}
