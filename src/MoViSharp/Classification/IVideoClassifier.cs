using MoViSharp.Models;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Classification;

/// <summary>
/// The one classifier contract every consumer uses — sessions, <see cref="MultiStreamRunner"/>, temporal ensembles, evaluation and
/// every command: the plain model (<see cref="ModelClassifier"/>), its compiled fast form (<c>Inference.CompiledModel</c>) and
/// <see cref="TemporalEnsemble"/> implement it. Inputs are RGB in [0, 1] at the model's crop size; the classifier applies the
/// model's normalisation itself (<see cref="Preprocessing"/>).
/// </summary>
public interface IVideoClassifier : IDisposable
{
    /// <summary>What it is, for messages (e.g. <c>a0-stream, compiled</c>).</summary>
    string Name { get; }

    int NumClasses { get; }

    /// <summary>Class names, or null when the weights carry none.</summary>
    IReadOnlyList<string>? Labels { get; }

    /// <summary>How frames must be decoded and sampled for it.</summary>
    Preprocessing Preprocessing { get; }

    /// <summary>Null when it runs frame by frame; otherwise why it cannot.</summary>
    string? NotStreamableReason { get; }

    /// <summary>How many first outputs of a stream are the transient of the zero fill (0 for causal models).</summary>
    int Delay { get; }

    /// <summary>The state before the first frame of <paramref name="batch"/> streams of <paramref name="height"/>×<paramref name="width"/> frames.</summary>
    IClassifierState InitialState(int batch, int height, int width);

    /// <summary>One frame per stream [B, 3, H, W] → logits [B, K] after it (the caller owns them); null when nothing is emitted.</summary>
    Tensor? Step(Tensor frames, IClassifierState state);

    /// <summary>Logits [N, P, K] of clips [N, 3, T, H, W]: P = 1 for clip models, one per output frame for stream models.</summary>
    Tensor ClipLogits(Tensor clips);

    /// <summary>How many input frames output position <paramref name="position"/> of <paramref name="positions"/> has seen in a clip of <paramref name="frames"/>.</summary>
    int FramesSeen(int position, int positions, int frames);

    /// <summary>The state as the plain model keys it (module paths; new tensors), e.g. to hand a stream over or save it.</summary>
    StreamState Export(IClassifierState state);

    /// <summary>A state continuing <paramref name="state"/> (any number of streams), as <see cref="Export"/> wrote it.</summary>
    IClassifierState Import(StreamState state, int height, int width);
}

/// <summary>The streams' state of one <see cref="IVideoClassifier"/>, owned by the caller.</summary>
public interface IClassifierState : IDisposable
{
    int BatchSize { get; }
    int Height { get; }
    int Width { get; }
}
