using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Xunit.Abstractions;
using Orleans.TestingHost;
using MoViSharp.Cluster;
using MoViSharp.Server.Events;
using MoViSharp.Server.Streams;

namespace MoViSharp.Tests.Server;

[Collection(ServerCollection.Name)]
public class ClusterFailoverTests(ITestOutputHelper output)
{
    private const int Streams = 4;
    private const long Frames = 60;

    [Fact]
    public async Task Cluster_SiloKilled_ItsStreamsResumeElsewhere_NoEventLostOrDuplicated()
    {
        // The stream directory in the embedded store, a SQLite file the three silos of this process share; checkpoints in a
        // grain storage the whole process shares (Orleans' in-memory storage would lose those held on the killed silo).
        await using var store = new SqliteStreamDirectory(Path.Combine(Directory.CreateTempSubdirectory("movisharp-cluster-").FullName, "directory.db"));
        await RunSiloKillAsync(store, silo => silo.Services.AddKeyedSingleton<Orleans.Storage.IGrainStorage>(StreamGrain.StorageName,
            (sp, _) => new ProcessGrainStorage(sp.GetRequiredService<Orleans.Serialization.Serializer>())), InProcessSilos.DeployAsync, finishWithin: TimeSpan.FromSeconds(120), streamPrefix: "cluster");
    }

    /// <summary>
    /// The same fault on a cluster as it runs in production: three silo hosts on their own TCP ports, membership in PostgreSQL
    /// through Orleans' ADO.NET provider, checkpoints as grain state through Orleans' ADO.NET storage provider, the stream
    /// directory in PostgreSQL.
    /// </summary>
    [Fact]
    public async Task Cluster_OnPostgres_SiloKilled_ItsStreamsResumeElsewhere_NoEventLostOrDuplicated()
    {
        string cs = await TestPostgres.ConnectionStringAsync();
        await using var store = new PostgresStreamDirectory(cs, scope: $"test-{Guid.NewGuid():N}");
        await RunSiloKillAsync(store, silo => silo.UsePostgresGrainStorage(cs), setup => PostgresSilos.DeployAsync(cs, setup), finishWithin: TimeSpan.FromSeconds(40),
            streamPrefix: $"pg{Guid.NewGuid():N}"[..10]);
    }

