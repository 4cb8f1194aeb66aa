using System.Globalization;
using Webhooks.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Webhooks.Tests.Durability;

/// <summary>Storage:Provider=postgres, a rolling restart as docs/operations.md describes it: three real silo processes
/// (src/Silo's build) on a fresh database take a steady 100 events/s (<see cref="SteadyLoadTest"/>) while each silo in
/// turn leaves the publishers' rotation (as a load balancer watching /readyz would), gets SIGTERM, must exit by itself
/// within Orleans:ShutdownTimeout (left at its default, 30 s), and is replaced by a new process that must answer, be
/// ready (/readyz) and Active in the membership table, and stay up; the load then runs 15 s before the next restart.
/// Every accepted event must reach every endpoint it is routed to, with few duplicates. How long deliveries stalled
/// and how long they took around each restart, and how long each stop and start took, are measured and printed, not
/// asserted.</summary>
[Trait("Category", "Durability")]
public sealed class RollingRestartTests(ITestOutputHelper output) : SteadyLoadTest(output, "rolling-restart")
{
    /// <summary>The measured window runs from a silo's SIGTERM until this long after its replacement is ready; the
    /// next restart waits until it has passed, so windows do not overlap.</summary>
    private static readonly TimeSpan AfterReady = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Tail = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task RollingRestart_EverySiloInTurnUnderSteadyLoad_DeliversEveryAcceptedEventToEveryEndpoint()
    {
        var silos = await StartClusterAsync("a", "b", "c");
        StartPublishing();
        var loadStarted = DateTimeOffset.UtcNow;
        await HoldSteadyAsync(loadStarted, WarmUp, "warm-up");

        var restarts = new List<(SiloProcessCluster.SiloStop Stop, SiloProcessCluster.SiloStart Start)>();
        foreach (var silo in silos)
        {
            var stop = await Cluster.StopAsync(silo);
            var start = await Cluster.StartAndJoinAsync($"{silo.Name}2");
            restarts.Add((stop, start));
            await HoldSteadyAsync(start.ReadyAt, AfterReady, $"steady after {start.Silo.Name} replaced {silo.Name}");
        }

        await HoldSteadyAsync(DateTimeOffset.UtcNow, Tail, "tail after the last restart");
        var check = await StopPublishingAndCheckAsync();

        var arrivals = Arrivals();
        Output.WriteLine("");
        Output.WriteLine($"rolling restart under {BatchSize} events every {Interval.TotalMilliseconds:0} ms. exit: SIGTERM until the process was gone; " +
            "answering, readyz, Active: from the replacement's start until its gRPC API answered, /readyz said 200, the membership table said Active. " +
            $"Window: from the SIGTERM until {AfterReady.TotalSeconds:0} s after the replacement was all three ('before': the load before the first SIGTERM). " +
            "gap: the longest time in the window without any delivery arriving (seconds into the window it began). " +
            "latency: publish returned → first arrival at each endpoint, for the events accepted in the window.");
        Output.WriteLine("restart  exit s  code  answering s  readyz s  Active s  window s  gap s (at)    deliveries  p50 ms  p99 ms  max ms");
        var firstSigterm = restarts[0].Stop.SigtermAt;
        Output.WriteLine(Row("before", null, null, loadStarted, firstSigterm));
        foreach (var (stop, start) in restarts)
        {
            Output.WriteLine(Row($"{stop.Silo.Name}→{start.Silo.Name}", stop, start, stop.SigtermAt, start.ReadyAt + AfterReady));
        }

        string Row(string name, SiloProcessCluster.SiloStop? stop, SiloProcessCluster.SiloStart? start, DateTimeOffset from, DateTimeOffset to)
        {
            var gap = arrivals.LongestGap(from, to);
            var latency = Latencies(arrivals, from, to);
            return string.Create(CultureInfo.InvariantCulture,
                $"{name,-7}  {Seconds(stop?.Took),6}  {stop?.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-",4}  {Seconds(start?.Answering),11}  {Seconds(start?.Ready),8}  {Seconds(start?.Active),8}  {(to - from).TotalSeconds,8:0.0}  {gap.Gap.TotalSeconds,5:0.00} ({(gap.Start - from).TotalSeconds,4:0.0})  {latency.Count,10}  {latency.P50.TotalMilliseconds,6:0}  {latency.P99.TotalMilliseconds,6:0}  {latency.Max.TotalMilliseconds,6:0}{(latency.NotArrived > 0 ? $"  ({latency.NotArrived} never arrived)" : "")}");
        }

        static string Seconds(TimeSpan? span) => span is { } s ? s.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) : "-";

        AssertNothingLost(check);
        foreach (var (stop, _) in restarts)
        {
            AssertStoppedCleanly(stop);
        }

        foreach (var (_, start) in restarts)
        {
            Assert.False(start.Silo.HasExited, $"the replacement {start.Silo} exited:\n{start.Silo.Tail(30)}");
        }
    }
}
