using System.Diagnostics;
using System.Net;
using MoViSharp.Data.Synthetic;
using MoViSharp.Server.Streams;

namespace MoViSharp.Tests.Server;

[Collection(ServerCollection.Name)]
public class ServerFaultTests
{
    [Fact]
    public async Task Server_SourceKilledMidStream_FailsOnlyThatStream_WhichRestarts()
    {
        Assert.True(FfmpegRuns(), "This test needs ffmpeg on PATH (./test.sh installs it).");
        await using var t = await TestServer.StartAsync();
        string video = Path.Combine(t.Folder, $"victim-{Guid.NewGuid():N}.mp4");
        FfmpegClipEncoder.Write(video, SyntheticClipRenderer.Render(0, 1, 0, frames: 150, size: 64));

        await t.PostStreamAsync(new { id = "steady", kind = "synthetic", fps = 30 });
        await t.PostStreamAsync(new { id = "victim", kind = "file", source = video, fps = 15 });
        var steady = t.Server.Streams.Get("steady");
        var victim = t.Server.Streams.Get("victim");
        await TestServer.WaitUntilAsync(() => victim.Processed >= 3, "the file stream to run");

        // Kill its decoder from outside, as a crash would.
        int killed = 0;
        foreach (var pid in FfmpegProcessesReading(video)) { Process.GetProcessById(pid).Kill(); killed++; }
        Assert.Equal(1, killed);
        await TestServer.WaitUntilAsync(() => victim.Status == StreamStatus.Failed, "the stream to be marked failed");
        Assert.Contains("ffmpeg failed", victim.Error);

        long steadyBefore = steady.Processed;
        await TestServer.WaitUntilAsync(() => steady.Processed > steadyBefore + 5, "the other stream to go on");
        Assert.Equal(StreamStatus.Running, steady.Status);
        var view = await t.GetJsonAsync("/streams/victim");
        Assert.Equal("failed", view.GetProperty("status").GetString());
        Assert.Contains("movisharp_stream_up{stream=\"victim\",model=\"demo\"} 0", await t.Http.GetStringAsync("/metrics"));

        long victimBefore = victim.Processed;
        var restart = await t.Http.PostAsync("/streams/victim/restart", null);
        Assert.Equal(HttpStatusCode.OK, restart.StatusCode);
        await TestServer.WaitUntilAsync(() => victim.Processed > victimBefore + 3, "the restarted stream to run");
        Assert.Equal(StreamStatus.Running, victim.Status);
        Assert.Equal(1, victim.Restarts);
    }

    private static IEnumerable<int> FfmpegProcessesReading(string path)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            string[] args;
            try { args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0'); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (args.Length > 1 && Path.GetFileName(args[0]) == "ffmpeg" && args.Any(a => a.EndsWith(path, StringComparison.Ordinal))) yield return pid;
        }
    }

    private static bool FfmpegRuns()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("ffmpeg", "-version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            p.WaitForExit(10_000);
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }
}
