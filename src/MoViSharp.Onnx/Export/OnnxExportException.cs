using MoViSharp.Streaming;

namespace MoViSharp.Onnx.Export;

/// <summary>A model that cannot be exported, naming the module (path and type) and why.</summary>
public sealed class OnnxExportException : InvalidOperationException
{
    public OnnxExportException(string message) : base(message) { }

    public OnnxExportException(StreamModule module, string why)
        : base($"Cannot export '{(module.Path.Length == 0 ? "(model)" : module.Path)}' ({module.GetType().FullName}) to ONNX: {why}.") { }
}
