using Microsoft.ML.OnnxRuntime;
using MoViSharp.Onnx.Export;

namespace MoViSharp.Onnx.Runtime;

/// <summary>One loaded graph (a stream step or a clip at one shape): the ONNX Runtime session and what the file says about it.</summary>
internal sealed class OnnxGraphSession : IDisposable
{
    public OnnxGraphSession(byte[] model, OnnxRuntimeOptions options, string source)
    {
        Session = OnnxSessionFactory.Create(model, options, out var provider);
        Provider = provider;
        try
        {
            Info = OnnxModelInfo.FromMetadata(Session.ModelMetadata.CustomMetadataMap, source);
            var inputs = Session.InputMetadata.Keys.ToHashSet(StringComparer.Ordinal);
            var outputs = Session.OutputMetadata.Keys.ToHashSet(StringComparer.Ordinal);
            if (!inputs.Contains(Info.Input) || !outputs.Contains(OnnxModelInfo.LogitsOutput))
                throw new InvalidDataException($"{source}: the graph lacks its input '{Info.Input}' or output '{OnnxModelInfo.LogitsOutput}'.");
            foreach (var s in Info.States)
            {
                var missing = s.Inputs.Where(i => !inputs.Contains(i)).Append(s.Output).Where(n => !inputs.Contains(n) && !outputs.Contains(n)).ToList();
                if (missing.Count > 0) throw new InvalidDataException($"{source}: state '{s.Key ?? s.Inputs[0]}' names graph values it does not have: {string.Join(", ", missing)}.");
            }
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

    public void Dispose()
    {
        RunOptions.Dispose();
        Session.Dispose();
    }
}
