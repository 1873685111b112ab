using System.Text.Json.Nodes;
using MoViSharp.Models;

namespace MoViSharp.Families.VideoResNets;

/// <summary>
/// A video ResNet configuration as JSON: {"family":"video_resnet","name","classes","stem":"basic"|"2plus1d","convs":["3d",
/// "no_temporal","2plus1d",…]} plus optional "stem_channels", "stem_mid_channels", "widths", "blocks", "strides", "dropout",
/// "bn_eps", "bn_momentum", "native_frames", "native_size" (absent: torchvision's values for four layers).
/// </summary>
public static class VideoResNetConfigJson
{
    private static readonly Dictionary<string, ResNetConvKind> ConvNames = new()
    {
        ["3d"] = ResNetConvKind.ThreeD, ["no_temporal"] = ResNetConvKind.NoTemporal, ["2plus1d"] = ResNetConvKind.TwoPlusOneD,
    };

    private static readonly Dictionary<string, VideoResNetStem> StemNames = new()
    {
        ["basic"] = VideoResNetStem.Basic, ["2plus1d"] = VideoResNetStem.TwoPlusOneD,
    };

    public static string Write(VideoResNetConfig c) => new JsonObject
    {
        ["family"] = c.Family,
        ["name"] = c.Name,
        ["classes"] = c.NumClasses,
        ["stem"] = StemNames.Single(p => p.Value == c.Stem).Key,
        ["stem_channels"] = c.StemChannels,
        ["stem_mid_channels"] = c.StemMidChannels,
        ["convs"] = new JsonArray(c.ConvKinds.Select(k => (JsonNode)ConvNames.Single(p => p.Value == k).Key).ToArray()),
        ["widths"] = new JsonArray(c.Widths.Select(w => (JsonNode)w).ToArray()),
        ["blocks"] = new JsonArray(c.Blocks.Select(b => (JsonNode)b).ToArray()),
        ["strides"] = new JsonArray(c.Strides.Select(s => (JsonNode)s).ToArray()),
        ["dropout"] = c.DropoutRate,
        ["bn_eps"] = c.BatchNormEpsilon,
        ["bn_momentum"] = c.BatchNormMomentum,
        ["native_frames"] = c.NativeFrames,
        ["native_size"] = c.NativeSize,
    }.ToJsonString();

    public static VideoResNetConfig Read(string json, string source = "config")
    {
        var r = new ConfigJsonReader(json, source);
        var defaults = VideoResNetSpecs.Get("r3d_18");
        var convs = r.List<string>("convs").Select((name, i) => ConvNames.TryGetValue(name, out var kind) ? kind
            : throw new InvalidDataException($"{source}: convs[{i}] is '{name}', not one of {string.Join(", ", ConvNames.Keys)}.")).ToList();
        var config = new VideoResNetConfig
        {
            Name = r.Get("name", "custom"),
            NumClasses = r.Required<int>("classes"),
            Stem = r.Choice("stem", StemNames),
            StemChannels = r.Get("stem_channels", defaults.StemChannels),
            StemMidChannels = r.Get("stem_mid_channels", defaults.StemMidChannels),
            ConvKinds = convs,
            Widths = r.List("widths", defaults.Widths),
            Blocks = r.List("blocks", defaults.Blocks),
            Strides = r.List("strides", defaults.Strides),
            DropoutRate = r.Get("dropout", defaults.DropoutRate),
            BatchNormEpsilon = r.Get("bn_eps", defaults.BatchNormEpsilon),
            BatchNormMomentum = r.Get("bn_momentum", defaults.BatchNormMomentum),
            NativeFrames = r.Get("native_frames", defaults.NativeFrames),
            NativeSize = r.Get("native_size", defaults.NativeSize),
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}"); }
        return config;
    }
}
