namespace MoViSharp.Onnx.Export;

/// <summary>
/// How a state tensor appears in an ONNX graph against its plain (module-keyed) layout: onnx = reshape(permute(plain,
/// <see cref="Permutation"/>), [B, ..<see cref="OnnxShape"/>]). The permutation includes the batch axis, which stays first.
/// </summary>
public sealed record OnnxStateLayout(string Name, int[] Permutation, long[] OnnxShape)
{
    public bool IsIdentityPermutation => Permutation.Select((p, i) => p == i).All(x => x);

    public static OnnxStateLayout Plain(string name, long[] perStream) => new(name, Enumerable.Range(0, perStream.Length + 1).ToArray(), perStream);
}
