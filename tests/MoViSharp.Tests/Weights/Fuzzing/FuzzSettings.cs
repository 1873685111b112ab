namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// How many inputs a fuzz test tries and with which seed. The suite runs a bounded count with a fixed seed; tools/fuzz/fuzz.sh
/// sets <c>MOVISHARP_FUZZ_COUNT</c> (inputs per target), <c>MOVISHARP_FUZZ_SEED</c> (a CsCheck seed) and
/// <c>MOVISHARP_FUZZ_SAVE</c> (where failing inputs go: tests/MoViSharp.Tests/Fixtures/fuzz), <c>MOVISHARP_FUZZ_THREADS</c> and
/// <c>MOVISHARP_FUZZ_TIMEOUT_MS</c> for long runs, and <c>MOVISHARP_FUZZ_INFLIGHT</c> to find the input of a native crash.
/// </summary>
internal static class FuzzSettings
{
    /// <summary>The suite's fixed CsCheck seed.</summary>
    public const string DefaultSeed = "0000pjVD2YniBid1"; // new CsCheck.PCG(20261202)

    public static long Count(long suiteDefault) =>
        long.TryParse(Environment.GetEnvironmentVariable("MOVISHARP_FUZZ_COUNT"), out long n) && n > 0 ? n : suiteDefault;

    public static string Seed => Environment.GetEnvironmentVariable("MOVISHARP_FUZZ_SEED") is { Length: > 0 } s ? s : DefaultSeed;

    /// <summary>The folder failing inputs are saved under (one sub-folder per reader); a temporary folder when not set.</summary>
    public static string SaveFolder => Environment.GetEnvironmentVariable("MOVISHARP_FUZZ_SAVE") is { Length: > 0 } s
        ? s : Path.Combine(Path.GetTempPath(), "movisharp-fuzz-failures");

    /// <summary>CsCheck threads (<c>MOVISHARP_FUZZ_THREADS</c>); 1 in the suite, so a run's inputs come in one repeatable order.</summary>
    public static int Threads => int.TryParse(Environment.GetEnvironmentVariable("MOVISHARP_FUZZ_THREADS"), out int n) && n > 0 ? n : 1;

    /// <summary>Where each fuzzing thread writes the input it is about to read (<c>MOVISHARP_FUZZ_INFLIGHT</c>; off when not set).</summary>
    public static string? InFlightFolder => Environment.GetEnvironmentVariable("MOVISHARP_FUZZ_INFLIGHT") is { Length: > 0 } s ? s : null;

    /// <summary>Longest one input may take before it counts as a hang.</summary>
    public static TimeSpan PerInputTimeout =>
        TimeSpan.FromMilliseconds(int.TryParse(Environment.GetEnvironmentVariable("MOVISHARP_FUZZ_TIMEOUT_MS"), out int ms) && ms > 0 ? ms : 20_000);
}
