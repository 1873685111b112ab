using MoViSharp.Families.MoViNets;
using MoViSharp.Models;
using MoViSharp.Tests.Weights.Formats;
using MoViSharp.Tests.Weights.Tflite;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using MoViSharp.Weights.Tflite;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>One reader under fuzzing: its seed files (each with the mutator that knows its structure), how to read an input, and what it may throw.</summary>
internal sealed record FuzzTarget(
    string Name,
    string InputName,
    IReadOnlyList<(byte[] Seed, IInputMutator Mutator)> Seeds,
    Action<byte[]> Read,
    Func<Exception, bool> Allowed,
    Func<byte[], (string Extension, byte[] Bytes)>? Save = null)
{
    public IReadOnlyList<byte[]> SeedBytes { get; } = Seeds.Select(s => s.Seed).ToList();

    /// <summary>Reads a saved regression file back into the input it stands for.</summary>
    public byte[] Load(string path) =>
        path.EndsWith(TflitePatch.Extension, StringComparison.Ordinal) ? TflitePatch.Apply(TfliteReferenceFile.Bytes, File.ReadAllText(path))
        : OnnxSavedInput.Handles(path) ? OnnxSavedInput.Load(path)
        : File.ReadAllBytes(path);
}

/// <summary>The fuzz targets: every reader of MoViSharp.Weights, the format-sniffing loader, ONNX files and the server's request bodies, seeded with real inputs.</summary>
internal static class FuzzTargets
{
    private static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    public static FuzzTarget Get(string name) => name switch
    {
        "npy" => Npy.Value,
        "safetensors" => SafeTensors.Value,
        "torch-zip" => TorchZip.Value,
        "torch-legacy" => TorchLegacy.Value,
        "tflite" => Tflite.Value,
        "loader" => Loader.Value,
        "onnx" => OnnxFuzzTarget.Value.Value,
        "stream-spec" => ServerFuzzTargets.StreamSpecs.Value,
        "push-frames" => ServerFuzzTargets.PushFrames.Value,
        _ => throw new ArgumentException(name),
    };

    public static readonly string[] Names = ["npy", "safetensors", "torch-zip", "torch-legacy", "tflite", "loader", "onnx", "stream-spec", "push-frames"];

    private static readonly Lazy<FuzzTarget> Npy = new(() => new FuzzTarget("npy", "fuzz.npy",
        [.. Directory.GetFiles(Fixture("npy"), "*.npy").Order().Concat([Fixture("port", "tiny_base_logits.npy"), Fixture("port", "tiny_stream_logits.npy")])
            .Select(f => (File.ReadAllBytes(f), (IInputMutator)new NpyMutator()))],
        bytes =>
        {
            var array = NpyFile.ReadArray(bytes, "fuzz.npy");
            _ = array.ToFloat32();
            NpyFile.Read(bytes, "fuzz.npy").Dispose();
        },
        ReaderContract.IsReaderError));

    private static readonly Lazy<FuzzTarget> SafeTensors = new(() => new FuzzTarget("safetensors", "fuzz.safetensors",
        [(EveryDtype(), new SafeTensorsMutator()), (TinyCheckpoint(), new SafeTensorsMutator())],
        bytes => SafeTensorsFile.Read(bytes, "fuzz.safetensors").Dispose(),
        ReaderContract.IsReaderError));

    private static readonly Lazy<FuzzTarget> TorchZip = new(() => new FuzzTarget("torch-zip", "fuzz.pt",
        [.. new[] { "dtypes.pt", "module_state_dict.pt", "wrapped_state_dict.pt", "model_state_dict_wrapper.pt", "torchscript.pt" }
            .Select(f => (File.ReadAllBytes(Fixture("torch", f)), (IInputMutator)new TorchZipMutator()))],
        bytes => TorchCheckpointReader.Read(bytes, "fuzz.pt").Dispose(),
        ReaderContract.IsReaderError));

    private static readonly Lazy<FuzzTarget> TorchLegacy = new(() =>
    {
        var mutator = new TorchLegacyMutator();
        return new FuzzTarget("torch-legacy", "fuzz.pt",
            [.. new[] { "legacy_format.pt", "legacy_dtypes.pt", "legacy_tsm_style.pt", "legacy_model_state.pyth", "legacy_model_state_dict.pt", "legacy_protocol4.pt" }
                .Select(f => (File.ReadAllBytes(Fixture("torch", f)), (IInputMutator)mutator))],
            bytes => TorchCheckpointReader.Read(bytes, "fuzz.pt").Dispose(),
            ReaderContract.IsReaderError);
    });

