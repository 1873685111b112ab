namespace MoViSharp.Weights.Formats;

/// <summary>
/// The one check every reader makes on a shape before it reaches TorchSharp. libtorch refuses, with a native error, a shape
/// whose sizes multiply past 64 bits even when another size is 0 (its storage arithmetic ignores the zero), so the readers refuse
/// such shapes first, as format errors.
/// </summary>
internal static class TensorShapes
{
    /// <summary>Most dimensions any reader accepts (NumPy's own limit).</summary>
    public const int MaxDimensions = 64;

    /// <summary>
    /// The element count of <paramref name="shape"/>, after checking that it has at most <see cref="MaxDimensions"/> sizes, none
    /// negative, and that the sizes (zeros counted as 1) times <paramref name="elementSize"/> fit in 63 bits.
    /// </summary>
    public static long CheckedElementCount(IReadOnlyList<long> shape, int elementSize, string fileName, string field)
    {
        if (shape.Count > MaxDimensions)
            throw new CheckpointFormatException(fileName, field, $"{field} has {shape.Count} dimensions, more than the limit of {MaxDimensions}.");
        long nominal = Math.Max(1, elementSize), count = 1;
        foreach (long size in shape)
        {
            if (size < 0)
                throw new CheckpointFormatException(fileName, field, $"{field} has the negative size {size} in shape {TensorElementTypes.FormatShape(shape)}.");
            if (!TryMultiply(nominal, Math.Max(size, 1), out nominal))
                throw new CheckpointFormatException(fileName, field,
                    $"{field} has shape {TensorElementTypes.FormatShape(shape)}, whose byte size overflows 64 bits.");
            count *= size; // cannot overflow: |count| ≤ nominal
        }
        return count;
    }

    private static bool TryMultiply(long a, long b, out long product)
    {
        try
        {
            product = checked(a * b);
            return true;
        }
        catch (OverflowException)
        {
            product = long.MaxValue;
            return false;
        }
    }
}
