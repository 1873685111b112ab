using System.CommandLine;
using MoViSharp.Classification;
using MoViSharp.Onnx.Runtime;
using MoViSharp.Weights;

namespace MoViSharp.Cli;

/// <summary>
/// --backend torch|onnx (and --threads for ONNX Runtime): which engine runs a model. `torch` is TorchSharp (compiled, or plain with
/// --plain); `onnx` exports the model to ONNX in memory and runs it in ONNX Runtime (ring form). A .onnx file given as --weights
/// runs in ONNX Runtime as it is.
/// </summary>
public sealed class BackendOption
{
    public Option<string> Backend { get; } = new("--backend")
    {
        Description = "Engine: torch (TorchSharp, default) or onnx (ONNX Runtime; .onnx weights always run there)", DefaultValueFactory = _ => "torch",
    };

    public Option<int?> Threads { get; } = new("--onnx-threads") { Description = "ONNX Runtime intra-op threads (default 1, measured fastest per frame)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Backend);
        command.Options.Add(Threads);
    }

    public bool IsOnnx(ParseResult result, string? weightsPath)
    {
        string backend = result.GetValue(Backend)?.Trim().ToLowerInvariant() ?? "torch";
        if (backend is not ("torch" or "onnx")) throw new CliException($"--backend must be torch or onnx, not '{backend}'.");
        if (IsOnnxFile(weightsPath))
        {
            if (backend == "torch" && result.GetResult(Backend) is { Implicit: false })
                throw new CliException($"'{weightsPath}' is an ONNX file: it runs with --backend onnx.");
            return true;
        }
        return backend == "onnx";
    }

    public static bool IsOnnxFile(string? path) => path is not null && path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    public OnnxRuntimeOptions RuntimeOptions(ParseResult result)
    {
        int threads = result.GetValue(Threads) ?? 1;
        if (threads < 1) throw new CliException("--onnx-threads must be at least 1.");
        return new OnnxRuntimeOptions { IntraOpThreads = threads };
    }

    /// <summary>The classifier for the --weights of <paramref name="weights"/> on the chosen backend.</summary>
    public IVideoClassifier Classifier(ParseResult result, WeightsOptions weights, string? path = null, bool normalizeInput = true)
    {
        path ??= weights.Path(result);
        if (!IsOnnx(result, path)) return weights.Classifier(weights.Load(path, result), result, normalizeInput);
        if (result.GetValue(weights.Plain)) throw new CliException("--plain applies to the torch backend.");
        if (IsOnnxFile(path)) return OnnxClassifier.Load(path, RuntimeOptions(result), normalizeInput);
        var loaded = weights.Load(path, result);
        return OnnxClassifier.FromModel(loaded.Model, loaded.Labels, RuntimeOptions(result), ownsModel: true, normalizeInput);
    }
}
