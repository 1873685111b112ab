using System.Text;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Zoo;

/// <summary>
/// The "movisharp-filler/1" deterministic weights and input clip, bit-identical to tools/zoo/filler.py.
/// u(name, i) = (splitmix64(fnv1a64(utf8(name)) + i) >> 11) * 2^-53, all integer arithmetic mod 2^64.
/// Values are computed in double in the order written here and rounded once to float32.
/// Rule per state-dict entry (name = key of the upstream module's own state_dict, no container prefix):
///   integer dtype → 0; "*running_var" → 0.5 + u; "*running_mean" → (2u − 1)·0.1;
///   ndim ≥ 2 → (2u − 1)·sqrt(3 / fan_in), fan_in = numel / shape[0];
///   ndim = 1 and "*weight" → 0.8 + 0.4u; anything else → (2u − 1)·0.02.
/// Input clip: name "input", canonical layout [T, H, W, 3], value u(i).
/// </summary>
public static class DeterministicWeights
{
    public const string Version = "movisharp-filler/1";
    public const double Gain = 3.0;

    public static ulong Fnv1a64(string name)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (byte b in Encoding.UTF8.GetBytes(name))
        {
            h ^= b;
            unchecked { h *= 0x100000001B3UL; }
        }
        return h;
    }

    public static ulong SplitMix64(ulong x)
    {
        unchecked
        {
            ulong z = x + 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>u(name, i) in [0, 1).</summary>
    public static double U(ulong seed, long i) => (SplitMix64(unchecked(seed + (ulong)i)) >> 11) * (1.0 / 9007199254740992.0);

    public static double U(string name, long i) => U(Fnv1a64(name), i);

    public enum Kind { Zero, RunningVar, RunningMean, WeightNd, Scale, Bias }

    public static Kind KindOf(string name, IReadOnlyList<long> shape, bool isInteger)
    {
        if (isInteger) return Kind.Zero;
        if (name.EndsWith("running_var", StringComparison.Ordinal)) return Kind.RunningVar;
        if (name.EndsWith("running_mean", StringComparison.Ordinal)) return Kind.RunningMean;
        if (shape.Count >= 2) return Kind.WeightNd;
        if (shape.Count == 1 && name.EndsWith("weight", StringComparison.Ordinal)) return Kind.Scale;
        return Kind.Bias;
    }

    /// <summary>Float values of a state-dict entry (row-major).</summary>
    public static float[] Fill(string name, IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (long s in shape) count *= s;
        var kind = KindOf(name, shape, isInteger: false);
        var result = new float[count];
        ulong seed = Fnv1a64(name);
        double scale = kind == Kind.WeightNd ? Math.Sqrt(Gain / (double)(count / shape[0])) : 0.0;
        for (long i = 0; i < count; i++)
        {
            double u = U(seed, i);
            double v = kind switch
            {
                Kind.RunningVar => 0.5 + u,
                Kind.RunningMean => (2.0 * u - 1.0) * 0.1,
                Kind.WeightNd => (2.0 * u - 1.0) * scale,
                Kind.Scale => 0.8 + 0.4 * u,
                _ => (2.0 * u - 1.0) * 0.02,
            };
            result[i] = (float)v;
        }
        return result;
    }

    /// <summary>A TorchSharp tensor for (name, shape, dtype); integer dtypes are all zero.</summary>
    public static Tensor Tensor(string name, long[] shape, ScalarType dtype = ScalarType.Float32)
    {
        bool isInteger = dtype is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8
            or ScalarType.Byte or ScalarType.Bool;
        if (isInteger) return zeros(shape, dtype: dtype);
        var values = Fill(name, shape);
        var t = tensor(values, dtype: ScalarType.Float32).reshape(shape);
        return dtype == ScalarType.Float32 ? t : t.to_type(dtype);
    }

    /// <summary>The canonical input clip [T, H, W, 3] with values u("input", i).</summary>
    public static float[] InputClip(int t, int h, int w, string name = "input")
    {
        long count = (long)t * h * w * 3;
        var result = new float[count];
        ulong seed = Fnv1a64(name);
        for (long i = 0; i < count; i++) result[i] = (float)U(seed, i);
        return result;
    }

    public static Tensor InputClipTensor(int t, int h, int w) => tensor(InputClip(t, h, w)).reshape(t, h, w, 3);
}
