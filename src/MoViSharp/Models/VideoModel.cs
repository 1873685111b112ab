using MoViSharp.Profiling;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using static TorchSharp.torch;

namespace MoViSharp.Models;

/// <summary>
/// A video classifier built from stream modules: a <see cref="Sequential"/> of named parts (registered at the root, so parameter
/// names are <c>&lt;part&gt;.…</c>) whose last part yields logits as [B, K, T′, 1, 1]. It answers the streaming contract like any
/// module and adds the classifier's view of it: logits of a clip (<see cref="Logits"/>, [B, T′, K]: one row per output frame
/// of a stream model, one for a clip model), of one frame (<see cref="StepLogits"/>), the initial state, the trace and the
/// parameter count. Input clips are [B, 3, T, H, W], preprocessed as <see cref="ModelConfig.Preprocessing"/> says.
/// </summary>
public abstract class VideoModel : Sequential
{
    protected VideoModel(string name, IEnumerable<(string Name, StreamModule Module)> parts) : base(name, parts) => AssignStatePaths();

    /// <summary>The configuration this model was built from.</summary>
    public abstract ModelConfig Config { get; }

    public int NumClasses => Config.NumClasses;

    /// <summary>True when the model runs frame by frame (see <see cref="StreamModule.NotStreamableReason"/>).</summary>
    public bool Streamable => NotStreamableReason is null;

    /// <summary>The clip's logits [B, K]: after its last frame for a stream model.</summary>
    public override Tensor forward(Tensor clip) => Logits(clip).select(1, -1);

    /// <summary>
    /// Logits [B, T′, K] of a clip [B, 3, T, H, W]: in the clip call (no state) one row per output frame (T′ = T for causal
    /// models, 1 for models that pool the clip); with a state, the many-step call continuing it.
    /// </summary>
    public Tensor Logits(Tensor clip, StreamState? state = null)
    {
        ValidateClip(clip, state);
        if (state is not null && NotStreamableReason is { } reason)
            throw new NotSupportedException($"{Config.Id} cannot stream: {reason}");
        if (state is not null) return AsLogits(Forward(clip, state));   // new state tensors must outlive this call
        // The clip call keeps its intermediates in a scope: freed here, deterministically, rather than by the finalizer thread,
        // which can free a chained call's receiver while libtorch still reads it.
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(AsLogits(Forward(clip, null)));
    }

    /// <summary>
    /// One frame [B, 3, H, W] → logits [B, K] after it, continuing <paramref name="state"/>. A model with a temporal stride emits
    /// nothing on some steps: there this throws, and <see cref="Logits"/> (which returns zero rows) is the call to use.
    /// </summary>
    public Tensor StepLogits(Tensor frame, StreamState state)
    {
        if (frame.dim() != 4) throw new ArgumentException($"{Config.Id} takes one frame [B, 3, H, W] per step, got [{string.Join(", ", frame.shape)}].");
        var logits = Logits(frame.unsqueeze(2), state);
        return logits.shape[1] == 0
            ? throw new InvalidOperationException($"{Config.Id} emitted nothing on this step (temporal stride); use Logits with a state.")
            : logits.select(1, -1);
    }

    /// <summary>[B, K, T′, 1, 1] → [B, T′, K].</summary>
    protected static Tensor AsLogits(Tensor output) => output.flatten(2).transpose(1, 2);

    /// <summary>The zero state for <paramref name="batch"/> streams of <paramref name="height"/>×<paramref name="width"/> frames.</summary>
    public StreamState InitialState(int batch = 1, int? height = null, int? width = null)
    {
        if (NotStreamableReason is { } reason) throw new NotSupportedException($"{Config.Id} cannot stream: {reason}");
        return StreamState.Zeros(StateSpecs(batch, height ?? Config.Preprocessing.Size, width ?? Config.Preprocessing.Size), batch);
    }

    /// <summary>The state tensors (module paths and shapes) without running the model; none for a model that does not stream.</summary>
    public IReadOnlyList<StateSpec> StateSpecs(int batch, int height, int width) =>
        Streamable ? Trace(1, height, width, batch).States : [];

    /// <summary>Multiply-adds and state of a clip of <paramref name="frames"/> × <paramref name="height"/> × <paramref name="width"/>.</summary>
    public ModelTrace Trace(int frames, int height, int width, int batch = 1)
    {
        var trace = new ModelTrace(batch);
        Trace(new VideoShape(3, frames, height, width), trace);
        return trace;
    }

    /// <summary>Trainable parameters (BatchNorm running statistics are buffers and not counted).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    private void ValidateClip(Tensor clip, StreamState? state)
    {
        if (clip.dim() != 5 || clip.shape[1] != 3)
            throw new ArgumentException($"{Config.Id} expects clips [B, 3, T, H, W], got [{string.Join(", ", clip.shape)}].");
        if (clip.shape[2] < 1) throw new ArgumentException($"{Config.Id} needs at least one frame.");
        if (state is not null && state.BatchSize != clip.shape[0])
            throw new ArgumentException($"The stream state holds {state.BatchSize} streams but the clip has batch {clip.shape[0]}.");
    }
}
