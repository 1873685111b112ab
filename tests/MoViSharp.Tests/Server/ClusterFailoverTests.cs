using Orleans.Configuration;
using Orleans.TestingHost;
using MoViSharp.Cluster;
using MoViSharp.Server.Events;
using MoViSharp.Server.Streams;

namespace MoViSharp.Tests.Server;

[Collection(ServerCollection.Name)]
public class ClusterFailoverTests
{
    private const int Streams = 4;
    private const long Frames = 60;

    [Fact]
    public async Task Cluster_SiloKilled_ItsStreamsResumeElsewhere_NoEventLostOrDuplicated()
    {
        string folder = Directory.CreateTempSubdirectory("movisharp-cluster-").FullName;
        await using var log = new CountingLog(new SqliteEventLog(Path.Combine(folder, "events.db")));
        await log.InitializeAsync();
        var store = new InMemoryCheckpointStore();
        using var models = TestServer.DemoCatalog();
        var options = new StreamGrainOptions { CheckpointEvery = 10, LabelHold = 1 };
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((_, silo) =>
        {
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
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
            var grains = Enumerable.Range(0, Streams).Select(i => cluster.Client.GetGrain<IStreamGrain>($"cluster-{i}")).ToList();
            for (int i = 0; i < Streams; i++) await grains[i].Start(new ClusterStreamSpec(200 + i, 30, "demo", Frames));

            var statuses = await PingAllAsync(grains);
            var until = DateTime.UtcNow.AddSeconds(60);
            while (statuses.Any(s => s.NextFrame < 20))
            {
                Assert.True(DateTime.UtcNow < until, "The streams did not reach frame 20 within 60 s.");
                await Task.Delay(100);
                statuses = await PingAllAsync(grains);
            }

            // Kill the silo of the first stream without a graceful shutdown.
            string victimAddress = statuses[0].Silo;
            var victim = cluster.Silos.Single(s => s.SiloAddress.ToString() == victimAddress);
            var moved = statuses.Where(s => s.Silo == victimAddress).Select(s => s.StreamId).ToList();
            await cluster.KillSiloAsync(victim);

            until = DateTime.UtcNow.AddSeconds(120);
            while (statuses.Any(s => !s.Ended))
            {
                Assert.True(DateTime.UtcNow < until, $"The streams did not all finish within 120 s of the kill: {string.Join(", ", statuses.Select(s => $"{s.StreamId}@{s.NextFrame}"))}");
                await Task.Delay(200);
                statuses = await PingAllAsync(grains);   // pings reactivate the victim's streams on the silos left
            }
            foreach (var id in moved) Assert.NotEqual(victimAddress, statuses.Single(s => s.StreamId == id).Silo);

            // Every stream's log is exactly the events of one uninterrupted run: nothing lost, nothing twice.
            long storedCount = 0;
            for (int i = 0; i < Streams; i++)
            {
                var expected = Reference(models, 200 + i, $"cluster-{i}", options);
                var stored = (await log.ReadAsync($"cluster-{i}", 10_000)).Select(e => (e.Seq, e.Frame, e.Label)).ToList();
                Assert.Equal(expected, stored);
                storedCount += stored.Count;
                Assert.Single((await log.ReadAsync($"cluster-{i}", 10_000)).Select(e => e.Run).Distinct());
            }
            Assert.True(log.Written >= storedCount);   // more when a replay wrote events again (stored once)
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    /// <summary>The events of the same stream run on its own from frame 0 to the end, without any failure.</summary>
    private static List<(long, long, string)> Reference(MoViSharp.Server.ModelCatalog models, long seed, string id, StreamGrainOptions options)
    {
        var (_, classifier) = models.Get("demo");
        using var stepper = new StreamStepper(classifier, new StreamResults(id, classifier.Labels!, options.History, options.LabelHold, classifier.Delay));
        var frames = new SyntheticFrames(seed, classifier.Preprocessing.Frames, classifier.Preprocessing.Size);
        var events = new List<(long, long, string)>();
        for (long f = 0; f < Frames; f++)
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
