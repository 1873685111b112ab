using MoViSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Streaming;

/// <summary>
/// Online recognition of one video with a causal model: push frames as they arrive, read the current top-k at any time.
/// Memory stays constant however many frames are pushed: each step runs in its own dispose scope and only the state survives.
/// </summary>
public sealed class StreamingSession : IFrameClassifier
{
    private readonly MoViNet model;
    private readonly int height, width;
    private StreamState state;
    private float[]? logits;

    public IReadOnlyList<string>? Labels { get; }
    public int FramesSeen { get; private set; }
    /// <summary>The logits after the last pushed frame (a copy), or null before the first frame.</summary>
    public float[]? Logits => logits?.ToArray();

    public StreamingSession(MoViNet model, int? height = null, int? width = null, IReadOnlyList<string>? labels = null)
    {
        if (!model.Config.Causal) throw new ArgumentException($"{model.Config.Id} is not causal; streaming needs a stream model.", nameof(model));
        if (labels is not null && labels.Count != model.Config.NumClasses)
            throw new ArgumentException($"{labels.Count} labels given for a model with {model.Config.NumClasses} classes.", nameof(labels));
        this.model = model;
        this.height = height ?? model.Config.NativeSize;
        this.width = width ?? model.Config.NativeSize;
        Labels = labels;
        model.eval();
        state = model.InitialState(1, this.height, this.width);
    }

    /// <summary>Forgets everything seen so far (a new video).</summary>
    public void Reset()
    {
        state.Dispose();
        state = model.InitialState(1, height, width);
        logits = null;
        FramesSeen = 0;
    }

    /// <summary>Feeds one RGB frame [3, H, W] (or [1, 3, H, W]) in [0, 1]; returns the logits after it.</summary>
    public float[] Push(Tensor frame)
    {
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var x = frame.dim() == 3 ? frame.unsqueeze(0) : frame;
        if (x.dim() != 4 || x.shape[0] != 1 || x.shape[1] != 3 || x.shape[2] != height || x.shape[3] != width)
            throw new ArgumentException($"Expected a frame [3, {height}, {width}], got [{string.Join(", ", frame.shape)}].");
        logits = model.ForwardStep(x.to_type(ScalarType.Float32), state).squeeze(0).data<float>().ToArray();
        FramesSeen++;
        return logits.ToArray();
    }

    /// <summary>The k most probable classes after the last frame (softmax over the logits).</summary>
    public IReadOnlyList<Prediction> Top(int k) =>
        logits is null ? [] : Softmax.TopK(logits, k, Labels);

    public void Dispose() => state.Dispose();
}
