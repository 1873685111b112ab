namespace MoViSharp.Families.S3D;

/// <summary>
/// The widths of one separable Inception block: branch 0 (1×1×1), branch 1 and 2 (1×1×1 to a middle width, then a separable
/// 3×3×3 conv), branch 3 (3×3×3 max pool, then 1×1×1). The block concatenates the four branches: <see cref="OutChannels"/>.
/// </summary>
public sealed record InceptionSpec(int Branch0, int Branch1Mid, int Branch1, int Branch2Mid, int Branch2, int Branch3)
{
    public int OutChannels => Branch0 + Branch1 + Branch2 + Branch3;

    public IReadOnlyList<int> ToList() => [Branch0, Branch1Mid, Branch1, Branch2Mid, Branch2, Branch3];
}
