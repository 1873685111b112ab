using System.Globalization;
using System.Text.Json.Nodes;
using MoViSharp.Families.TinyVideoNets;

namespace MoViSharp.Search;

/// <summary>
/// A point of a <see cref="TvnSearchSpace"/>: the clip (frames <see cref="FrameStride"/> apart at <see cref="ImageSize"/>²) and the
/// blocks exactly as a <see cref="TvnConfig"/> holds them, so a point is a TVN config without classes and training knobs. JSON:
/// the config's own fields (<c>num_frames</c>, <c>frame_stride</c>, <c>image_size</c>, <c>blocks</c> as found_tvns.py writes them).
/// </summary>
public sealed record TvnArchitecture(IReadOnlyList<TvnBlockSpec> Blocks, int Frames, int FrameStride, int ImageSize) : ISearchPoint
{
    int ISearchPoint.Resolution => ImageSize;

    /// <summary>TVNs are clip models: SE, context gates and the head pool over the whole clip.</summary>
    bool ISearchPoint.Causal => false;

    public bool Equals(TvnArchitecture? o) => o is not null && Blocks.SequenceEqual(o.Blocks) && Frames == o.Frames &&
        FrameStride == o.FrameStride && ImageSize == o.ImageSize;

    public override int GetHashCode() => HashCode.Combine(Blocks.Count, Frames, FrameStride, ImageSize);

    /// <summary>A short form in related-models.md §7.1's notation, e.g. <c>2×224 s4 | 64 std4/2 maxpool2/2 ×2 e4 cg | …</c>.</summary>
    public override string ToString() => $"{Frames}×{ImageSize} s{FrameStride} | " + string.Join(" | ", Blocks.Select(b =>
        $"{b.Filters} {TvnConfigJson.SpatialName(b.Spatial)}{b.SpatialKernel}/{b.SpatialStride} {TvnConfigJson.TemporalName(b.Temporal)}{b.TemporalKernel}/{b.TemporalStride} " +
        $"×{b.Repeats} e{b.Expand}{(b.Squeeze > 0 ? " se" + b.Squeeze.ToString("0.##", CultureInfo.InvariantCulture) : "")}{(b.Skip ? " skip" : "")}{(b.ContextGate ? " cg" : "")}"));

    public JsonObject ToJson() => new()
    {
        ["num_frames"] = Frames,
        ["frame_stride"] = FrameStride,
        ["image_size"] = ImageSize,
        ["blocks"] = new JsonArray(Blocks.Select(b => (JsonNode)TvnConfigJson.WriteBlock(b)).ToArray()),
    };

    public static TvnArchitecture FromJson(JsonNode? node, string source)
    {
        var o = node as JsonObject ?? throw new InvalidDataException($"{source}: a TVN point must be a JSON object.");
        var blocks = Json.Array(o, "blocks", source).Select((b, i) => TvnConfigJson.ReadBlock(b, $"{source}: blocks[{i}]")).ToList();
        return new TvnArchitecture(blocks, Json.Int(o, "num_frames", source), Json.Int(o, "frame_stride", source), Json.Int(o, "image_size", source));
    }
}
