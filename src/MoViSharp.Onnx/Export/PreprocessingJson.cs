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

    public static Preprocessing Read(string json)
    {
        var n = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("preprocessing is not a JSON object");
        float[] Floats(string key) => (n[key] as JsonArray)?.Select(v => v!.GetValue<float>()).ToArray() ?? throw new JsonException($"preprocessing lacks '{key}'");
        return new Preprocessing
        {
            Frames = n["frames"]!.GetValue<int>(),
            Size = n["size"]!.GetValue<int>(),
            ResizeShortSide = n["resize_short_side"]?.GetValue<int>(),
            ResizeTo = n["resize_to"] is JsonArray r ? (r[0]!.GetValue<int>(), r[1]!.GetValue<int>()) : null,
            Fps = n["fps"]?.GetValue<double>(),
            FrameStride = n["frame_stride"]?.GetValue<int>() ?? 1,
            ValueScale = n["value_scale"]?.GetValue<float>() ?? 1f,
            Mean = Floats("mean"),
            Std = Floats("std"),
        };
    }
}
