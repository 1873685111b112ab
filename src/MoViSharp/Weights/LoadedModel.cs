using MoViSharp.Models;

namespace MoViSharp.Weights;

/// <summary>A model read from a weights file (eval mode) and the class names the file (or its label set) gives, if any.</summary>
public sealed record LoadedModel(VideoModel Model, IReadOnlyList<string>? Labels) : IDisposable
{
    public void Dispose() => Model.Dispose();
}
