using Microsoft.ML.OnnxRuntime;
using MoViSharp.Onnx.Export;
using MoViSharp.Weights;

namespace MoViSharp.Onnx.Runtime;

/// <summary>
/// One loaded graph (a stream step or a clip at one shape): the ONNX Runtime session and what the file says about it. Part of
/// the readers' error contract (docs/fuzzing.md): for any bytes it loads, or throws <see cref="CheckpointFormatException"/>
/// naming the file — ONNX Runtime's refusals and malformed metadata included — and what it accepts can be stepped.
/// </summary>
internal sealed class OnnxGraphSession : IDisposable
{
    public OnnxGraphSession(byte[] model, OnnxRuntimeOptions options, string source)
    {
        try { Session = OnnxSessionFactory.Create(model, options, out var provider); Provider = provider; }
        catch (OnnxRuntimeException e) { throw new CheckpointFormatException(source, "model", $"ONNX Runtime cannot load it: {FirstLine(e.Message)}", e); }
        try
        {
            IReadOnlyDictionary<string, string> metadata;
            // ONNX Runtime's managed wrapper throws NullReferenceException for a metadata entry without a key (found by fuzzing).
            try { metadata = Session.ModelMetadata.CustomMetadataMap; }
            catch (NullReferenceException e) { throw new CheckpointFormatException(source, "metadata", "a metadata property has no key or no value", e); }
            try { Info = OnnxModelInfo.FromMetadata(metadata, source); }
            catch (InvalidDataException e) { throw new CheckpointFormatException(source, "metadata", e.Message, e); }
            OnnxGraphCheck.Check(Session, Info, source);
        }
        catch (OnnxRuntimeException e)
        {
            Session.Dispose();
            throw new CheckpointFormatException(source, "model", $"ONNX Runtime cannot describe its graph: {FirstLine(e.Message)}", e);
        }
        catch
        {
            Session.Dispose();
            throw;
        }
    }

    public InferenceSession Session { get; }
    public OnnxModelInfo Info { get; }
    public OnnxProviderChoice Provider { get; }
    public RunOptions RunOptions { get; } = new();

    internal static string FirstLine(string message) => message.Split('\n')[0];

    public void Dispose()
    {
        RunOptions.Dispose();
        Session.Dispose();
    }
}
