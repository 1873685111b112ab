using System.Text.Json;
using System.Text.Json.Nodes;
using MoViSharp.Data.Synthetic;
using MoViSharp.Families.MoViNets;
using MoViSharp.Layers;
using MoViSharp.Models;

namespace MoViSharp.Search;

/// <summary>A block slot of the macro skeleton: the width its multiplier scales and its (spatial) stride on layer 0.</summary>
public sealed record BlockSlot(int BaseWidth, int Stride);

/// <summary>An inclusive range of a real-valued choice.</summary>
public sealed record RealRange(double Min, double Max);

/// <summary>
/// The MoViNet search space as data (movinet.md §5): stem → blocks of inverted bottlenecks → 1×1×1 head → pool → classifier. Per
/// block: width = base width × a multiplier in [<see cref="WidthMultiplier"/>], as a multiple of <see cref="WidthStep"/>; depth in
/// [<see cref="DepthMin"/>, <see cref="DepthMax"/>]; per layer a depthwise kernel from <see cref="Kernels"/> and an expansion width
/// (a multiple of <see cref="WidthStep"/> whose ratio to the block width lies in <see cref="ExpansionRatio"/>). Global: SE on/off,
/// causal or not, classifier hidden width, and the compound-scaling axes (input frames, frame stride i.e. frame rate, resolution).
/// Widths and expansions are ranges rather than short lists so the published A0–A3 are points (their per-block widths are not a
/// common multiple of any base); a space file can narrow every range (e.g. the paper's multipliers 0.75–1.25).
/// </summary>
public sealed record MoViNetSearchSpace : IScalableSearchSpace
{
    public const string KindName = "movinet";

    public string Kind => KindName;
    public string Name { get; init; } = "movinet";
    public int StemBaseWidth { get; init; } = 16;
    public IReadOnlyList<BlockSlot> Blocks { get; init; } = [new(24, 2), new(48, 2), new(96, 2), new(96, 1), new(192, 2)];
    public int HeadBaseWidth { get; init; } = 512;
    public RealRange WidthMultiplier { get; init; } = new(0.25, 3.0);
    public int WidthStep { get; init; } = 8;
    public int DepthMin { get; init; } = 1;
    public int DepthMax { get; init; } = 10;
    public IReadOnlyList<(int Time, int Size)> Kernels { get; init; } = [(1, 3), (1, 5), (1, 7), (5, 1), (7, 1), (3, 3), (5, 3)];
    public RealRange ExpansionRatio { get; init; } = new(1.0, 6.0);
    public IReadOnlyList<int> Hidden { get; init; } = [1024, 2048];
    public IReadOnlyList<bool> SqueezeExcitation { get; init; } = [true, false];
    public IReadOnlyList<bool> Causal { get; init; } = [true, false];
    public IReadOnlyList<int> Frames { get; init; } = [8, 16, 32, 50, 80, 120];
    public IReadOnlyList<int> FrameStrides { get; init; } = [1, 2, 3, 4, 5];
    public IReadOnlyList<int> Resolutions { get; init; } = [64, 96, 128, 160, 172, 192, 224, 256, 290, 320];

    /// <summary>The full MoViNet space (the defaults above).</summary>
    public static MoViNetSearchSpace Default { get; } = new();

    /// <summary>
    /// This skeleton with every range opened and every list extended so that <paramref name="points"/> are points of it: how
    /// points found outside the space (scaled variants, published models) are built and timed with the space's block strides.
    /// </summary>
    public MoViNetSearchSpace Admitting(IEnumerable<MoViNetArchitecture> points)
    {
        var p = points.ToList();
        return this with
        {
            WidthMultiplier = new(1e-3, 1e3), ExpansionRatio = new(1e-3, 1e3), DepthMin = 1, DepthMax = 1000,
            Kernels = Kernels.Union(p.SelectMany(a => a.Blocks).SelectMany(b => b.Layers).Select(l => (l.KernelTime, l.KernelSize))).ToList(),
            Hidden = Hidden.Union(p.Select(a => a.Hidden)).ToList(),
            SqueezeExcitation = SqueezeExcitation.Union(p.Select(a => a.SqueezeExcitation)).ToList(),
            Causal = Causal.Union(p.Select(a => a.Causal)).ToList(),
            Frames = Frames.Union(p.Select(a => a.Frames)).ToList(),
            FrameStrides = FrameStrides.Union(p.Select(a => a.FrameStride)).ToList(),
            Resolutions = Resolutions.Union(p.Select(a => a.Resolution)).ToList(),
        };
    }

