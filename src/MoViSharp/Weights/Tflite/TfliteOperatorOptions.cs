namespace MoViSharp.Weights.Tflite;

/// <summary>Decoded <c>builtin_options</c> of an operator. <see cref="Describe"/> gives a one-line human summary.</summary>
public abstract record TfliteOperatorOptions
{
    public abstract string Describe();

    private protected static string Act(TfliteActivation a) => a == TfliteActivation.None ? "" : $" act={a.ToString().ToUpperInvariant()}";
}

public sealed record TfliteConv2DOptions(TflitePadding Padding, int StrideW, int StrideH, int DilationW, int DilationH, TfliteActivation Activation) : TfliteOperatorOptions
{
    public override string Describe() => $"padding={Padding.ToString().ToUpperInvariant()} stride={StrideH}x{StrideW} dilation={DilationH}x{DilationW}{Act(Activation)}";
}

public sealed record TfliteDepthwiseConv2DOptions(TflitePadding Padding, int StrideW, int StrideH, int DepthMultiplier, int DilationW, int DilationH, TfliteActivation Activation) : TfliteOperatorOptions
{
    public override string Describe() => $"padding={Padding.ToString().ToUpperInvariant()} stride={StrideH}x{StrideW} dilation={DilationH}x{DilationW} depth_multiplier={DepthMultiplier}{Act(Activation)}";
}

public sealed record TflitePool2DOptions(TflitePadding Padding, int StrideW, int StrideH, int FilterW, int FilterH, TfliteActivation Activation) : TfliteOperatorOptions
{
    public override string Describe() => $"padding={Padding.ToString().ToUpperInvariant()} filter={FilterH}x{FilterW} stride={StrideH}x{StrideW}{Act(Activation)}";
}

public sealed record TfliteFullyConnectedOptions(TfliteActivation Activation, int WeightsFormat, bool KeepNumDims) : TfliteOperatorOptions
{
    public override string Describe() => $"weights_format={WeightsFormat} keep_num_dims={KeepNumDims}{Act(Activation)}";
}

public sealed record TfliteConcatenationOptions(int Axis, TfliteActivation Activation) : TfliteOperatorOptions
{
    public override string Describe() => $"axis={Axis}{Act(Activation)}";
}

/// <summary>Options of the elementwise ops ADD, SUB, MUL and DIV: only a fused activation matters here.</summary>
public sealed record TfliteElementwiseOptions(TfliteActivation Activation) : TfliteOperatorOptions
{
    public override string Describe() => Act(Activation).TrimStart();
}

public sealed record TfliteReshapeOptions(int[] NewShape) : TfliteOperatorOptions
{
    public override string Describe() => $"new_shape=[{string.Join(",", NewShape)}]";
}

public sealed record TfliteStridedSliceOptions(int BeginMask, int EndMask, int EllipsisMask, int NewAxisMask, int ShrinkAxisMask, bool Offset) : TfliteOperatorOptions
{
    public override string Describe() => $"begin_mask={BeginMask} end_mask={EndMask} ellipsis_mask={EllipsisMask} new_axis_mask={NewAxisMask} shrink_axis_mask={ShrinkAxisMask}{(Offset ? " offset" : "")}";
}

/// <summary>Options of SUM, MEAN, REDUCE_MAX and friends.</summary>
public sealed record TfliteReducerOptions(bool KeepDims) : TfliteOperatorOptions
{
    public override string Describe() => $"keep_dims={KeepDims}";
}

public sealed record TfliteSoftmaxOptions(float Beta) : TfliteOperatorOptions
{
    public override string Describe() => $"beta={Beta}";
}

public sealed record TfliteSqueezeOptions(int[] SqueezeDims) : TfliteOperatorOptions
{
    public override string Describe() => $"squeeze_dims=[{string.Join(",", SqueezeDims)}]";
}

/// <summary>An options table present in the file whose union type this reader does not decode.</summary>
public sealed record TfliteUndecodedOptions(byte UnionType) : TfliteOperatorOptions
{
    public override string Describe() => $"options_type={UnionType} (not decoded)";
}
