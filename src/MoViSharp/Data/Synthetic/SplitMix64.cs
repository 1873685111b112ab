namespace MoViSharp.Data.Synthetic;

/// <summary>
/// A small, fully specified random generator (SplitMix64) and stable hash. Unlike <see cref="Random"/> or
/// <see cref="HashCode"/>, its output is defined by this file alone, so synthetic clips are identical across runs,
/// threads, processes and .NET versions.
/// </summary>
public struct SplitMix64(ulong state)
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;
    private ulong state = state;

    /// <summary>The SplitMix64 output function: a bijective, well-mixing map of 64-bit values.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A stable hash of an ordered list of values (order matters).</summary>
    public static ulong Hash(params ReadOnlySpan<ulong> values)
    {
        ulong h = Golden;
        foreach (ulong v in values)
            h = Mix(h + Golden + Mix(v));
        return h;
    }

    public ulong NextUInt64()
    {
        state += Golden;
        return Mix(state);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public double NextDouble(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Uniform in [0, <paramref name="count"/>); the tiny modulo bias is irrelevant here.</summary>
    public int NextInt(int count) => (int)(NextUInt64() % (ulong)count);

    public bool NextBool(double probabilityTrue = 0.5) => NextDouble() < probabilityTrue;

    /// <summary>+1 or -1 with equal probability.</summary>
    public int NextSign() => NextBool() ? 1 : -1;
}
