using System.Text.Json;
using System.Text.Json.Nodes;
using MoViSharp.Models;

namespace MoViSharp.Onnx.Export;

/// <summary><see cref="Preprocessing"/> as JSON in exported files: everything a runtime needs to prepare frames for the graph.</summary>
public static class PreprocessingJson
{
    public static string Write(Preprocessing p)
    {
        var node = new JsonObject
        {
            ["frames"] = p.Frames,
            ["size"] = p.Size,
            ["resize_short_side"] = p.ResizeShortSide,
            ["resize_to"] = p.ResizeTo is { } r ? new JsonArray(r.Height, r.Width) : null,
            ["fps"] = p.Fps,
            ["frame_stride"] = p.FrameStride,
            ["value_scale"] = p.ValueScale,
            ["mean"] = new JsonArray(p.Mean.Select(v => (JsonNode?)v).ToArray()),
            ["std"] = new JsonArray(p.Std.Select(v => (JsonNode?)v).ToArray()),
            ["input"] = "RGB in [0, 1], then (x * value_scale - mean) / std per channel; the graph takes the normalised values",
        };
        return node.ToJsonString();
    }

    /// <summary>Reads what <see cref="Write"/> wrote; anything missing or of the wrong type is a <see cref="JsonException"/>.</summary>
    public static Preprocessing Read(string json)
    {
        var n = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("preprocessing is not a JSON object");
        float[] Floats(string key) => (n[key] as JsonArray)?.Select((v, i) => Value<float>(v, $"{key}[{i}]")).ToArray() ?? throw new JsonException($"preprocessing lacks '{key}'");
        return new Preprocessing
        {
            Frames = Value<int>(n["frames"], "frames"),
            Size = Value<int>(n["size"], "size"),
            ResizeShortSide = n["resize_short_side"] is { } side ? Value<int>(side, "resize_short_side") : null,
            ResizeTo = n["resize_to"] is JsonArray { Count: 2 } r ? (Value<int>(r[0], "resize_to[0]"), Value<int>(r[1], "resize_to[1]"))
                : n["resize_to"] is null ? null : throw new JsonException("preprocessing 'resize_to' is not [height, width]"),
            Fps = n["fps"] is { } fps ? Value<double>(fps, "fps") : null,
            FrameStride = n["frame_stride"] is { } stride ? Value<int>(stride, "frame_stride") : 1,
            ValueScale = n["value_scale"] is { } scale ? Value<float>(scale, "value_scale") : 1f,
            Mean = Floats("mean"),
            Std = Floats("std"),
        };
    }

    // JsonNode reports a missing value, a string where a number belongs and a number out of range with three exception types.
    private static T Value<T>(JsonNode? node, string key)
    {
        try { return node is JsonValue v ? v.GetValue<T>() : throw new JsonException($"preprocessing '{key}' is missing or not a value"); }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        {
            throw new JsonException($"preprocessing '{key}' is not a {typeof(T).Name}", e);
        }
    }
}
