using MoViSharp.Onnx.Graph;

namespace MoViSharp.Onnx.Export;

/// <summary>
/// The frames a temporal layer sees in one step: the n buffered past frames (oldest first) and the current one, each
/// [B, C, H, W], or all of them stacked as [B, C, n+1, H, W]. In the plain form they come from one state tensor (and the stack is
/// what the new state is sliced from); in the ring form each past frame is a graph input of its own.
/// </summary>
public sealed class BufferedFrames
{
    private readonly OnnxGraph graph;
    private readonly IReadOnlyList<OnnxValue?> past;     // ring: the inputs; plain: filled lazily from the stacked state
    private readonly OnnxValue? pastStacked;             // plain: the state [B, C, n, H, W]
    private readonly string hint;
    private OnnxValue? stacked;
    private readonly OnnxValue?[] gathered;

    internal BufferedFrames(OnnxGraph graph, string hint, OnnxValue current, IReadOnlyList<OnnxValue> ringInputs)
    {
        (this.graph, this.hint, Current) = (graph, hint, current);
        past = ringInputs;
        gathered = new OnnxValue?[ringInputs.Count];
    }

    internal BufferedFrames(OnnxGraph graph, string hint, OnnxValue current, OnnxValue stackedState, int frames)
    {
        (this.graph, this.hint, Current) = (graph, hint, current);
        pastStacked = stackedState;
        past = new OnnxValue?[frames];
        gathered = new OnnxValue?[frames];
    }

    /// <summary>Past frames plus the current one.</summary>
    public int Count => past.Count + 1;

    public OnnxValue Current { get; }

    /// <summary>Frame <paramref name="index"/> of <see cref="Count"/>, oldest first ([B, C, H, W]); the last is <see cref="Current"/>.</summary>
    public OnnxValue Frame(int index)
    {
        if (index == past.Count) return Current;
        if (past[index] is { } input) return input;
        return gathered[index] ??= graph.Node("Gather", [pastStacked!, graph.Int64Scalar(index)], $"{hint}.frame{index}",
            attributes: [OnnxAttributes.Int("axis", 2)]);
    }

    /// <summary>All frames stacked on axis 2: [B, C, n+1, H, W].</summary>
    public OnnxValue Stacked()
    {
        if (stacked is not null) return stacked;
        var axis = graph.Int64s(2);
        var current = graph.Node("Unsqueeze", [Current, axis], $"{hint}.current");
        var parts = pastStacked is not null
            ? [pastStacked, current]
            : past.Select((p, i) => graph.Node("Unsqueeze", [p!, axis], $"{hint}.past{i}")).Append(current).ToList();
        return stacked = OnnxGraph.Quantizable(graph.Node("Concat", parts, $"{hint}.stacked", attributes: [OnnxAttributes.Int("axis", 2)]));
    }
}
