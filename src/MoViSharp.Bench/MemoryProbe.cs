using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using MoViSharp.Classification;
using MoViSharp.Inference;
using MoViSharp.Models;
using static TorchSharp.torch;

namespace MoViSharp.Bench;

/// <summary>
/// Peak-memory runs, each in a fresh child process (`movisharp bench --memory-probe KIND`) so that VmHWM is that scenario's
/// own peak: a stream model fed frame after frame (RSS after each checkpoint), or a base model fed one clip of N frames.
/// </summary>
public static class MemoryProbe
{
    public const string StreamEngine = "stream-engine", StreamPlain = "stream-plain", Base = "base";
    /// <summary>The engine run again with a small fixed .NET gen0 budget: separates the GC's own heap growth from native memory.</summary>
    public const string StreamEngineSmallGen0 = "stream-engine-gen0-2mb";

    /// <summary>Child side: runs the scenario and prints {"frames": {"rss_mb":…, "hwm_mb":…, "seconds":…}} on stdout.</summary>
    public static int RunChild(string kind, string model, int size, IReadOnlyList<int> checkpoints, int classes)
    {
        set_num_threads(1);
        var result = new JsonObject();
        var clock = Stopwatch.StartNew();
        void Record(int frames)
        {
            GC.Collect();
            var (rss, hwm) = ProcessMemory.Read();
            result[frames.ToString(CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["rss_mb"] = Math.Round(rss, 1), ["hwm_mb"] = Math.Round(hwm, 1), ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 2),
            };
        }
        if (kind == Base)
        {
            using var net = ModelRegistry.Create($"{model}-base", classes);
            net.eval();
            int frames = checkpoints.Single();
            using var scope = NewDisposeScope();
            using var mode = inference_mode();
            var clip = rand([1, 3, frames, size, size]);
            net.Logits(clip).Dispose();
            Record(frames);
        }
        else
        {
            using var net = ModelRegistry.Create($"{model}-stream", classes);
            net.eval();
            using var frame = rand([1, 3, size, size]);
            int last = checkpoints.Max();
            using IVideoClassifier classifier = kind == StreamEngine ? ModelCompiler.Compile(net) : new ModelClassifier(net);
            using var state = classifier.InitialState(1, size, size);
            for (int t = 1; t <= last; t++)
            {
                classifier.Step(frame, state)?.Dispose();
                if (checkpoints.Contains(t)) Record(t);
            }
        }
        Console.WriteLine(result.ToJsonString());
        return 0;
    }

    /// <summary>Parent side: runs one child and returns its checkpoints (frames → rss, hwm, seconds).</summary>
    public static Dictionary<int, (double Rss, double Hwm, double Seconds)> Run(string kind, string model, int size, IReadOnlyList<int> checkpoints, int classes)
    {
        var info = SelfInvocation();
        if (kind == StreamEngineSmallGen0)
        {
            kind = StreamEngine;
            info.Environment["DOTNET_GCgen0size"] = "0x200000";
        }
        foreach (var a in new[] { "bench", "--memory-probe", kind, "--models", model, "--size", size.ToString(CultureInfo.InvariantCulture),
                     "--memory-frames", string.Join(',', checkpoints), "--classes", classes.ToString(CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(a);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the memory probe.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"Memory probe {kind} {model} failed ({process.ExitCode}): {stderr.Result.Trim()}");
        var line = stdout.Result.Trim().Split('\n').Last();
        var node = JsonNode.Parse(line)!.AsObject();
        return node.ToDictionary(
            kv => int.Parse(kv.Key, CultureInfo.InvariantCulture),
            kv => (kv.Value!["rss_mb"]!.GetValue<double>(), kv.Value!["hwm_mb"]!.GetValue<double>(), kv.Value!["seconds"]!.GetValue<double>()));
    }

    /// <summary>How to start this program again: the apphost itself, or `dotnet MoViSharp.Cli.dll`.</summary>
    private static ProcessStartInfo SelfInvocation()
    {
        string host = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(host);
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            info.ArgumentList.Add((System.Reflection.Assembly.GetEntryAssembly() ?? typeof(MemoryProbe).Assembly).Location);
        return info;
    }
}
