using System.Text.Json.Nodes;
using MoViSharp.Models;

namespace MoViSharp.Families.SlowFast;

/// <summary>
/// A Slow/SlowFast configuration as JSON: {"family":"slowfast","name","classes"} plus optional "depths", "stem_width",
/// "slow_stem_kernel", "slow_conv_a_kernels", "fast_channel_ratio" (0: Slow only), "fast_stem_kernel", "fast_conv_a_kernels",
/// "alpha", "fusion_kernel", "fusion_channel_ratio", "frames", "crop_size", "dropout", "bn_eps", "bn_momentum", "sampling_rate",
/// "resize_short_side" (absent: slow_r50's values, except "resize_short_side": absent or null resizes straight to the crop).
/// </summary>
public static class SlowFastConfigJson
{
    private static JsonArray Array(IEnumerable<int> values) => new([.. values.Select(v => (JsonNode)v)]);

    public static string Write(SlowFastConfig c) => new JsonObject
    {
        ["family"] = c.Family,
        ["name"] = c.Name,
        ["classes"] = c.NumClasses,
        ["depths"] = Array(c.Depths),
        ["stem_width"] = c.StemWidth,
        ["slow_stem_kernel"] = c.SlowStemTemporalKernel,
        ["slow_conv_a_kernels"] = Array(c.SlowConvAKernels),
        ["fast_channel_ratio"] = c.FastChannelRatio,
        ["fast_stem_kernel"] = c.FastStemTemporalKernel,
        ["fast_conv_a_kernels"] = Array(c.FastConvAKernels),
        ["alpha"] = c.Alpha,
        ["fusion_kernel"] = c.FusionKernel,
        ["fusion_channel_ratio"] = c.FusionChannelRatio,
        ["frames"] = c.Frames,
        ["crop_size"] = c.CropSize,
        ["dropout"] = c.DropoutRate,
        ["bn_eps"] = c.BatchNormEpsilon,
        ["bn_momentum"] = c.BatchNormMomentum,
        ["sampling_rate"] = c.SamplingRate,
        ["resize_short_side"] = c.ResizeShortSide,
    }.ToJsonString();

    public static SlowFastConfig Read(string json, string source = "config")
    {
        var r = new ConfigJsonReader(json, source);
        var d = SlowFastSpecs.Get("slow_r50");
        var config = new SlowFastConfig
        {
            Name = r.Get("name", "custom"),
            NumClasses = r.Required<int>("classes"),
            Depths = r.List("depths", d.Depths),
            StemWidth = r.Get("stem_width", d.StemWidth),
            SlowStemTemporalKernel = r.Get("slow_stem_kernel", d.SlowStemTemporalKernel),
            SlowConvAKernels = r.List("slow_conv_a_kernels", d.SlowConvAKernels),
            FastChannelRatio = r.Get("fast_channel_ratio", d.FastChannelRatio),
            FastStemTemporalKernel = r.Get("fast_stem_kernel", d.FastStemTemporalKernel),
            FastConvAKernels = r.List("fast_conv_a_kernels", d.FastConvAKernels),
            Alpha = r.Get("alpha", d.Alpha),
            FusionKernel = r.Get("fusion_kernel", d.FusionKernel),
            FusionChannelRatio = r.Get("fusion_channel_ratio", d.FusionChannelRatio),
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
