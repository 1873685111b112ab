using MoViSharp.Layers;

namespace MoViSharp.Families.TSM;

/// <summary>
/// The published TSM networks (mit-han-lab/temporal-shift-module's Kinetics-400 release, 8 segments, shift_div 8, blockres,
/// average consensus) and their online forms (the same weights with the one-way shift, one prediction per frame).
/// </summary>
public static class TsmSpecs
{
    public static readonly IReadOnlyList<string> Names = ["tsm_r50", "tsm_mobilenetv2", "tsm_r50_online", "tsm_mobilenetv2_online"];

    public static TsmConfig Get(string name) => name switch
    {
        "tsm_r50" => new TsmConfig { Name = name, NumClasses = 400, Backbone = TsmBackbone.ResNet },
        "tsm_mobilenetv2" => new TsmConfig { Name = name, NumClasses = 400, Backbone = TsmBackbone.MobileNetV2, StemChannels = 32 },
        "tsm_r50_online" => Get("tsm_r50") with { Name = name, ShiftMode = TemporalShiftMode.Online },
        "tsm_mobilenetv2_online" => Get("tsm_mobilenetv2") with { Name = name, ShiftMode = TemporalShiftMode.Online },
        _ => throw new ArgumentException($"Unknown TSM network '{name}' (known: {string.Join(", ", Names)})."),
    };
}