    /// <summary>Scaled variants keep the base's kernels, hidden width, SE and causality, whatever this space lists.</summary>
    public ISearchSpace ScalingSpace(ISearchPoint basePoint)
    {
        var b = As(basePoint);
        return Admitting([b]) with { Name = Name + " (scaled)", Hidden = [b.Hidden], SqueezeExcitation = [b.SqueezeExcitation], Causal = [b.Causal] };
    }

    public ISearchPoint Scale(ISearchPoint basePoint, CompoundScaling scaling) => scaling.Apply(As(basePoint), WidthStep);

    public (IReadOnlyList<int> Resolutions, IReadOnlyList<int> Frames, IReadOnlyList<int> FrameStrides) InputAxes => (Resolutions, Frames, FrameStrides);

    // ---- choices -------------------------------------------------------------------------------------------------------

    /// <summary>The widths a slot of base width <paramref name="baseWidth"/> may take (ascending, at least one).</summary>
    public IReadOnlyList<int> Widths(int baseWidth) => Multiples(baseWidth * WidthMultiplier.Min, baseWidth * WidthMultiplier.Max);

    /// <summary>The expansion widths a layer in a block of width <paramref name="width"/> may take.</summary>
    public IReadOnlyList<int> Expansions(int width) => Multiples(width * ExpansionRatio.Min, width * ExpansionRatio.Max);

    private List<int> Multiples(double min, double max)
    {
        int lo = Math.Max(1, (int)Math.Ceiling(min / WidthStep - 1e-9)), hi = (int)Math.Floor(max / WidthStep + 1e-9);
        if (hi < lo) hi = lo;
        return Enumerable.Range(lo, hi - lo + 1).Select(k => k * WidthStep).ToList();
    }

    // ---- points --------------------------------------------------------------------------------------------------------

    /// <summary>Every way <paramref name="a"/> falls outside this space (empty: it is a point).</summary>
    public IReadOnlyList<string> Violations(MoViNetArchitecture a)
    {
        var v = new List<string>();
        void Check(bool ok, string what) { if (!ok) v.Add(what); }
        Check(Widths(StemBaseWidth).Contains(a.Stem), $"stem width {a.Stem} not in {Describe(Widths(StemBaseWidth))}");
        Check(a.Blocks.Count == Blocks.Count, $"{a.Blocks.Count} blocks, the space has {Blocks.Count}");
        for (int b = 0; b < Math.Min(a.Blocks.Count, Blocks.Count); b++)
        {
            var block = a.Blocks[b];
            Check(Widths(Blocks[b].BaseWidth).Contains(block.Width), $"block {b} width {block.Width} not in {Describe(Widths(Blocks[b].BaseWidth))}");
            Check(block.Layers.Count >= DepthMin && block.Layers.Count <= DepthMax, $"block {b} depth {block.Layers.Count} not in [{DepthMin}, {DepthMax}]");
            var expansions = Expansions(block.Width);
            for (int l = 0; l < block.Layers.Count; l++)
            {
                var layer = block.Layers[l];
                Check(Kernels.Contains((layer.KernelTime, layer.KernelSize)), $"block {b} layer {l} kernel {layer.Kernel} not among {string.Join(", ", Kernels.Select(k => KernelChoice.Format(k.Time, k.Size)))}");
                Check(expansions.Contains(layer.Expand), $"block {b} layer {l} expansion {layer.Expand} not in {Describe(expansions)}");
            }
        }
        Check(Widths(HeadBaseWidth).Contains(a.Head), $"head width {a.Head} not in {Describe(Widths(HeadBaseWidth))}");
        Check(Hidden.Contains(a.Hidden), $"hidden width {a.Hidden} not in [{string.Join(", ", Hidden)}]");
        Check(SqueezeExcitation.Contains(a.SqueezeExcitation), $"SE {(a.SqueezeExcitation ? "on" : "off")} not allowed");
        Check(Causal.Contains(a.Causal), $"{(a.Causal ? "causal" : "non-causal")} not allowed");
        Check(Frames.Contains(a.Frames), $"frames {a.Frames} not in [{string.Join(", ", Frames)}]");
        Check(FrameStrides.Contains(a.FrameStride), $"frame stride {a.FrameStride} not in [{string.Join(", ", FrameStrides)}]");
        Check(Resolutions.Contains(a.Resolution), $"resolution {a.Resolution} not in [{string.Join(", ", Resolutions)}]");
        return v;
    }

