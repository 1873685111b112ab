using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Streaming;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>
/// The optimised per-frame path of a trained causal <see cref="MoViNet"/>: BatchNorm and ReZero folded into the convolutions,
/// temporal depthwise convs over preallocated ring buffers, running-sum pools, in-place activations, one dispose scope and
/// <c>inference_mode</c> per step. It gives the same per-frame logits as <see cref="MoViNet.ForwardStep"/> (to float rounding)
/// and converts its state to and from the model's <see cref="StreamState"/> (official layout), so a stream can be handed over
/// either way. Weights are copied at creation: later changes to the model are not seen.
/// </summary>
public sealed class StreamingEngine : IDisposable
{
    private readonly MoViNet model;
    private readonly FoldedConv2d stem;
    private readonly FusedBottleneck[] layers;
    private readonly FusedClassifier classifier;
    private readonly bool positionalEncoding;
    private Tensor counts;            // float32 [B, 1]: frames seen per stream

    public int Height { get; }
    public int Width { get; }
    public int NumClasses { get; }
    /// <summary>Number of streams advanced by each <see cref="Step"/>.</summary>
    public int BatchSize { get; private set; }
    public MoViNetConfig Config => model.Config;

    private StreamingEngine(MoViNet model, int height, int width, int batch, StreamingEngineOptions options)
    {
        var c = model.Config;
        if (!c.Causal) throw new NotSupportedException($"{c.Id} is not causal; the streaming engine needs a stream model.");
        this.model = model; Height = height; Width = width; NumClasses = c.NumClasses; BatchSize = batch;
        positionalEncoding = c.PositionalEncoding;
        using var _ = no_grad();
        stem = new FoldedConv2d(model.Stem);
        long h = SamePadding.OutputSize(height, model.Stem.SpatialStride), w = SamePadding.OutputSize(width, model.Stem.SpatialStride);
        var built = new List<FusedBottleneck>();
        foreach (var layer in model.Layers)
        {
            built.Add(new FusedBottleneck(layer, batch, h, w, options));
            h = SamePadding.OutputSize(h, layer.Options.Stride);
            w = SamePadding.OutputSize(w, layer.Options.Stride);
        }
        layers = built.ToArray();
        classifier = new FusedClassifier(model.Head, model.Classifier, batch);
        counts = zeros(batch, 1).DetachFromDisposeScope();
    }

