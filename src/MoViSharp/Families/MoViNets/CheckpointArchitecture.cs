using System.Text.Json;
using System.Text.Json.Nodes;
using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;

namespace MoViSharp.Families.MoViNets;

/// <summary>
/// Checks an architecture that a checkpoint describes (MoViSharp's <c>config</c> metadata) or sizes (a port file's class count)
/// before the model is built: building allocates every parameter, so a few changed bytes must not be able to ask for a huge
/// model. Every size must be positive and within generous bounds, and an over-estimate of the parameter count may exceed the
/// file's own element count only by a small factor: a file that can load into the model holds every parameter.
/// </summary>
internal static class CheckpointArchitecture
{
    public const int MaxChannels = 1 << 16, MaxKernel = 31, MaxStride = 16, MaxStages = 64, MaxLayersPerStage = 256, MaxClasses = 1 << 20;

    /// <summary>Parameters a checkpoint may make us build per element it holds, beyond <see cref="FixedAllowance"/>.</summary>
    public const int MaxExpansion = 8;

    /// <summary>Parameters any checkpoint may make us build regardless of its size (larger than every registry model).</summary>
    public const long FixedAllowance = 32L << 20;

    /// <summary>
    /// <see cref="MoViNetConfigJson.Read"/> behind a check of the JSON structure it relies on, with every failure a
    /// <see cref="CheckpointFormatException"/> naming the metadata field.
    /// </summary>
    public static MoViNetConfig ReadConfig(string json, string source)
    {
        CheckpointFormatException Bad(string problem) => new(source, "config", $"{source}: the 'config' metadata {problem}");
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException e) { throw Bad($"is not valid JSON ({e.Message})."); }
        if (root is JsonObject o && o["stages"] is JsonArray stages)
        {
            for (int i = 0; i < stages.Count; i++)
            {
                if (stages[i] is not JsonObject stage) continue; // Read names it
                if (!IsInt(stage["out"]) || (stage["stride"] is { } stride && !IsInt(stride)))
                    throw Bad($"gives stage {i} an 'out' or 'stride' that is not an integer.");
                if (stage["layers"] is JsonArray layers)
                    for (int j = 0; j < layers.Count; j++)
                        if (layers[j] is JsonArray { Count: 3 } l && !(IsInt(l[0]) && IsInt(l[1]) && IsInt(l[2])))
                            throw Bad($"gives stage {i} layer {j} values that are not integers.");
            }
        }
        MoViNetConfig config;
        try { config = MoViNetConfigJson.Read(json, source); }
        catch (InvalidDataException e) { throw new CheckpointFormatException(source, "config", e.Message, e); }
        CheckBounds(config, source);
        return config;
    }

    private static bool IsInt(JsonNode? node) => node is JsonValue v && v.TryGetValue<int>(out _);

    /// <summary>Refuses sizes no MoViNet has (zero, negative or absurd channels, kernels, strides, rates).</summary>
    public static void CheckBounds(MoViNetConfig c, string source)
    {
        void Require(bool ok, string what, object value, string bound)
        {
            if (!ok) throw new CheckpointFormatException(source, "config", $"{source}: the architecture's {what} is {value}; it must be {bound}.");
        }
        void Channels(int value, string what) => Require(value is >= 1 and <= MaxChannels, what, value, $"1 to {MaxChannels}");
        Channels(c.StemChannels, "stem width");
        Channels(c.HeadChannels, "head width");
        Channels(c.HiddenChannels, "classifier hidden width");
        Require(c.NumClasses is >= 1 and <= MaxClasses, "class count", c.NumClasses, $"1 to {MaxClasses}");
        Require(c.Stages.Count is >= 1 and <= MaxStages, "stage count", c.Stages.Count, $"1 to {MaxStages}");
        for (int i = 0; i < c.Stages.Count; i++)
        {
            var stage = c.Stages[i];
            Channels(stage.OutChannels, $"stage {i} width");
            Require(stage.Stride is >= 1 and <= MaxStride, $"stage {i} stride", stage.Stride, $"1 to {MaxStride}");
            Require(stage.Layers.Count is >= 1 and <= MaxLayersPerStage, $"stage {i} layer count", stage.Layers.Count, $"1 to {MaxLayersPerStage}");
            foreach (var layer in stage.Layers)
            {
                Channels(layer.ExpandChannels, $"stage {i} expansion width");
                Require(layer.KernelTime is >= 1 and <= MaxKernel && layer.KernelSize is >= 1 and <= MaxKernel, $"stage {i} kernel",
                    $"{layer.KernelTime}x{layer.KernelSize}x{layer.KernelSize}", $"1 to {MaxKernel} in each dimension");
            }
        }
        Require(c.DropoutRate is >= 0 and < 1, "dropout rate", c.DropoutRate, "in [0, 1)");
        Require(c.StochasticDepthRate is >= 0 and < 1, "stochastic depth rate", c.StochasticDepthRate, "in [0, 1)");
        Require(c.NativeFrames is >= 1 and <= MaxChannels && c.NativeSize is >= 1 and <= MaxChannels, "native clip",
            $"{c.NativeFrames} frames of {c.NativeSize}²", $"1 to {MaxChannels} frames and pixels");
    }

    /// <summary>
    /// Refuses to build <paramref name="config"/> when even a generous estimate of its parameters exceeds what the file could
    /// fill (<see cref="MaxExpansion"/> × its elements + <see cref="FixedAllowance"/>).
    /// </summary>
    public static void CheckFitsFile(MoViNetConfig config, NamedTensors file, string source)
    {
        CheckBounds(config, source);
        long elements = 0;
        foreach (var (_, tensor) in file)
            elements += tensor.numel(); // the readers bound each by the file's size
        double estimate = ParameterUpperBound(config);
        double allowed = (double)MaxExpansion * elements + FixedAllowance;
        if (estimate > allowed)
            throw new CheckpointFormatException(source, "config",
                $"{source}: the architecture it describes ({config.Id}, {config.NumClasses} classes) has up to {estimate:0} parameters, " +
                $"but the file holds only {elements} tensor elements, so it cannot fill the model.");
    }

    /// <summary>An over-estimate of a MoViNet's parameters and BatchNorm statistics (within about 3× of the true count).</summary>
    private static double ParameterUpperBound(MoViNetConfig c)
    {
        bool se = c.SeType != SqueezeExcitationType.None;
        double total = 3.0 * c.StemChannels * 49 + 8.0 * c.StemChannels;
        double input = c.StemChannels;
        foreach (var stage in c.Stages)
        {
            foreach (var layer in stage.Layers)
            {
                double e = layer.ExpandChannels, o = stage.OutChannels, kt = layer.KernelTime, k = layer.KernelSize;
                total += input * e + e * (kt * k * k + k * k + kt) + e * o + input * o + 16 * (input + e + o) + 64;
                if (se) total += 2 * e * e + 64 * e + 64;
                input = o;
            }
        }
        total += input * c.HeadChannels + 8.0 * c.HeadChannels;
        total += (double)c.HeadChannels * c.HiddenChannels + (double)c.HiddenChannels * c.NumClasses + c.HiddenChannels + c.NumClasses;
        return 2 * total;
    }
}
