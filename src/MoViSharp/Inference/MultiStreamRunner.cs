using MoViSharp.Models;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>
/// Many independent streams advanced together: each <see cref="Step"/> runs one batched forward pass of a
/// <see cref="StreamingEngine"/> whose row i is stream i's state. Streams join (fresh or with a handed-over state) and leave
/// (taking their state with them) between frames; frame counts are per stream, so each stream gets exactly the logits it would
/// get alone. Joining or leaving re-lays the engine's state once (O(state size)); steps allocate nothing beyond their scope.
/// </summary>
public sealed class MultiStreamRunner : IDisposable
{
    private readonly MoViNet model;
    private readonly List<int> rows = [];           // stream id of each engine row
    private StreamingEngine? engine;
    private int nextId;

    public int Height { get; }
    public int Width { get; }
    /// <summary>The streams, in the order of the engine's batch rows.</summary>
    public IReadOnlyList<int> Streams => rows;
    public int Count => rows.Count;

    public MultiStreamRunner(MoViNet model, int height, int width)
    {
        if (!model.Config.Causal) throw new NotSupportedException($"{model.Config.Id} is not causal; streaming needs a stream model.");
        this.model = model; Height = height; Width = width;
    }

    /// <summary>Adds a stream (from the start, or continuing a one-stream <paramref name="state"/>); returns its id.</summary>
    public int Join(StreamState? state = null)
    {
        if (state is not null && state.BatchSize != 1) throw new ArgumentException("Join takes the state of one stream.", nameof(state));
        using var fresh = state is null ? model.InitialState(1, Height, Width) : null;
        var incoming = state ?? fresh!;
        if (engine is null || rows.Count == 0)
        {
            engine ??= StreamingEngine.Create(model, Height, Width);
            engine.LoadState(incoming);
        }
        else
        {
            using var current = engine.ToStreamState();
            using var joined = StreamState.Concatenate([current, incoming]);
            engine.LoadState(joined);
        }
        rows.Add(nextId);
        return nextId++;
    }

    /// <summary>Removes a stream and returns its state (official layout, one stream), e.g. to continue it elsewhere.</summary>
    public StreamState Leave(int stream)
    {
        int row = rows.IndexOf(stream);
        if (row < 0) throw new KeyNotFoundException($"No stream {stream} in this runner.");
        using var current = engine!.ToStreamState();
        var leaving = current.Select(row);
        rows.RemoveAt(row);
        if (rows.Count > 0)
        {
            using var remaining = current.Select(Enumerable.Range(0, current.BatchSize).Where(r => r != row).ToArray());
            engine.LoadState(remaining);
        }
        return leaving;
    }

    /// <summary>
    /// Advances every stream by one frame: <paramref name="frames"/> maps each current stream id to its frame [3, H, W] or
    /// [1, 3, H, W]. Returns the logits [classes] after the frame, per stream.
    /// </summary>
    public IReadOnlyDictionary<int, float[]> Step(IReadOnlyDictionary<int, Tensor> frames)
    {
        if (rows.Count == 0) return new Dictionary<int, float[]>();
        if (frames.Count != rows.Count || rows.Any(id => !frames.ContainsKey(id)))
            throw new ArgumentException($"Step needs exactly one frame for each of the {rows.Count} streams ({string.Join(", ", rows)}).");
        using var scope = NewDisposeScope();
        var batch = stack(rows.Select(id => frames[id].dim() == 4 ? frames[id].squeeze(0) : frames[id]).ToList(), 0);
        using var logits = engine!.Step(batch);
        var flat = logits.contiguous().data<float>().ToArray();
        int classes = (int)logits.shape[1];
        var result = new Dictionary<int, float[]>(rows.Count);
        for (int r = 0; r < rows.Count; r++) result[rows[r]] = flat.AsSpan(r * classes, classes).ToArray();
        return result;
    }

    /// <summary>Advances all streams with a batch already in row order [Count, 3, H, W]; returns logits [Count, classes] (caller owns).</summary>
    public Tensor StepBatch(Tensor frames)
    {
        if (engine is null || rows.Count == 0) throw new InvalidOperationException("No streams have joined.");
        return engine.Step(frames);
    }

    public void Dispose() => engine?.Dispose();
}
