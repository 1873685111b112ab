namespace MoViSharp.Weights.Tflite;

/// <summary>
/// One model buffer. Small models keep the bytes inline in the FlatBuffer <c>data</c> vector; models over 2 GB
/// store them after the FlatBuffer and give an absolute file <paramref name="Offset"/> and <paramref name="Size"/>
/// (offset &gt; 1 means "external"). <paramref name="Data"/> is the resolved bytes either way, without copying.
/// </summary>
public sealed record TfliteBuffer(ReadOnlyMemory<byte> Data, ulong Offset, ulong Size)
{
    public bool IsExternal => Offset > 1;
}
