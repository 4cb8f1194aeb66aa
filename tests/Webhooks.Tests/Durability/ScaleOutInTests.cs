using System.Globalization;
using Webhooks.Events;
using Webhooks.Streaming;
using Webhooks.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Webhooks.Tests.Durability;

/// <summary>Storage:Provider=postgres, scale out and in under load: three real silo processes take a steady 100
/// events/s (<see cref="SteadyLoadTest"/>); a fourth process joins while the load runs and must take a share of the
/// work (own event stream queues and host endpoint grains), then gets SIGTERM and must exit by itself, its queues going
/// back to the others. Every accepted event must reach every endpoint it is routed to. The share of each silo is read
/// from the Orleans management grain through a client of the process cluster (<see cref="ClusterManagement"/>) before
/// adding, after adding and after removing, and printed with the deliveries each silo's endpoints sent per second.</summary>
[Trait("Category", "Durability")]
public sealed class ScaleOutInTests(ITestOutputHelper output) : SteadyLoadTest(output, "scale-out-in")
{
    /// <summary>How long the load runs before each measurement; deliveries per second are counted over it.</summary>
    private static readonly TimeSpan Steady = TimeSpan.FromSeconds(5);

    /// <summary>How long the queues get to move after a silo joins or leaves (the balancer reacts to membership
    /// changes at once).</summary>
    private static readonly TimeSpan RebalanceTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long the joining silo gets to host an endpoint grain.</summary>
    private static readonly TimeSpan EndpointMoveTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Endpoints created besides the six that take the load, so that the share of endpoints a joining silo
    /// gets is not down to how six ids hash.</summary>
    private const int IdleEndpoints = 42;

    /// <summary>Streams:QueueCount, left at its default.</summary>
    private static readonly int QueueCount = new EventQueueOptions().QueueCount;

    private readonly List<ClusterManagement.WorkSnapshot> _unbalanced = [];
    private int _snapshots;

