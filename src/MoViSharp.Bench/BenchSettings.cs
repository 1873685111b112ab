namespace MoViSharp.Bench;

/// <summary>What a bench run measures; <see cref="Quick"/> shrinks everything to a smoke run of a few seconds.</summary>
public sealed record BenchSettings
{
    public required IReadOnlyList<string> Models { get; init; }
    public int Frames { get; init; } = 200;
    public int Warmup { get; init; } = 20;
    public bool Quick { get; init; }
    /// <summary>Square frame size for every model; null = each model's native size.</summary>
    public int? Size { get; init; }
    public IReadOnlyList<int> Threads { get; init; } = [1, 2];
    public IReadOnlyList<int> Batches { get; init; } = [1, 4, 16];
    public int ClipFrames { get; init; } = 16;
    public int ClipRepeats { get; init; } = 3;
    public IReadOnlyList<int> MemoryFrames { get; init; } = [50, 500, 5000];
    /// <summary>Model of the memory runs (stream and base variants).</summary>
    public string MemoryModel { get; init; } = "a0";
    public int Classes { get; init; } = 600;
    /// <summary>Frames of the encoded clip that `classify` runs end to end.</summary>
    public int ClassifyFrames { get; init; } = 300;
    /// <summary>Engines measured: "torch" (plain and compiled TorchSharp) and "onnx" (ONNX Runtime fp32 plain and ring forms, int8 QDQ).</summary>
    public IReadOnlyList<string> Backends { get; init; } = ["torch", "onnx"];
    /// <summary>An int8 MoViNet stream TFLite file whose ONNX translation (and the int8 QDQ of its float import) are timed too.</summary>
    public string? Tflite { get; init; }

    public static BenchSettings Create(IReadOnlyList<string> models, int? frames, bool quick, int? size) => quick
        ? new BenchSettings
        {
            Models = models, Frames = frames ?? 15, Warmup = 3, Quick = true, Size = size, Threads = [1], Batches = [1, 4],
            ClipFrames = 4, ClipRepeats = 1, MemoryFrames = [10, 30, 100], MemoryModel = models[0], ClassifyFrames = 24,
        }
        : new BenchSettings { Models = models, Frames = frames ?? 200, Size = size, MemoryModel = models[0] };

    public int SizeOf(Models.ModelConfig config) => Size ?? config.Preprocessing.Size;
}
