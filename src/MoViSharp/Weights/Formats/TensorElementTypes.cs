using static TorchSharp.torch;

namespace MoViSharp.Weights.Formats;

/// <summary>The element types the checkpoint formats know, with their byte sizes and file-format names.</summary>
internal static class TensorElementTypes
{
    /// <summary>Bytes per element of <paramref name="type"/>, or 0 for a type the formats do not support.</summary>
    public static int SizeOf(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        _ => 0,
    };

    /// <summary>Lower-case name used in messages (float32, bfloat16, ...).</summary>
    public static string Describe(ScalarType type) => type switch
    {
        ScalarType.Float64 => "float64",
        ScalarType.Float32 => "float32",
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Int64 => "int64",
        ScalarType.Int32 => "int32",
        ScalarType.Int16 => "int16",
        ScalarType.Int8 => "int8",
        ScalarType.Byte => "uint8",
        ScalarType.Bool => "bool",
        _ => type.ToString(),
    };

    /// <summary>The safetensors dtype string of <paramref name="type"/>, or null when safetensors has none we support.</summary>
    public static string? ToSafeTensors(ScalarType type) => type switch
    {
        ScalarType.Float64 => "F64",
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => null,
    };

    /// <summary>The element type of a safetensors dtype string, or null for one we do not support.</summary>
    public static ScalarType? FromSafeTensors(string dtype) => dtype switch
    {
        "F64" => ScalarType.Float64,
        "F32" => ScalarType.Float32,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => null,
    };

    /// <summary>The element type of a legacy typed PyTorch storage class (<c>torch.FloatStorage</c> ...), or null.</summary>
    public static ScalarType? FromTorchStorageClass(string name) => name switch
    {
        "FloatStorage" => ScalarType.Float32,
        "HalfStorage" => ScalarType.Float16,
        "BFloat16Storage" => ScalarType.BFloat16,
        "DoubleStorage" => ScalarType.Float64,
        "LongStorage" => ScalarType.Int64,
        "IntStorage" => ScalarType.Int32,
        "ShortStorage" => ScalarType.Int16,
        "CharStorage" => ScalarType.Int8,
        "ByteStorage" => ScalarType.Byte,
        "BoolStorage" => ScalarType.Bool,
        _ => null,
    };

    /// <summary>
    /// Number of elements of <paramref name="shape"/>, or null when a dimension is negative or the product overflows a long.
    /// </summary>
    public static long? CheckedNumel(IReadOnlyList<long> shape)
    {
        long numel = 1;
        foreach (long dim in shape)
        {
            if (dim < 0)
                return null;
            try { numel = checked(numel * dim); }
            catch (OverflowException) { return null; }
        }
        return numel;
    }

    public static string FormatShape(IReadOnlyList<long> shape) => "[" + string.Join(", ", shape) + "]";
}
