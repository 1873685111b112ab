using System.Text.Json.Nodes;
using MoViSharp.Models;

namespace MoViSharp.Families.X3D;

/// <summary>
/// An X3D configuration as JSON: {"family":"x3d","name","classes"} plus optional "stem_width", "stage_widths", "inner_widths",
/// "depths", "se_widths", "head_inner_width", "head_width", "stem_temporal_kernel", "block_temporal_kernel", "frames",
/// "crop_size", "dropout", "bn_eps", "bn_momentum", "sampling_rate" (absent: X3D-S's values) and "resize_short_side" (absent or null:
/// resize straight to the crop).
/// </summary>
public static class X3DConfigJson
{
    private static JsonArray Array(IEnumerable<int> values) => new([.. values.Select(v => (JsonNode)v)]);

    public static string Write(X3DConfig c) => new JsonObject
    {
        ["family"] = c.Family,
        ["name"] = c.Name,
        ["classes"] = c.NumClasses,
        ["stem_width"] = c.StemWidth,
        ["stage_widths"] = Array(c.StageWidths),
        ["inner_widths"] = Array(c.InnerWidths),
        ["depths"] = Array(c.Depths),
        ["se_widths"] = Array(c.SeWidths),
        ["head_inner_width"] = c.HeadInnerWidth,
        ["head_width"] = c.HeadWidth,
        ["stem_temporal_kernel"] = c.StemTemporalKernel,
        ["block_temporal_kernel"] = c.BlockTemporalKernel,
        ["frames"] = c.Frames,
        ["crop_size"] = c.CropSize,
        ["dropout"] = c.DropoutRate,
        ["bn_eps"] = c.BatchNormEpsilon,
        ["bn_momentum"] = c.BatchNormMomentum,
        ["sampling_rate"] = c.SamplingRate,
        ["resize_short_side"] = c.ResizeShortSide,
    }.ToJsonString();

    public static X3DConfig Read(string json, string source = "config")
    {
        var r = new ConfigJsonReader(json, source);
        var d = X3DSpecs.Get("x3d_s");
        var config = new X3DConfig
        {
            Name = r.Get("name", "custom"),
            NumClasses = r.Required<int>("classes"),
            StemWidth = r.Get("stem_width", d.StemWidth),
            StageWidths = r.List("stage_widths", d.StageWidths),
            InnerWidths = r.List("inner_widths", d.InnerWidths),
            Depths = r.List("depths", d.Depths),
            SeWidths = r.List("se_widths", d.SeWidths),
            HeadInnerWidth = r.Get("head_inner_width", d.HeadInnerWidth),
            HeadWidth = r.Get("head_width", d.HeadWidth),
            StemTemporalKernel = r.Get("stem_temporal_kernel", d.StemTemporalKernel),
            BlockTemporalKernel = r.Get("block_temporal_kernel", d.BlockTemporalKernel),
            Frames = r.Get("frames", d.Frames),
            CropSize = r.Get("crop_size", d.CropSize),
            DropoutRate = r.Get("dropout", d.DropoutRate),
            BatchNormEpsilon = r.Get("bn_eps", d.BatchNormEpsilon),
            BatchNormMomentum = r.Get("bn_momentum", d.BatchNormMomentum),
            SamplingRate = r.Get("sampling_rate", d.SamplingRate),
            ResizeShortSide = r.Get<int?>("resize_short_side", null),
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}"); }
        return config;
    }
}
