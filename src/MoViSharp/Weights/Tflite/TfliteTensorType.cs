namespace MoViSharp.Weights.Tflite;

/// <summary>TFLite <c>TensorType</c> (schema enum values).</summary>
public enum TfliteTensorType : byte
{
    Float32 = 0,
    Float16 = 1,
    Int32 = 2,
    UInt8 = 3,
    Int64 = 4,
    String = 5,
    Bool = 6,
    Int16 = 7,
    Complex64 = 8,
    Int8 = 9,
    Float64 = 10,
    Complex128 = 11,
    UInt64 = 12,
    Resource = 13,
    Variant = 14,
    UInt32 = 15,
    UInt16 = 16,
    Int4 = 17,
    BFloat16 = 18,
}

public static class TfliteTensorTypeExtensions
{
    /// <summary>Bytes per element, or 0 when the type has no fixed size (string, resource, variant, packed int4).</summary>
    public static int ElementSize(this TfliteTensorType type) => type switch
    {
        TfliteTensorType.Bool or TfliteTensorType.Int8 or TfliteTensorType.UInt8 => 1,
        TfliteTensorType.Float16 or TfliteTensorType.BFloat16 or TfliteTensorType.Int16 or TfliteTensorType.UInt16 => 2,
        TfliteTensorType.Float32 or TfliteTensorType.Int32 or TfliteTensorType.UInt32 => 4,
        TfliteTensorType.Int64 or TfliteTensorType.UInt64 or TfliteTensorType.Float64 or TfliteTensorType.Complex64 => 8,
        TfliteTensorType.Complex128 => 16,
        _ => 0,
    };

    /// <summary>Schema spelling, e.g. FLOAT32, INT8; unknown values print as TYPE_n.</summary>
    public static string SchemaName(this TfliteTensorType type) =>
        Enum.IsDefined(type) ? type.ToString().ToUpperInvariant() : $"TYPE_{(int)type}";
}
