using MoViSharp.Models;

namespace MoViSharp.Search;

/// <summary>
/// Multiply-adds per frame, in millions: a causal point's one-frame step (what streaming costs per frame), a non-causal point's
/// (and every TVN's) clip cost spread over its frames (as <c>movisharp info</c> reports).
/// </summary>
public sealed class MacsCost(ISearchSpace space, int classes) : IArchitectureCost
{
    public string Name => "macs";
    public string Unit => "MMACs/frame";
    public bool Deterministic => true;

    public double Of(ISearchPoint a)
    {
        using var model = ModelRegistry.Build(space.ToConfig(a, classes));
        return PerFrame(model, a) / 1e6;
    }

    internal static long PerFrame(VideoModel model, ISearchPoint a) => a.Causal
        ? model.Trace(1, a.Resolution, a.Resolution).MultiplyAdds
        : model.Trace(a.Frames, a.Resolution, a.Resolution).MultiplyAdds / a.Frames;
}
