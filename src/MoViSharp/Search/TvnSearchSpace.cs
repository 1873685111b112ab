using System.Text.Json;
using System.Text.Json.Nodes;
using MoViSharp.Data.Synthetic;
using MoViSharp.Families.TinyVideoNets;
using MoViSharp.Models;

namespace MoViSharp.Search;

/// <summary>
/// The Tiny Video Network search space as data (related-models.md §7.1): a number of blocks in <see cref="BlockCount"/>, each
/// drawing its spatial and temporal ops, kernels, strides, filters, expansion, skip, SE ratio, context gate and repeats from
/// <see cref="Block"/>; the clip's frames, frame stride and image size. A point (<see cref="TvnArchitecture"/>) is a
/// <see cref="TvnConfig"/> without classes, so the registry, `train --config`, `info`, `classify` and the compiler take it. The
/// defaults contain the published TVN-1…4; they are wide (a random point can have 100 M+ parameters): narrow them in a space
/// file for a real search.
/// </summary>
public sealed record TvnSearchSpace : IScalableSearchSpace
{
    public const string KindName = "tvn";

    public string Kind => KindName;
    public string Name { get; init; } = "tvn";
    public SteppedRange BlockCount { get; init; } = new(1, 8);
    public TvnBlockChoices Block { get; init; } = new();
    public IReadOnlyList<int> Frames { get; init; } = [1, 2, 4, 8, 16, 32];
    public IReadOnlyList<int> FrameStrides { get; init; } = [1, 2, 3, 4, 5, 6, 7, 8];
    public IReadOnlyList<int> ImageSizes { get; init; } = [64, 96, 128, 160, 192, 224, 256];

    /// <summary>The full TVN space (the defaults above).</summary>
    public static TvnSearchSpace Default { get; } = new();

    // ---- points --------------------------------------------------------------------------------------------------------

    public IReadOnlyList<string> Violations(TvnArchitecture a)
    {
        var v = new List<string>();
        void Check(bool ok, string what) { if (!ok) v.Add(what); }
        static string L<T>(IEnumerable<T> values) => $"[{string.Join(", ", values)}]";
        var c = Block;
        Check(BlockCount.Contains(a.Blocks.Count), $"{a.Blocks.Count} blocks, not in {BlockCount}");
        for (int i = 0; i < a.Blocks.Count; i++)
        {
            var b = a.Blocks[i];
            Check(c.Filters.Contains(b.Filters), $"block {i} filters {b.Filters} not in {c.Filters}");
            Check(c.SpatialTypes.Contains(b.Spatial), $"block {i} spatial type {TvnConfigJson.SpatialName(b.Spatial)} not in {L(c.SpatialTypes.Select(TvnConfigJson.SpatialName))}");
            Check(c.SpatialKernels.Contains(b.SpatialKernel), $"block {i} spatial kernel {b.SpatialKernel} not in {L(c.SpatialKernels)}");
            Check(c.SpatialStrides.Contains(b.SpatialStride), $"block {i} spatial stride {b.SpatialStride} not in {L(c.SpatialStrides)}");
            Check(c.TemporalTypes.Contains(b.Temporal), $"block {i} temporal type {TvnConfigJson.TemporalName(b.Temporal)} not in {L(c.TemporalTypes.Select(TvnConfigJson.TemporalName))}");
            Check(c.TemporalKernels.Contains(b.TemporalKernel), $"block {i} temporal kernel {b.TemporalKernel} not in {L(c.TemporalKernels)}");
            Check(c.TemporalStrides.Contains(b.TemporalStride), $"block {i} temporal stride {b.TemporalStride} not in {L(c.TemporalStrides)}");
            Check(c.Expand.Contains(b.Expand), $"block {i} expand {b.Expand} not in {L(c.Expand)}");
            Check(c.Skip.Contains(b.Skip), $"block {i} skip {(b.Skip ? "on" : "off")} not allowed");
            Check(c.ContainsSqueeze(b.Squeeze), $"block {i} squeeze {b.Squeeze} not allowed (SE {L(c.SqueezeExcitation)}, ratio {c.SqueezeRatio.Min}…{c.SqueezeRatio.Max})");
            Check(c.ContextGate.Contains(b.ContextGate), $"block {i} context gate {(b.ContextGate ? "on" : "off")} not allowed");
            Check(c.Repeats.Contains(b.Repeats), $"block {i} repeats {b.Repeats} not in {c.Repeats}");
        }
        Check(Frames.Contains(a.Frames), $"frames {a.Frames} not in {L(Frames)}");
        Check(FrameStrides.Contains(a.FrameStride), $"frame stride {a.FrameStride} not in {L(FrameStrides)}");
        Check(ImageSizes.Contains(a.ImageSize), $"image size {a.ImageSize} not in {L(ImageSizes)}");
        return v;
    }

