using System.Diagnostics;

namespace MoViSharp.Server.Streams;

/// <summary>
/// One time grid for the whole process: frame k of a stream at f fps is due at epoch + k/f. Sources the server paces itself
/// (synthetic, files) emit on this grid and the scheduler steps a frame rate's streams a quarter period later, so that all of
/// them have their frame in and step together as one batch.
/// </summary>
public static class FrameClock
{
    public static readonly long Epoch = Stopwatch.GetTimestamp();

    public static long Now => Stopwatch.GetTimestamp();

    public static double PeriodTicks(double fps) => Stopwatch.Frequency / fps;

    /// <summary>The first grid index at or after now.</summary>
    public static long NextIndex(double fps) => (long)Math.Ceiling((Now - Epoch) / PeriodTicks(fps));

    /// <summary>The first grid index whose time plus <paramref name="offsetPeriods"/> periods is after now.</summary>
    public static long NextTick(double fps, double offsetPeriods) => (long)Math.Floor((Now - Epoch) / PeriodTicks(fps) - offsetPeriods) + 1;

    public static long TimeOf(double fps, long index, double offsetPeriods = 0) => Epoch + (long)((index + offsetPeriods) * PeriodTicks(fps));

    public static double Seconds(long ticks) => ticks / (double)Stopwatch.Frequency;

    /// <summary>Waits until grid point <paramref name="index"/>; returns at once when it has passed.</summary>
    public static async Task WaitUntilAsync(double fps, long index, CancellationToken cancel)
    {
        long wait = TimeOf(fps, index) - Now;
        if (wait > 0) await Task.Delay(TimeSpan.FromSeconds(Seconds(wait)), cancel).ConfigureAwait(false);
    }
}
