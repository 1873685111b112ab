namespace MoViSharp.Weights.Formats;

/// <summary>The element types MoViSharp reads from and writes to .npy files.</summary>
public enum NpyDataType
{
    /// <summary>32-bit IEEE float, descr <c>&lt;f4</c>.</summary>
    Float32,
    /// <summary>64-bit IEEE float, descr <c>&lt;f8</c>.</summary>
    Float64,
    /// <summary>64-bit signed integer, descr <c>&lt;i8</c>.</summary>
    Int64,
    /// <summary>32-bit signed integer, descr <c>&lt;i4</c>.</summary>
    Int32,
    /// <summary>Unsigned byte, descr <c>|u1</c>.</summary>
    UInt8,
}

/// <summary>Sizes, descr strings and TorchSharp dtypes of <see cref="NpyDataType"/>.</summary>
public static class NpyDataTypes
{
    public static int ElementSize(this NpyDataType type) => type switch
    {
        NpyDataType.Float32 or NpyDataType.Int32 => 4,
        NpyDataType.Float64 or NpyDataType.Int64 => 8,
        NpyDataType.UInt8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>The little-endian descr NumPy writes for this type, e.g. <c>&lt;f4</c>.</summary>
    public static string Descr(this NpyDataType type) => type switch
    {
        NpyDataType.Float32 => "<f4",
        NpyDataType.Float64 => "<f8",
        NpyDataType.Int64 => "<i8",
        NpyDataType.Int32 => "<i4",
        NpyDataType.UInt8 => "|u1",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static TorchSharp.torch.ScalarType ToScalarType(this NpyDataType type) => type switch
    {
        NpyDataType.Float32 => TorchSharp.torch.ScalarType.Float32,
        NpyDataType.Float64 => TorchSharp.torch.ScalarType.Float64,
        NpyDataType.Int64 => TorchSharp.torch.ScalarType.Int64,
        NpyDataType.Int32 => TorchSharp.torch.ScalarType.Int32,
        NpyDataType.UInt8 => TorchSharp.torch.ScalarType.Byte,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>The .npy type for a TorchSharp dtype, or null when .npy files of MoViSharp cannot hold it.</summary>
    public static NpyDataType? FromScalarType(TorchSharp.torch.ScalarType type) => type switch
    {
        TorchSharp.torch.ScalarType.Float32 => NpyDataType.Float32,
        TorchSharp.torch.ScalarType.Float64 => NpyDataType.Float64,
        TorchSharp.torch.ScalarType.Int64 => NpyDataType.Int64,
        TorchSharp.torch.ScalarType.Int32 => NpyDataType.Int32,
        TorchSharp.torch.ScalarType.Byte => NpyDataType.UInt8,
        _ => null,
    };

    /// <summary>
    /// Parses a descr such as <c>&lt;f4</c>, <c>&gt;i8</c> or <c>|u1</c>; returns false for anything else.
    /// <paramref name="bigEndian"/> is true for <c>&gt;</c> types wider than one byte.
    /// </summary>
    public static bool TryParseDescr(string descr, out NpyDataType type, out bool bigEndian)
    {
        type = default;
        bigEndian = false;
        if (descr.Length != 3 || descr[0] is not ('<' or '>' or '|' or '='))
            return false;
        NpyDataType? parsed = descr[1..] switch
        {
            "f4" => NpyDataType.Float32,
            "f8" => NpyDataType.Float64,
            "i8" => NpyDataType.Int64,
            "i4" => NpyDataType.Int32,
            "u1" => NpyDataType.UInt8,
            _ => null,
        };
        if (parsed is null)
            return false;
        // '|' (not applicable) is only valid for one-byte types; '=' is native order, little-endian on every platform .NET runs MoViSharp on.
        if (descr[0] == '|' && parsed != NpyDataType.UInt8)
            return false;
        type = parsed.Value;
        bigEndian = descr[0] == '>' && type.ElementSize() > 1;
        return true;
    }
}
