namespace MoViSharp.Weights.Tflite;

/// <summary>
/// A parsed TFLite model (FlatBuffer schema v3). Parsing is fully bounds-checked (error contract: docs/fuzzing.md): a malformed or truncated file throws
/// <see cref="CheckpointFormatException"/> naming the file and the problem. Constant data is not copied; it is sliced
/// from the loaded bytes on demand.
/// </summary>
public sealed class TfliteModel
{
    private readonly ReadOnlyMemory<byte> _bytes;

    internal TfliteModel(string sourceName, ReadOnlyMemory<byte> bytes, uint version, string? description,
        IReadOnlyList<TfliteOperatorCode> operatorCodes, IReadOnlyList<TfliteSubGraph> subGraphs,
        IReadOnlyList<TfliteBuffer> buffers, IReadOnlyList<TfliteSignatureDef> signatureDefs)
    {
        SourceName = sourceName;
        _bytes = bytes;
        Version = version;
        Description = description;
        OperatorCodes = operatorCodes;
        SubGraphs = subGraphs;
        Buffers = buffers;
        SignatureDefs = signatureDefs;
    }

    /// <summary>Name used in error messages (the file name for <see cref="Load"/>).</summary>
    public string SourceName { get; }

    public uint Version { get; }

    public string? Description { get; }

    public IReadOnlyList<TfliteOperatorCode> OperatorCodes { get; }

    public IReadOnlyList<TfliteSubGraph> SubGraphs { get; }

    public IReadOnlyList<TfliteBuffer> Buffers { get; }

    public IReadOnlyList<TfliteSignatureDef> SignatureDefs { get; }

    public int FileSize => _bytes.Length;

    public static TfliteModel Load(string path)
    {
        // Models over 2 GB keep their weights outside the FlatBuffer; this reader holds the whole file in one array.
        if (new FileInfo(path) is { Exists: true, Length: > int.MaxValue } large)
            throw new CheckpointNotSupportedException(Path.GetFileName(path), "length",
                $"the model has {large.Length} bytes; TFLite files over {int.MaxValue} bytes are not supported.");
        return Parse(File.ReadAllBytes(path), Path.GetFileName(path));
    }

    /// <summary>Parses a model held in memory; <paramref name="name"/> prefixes every error message.</summary>
    public static TfliteModel Parse(ReadOnlyMemory<byte> bytes, string name) => TfliteModelParser.Parse(bytes, name);

    public TfliteOperatorCode OperatorCodeOf(TfliteOperator op) => OperatorCodes[op.OpcodeIndex];

    public TfliteSignatureDef? FindSignature(string key) => SignatureDefs.FirstOrDefault(s => s.Key == key);

    /// <summary>The constant bytes of a tensor (empty for activations and graph inputs).</summary>
    public ReadOnlyMemory<byte> GetTensorData(TfliteTensor tensor) => Buffers[tensor.Buffer].Data;

    /// <summary>The constant tensor as float32 (dequantized where it is quantized).</summary>
    public TfliteDequantizedTensor Dequantize(TfliteTensor tensor) => TfliteDequantizer.Dequantize(this, tensor);

    /// <summary>Operator name → number of uses in one subgraph.</summary>
    public IReadOnlyDictionary<string, int> OperatorHistogram(int subGraph = 0) =>
        SubGraphs[subGraph].Operators.GroupBy(op => OperatorCodeOf(op).Name).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>A human-readable listing of one subgraph; see <see cref="TfliteGraphPrinter"/>.</summary>
    public string Describe(int subGraph = 0) => TfliteGraphPrinter.Print(this, subGraph);
}
