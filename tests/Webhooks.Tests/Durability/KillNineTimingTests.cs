using System.Globalization;
using Webhooks.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Webhooks.Tests.Durability;

/// <summary>Storage:Provider=postgres, how long delivery stops after `kill -9`, with every setting at its default and
/// with the membership settings that declare a silo dead sooner: three real silo processes take a steady 100 events/s (<see cref="SteadyLoadTest"/>); the silo hosting the most of
/// the loaded endpoints (read from the management grain) is killed with SIGKILL and not replaced. Measured and
/// printed, not asserted: when the membership table declared it Dead, how long its endpoints and the others went
/// without a delivery, and how long the events accepted around the kill took. Asserted: every accepted event reaches
/// every endpoint it is routed to.</summary>
[Trait("Category", "Durability")]
public sealed class KillNineTimingTests(ITestOutputHelper output) : SteadyLoadTest(output, "kill-nine-timing")
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);

    /// <summary>After the victim's endpoints deliver again, the load runs this much longer: the killed silo's
    /// stream messages come back after Streams:VisibilityTimeout (30 s by default) from when it read them.</summary>
    private static readonly TimeSpan AfterResumed = TimeSpan.FromSeconds(35);

    private static readonly TimeSpan ResumeTimeout = TimeSpan.FromMinutes(2);

    public static TheoryData<string, string[]> Settings() => new()
    {
        { "defaults", [] },
        // The membership settings docs/operations.md names for a faster death declaration.
        { "faster death declaration", ["Orleans:Membership:ProbeTimeout=00:00:02", "Orleans:Membership:NumMissedProbesLimit=2"] },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public async Task KillNine_UnderSteadyLoad_DeliveryResumesAndNothingAcceptedIsLost(string name, string[] settings)
    {
        Cluster.Settings = settings;
        var silos = await StartClusterAsync("a", "b", "c");
        await using var management = await ClusterManagement.ConnectAsync(Cluster);
        StartPublishing();
        await HoldSteadyAsync(DateTimeOffset.UtcNow, WarmUp, "warm-up");

        var loaded = Webhooks.DeviceEndpoints.Select(TwoTypeWebhooks.EndpointId).ToHashSet();
        var before = await management.WaitForAsync(s => s.Silos.Count == 3 && s.Silos.Sum(w => w.Endpoints.Count(loaded.Contains)) == loaded.Count, TimeSpan.FromSeconds(30));
        Assert.True(before is not null, $"the management grain did not show the six loaded endpoints on three silos; last: {management.LastSeen}");
        var hosted = before.Silos.MaxBy(w => w.Endpoints.Count(loaded.Contains))!;
        var victim = silos.Single(s => s.SiloPort == hosted.SiloPort);
        var victimEndpoints = hosted.Endpoints.Where(loaded.Contains).Select(e => int.Parse(e.AsSpan("ep-".Length), CultureInfo.InvariantCulture)).Order().ToList();
        var otherEndpoints = Webhooks.DeviceEndpoints.Except(victimEndpoints).ToList();
        Cluster.Mark($"{victim.Name} hosts endpoints {string.Join(' ', victimEndpoints)} and pulls {hosted.Queues} of the stream queues");

        Cluster.RemoveLive(victim);
        var killedAt = DateTimeOffset.UtcNow;
        victim.Kill();
        Cluster.Mark($"kill -9 {victim}");
        await Cluster.WaitForMembershipAsync(silos.Except([victim]), [victim], $"{victim.Name} is declared Dead");
        var deadAt = DateTimeOffset.UtcNow;
        Cluster.Mark($"{victim.Name} declared Dead");

        await Poll.UntilAsync(
            () => victimEndpoints.All(k => Arrivals().FirstArrivalAfter(k, deadAt) is not null),
            $"every endpoint {victim.Name} hosted gets deliveries again ({Cluster.Logs})", ResumeTimeout);
        Cluster.Mark($"endpoints {string.Join(' ', victimEndpoints)} deliver again");
        await HoldSteadyAsync(DateTimeOffset.UtcNow, AfterResumed, "steady after the kill");
        var windowEnd = DateTimeOffset.UtcNow;

        var check = await StopPublishingAndCheckAsync();
        var arrivals = Arrivals();
        Output.WriteLine("");
        Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kill -9 of {victim.Name} under {BatchSize} events every {Interval.TotalMilliseconds:0} ms, settings: {name} ({(settings.Length == 0 ? "none given" : string.Join(", ", settings))}). " +
            $"Window: from the kill until {(windowEnd - killedAt).TotalSeconds:0} s after."));
        Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"declared Dead in the membership table after {(deadAt - killedAt).TotalSeconds:0.0} s"));
        foreach (var k in victimEndpoints)
        {
            var resumed = arrivals.FirstArrivalAfter(k, killedAt);
            var gap = arrivals.LongestGap(killedAt, windowEnd, [k]);
            Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ep{k} (on {victim.Name}): longest time without a delivery {gap.Gap.TotalSeconds:0.0} s from {(gap.Start - killedAt).TotalSeconds:0.0} s; first delivery after the kill at {((resumed ?? windowEnd) - killedAt).TotalSeconds:0.0} s"));
        }

        var others = arrivals.LongestGap(killedAt, windowEnd, otherEndpoints);
        Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"endpoints on the other silos ({string.Join(' ', otherEndpoints.Select(k => $"ep{k}"))}): longest time without a delivery {others.Gap.TotalSeconds:0.0} s from {(others.Start - killedAt).TotalSeconds:0.0} s"));
        foreach (var (what, from, to) in new[] { ("accepted in the 10 s before the kill", killedAt.AddSeconds(-10), killedAt), ("accepted from the kill until Dead", killedAt, deadAt), ("accepted after Dead", deadAt, windowEnd) })
        {
            Output.WriteLine($"latency, events {what}: {Latencies(arrivals, from, to)}");
        }

        AssertNothingLost(check);
        Assert.All(silos.Except([victim]), s => Assert.False(s.HasExited, $"{s} exited:\n{s.Tail(30)}"));
    }
}
