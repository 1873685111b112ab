using System.Diagnostics;
using System.Globalization;
using CsCheck;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// Runs one target under CsCheck: each sample is a seed file and a mutation seed, turned into one damaged input and judged by
/// <see cref="ReaderContract"/>. One thread (the suite's default) and a fixed CsCheck seed make the run repeatable; with more
/// threads a failure is still reproducible from the seed CsCheck prints. Returns a one-line summary
/// (inputs, read, refused per exception type, time), which tools/fuzz/fuzz.sh also collects through <c>MOVISHARP_FUZZ_REPORT</c>.
/// </summary>
internal static class FuzzRunner
{
    public static string Run(FuzzTarget target, long count)
    {
        long read = 0;
        var refused = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var gate = new object();
        var clock = Stopwatch.StartNew();
        // Long runs (MOVISHARP_FUZZ_REPORT set) report progress every 1,000 inputs beside the report.
        string? progress = Environment.GetEnvironmentVariable("MOVISHARP_FUZZ_REPORT") is { Length: > 0 } r ? r + ".progress" : null;
        Gen.Select(Gen.Int[0, target.Seeds.Count - 1], Gen.ULong).Sample((seedIndex, mutationSeed) =>
        {
            var (seed, mutator) = target.Seeds[seedIndex];
            byte[] input = mutator.Mutate(seed, new Mutation(mutationSeed), target.SeedBytes);
            var thrown = ReaderContract.Check(target.Name, input, target.InputName, target.Read, target.Allowed, target.Save);
            lock (gate)
            {
                if (thrown is null) read++;
                else refused[thrown.GetType().Name] = refused.GetValueOrDefault(thrown.GetType().Name) + 1;
                long done = read + refused.Values.Sum();
                if (progress is not null && done % 1000 == 0)
                    File.WriteAllText(progress, $"{target.Name}: {done} of {count} inputs after {clock.Elapsed.TotalSeconds:0} s\n");
            }
        }, seed: FuzzSettings.Seed, iter: count, threads: FuzzSettings.Threads, print: t => $"seed file {t.Item1}, mutation seed {t.Item2}");
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"{target.Name}: {count} inputs (seed {FuzzSettings.Seed}, {FuzzSettings.Threads} thread{(FuzzSettings.Threads == 1 ? "" : "s")}) in {clock.Elapsed.TotalSeconds:0.0} s: {read} read, " +
            $"{refused.Values.Sum()} refused ({string.Join(", ", refused.Select(p => $"{p.Key} {p.Value}"))}), 0 contract failures");
        if (Environment.GetEnvironmentVariable("MOVISHARP_FUZZ_REPORT") is { Length: > 0 } report)
            File.AppendAllText(report, summary + Environment.NewLine);
        return summary;
    }
}
