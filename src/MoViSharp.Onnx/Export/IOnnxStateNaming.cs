using MoViSharp.Families.MoViNets;
using MoViSharp.Models;
using static TorchSharp.torch;

namespace MoViSharp.Onnx.Export;

/// <summary>Names (and lays out) a model's state tensors in an exported graph.</summary>
public interface IOnnxStateNaming
{
    OnnxStateLayout Layout(string key, long[] plainShapePerStream);
}

/// <summary>The state keys themselves (module paths) in MoViSharp's layouts: every family.</summary>
public sealed class ModulePathStateNaming : IOnnxStateNaming
{
    public OnnxStateLayout Layout(string key, long[] plainShapePerStream) => OnnxStateLayout.Plain(key, plainShapePerStream);
}

/// <summary>
/// MoViNet's official TensorFlow state names and layouts (<see cref="MoViNetStateNames"/>): the graph's state inputs and outputs
/// are what TF Model Garden and the TFLite signatures use. The layout is read off the mapping itself by probing it with a
/// tensor of distinct values, so this class restates nothing of it.
/// </summary>
public sealed class MoViNetOfficialStateNaming : IOnnxStateNaming
{
    private readonly Dictionary<string, MoViNetStateNames.Entry> entries;

    public MoViNetOfficialStateNaming(MoViNet model) => entries = MoViNetStateNames.Entries(model).ToDictionary(e => e.Key);

    public OnnxStateLayout Layout(string key, long[] plainShapePerStream)
    {
        if (!entries.TryGetValue(key, out var entry))
            throw new OnnxExportException($"MoViNet state '{key}' has no official name in MoViNetStateNames.");
        using var scope = NewDisposeScope();
        long[] plain = [1, .. plainShapePerStream];
        var probe = arange(plain.Aggregate(1L, (a, b) => a * b), dtype: ScalarType.Float64).reshape(plain);
        var official = entry.ToOfficial(probe);
        var permutation = FindPermutation(probe, official)
            ?? throw new OnnxExportException($"The official layout of '{entry.OfficialName}' is not a permutation and reshape of '{key}'.");
        return new OnnxStateLayout(entry.OfficialName, permutation, official.shape[1..]);
    }

    private static int[]? FindPermutation(Tensor plain, Tensor official)
    {
        int rank = (int)plain.dim();
        var target = official.flatten();
        foreach (var perm in Permutations(Enumerable.Range(1, rank - 1).ToArray()))
        {
            int[] full = [0, .. perm];
            using var candidate = plain.permute(full.Select(p => (long)p).ToArray()).flatten();
            if (candidate.eq(target).all().item<bool>()) return full;
        }
        return null;
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1) { yield return items; yield break; }
        for (int i = 0; i < items.Length; i++)
        {
            var rest = items.Where((_, j) => j != i).ToArray();
            foreach (var tail in Permutations(rest)) yield return [items[i], .. tail];
        }
    }
}
