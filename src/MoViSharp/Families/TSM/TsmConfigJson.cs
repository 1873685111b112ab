using System.Text.Json.Nodes;
using MoViSharp.Layers;
using MoViSharp.Models;

namespace MoViSharp.Families.TSM;

/// <summary>
/// A TSM configuration as JSON: {"family":"tsm","name","classes","backbone":"resnet"|"mobilenetv2"} plus optional "shift"
/// (bool), "shift_mode" ("bidirectional"|"online"), "shift_div", "stem_channels", "blocks", "widths" (ResNet), "stages"
/// ([[t, c, n, s], …]) and "last_channels" (MobileNetV2), "dropout", "bn_eps", "bn_momentum", "segments", "native_size",
/// "frame_stride" (absent: the release's values).
/// </summary>
public static class TsmConfigJson
{
    private static readonly Dictionary<string, TsmBackbone> Backbones = new() { ["resnet"] = TsmBackbone.ResNet, ["mobilenetv2"] = TsmBackbone.MobileNetV2 };
    private static readonly Dictionary<string, TemporalShiftMode> Modes = new()
    {
        ["bidirectional"] = TemporalShiftMode.Bidirectional, ["online"] = TemporalShiftMode.Online,
    };

    public static string Write(TsmConfig c) => new JsonObject
    {
        ["family"] = c.Family,
        ["name"] = c.Name,
        ["classes"] = c.NumClasses,
        ["backbone"] = Backbones.Single(p => p.Value == c.Backbone).Key,
        ["shift"] = c.Shift,
        ["shift_mode"] = Modes.Single(p => p.Value == c.ShiftMode).Key,
        ["shift_div"] = c.ShiftDivisor,
        ["stem_channels"] = c.StemChannels,
        ["blocks"] = new JsonArray(c.Blocks.Select(b => (JsonNode)b).ToArray()),
        ["widths"] = new JsonArray(c.Widths.Select(w => (JsonNode)w).ToArray()),
        ["stages"] = new JsonArray(c.Stages.Select(s => (JsonNode)new JsonArray(s.Expansion, s.Channels, s.Repeats, s.Stride)).ToArray()),
        ["last_channels"] = c.LastChannels,
        ["dropout"] = c.DropoutRate,
        ["bn_eps"] = c.BatchNormEpsilon,
        ["bn_momentum"] = c.BatchNormMomentum,
        ["segments"] = c.Segments,
        ["native_size"] = c.NativeSize,
        ["frame_stride"] = c.FrameStride,
    }.ToJsonString();

    public static TsmConfig Read(string json, string source = "config")
    {
        var r = new ConfigJsonReader(json, source);
        var backbone = r.Choice("backbone", Backbones);
        var d = TsmSpecs.Get(backbone == TsmBackbone.ResNet ? "tsm_r50" : "tsm_mobilenetv2");
        var stages = r.Lists("stages", d.Stages.Select(s => (IReadOnlyList<int>)[s.Expansion, s.Channels, s.Repeats, s.Stride]).ToList())
            .Select((s, i) => s.Count == 4 ? new MobileStage(s[0], s[1], s[2], s[3])
                : throw new InvalidDataException($"{source}: stages[{i}] has {s.Count} numbers, not [t, c, n, s].")).ToList();
        var config = d with
        {
            Name = r.Get("name", "custom"),
            NumClasses = r.Required<int>("classes"),
            Shift = r.Get("shift", d.Shift),
            ShiftMode = r.Choice("shift_mode", Modes, d.ShiftMode),
            ShiftDivisor = r.Get("shift_div", d.ShiftDivisor),
            StemChannels = r.Get("stem_channels", d.StemChannels),
            Blocks = r.List("blocks", d.Blocks),
            Widths = r.List("widths", d.Widths),
            Stages = stages,
            LastChannels = r.Get("last_channels", d.LastChannels),
            DropoutRate = r.Get("dropout", d.DropoutRate),
            BatchNormEpsilon = r.Get("bn_eps", d.BatchNormEpsilon),
            BatchNormMomentum = r.Get("bn_momentum", d.BatchNormMomentum),
            Segments = r.Get("segments", d.Segments),
            NativeSize = r.Get("native_size", d.NativeSize),
            FrameStride = r.Get("frame_stride", d.FrameStride),
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}"); }
        return config;
    }
}
