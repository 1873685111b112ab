using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace MoViSharp.Cluster;

/// <summary>
/// Keeps every running stream alive without anyone outside the cluster calling it. A stream grain advances on its own timer,
/// but after its silo dies nothing would reactivate it; so every <see cref="StreamGrainOptions.SuperviseEvery"/> each silo reads
/// the running streams from the <see cref="IStreamDirectory"/> (Orleans' grain storage cannot list grains; a stream is listed
/// from its start to its stop) and pings its share of them. The shares split the streams by grain hash over the active silos ordered by
/// address, so each running stream is pinged by one silo per period; once a dead silo is declared dead the survivors' shares
/// cover its streams, and the ping activates each on a live silo from its last checkpoint. No single silo or grain is needed:
/// any silo left does this.
/// </summary>
public sealed class StreamSupervisor(IStreamDirectory directory, IGrainFactory grains, IClusterMembershipService membership,
    ILocalSiloDetails silo, StreamGrainOptions options, ILogger<StreamSupervisor> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource stopping = new();
    private Task loop = Task.CompletedTask;
    private long pings;

    /// <summary>Pings sent by this silo's supervisor (for tests and logs).</summary>
    public long Pings => Interlocked.Read(ref pings);

    public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(nameof(StreamSupervisor), ServiceLifecycleStage.Active,
        _ =>
        {
            loop = Task.Run(() => RunAsync(stopping.Token));
            return Task.CompletedTask;
        },
        async _ =>
        {
            await stopping.CancelAsync();
            try { await loop; } catch (OperationCanceledException) { }
        });

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(options.SuperviseEvery, stop);
            try
            {
                await SuperviseOnceAsync(stop);
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                // A database hiccup costs one period, never the loop.
                logger.LogWarning(e, "Stream supervisor on {Silo}: a pass failed; trying again in {Period}", silo.SiloAddress, options.SuperviseEvery);
            }
        }
    }

    private async Task SuperviseOnceAsync(CancellationToken stop)
    {
        var active = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress.ToParsableString())
            .Order(StringComparer.Ordinal).ToList();
        int share = active.IndexOf(silo.SiloAddress.ToParsableString());
        if (share < 0) return;   // not (or no longer) active: the others cover every stream
        var mine = (await directory.ListAsync(stop))
            .Where(s => !s.Ended)
            .Select(s => grains.GetGrain<IStreamGrain>(s.StreamId))
            .Where(g => g.GetGrainId().GetUniformHashCode() % (uint)active.Count == share)
            .ToList();
        await Task.WhenAll(mine.Select(g => PingAsync(g, stop)));
    }

    private async Task PingAsync(IStreamGrain stream, CancellationToken stop)
    {
        Interlocked.Increment(ref pings);
        try
        {
            // Bounded: a stream whose silo died and is not yet declared dead answers nothing; the next pass asks again.
            var status = await stream.Ping().WaitAsync(options.SuperviseEvery, stop);
            if (status.Spec is null)   // listed as running, yet its grain state holds no checkpoint: nothing can resume it
                logger.LogError("Stream {Stream} is in the stream directory but has no checkpoint in grain storage '{Storage}'; it cannot resume",
                    status.StreamId, StreamGrain.StorageName);
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            logger.LogDebug(e, "Stream supervisor: ping of {Stream} failed", stream.GetPrimaryKeyString());
        }
    }
}
