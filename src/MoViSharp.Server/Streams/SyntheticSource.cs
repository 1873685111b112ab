using MoViSharp.Data.Synthetic;

namespace MoViSharp.Server.Streams;

/// <summary>
/// A simulated camera: clips of the synthetic benchmark rendered in-process, one after another, emitted on the frame grid
/// like a live camera (it never waits for the consumer). Each clip is a new video; its true class rides along for the page.
/// Deterministic in (seed, clip number): the same seed shows the same clips.
/// </summary>
public sealed class SyntheticSource(long seed, int clipFrames, int size, double fps) : IStreamSource
{
    public string Description => $"synthetic (seed {seed})";

    /// <summary>Class of clip <paramref name="clip"/> of <paramref name="seed"/>: a fixed shuffle, so every class comes up.</summary>
    public static int ClassOf(long seed, long clip) => (int)((ulong)(seed * 7 + clip * 11) % (ulong)SyntheticActionClasses.Count);

    // Rendering costs more than classifying a small model: streams that share a seed (a load test) share the clips.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(long, int, int, int), byte[]> clips = new();

    private byte[] Rendered(int cls, int clipNumber)
    {
        var key = (seed, clipNumber, clipFrames, size);
        if (clips.TryGetValue(key, out var rgb)) return rgb;
        if (clips.Count >= 512) clips.Clear();   // a bound, not a policy: clips are cheap to render again
        return clips[key] = SyntheticClipRenderer.Render(cls, seed, clipNumber, clipFrames, size).ToRgb24();
    }

    public async Task RunAsync(Action<QueuedFrame> emit, CancellationToken cancel)
    {
        long grid = FrameClock.NextIndex(fps), index = 0;
        for (int clipNumber = 0; !cancel.IsCancellationRequested; clipNumber++)
        {
            int cls = ClassOf(seed, clipNumber);
            var rgb = Rendered(cls, clipNumber);
            int bytes = size * size * 3;
            for (int f = 0; f < clipFrames; f++, grid++, index++)
            {
                await FrameClock.WaitUntilAsync(fps, grid, cancel).ConfigureAwait(false);
                // A camera does not buffer what it could not send: after a stall it resumes at the present.
                grid = Math.Max(grid, FrameClock.NextIndex(fps) - 1);
                emit(new QueuedFrame(rgb.AsSpan(f * bytes, bytes).ToArray(), index, FrameClock.Now, f == 0, cls));
            }
        }
    }
}
