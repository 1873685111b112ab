using MoViSharp.Onnx.Graph;
using MoViSharp.Profiling;

namespace MoViSharp.Onnx.Export;

/// <summary>
/// A value flowing through an exported graph with its video shape (batch excluded): [B, C, T, H, W] in the clip form,
/// [B, C, H, W] (Frames = 1) in the stream forms. Transformers' token sequences (<see cref="Tokens"/>) are [B, P+N, C], P prefix
/// (class) tokens before the N = T·H·W grid tokens, with <see cref="Shape"/> the grid and the channels.
/// </summary>
public readonly record struct OnnxActivation(OnnxValue Value, VideoShape Shape)
{
    /// <summary>The value is a token sequence [B, P+N, C] (channels last), not a video.</summary>
    public bool Tokens { get; init; }
}
