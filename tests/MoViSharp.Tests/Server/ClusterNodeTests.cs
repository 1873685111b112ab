using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MoViSharp.Cluster;
using MoViSharp.Server.Events;
using Xunit.Abstractions;

namespace MoViSharp.Tests.Server;

/// <summary>`movisharp serve --cluster`: processes joined through PostgreSQL serving the same streams over HTTP.</summary>
[Collection(ServerCollection.Name)]
public class ClusterNodeTests(ITestOutputHelper output)
{
    private const string Key = "cluster-test-key";

    /// <summary>Two nodes of one cluster in this process: a stream added through one is listed, read and removed through the other.</summary>
    [Fact]
    public async Task ClusterNodes_StreamAddedThroughOne_IsServedAndRemovedThroughTheOther()
    {
        string cs = await TestPostgres.ConnectionStringAsync();
        string clusterId = $"test-{Guid.NewGuid():N}";
        using var models = TestServer.DemoCatalog();
        ClusterNodeOptions Options() => new() { ConnectionString = cs, ClusterId = clusterId, HttpPort = 0, ApiKey = Key, Streams = new StreamGrainOptions { LabelHold = 1 } };
        var a = await ClusterNode.StartAsync(models, Options());
        var b = await ClusterNode.StartAsync(models, Options());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);
        try
        {
            var health = await http.GetFromJsonAsync<JsonElement>(new Uri(a.Address, "/health"));
            Assert.Equal(2, health.GetProperty("activeSilos").GetArrayLength());
            Assert.Equal("postgresql", health.GetProperty("eventLog").GetString());

            var added = await http.PostAsJsonAsync(new Uri(a.Address, "/streams"), new { id = "shared-1", fps = 30, seed = 5 });
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            var listed = await http.GetFromJsonAsync<JsonElement>(new Uri(b.Address, "/streams"));
            Assert.Equal(["shared-1"], listed.EnumerateArray().Select(s => s.GetProperty("streamId").GetString()));

            // Its predictions advance, read through the other node.
            long first = await LatestFrameAsync(http, b.Address, "shared-1");
            await TestServer.WaitUntilAsync(() => LatestFrameAsync(http, b.Address, "shared-1").GetAwaiter().GetResult() > first + 5, "predictions to advance");
            var prediction = (await http.GetFromJsonAsync<JsonElement>(new Uri(b.Address, "/streams/shared-1/predictions?last=1")))[0];
            Assert.Equal(3, prediction.GetProperty("top").GetArrayLength());

            // Refusals are the server's: duplicate, no key, a kind the cluster does not run, an unknown stream.
            Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsJsonAsync(new Uri(b.Address, "/streams"), new { id = "shared-1" })).StatusCode);
            using (var anonymous = new HttpClient())
                Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync(new Uri(b.Address, "/streams"), new { id = "x" })).StatusCode);
            var file = await http.PostAsJsonAsync(new Uri(b.Address, "/streams"), new { kind = "file", source = "a.mp4" });
            Assert.Equal(HttpStatusCode.BadRequest, file.StatusCode);
            Assert.Contains("synthetic", await file.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(a.Address, "/streams/nope"))).StatusCode);

            Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync(new Uri(b.Address, "/streams/shared-1"))).StatusCode);
            Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>(new Uri(a.Address, "/streams"))).GetArrayLength());
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(a.Address, "/streams/shared-1"))).StatusCode);
        }
        finally
        {
            await a.Directory.DeleteAsync("shared-1");
            await a.DisposeAsync();
            await b.DisposeAsync();
            await TestPostgres.ForgetClusterAsync(cs, clusterId);   // only once no silo of it runs: a silo missing from the table stops itself
        }
    }

    private static async Task<long> LatestFrameAsync(HttpClient http, Uri node, string id)
    {
        var last = await http.GetFromJsonAsync<JsonElement>(new Uri(node, $"/streams/{id}/predictions?last=1"));
        return last.GetArrayLength() == 0 ? -1 : last[0].GetProperty("frame").GetInt64();
    }

    /// <summary>
    /// Three `movisharp serve --cluster` processes with Orleans' default failure detection; the process hosting the first
    /// stream is killed with SIGKILL (no shutdown of any kind). Its streams resume on the other processes, driven by their
    /// supervisors alone, and each stream's log in PostgreSQL equals the log of the same stream run alone.
    /// </summary>
    [Fact]
    public async Task ClusterProcesses_OneKilledWithSigkill_ItsStreamsResumeOnTheOthers_NoEventLostOrDuplicated()
    {
        const int streams = 4;
        const long frames = 300;   // 10 s at 30 fps: the killed process's streams are still running when it is declared dead
        string cs = await TestPostgres.ConnectionStringAsync();
        string clusterId = $"test-{Guid.NewGuid():N}";
        var clock = Stopwatch.StartNew();
        var nodes = new List<NodeProcess>();
        await using var store = new PostgresStreamDirectory(cs, scope: clusterId);
        await using var log = new PostgresEventLog(cs);
        var ids = Enumerable.Range(0, streams).Select(i => $"{clusterId[5..15]}-{i}").ToList();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);
        try
        {
            for (int i = 0; i < 3; i++) nodes.Add(NodeProcess.Start(cs, clusterId));
            foreach (var n in nodes) await n.ReadyAsync(TimeSpan.FromSeconds(90));
            output.WriteLine($"3 processes up after {clock.Elapsed.TotalSeconds:0.0} s");

            for (int i = 0; i < streams; i++)
            {
                var added = await http.PostAsJsonAsync(new Uri(nodes[0].Address!, "/streams"), new { id = ids[i], fps = 30, seed = 300 + i, frames });
                Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            }
            await ClusterFailoverTests.WaitForCheckpointsAsync(store, ids, s => s.NextFrame >= 30, TimeSpan.FromSeconds(60), "every stream to checkpoint frame 30");

            var where = (await http.GetFromJsonAsync<JsonElement>(new Uri(nodes[0].Address!, "/streams"))).EnumerateArray()
                .ToDictionary(s => s.GetProperty("streamId").GetString()!, s => s.GetProperty("silo").GetString()!);
            string victimSilo = where[ids[0]];
            NodeProcess? victim = null;
            foreach (var n in nodes)
                if ((await http.GetFromJsonAsync<JsonElement>(new Uri(n.Address!, "/health"))).GetProperty("silo").GetString() == victimSilo) victim = n;
            Assert.NotNull(victim);
            var moved = ids.Where(id => where[id] == victimSilo).ToList();
            var killedAt = clock.Elapsed;
            victim.Kill();

            // From here nothing outside the cluster calls a grain until every stream has ended.
            await ClusterFailoverTests.WaitForCheckpointsAsync(store, ids, s => s.Ended, TimeSpan.FromSeconds(90), "every stream to end after the SIGKILL");
            output.WriteLine($"{moved.Count} of {streams} streams were on the killed process; all ended {(clock.Elapsed - killedAt).TotalSeconds:0.0} s after the kill");

            var survivor = nodes.First(n => n != victim);
            var after = (await http.GetFromJsonAsync<JsonElement>(new Uri(survivor.Address!, "/streams"))).EnumerateArray()
                .ToDictionary(s => s.GetProperty("streamId").GetString()!, s => s.GetProperty("silo").GetString()!);
            foreach (var id in moved) Assert.NotEqual(victimSilo, after[id]);

            using var models = TestServer.DemoCatalog();
            for (int i = 0; i < streams; i++)
            {
                var expected = ClusterFailoverTests.Reference(models, 300 + i, ids[i], new StreamGrainOptions(), frames);
                var stored = (await log.ReadAsync(ids[i], 10_000)).Select(e => (e.Seq, e.Frame, e.Label)).ToList();
                Assert.True(expected.Count > 0);
                Assert.Equal(expected, stored);
            }
            output.WriteLine($"whole test {clock.Elapsed.TotalSeconds:0.0} s");
        }
        catch
        {
            foreach (var n in nodes) output.WriteLine(n.Log());
            throw;
        }
        finally
        {
            foreach (var n in nodes) n.Dispose();
            foreach (var id in ids) await store.DeleteAsync(id);
            await TestPostgres.ForgetClusterAsync(cs, clusterId);
        }
    }

    /// <summary>One `movisharp serve --cluster` process (the CLI built beside the tests), its log kept for failures.</summary>
    private sealed class NodeProcess : IDisposable
    {
        private readonly Process process;
        private readonly ConcurrentQueue<string> lines = new();
        private readonly TaskCompletionSource<Uri> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Uri? Address => ready.Task.IsCompletedSuccessfully ? ready.Task.Result : null;

        private NodeProcess(Process process)
        {
            this.process = process;
            void OnLine(object _, DataReceivedEventArgs e)
            {
                if (e.Data is not { } line) return;
                lines.Enqueue(line);
                const string banner = "movisharp serve --cluster: ";
                if (line.StartsWith(banner, StringComparison.Ordinal)) ready.TrySetResult(new Uri(line[banner.Length..].Split(' ')[0]));
            }
            process.OutputDataReceived += OnLine;
            process.ErrorDataReceived += OnLine;
            process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"movisharp serve --cluster exited with {process.ExitCode}:\n{Log()}"));
        }

        public static NodeProcess Start(string connectionString, string clusterId)
        {
            string cli = Path.Combine(AppContext.BaseDirectory, "MoViSharp.Cli.dll");
            Assert.True(File.Exists(cli), $"{cli} is missing: the tests run the CLI built beside them.");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { cli, "serve", "--cluster", connectionString, "--cluster-id", clusterId, "--port", "0", "--demo-streams", "0", "--api-key", Key })
                start.ArgumentList.Add(a);
            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            var node = new NodeProcess(process);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return node;
        }

        public async Task ReadyAsync(TimeSpan within)
        {
            try { await ready.Task.WaitAsync(within); }
            catch (TimeoutException) { Assert.Fail($"movisharp serve --cluster did not come up within {within.TotalSeconds:0} s:\n{Log()}"); }
        }

        /// <summary>SIGKILL: the process gets no chance to leave the cluster, deactivate grains or write anything.</summary>
        public void Kill() => process.Kill();

        public string Log() => string.Join('\n', lines.TakeLast(40));

        public void Dispose()
        {
            try { if (!process.HasExited) process.Kill(); } catch (InvalidOperationException) { }
            process.WaitForExit(10_000);
            process.Dispose();
        }
    }
}
