using MoViSharp.Layers;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Families.MoViNets;

/// <summary>
/// The official MoViNet state names and layouts (TF Model Garden, TFLite signatures) as an export mapping over MoViSharp's
/// path-keyed state, as a weight layout maps checkpoint names: stream buffers [B, k−1, H, W, C] (ours [B, C, k−1, H, W]), pool
/// sums [B, 1, 1, 1, C] (ours [B, C]), frame counts int32 [B] (the official [1] for one stream).
/// </summary>
public static class MoViNetStateNames
{
    public static string LayerPrefix(int block, int layer) => $"state_block{block}_layer{layer}";
    public const string HeadPrefix = "state_head";

    public static string StreamBuffer(string prefix) => $"{prefix}_stream_buffer";
    public static string PoolBuffer(string prefix) => $"{prefix}_pool_buffer";
    public static string PoolFrameCount(string prefix) => $"{prefix}_pool_frame_count";
    public static string PositionalEncodingFrameCount(string prefix) => $"{prefix}_pos_enc_frame_count";

    /// <summary>One state tensor: our key, the official name, and the layout change each way.</summary>
    public sealed record Entry(string Key, string OfficialName, Func<Tensor, Tensor> ToOfficial, Func<Tensor, Tensor> FromOfficial);

    /// <summary>Every state tensor of a causal <paramref name="model"/>, in the official order.</summary>
    public static IReadOnlyList<Entry> Entries(MoViNet model)
    {
        var entries = new List<Entry>();
        static Tensor Same(Tensor t) => t;
        static Tensor BufferOut(Tensor t) => t.permute(0, 2, 3, 4, 1);         // [B, C, k−1, H, W] → [B, k−1, H, W, C]
        static Tensor BufferIn(Tensor t) => t.permute(0, 4, 1, 2, 3);
        static Tensor PoolOut(Tensor t) => t.reshape(t.shape[0], 1, 1, 1, t.shape[1]);
        static Tensor PoolIn(Tensor t) => t.reshape(t.shape[0], t.shape[^1]);
        void Pool(CumulativeAveragePool pool, string prefix)
        {
            entries.Add(new Entry(pool.SumKey, PoolBuffer(prefix), PoolOut, PoolIn));
            entries.Add(new Entry(pool.CountKey, PoolFrameCount(prefix), Same, Same));
        }

        int index = 0;
        var stages = model.Spec.Stages;
        for (int b = 0; b < stages.Count; b++)
            for (int l = 0; l < stages[b].Layers.Count; l++, index++)
            {
                var layer = model.Layers[index];
                string prefix = LayerPrefix(b, l);
                var temporal = layer.Feature.Conv ?? layer.Feature.TemporalPart;
                if (temporal?.Buffer is { } buffer)
                    entries.Add(new Entry(buffer.Path, StreamBuffer(prefix), BufferOut, BufferIn));
                if (layer.SqueezeExcitation is { } se)
                {
                    if (se.CumulativePool is { } pool) Pool(pool, prefix);
                    if (se.PositionalEncoding is { } pe) entries.Add(new Entry(pe.CountKey, PositionalEncodingFrameCount(prefix), Same, Same));
                }
            }
        if (model.Pool is CumulativeAveragePool head) Pool(head, HeadPrefix);
        return entries;
    }

    /// <summary>The state under the official names and layouts (new tensors).</summary>
    public static StreamState ToOfficial(MoViNet model, StreamState state)
    {
        var result = new StreamState(state.BatchSize);
        foreach (var e in Entries(model)) result.Set(e.OfficialName, e.ToOfficial(state[e.Key]).contiguous().clone());
        return result;
    }

    /// <summary>A state in MoViSharp's keys from one under the official names and layouts (new tensors).</summary>
    public static StreamState FromOfficial(MoViNet model, StreamState official)
    {
        var result = new StreamState(official.BatchSize);
        foreach (var e in Entries(model)) result.Set(e.Key, e.FromOfficial(official[e.OfficialName]).contiguous().clone());
        return result;
    }

    /// <summary>The official names and shapes of the state, without running the model.</summary>
    public static IReadOnlyList<StateSpec> OfficialSpecs(MoViNet model, int batch, int height, int width)
    {
        var specs = model.StateSpecs(batch, height, width).ToDictionary(s => s.Name);
        return Entries(model).Select(e =>
        {
            var spec = specs[e.Key];
            using var probe = zeros(spec.Shape, spec.DType);
            using var official = e.ToOfficial(probe);
            return new StateSpec(e.OfficialName, official.shape, spec.DType);
        }).ToList();
    }
}
