using Microsoft.Extensions.Logging;
using MoViSharp.Server;
using MoViSharp.Server.Events;
using MoViSharp.Server.Streams;
using MoViSharp.Streaming;
using Orleans.Storage;

namespace MoViSharp.Cluster;

/// <summary>
/// A stream on the cluster. Each timer tick classifies the next frame with the grain's own state (<see cref="StreamStepper"/>,
/// the same code as the single-machine server's results), writes any label change to the shared event log before going on,
/// and every <see cref="StreamGrainOptions.CheckpointEvery"/> frames writes a <see cref="StreamCheckpoint"/> as its Orleans grain state
/// (storage provider <see cref="StorageName"/>) and records its progress in the <see cref="IStreamDirectory"/>. When its silo dies the
/// next ping activates it on another silo from the last checkpoint; it replays the frames since then (the synthetic source is a
/// function of the frame index), producing the same events with the same keys, which the log stores once. So no event is lost
/// or duplicated, and at most CheckpointEvery frames of work are redone.
/// </summary>
public sealed class StreamGrain(ModelCatalog models, IEventLog events, IStreamDirectory directory, StreamGrainOptions options, ILocalSiloDetails silo,
    [PersistentState("checkpoint", StreamGrain.StorageName)] IPersistentState<StoredCheckpoint> stored, ILogger<StreamGrain> logger)
    : Grain, IStreamGrain
{
    /// <summary>The grain storage provider the checkpoints go to (ADO.NET on PostgreSQL, memory in the test cluster).</summary>
    public const string StorageName = "streams";

    private ClusterStreamSpec? spec;
    private StreamStepper? stepper;
    private SyntheticFrames? frames;
    private IGrainTimer? timer;
    private long nextFrame, checkpointFrame;
    private bool ended;
    private static int activations;

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancel)
    {
        Interlocked.Increment(ref activations);
        // Orleans has read the state before this runs; an empty one is a stream never started (or stopped).
        if (stored.State is not { IsEmpty: false } saved) return;
        StreamCheckpoint checkpoint;
        StreamState state;
        try
        {
            (checkpoint, state) = saved.Restore(Id);
        }
        catch (InvalidDataException e)
        {
            // The activation fails, and so does every supervisor ping after it: say why once per attempt, loudly.
            logger.LogError(e, "Stream {StreamId} cannot resume: its checkpoint is unreadable", Id);
            throw;
        }
        using (state)
        {
            Open(checkpoint.Spec, checkpoint.Run);
            stepper!.Import(state);
        }
        stepper!.Results.Detector.State = checkpoint.Detector;
        nextFrame = checkpointFrame = checkpoint.NextFrame;
        ended = checkpoint.Ended;
        logger.LogInformation("Stream {StreamId} resumed on {Silo} at frame {Frame} from its checkpoint", Id, silo.SiloAddress, nextFrame);
        if (!ended) StartTimer();
    }

    public async Task Start(ClusterStreamSpec request)
    {
        if (spec is not null) return;
        Open(request, StreamResults.NewRun());
        nextFrame = 0;
        await SaveAsync();
        StartTimer();
    }

    public Task<ClusterStreamStatus> Ping() => Task.FromResult(new ClusterStreamStatus(
        Id, silo.SiloAddress.ToString(), nextFrame, timer is not null, ended, checkpointFrame, Volatile.Read(ref activations), spec));

    public Task<ClusterPrediction[]> Predictions(int last) => Task.FromResult(stepper is null ? [] :
        stepper.Results.Last(Math.Clamp(last, 1, options.History))
            .Select(p => new ClusterPrediction(p.Frame, p.At, p.Top.Select(c => new ClusterClassScore(c.Index, c.Label, c.Probability)).ToArray(), p.LatencyMs))
            .ToArray());

    public async Task Stop()
    {
        timer?.Dispose();
        timer = null;
        stepper?.Dispose();
        stepper = null;
        spec = null;
        await stored.ClearStateAsync();
        await directory.DeleteAsync(Id);
        DeactivateOnIdle();
    }

    private void Open(ClusterStreamSpec request, string run)
    {
        var (_, classifier) = models.Get(request.Model);
        spec = request;
        var labels = classifier.Labels ?? Enumerable.Range(0, classifier.NumClasses).Select(i => $"class {i}").ToArray();
        var results = new StreamResults(Id, labels, options.History, options.LabelHold, classifier.Delay) { Run = run };
        stepper?.Dispose();
        stepper = new StreamStepper(classifier, results);
        frames = new SyntheticFrames(request.Seed, Math.Max(2, classifier.Preprocessing.Frames), classifier.Preprocessing.Size);
    }

    private void StartTimer()
    {
        var period = TimeSpan.FromSeconds(1 / spec!.Fps);
        timer = this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions { DueTime = period, Period = period, KeepAlive = true });
    }

    private async Task Tick(CancellationToken cancel)
    {
        if (stepper is null || spec is null || ended) return;
        if (stepper.Advance(frames!.Frame(nextFrame)) is { } change)
            await events.WriteAsync([change], cancel);   // stored before the stream moves on: a crash after this replays it, never skips it
        nextFrame++;
        ended = spec.MaxFrames > 0 && nextFrame >= spec.MaxFrames;
        if (ended || nextFrame % options.CheckpointEvery == 0)
        {
            try
            {
                await SaveAsync();
            }
            catch (InconsistentStateException e)
            {
                // Another activation of this stream wrote a newer state: this one is stale and must not go on.
                logger.LogWarning(e, "Stream {StreamId} on {Silo}: its checkpoint was refused as stale; this activation stops", Id, silo.SiloAddress);
                timer?.Dispose();
                timer = null;
                DeactivateOnIdle();
                return;
            }
        }
        if (ended)
        {
            timer?.Dispose();
            timer = null;
        }
    }

    private async Task SaveAsync()
    {
        using var state = stepper!.Export();
        var checkpoint = new StreamCheckpoint(spec!, stepper.Results.Run, nextFrame, stepper.Results.Detector.State, ended);
        stored.State = StoredCheckpoint.From(Id, checkpoint, state);
        // The state first: a stream listed in the directory always has a checkpoint to resume from. A stale activation's
        // write fails here (the provider's ETag check), so it can neither overwrite the state nor move the directory.
        await stored.WriteStateAsync();
        await directory.RecordAsync(Id, nextFrame, ended);
        checkpointFrame = nextFrame;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancel)
    {
        timer?.Dispose();
        stepper?.Dispose();
        return Task.CompletedTask;
    }
}
