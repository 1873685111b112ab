using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MoViSharp.Cluster;
using MoViSharp.Server.Events;
using MoViSharp.Server.Streams;
using MoViSharp.Streaming;
using Npgsql;
using Orleans.Configuration;
using Orleans.Storage;

namespace MoViSharp.Tests.Server;

/// <summary>Stream checkpoints as Orleans grain state through the ADO.NET storage provider on our PostgreSQL schema.</summary>
[Collection(ServerCollection.Name)]
public class PostgresCheckpointStorageTests
{
    /// <summary>
    /// Two silos on PostgreSQL; a 12-frame stream runs to its end on one of them, which then shuts down (deactivating it). The
    /// next call activates the stream on the other silo from the stored state: same frame, ended, and its model state equals,
    /// tensor by tensor, the state of the same stream run alone for 12 frames.
    /// </summary>
    [Fact]
    public async Task Postgres_CheckpointRoundTripsThroughOrleans_ToAnotherSilo()
    {
        string cs = await TestPostgres.ConnectionStringAsync();
        await using var silos = await TwoSilos.StartAsync(cs);
        const long frames = 12;
        var options = TwoSilos.Options;
        var stream = silos.Grains(0).GetGrain<IStreamGrain>("roundtrip");   // placed on either silo
        await stream.Start(new ClusterStreamSpec(41, 30, "demo", frames));
        await ClusterFailoverTests.WaitForCheckpointsAsync(silos.Directory, ["roundtrip"], s => s.Ended, TimeSpan.FromSeconds(60), "the stream to end");
        var first = await stream.Ping();
        int host = first.Silo == silos.Address(0) ? 0 : 1, other = 1 - host;
        Assert.Equal(silos.Address(host), first.Silo);

        await silos.StopAsync(host);   // graceful: the grain is deactivated; only the stored state carries it over
        var moved = await silos.Grains(other).GetGrain<IStreamGrain>("roundtrip").Ping();
        Assert.Equal(silos.Address(other), moved.Silo);
        Assert.Equal((frames, true, frames), (moved.NextFrame, moved.Ended, moved.CheckpointFrame));
        Assert.Equal(first.Activations + 1, moved.Activations);   // activated anew (the counter is per process): from storage, not a live grain

        var read = new GrainState<StoredCheckpoint>();
        await silos.Storage(other).ReadStateAsync("checkpoint", stream.GetGrainId(), read);
        Assert.True(read.RecordExists);
        // Orleans' binary serializer only frames the checkpoint's bytes (JSON would store them as base64, a third larger).
        long stored = await silos.PayloadBytesAsync();
        Assert.InRange(stored, read.State!.Data!.Length, read.State.Data.Length + 64);
        var (checkpoint, state) = read.State.Restore("roundtrip");
        using (state)
        {
            Assert.Equal((frames, true, new ClusterStreamSpec(41, 30, "demo", frames)), (checkpoint.NextFrame, checkpoint.Ended, checkpoint.Spec));
            using var models = TestServer.DemoCatalog();
            var (_, classifier) = models.Get("demo");
            using var alone = new StreamStepper(classifier, new StreamResults("roundtrip", classifier.Labels!, options.History, options.LabelHold, classifier.Delay));
            var source = new SyntheticFrames(41, Math.Max(2, classifier.Preprocessing.Frames), classifier.Preprocessing.Size);
            for (long f = 0; f < frames; f++) alone.Advance(source.Frame(f));
            using var expected = alone.Export();
            CheckpointStoreTests.AssertSame(checkpoint with { Detector = alone.Results.Detector.State }, expected, checkpoint, state);
            Assert.Equal(alone.Results.Detector.State, checkpoint.Detector);
        }
    }

