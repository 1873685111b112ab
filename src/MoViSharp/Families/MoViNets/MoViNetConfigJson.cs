using System.Text.Json;
using System.Text.Json.Nodes;
using MoViSharp.Layers;

namespace MoViSharp.Families.MoViNets;

/// <summary>
/// A MoViNet configuration as JSON: the architecture ({"name","variant","stem","stages":[{"out","stride","layers":[[expand,kt,k],…]}],
/// "head","hidden","classes"}) plus optional knobs (conv_type, se_type, activation, gate, classifier_activation, causal,
/// positional_encoding, rezero, stochastic_depth, dropout, native_frames, native_size). Knobs left out take the defaults of the
/// variant (base or stream). Checkpoints carry this text so a model can be rebuilt from the file alone.
/// </summary>
public static class MoViNetConfigJson
{
    public static string Write(MoViNetConfig c) => new JsonObject
    {
        ["family"] = c.Family,
        ["name"] = c.Name,
        ["variant"] = c.Variant.ToString().ToLowerInvariant(),
        ["stem"] = c.StemChannels,
        ["stages"] = new JsonArray(c.Stages.Select(s => (JsonNode)new JsonObject
        {
            ["out"] = s.OutChannels,
            ["stride"] = s.Stride,
            ["layers"] = new JsonArray(s.Layers.Select(l => (JsonNode)new JsonArray(l.ExpandChannels, l.KernelTime, l.KernelSize)).ToArray()),
        }).ToArray()),
        ["head"] = c.HeadChannels,
        ["hidden"] = c.HiddenChannels,
        ["classes"] = c.NumClasses,
        ["conv_type"] = Name(c.ConvType),
        ["se_type"] = Name(c.SeType),
        ["activation"] = Name(c.Activation),
        ["gate"] = Name(c.Gate),
        ["classifier_activation"] = Name(c.ClassifierActivation),
        ["causal"] = c.Causal,
        ["positional_encoding"] = c.PositionalEncoding,
        ["rezero"] = c.ReZero,
        ["stochastic_depth"] = c.StochasticDepthRate,
        ["dropout"] = c.DropoutRate,
        ["native_frames"] = c.NativeFrames,
        ["native_size"] = c.NativeSize,
    }.ToJsonString();

    public static MoViNetConfig Read(string json, string source = "config")
    {
        JsonObject o;
        try { o = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{source}: the model config is not a JSON object."); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: the model config is not valid JSON ({e.Message})."); }

        T Get<T>(string key, T fallback)
        {
            if (!o.TryGetPropertyValue(key, out var node) || node is null) return fallback;
            try { return node.GetValue<T>(); }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            { throw new InvalidDataException($"{source}: model config field '{key}' has the wrong type (expected {typeof(T).Name})."); }
        }
        T Required<T>(string key) => o.ContainsKey(key) ? Get<T>(key, default!) : throw new InvalidDataException($"{source}: model config has no '{key}'.");

        var variant = Get("variant", "base") switch
        {
            "base" => MoViNetVariant.Base,
            "stream" => MoViNetVariant.Stream,
            var v => throw new InvalidDataException($"{source}: model config variant '{v}' is neither base nor stream."),
        };
        var stagesNode = o["stages"] as JsonArray ?? throw new InvalidDataException($"{source}: model config has no 'stages' array.");
        var stages = stagesNode.Select((s, i) =>
        {
            var stage = s as JsonObject ?? throw new InvalidDataException($"{source}: stage {i} is not an object.");
            var layers = (stage["layers"] as JsonArray ?? throw new InvalidDataException($"{source}: stage {i} has no 'layers'."))
                .Select((l, j) => l is JsonArray { Count: 3 } a
                    ? new LayerSpec(a[0]!.GetValue<int>(), a[1]!.GetValue<int>(), a[2]!.GetValue<int>())
                    : throw new InvalidDataException($"{source}: stage {i} layer {j} must be [expand, kt, k]."))
                .ToList();
            return new StageSpec(stage["out"]!.GetValue<int>(), stage["stride"]?.GetValue<int>() ?? 1, layers);
        }).ToList();
        if (stages.Count == 0 || stages.Any(s => s.Layers.Count == 0))
            throw new InvalidDataException($"{source}: model config needs at least one stage, each with at least one layer.");

        var defaults = Defaults(variant);
        return defaults with
        {
            Name = Get("name", "custom"),
            StemChannels = Required<int>("stem"),
            Stages = stages,
            HeadChannels = Required<int>("head"),
            HiddenChannels = Required<int>("hidden"),
            NumClasses = Required<int>("classes"),
            ConvType = Parse(Get<string?>("conv_type", null), defaults.ConvType, source),
            SeType = Parse(Get<string?>("se_type", null), defaults.SeType, source),
            Activation = Parse(Get<string?>("activation", null), defaults.Activation, source),
            Gate = Parse(Get<string?>("gate", null), defaults.Gate, source),
            ClassifierActivation = Parse(Get<string?>("classifier_activation", null), defaults.ClassifierActivation, source),
            Causal = Get("causal", defaults.Causal),
            PositionalEncoding = Get("positional_encoding", defaults.PositionalEncoding),
            ReZero = Get("rezero", defaults.ReZero),
            StochasticDepthRate = Get("stochastic_depth", defaults.StochasticDepthRate),
            DropoutRate = Get("dropout", defaults.DropoutRate),
            NativeFrames = Get("native_frames", defaults.NativeFrames),
            NativeSize = Get("native_size", defaults.NativeSize),
        };
    }

    /// <summary>The knobs a base or stream model has unless told otherwise (those of the published variants).</summary>
    private static MoViNetConfig Defaults(MoViNetVariant variant) => MoViNetSpecs.Get("a0", variant);

    // Names as in TF Model Garden configs: 3d, 2plus1d, 3d_2plus1d, 2plus3d, 2d, none, swish, hard_swish, relu6, ...
    private static readonly Dictionary<Enum, string> Names = new()
    {
        [ConvType.ThreeD] = "3d", [ConvType.TwoPlusOneD] = "2plus1d", [ConvType.ThreeDTwoPlusOneD] = "3d_2plus1d",
        [SqueezeExcitationType.ThreeD] = "3d", [SqueezeExcitationType.TwoPlusThreeD] = "2plus3d",
        [SqueezeExcitationType.TwoD] = "2d", [SqueezeExcitationType.None] = "none",
        [ActivationKind.Swish] = "swish", [ActivationKind.HardSwish] = "hard_swish", [ActivationKind.Relu6] = "relu6",
        [ActivationKind.Identity] = "identity",
        [GateKind.Sigmoid] = "sigmoid", [GateKind.HardSigmoidKeras] = "hard_sigmoid_keras", [GateKind.HardSigmoidRelu6] = "hard_sigmoid_relu6",
    };

    public static string Name(Enum value) => Names[value];

    private static T Parse<T>(string? text, T fallback, string source) where T : struct, Enum
    {
        if (text is null) return fallback;
        foreach (var (value, name) in Names)
            if (value is T typed && name == text) return typed;
        throw new InvalidDataException($"{source}: unknown {typeof(T).Name} '{text}' (known: {string.Join(", ", Names.Where(p => p.Key is T).Select(p => p.Value))}).");
    }
}