    public bool Contains(MoViNetArchitecture a) => Violations(a).Count == 0;

    private static string Describe(IReadOnlyList<int> values) => values.Count <= 6
        ? $"[{string.Join(", ", values)}]" : $"{values[0]}…{values[^1]} (step {values[1] - values[0]})";

    /// <summary>
    /// The MoViNet configuration of point <paramref name="a"/>: causal points are stream models (causal (2+1)D, SE 2plus3d,
    /// hard-swish, as the published stream variants), the others base models (3-D, SE 3d, swish); SE off removes every SE.
    /// </summary>
    public MoViNetConfig ToConfig(MoViNetArchitecture a, int classes, string name = "searched")
    {
        var problems = Violations(a);
        if (problems.Count > 0) throw new ArgumentException($"The architecture is not a point of the '{Name}' space: {string.Join("; ", problems)}.", nameof(a));
        var defaults = MoViNetSpecs.Get("a0", a.Causal ? MoViNetVariant.Stream : MoViNetVariant.Base);
        return defaults with
        {
            Name = name,
            NumClasses = classes,
            StemChannels = a.Stem,
            Stages = a.Blocks.Select((b, i) => new StageSpec(b.Width, Blocks[i].Stride,
                b.Layers.Select(l => new LayerSpec(l.Expand, l.KernelTime, l.KernelSize)).ToList())).ToList(),
            HeadChannels = a.Head,
            HiddenChannels = a.Hidden,
            SeType = a.SqueezeExcitation ? defaults.SeType : SqueezeExcitationType.None,
            PositionalEncoding = false,
            NativeFrames = a.Frames,
            NativeSize = a.Resolution,
        };
    }

    /// <summary>
    /// The point of this space that <paramref name="config"/> is, or the reason it is none (a knob the space does not vary, or a
    /// choice outside its ranges). <paramref name="frameStride"/> is the data-side choice the config does not hold.
    /// </summary>
    public (MoViNetArchitecture? Point, string? Reason) FromConfig(MoViNetConfig config, int frameStride)
    {
        bool causal = config.Causal;
        var defaults = MoViNetSpecs.Get("a0", causal ? MoViNetVariant.Stream : MoViNetVariant.Base);
        bool se = config.SeType != SqueezeExcitationType.None;
        if (se && config.SeType != defaults.SeType) return (null, $"SE type {config.SeType} is not the {(causal ? "stream" : "base")} one");
        if (config.ConvType != defaults.ConvType || config.Activation != defaults.Activation || config.Gate != defaults.Gate ||
            config.ClassifierActivation != defaults.ClassifierActivation)
            return (null, "its convolution type or activations differ from the published variant of the same causality");
        if (config.PositionalEncoding) return (null, "positional encoding is not a choice of the space");
        if (config.Stages.Count != Blocks.Count) return (null, $"{config.Stages.Count} blocks, the space has {Blocks.Count}");
        for (int b = 0; b < Blocks.Count; b++)
            if (config.Stages[b].Stride != Blocks[b].Stride) return (null, $"block {b} has stride {config.Stages[b].Stride}, the space {Blocks[b].Stride}");
        var point = new MoViNetArchitecture(config.StemChannels,
            config.Stages.Select(s => new SearchedBlock(s.OutChannels, s.Layers.Select(l => new SearchedLayer(l.ExpandChannels, l.KernelTime, l.KernelSize)).ToList())).ToList(),
            config.HeadChannels, config.HiddenChannels, se, causal, config.NativeFrames, frameStride, config.NativeSize);
        var problems = Violations(point);
        return problems.Count == 0 ? (point, null) : (null, string.Join("; ", problems));
    }

