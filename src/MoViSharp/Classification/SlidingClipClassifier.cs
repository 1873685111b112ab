using MoViSharp.Models;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Classification;

/// <summary>
/// A clip model (one that needs the whole clip: MViT, X3D, R(2+1)D …) as a streaming classifier: it keeps the last clip's worth
/// of frames (<see cref="Preprocessing.Frames"/> frames, <see cref="Preprocessing.FrameStride"/> apart) and classifies that window
/// every <see cref="Hop"/> frames, answering nothing in between — so sessions, <c>classify</c>, the multi-stream runner and the
/// server treat every family alike. Until a stream has seen a whole window the missing frames are zeros. Continual models
/// (Families/Continual) are the per-frame alternative for the families that support it.
/// </summary>
public sealed class SlidingClipClassifier : IVideoClassifier
{
    private const string FramesKey = "clip.frames", CountKey = "clip.count";

    private readonly IVideoClassifier clip;

    /// <param name="hop">frames between predictions; default one window span (windows do not overlap)</param>
    public SlidingClipClassifier(IVideoClassifier clip, int? hop = null)
    {
        if (clip.NotStreamableReason is null) throw new ArgumentException($"{clip.Name} streams by itself; it needs no sliding window.", nameof(clip));
        this.clip = clip;
        Span = (clip.Preprocessing.Frames - 1) * clip.Preprocessing.FrameStride + 1;
        Hop = hop ?? Span;
        ArgumentOutOfRangeException.ThrowIfLessThan(Hop, 1, nameof(hop));
    }

    /// <summary>Frames of video one prediction covers.</summary>
    public int Span { get; }
    public int Hop { get; }

    public string Name => $"{clip.Name}, sliding window of {Span} frames every {Hop}";
    public int NumClasses => clip.NumClasses;
    public IReadOnlyList<string>? Labels => clip.Labels;
    public Preprocessing Preprocessing => clip.Preprocessing;
    public string? NotStreamableReason => null;
    public int Delay => Span - 1;

    public IClassifierState InitialState(int batch, int height, int width) =>
        new State(zeros([batch, 3, Span, height, width]), zeros(batch, dtype: ScalarType.Int32), height, width);

    public Tensor? Step(Tensor frames, IClassifierState state)
    {
        var s = (State)state;
        if (frames.dim() != 4 || frames.shape[0] != s.BatchSize || frames.shape[1] != 3 || frames.shape[2] != s.Height || frames.shape[3] != s.Width)
            throw new ArgumentException($"Expected frames [{s.BatchSize}, 3, {s.Height}, {s.Width}], got [{string.Join(", ", frames.shape)}].");
        using var scope = NewDisposeScope();
        s.Push(frames.to_type(ScalarType.Float32));
        // A prediction when some stream completes a hop after its first full window; rows in another phase are classified too.
        var counts = s.Counts.data<int>().ToArray();
        if (!counts.Any(c => c >= Span && (c - Span) % Hop == 0)) return null;
        using var mode = inference_mode();
        var window = s.Frames;
        if (Preprocessing.FrameStride > 1)
        {
            using var index = arange(0, Span, Preprocessing.FrameStride, dtype: ScalarType.Int64);
            window = window.index_select(2, index);
        }
        return scope.MoveToOuter(clip.ClipLogits(window).select(1, -1));
    }

    public Tensor ClipLogits(Tensor clips) => clip.ClipLogits(clips);

    public int FramesSeen(int position, int positions, int frames) => clip.FramesSeen(position, positions, frames);

    public StreamState Export(IClassifierState state)
    {
        var s = (State)state;
        var result = new StreamState(s.BatchSize);
        result.Set(FramesKey, s.Frames.clone());
        result.Set(CountKey, s.Counts.clone());
        return result;
    }

    public IClassifierState Import(StreamState state, int height, int width) =>
        new State(state[FramesKey].clone(), state[CountKey].clone(), height, width);

    public void Dispose() => clip.Dispose();

    private sealed class State : IClassifierState
    {
        public State(Tensor frames, Tensor counts, int height, int width)
        {
            Frames = frames.DetachFromDisposeScope();
            Counts = counts.DetachFromDisposeScope();
            (Height, Width) = (height, width);
        }

        public Tensor Frames { get; private set; }           // [B, 3, span, H, W], oldest first
        public Tensor Counts { get; private set; }           // int32 [B]
        public int BatchSize => (int)Frames.shape[0];
        public int Height { get; }
        public int Width { get; }

        public void Push(Tensor frames)
        {
            long span = Frames.shape[2];
            var next = cat([Frames.narrow(2, 1, span - 1), frames.unsqueeze(2)], 2).DetachFromDisposeScope();
            var counts = Counts.add(1).to_type(ScalarType.Int32).DetachFromDisposeScope();
            Frames.Dispose();
            Counts.Dispose();
            (Frames, Counts) = (next, counts);
        }

        public void Dispose()
        {
            Frames.Dispose();
            Counts.Dispose();
        }
    }
}