    public bool Contains(TvnArchitecture a) => Violations(a).Count == 0;

    /// <summary>The TVN configuration of <paramref name="a"/> (dropout and batch-norm settings: the family's defaults).</summary>
    public TvnConfig ToConfig(TvnArchitecture a, int classes, string name = "searched")
    {
        var problems = Violations(a);
        if (problems.Count > 0) throw new ArgumentException($"The architecture is not a point of the '{Name}' space: {string.Join("; ", problems)}.", nameof(a));
        return new TvnConfig { Name = name, NumClasses = classes, Blocks = a.Blocks.ToList(), Frames = a.Frames, FrameStride = a.FrameStride, ImageSize = a.ImageSize };
    }

    /// <summary>The point <paramref name="config"/> is (dropout and batch-norm settings aside), or why it is none.</summary>
    public (TvnArchitecture? Point, string? Reason) FromConfig(TvnConfig config)
    {
        var point = new TvnArchitecture(config.Blocks.ToList(), config.Frames, config.FrameStride, config.ImageSize);
        var problems = Violations(point);
        return problems.Count == 0 ? (point, null) : (null, string.Join("; ", problems));
    }

    // ---- compound scaling (IScalableSearchSpace) ------------------------------------------------------------------------

    /// <summary>Any filters and repeats; the base's block count, ops, kernels, strides, expansions, SE, skips and gates admitted.</summary>
    public ISearchSpace ScalingSpace(ISearchPoint basePoint)
    {
        var a = As(basePoint);
        var blocks = a.Blocks;
        var squeezes = blocks.Where(b => b.Squeeze > 0).Select(b => b.Squeeze).ToList();
        var c = Block;
        return this with
        {
            Name = Name + " (scaled)",
            BlockCount = new(Math.Min(BlockCount.Min, blocks.Count), Math.Max(BlockCount.Max, blocks.Count)),
            Block = c with
            {
                SpatialTypes = c.SpatialTypes.Union(blocks.Select(b => b.Spatial)).ToList(),
                SpatialKernels = c.SpatialKernels.Union(blocks.Select(b => b.SpatialKernel)).ToList(),
                SpatialStrides = c.SpatialStrides.Union(blocks.Select(b => b.SpatialStride)).ToList(),
                TemporalTypes = c.TemporalTypes.Union(blocks.Select(b => b.Temporal)).ToList(),
                TemporalKernels = c.TemporalKernels.Union(blocks.Select(b => b.TemporalKernel)).ToList(),
                TemporalStrides = c.TemporalStrides.Union(blocks.Select(b => b.TemporalStride)).ToList(),
                Filters = new(1, 1 << 20),
                Expand = c.Expand.Union(blocks.Select(b => b.Expand)).ToList(),
                Skip = c.Skip.Union(blocks.Select(b => b.Skip)).ToList(),
                SqueezeExcitation = c.SqueezeExcitation.Union(blocks.Select(b => b.Squeeze > 0)).ToList(),
                SqueezeRatio = new(squeezes.Append(c.SqueezeRatio.Min).Min(), squeezes.Append(c.SqueezeRatio.Max).Max()),
                ContextGate = c.ContextGate.Union(blocks.Select(b => b.ContextGate)).ToList(),
                Repeats = new(1, 1000),
            },
            Frames = Frames.Append(a.Frames).Distinct().ToList(),
            FrameStrides = FrameStrides.Append(a.FrameStride).Distinct().ToList(),
            ImageSizes = ImageSizes.Append(a.ImageSize).Distinct().ToList(),
        };
    }