    // ---- JSON ----------------------------------------------------------------------------------------------------------

    public JsonObject ToJson() => new()
    {
        ["kind"] = Kind,
        ["name"] = Name,
        ["stem_base_width"] = StemBaseWidth,
        ["blocks"] = new JsonArray(Blocks.Select(b => (JsonNode)new JsonObject { ["base_width"] = b.BaseWidth, ["stride"] = b.Stride }).ToArray()),
        ["head_base_width"] = HeadBaseWidth,
        ["width_multiplier"] = new JsonObject { ["min"] = WidthMultiplier.Min, ["max"] = WidthMultiplier.Max },
        ["width_step"] = WidthStep,
        ["depth"] = new JsonObject { ["min"] = DepthMin, ["max"] = DepthMax },
        ["kernels"] = new JsonArray(Kernels.Select(k => (JsonNode)KernelChoice.Format(k.Time, k.Size)).ToArray()),
        ["expansion_ratio"] = new JsonObject { ["min"] = ExpansionRatio.Min, ["max"] = ExpansionRatio.Max },
        ["hidden"] = Ints(Hidden),
        ["se"] = new JsonArray(SqueezeExcitation.Select(s => (JsonNode)s).ToArray()),
        ["causal"] = new JsonArray(Causal.Select(s => (JsonNode)s).ToArray()),
        ["frames"] = Ints(Frames),
        ["frame_strides"] = Ints(FrameStrides),
        ["resolutions"] = Ints(Resolutions),
    };

    private static JsonArray Ints(IEnumerable<int> values) => new(values.Select(v => (JsonNode)v).ToArray());

