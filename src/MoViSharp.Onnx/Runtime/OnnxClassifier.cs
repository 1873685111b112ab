using MoViSharp.Classification;
using MoViSharp.Models;
using MoViSharp.Onnx.Export;
using MoViSharp.Onnx.Graph;
using MoViSharp.Streaming;
using MoViSharp.Weights;
using static TorchSharp.torch;

namespace MoViSharp.Onnx.Runtime;

/// <summary>
/// The classifier contract on ONNX Runtime. Built from a model, it exports the graph it needs (the ring form per frame size for
/// streaming, the clip graph per clip shape for clip models) in memory; loaded from a .onnx file written by MoViSharp, it runs
/// that graph and reads everything else from the file's metadata. States, rings and bindings live in
/// <see cref="OnnxStreamState"/>; <see cref="Export"/>/<see cref="Import"/> convert them to and from the plain model's
/// <see cref="StreamState"/> keys, so a stream can move between this backend and TorchSharp at any frame.
/// </summary>
public sealed class OnnxClassifier : IVideoClassifier
{
    private readonly VideoModel? model;
    private readonly bool ownsModel, normalizeInput;
    private readonly OnnxRuntimeOptions options;
    private readonly Dictionary<(int T, int H, int W), OnnxGraphSession> graphs = [];
    private readonly OnnxGraphSession? loaded;
    private readonly string source;

    private OnnxClassifier(VideoModel? model, OnnxGraphSession? loaded, IReadOnlyList<string>? labels, OnnxRuntimeOptions options,
        bool ownsModel, bool normalizeInput, string source)
    {
        (this.model, this.loaded, this.options, this.ownsModel, this.normalizeInput, this.source) = (model, loaded, options, ownsModel, normalizeInput, source);
        NumClasses = model?.NumClasses ?? loaded!.Info.Classes;
        Labels = labels ?? loaded?.Info.Labels;
        if (Labels is not null && Labels.Count != NumClasses) throw new ArgumentException($"{Labels.Count} labels given for a model with {NumClasses} classes.");
        Preprocessing = model?.Config.Preprocessing ?? loaded!.Info.Preprocessing;
        if (loaded is not null) graphs[Key(loaded.Info)] = loaded;
    }

    /// <summary>A classifier for <paramref name="model"/> (eval mode; its weights are exported, the model stays usable).</summary>
    public static OnnxClassifier FromModel(VideoModel model, IReadOnlyList<string>? labels = null, OnnxRuntimeOptions? options = null,
        bool ownsModel = false, bool normalizeInput = true)
    {
        model.eval();
        return new OnnxClassifier(model, null, labels, options ?? new(), ownsModel, normalizeInput, model.Config.Id);
    }

    /// <summary>Runs one exported graph (e.g. a quantized one).</summary>
    public static OnnxClassifier FromExport(OnnxExport export, OnnxRuntimeOptions? options = null, bool normalizeInput = true) =>
        Load(export.ToBytes(), export.Info.ModelId, options, normalizeInput);