    private static readonly Lazy<FuzzTarget> Tflite = new(() =>
    {
        // A few models, one per concurrent input, receive every import; what a failed import half-wrote does not matter to the next.
        var models = new System.Collections.Concurrent.ConcurrentBag<MoViNet>();
        return new FuzzTarget("tflite", "fuzz.tflite",
            [(TfliteReferenceFile.Bytes, new FlatBufferMutator())],
            bytes =>
            {
                var file = TfliteModel.Parse(bytes, "fuzz.tflite");
                _ = file.Describe();
                // Built outside the dispose scope below, which would otherwise dispose the pooled model's tensors.
                var model = models.TryTake(out var free) ? free : new MoViNet(MoViNetSpecs.Mobile("a0"));
                try
                {
                    using var scope = NewDisposeScope();
                    TfliteMoViNetImporter.ImportInto(file, model);
                }
                finally { models.Add(model); }
            },
            ReaderContract.IsReaderError,
            bytes => (TflitePatch.Extension, TflitePatch.Encode(TfliteReferenceFile.Bytes, bytes)));
    });

    private static readonly Lazy<FuzzTarget> Loader = new(() =>
    {
        var architecture = MoViNetConfigJson.Read(File.ReadAllText(Fixture("port", "tiny_base_spec.json")));
        byte[] portZip = File.ReadAllBytes(Fixture("port", "tiny_base_statedict.pt"));
        byte[] portLegacy;
        using (var tensors = TorchCheckpointReader.Read(portZip, "tiny_base_statedict.pt"))
            portLegacy = LegacyTorchBytes.FromTensors(tensors);
        string folder = Directory.CreateTempSubdirectory("movisharp-fuzz-loader").FullName;
        return new FuzzTarget("loader", "weights",
            [(portZip, new TorchZipMutator()), (portLegacy, new TorchLegacyMutator()), (TinyCheckpoint(), new SafeTensorsMutator()),
             (TfliteReferenceFile.Bytes, new FlatBufferMutator())],
            bytes =>
            {
                string path = Path.Combine(folder, Guid.NewGuid().ToString("N"), "weights"); // one file per input: inputs may run at once
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, bytes);
                try
                {
                    using var scope = NewDisposeScope();
                    // As a user would: --config for the files that do not name their architecture; TFLite graphs name theirs.
                    var hints = CheckpointFormats.Detect(bytes) == CheckpointFormat.Tflite ? new CheckpointHints() : new CheckpointHints(Architecture: architecture);
                    var (model, _) = CheckpointLoader.Load(path, hints);
                    model.Dispose();
                }
                finally { Directory.Delete(Path.GetDirectoryName(path)!, recursive: true); }
            },
            ReaderContract.IsLoaderError,
            bytes => bytes.Length > 1 << 20 ? (TflitePatch.Extension, TflitePatch.Encode(TfliteReferenceFile.Bytes, bytes)) : (".bin", bytes));
    });

    private static byte[] EveryDtype()
    {
        using var tensors = new NamedTensors([new("format", "pt"), new("note", "fuzz seed")]);
        tensors.Add("f32", tensor(new[] { 1f, -2.5f, float.NaN }));
        tensors.Add("f64", tensor(new[] { 3.5, -1e-300 }));
        tensors.Add("f16", tensor(new[] { 1f, 2f }).to_type(ScalarType.Float16));
        tensors.Add("bf16", tensor(new[] { 1f, -3f }).to_type(ScalarType.BFloat16));
        tensors.Add("i64", tensor(new[] { long.MinValue, 7L }));
        tensors.Add("i32", tensor(new[] { 1, 2, 3, 4 }).reshape(2, 2));
        tensors.Add("i16", tensor(new short[] { -300, 300 }));
        tensors.Add("i8", tensor(new sbyte[] { -128, 127 }));
        tensors.Add("u8", tensor(new byte[] { 0, 255, 17 }));
        tensors.Add("bool", tensor(new[] { true, false }));
        tensors.Add("scalar", tensor(0.5f));
        tensors.Add("empty", zeros(0, 3));
        return SafeTensorsFile.ToBytes(tensors);
    }

    /// <summary>A MoViSharp checkpoint of the tiny port architecture (config and labels in its metadata).</summary>
    private static byte[] TinyCheckpoint()
    {
        var architecture = MoViNetConfigJson.Read(File.ReadAllText(Fixture("port", "tiny_base_spec.json")));
        using var model = new MoViNet(architecture);
        string path = Path.Combine(Directory.CreateTempSubdirectory("movisharp-fuzz-seed").FullName, "tiny.safetensors");
        MoViSharpCheckpoint.Save(path, model, [.. Enumerable.Range(0, architecture.NumClasses).Select(i => $"class {i}")]);
        return File.ReadAllBytes(path);
    }
}