    /// <summary>
    /// Three silos, <see cref="Streams"/> streams of <see cref="Frames"/> frames at 30 fps; once every stream has a checkpoint at
    /// frame 20 or later, the silo of the first stream is killed without a graceful shutdown. From then on the test only reads
    /// the stream directory: no call from outside reaches a grain until every stream has ended, so it is the silos' own
    /// <see cref="StreamSupervisor"/> that resumes the dead silo's streams. Then each stream's log must equal, event for event,
    /// the log of the same stream run alone without failure.
    /// </summary>
    private async Task RunSiloKillAsync(IStreamDirectory store, Action<ISiloBuilder> storage, Func<Action<ISiloBuilder>, Task<IThreeSilos>> deploy, TimeSpan finishWithin, string streamPrefix)
    {
        string folder = Directory.CreateTempSubdirectory("movisharp-cluster-").FullName;
        await using var log = new CountingLog(new SqliteEventLog(Path.Combine(folder, "events.db")));
        await log.InitializeAsync();
        using var models = TestServer.DemoCatalog();
        var options = new StreamGrainOptions { CheckpointEvery = 10, LabelHold = 1, SuperviseEvery = TimeSpan.FromMilliseconds(500) };
        var ids = Enumerable.Range(0, Streams).Select(i => $"{streamPrefix}-{i}").ToList();
        await using var cluster = await deploy(silo =>
        {
            storage(silo);
            silo.AddMoViSharpStreams(models, log, store, options);
            // Declare a dead silo dead within seconds, not the production default of tens of seconds.
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            });
        });
        try
        {
            var grains = ids.Select(id => cluster.Grains.GetGrain<IStreamGrain>(id)).ToList();
            for (int i = 0; i < Streams; i++) await grains[i].Start(new ClusterStreamSpec(200 + i, 30, "demo", Frames));

            await WaitForCheckpointsAsync(store, ids, s => s.NextFrame >= 20, TimeSpan.FromSeconds(60), "every stream to checkpoint frame 20");

            // Kill the silo of the first stream without a graceful shutdown.
            var before = await PingAllAsync(grains);
            string victim = before[0].Silo;
            var moved = before.Where(s => s.Silo == victim).Select(s => s.StreamId).ToList();
            var killedAt = DateTime.UtcNow;
            await cluster.KillAsync(victim);

            await WaitForCheckpointsAsync(store, ids, s => s.Ended, finishWithin, "every stream to end after the kill, resumed by the supervisors alone");
            output.WriteLine($"{moved.Count} of {Streams} streams were on the killed silo; all {Streams} ended {(DateTime.UtcNow - killedAt).TotalSeconds:0.0} s after the kill.");
            Assert.True(cluster.Survivors.Sum(s => s.GetRequiredService<StreamSupervisor>().Pings) > 0);

            grains = ids.Select(id => cluster.Grains.GetGrain<IStreamGrain>(id)).ToList();
            var after = await PingAllAsync(grains);   // every stream has ended: these calls only read where each one finished
            foreach (var id in moved) Assert.NotEqual(victim, after.Single(s => s.StreamId == id).Silo);

            // Every stream's log is exactly the events of one uninterrupted run: nothing lost, nothing twice.
            long storedCount = 0;
            for (int i = 0; i < Streams; i++)
            {
                var expected = Reference(models, 200 + i, ids[i], options);
                var stored = (await log.ReadAsync(ids[i], 10_000)).Select(e => (e.Seq, e.Frame, e.Label)).ToList();
                Assert.Equal(expected, stored);
                storedCount += stored.Count;
                Assert.Single((await log.ReadAsync(ids[i], 10_000)).Select(e => e.Run).Distinct());
            }
            Assert.True(storedCount > 0);
            Assert.True(log.Written >= storedCount);   // more when a replay wrote events again (stored once)
        }
        finally
        {
            foreach (var id in ids) await store.DeleteAsync(id);
        }
    }

    /// <summary>A three-silo cluster a test can kill one silo of.</summary>
    private interface IThreeSilos : IAsyncDisposable
    {
        /// <summary>A grain factory of a silo still alive.</summary>
        IGrainFactory Grains { get; }
        IEnumerable<IServiceProvider> Survivors { get; }
        /// <summary>Stops the silo without a graceful shutdown: no grain is deactivated or handed over.</summary>
        Task KillAsync(string siloAddress);
    }

    /// <summary>Orleans' in-process test cluster: in-memory membership and transport.</summary>
    private sealed class InProcessSilos(InProcessTestCluster cluster) : IThreeSilos
    {
        public static async Task<IThreeSilos> DeployAsync(Action<ISiloBuilder> setup)
        {
            var builder = new InProcessTestClusterBuilder(3);
            builder.ConfigureSilo((_, silo) => setup(silo));
            var cluster = builder.Build();
            await cluster.DeployAsync();
            return new InProcessSilos(cluster);
        }

        public IGrainFactory Grains => cluster.Client;
        public IEnumerable<IServiceProvider> Survivors => cluster.Silos.Select(s => s.SiloHost.Services);

        public Task KillAsync(string siloAddress) => cluster.KillSiloAsync(cluster.Silos.Single(s => s.SiloAddress.ToString() == siloAddress));

        public async ValueTask DisposeAsync()
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    /// <summary>Three silo hosts built by hand, each listening on its own loopback TCP ports, joined through PostgreSQL.</summary>
    private sealed class PostgresSilos(List<IHost> hosts, string connectionString, string clusterId) : IThreeSilos
    {
        public static async Task<IThreeSilos> DeployAsync(string connectionString, Action<ISiloBuilder> setup)
        {
            string clusterId = $"test-{Guid.NewGuid():N}";   // a fresh cluster in the shared database
            var hosts = new List<IHost>();
            try
            {
                for (int i = 0; i < 3; i++)
                {
                    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
                    builder.UseOrleans(silo =>
                    {
                        silo.Configure<ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = "movisharp-tests"; });
                        silo.ConfigureEndpoints(IPAddress.Loopback, FreePort(), FreePort());
                        silo.UsePostgresMembership(connectionString);
                        setup(silo);
                    });
                    var host = builder.Build();
                    hosts.Add(host);
                    await host.StartAsync();
                }
                return new PostgresSilos(hosts, connectionString, clusterId);
            }
            catch
            {
                foreach (var h in hosts) h.Dispose();
                throw;
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private readonly List<IHost> alive = [.. hosts];

        private static string Address(IHost h) => h.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString();

        public IGrainFactory Grains => alive[0].Services.GetRequiredService<IGrainFactory>();
        public IEnumerable<IServiceProvider> Survivors => alive.Select(h => h.Services);

        public async Task KillAsync(string siloAddress)
        {
            var victim = alive.Single(h => Address(h) == siloAddress);
            alive.Remove(victim);
            // What Orleans' test cluster calls a kill: the host stops with its token already cancelled, so nothing is shut down in order.
            await victim.StopAsync(new CancellationToken(canceled: true));
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var h in alive)
                await h.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            foreach (var h in hosts) h.Dispose();
            await TestPostgres.ForgetClusterAsync(connectionString, clusterId);
        }
    }

    internal static async Task WaitForCheckpointsAsync(IStreamDirectory store, List<string> ids, Func<StreamDirectoryEntry, bool> done, TimeSpan within, string what)
    {
        var until = DateTime.UtcNow + within;
        while (true)
        {
            var listed = (await store.ListAsync()).Where(s => ids.Contains(s.StreamId)).ToList();
            if (listed.Count == ids.Count && listed.All(done)) return;
            Assert.True(DateTime.UtcNow < until,
                $"Waited {within.TotalSeconds:0} s for {what}; checkpoints: {string.Join(", ", listed.Select(s => $"{s.StreamId}@{s.NextFrame}{(s.Ended ? " ended" : "")}"))}");
            await Task.Delay(200);
        }
    }

    /// <summary>The events of the same stream run on its own from frame 0 to the end, without any failure.</summary>
    internal static List<(long, long, string)> Reference(MoViSharp.Server.ModelCatalog models, long seed, string id, StreamGrainOptions options, long length = Frames)
    {
        var (_, classifier) = models.Get("demo");
        using var stepper = new StreamStepper(classifier, new StreamResults(id, classifier.Labels!, options.History, options.LabelHold, classifier.Delay));
        var frames = new SyntheticFrames(seed, classifier.Preprocessing.Frames, classifier.Preprocessing.Size);
        var events = new List<(long, long, string)>();
        for (long f = 0; f < length; f++)
            if (stepper.Advance(frames.Frame(f)) is { } e) events.Add((e.Seq, e.Frame, e.Label));
        return events;
    }

    private static async Task<List<ClusterStreamStatus>> PingAllAsync(List<IStreamGrain> grains)
    {
        var result = new List<ClusterStreamStatus>();
        foreach (var g in grains)
        {
            while (true)
            {
                try
                {
                    result.Add(await g.Ping().WaitAsync(TimeSpan.FromSeconds(5)));
                    break;
                }
                catch (Exception e) when (e is TimeoutException or Orleans.Runtime.OrleansException or Orleans.Runtime.SiloUnavailableException)
                {
                    await Task.Delay(200);   // its silo is gone and not yet declared dead: ask again
                }
            }
        }
        return result;
    }

    /// <summary>Counts the events written, replays included, next to those stored.</summary>
    private sealed class CountingLog(IEventLog inner) : IEventLog
    {
        private long written;
        public long Written => Interlocked.Read(ref written);
        public string Kind => inner.Kind;
        public Task InitializeAsync(CancellationToken cancel = default) => inner.InitializeAsync(cancel);
        public async Task WriteAsync(IReadOnlyList<LabelEvent> events, CancellationToken cancel = default)
        {
            Interlocked.Add(ref written, events.Count);
            await inner.WriteAsync(events, cancel);
        }
        public Task<IReadOnlyList<LabelEvent>> ReadAsync(string? streamId, int limit, CancellationToken cancel = default) => inner.ReadAsync(streamId, limit, cancel);
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
