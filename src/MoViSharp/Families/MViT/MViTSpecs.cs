namespace MoViSharp.Families.MViT;

/// <summary>
/// The published configurations of torchvision 0.14 (<c>mvit_v1_b</c>: MViT-B 16×4 with absolute positions; <c>mvit_v2_s</c>:
/// MViTv2-S with relative positions, residual pooling and the channel projection in the attention), for 16×224² clips and 400
/// Kinetics classes. Both have 16 blocks: heads 1, 2, 2, 4×11, 8, 8, widths 96 → 192 → 384 → 768, queries pooled (1,2,2) at
/// blocks 1, 3 and 14, keys/values pooled to a 7×7 grid per frame.
/// </summary>
public static class MViTSpecs
{
    public static readonly string[] Names = ["mvit_v1_b", "mvit_v2_s"];

    private static readonly int[] Heads = [1, 2, 2, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 8, 8];
    private static readonly int[] QueryPooledBlocks = [1, 3, 14];

    /// <summary>Keys and values stride (1, s, s) with s = 8, 4, 4, 2 … 2, 1, 1: the key grid stays 7×7 per frame.</summary>
    private static int KeyStride(int block) => block switch { 0 => 8, 1 or 2 => 4, < 14 => 2, _ => 1 };

    private static readonly int[] Three = [3, 3, 3];
    private static readonly int[] One = [1, 1, 1];
    private static readonly int[] Half = [1, 2, 2];

    public static MViTConfig Get(string name) => name switch
    {
        "mvit_v1_b" => new MViTConfig
        {
            Name = name, NumClasses = 400,
            Blocks = Build(
                inChannels: [96, 192, 192, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 768, 768],
                outChannels: [192, 192, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 768, 768, 768],
                // v1 pools queries only where it downsamples; elsewhere kernel and stride are empty (no pool).
                queryKernel: i => QueryPooledBlocks.Contains(i) ? Three : [],
                queryStride: i => QueryPooledBlocks.Contains(i) ? Half : []),
        },
        "mvit_v2_s" => new MViTConfig
        {
            Name = name, NumClasses = 400,
            ResidualPool = true, RelativePositions = true, ProjectAfterAttention = true,
            Blocks = Build(
                inChannels: [96, 96, 192, 192, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 768],
                outChannels: [96, 192, 192, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 768, 768],
                queryKernel: _ => Three,
                queryStride: i => QueryPooledBlocks.Contains(i) ? Half : One),
        },
        _ => throw new ArgumentException($"Unknown MViT '{name}' (known: {string.Join(", ", Names)})."),
    };

    private static List<MViTBlockSpec> Build(int[] inChannels, int[] outChannels, Func<int, int[]> queryKernel, Func<int, int[]> queryStride) =>
        Enumerable.Range(0, Heads.Length).Select(i => new MViTBlockSpec(Heads[i], inChannels[i], outChannels[i],
            queryKernel(i), Three, queryStride(i), [1, KeyStride(i), KeyStride(i)])).ToList();
}