    public ISearchPoint Scale(ISearchPoint basePoint, CompoundScaling scaling) => scaling.Apply(As(basePoint), Block.Filters.Step);

    public (IReadOnlyList<int> Resolutions, IReadOnlyList<int> Frames, IReadOnlyList<int> FrameStrides) InputAxes => (ImageSizes, Frames, FrameStrides);

    // ---- the generic view (ISearchSpace) -------------------------------------------------------------------------------

    ISearchPoint ISearchSpace.Sample(ref SplitMix64 random) => TvnSampler.Sample(this, ref random);

    (ISearchPoint Child, string Change) ISearchSpace.Mutate(ISearchPoint parent, ref SplitMix64 random) => TvnMutator.Mutate(this, As(parent), ref random);

    IReadOnlyList<string> ISearchSpace.Violations(ISearchPoint point) =>
        point is TvnArchitecture a ? Violations(a) : [$"a {point.GetType().Name} is not a point of a TVN space"];

    ModelConfig ISearchSpace.ToConfig(ISearchPoint point, int classes, string name) => ToConfig(As(point), classes, name);

    ISearchPoint ISearchSpace.PointFromJson(JsonNode? node, string source) => TvnArchitecture.FromJson(node, source);

    private TvnArchitecture As(ISearchPoint point) => point as TvnArchitecture
        ?? throw new ArgumentException($"A {point.GetType().Name} is not a point of the TVN space '{Name}'.", nameof(point));

    // ---- JSON ----------------------------------------------------------------------------------------------------------

    public JsonObject ToJson()
    {
        var c = Block;
        return new JsonObject
        {
            ["kind"] = Kind,
            ["name"] = Name,
            ["blocks"] = Range(BlockCount),
            ["block"] = new JsonObject
            {
                ["spatial_types"] = Strings(c.SpatialTypes.Select(TvnConfigJson.SpatialName)),
                ["spatial_kernels"] = Ints(c.SpatialKernels),
                ["spatial_strides"] = Ints(c.SpatialStrides),
                ["temporal_types"] = Strings(c.TemporalTypes.Select(TvnConfigJson.TemporalName)),
                ["temporal_kernels"] = Ints(c.TemporalKernels),
                ["temporal_strides"] = Ints(c.TemporalStrides),
                ["filters"] = Range(c.Filters),
                ["expand"] = Ints(c.Expand),
                ["skip"] = Bools(c.Skip),
                ["se"] = Bools(c.SqueezeExcitation),
                ["se_ratio"] = new JsonObject { ["min"] = c.SqueezeRatio.Min, ["max"] = c.SqueezeRatio.Max, ["step"] = c.SqueezeStep },
                ["context_gate"] = Bools(c.ContextGate),
                ["repeats"] = Range(c.Repeats),
            },
            ["frames"] = Ints(Frames),
            ["frame_strides"] = Ints(FrameStrides),
            ["image_sizes"] = Ints(ImageSizes),
        };
    }

    private static JsonObject Range(SteppedRange r) => r.Step == 1
        ? new JsonObject { ["min"] = r.Min, ["max"] = r.Max }
        : new JsonObject { ["min"] = r.Min, ["max"] = r.Max, ["step"] = r.Step };