    /// <summary>An engine for <paramref name="batch"/> streams of <paramref name="height"/>×<paramref name="width"/> frames, from zero state.</summary>
    public static StreamingEngine Create(MoViNet model, int height, int width, int batch = 1, StreamingEngineOptions? options = null)
    {
        if (height < 1 || width < 1) throw new ArgumentOutOfRangeException(nameof(height), "Frame size must be positive.");
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), "An engine runs at least one stream.");
        return new StreamingEngine(model, height, width, batch, options ?? StreamingEngineOptions.Default);
    }

    /// <summary>An engine continuing <paramref name="state"/> (e.g. handed over from <see cref="MoViNet.ForwardStep"/>).</summary>
    public static StreamingEngine FromState(MoViNet model, int height, int width, StreamState state, StreamingEngineOptions? options = null)
    {
        var engine = Create(model, height, width, state.BatchSize, options);
        engine.LoadState(state);
        return engine;
    }

    /// <summary>Frames [B, 3, H, W] (float32, RGB in [0, 1]) → logits [B, classes] after them. The caller owns the result.</summary>
    public Tensor Step(Tensor frames)
    {
        if (frames.dim() != 4 || frames.shape[0] != BatchSize || frames.shape[1] != 3 || frames.shape[2] != Height || frames.shape[3] != Width)
            throw new ArgumentException($"Expected frames [{BatchSize}, 3, {Height}, {Width}], got [{string.Join(", ", frames.shape)}].");
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        var before = positionalEncoding ? counts.view(-1).clone() : counts;
        counts.add_(1);
        var context = new StepContext(counts, before);
        var x = stem.Forward(frames.dtype == ScalarType.Float32 ? frames : frames.to_type(ScalarType.Float32));
        foreach (var layer in layers) x = layer.Forward(x, context);
        return scope.MoveToOuter(classifier.Forward(x, context));
    }

    /// <summary>How many bottlenecks run their depthwise feature with the hand-written kernel (the rest use libtorch).</summary>
    public int SimdLayerCount => layers.Count(l => l.UsesSimdKernel);
    public int LayerCount => layers.Length;

    /// <summary>Frames seen per stream since its start.</summary>
    public int[] FrameCounts() => counts.view(-1).to_type(ScalarType.Int32).data<int>().ToArray();

    /// <summary>Back to the state before the first frame, for every stream.</summary>
    public void Reset()
    {
        using var state = model.InitialState(BatchSize, Height, Width);
        LoadState(state);
    }

    /// <summary>The current state in the model's official layout (new tensors, usable by <see cref="MoViNet.ForwardStep"/>).</summary>
    public StreamState ToStreamState()
    {
        using var _ = no_grad();
        var exported = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using (var counts32 = counts.view(-1).to_type(ScalarType.Int32))
        {
            foreach (var layer in layers)
            {
                if (layer.Temporal is { } t) exported[t.StateName] = t.Export();
                if (layer.SqueezeExcitation is { } se)
                {
                    if (se.ExportPool() is { } pool)
                    {
                        exported[StateNames.PoolBuffer(se.StatePrefix)] = pool;
                        exported[StateNames.PoolFrameCount(se.StatePrefix)] = counts32.clone();
                    }
                    if (se.HasPositionalEncoding) exported[StateNames.PositionalEncodingFrameCount(se.StatePrefix)] = counts32.clone();
                }
            }
            exported[StateNames.PoolBuffer(StateNames.HeadPrefix)] = classifier.ExportPool();
            exported[StateNames.PoolFrameCount(StateNames.HeadPrefix)] = counts32.clone();
        }
        var state = new StreamState(BatchSize);
        foreach (var spec in model.StateSpecs(BatchSize, Height, Width))
        {
            if (!exported.Remove(spec.Name, out var tensor))
                throw new InvalidOperationException($"The engine has no tensor for state '{spec.Name}'.");
            state.Set(spec.Name, tensor);
        }
        if (exported.Count > 0) throw new InvalidOperationException($"The engine exported unknown state '{exported.Keys.First()}'.");
        return state;
    }

    /// <summary>
    /// Continues from <paramref name="state"/> (official layout; any number of streams, which becomes <see cref="BatchSize"/>).
    /// All frame counts of one stream must agree, as they do in any state the model or the engine produced.
    /// </summary>
    public void LoadState(StreamState state)
    {
        var specs = model.StateSpecs(state.BatchSize, Height, Width);
        foreach (var spec in specs)
        {
            if (!state.TryGet(spec.Name, out var t)) throw new ArgumentException($"The stream state lacks '{spec.Name}'.");
            if (!t.shape.SequenceEqual(spec.Shape))
                throw new ArgumentException($"State '{spec.Name}' has shape [{string.Join(", ", t.shape)}], expected [{string.Join(", ", spec.Shape)}] for {Height}×{Width} frames.");
        }
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var headCount = state[StateNames.PoolFrameCount(StateNames.HeadPrefix)];
        foreach (var spec in specs.Where(s => s.DType == ScalarType.Int32))
            if (!state[spec.Name].eq(headCount).all().item<bool>())
                throw new NotSupportedException($"Frame count '{spec.Name}' differs from the head's; the engine keeps one count per stream.");
        foreach (var layer in layers)
        {
            if (layer.Temporal is { } t) t.Import(state[t.StateName]);
            if (layer.SqueezeExcitation?.PoolBufferName is { } pool) layer.SqueezeExcitation.ImportPool(state[pool]);
        }
        classifier.ImportPool(state[StateNames.PoolBuffer(StateNames.HeadPrefix)]);
        var next = headCount.to_type(ScalarType.Float32).view(-1, 1).clone();
        scope.MoveToOuter(next).DetachFromDisposeScope();
        counts.Dispose();
        counts = next;
        BatchSize = state.BatchSize;
    }

    public void Dispose()
    {
        stem.Dispose();
        foreach (var layer in layers) layer.Dispose();
        classifier.Dispose();
        counts.Dispose();
    }
}
