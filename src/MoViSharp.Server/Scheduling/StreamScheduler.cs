using System.Collections.Concurrent;
using MoViSharp.Server.Events;
using MoViSharp.Server.Metrics;
using MoViSharp.Server.Streams;

namespace MoViSharp.Server.Scheduling;

/// <summary>
/// Advances every live stream: one thread owns all model state and steps each <see cref="Lane"/> (model × frame rate) on its
/// tick. Streams join and leave through a command queue the thread drains between steps, so the batch state is never touched
/// from two threads. A lane with a backlog (a stream with more than one frame waiting, after a stall) steps again at once,
/// one frame per stream per step, until the backlog is gone; its next tick is always the next one still ahead, so lateness is
/// never carried as debt. Meanwhile full queues drop their oldest frames.
/// </summary>
public sealed class StreamScheduler : IDisposable
{
    private readonly ConcurrentQueue<Action> commands = new();
    private readonly Dictionary<(string, double), Lane> lanes = [];
    private readonly Dictionary<LiveStream, Lane> laneOf = [];
    private readonly SemaphoreSlim wake = new(0);
    private readonly CancellationTokenSource stop = new();
    private readonly Thread thread;
    private readonly ServerMetrics metrics;
    private readonly Action<LiveStream, LabelEvent> onEvent;
    private readonly Action<LiveStream> onStep;

    /// <param name="onEvent">label changes, called on the scheduler thread (must not block)</param>
    /// <param name="onStep">each stream after it advanced, called on the scheduler thread (must not block)</param>
    public StreamScheduler(ServerMetrics metrics, Action<LiveStream, LabelEvent> onEvent, Action<LiveStream> onStep)
    {
        this.metrics = metrics; this.onEvent = onEvent; this.onStep = onStep;
        thread = new Thread(Loop) { IsBackground = true, Name = "movisharp scheduler" };
        thread.Start();
    }

    /// <summary>The last failure of a step (kept for /health; a failing step fails nothing else).</summary>
    public string? LastError { get; private set; }

    public void Add(LiveStream stream) => Post(() =>
    {
        var key = (stream.ModelName, stream.Spec.Fps);
        if (!lanes.TryGetValue(key, out var lane)) lanes[key] = lane = new Lane(stream.ModelName, stream.Classifier, stream.Spec.Fps, metrics);
        lane.Add(stream);
        laneOf[stream] = lane;
    });

    public void Remove(LiveStream stream) => Post(() =>
    {
        if (!laneOf.Remove(stream, out var lane)) return;
        lane.Remove(stream);
        if (lane.Count == 0)
        {
            lanes.Remove((lane.Model, lane.Fps));
            lane.Dispose();
        }
    });

    private void Post(Action command)
    {
        commands.Enqueue(command);
        wake.Release();
    }

    private void Loop()
    {
        while (!stop.IsCancellationRequested)
        {
            while (commands.TryDequeue(out var command)) command();
            var lane = lanes.Values.MinBy(l => l.DueTicks);
            if (lane is null)
            {
                Wait(TimeSpan.FromSeconds(1));
                continue;
            }
            long wait = lane.DueTicks - FrameClock.Now;
            if (wait > 0 && !lane.HasBacklog)
            {
                Wait(TimeSpan.FromSeconds(FrameClock.Seconds(wait)));
                continue;   // a command may have come in; choose again
            }
            try
            {
                foreach (var (stream, e) in lane.Step()) onEvent(stream, e);
                foreach (var m in laneOf.Where(p => p.Value == lane).Select(p => p.Key)) onStep(m);
            }
            catch (Exception e)
            {
                LastError = $"{DateTimeOffset.UtcNow:O} lane {lane.Model}@{lane.Fps}: {e.Message}";
            }
            // The next tick is the next one still ahead: a late lane owes no missed ticks; its backlog is worked off above.
            lane.NextIndex = FrameClock.NextTick(lane.Fps, 0.25);
        }
        foreach (var l in lanes.Values) l.Dispose();
    }

    private void Wait(TimeSpan time)
    {
        try { wake.Wait(time, stop.Token); }
        catch (OperationCanceledException) { }
    }

    public void Dispose()
    {
        stop.Cancel();
        thread.Join(TimeSpan.FromSeconds(10));
        stop.Dispose();
    }
}
