using System.Globalization;
using Webhooks.Api.V1;
using Xunit.Abstractions;

namespace Webhooks.Tests.Infrastructure;

/// <summary>Per test: silo processes of one cluster on a fresh database (<see cref="SiloProcessCluster"/>), a real
/// receiver, the <see cref="TwoTypeWebhooks"/> routing (device events to six endpoints, address events to three of
/// them) and a <see cref="SteadyLoad"/> of 100 events/s (5 every 50 ms) through whichever silos are live, a failed
/// publish sent again, same events, through another live silo. The test changes the cluster while the load runs;
/// <see cref="StopPublishingAndCheckAsync"/> then waits for every delivery the accepted events owe. The timeline
/// and where the silo logs are go to the test output whatever happened.</summary>
public abstract class SteadyLoadTest(ITestOutputHelper output, string purpose) : IAsyncLifetime
{
    protected const int BatchSize = 5;
    protected static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a batch is sent again before the publisher gives it up.</summary>
    protected static readonly TimeSpan RetryFor = TimeSpan.FromMinutes(2);

    protected static readonly TimeSpan DeliveryTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The duplicate deliveries tolerated, as a share of the expected ones (as the kill tests).</summary>
    protected const double DuplicateLimit = 0.05;

    private readonly CancellationTokenSource _stopPublishing = new();
    private readonly List<string> _probed = [];
    private Task? _publishing;

    protected ITestOutputHelper Output => output;

    protected SiloProcessCluster Cluster { get; private set; } = null!;

    protected TestReceiver Receiver { get; private set; } = null!;

    protected TwoTypeWebhooks Webhooks { get; private set; } = null!;

    protected SteadyLoad Load { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var run = $"{purpose[0]}{Guid.NewGuid():N}"[..9];
        Load = new SteadyLoad(run, BatchSize, Interval);
        Cluster = await SiloProcessCluster.CreateAsync(run, purpose);
        Receiver = await TestReceiver.StartAsync();
        Webhooks = new TwoTypeWebhooks(Receiver, [0, 1, 2, 3, 4, 5], [0, 2, 4]);
    }

    public virtual async Task DisposeAsync()
    {
        Load.Stop();
        await _stopPublishing.CancelAsync();
        if (Cluster is not null)
        {
            output.WriteLine("timeline:");
            foreach (var line in Cluster.Timeline.Lines)
            {
                output.WriteLine("  " + line);
            }

            // Every silo process this test started dies here, whatever happened above.
            await Cluster.DisposeAsync();
            output.WriteLine($"silo logs kept in {Cluster.LogDirectory}: {string.Join(", ", Cluster.Started.Select(s => Path.GetFileName(s.LogPath)))}");
        }

        if (Receiver is not null)
        {
            await Receiver.DisposeAsync();
        }

        _stopPublishing.Dispose();
    }

    /// <summary>Starts the silos, waits until they are Active, creates the endpoints and webhooks and sends a probe
    /// event through each silo that must reach every device endpoint.</summary>
    protected async Task<SiloProcess[]> StartClusterAsync(params string[] names)
    {
        var silos = await Cluster.StartActiveAsync(names);
        await Webhooks.CreateAsync(Cluster);
        await Webhooks.ProbeEveryGatewayAsync(Cluster, silos);
        _probed.AddRange(names);
        return silos;
    }

    protected void StartPublishing()
    {
        _publishing = Load.RunAsync(first =>
        {
            var request = new PublishBatchRequest();
            for (var i = first; i < first + BatchSize; i++)
            {
                request.Events.Add(TwoTypeWebhooks.Event(Load.Ids.Of(i), i));
            }

            // Each retry goes to another live silo than the one that failed.
            SiloProcess? previous = null;
            return () => Cluster.PublishAsync(previous = Cluster.NextGateway(previous), request);
        }, RetryFor, _stopPublishing.Token);
        Cluster.Mark($"publishing {BatchSize} events every {Interval.TotalMilliseconds:0} ms");
    }

    /// <summary>Lets the load run until <paramref name="hold"/> has passed since <paramref name="since"/> and the
    /// cluster accepted more events meanwhile; fails when publishing failed, or when nothing was accepted a minute
    /// after that.</summary>
    protected async Task HoldSteadyAsync(DateTimeOffset since, TimeSpan hold, string what)
    {
        var accepted = Load.AcceptedCount;
        await Poll.UntilAsync(async () =>
        {
            if (_publishing is { IsFaulted: true })
            {
                await _publishing;
            }

            return DateTimeOffset.UtcNow >= since + hold && Load.AcceptedCount > accepted;
        }, $"{what}: {hold.TotalSeconds:0} s of load and more than the {accepted} events accepted before ({Cluster.Logs})", hold + TimeSpan.FromMinutes(1));
        Cluster.Mark($"{what}: {Load.AcceptedCount} events accepted so far");
    }

