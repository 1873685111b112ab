using System.Text.Json.Nodes;

namespace MoViSharp.Search;

/// <summary>
/// A point of an <see cref="ISearchSpace"/>: every choice as a plain value, with value equality (a search reuses the result of a
/// point it has seen). The clip it reads (frames, frame stride, resolution) is part of the point, since the search varies it.
/// </summary>
public interface ISearchPoint
{
    int Frames { get; }
    int FrameStride { get; }
    /// <summary>Square input size.</summary>
    int Resolution { get; }
    /// <summary>True for a stream model (its cost per frame is one step); false for a clip model (clip cost over its frames).</summary>
    bool Causal { get; }
    JsonObject ToJson();
}