    /// <summary>Runs a .onnx file written by MoViSharp (`movisharp export --onnx`).</summary>
    public static OnnxClassifier Load(string path, OnnxRuntimeOptions? options = null, bool normalizeInput = true)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidDataException($"Cannot read '{path}': {e.Message}"); }
        return Load(bytes, path, options, normalizeInput);
    }

    public static OnnxClassifier Load(byte[] model, string source, OnnxRuntimeOptions? options = null, bool normalizeInput = true)
    {
        options ??= new();
        OnnxGraphSeal.Verify(model, source);   // before ONNX Runtime parses it: see OnnxGraphSeal for why
        var session = new OnnxGraphSession(model, options, source);
        return new OnnxClassifier(null, session, null, options, false, normalizeInput, source);
    }

    private static (int, int, int) Key(OnnxModelInfo info) => (info.Form == OnnxExportForm.Clip ? info.Frames : 0, info.Height, info.Width);

    /// <summary>The info of the file's graph (a loaded file), else of the first graph built.</summary>
    public OnnxModelInfo? Info => loaded?.Info ?? graphs.Values.FirstOrDefault()?.Info;

    /// <summary>Where the graphs run (CPU or CUDA, and why).</summary>
    public OnnxProviderChoice? Provider => graphs.Values.FirstOrDefault()?.Provider;

    public string Name => $"{model?.Config.Id ?? loaded!.Info.ModelId}, onnx " +
                          $"{(loaded is null ? OnnxModelInfo.FormName(options.StreamForm) : OnnxModelInfo.FormName(loaded.Info.Form))}" +
                          (Info is { Quantization: not "none" } i ? $" {i.Quantization}" : "");
    public int NumClasses { get; }
    public IReadOnlyList<string>? Labels { get; }
    public Preprocessing Preprocessing { get; }

    public string? NotStreamableReason => model is not null ? model.NotStreamableReason
        : loaded!.Info.Form == OnnxExportForm.Clip ? loaded.Info.NotStreamableReason ?? $"{source} holds the clip graph; export the stream form to run frame by frame" : null;

    public int Delay => model?.Temporal.Delay ?? loaded!.Info.Delay;

    private OnnxGraphSession StepGraph(int height, int width)
    {
        if (NotStreamableReason is { } reason) throw new NotSupportedException($"{Name} cannot stream: {reason}");
        lock (graphs)
        {
            if (graphs.TryGetValue((0, height, width), out var graph)) return graph;
            if (model is null)
                throw new ArgumentException($"{source} was exported for {loaded!.Info.Height}×{loaded.Info.Width} frames, not {height}×{width}; export it at that size.");
            return graphs[(0, height, width)] = Build(new OnnxExportOptions { Form = options.StreamForm, Height = height, Width = width });
        }
    }

    private OnnxGraphSession ClipGraph(int frames, int height, int width)
    {
        lock (graphs)
        {
            if (graphs.TryGetValue((frames, height, width), out var graph)) return graph;
            if (model is null)
                throw new ArgumentException($"{source} was exported for clips of {loaded!.Info.Frames}×{loaded.Info.Height}×{loaded.Info.Width}, not {frames}×{height}×{width}.");
            return graphs[(frames, height, width)] = Build(new OnnxExportOptions { Form = OnnxExportForm.Clip, Frames = frames, Height = height, Width = width });
        }
    }

    private OnnxGraphSession Build(OnnxExportOptions shape)
    {
        var export = OnnxExporter.Export(model!, options.Export with { Form = shape.Form, Height = shape.Height, Width = shape.Width, Frames = shape.Frames, Labels = Labels });
        if (options.Transform is { } transform) export = transform(export);
        return new OnnxGraphSession(export.ToBytes(), options, model!.Config.Id);
    }

    public IClassifierState InitialState(int batch, int height, int width)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), "A state holds at least one stream.");
        var graph = StepGraph(height, width);
        if (graph.Info.InputLayout == "nthwc" && batch != 1)
            throw new ArgumentException($"{source} is a translated TFLite graph of one stream; run {batch} streams as separate states.");
        return new OnnxStreamState(graph, batch);
    }

    public Tensor? Step(Tensor frames, IClassifierState state)
    {
        var s = state as OnnxStreamState ?? throw new ArgumentException("The state was not made by an ONNX classifier.", nameof(state));
        if (frames.dim() != 4 || frames.shape[0] != s.BatchSize || frames.shape[1] != 3 || frames.shape[2] != s.Height || frames.shape[3] != s.Width)
            throw new ArgumentException($"Expected frames [{s.BatchSize}, 3, {s.Height}, {s.Width}], got [{string.Join(", ", frames.shape)}].");
        using (var scope = NewDisposeScope())
        {
            var x = Input(frames.to_type(ScalarType.Float32));
            if (s.Graph.Info.InputLayout == "nthwc") x = x.permute(0, 2, 3, 1).unsqueeze(1);
            OrtTensors.CopyInto(x, s.Frame);
        }
        s.Bind();
        try { s.Graph.Session.RunWithBinding(s.Graph.RunOptions, s.Binding); }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e) when (loaded is not null)
        {
            // The file's graph loaded but does not run on the shapes its own metadata declares: the file is at fault.
            throw new CheckpointFormatException(source, "model", $"ONNX Runtime cannot run its graph: {OnnxGraphSession.FirstLine(e.Message)}", e);
        }
        s.Advance();
        return OrtTensors.ToTensor(s.Logits);
    }

    public Tensor ClipLogits(Tensor clips)
    {
        if (clips.dim() != 5 || clips.shape[1] != 3) throw new ArgumentException($"Expected clips [N, 3, T, H, W], got [{string.Join(", ", clips.shape)}].");
        int n = (int)clips.shape[0], t = (int)clips.shape[2], h = (int)clips.shape[3], w = (int)clips.shape[4];
        if (NotStreamableReason is null && (model is not null || loaded!.Info.Form != OnnxExportForm.Clip))
        {
            // A stream model's clip call is its steps from an empty state: one row of logits per frame.
            using var state = InitialState(n, h, w);
            var rows = new List<Tensor>();
            for (int i = 0; i < t; i++)
                if (Step(clips.select(2, i), state) is { } logits) rows.Add(logits);
            return stack(rows, 1);
        }
        var graph = ClipGraph(t, h, w);
        using var input = Microsoft.ML.OnnxRuntime.OrtValue.CreateAllocatedTensorValue(Microsoft.ML.OnnxRuntime.OrtAllocator.DefaultInstance,
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, [n, 3, t, h, w]);
        using (var scope = NewDisposeScope()) OrtTensors.CopyInto(Input(clips.to_type(ScalarType.Float32)), input);
        try
        {
            using var outputs = graph.Session.Run(graph.RunOptions, [graph.Info.Input], [input], [OnnxModelInfo.LogitsOutput]);
            return OrtTensors.ToTensor(outputs[0]);
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e) when (loaded is not null)
        {
            throw new CheckpointFormatException(source, "model", $"ONNX Runtime cannot run its graph: {OnnxGraphSession.FirstLine(e.Message)}", e);
        }
    }

    private Tensor Input(Tensor x) => normalizeInput ? Normalization.Apply(x, Preprocessing) : x;

    public int FramesSeen(int position, int positions, int frames) => positions == 1 ? frames : position + 1;

    public StreamState Export(IClassifierState state)
    {
        var s = state as OnnxStreamState ?? throw new ArgumentException("The state was not made by an ONNX classifier.", nameof(state));
        var result = new StreamState(s.BatchSize);
        foreach (var slot in s.Slots)
        {
            if (slot.State.Key is not { } key) continue;
            using var scope = NewDisposeScope();
            Tensor plain;
            if (slot.IsRing)
                plain = stack(Enumerable.Range(0, slot.State.Frames).Select(j => OrtTensors.ToTensor(slot.Past(j))).ToList(), 2);
            else
            {
                var b = slot.State;
                var onnx = OrtTensors.ToTensor(slot.Current);
                var perm = b.Permutation ?? Enumerable.Range(0, b.Shape.Length + 1).ToArray();
                long[] permuted = [s.BatchSize, .. perm.Skip(1).Select(p => b.Shape[p - 1])];
                var inverse = new long[perm.Length];
                for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
                plain = onnx.reshape(permuted).permute(inverse);
            }
            result.Set(key, scope.MoveToOuter(plain.contiguous().clone()));
        }
        return result;
    }

    public IClassifierState Import(StreamState state, int height, int width)
    {
        var result = (OnnxStreamState)InitialState(state.BatchSize, height, width);
        try
        {
            foreach (var slot in result.Slots)
            {
                if (slot.State.Key is not { } key) continue;
                if (!state.TryGet(key, out var plain)) throw new ArgumentException($"The stream state lacks '{key}'.");
                long[] expected = [state.BatchSize, .. slot.State.Shape];
                if (!plain.shape.SequenceEqual(expected))
                    throw new ArgumentException($"State '{key}' has shape [{string.Join(", ", plain.shape)}], expected [{string.Join(", ", expected)}] for {height}×{width} frames.");
                using var scope = NewDisposeScope();
                if (slot.IsRing)
                    for (int j = 0; j < slot.State.Frames; j++) OrtTensors.CopyInto(plain.select(2, j), slot.Past(j));
                else
                {
                    var perm = slot.State.Permutation ?? Enumerable.Range(0, expected.Length).ToArray();
                    OrtTensors.CopyInto(plain.permute(perm.Select(p => (long)p).ToArray()), slot.Current);
                }
            }
        }
        catch
        {
            result.Dispose();
            throw;
        }
        return result;
    }

    public void Dispose()
    {
        lock (graphs)
        {
            foreach (var g in graphs.Values) g.Dispose();
            graphs.Clear();
        }
        if (ownsModel) model?.Dispose();
    }
}
