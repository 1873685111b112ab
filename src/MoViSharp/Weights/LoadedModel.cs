using MoViSharp.Models;

namespace MoViSharp.Weights;

/// <summary>A model ready for inference, the class names when known, and what it was loaded from.</summary>
public sealed record LoadedModel(MoViNet Model, IReadOnlyList<string>? Labels, string Source, string Format) : IDisposable
{
    public void Dispose() => Model.Dispose();
}
