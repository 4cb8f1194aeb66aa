using System.Globalization;
using System.Runtime.InteropServices;

namespace Webhooks.Benchmarks.Harness;

/// <summary>A reading of /proc/{pid}: CPU seconds used so far, peak and current resident memory.</summary>
public readonly record struct ProcessSample(double CpuSeconds, long PeakWorkingSetBytes, long WorkingSetBytes)
{
    internal static readonly long ClockTicksPerSecond = ReadClockTicks();

    public static ProcessSample Read(int pid)
    {
        try
        {
            var ticks = CpuTicks(File.ReadAllText($"/proc/{pid}/stat"));
            long peak = 0, current = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = ParseKb(line);
                }
                else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    current = ParseKb(line);
                }
            }

            return new ProcessSample((double)ticks / ClockTicksPerSecond, peak, current);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return default;
        }
    }

    /// <summary>Resets the process's VmHWM to its current resident size (Linux: "5" into /proc/{pid}/clear_refs), so
    /// that the next <see cref="PeakWorkingSetBytes"/> is the peak of what follows.</summary>
    public static bool ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>utime + stime (fields 14 and 15, counted after the parenthesised command name) of a
    /// /proc/{pid}/stat text, in clock ticks.</summary>
    internal static long CpuTicks(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private static long ParseKb(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    private static long ReadClockTicks()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 100;
        }

        const int ScClkTck = 2;
        var value = NativeMethods.sysconf(ScClkTck);
        return value > 0 ? value : 100;
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable CA5392, SYSLIB1054, IDE1006
        public static extern long sysconf(int name);
#pragma warning restore CA5392, SYSLIB1054, IDE1006
    }
}
