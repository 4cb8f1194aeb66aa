using System.Globalization;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Webhooks.Benchmarks.Tools;

/// <summary>`allocations FILE.nettrace [N]`: GC pauses and the types a process allocated most, from a trace recorded
/// with `--trace DIR --trace-profile gc-verbose` (one AllocationTick per ~100 KB allocated, so the amounts are
/// estimates). Pauses of 10 ms or more are listed with the second of the trace they began in, to line them up with
/// a steady run's latency by second (the trace starts with the measured phase, give or take the tool's start-up).
/// `allocations FILE.nettrace --sites [N]` attributes the same samples to the first frame of the service's own code
/// (Webhooks.*) on their stacks instead, or to the first managed frame when there is none.</summary>
public static class AllocationReport
{
    private const double LongPauseMs = 10;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || !File.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: allocations FILE.nettrace [top N]");
            return 2;
        }

        if (args.Length > 1 && args[1] == "--sites")
        {
            return Sites(args[0], args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 40);
        }

        var top = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        var bytes = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        double first = double.NaN, last = 0;
        var pauses = new List<double>();
        var generations = new int[3];
        var longPauses = new List<(double At, double Ms, int Generation)>();
        var generation = -1;
        double traceStart = double.NaN, traceEnd = 0;
        double suspendedAt = double.NaN;
        using (var source = new EventPipeEventSource(args[0]))
        {
            source.AllEvents += e =>
            {
                traceStart = double.IsNaN(traceStart) ? e.TimeStampRelativeMSec : traceStart;
                traceEnd = e.TimeStampRelativeMSec;
            };
            source.Clr.GCSuspendEEStart += e => suspendedAt = e.TimeStampRelativeMSec;
            source.Clr.GCRestartEEStop += e =>
            {
                if (!double.IsNaN(suspendedAt))
                {
                    var pause = e.TimeStampRelativeMSec - suspendedAt;
                    pauses.Add(pause);
                    if (pause >= LongPauseMs)
                    {
                        longPauses.Add((suspendedAt - traceStart, pause, generation));
                    }

                    suspendedAt = double.NaN;
                    generation = -1;
                }
            };
            source.Clr.GCStart += e =>
            {
                generation = Math.Clamp(e.Depth, 0, 2);
                generations[generation]++;
            };
            source.Clr.GCAllocationTick += (GCAllocationTickTraceData e) =>
            {
                var name = e.TypeName ?? "?";
                bytes[name] = bytes.GetValueOrDefault(name) + e.AllocationAmount64;
                total += e.AllocationAmount64;
                first = double.IsNaN(first) ? e.TimeStampRelativeMSec : first;
                last = e.TimeStampRelativeMSec;
            };
            source.Process();
        }

        // A gc-collect trace has no allocation ticks: its span is the whole trace.
        var seconds = Math.Max(0.001, (double.IsNaN(first) ? traceEnd - traceStart : last - first) / 1000);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{total / 1048576.0:N0} MB sampled over {seconds:0.0} s ({total / 1048576.0 / seconds:N0} MB/s)"));
        if (pauses.Count > 0)
        {
            pauses.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"GCs: gen0 {generations[0]}, gen1 {generations[1]}, gen2 {generations[2]}; pauses: {pauses.Count}, total {pauses.Sum():N0} ms ({100 * pauses.Sum() / 1000 / seconds:0.0} % of the time), p50 {pauses[pauses.Count / 2]:0.00} ms, p99 {pauses[(int)(pauses.Count * 0.99)]:0.00} ms, max {pauses[^1]:0.00} ms"));
        }

        foreach (var (at, ms, gen) in longPauses)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pause {ms,7:0.0} ms at {at / 1000,6:0.00} s (gen{(gen < 0 ? "?" : gen)})"));
        }

        foreach (var (name, amount) in bytes.OrderByDescending(kv => kv.Value).Take(top))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{100.0 * amount / total,6:0.0}%  {amount / 1048576.0,8:N0} MB  {name}"));
        }

        return 0;
    }

    private static int Sites(string path, int top)
    {
        var bytes = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(path));
        foreach (var e in log.Events)
        {
            if (e is not GCAllocationTickTraceData tick)
            {
                continue;
            }

            string? own = null, first = null;
            for (var frame = e.CallStack(); frame is not null; frame = frame.Caller)
            {
                var method = frame.CodeAddress.FullMethodName;
                if (string.IsNullOrEmpty(method))
                {
                    continue;
                }

                first ??= method;
                if (method.StartsWith("Webhooks.", StringComparison.Ordinal))
                {
                    own = method;
                    break;
                }
            }

            var key = $"{tick.TypeName} <- {own ?? first ?? "?"}";
            bytes[key] = bytes.GetValueOrDefault(key) + tick.AllocationAmount64;
            total += tick.AllocationAmount64;
        }

        foreach (var (name, amount) in bytes.OrderByDescending(kv => kv.Value).Take(top))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{100.0 * amount / Math.Max(1, total),6:0.0}%  {amount / 1048576.0,8:N0} MB  {name}"));
        }

        return 0;
    }
}
