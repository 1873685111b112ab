using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoViSharp.Layers.Transformers;

/// <summary>
/// A transformer encoder over a sliding window of the last <see cref="Window"/> tokens, computed continually (Hedegaard,
/// Bakhtiarnia &amp; Iosifidis, ICLR 2023): with one layer, single-output attention — each step attends only the newest query to
/// cached keys and values (O(n·d)); with two or more, the first layer is retroactive — every output of the window is updated from
/// cached sums, no window recomputation — middle layers are recomputed on the window and the last is single-output. Tokens are
/// per-frame features [B, C, T, 1, 1]; the output at frame t is the encoder's output for token t over the window ending at t.
/// Before the window is full only the frames seen are attended to (a key-padding mask), so the clip call and any split into
/// steps agree exactly with <see cref="SlidingWindow"/>, the regular encoder recomputed on every window (tested).
/// </summary>
public sealed class ContinualTransformerEncoder : StreamModule
{
    private readonly ModuleList<TransformerLayer> layers;

    public int Window { get; }
    public int Channels { get; }
    public IReadOnlyList<TransformerLayer> Layers => layers.ToList();

    public ContinualTransformerEncoder(int channels, int heads, int feedForward, int blocks, int window, ActivationKind activation = ActivationKind.Relu)
        : base(nameof(ContinualTransformerEncoder))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        Window = window;
        Channels = channels;
        layers = new ModuleList<TransformerLayer>(Enumerable.Range(0, blocks).Select(_ => new TransformerLayer(channels, heads, feedForward, activation)).ToArray());
        register_module("layers", layers);
    }

    // A step's state per stream: frames seen, and per layer what the continual form needs.
    private string Key(string name) => StateKey(name);

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        if (x.dim() != 5 || x.shape[3] != 1 || x.shape[4] != 1)
            throw new ArgumentException($"{GetType().Name} takes per-frame tokens [B, C, T, 1, 1], got [{string.Join(", ", x.shape)}].");
        var own = state ?? new StreamState((int)x.shape[0]);
        try
        {
            var tokens = x.flatten(2).transpose(1, 2);                                        // [B, T, C]
            var outputs = new List<Tensor>();
            for (int t = 0; t < tokens.shape[1]; t++) outputs.Add(Advance(tokens.select(1, t), own));
            return stack(outputs, 2).unsqueeze(-1).unsqueeze(-1);                              // [B, C, T, 1, 1]
        }
        finally
        {
            if (state is null) own.Dispose();
        }
    }

    /// <summary>One token [B, C] → the encoder's output for it [B, C]; updates the state.</summary>
    private Tensor Advance(Tensor token, StreamState state)
    {
        long batch = token.shape[0];
        int n = Window;
        var seen = state.TryGet(Key("count"), out var c) ? c.to_type(ScalarType.Int64) : zeros(batch, dtype: ScalarType.Int64, device: token.device);
        var validAfter = seen.add(1).clamp_max(n);                                             // tokens in the window after this step
        // Key j of the window (0 oldest … n−1 newest) is a frame seen by now: j ≥ n − valid.
        var positions = arange(n, device: token.device).view(1, n);
        var validKeys = positions.ge(validAfter.view(batch, 1).neg().add(n));                 // [B, n]
        state.Set(Key("count"), seen.add(1).to_type(ScalarType.Int32));

        if (layers.Count == 1) return SingleOutput(layers[0], token, state, validKeys, "layer0");
        var window = Retroactive(layers[0], token, state, seen, validKeys);                    // [B, n, C]
        for (int i = 1; i < layers.Count - 1; i++) window = Masked(layers[i], window, validKeys);
        return LastOutput(layers[^1], window, validKeys);
    }

    /// <summary>Single-output attention: the newest token's query against the cached keys and values of the window.</summary>
    private Tensor SingleOutput(TransformerLayer layer, Tensor token, StreamState state, Tensor validKeys, string name)
    {
        var x = token.unsqueeze(1);                                                            // [B, 1, C]
        var (q, k, v) = layer.Project(x);                                                      // [B, H, 1, d]
        var keys = Shift(state, Key($"{name}.k"), k, layer);
        var values = Shift(state, Key($"{name}.v"), v, layer);
        var scores = q.matmul(keys.transpose(-2, -1)).mul(layer.Scale);                          // [B, H, 1, n]
        scores = scores.masked_fill(validKeys.logical_not().view(validKeys.shape[0], 1, 1, -1), double.NegativeInfinity);
        return layer.Finish(x, scores.softmax(-1).matmul(values)).squeeze(1);
    }

    /// <summary>
    /// Retroactive attention: every output of the window updated from cached softmax denominators (d), unnormalised outputs
    /// (AV) and queries of the n−1 tokens that stay — the leaving key's terms subtracted, the new key's added, the new query's row
    /// computed — then the layer's residual, norms and feed-forward on the whole window. exp() is taken without max-subtraction,
    /// as the paper's method requires; scores are scaled by 1/√d and stay small for normalised tokens.
    /// </summary>
    private Tensor Retroactive(TransformerLayer layer, Tensor token, StreamState state, Tensor seenBefore, Tensor validKeys)
    {
        long batch = token.shape[0];
        int n = Window, h = layer.Heads, d = layer.HeadChannels;
        var x = token.unsqueeze(1);
        var (q, k, v) = layer.Project(x);                                                      // [B, H, 1, d]
        var oldKeys = Stored(state, Key("layer0.k"), [batch, h, n, d], token);
        var oldValues = Stored(state, Key("layer0.v"), [batch, h, n, d], token);
        var queries = Stored(state, Key("layer0.q"), [batch, h, n - 1, d], token);
        var sums = Stored(state, Key("layer0.d"), [batch, h, n - 1], token);
        var weighted = Stored(state, Key("layer0.av"), [batch, h, n - 1, d], token);
        var inputs = Stored(state, Key("layer0.x"), [batch, n, layer.Channels], token);

        var leavingKey = oldKeys.narrow(2, 0, 1);
        var leavingValue = oldValues.narrow(2, 0, 1);
        var keys = cat([oldKeys.narrow(2, 1, n - 1), k], 2);
        var values = cat([oldValues.narrow(2, 1, n - 1), v], 2);
        // The leaving key counted only if it was a frame (the window was full before this step).
        var leftValid = seenBefore.ge(n).to_type(token.dtype).view(batch, 1, 1);
        var left = queries.matmul(leavingKey.transpose(-2, -1)).squeeze(-1).mul(layer.Scale).exp().mul(leftValid);      // [B, H, n−1]
        var right = queries.matmul(k.transpose(-2, -1)).squeeze(-1).mul(layer.Scale).exp();                               // [B, H, n−1]
        var bottom = q.matmul(keys.transpose(-2, -1)).mul(layer.Scale).exp()
            .mul(validKeys.to_type(token.dtype).view(batch, 1, 1, n));                                                     // [B, H, 1, n]
        var denominators = cat([sums.sub(left).add(right), bottom.sum(-1)], 2);                                           // [B, H, n]
        var numerators = cat([
            weighted.sub(left.unsqueeze(-1).mul(leavingValue)).add(right.unsqueeze(-1).mul(v)),
            bottom.matmul(values)], 2);                                                                                    // [B, H, n, d]
        var window = cat([inputs.narrow(1, 1, n - 1), x], 1);                                                              // [B, n, C]

        state.Set(Key("layer0.k"), keys.contiguous());
        state.Set(Key("layer0.v"), values.contiguous());
        state.Set(Key("layer0.q"), cat([queries.narrow(2, 1, n - 2), q], 2).contiguous());
        state.Set(Key("layer0.d"), denominators.narrow(2, 1, n - 1).contiguous());
        state.Set(Key("layer0.av"), numerators.narrow(2, 1, n - 1).contiguous());
        state.Set(Key("layer0.x"), window.contiguous());
        return layer.Finish(window, numerators.div(denominators.unsqueeze(-1)));
    }

    /// <summary>A middle layer recomputed on the window, attending only to frames seen.</summary>
    private static Tensor Masked(TransformerLayer layer, Tensor window, Tensor validKeys)
    {
        var (q, k, v) = layer.Project(window);
        var scores = q.matmul(k.transpose(-2, -1)).mul(layer.Scale)
            .masked_fill(validKeys.logical_not().view(validKeys.shape[0], 1, 1, -1), double.NegativeInfinity);
        return layer.Finish(window, scores.softmax(-1).matmul(v));
    }

    /// <summary>The last layer for the newest token only, over the window its predecessor produced.</summary>
    private static Tensor LastOutput(TransformerLayer layer, Tensor window, Tensor validKeys)
    {
        long n = window.shape[1];
        var (q, k, v) = layer.Project(window);
        var scores = q.narrow(2, n - 1, 1).matmul(k.transpose(-2, -1)).mul(layer.Scale)
            .masked_fill(validKeys.logical_not().view(validKeys.shape[0], 1, 1, -1), double.NegativeInfinity);
        return layer.Finish(window.narrow(1, n - 1, 1), scores.softmax(-1).matmul(v)).squeeze(1);
    }

    private Tensor Shift(StreamState state, string key, Tensor newest, TransformerLayer layer)
    {
        var stored = Stored(state, key, [newest.shape[0], layer.Heads, Window, layer.HeadChannels], newest);
        var shifted = cat([stored.narrow(2, 1, Window - 1), newest], 2);
        state.Set(key, shifted.contiguous());
        return shifted;
    }

    private static Tensor Stored(StreamState state, string key, long[] shape, Tensor like) =>
        state.TryGet(key, out var t) ? t : zeros(shape, dtype: like.dtype, device: like.device);

    /// <summary>
    /// The reference: the regular encoder recomputed over the window ending at each frame (all layers on the whole window, only
    /// the frames seen attended to), output for the window's newest token. What the continual forms save is this recomputation.
    /// </summary>
    public Tensor SlidingWindow(Tensor x)
    {
        long batch = x.shape[0], frames = x.shape[2];
        int n = Window;
        var tokens = x.flatten(2).transpose(1, 2);                                                 // [B, T, C]
        var padded = cat([zeros(batch, n - 1, Channels, dtype: x.dtype, device: x.device), tokens], 1);
        var outputs = new List<Tensor>();
        for (int t = 0; t < frames; t++)
        {
            var window = padded.narrow(1, t, n);
            int valid = Math.Min(t + 1, n);
            var validKeys = arange(n, device: x.device).ge(n - valid).view(1, n).expand(batch, n);
            foreach (var layer in layers) window = Masked(layer, window, validKeys);
            outputs.Add(window.select(1, n - 1));
        }
        return stack(outputs, 2).unsqueeze(-1).unsqueeze(-1);
    }

    public override TemporalProfile Temporal => new(Window, 0, 1);

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        int n = Window, b = layers.Count;
        var first = layers[0];
        long perToken;
        if (b == 1) perToken = first.ProjectionMacs(1) + first.FinishMacs(1) + 2L * n * Channels;     // one query against n keys
        else
        {
            perToken = first.ProjectionMacs(1) + first.FinishMacs(n) + 7L * n * Channels;           // retroactive: every row updated
            for (int i = 1; i < b - 1; i++) perToken += layers[i].ProjectionMacs(n) + layers[i].FinishMacs(n) + 2L * n * n * Channels;
            perToken += layers[b - 1].ProjectionMacs(n) + layers[b - 1].FinishMacs(1) + 2L * n * Channels;
        }
        trace.AddMultiplyAdds(perToken * input.Frames);
        trace.AddState(new StateSpec(Key("count"), [trace.BatchSize], ScalarType.Int32));
        long h = first.Heads, d = first.HeadChannels;
        if (b == 1)
        {
            trace.AddState(new StateSpec(Key("layer0.k"), [trace.BatchSize, h, n, d], ScalarType.Float32));
            trace.AddState(new StateSpec(Key("layer0.v"), [trace.BatchSize, h, n, d], ScalarType.Float32));
        }
        else
        {
            foreach (var (name, shape) in new (string, long[])[]
                     {
                         ("layer0.k", [trace.BatchSize, h, n, d]), ("layer0.v", [trace.BatchSize, h, n, d]), ("layer0.q", [trace.BatchSize, h, n - 1, d]),
                         ("layer0.d", [trace.BatchSize, h, n - 1]), ("layer0.av", [trace.BatchSize, h, n - 1, d]), ("layer0.x", [trace.BatchSize, n, Channels]),
                     })
                trace.AddState(new StateSpec(Key(name), shape, ScalarType.Float32));
        }
        return input;
    }
}
