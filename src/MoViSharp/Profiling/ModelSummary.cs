using MoViSharp.Models;

namespace MoViSharp.Profiling;

/// <summary>What `movisharp info` reports about a model at a clip size.</summary>
public sealed record ModelSummary(
    string Model, string Variant, int Classes, int Frames, int Size,
    long Parameters, long MultiplyAdds, long MultiplyAddsPerFrame, int StateTensors, long StateBytes)
{
    /// <summary>Counts for <paramref name="model"/> on a clip of <paramref name="frames"/> × <paramref name="size"/>².</summary>
    public static ModelSummary Of(MoViNet model, int frames, int size)
    {
        var clip = model.Trace(frames, size, size);
        // Per frame: a stream model's one-frame step; a base model's clip cost spread over its frames.
        long perFrame = model.Config.Causal ? model.Trace(1, size, size).MultiplyAdds : clip.MultiplyAdds / frames;
        var states = model.StateSpecs(1, size, size);
        return new ModelSummary(model.Config.Name, model.Config.Variant.ToString().ToLowerInvariant(), model.Config.NumClasses,
            frames, size, model.ParameterCount, clip.MultiplyAdds, perFrame, states.Count, states.Sum(s => s.Bytes));
    }
}
