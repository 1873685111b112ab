namespace MoViSharp.Weights.Tflite;

/// <summary>
/// One entry of the model's operator-code table. <paramref name="BuiltinCode"/> is already the max of the schema's
/// int8 <c>deprecated_builtin_code</c> (field 0) and int32 <c>builtin_code</c> (field 3): old writers fill only the
/// former, new ones fill both (codes above 127 put PLACEHOLDER_FOR_GREATER_OP_CODES in the deprecated field).
/// </summary>
public sealed record TfliteOperatorCode(int BuiltinCode, string? CustomCode, int Version)
{
    public TfliteBuiltinOperator Builtin => (TfliteBuiltinOperator)BuiltinCode;

    /// <summary>Schema name such as CONV_2D, "CUSTOM:name" for custom ops, or the number for unknown codes.</summary>
    public string Name => Builtin == TfliteBuiltinOperator.CUSTOM ? $"CUSTOM:{CustomCode}"
        : Enum.IsDefined(Builtin) ? Builtin.ToString() : $"BUILTIN_{BuiltinCode}";
}
