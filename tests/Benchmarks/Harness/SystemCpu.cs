using System.Globalization;

namespace Webhooks.Benchmarks.Harness;

/// <summary>CPU seconds the whole machine has been busy (all cores, /proc/stat): with the per-process readings,
/// tells how much CPU other processes took during a measurement.</summary>
public static class SystemCpu
{
    /// <summary>CPU seconds the hypervisor gave to others while this machine had work (/proc/stat "steal"): part of
    /// <see cref="BusySeconds"/>, and a sign of a noisy neighbour on the host.</summary>
    public static double StealSeconds() => CpuLineSeconds(8);

    // cpu user nice system idle iowait irq softirq steal ...
    public static double BusySeconds() => CpuLineSeconds(1, 2, 3, 6, 7, 8);

    /// <summary>The sum of the given columns of /proc/stat's "cpu" line, in seconds; 0 when it cannot be read.</summary>
    private static double CpuLineSeconds(params int[] columns)
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long ticks = 0;
            foreach (var i in columns)
            {
                ticks += long.Parse(fields[i], CultureInfo.InvariantCulture);
            }

            return (double)ticks / ProcessSample.ClockTicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    /// <summary>CPU ticks used so far by each process whose command name is <paramref name="command"/> (PostgreSQL:
    /// the postmaster, its background processes and backends), by pid; empty when /proc cannot be read.</summary>
    public static Dictionary<int, long> ProcessTicks(string command)
    {
        var ticks = new Dictionary<int, long>();
        try
        {
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    continue;
                }

                try
                {
                    var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                    var open = stat.IndexOf('(', StringComparison.Ordinal);
                    var close = stat.LastIndexOf(')');
                    if (open < 0 || close < open || !stat.AsSpan(open + 1, close - open - 1).SequenceEqual(command))
                    {
                        continue;
                    }

                    ticks[pid] = ProcessSample.CpuTicks(stat);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
                {
                    // The process ended while being read.
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ticks.Clear();
        }

        return ticks;
    }

    /// <summary>CPU seconds the processes of <paramref name="after"/> used since <paramref name="before"/> (all of
    /// it for processes started in between). Processes that ended in between are missed: a pooled database
    /// connection's backend lives as long as the pool keeps it, so that is little.</summary>
    public static double SecondsBetween(Dictionary<int, long> before, Dictionary<int, long> after)
    {
        long ticks = 0;
        foreach (var (pid, used) in after)
        {
            ticks += Math.Max(0, used - before.GetValueOrDefault(pid));
        }

        return (double)ticks / ProcessSample.ClockTicksPerSecond;
    }

    /// <summary>The 1-minute load average, or -1.</summary>
    public static double LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return -1;
        }
    }
}
