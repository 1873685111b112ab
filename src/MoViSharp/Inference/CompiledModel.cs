using MoViSharp.Classification;
using MoViSharp.Models;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>
/// The compiled form of a <see cref="VideoModel"/> behind the classifier contract: frame steps run the compiled graph (one per
/// frame size, compiled on first use), clips run the BatchNorm-folded copy. Logits equal the plain model's to float rounding
/// (tested for every registered model), and states convert to and from the plain model's at any frame.
/// </summary>
public sealed class CompiledModel : IVideoClassifier
{
    private readonly VideoModel model;
    private readonly CompileOptions options;
    private readonly Dictionary<(int H, int W), CompiledGraph> graphs = [];
    private readonly bool ownsModel, normalizeInput;
    private VideoModel? clipModel;

    internal CompiledModel(VideoModel model, IReadOnlyList<string>? labels, CompileOptions options, bool ownsModel = false, bool normalizeInput = true)
    {
        this.model = model;
        this.options = options;
        this.ownsModel = ownsModel;
        this.normalizeInput = normalizeInput;
        Labels = ModelClassifier.CheckLabels(labels, model.NumClasses);
    }

    public VideoModel Model => model;
    public string Name => $"{model.Config.Id}, compiled";
    public int NumClasses => model.NumClasses;
    public IReadOnlyList<string>? Labels { get; }
    public Preprocessing Preprocessing => model.Config.Preprocessing;
    public string? NotStreamableReason => model.NotStreamableReason;
    public int Delay => model.Temporal.Delay;

    /// <summary>The compiled graph for <paramref name="height"/>×<paramref name="width"/> frames (compiled now if new).</summary>
    internal CompiledGraph Graph(int height, int width)
    {
        if (height < 1 || width < 1) throw new ArgumentOutOfRangeException(nameof(height), "Frame size must be positive.");
        lock (graphs)
        {
            if (!graphs.TryGetValue((height, width), out var graph))
                graphs[(height, width)] = graph = ModelCompiler.CompileGraph(model, height, width, options);
            return graph;
        }
    }

    /// <summary>How each module of the per-frame graph runs (for diagnostics and tests: which fell back to the plain form).</summary>
    public IReadOnlyList<string> Describe(int height, int width) =>
        Graph(height, width).Root.Flatten().Where(m => m is not CompiledSequential).Select(m => m.Describe).ToList();

    public IClassifierState InitialState(int batch, int height, int width)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), "A state holds at least one stream.");
        return Graph(height, width).NewState(batch);
    }

    public Tensor? Step(Tensor frames, IClassifierState state)
    {
        var s = state as CompiledState ?? throw new ArgumentException("The state was not made by a compiled model.", nameof(state));
        if (frames.dim() != 4 || frames.shape[0] != s.BatchSize || frames.shape[1] != 3 || frames.shape[2] != s.Height || frames.shape[3] != s.Width)
            throw new ArgumentException($"Expected frames [{s.BatchSize}, 3, {s.Height}, {s.Width}], got [{string.Join(", ", frames.shape)}].");
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        var x = Input(frames.dtype == ScalarType.Float32 ? frames : frames.to_type(ScalarType.Float32));
        var y = s.Graph.Root.Step(x, s);
        return y is null ? null : scope.MoveToOuter(y.reshape(s.BatchSize, NumClasses));
    }

    public Tensor ClipLogits(Tensor clips)
    {
        lock (graphs) clipModel ??= ModelCompiler.FoldForClips(model);
        return clipModel.Logits(Input(clips));
    }

    private Tensor Input(Tensor x) => normalizeInput ? Normalization.Apply(x, Preprocessing) : x;

    public int FramesSeen(int position, int positions, int frames) => positions == 1 ? frames : position + 1;

    public StreamState Export(IClassifierState state)
    {
        var s = (CompiledState)state;
        using var _ = no_grad();
        var unordered = new StreamState(s.BatchSize);
        s.Graph.Root.ExportState(s, unordered);
        // The plain model's order, so exported states of one model always list the same names in the same order.
        var result = new StreamState(s.BatchSize);
        foreach (var spec in model.StateSpecs(s.BatchSize, s.Height, s.Width))
            result.Set(spec.Name, unordered.TryGet(spec.Name, out var t) ? t.clone()
                : throw new InvalidOperationException($"The compiled model has no tensor for state '{spec.Name}'."));
        unordered.Dispose();
        return result;
    }

    public IClassifierState Import(StreamState state, int height, int width)
    {
        foreach (var spec in model.StateSpecs(state.BatchSize, height, width))
        {
            if (!state.TryGet(spec.Name, out var t)) throw new ArgumentException($"The stream state lacks '{spec.Name}'.");
            if (!t.shape.SequenceEqual(spec.Shape))
                throw new ArgumentException($"State '{spec.Name}' has shape [{string.Join(", ", t.shape)}], expected [{string.Join(", ", spec.Shape)}] for {height}×{width} frames.");
        }
        var graph = Graph(height, width);
        var result = new CompiledState(graph, state.BatchSize);
        try
        {
            using var _ = no_grad();
            graph.Root.ImportState(state, result);
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
            clipModel?.Dispose();
            clipModel = null;
        }
        if (ownsModel) model.Dispose();
    }
}
