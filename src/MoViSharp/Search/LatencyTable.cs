using System.Text.Json;
using System.Text.Json.Nodes;
using MoViSharp.Inference;
using MoViSharp.IO;

namespace MoViSharp.Search;

/// <summary>
/// Per-layer latencies (ms per frame, median) measured on one machine with one thread count and one set of compile options,
/// keyed by everything that defines a layer and its input size. Cached as JSON; a table measured elsewhere or with other options
/// is refused rather than silently reused (latency does not carry over between machines).
/// </summary>
public sealed class LatencyTable
{
    public string Machine { get; }
    public int Threads { get; }
    public string Options { get; }
    public Dictionary<string, double> Entries { get; } = new(StringComparer.Ordinal);

    public LatencyTable(string machine, int threads, string options)
    {
        Machine = machine;
        Threads = threads;
        Options = options;
    }

    /// <summary>This machine: host name, CPU model and logical cores.</summary>
    public static string ThisMachine()
    {
        string cpu = "unknown CPU";
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException) { }
        return $"{Environment.MachineName} | {cpu} | {Environment.ProcessorCount} logical cores";
    }

    public static string Describe(CompileOptions options, TimingClock clock) => $"depthwise={options.Depthwise}, batch=1, clock={clock}";

    /// <summary>The cache file for this machine, thread count and options under the user's cache folder.</summary>
    public static string DefaultPath(int threads, CompileOptions options, TimingClock clock)
    {
        string root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        string name = new string(Environment.MachineName.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
        return Path.Combine(root, "movisharp", "latency", $"{name}-{threads}t-{options.Depthwise.ToString().ToLowerInvariant()}-{clock.ToString().ToLowerInvariant()}.json");
    }

    /// <summary>The table at <paramref name="path"/> when it exists (it must match this machine, threads and options), else an empty one.</summary>
    public static LatencyTable LoadOrCreate(string path, int threads, CompileOptions options, TimingClock clock)
    {
        var table = new LatencyTable(ThisMachine(), threads, Describe(options, clock));
        if (!File.Exists(path)) return table;
        var o = Json.Parse(File.ReadAllText(path), path);
        string machine = Json.String(o, "machine", path), described = Json.String(o, "options", path);
        int t = Json.Int(o, "threads", path);
        if (machine != table.Machine || t != threads || described != table.Options)
            throw new InvalidDataException($"{path}: a latency table for '{machine}', {t} thread(s), {described}; this run is '{table.Machine}', " +
                                           $"{threads} thread(s), {table.Options}. Give another --latency-table path.");
        var entries = Json.Required(o, "entries", path) as JsonObject ?? throw new InvalidDataException($"{path}: 'entries' must be an object.");
        foreach (var (key, value) in entries)
            table.Entries[key] = value?.GetValue<double>() is double ms && ms >= 0 && double.IsFinite(ms)
                ? ms : throw new InvalidDataException($"{path}: entry '{key}' must be a non-negative number of milliseconds.");
        return table;
    }

    public void Save(string path)
    {
        var o = new JsonObject
        {
            ["machine"] = Machine,
            ["threads"] = Threads,
            ["options"] = Options,
            ["unit"] = "ms per frame (median)",
            ["entries"] = new JsonObject(Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => KeyValuePair.Create(e.Key, (JsonNode?)Math.Round(e.Value, 5)))),
        };
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
        AtomicFile.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
