using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MoViSharp.Search;

/// <summary>
/// What a latency measurement counts. Wall: elapsed time, what a user feels, but on a shared machine it includes every time
/// slice the scheduler gave to other processes (a 10 ms step on a box with load 20 on 2 cores is preempted several times,
/// a 0.2 ms layer rarely, so sums of layers and whole networks disagree). ThreadCpu: CPU time of the calling thread
/// (Linux CLOCK_THREAD_CPUTIME_ID), which excludes preemption; meaningful with one compute thread only, since libtorch's
/// other threads are not counted.
/// </summary>
public enum TimingClock
{
    Wall,
    ThreadCpu,
}

/// <summary>Reads a <see cref="TimingClock"/> in milliseconds.</summary>
public static partial class TimingClocks
{
    public static double NowMs(TimingClock clock) => clock == TimingClock.Wall
        ? Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency
        : ThreadCpuMs();

    /// <summary>
    /// What one timed interval adds by itself: the median of back-to-back reads. The thread-CPU clock is a system call (a few
    /// microseconds in a VM), so timing each of a network's ~20 pieces adds tens of microseconds the whole network does not pay.
    /// </summary>
    public static double ReadCostMs(TimingClock clock, int samples = 201)
    {
        var gaps = new double[samples];
        NowMs(clock);
        for (int i = 0; i < samples; i++)
        {
            double start = NowMs(clock);
            gaps[i] = NowMs(clock) - start;
        }
        Array.Sort(gaps);
        return gaps[samples / 2];
    }

    /// <summary>Throws when <paramref name="clock"/> cannot time <paramref name="threads"/> compute threads here.</summary>
    public static void Check(TimingClock clock, int threads)
    {
        if (clock != TimingClock.ThreadCpu) return;
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("The thread-CPU clock is only available on Linux; use the wall clock.");
        if (threads != 1) throw new ArgumentException($"The thread-CPU clock counts the calling thread only, so it times one compute thread, not {threads}; use the wall clock.");
    }

    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    private static double ThreadCpuMs()
    {
        if (ClockGetTime(ClockThreadCpuTime, out var t) != 0) throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed.");
        return t.Seconds * 1000.0 + t.Nanoseconds / 1e6;
    }
}
