using MoViSharp.Families.MoViNets;
using MoViSharp.Models;

namespace MoViSharp.Profiling;

/// <summary>What `movisharp info` reports about a model at a clip size.</summary>
public sealed record ModelSummary(
    string Family, string Id, string Model, string? Variant, int Classes, int Frames, int Size,
    long Parameters, long MultiplyAdds, long MultiplyAddsPerFrame, int StateTensors, long StateBytes,
    bool Streamable, int ReceptiveField, int Delay)
{
    /// <summary>Counts for <paramref name="model"/> on a clip of <paramref name="frames"/> × <paramref name="size"/>².</summary>
    public static ModelSummary Of(VideoModel model, int frames, int size)
    {
        var clip = model.Trace(frames, size, size);
        // Per frame: a streaming model's one-frame step; a clip model's clip cost spread over its frames.
        long perFrame = model.Streamable ? model.Trace(1, size, size).MultiplyAdds : clip.MultiplyAdds / frames;
        var states = model.StateSpecs(1, size, size);
        var config = model.Config;
        var temporal = model.Temporal;
        return new ModelSummary(config.Family, config.Id, config.Name,
            config is MoViNetConfig m ? m.Variant.ToString().ToLowerInvariant() : null, config.NumClasses,
            frames, size, model.ParameterCount, clip.MultiplyAdds, perFrame, states.Count, states.Sum(s => s.Bytes),
            model.Streamable, temporal.ReceptiveField, temporal.Delay);
    }
}
