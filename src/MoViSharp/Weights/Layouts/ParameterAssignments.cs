using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Weights.Layouts;

/// <summary>
/// Writes values into a module's parameters and buffers and remembers which ones were written, so that an importer can prove
/// it set every entry exactly once. Each write checks the shape and names both sides when they differ.
/// </summary>
public sealed class ParameterAssignments
{
    private readonly Dictionary<IntPtr, string> namesByHandle = [];
    private readonly HashSet<string> assigned = [];
    private readonly string fileName;

    /// <param name="fileName">The file the values come from, named by shape errors.</param>
    public ParameterAssignments(nn.Module module, string fileName = "checkpoint")
    {
        this.fileName = fileName;
        foreach (var (name, p) in module.named_parameters()) namesByHandle[p.Handle] = name;
        foreach (var (name, b) in module.named_buffers()) namesByHandle[b.Handle] = name;
        All = [.. namesByHandle.Values.Order(StringComparer.Ordinal)];
    }

    /// <summary>Every parameter and buffer name of the module.</summary>
    public IReadOnlyList<string> All { get; }

    public IReadOnlyCollection<string> Assigned => assigned;

    /// <summary>Entries never written, in name order.</summary>
    public IReadOnlyList<string> Missing => [.. All.Where(n => !assigned.Contains(n))];

    /// <summary>Copies <paramref name="value"/> into <paramref name="target"/>; <paramref name="source"/> names where it came from.</summary>
    public void Set(Tensor target, Tensor value, string source)
    {
        string name = namesByHandle.TryGetValue(target.Handle, out var n) ? n
            : throw new InvalidOperationException($"{source}: the target tensor is not a parameter or buffer of the model.");
        if (!target.shape.SequenceEqual(value.shape))
            throw new CheckpointFormatException(fileName, name,
                $"{source} has shape {Shape(value.shape)} after conversion, but the model's '{name}' has shape {Shape(target.shape)}.");
        if (!assigned.Add(name))
            throw new InvalidOperationException($"{source}: the model's '{name}' was already set by another tensor.");
        using (no_grad()) target.copy_(value.to_type(target.dtype));
    }

    public static string Shape(long[] shape) => $"[{string.Join(",", shape)}]";
}
