using System.Text.Json.Nodes;

namespace MoViSharp.Search;

/// <summary>One layer of a searched block: its expansion width (channels) and depthwise kernel k_t × k × k.</summary>
public sealed record SearchedLayer(int Expand, int KernelTime, int KernelSize)
{
    public string Kernel => KernelChoice.Format(KernelTime, KernelSize);
}

/// <summary>One block (TF "block", our stage) of a searched network: output width and its layers (the depth is their count).</summary>
public sealed record SearchedBlock(int Width, IReadOnlyList<SearchedLayer> Layers)
{
    public bool Equals(SearchedBlock? other) => other is not null && Width == other.Width && Layers.SequenceEqual(other.Layers);
    public override int GetHashCode() => HashCode.Combine(Width, Layers.Count);
}

/// <summary>
/// A point of a <see cref="MoViNetSearchSpace"/>: every choice as a plain value (widths and expansions in channels), so a point
/// reads like a published spec. <see cref="MoViNetSearchSpace.ToConfig"/> turns it into a <see cref="Families.MoViNets.MoViNetConfig"/>;
/// <see cref="FrameStride"/> is a data-side choice (frames taken every n-th source frame, i.e. the frame rate) that the config
/// does not hold.
/// </summary>
public sealed record MoViNetArchitecture(
    int Stem, IReadOnlyList<SearchedBlock> Blocks, int Head, int Hidden, bool SqueezeExcitation, bool Causal,
    int Frames, int FrameStride, int Resolution) : ISearchPoint
{
    public int LayerCount => Blocks.Sum(b => b.Layers.Count);

    public bool Equals(MoViNetArchitecture? o) => o is not null && Stem == o.Stem && Blocks.SequenceEqual(o.Blocks) && Head == o.Head &&
        Hidden == o.Hidden && SqueezeExcitation == o.SqueezeExcitation && Causal == o.Causal && Frames == o.Frames &&
        FrameStride == o.FrameStride && Resolution == o.Resolution;

    public override int GetHashCode() => HashCode.Combine(Stem, Blocks.Count, LayerCount, Head, Resolution, Frames);

    /// <summary>A short human-readable form, e.g. <c>16 | 16:[40 1x5x5] … | 480/2048 se causal 50×172 s5</c>.</summary>
    public override string ToString() =>
        $"{Stem} | {string.Join(" | ", Blocks.Select(b => $"{b.Width}:[{string.Join(", ", b.Layers.Select(l => $"{l.Expand} {l.Kernel}"))}]"))} | " +
        $"{Head}/{Hidden}{(SqueezeExcitation ? " se" : "")}{(Causal ? " causal" : "")} {Frames}×{Resolution} s{FrameStride}";

    public JsonObject ToJson() => new()
    {
        ["stem"] = Stem,
        ["blocks"] = new JsonArray(Blocks.Select(b => (JsonNode)new JsonObject
        {
            ["width"] = b.Width,
            ["layers"] = new JsonArray(b.Layers.Select(l => (JsonNode)new JsonObject { ["expand"] = l.Expand, ["kernel"] = l.Kernel }).ToArray()),
        }).ToArray()),
        ["head"] = Head,
        ["hidden"] = Hidden,
        ["se"] = SqueezeExcitation,
        ["causal"] = Causal,
        ["frames"] = Frames,
        ["frame_stride"] = FrameStride,
        ["resolution"] = Resolution,
    };

    public static MoViNetArchitecture FromJson(JsonNode? node, string source)
    {
        var o = node as JsonObject ?? throw new InvalidDataException($"{source}: an architecture must be a JSON object.");
        var blocks = (o["blocks"] as JsonArray ?? throw new InvalidDataException($"{source}: architecture has no 'blocks' array."))
            .Select((b, i) =>
            {
                var block = b as JsonObject ?? throw new InvalidDataException($"{source}: block {i} is not an object.");
                var layers = (block["layers"] as JsonArray ?? throw new InvalidDataException($"{source}: block {i} has no 'layers'."))
                    .Select((l, j) =>
                    {
                        var layer = l as JsonObject ?? throw new InvalidDataException($"{source}: block {i} layer {j} is not an object.");
                        var (kt, k) = KernelChoice.Parse(Json.String(layer, "kernel", $"{source}: block {i} layer {j}"), $"{source}: block {i} layer {j}");
                        return new SearchedLayer(Json.Int(layer, "expand", $"{source}: block {i} layer {j}"), kt, k);
                    }).ToList();
                return new SearchedBlock(Json.Int(block, "width", $"{source}: block {i}"), layers);
            }).ToList();
        return new MoViNetArchitecture(Json.Int(o, "stem", source), blocks, Json.Int(o, "head", source), Json.Int(o, "hidden", source),
            Json.Bool(o, "se", source), Json.Bool(o, "causal", source), Json.Int(o, "frames", source), Json.Int(o, "frame_stride", source),
            Json.Int(o, "resolution", source));
    }
}
