namespace MoViSharp.Bench;

/// <summary>Resident memory of this process from /proc/self/status: VmRSS (now) and VmHWM (peak so far), in MB.</summary>
public static class ProcessMemory
{
    public static (double RssMb, double HwmMb) Read()
    {
        double rss = 0, hwm = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = KiloBytes(line) / 1024.0;
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = KiloBytes(line) / 1024.0;
        }
        return (rss, hwm);
    }

    /// <summary>MemAvailable from /proc/meminfo in MB (0 where unreadable).</summary>
    public static double AvailableMb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)) return KiloBytes(line) / 1024.0;
        }
        catch (IOException) { }
        return 0;
    }

    /// <summary>The 1, 5 and 15 minute load averages (what `uptime` prints).</summary>
    public static double[] LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ').Take(3)
                .Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
        catch (IOException) { return []; }
    }

    private static long KiloBytes(string line) =>
        long.Parse(line.Split(':', 2)[1].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
}
