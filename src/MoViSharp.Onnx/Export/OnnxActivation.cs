using MoViSharp.Onnx.Graph;
using MoViSharp.Profiling;

namespace MoViSharp.Onnx.Export;

/// <summary>
/// A value flowing through an exported graph with its video shape (batch excluded): [B, C, T, H, W] in the clip form,
/// [B, C, H, W] (Frames = 1) in the stream forms.
/// </summary>
public readonly record struct OnnxActivation(OnnxValue Value, VideoShape Shape);
