using System.Collections.Concurrent;
using MoViSharp.Data.Synthetic;
using MoViSharp.Server.Scheduling;
using MoViSharp.Video;

namespace MoViSharp.Server.Streams;

/// <summary>
/// The server's streams by id: adds them (checking the request, the model and the source first, so a bad request is refused
/// before anything runs), removes and restarts them, and hands them to the scheduler.
/// </summary>
public sealed class StreamRegistry(ModelCatalog models, StreamScheduler scheduler, ServerOptions options)
{
    private readonly ConcurrentDictionary<string, LiveStream> streams = new(StringComparer.Ordinal);
    private readonly Lock adding = new();
    private int generated;

    public IReadOnlyCollection<LiveStream> All => streams.Values.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();

    public event Action<LiveStream>? Added, Removed, StatusChanged;

    public LiveStream Get(string id) =>
        streams.TryGetValue(id, out var s) ? s : throw new BadRequestException($"No stream '{id}'.", 404);

    public async Task<LiveStream> AddAsync(StreamSpec spec, CancellationToken cancel = default)
    {
        spec.Validate();
        var (modelName, classifier) = models.Get(spec.Model);
        int size = classifier.Preprocessing.Size;
        LiveStream stream;
        lock (adding)
        {
            if (streams.Count >= options.MaxStreams) throw new BadRequestException($"This server runs at most {options.MaxStreams} streams.", 429);
            string id = spec.Id ?? NextId(spec.Kind);
            if (streams.ContainsKey(id)) throw new BadRequestException($"A stream '{id}' exists already.", 409);
            spec = spec with { Id = id };
            var make = SourceFactory(spec, classifier.Preprocessing.Frames, size);
            stream = new LiveStream(id, spec, modelName, classifier, options.QueueCapacity, options.History, options.LabelHold, make, make());
            streams[id] = stream;
        }
        stream.StatusChanged += s => StatusChanged?.Invoke(s);
        scheduler.Add(stream);
        stream.Start();
        if (spec.Kind == SourceKind.Url) await AwaitFirstFrameAsync(stream, cancel).ConfigureAwait(false);
        Added?.Invoke(stream);
        return stream;
    }

    /// <summary>A URL is only known to work once a frame came through: refuse the stream (422) when it fails or stays silent.</summary>
    private async Task AwaitFirstFrameAsync(LiveStream stream, CancellationToken cancel)
    {
        var until = DateTime.UtcNow + options.SourceOpenTimeout;
        while (stream.Status == StreamStatus.Running && stream.Queue.Count == 0 && stream.Processed == 0 && DateTime.UtcNow < until)
            await Task.Delay(20, cancel).ConfigureAwait(false);
        if (stream.Queue.Count > 0 || stream.Processed > 0) return;
        string why = stream.Error ?? (stream.Status == StreamStatus.Ended ? "it ended before any frame" : $"no frame within {options.SourceOpenTimeout.TotalSeconds:0} s");
        Detach(stream);
        throw new BadRequestException($"Source '{stream.Spec.Source}' is unreachable: {why}", 422);
    }

    private string NextId(SourceKind kind)
    {
        string id;
        do id = $"{kind.ToString().ToLowerInvariant()}-{Interlocked.Increment(ref generated)}"; while (streams.ContainsKey(id));
        return id;
    }

    private static Func<IStreamSource> SourceFactory(StreamSpec spec, int clipFrames, int size)
    {
        var video = new VideoSourceOptions { Width = size, Height = size, CenterCrop = true, Fps = spec.Fps };
        switch (spec.Kind)
        {
            case SourceKind.Synthetic:
                long seed = spec.Seed ?? (long)(uint)StableHash(spec.Id!);
                SyntheticClipRenderer.ValidateSize(Math.Max(2, clipFrames), size);
                return () => new SyntheticSource(seed, Math.Max(2, clipFrames), size, spec.Fps);
            case SourceKind.File:
                // Opened here once so that a missing or unreadable file is a 422 now, not a failed stream later.
                var first = FfmpegSource.Open(spec.Source!, video);
                bool used = false;
                return () =>
                {
                    var f = used ? null : first;
                    used = true;
                    return new FfmpegSource(spec.Source!, video, paced: true, spec.Loop) { First = f };
                };
            case SourceKind.Url:
                return () => new FfmpegSource(spec.Source!, video with { ProbeLocalFiles = false }, paced: false, loop: false);
            case SourceKind.Push:
                return () => new PushSource(size, size);
            default:
                throw new BadRequestException($"Unknown source kind '{spec.Kind}'.");
        }
    }

    private static int StableHash(string s)
    {
        unchecked
        {
            int h = 17;
            foreach (char c in s) h = h * 31 + c;
            return h;
        }
    }

    public void Remove(string id)
    {
        var stream = Get(id);
        Detach(stream);
        Removed?.Invoke(stream);
    }

    private void Detach(LiveStream stream)
    {
        streams.TryRemove(stream.Id, out _);
        stream.Stop();
        scheduler.Remove(stream);
    }

    /// <summary>Starts a stream again from a fresh source and state (after it failed or ended, or to begin anew).</summary>
    public LiveStream Restart(string id)
    {
        var stream = Get(id);
        scheduler.Remove(stream);
        stream.Restart();
        scheduler.Add(stream);
        return stream;
    }

    public void StopAll()
    {
        foreach (var s in streams.Values) Detach(s);
    }
}