    /// <summary>Stops sending new batches, waits for the ones being retried, then for every (endpoint, event) pair
    /// the accepted events and the probes owe; prints what was accepted, delivered, missing and duplicated.</summary>
    protected async Task<DeliveryCheck> StopPublishingAndCheckAsync()
    {
        await _stopPublishing.CancelAsync();
        if (_publishing is not null)
        {
            await _publishing;
        }

        Cluster.Mark($"publishing done: {Load.AcceptedCount} of {Load.Issued} events accepted, {Load.GivenUp} batches given up, {Load.Retries} publish retries");
        List<(int Endpoint, string EventId)> expected = [.. Webhooks.ProbePairs(Cluster, _probed), .. Load.ExpectedPairs(Webhooks.EndpointsOf)];
        var check = await DeliveryCheck.WaitAsync(Receiver, TwoTypeWebhooks.PathPrefix, expected, DeliveryTimeout);
        Cluster.Mark(check.Missing.Count == 0 ? "every expected delivery arrived" : $"gave up waiting after {DeliveryTimeout.TotalMinutes:0} min");

        output.WriteLine(Summary(check));
        output.WriteLine("publish failures by kind: " + Load.Failures);
        output.WriteLine("accepted batches by silo: " + Cluster.AcceptedBy);
        output.WriteLine("missing by endpoint: " + check.MissingByEndpoint(Webhooks.EndpointCount));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"duplicates: {check.Duplicates} of {check.Expected.Count} expected deliveries ({(check.Expected.Count == 0 ? 0 : 100.0 * check.Duplicates / check.Expected.Count):0.00} %, limit {DuplicateLimit:P0}); by endpoint: {check.DuplicatesByEndpoint(Webhooks.EndpointCount)}"));
        if (check.Missing.Count > 0)
        {
            output.WriteLine("missing, by event and when it was accepted: " + string.Join(", ", MissingEvents(check).Take(20)));
        }

        output.WriteLine("membership at the end (silo port: status): " + await Cluster.Membership.DescribeAsync());
        output.WriteLine("silo logs, lines by level: " + Cluster.LogLevels());
        return check;
    }

    /// <summary>Nothing accepted lost, every batch accepted in the end, few duplicates.</summary>
    protected void AssertNothingLost(DeliveryCheck check)
    {
        Assert.True(Load.AcceptedCount > 0, $"no publish was accepted; {Cluster.Logs}");
        Assert.True(check.Missing.Count == 0,
            $"{check.MissingExamples}; by event and when accepted: {string.Join(", ", MissingEvents(check).Take(20))}. {Summary(check)}. {Cluster.Logs}");
        Assert.True(Load.GivenUp == 0, $"{Load.GivenUp} batches were never accepted in {RetryFor.TotalMinutes:0} min of retries. {Summary(check)}. {Cluster.Logs}");
        Assert.True(check.Duplicates <= check.Expected.Count * DuplicateLimit,
            $"{check.Duplicates} duplicate deliveries, more than {DuplicateLimit:P0} of {check.Expected.Count}. {Summary(check)}. {Cluster.Logs}");
    }

    /// <summary>The silo exited by itself after SIGTERM, with exit code 0, within its shutdown timeout.</summary>
    protected static void AssertStoppedCleanly(SiloProcessCluster.SiloStop stop) =>
        Assert.True(stop.Clean, $"{stop.Silo} after SIGTERM: {stop}; expected to exit by itself with code 0 within " +
            $"{SiloProcessCluster.ShutdownTimeout.TotalSeconds:0} s (Orleans:ShutdownTimeout):\n{stop.Silo.Tail(30)}");

    /// <summary>Publish-to-arrival latency of every delivery of the events accepted in [from, to): from the moment
    /// their publish returned to the first arrival at each endpoint they owe.</summary>
    protected LatencySummary Latencies(ArrivalTimeline arrivals, DateTimeOffset from, DateTimeOffset to) =>
        LatencySummary.Of(Load.Accepted
            .Where(a => a.AcceptedAt >= from && a.AcceptedAt < to)
            .SelectMany(a => Webhooks.EndpointsOf(a.Index).Select(k => arrivals.FirstArrival(k, Load.Ids.Of(a.Index)) - a.AcceptedAt)));

    protected ArrivalTimeline Arrivals() => new(Receiver.Requests, TwoTypeWebhooks.PathPrefix);

    private string Summary(DeliveryCheck check) => string.Create(CultureInfo.InvariantCulture,
        $"accepted {Load.AcceptedCount} of {Load.Issued} events sent (+{_probed.Count} probes), {Load.GivenUp} batches given up; {check}; publish retries {Load.Retries}");

    private IEnumerable<string> MissingEvents(DeliveryCheck check)
    {
        var acceptedAt = Load.Accepted.ToDictionary(a => a.Index, a => a.AcceptedAt);
        return check.Missing.GroupBy(m => m.EventId).Select(g =>
        {
            var index = Load.Ids.IndexOf(g.Key);
            var at = acceptedAt.TryGetValue(index, out var t) ? t.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) : "?";
            return $"{g.Key} (accepted {at}) at ep{string.Join("/ep", g.Select(m => m.Endpoint))}";
        });
    }
}