    public string ToJsonText() => ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    public static MoViNetSearchSpace FromJson(JsonObject o, string source)
    {
        RealRange Range(string key)
        {
            var r = Json.Required(o, key, source) as JsonObject ?? throw new InvalidDataException($"{source}: '{key}' must be {{\"min\", \"max\"}}.");
            var range = new RealRange(Json.Double(r, "min", $"{source}: {key}"), Json.Double(r, "max", $"{source}: {key}"));
            if (!(range.Min > 0 && range.Max >= range.Min)) throw new InvalidDataException($"{source}: '{key}' needs 0 < min ≤ max, got {range.Min}…{range.Max}.");
            return range;
        }
        List<T> NonEmpty<T>(string key)
        {
            var list = Json.List<T>(o, key, source);
            return list.Count > 0 ? list.Distinct().ToList() : throw new InvalidDataException($"{source}: '{key}' must list at least one choice.");
        }
        if (o["kind"] is not null && Json.String(o, "kind", source) != KindName)
            throw new InvalidDataException($"{source}: a '{o["kind"]}' space, not a MoViNet space.");
        var depth = Json.Required(o, "depth", source) as JsonObject ?? throw new InvalidDataException($"{source}: 'depth' must be {{\"min\", \"max\"}}.");
        var space = new MoViNetSearchSpace
        {
            Name = Json.String(o, "name", source),
            StemBaseWidth = Json.Int(o, "stem_base_width", source),
            Blocks = Json.Array(o, "blocks", source).Select((b, i) => b is JsonObject block
                ? new BlockSlot(Json.Int(block, "base_width", $"{source}: block {i}"), Json.Int(block, "stride", $"{source}: block {i}"))
                : throw new InvalidDataException($"{source}: block {i} must be an object {{\"base_width\", \"stride\"}}.")).ToList(),
            HeadBaseWidth = Json.Int(o, "head_base_width", source),
            WidthMultiplier = Range("width_multiplier"),
            WidthStep = Json.Int(o, "width_step", source),
            DepthMin = Json.Int(depth, "min", $"{source}: depth"),
            DepthMax = Json.Int(depth, "max", $"{source}: depth"),
            Kernels = NonEmpty<string>("kernels").Select(k => KernelChoice.Parse(k, $"{source}: kernels")).ToList(),
            ExpansionRatio = Range("expansion_ratio"),
            Hidden = NonEmpty<int>("hidden"),
            SqueezeExcitation = NonEmpty<bool>("se"),
            Causal = NonEmpty<bool>("causal"),
            Frames = NonEmpty<int>("frames"),
            FrameStrides = NonEmpty<int>("frame_strides"),
            Resolutions = NonEmpty<int>("resolutions"),
        };
        if (space.Blocks.Count == 0) throw new InvalidDataException($"{source}: 'blocks' must list at least one block.");
        if (space.Blocks.Any(b => b.BaseWidth < 1 || b.Stride is < 1 or > 2)) throw new InvalidDataException($"{source}: block base widths must be positive and strides 1 or 2.");
        if (space.WidthStep < 1) throw new InvalidDataException($"{source}: 'width_step' must be positive, got {space.WidthStep}.");
        if (space.DepthMin < 1 || space.DepthMax < space.DepthMin) throw new InvalidDataException($"{source}: 'depth' needs 1 ≤ min ≤ max, got {space.DepthMin}…{space.DepthMax}.");
        if (space.Frames.Any(f => f < 1) || space.FrameStrides.Any(f => f < 1) || space.Resolutions.Any(r => r < 8) || space.Hidden.Any(h => h < 1))
            throw new InvalidDataException($"{source}: frames, frame strides and hidden widths must be positive and resolutions at least 8.");
        return space;
    }

    /// <summary>The built-in MoViNet space (<c>movinet</c>) or a MoViNet space file (another kind is refused by name).</summary>
    public static MoViNetSearchSpace Load(string nameOrPath) => SearchSpaces.Load(nameOrPath) as MoViNetSearchSpace
        ?? throw new InvalidDataException($"'{nameOrPath}' is not a MoViNet space: this needs one (\"kind\": \"movinet\").");

    // ---- the generic view (ISearchSpace) -------------------------------------------------------------------------------

    ISearchPoint ISearchSpace.Sample(ref SplitMix64 random) => ArchitectureSampler.Sample(this, ref random);

    (ISearchPoint Child, string Change) ISearchSpace.Mutate(ISearchPoint parent, ref SplitMix64 random) =>
        ArchitectureMutator.Mutate(this, As(parent), ref random);

    IReadOnlyList<string> ISearchSpace.Violations(ISearchPoint point) =>
        point is MoViNetArchitecture a ? Violations(a) : [$"a {point.GetType().Name} is not a point of a MoViNet space"];

    ModelConfig ISearchSpace.ToConfig(ISearchPoint point, int classes, string name) => ToConfig(As(point), classes, name);

    ISearchPoint ISearchSpace.PointFromJson(JsonNode? node, string source) => MoViNetArchitecture.FromJson(node, source);

    private MoViNetArchitecture As(ISearchPoint point) => point as MoViNetArchitecture
        ?? throw new ArgumentException($"A {point.GetType().Name} is not a point of the MoViNet space '{Name}'.", nameof(point));
}
