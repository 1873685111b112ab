using System.Text.Json.Nodes;
using MoViSharp.Models;

namespace MoViSharp.Families.TinyVideoNets;

/// <summary>
/// A TVN configuration as JSON, close to found_tvns.py's own: {"family":"tvn","name","classes","num_frames","frame_stride",
/// "image_size","blocks":[{"filters","spatial_type":"std"|"depth"|"maxpool"|"avgpool","spatial_kernel","spatial_stride",
/// "temporal_type":"1d"|"maxpool"|"avgpool","temporal_kernel","temporal_stride","repeats","expand","squeeze","skip",
/// "context_gate"}, …]} plus optional "dropout", "bn_eps", "bn_momentum".
/// </summary>
public static class TvnConfigJson
{
    private static readonly Dictionary<string, TvnSpatialOp> SpatialNames = new()
    {
        ["std"] = TvnSpatialOp.Standard, ["depth"] = TvnSpatialOp.Depthwise, ["maxpool"] = TvnSpatialOp.MaxPool, ["avgpool"] = TvnSpatialOp.AveragePool,
    };

    private static readonly Dictionary<string, TvnTemporalOp> TemporalNames = new()
    {
        ["1d"] = TvnTemporalOp.Conv1d, ["maxpool"] = TvnTemporalOp.MaxPool, ["avgpool"] = TvnTemporalOp.AveragePool,
    };

    public static string Write(TvnConfig c) => new JsonObject
    {
        ["family"] = c.Family,
        ["name"] = c.Name,
        ["classes"] = c.NumClasses,
        ["num_frames"] = c.Frames,
        ["frame_stride"] = c.FrameStride,
        ["image_size"] = c.ImageSize,
        ["dropout"] = c.DropoutRate,
        ["bn_eps"] = c.BatchNormEpsilon,
        ["bn_momentum"] = c.BatchNormMomentum,
        ["blocks"] = new JsonArray(c.Blocks.Select(b => (JsonNode)WriteBlock(b)).ToArray()),
    }.ToJsonString();

    /// <summary>One block as found_tvns.py writes it (also the blocks of a TVN search point).</summary>
    public static JsonObject WriteBlock(TvnBlockSpec b) => new()
    {
        ["filters"] = b.Filters,
        ["spatial_type"] = SpatialName(b.Spatial),
        ["spatial_kernel"] = b.SpatialKernel,
        ["spatial_stride"] = b.SpatialStride,
        ["temporal_type"] = TemporalName(b.Temporal),
        ["temporal_kernel"] = b.TemporalKernel,
        ["temporal_stride"] = b.TemporalStride,
        ["repeats"] = b.Repeats,
        ["expand"] = b.Expand,
        ["squeeze"] = b.Squeeze,
        ["skip"] = b.Skip ? 1 : 0,
        ["context_gate"] = b.ContextGate ? 1 : 0,
    };

    /// <summary>A block object; <paramref name="source"/> names it in errors (e.g. "config.json: blocks[2]").</summary>
    public static TvnBlockSpec ReadBlock(JsonNode? node, string source)
    {
        var b = new ConfigJsonReader(node?.ToJsonString() ?? "null", source);
        return new TvnBlockSpec(
            b.Required<int>("filters"), b.Choice("spatial_type", SpatialNames), b.Required<int>("spatial_kernel"), b.Required<int>("spatial_stride"),
            b.Choice("temporal_type", TemporalNames), b.Required<int>("temporal_kernel"), b.Required<int>("temporal_stride"),
            b.Get("repeats", 1), b.Get("expand", 1), b.Get("squeeze", 0.0), b.Get("skip", 0) != 0, b.Get("context_gate", 0) != 0);
    }

    public static string SpatialName(TvnSpatialOp op) => SpatialNames.Single(p => p.Value == op).Key;
    public static string TemporalName(TvnTemporalOp op) => TemporalNames.Single(p => p.Value == op).Key;

    public static TvnSpatialOp ParseSpatial(string name, string source) => SpatialNames.TryGetValue(name, out var op) ? op
        : throw new InvalidDataException($"{source}: spatial type '{name}' is not one of {string.Join(", ", SpatialNames.Keys)}.");

    public static TvnTemporalOp ParseTemporal(string name, string source) => TemporalNames.TryGetValue(name, out var op) ? op
        : throw new InvalidDataException($"{source}: temporal type '{name}' is not one of {string.Join(", ", TemporalNames.Keys)}.");

    public static TvnConfig Read(string json, string source = "config")
    {
        var r = new ConfigJsonReader(json, source);
        var blocks = new List<TvnBlockSpec>();
        if (JsonNode.Parse(json)?["blocks"] is not JsonArray array) throw new InvalidDataException($"{source}: model config has no 'blocks' list.");
        for (int i = 0; i < array.Count; i++) blocks.Add(ReadBlock(array[i], $"{source}: blocks[{i}]"));
        var config = new TvnConfig
        {
            Name = r.Get("name", "custom"),
            NumClasses = r.Required<int>("classes"),
            Frames = r.Required<int>("num_frames"),
            FrameStride = r.Get("frame_stride", 1),
            ImageSize = r.Required<int>("image_size"),
            Blocks = blocks,
            DropoutRate = r.Get("dropout", 0.5),
            BatchNormEpsilon = r.Get("bn_eps", 1e-5),
            BatchNormMomentum = r.Get("bn_momentum", 0.1),
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}"); }
        return config;
    }
}
