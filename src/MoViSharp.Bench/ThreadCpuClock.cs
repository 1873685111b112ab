using System.Runtime.InteropServices;

namespace MoViSharp.Bench;

/// <summary>
/// CPU time of the calling thread (Linux CLOCK_THREAD_CPUTIME_ID). On a shared, loaded machine wall time includes waiting for a
/// core; this is the work itself, for one-thread runs (ONNX Runtime and libtorch compute on the calling thread at one thread).
/// </summary>
public static partial class ThreadCpuClock
{
    private const int ThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec time);

    /// <summary>Milliseconds of CPU this thread has used, or NaN where the clock is not available.</summary>
    public static double Milliseconds()
    {
        try { return ClockGetTime(ThreadCpuTimeId, out var t) == 0 ? t.Seconds * 1e3 + t.Nanoseconds / 1e6 : double.NaN; }
        catch (DllNotFoundException) { return double.NaN; }
        catch (EntryPointNotFoundException) { return double.NaN; }
    }
}
