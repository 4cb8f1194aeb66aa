using System.Diagnostics;

namespace Webhooks.Benchmarks.Harness;

/// <summary>One second of a steady run: cores busy on the whole machine, in the silo and in the database server, and
/// taken by the hypervisor (steal, counted in <see cref="Machine"/>).</summary>
public sealed record CpuSecond(int Second, double Machine, double Silo, double? Database, double Steal);

/// <summary>Samples CPU once a second while a steady run goes on, so that a second with a latency spike can be
/// told apart: the machine saturated by something else, the silo busy (a GC, say), or nothing busy at all.</summary>
public sealed class CpuTimeline : IAsyncDisposable
{
    private readonly List<CpuSecond> _seconds = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    private CpuTimeline(int siloPid, bool database, long start)
    {
        _sampling = Task.Run(() => SampleAsync(siloPid, database, start, _stop.Token));
    }

    /// <param name="start">The Stopwatch timestamp second 0 counts from.</param>
    public static CpuTimeline Start(int siloPid, bool database, long start) => new(siloPid, database, start);

    /// <summary>Stops sampling (once; later calls wait for the same stop) and returns the seconds sampled.</summary>
    public async Task<IReadOnlyList<CpuSecond>> StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _sampling;
        return _seconds;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task SampleAsync(int siloPid, bool database, long start, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var machine = SystemCpu.BusySeconds();
        var steal = SystemCpu.StealSeconds();
        var silo = ProcessSample.Read(siloPid).CpuSeconds;
        var db = database ? SystemCpu.ProcessTicks("postgres") : null;
        var last = Stopwatch.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = Stopwatch.GetTimestamp();
                var elapsed = (now - last) / (double)Stopwatch.Frequency;
                var machineNow = SystemCpu.BusySeconds();
                var stealNow = SystemCpu.StealSeconds();
                var siloNow = ProcessSample.Read(siloPid).CpuSeconds;
                var dbNow = database ? SystemCpu.ProcessTicks("postgres") : null;
                _seconds.Add(new CpuSecond(
                    (int)Math.Round((last - start) / (double)Stopwatch.Frequency),
                    Math.Round((machineNow - machine) / elapsed, 2),
                    Math.Round((siloNow - silo) / elapsed, 2),
                    db is not null && dbNow is not null ? Math.Round(SystemCpu.SecondsBetween(db, dbNow) / elapsed, 2) : null,
                    Math.Round((stealNow - steal) / elapsed, 2)));
                (machine, steal, silo, db, last) = (machineNow, stealNow, siloNow, dbNow, now);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
