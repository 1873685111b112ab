using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using MoViSharp.Layers;

namespace MoViSharp.Inference;

/// <summary>The activations on 8 floats at a time and on one float, written as libtorch computes them.</summary>
internal static class VectorActivation
{
    private static readonly Vector256<float> Three = Vector256.Create(3f), Six = Vector256.Create(6f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply(Vector256<float> x, ActivationKind kind) => kind switch
    {
        ActivationKind.Identity => x,
        ActivationKind.HardSwish => x * Vector256.Min(Vector256.Max(x + Three, Vector256<float>.Zero), Six) / Six,
        ActivationKind.Relu6 => Vector256.Min(Vector256.Max(x, Vector256<float>.Zero), Six),
        ActivationKind.Relu => Vector256.Max(x, Vector256<float>.Zero),
        _ => Scalar(x, kind),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Apply(float x, ActivationKind kind) => kind switch
    {
        ActivationKind.Identity => x,
        ActivationKind.HardSwish => x * MathF.Min(MathF.Max(x + 3f, 0f), 6f) / 6f,
        ActivationKind.Relu6 => MathF.Min(MathF.Max(x, 0f), 6f),
        ActivationKind.Swish => x / (1f + MathF.Exp(-x)),
        ActivationKind.Relu => MathF.Max(x, 0f),
        ActivationKind.Sigmoid => 1f / (1f + MathF.Exp(-x)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static Vector256<float> Scalar(Vector256<float> x, ActivationKind kind)
    {
        Span<float> lanes = stackalloc float[8];
        x.CopyTo(lanes);
        for (int i = 0; i < 8; i++) lanes[i] = Apply(lanes[i], kind);
        return Vector256.Create<float>(lanes);
    }
}
