using System.Text.Json.Serialization;

namespace MoViSharp.Onnx.Export;

/// <summary>
/// One state tensor of an exported stream graph, as the file's metadata records it so that a runtime with nothing but the file
/// can carry the state and convert it to and from the plain model's <see cref="Streaming.StreamState"/>:
/// <list type="bullet">
/// <item><c>plain</c>: one input and one output (<c>{name}</c>, <c>{name}_next</c>) laid out as <see cref="Permutation"/> and
/// <see cref="OnnxShape"/> say (<see cref="OnnxStateLayout"/>);</item>
/// <item><c>ring</c>: a temporal buffer of <see cref="Frames"/> frames entering as that many inputs [B, C, H, W] (oldest first,
/// <c>{name}.t-n</c> … <c>{name}.t-1</c>) with the new frame coming out as <c>{name}.t</c>; its plain form is the frames
/// stacked on axis 2, [B, C, n, H, W];</item>
/// <item><c>passthrough</c>: an input echoed unchanged (TFLite's unused pool states), with no plain key.</item>
/// </list>
/// </summary>
public sealed record OnnxStateBinding
{
    public const string PlainKind = "plain", RingKind = "ring", PassthroughKind = "passthrough";

    [JsonPropertyName("kind")] public required string Kind { get; init; }
    /// <summary>The plain model's state key (module path), or null for a pass-through.</summary>
    [JsonPropertyName("key")] public string? Key { get; init; }
    /// <summary>"float32" or "int32".</summary>
    [JsonPropertyName("dtype")] public required string DType { get; init; }
    /// <summary>The plain tensor's shape without the stream axis.</summary>
    [JsonPropertyName("shape")] public required long[] Shape { get; init; }
    [JsonPropertyName("inputs")] public required string[] Inputs { get; init; }
    [JsonPropertyName("output")] public required string Output { get; init; }
    [JsonPropertyName("permutation")] public int[]? Permutation { get; init; }
    [JsonPropertyName("onnx_shape")] public long[]? OnnxShape { get; init; }
    [JsonPropertyName("frames")] public int Frames { get; init; }

    /// <summary>The shape of one ONNX input or output of this state, without the stream axis.</summary>
    [JsonIgnore]
    public long[] InputShape => Kind == RingKind ? [Shape[0], .. Shape[2..]] : OnnxShape ?? Shape;
}
