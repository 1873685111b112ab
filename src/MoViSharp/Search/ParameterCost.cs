using MoViSharp.Models;

namespace MoViSharp.Search;

/// <summary>Parameters, in millions (the size of the weights file, not its speed).</summary>
public sealed class ParameterCost(ISearchSpace space, int classes) : IArchitectureCost
{
    public string Name => "params";
    public string Unit => "M params";
    public bool Deterministic => true;

    public double Of(ISearchPoint a)
    {
        using var model = ModelRegistry.Build(space.ToConfig(a, classes));
        return model.ParameterCount / 1e6;
    }
}
