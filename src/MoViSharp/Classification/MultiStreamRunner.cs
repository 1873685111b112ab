using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Classification;

/// <summary>
/// Many independent streams advanced together through one <see cref="IVideoClassifier"/> (usually compiled): each
/// <see cref="Step"/> runs one batched step whose row i is stream i's state. Streams join (fresh or with a handed-over state)
/// and leave (taking their state with them) between frames; frame counts are per stream, so each stream gets exactly the
/// logits it would get alone. Joining or leaving re-lays the batch state once (O(state size)); steps allocate nothing beyond
/// their scope.
/// </summary>
public sealed class MultiStreamRunner : IDisposable
{
    private readonly IVideoClassifier classifier;
    private readonly List<int> rows = [];           // stream id of each batch row
    private IClassifierState? state;
    private int nextId;

    public int Height { get; }
    public int Width { get; }
    /// <summary>The streams, in the order of the batch rows.</summary>
    public IReadOnlyList<int> Streams => rows;
    public int Count => rows.Count;

    /// <param name="hop">for clip models (classified over sliding windows): frames between predictions</param>
    public MultiStreamRunner(IVideoClassifier classifier, int height, int width, int? hop = null)
    {
        this.classifier = classifier.NotStreamableReason is null ? classifier : new SlidingClipClassifier(classifier, hop);
        Height = height; Width = width;
    }

    /// <summary>Adds a stream (from the start, or continuing a one-stream <paramref name="streamState"/> as <see cref="Leave"/> returns it); returns its id.</summary>
    public int Join(StreamState? streamState = null)
    {
        if (streamState is not null && streamState.BatchSize != 1) throw new ArgumentException("Join takes the state of one stream.", nameof(streamState));
        using var fresh = streamState is null ? classifier.InitialState(1, Height, Width) : null;
        using var incoming = streamState is null ? classifier.Export(fresh!) : null;
        var joining = streamState ?? incoming!;
        if (state is null || rows.Count == 0)
        {
            state?.Dispose();
            state = classifier.Import(joining, Height, Width);
        }
        else
        {
            using var current = classifier.Export(state);
            using var joined = StreamState.Concatenate([current, joining]);
            state.Dispose();
            state = classifier.Import(joined, Height, Width);
        }
        rows.Add(nextId);
        return nextId++;
    }

    /// <summary>Removes a stream and returns its state (one stream, as the plain model keys it), e.g. to continue it elsewhere.</summary>
    public StreamState Leave(int stream)
    {
        int row = rows.IndexOf(stream);
        if (row < 0) throw new KeyNotFoundException($"No stream {stream} in this runner.");
        using var current = classifier.Export(state!);
        var leaving = current.Select(row);
        rows.RemoveAt(row);
        state!.Dispose();
        state = null;
        if (rows.Count > 0)
        {
            using var remaining = current.Select(Enumerable.Range(0, current.BatchSize).Where(r => r != row).ToArray());
            state = classifier.Import(remaining, Height, Width);
        }
        return leaving;
    }

    /// <summary>
    /// Advances every stream by one frame: <paramref name="frames"/> maps each current stream id to its frame [3, H, W] or
    /// [1, 3, H, W]. Returns the logits [classes] after the frame, per stream (none while the classifier emits nothing).
    /// </summary>
    public IReadOnlyDictionary<int, float[]> Step(IReadOnlyDictionary<int, Tensor> frames)
    {
        if (rows.Count == 0) return new Dictionary<int, float[]>();
        if (frames.Count != rows.Count || rows.Any(id => !frames.ContainsKey(id)))
            throw new ArgumentException($"Step needs exactly one frame for each of the {rows.Count} streams ({string.Join(", ", rows)}).");
        using var scope = NewDisposeScope();
        var batch = stack(rows.Select(id => frames[id].dim() == 4 ? frames[id].squeeze(0) : frames[id]).ToList(), 0);
        var logits = classifier.Step(batch, state!);
        var result = new Dictionary<int, float[]>(rows.Count);
        if (logits is null) return result;
        var flat = logits.contiguous().data<float>().ToArray();
        int classes = (int)logits.shape[1];
        for (int r = 0; r < rows.Count; r++) result[rows[r]] = flat.AsSpan(r * classes, classes).ToArray();
        return result;
    }

    /// <summary>Advances all streams with a batch already in row order [Count, 3, H, W]; returns logits [Count, classes] (caller owns).</summary>
    public Tensor? StepBatch(Tensor frames)
    {
        if (state is null || rows.Count == 0) throw new InvalidOperationException("No streams have joined.");
        return classifier.Step(frames, state);
    }

    public void Dispose() => state?.Dispose();
}
