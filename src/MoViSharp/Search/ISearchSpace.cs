using System.Text.Json.Nodes;
using MoViSharp.Data.Synthetic;
using MoViSharp.Models;

namespace MoViSharp.Search;

/// <summary>
/// A search space as data, what a search needs of it whatever the family: random points, one-choice mutations, containment, the
/// model configuration of a point and JSON for both the space and its points. <see cref="Kind"/> names the space's JSON format
/// (<c>movinet</c>, <c>tvn</c>), so a space file says which space it is.
/// </summary>
public interface ISearchSpace
{
    string Name { get; }
    string Kind { get; }

    /// <summary>A uniformly random point (every choice independent).</summary>
    ISearchPoint Sample(ref SplitMix64 random);

    /// <summary>The parent with exactly one choice changed, and a description of the change (e.g. "b2.spatial_kernel 3→5").</summary>
    (ISearchPoint Child, string Change) Mutate(ISearchPoint parent, ref SplitMix64 random);

    /// <summary>Every way <paramref name="point"/> falls outside this space (empty: it is a point).</summary>
    IReadOnlyList<string> Violations(ISearchPoint point);

    /// <summary>The configuration the registry builds (and `train --config`, `info`, `classify` and the compiler accept).</summary>
    ModelConfig ToConfig(ISearchPoint point, int classes, string name = "searched");

    ISearchPoint PointFromJson(JsonNode? node, string source);

    JsonObject ToJson();

    string ToJsonText();
}
