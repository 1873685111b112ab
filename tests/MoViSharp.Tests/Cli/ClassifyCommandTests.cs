using System.Diagnostics;
using System.Text.Json;
using MoViSharp.Video;

namespace MoViSharp.Tests.Cli;

/// <summary>`movisharp classify` run as a process on the shared reference model and clip.</summary>
public sealed class ClassifyCommandTests
{
    private static readonly string Weights = CliRunner.Reference("movinet_a0_stream_int8_k600.tflite");
    private static readonly string Labels = CliRunner.Reference("kinetics600_label_map.txt");
    private static readonly string Clip = CliRunner.Reference("videos/carving_ice_172.mp4");

    // One direct run shared by the tests that need it: the clip takes seconds on a shared CPU.
    private static readonly Lazy<CliRunner.Result> Direct = new(() =>
        CliRunner.Run("classify", Clip, "--weights", Weights, "--labels", Labels, "--json", "--every", "50"));

    private static JsonElement ParseJson(CliRunner.Result r)
    {
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        return JsonDocument.Parse(r.Stdout).RootElement;
    }

    private static void AssertCarvingIce(JsonElement json)
    {
        Assert.Equal(["frames", "final_top", "per_frame_top1"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(131, json.GetProperty("frames").GetInt32());
        var top = json.GetProperty("final_top").EnumerateArray().ToList();
        Assert.Equal(5, top.Count);
        Assert.Equal(["index", "label", "prob"], top[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(72, top[0].GetProperty("index").GetInt32());
        Assert.Equal("carving ice", top[0].GetProperty("label").GetString());
        Assert.True(top[0].GetProperty("prob").GetDouble() >= 0.5);
        var perFrame = json.GetProperty("per_frame_top1").EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.Equal(131, perFrame.Count);
        Assert.Equal(72, perFrame[^1]);
    }

    [Fact]
    public void Classifies_the_reference_clip_as_json()
    {
        var r = Direct.Value;
        AssertCarvingIce(ParseJson(r));
        // Not a terminal: periodic progress lines on stderr, nothing but the JSON on stdout.
        Assert.Contains("frame 50: carving ice", r.Stderr);
    }

    [Fact]
    public void Raw_frames_on_stdin_give_the_same_result()
    {
        byte[] raw = DecodeRaw(Clip);
        Assert.Equal(131 * 172 * 172 * 3, raw.Length);
        var piped = ParseJson(CliRunner.RunWithInput(s => s.Write(raw), "classify", "-", "--weights", Weights, "--labels", Labels, "--json"));
        AssertCarvingIce(piped);
        var direct = ParseJson(Direct.Value);
        Assert.Equal(direct.GetProperty("per_frame_top1").ToString(), piped.GetProperty("per_frame_top1").ToString());
        Assert.Equal(direct.GetProperty("final_top")[0].GetProperty("prob").GetDouble(),
            piped.GetProperty("final_top")[0].GetProperty("prob").GetDouble(), 5);
    }

    [Fact]
    public void A_missing_input_file_is_one_clear_error()
    {
        var r = CliRunner.Run("classify", "/no/such/clip.mp4", "--weights", Weights);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal("error: Video input '/no/such/clip.mp4' not found.", r.Stderr.Trim());
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void A_weights_file_that_is_not_a_model_is_one_clear_error()
    {
        var r = CliRunner.Run("classify", Clip, "--weights", Labels);
        Assert.NotEqual(0, r.ExitCode);
        Assert.StartsWith("error: ", r.Stderr);
        Assert.Contains("kinetics600_label_map.txt is not a weights file MoViSharp reads", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));

        string fake = Path.Combine(Path.GetTempPath(), $"movisharp-{Guid.NewGuid():N}.tflite");
        File.WriteAllText(fake, "definitely not a flatbuffer");
        try
        {
            var t = CliRunner.Run("classify", Clip, "--weights", fake);
            Assert.NotEqual(0, t.ExitCode);
            Assert.Contains("not a TFLite model", t.Stderr);
            Assert.Contains(Path.GetFileName(fake), t.Stderr);
        }
        finally { File.Delete(fake); }
    }

    [Fact]
    public void A_label_file_of_the_wrong_length_is_rejected()
    {
        string labels = Path.Combine(Path.GetTempPath(), $"movisharp-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(labels, ["a", "b", "c"]);
        try
        {
            var r = CliRunner.Run("classify", Clip, "--weights", Weights, "--labels", labels);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains(": 3 labels, but the model has 600 classes.", r.Stderr);
        }
        finally { File.Delete(labels); }
    }

    [Fact]
    public async Task Ctrl_C_stops_cleanly_prints_the_partial_result_and_exits_130()
    {
        // Raw frames on stdin, repeated without end: only the interrupt can stop this run (no race with the clip ending).
        byte[] rawFrames = DecodeRaw(CliRunner.Reference("videos/carving_ice_172.mp4"));
        string[] command = ["dotnet", Path.Combine(AppContext.BaseDirectory, "MoViSharp.Cli.dll"), "classify", "-",
            "--weights", Weights, "--json", "--every", "5"];
        // A suite started as a background job (`./test.sh &` without job control) inherits SIGINT ignored, and an ignored
        // signal stays ignored across exec; perl (always on Debian) restores the default so the interrupt reaches classify.
        if (SigintIgnoredHere()) command = ["perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"", .. command];
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (string a in command[1..]) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        try
        {
            await InterruptAndCheck(process, rawFrames);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    private static async Task InterruptAndCheck(Process process, byte[] rawFrames)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var feeder = Task.Run(() =>
        {
            try { while (!process.HasExited) process.StandardInput.BaseStream.Write(rawFrames); }
            catch (IOException) { }            // the pipe closes when classify stops
            catch (InvalidOperationException) { }
        });
        // Interrupt once the first progress line shows that frames are flowing.
        string? first = process.StandardError.ReadLine();
        Assert.StartsWith("frame 5:", first);
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString()])) kill.WaitForExit();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "classify did not stop after SIGINT");
        string stderr = await process.StandardError.ReadToEndAsync();
        Assert.Equal(130, process.ExitCode);
        Assert.Contains("interrupted after", stderr);
        var json = JsonDocument.Parse(await stdout).RootElement;
        int frames = json.GetProperty("frames").GetInt32();
        Assert.True(frames >= 5);
        Assert.Equal(frames, json.GetProperty("per_frame_top1").GetArrayLength());
    }

    /// <summary>True when this process ignores SIGINT (bit 2 of SigIgn in /proc/self/status), which children inherit.</summary>
    private static bool SigintIgnoredHere()
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & 0x2) != 0;
    }

    private static byte[] DecodeRaw(string clip)
    {
        var start = new ProcessStartInfo(FfmpegLocator.FindFfmpeg()) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in (string[])["-v", "error", "-nostdin", "-i", clip, "-vf", "scale=172:172", "-pix_fmt", "rgb24", "-f", "rawvideo", "-"])
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        using var bytes = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(bytes);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return bytes.ToArray();
    }
}