    private static JsonArray Ints(IEnumerable<int> values) => new(values.Select(v => (JsonNode)v).ToArray());
    private static JsonArray Bools(IEnumerable<bool> values) => new(values.Select(v => (JsonNode)v).ToArray());
    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)v).ToArray());

    public string ToJsonText() => ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    public static TvnSearchSpace FromJson(JsonObject o, string source)
    {
        if (Json.String(o, "kind", source) != KindName) throw new InvalidDataException($"{source}: a '{o["kind"]}' space, not a TVN space.");
        var block = Json.Required(o, "block", source) as JsonObject ?? throw new InvalidDataException($"{source}: 'block' must be an object of per-block choices.");
        string bs = $"{source}: block";
        List<T> NonEmpty<T>(JsonObject from, string key, string where, Func<T, bool> valid, string rule)
        {
            var list = Json.List<T>(from, key, where);
            if (list.Count == 0) throw new InvalidDataException($"{where}: '{key}' must list at least one choice.");
            var bad = list.Where(v => !valid(v)).ToList();
            if (bad.Count > 0) throw new InvalidDataException($"{where}: '{key}' has {bad[0]}; {rule}.");
            return list.Distinct().ToList();
        }
        SteppedRange Stepped(JsonObject from, string key, string where, int least)
        {
            var r = Json.Required(from, key, where) as JsonObject ?? throw new InvalidDataException($"{where}: '{key}' must be {{\"min\", \"max\"[, \"step\"]}}.");
            var range = new SteppedRange(Json.Int(r, "min", $"{where}: {key}"), Json.Int(r, "max", $"{where}: {key}"), r["step"] is null ? 1 : Json.Int(r, "step", $"{where}: {key}"));
            if (range.Min < least || range.Max < range.Min || range.Step < 1)
                throw new InvalidDataException($"{where}: '{key}' needs {least} ≤ min ≤ max and step ≥ 1, got {range.Min}…{range.Max} step {range.Step}.");
            return range;
        }
        static bool Positive(int v) => v >= 1;
        var se = Json.Required(block, "se_ratio", bs) as JsonObject ?? throw new InvalidDataException($"{bs}: 'se_ratio' must be {{\"min\", \"max\", \"step\"}}.");
        var ratio = new RealRange(Json.Double(se, "min", $"{bs}: se_ratio"), Json.Double(se, "max", $"{bs}: se_ratio"));
        double step = Json.Double(se, "step", $"{bs}: se_ratio");
        if (!(ratio.Min > 0 && ratio.Max >= ratio.Min && ratio.Max <= 1 && step > 0))
            throw new InvalidDataException($"{bs}: 'se_ratio' needs 0 < min ≤ max ≤ 1 and step > 0, got {ratio.Min}…{ratio.Max} step {step}.");
        return new TvnSearchSpace
        {
            Name = Json.String(o, "name", source),
            BlockCount = Stepped(o, "blocks", source, 1),
            Block = new TvnBlockChoices
            {
                SpatialTypes = NonEmpty<string>(block, "spatial_types", bs, _ => true, "").Select(n => TvnConfigJson.ParseSpatial(n, $"{bs}: spatial_types")).ToList(),
                SpatialKernels = NonEmpty<int>(block, "spatial_kernels", bs, Positive, "kernels must be positive"),
                SpatialStrides = NonEmpty<int>(block, "spatial_strides", bs, Positive, "strides must be positive"),
                TemporalTypes = NonEmpty<string>(block, "temporal_types", bs, _ => true, "").Select(n => TvnConfigJson.ParseTemporal(n, $"{bs}: temporal_types")).ToList(),
                TemporalKernels = NonEmpty<int>(block, "temporal_kernels", bs, Positive, "kernels must be positive"),
                TemporalStrides = NonEmpty<int>(block, "temporal_strides", bs, Positive, "strides must be positive"),
                Filters = Stepped(block, "filters", bs, 1),
                Expand = NonEmpty<int>(block, "expand", bs, Positive, "expansion factors must be positive"),
                Skip = NonEmpty<bool>(block, "skip", bs, _ => true, ""),
                SqueezeExcitation = NonEmpty<bool>(block, "se", bs, _ => true, ""),
                SqueezeRatio = ratio,
                SqueezeStep = step,
                ContextGate = NonEmpty<bool>(block, "context_gate", bs, _ => true, ""),
                Repeats = Stepped(block, "repeats", bs, 1),
            },
            Frames = NonEmpty<int>(o, "frames", source, Positive, "frames must be positive"),
            FrameStrides = NonEmpty<int>(o, "frame_strides", source, Positive, "frame strides must be positive"),
            ImageSizes = NonEmpty<int>(o, "image_sizes", source, v => v >= 8, "image sizes must be at least 8"),
        };
    }
}