    /// <summary>The provider's optimistic concurrency, which our SQL implements: a write naming an old ETag (or none, over an existing row) is refused.</summary>
    [Fact]
    public async Task Postgres_StaleETagWrite_IsRefused()
    {
        string cs = await TestPostgres.ConnectionStringAsync();
        await using var silos = await TwoSilos.StartAsync(cs);
        var storage = silos.Storage(0);
        var grain = silos.Grains(0).GetGrain<IStreamGrain>("etag").GetGrainId();

        var fresh = new GrainState<StoredCheckpoint>();
        await storage.ReadStateAsync("checkpoint", grain, fresh);
        Assert.False(fresh.RecordExists);
        Assert.Null(fresh.ETag);
        fresh.State = new StoredCheckpoint { Data = [1, 2, 3] };
        await storage.WriteStateAsync("checkpoint", grain, fresh);
        Assert.NotNull(fresh.ETag);
        string stale = fresh.ETag!;

        fresh.State = new StoredCheckpoint { Data = [4, 5, 6] };
        await storage.WriteStateAsync("checkpoint", grain, fresh);   // the current ETag: accepted
        Assert.NotEqual(stale, fresh.ETag);

        var old = new GrainState<StoredCheckpoint>(new StoredCheckpoint { Data = [9] }, stale);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("checkpoint", grain, old));
        var none = new GrainState<StoredCheckpoint>(new StoredCheckpoint { Data = [9] }, null);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("checkpoint", grain, none));

        var back = new GrainState<StoredCheckpoint>();
        await silos.Storage(1).ReadStateAsync("checkpoint", grain, back);
        Assert.Equal([4, 5, 6], back.State!.Data);
        Assert.Equal(fresh.ETag, back.ETag);

        // Clearing (a stopped stream) deletes the row and also needs the current ETag.
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("checkpoint", grain, old));
        await storage.ClearStateAsync("checkpoint", grain, back);
        var gone = new GrainState<StoredCheckpoint>();
        await storage.ReadStateAsync("checkpoint", grain, gone);
        Assert.False(gone.RecordExists);

        // A stream started again under the same id, by the activation that stopped it: its ETag after the clear lets it write.
        back.State = new StoredCheckpoint { Data = [7] };
        await storage.WriteStateAsync("checkpoint", grain, back);
        await storage.ReadStateAsync("checkpoint", grain, gone);
        Assert.Equal([7], gone.State!.Data);
    }

    /// <summary>
    /// Another activation's write, simulated by advancing the stored version under a running stream: the running activation's
    /// next checkpoint is refused as stale, so it stops; the supervisor activates the stream again from the stored state, and
    /// the stream's log still equals, event for event, the log of the same stream run alone.
    /// </summary>
    [Fact]
    public async Task Postgres_StaleActivation_StopsAndTheStreamResumesFromStorage()
    {
        string cs = await TestPostgres.ConnectionStringAsync();
        await using var silos = await TwoSilos.StartAsync(cs);
        const long frames = 60;
        var stream = silos.Grains(0).GetGrain<IStreamGrain>("stale");
        await stream.Start(new ClusterStreamSpec(43, 30, "demo", frames));
        int before = (await stream.Ping()).Activations;
        await ClusterFailoverTests.WaitForCheckpointsAsync(silos.Directory, ["stale"], s => s.NextFrame >= 10, TimeSpan.FromSeconds(60), "frame 10");
        Assert.Equal(1, await silos.AdvanceStoredVersionAsync());

        await ClusterFailoverTests.WaitForCheckpointsAsync(silos.Directory, ["stale"], s => s.Ended, TimeSpan.FromSeconds(60), "the stream to end");
        var after = await stream.Ping();
        Assert.True(after.Activations > before, "The stale activation went on instead of stopping.");
        Assert.Equal((frames, true), (after.NextFrame, after.Ended));
        using var models = TestServer.DemoCatalog();
        var expected = ClusterFailoverTests.Reference(models, 43, "stale", TwoSilos.Options, frames);
        var stored = (await silos.Events.ReadAsync("stale", 10_000)).Select(e => (e.Seq, e.Frame, e.Label)).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, stored);
    }

    /// <summary>Two silo hosts on loopback ports with membership, grain storage and the stream directory in PostgreSQL, a fresh service id.</summary>
    private sealed class TwoSilos : IAsyncDisposable
    {
        private readonly List<IHost> hosts = [];
        private readonly HashSet<int> stopped = [];
        private readonly string connectionString, clusterId = $"test-{Guid.NewGuid():N}", serviceId = $"test-{Guid.NewGuid():N}";
        private readonly MoViSharp.Server.ModelCatalog models = TestServer.DemoCatalog();
        public static readonly StreamGrainOptions Options = new() { CheckpointEvery = 5, LabelHold = 1, SuperviseEvery = TimeSpan.FromMilliseconds(500) };
        private readonly SqliteEventLog events = new(Path.Combine(System.IO.Directory.CreateTempSubdirectory("movisharp-state-").FullName, "events.db"));
        public PostgresStreamDirectory Directory { get; }
        public IEventLog Events => events;

        private TwoSilos(string connectionString)
        {
            this.connectionString = connectionString;
            Directory = new PostgresStreamDirectory(connectionString, clusterId);
        }

        public static async Task<TwoSilos> StartAsync(string connectionString)
        {
            var silos = new TwoSilos(connectionString);
            try
            {
                await silos.events.InitializeAsync();
                for (int i = 0; i < 2; i++)
                {
                    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
                    builder.UseOrleans(silo =>
                    {
                        silo.Configure<ClusterOptions>(o => { o.ClusterId = silos.clusterId; o.ServiceId = silos.serviceId; });
                        silo.ConfigureEndpoints(IPAddress.Loopback, FreePort(), FreePort());
                        silo.UsePostgresMembership(connectionString);
                        silo.UsePostgresGrainStorage(connectionString);
                        silo.AddMoViSharpStreams(silos.models, silos.events, silos.Directory, Options);
                    });
                    var host = builder.Build();
                    silos.hosts.Add(host);
                    await host.StartAsync();
                }
                return silos;
            }
            catch
            {
                await silos.DisposeAsync();
                throw;
            }
        }

        public IGrainFactory Grains(int i) => hosts[i].Services.GetRequiredService<IGrainFactory>();
        public IGrainStorage Storage(int i) => hosts[i].Services.GetRequiredKeyedService<IGrainStorage>(StreamGrain.StorageName);
        public string Address(int i) => hosts[i].Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString();

        public async Task StopAsync(int i)
        {
            stopped.Add(i);
            await hosts[i].StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        }

        /// <summary>What another activation's write would do to this service's stored states: a version the running grains do not hold.</summary>
        public async Task<int> AdvanceStoredVersionAsync()
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var advance = new NpgsqlCommand("UPDATE movisharp_orleans_grain_state SET version = version + 1000 WHERE service_id = $1", connection);
            advance.Parameters.Add(new NpgsqlParameter { Value = serviceId });
            return await advance.ExecuteNonQueryAsync();
        }

        /// <summary>The size of the one stored state of this service, as PostgreSQL holds it.</summary>
        public async Task<long> PayloadBytesAsync()
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var size = new NpgsqlCommand("SELECT octet_length(payload) FROM movisharp_orleans_grain_state WHERE service_id = $1", connection);
            size.Parameters.Add(new NpgsqlParameter { Value = serviceId });
            return Convert.ToInt64(await size.ExecuteScalarAsync());
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        public async ValueTask DisposeAsync()
        {
            for (int i = 0; i < hosts.Count; i++)
                if (!stopped.Contains(i)) await hosts[i].StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            foreach (var h in hosts) h.Dispose();
            await TestPostgres.ForgetClusterAsync(connectionString, clusterId);
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                foreach (var (sql, value) in new[] { ("DELETE FROM movisharp_orleans_grain_state WHERE service_id = $1", serviceId), ("DELETE FROM stream_directory WHERE scope = $1", clusterId) })
                {
                    await using var forget = new NpgsqlCommand(sql, connection);
                    forget.Parameters.Add(new NpgsqlParameter { Value = value });
                    await forget.ExecuteNonQueryAsync();
                }
            }
            await Directory.DisposeAsync();
            await events.DisposeAsync();
            models.Dispose();
        }
    }
}