    [Fact]
    public async Task ScaleOutAndIn_UnderSteadyLoad_NewSiloTakesAShareAndNothingAcceptedIsLost()
    {
        var silos = await StartClusterAsync("a", "b", "c");
        await Webhooks.CreateIdleEndpointsAsync(Cluster, IdleEndpoints);
        await using var management = await ClusterManagement.ConnectAsync(Cluster);
        StartPublishing();
        await HoldSteadyAsync(DateTimeOffset.UtcNow, Steady, "steady on three silos");
        var before = await MeasureAsync(management, s => s.Silos.Count == 3, "the three silos share the queues");

        var d = (await Cluster.StartAndJoinAsync("d")).Silo;
        var owns = await management.WaitForAsync(s => s.Of(d) is { Queues: > 0 } && s.TotalQueues == QueueCount, RebalanceTimeout, Seen);
        Cluster.Mark(owns is null ? $"{d.Name} owns no queue after {RebalanceTimeout.TotalSeconds:0} s" : $"{d.Name} owns queues: {owns}");
        var hosts = await management.WaitForAsync(s => s.Of(d) is { Endpoints.Count: > 0 }, EndpointMoveTimeout, Seen);
        Cluster.Mark(hosts is null ? $"{d.Name} hosts no endpoint after {EndpointMoveTimeout.TotalSeconds:0} s" : $"{d.Name} hosts endpoints: {hosts}");
        await HoldSteadyAsync(DateTimeOffset.UtcNow, Steady, "steady on four silos");
        var added = await MeasureAsync(management, s => s.Silos.Count == 4, "the four silos share the queues");

        var stop = await Cluster.StopAsync(d);
        var gone = await management.WaitForAsync(s => s.Of(d) is null && s.Silos.Count == 3 && s.TotalQueues == QueueCount, RebalanceTimeout, Seen);
        Cluster.Mark(gone is null ? $"the queues are not back on three silos after {RebalanceTimeout.TotalSeconds:0} s" : $"queues back on three silos: {gone}");
        await HoldSteadyAsync(DateTimeOffset.UtcNow, Steady, "steady on three silos again");
        var removed = await MeasureAsync(management, s => s.Silos.Count == 3, "the three silos share the queues again");

        var check = await StopPublishingAndCheckAsync();
        var arrivals = Arrivals();
        Output.WriteLine("");
        Output.WriteLine($"work per silo from the management grain (queues: running pulling agents of '{EventStreams.Provider}', {QueueCount} queues; " +
            $"endpoints: activations of grain type 'endpoint'; deliveries/s: arrivals at the receiver in the {Steady.TotalSeconds:0} s before, by the silo hosting each endpoint then)");
        Output.WriteLine("point            silo  port   queues  endpoints                     deliveries/s");
        foreach (var (point, snapshot) in new[] { ("before adding", before), ("after adding", added), ("after removing", removed) })
        {
            var perEndpoint = arrivals.PerEndpoint(snapshot.At - Steady, snapshot.At);
            foreach (var silo in snapshot.Silos)
            {
                var delivered = silo.Endpoints.Sum(e => perEndpoint.GetValueOrDefault(int.Parse(e.AsSpan("ep-".Length), CultureInfo.InvariantCulture)));
                Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{point,-15}  {Name(silo.SiloPort),-4}  {silo.SiloPort,5}  {silo.Queues,6}  {$"{silo.Endpoints.Count} ({string.Join(' ', silo.Endpoints)})",-28}  {delivered / Steady.TotalSeconds,12:0.0}"));
            }
        }

        Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{_snapshots} snapshots read, {_unbalanced.Count} with a total other than {QueueCount} queues: {string.Join(" | ", _unbalanced.Take(5))}"));
        Output.WriteLine($"{d.Name}: {stop}");

        AssertNothingLost(check);
        Assert.True(owns is not null, $"silo {d.Name} owned no event stream queue {RebalanceTimeout.TotalSeconds:0} s after it joined; last: {management.LastSeen}. {Cluster.Logs}");
        Assert.True(hosts is not null, $"silo {d.Name} hosted no endpoint grain {EndpointMoveTimeout.TotalSeconds:0} s after it joined; last: {management.LastSeen}. {Cluster.Logs}");
        AssertStoppedCleanly(stop);
        Assert.True(gone is not null, $"after {d.Name} stopped, its queues did not all go back to the other silos within {RebalanceTimeout.TotalSeconds:0} s. {Cluster.Logs}");
        Assert.All(silos, s => Assert.False(s.HasExited, $"{s} exited:\n{s.Tail(30)}"));

        string Name(int port) => Cluster.Started.FirstOrDefault(s => s.SiloPort == port)?.Name ?? "?";
    }

    /// <summary>A snapshot once the silos agree on their number and own all <see cref="QueueCount"/> queues between
    /// them, evenly; fails after <see cref="RebalanceTimeout"/>.</summary>
    private async Task<ClusterManagement.WorkSnapshot> MeasureAsync(ClusterManagement management, Func<ClusterManagement.WorkSnapshot, bool> accept, string what)
    {
        var snapshot = await management.WaitForAsync(
            s => accept(s) && s.TotalQueues == QueueCount && s.Silos.Max(w => w.Queues) - s.Silos.Min(w => w.Queues) <= 1, RebalanceTimeout, Seen);
        Assert.True(snapshot is not null, $"{what}, all {QueueCount} queues owned, no silo with more than one queue over another, within {RebalanceTimeout.TotalSeconds:0} s; last: {management.LastSeen}. {Cluster.Logs}");
        Cluster.Mark($"measured: {snapshot}");
        return snapshot;
    }

    private void Seen(ClusterManagement.WorkSnapshot snapshot)
    {
        _snapshots++;
        if (snapshot.TotalQueues != QueueCount)
        {
            _unbalanced.Add(snapshot);
        }
    }
}
