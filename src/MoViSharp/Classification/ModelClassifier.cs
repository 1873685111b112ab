using MoViSharp.Models;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Classification;

/// <summary>
/// A <see cref="VideoModel"/> as it is (the plain path, every module's own Forward): the reference the compiled form is checked
/// against, and the path for training-time evaluation. Its state is the model's <see cref="StreamState"/>.
/// </summary>
/// <param name="normalizeInput">false when inputs are already the network's input (e.g. `predict` on a .npy clip)</param>
public sealed class ModelClassifier(VideoModel model, IReadOnlyList<string>? labels = null, bool ownsModel = false, bool normalizeInput = true)
    : IVideoClassifier
{
    public VideoModel Model { get; } = EvalMode(model);
    public string Name => $"{Model.Config.Id}, plain";
    public int NumClasses => Model.NumClasses;
    public IReadOnlyList<string>? Labels { get; } = CheckLabels(labels, model.NumClasses);
    public Preprocessing Preprocessing => Model.Config.Preprocessing;
    public string? NotStreamableReason => Model.NotStreamableReason;
    public int Delay => Model.Temporal.Delay;

    /// <summary>A classifier infers: BatchNorm uses its running statistics, dropout is off (training resumes with train()).</summary>
    private static VideoModel EvalMode(VideoModel model)
    {
        model.eval();
        return model;
    }

    internal static IReadOnlyList<string>? CheckLabels(IReadOnlyList<string>? labels, int classes) =>
        labels is null || labels.Count == classes ? labels
            : throw new ArgumentException($"{labels.Count} labels given for a model with {classes} classes.", nameof(labels));

    public IClassifierState InitialState(int batch, int height, int width) =>
        new State(Model.InitialState(batch, height, width), height, width);

    public Tensor? Step(Tensor frames, IClassifierState state)
    {
        var s = (State)state;
        if (frames.dim() != 4 || frames.shape[0] != s.BatchSize || frames.shape[1] != 3 || frames.shape[2] != s.Height || frames.shape[3] != s.Width)
            throw new ArgumentException($"Expected frames [{s.BatchSize}, 3, {s.Height}, {s.Width}], got [{string.Join(", ", frames.shape)}].");
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var logits = Model.Logits(Input(frames.to_type(ScalarType.Float32)).unsqueeze(2), s.Stream);      // [B, 0 or 1, K]
        return logits.shape[1] == 0 ? null : scope.MoveToOuter(logits.select(1, 0));
    }

    public Tensor ClipLogits(Tensor clips) => Model.Logits(Input(clips));

    private Tensor Input(Tensor x) => normalizeInput ? Normalization.Apply(x, Preprocessing) : x;

    public int FramesSeen(int position, int positions, int frames) => positions == 1 ? frames : position + 1;

    public StreamState Export(IClassifierState state) => ((State)state).Stream.Clone();

    public IClassifierState Import(StreamState state, int height, int width) => new State(state.Clone(), height, width);

    public void Dispose()
    {
        if (ownsModel) Model.Dispose();
    }

    private sealed class State(StreamState stream, int height, int width) : IClassifierState
    {
        public StreamState Stream { get; } = stream;
        public int BatchSize => Stream.BatchSize;
        public int Height { get; } = height;
        public int Width { get; } = width;
        public void Dispose() => Stream.Dispose();
    }
}
