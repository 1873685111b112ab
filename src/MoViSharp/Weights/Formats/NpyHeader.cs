namespace MoViSharp.Weights.Formats;

/// <summary>What the header of a .npy file says about the array that follows it.</summary>
/// <param name="Version">The format version's major number: 1, 2 or 3.</param>
/// <param name="DataType">The element type.</param>
/// <param name="BigEndian">True when the file stores elements big-endian (descr <c>&gt;f4</c> and so on); readers convert.</param>
/// <param name="FortranOrder">True when the file stores elements column-major; readers convert to C order.</param>
/// <param name="Shape">The array's dimensions; empty for a 0-d array.</param>
/// <param name="DataOffset">Where the element data starts in the file.</param>
public sealed record NpyHeader(int Version, NpyDataType DataType, bool BigEndian, bool FortranOrder, long[] Shape, long DataOffset)
{
    /// <summary>The number of elements, the product of <see cref="Shape"/>.</summary>
    public long ElementCount => Shape.Aggregate(1L, (product, d) => product * d); // readers check the product fits (TensorShapes)

    /// <summary>The number of data bytes the shape and type need.</summary>
    public long DataLength => ElementCount * DataType.ElementSize();

    /// <summary>The shape as NumPy prints it, e.g. <c>(2, 3)</c>, <c>(5,)</c> or <c>()</c>.</summary>
    public static string FormatShape(IReadOnlyList<long> shape) => shape.Count switch
    {
        0 => "()",
        1 => $"({shape[0]},)",
        _ => "(" + string.Join(", ", shape) + ")",
    };
}
