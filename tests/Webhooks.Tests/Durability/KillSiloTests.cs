using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Orleans.TestingHost;
using Webhooks.Events;
using Webhooks.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Webhooks.Tests.Durability;

/// <summary>Storage:Provider=postgres, a three-silo in-process TestCluster: four concurrent publishers send 10 000
/// events in batches of 100 through the object-type grains while one secondary silo (the one hosting the most
/// endpoint grains) is killed. A publish that throws is sent again with the same events until it succeeds; only
/// events whose publish returned count as accepted. Every accepted event must then reach every endpoint its type is
/// routed to, with few duplicates, and no delivery may be left pending in the database.</summary>
[Trait("Category", "Durability")]
public sealed class KillSiloTests(ITestOutputHelper output) : DurableTest
{
    private const int EventCount = 10_000;
    private const int BatchSize = 100;
    private const int Publishers = 4;
    private const int EndpointCount = 6;
    private const string PathPrefix = "/kill/";

    // The kill comes once this many events are accepted; batches from KillGate on wait until it starts, so it lands
    // while publishes are in flight however fast publishing runs (here 10 000 events take about two seconds).
    private const int KillAt = 3_000;
    private const int KillGate = 5_000;

    // Device events go to every endpoint, address events to half of them: two webhooks, two object-type grains.
    private static readonly int[] DeviceEndpoints = [0, 1, 2, 3, 4, 5];
    private static readonly int[] AddressEndpoints = [0, 2, 4];

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(60);

    private readonly string _run = $"k{Guid.NewGuid():N}"[..9];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<string, int> _publishFailures = new();
    private readonly bool[] _accepted = new bool[EventCount];
    private readonly TaskCompletionSource _killPoint = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _killing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly string[] _endpoints = new string[EndpointCount];
    private string _deviceType = "";
    private string _addressType = "";
    private int _acceptedCount;
    private long _publishRetries;

    public override async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await base.DisposeAsync();
        _stop.Dispose();
    }

    [Fact]
    public async Task KillSilo_WhileTenThousandEventsAreInFlight_DeliversEveryAcceptedEventToEveryEndpoint()
    {
        await using var cluster = await Durable.StartAsync(3);
        Mark($"cluster of 3 up: {string.Join(", ", cluster.Silos.Select(s => s.SiloAddress))}");

        var scenario = new Scenario(cluster.Client);
        _deviceType = scenario.Type("device");
        _addressType = scenario.Type("address");
        for (var k = 0; k < EndpointCount; k++)
        {
            _endpoints[k] = await scenario.EndpointAsync($"{Receiver.Url}{PathPrefix}{k}", d => d with { MaxInFlight = 4 });
        }

        await scenario.WebhookAsync([_deviceType], [.. DeviceEndpoints.Select(k => _endpoints[k])], d => d with { BodyTemplate = "{{ event_id }}" });
        await scenario.WebhookAsync([_addressType], [.. AddressEndpoints.Select(k => _endpoints[k])], d => d with { BodyTemplate = "{{ event_id }}" });
        Mark($"{EndpointCount} endpoints and 2 webhooks created; endpoint grains per silo: {Placement(cluster, "endpoint", _endpoints)}");

        var publishing = PublishAllAsync(cluster.Client);
        var killing = KillBusiestSecondaryAsync(cluster);
        await Task.WhenAll(publishing, killing);
        var victim = await killing;
        Mark($"publishing done: {_acceptedCount} of {EventCount} events accepted, {_publishRetries} publish retries");

        var expected = ExpectedDeliveries();
        var expectedSet = expected.ToHashSet();
        var tally = new DeliveryTally(Receiver, PathPrefix);
        var deadline = DateTime.UtcNow + DeliveryTimeout;
        var missing = expected;
        using (var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(250)))
        {
            do
            {
                tally.Update();
                missing = tally.Missing(missing);
            }
            while (missing.Count > 0 && DateTime.UtcNow < deadline && await poll.WaitForNextTickAsync());
        }

        tally.Update();
        missing = tally.Missing(expected);
        var duplicates = tally.Duplicates(expected);
        var unexpected = tally.Unexpected(expectedSet);
        Mark(missing.Count == 0 ? "every expected delivery arrived" : $"gave up waiting after {DeliveryTimeout.TotalMinutes:0} min");

        // The last successes may reach the receiver a moment before they are recorded.
        long pending = -1;
        try
        {
            await Poll.UntilAsync(
                async () => (pending = await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE status = 1")) == 0,
                "no delivery is left pending in the database", missing.Count == 0 ? SettleTimeout : TimeSpan.FromSeconds(1));
        }
        catch (Xunit.Sdk.XunitException)
        {
            // Reported and asserted below, after the summary.
        }

        Mark($"pending rows in the database: {pending}");
        var rows = await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries");
        var succeeded = await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE status = 2");
        var failed = await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE status = 3");
        // Where missing events are: still in a queue (read and held, never acknowledged), dead-lettered, or gone.
        var queued = await Durable.ScalarAsync<long>("SELECT coalesce(sum(event_count), 0) FROM webhooks_event_queue");
        var deadLetters = await Durable.ScalarAsync<long>("SELECT coalesce(sum(event_count), 0) FROM webhooks_event_dead_letters");

        var summary = string.Create(CultureInfo.InvariantCulture,
            $"killed {victim}; accepted {_acceptedCount} of {EventCount} events; expected deliveries {expected.Count}; " +
            $"received requests {tally.Requests}; delivered (distinct) {expected.Count - missing.Count}; missing {missing.Count} " +
            $"({missing.Select(m => m.EventId).Distinct().Count()} events); duplicates {duplicates} " +
            $"({(expected.Count == 0 ? 0 : 100.0 * duplicates / expected.Count):0.00} %); deliveries of events never accepted {unexpected}; " +
            $"publish retries {_publishRetries}; database rows {rows} (pending {pending}, succeeded {succeeded}, failed {failed}); " +
            $"events left in the stream queues {queued}, dead-lettered {deadLetters}");
        output.WriteLine(summary);
        output.WriteLine("publish failures: " + (_publishFailures.IsEmpty ? "none"
            : string.Join(", ", _publishFailures.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}"))));
        output.WriteLine("missing by endpoint: " + string.Join(", ", Enumerable.Range(0, EndpointCount).Select(k => $"ep{k} {missing.Count(m => m.Endpoint == k)}")));
        output.WriteLine("duplicates by endpoint: " + string.Join(", ", Enumerable.Range(0, EndpointCount)
            .Select(k => $"ep{k} {tally.Duplicates(expected.Where(e => e.Endpoint == k))}")));
        Assert.Equal(EventCount, _acceptedCount);
        Assert.True(missing.Count == 0,
            $"{missing.Count} of {expected.Count} expected deliveries never arrived, e.g. " +
            string.Join(", ", missing.Take(10).Select(m => $"{m.EventId} at ep{m.Endpoint}")) + $". {summary}");
        Assert.True(duplicates < expected.Count * 0.05, $"{duplicates} duplicate deliveries, 5 % of {expected.Count} or more. {summary}");
        Assert.True(pending == 0, $"{pending} deliveries are still pending (status 1) in the database. {summary}");
        Assert.Equal(expected.Count, succeeded);
    }

    /// <summary>Once <see cref="KillAt"/> events are accepted, kills the secondary silo that hosts the most endpoint
    /// grains; returns a description of it and what it hosted. (With ADO.NET membership a TestCluster has no primary
    /// silo: every silo is a secondary, and the client has a gateway connection to each.)</summary>
    private async Task<string> KillBusiestSecondaryAsync(TestCluster cluster)
    {
        try
        {
            await _killPoint.Task.WaitAsync(PublishTimeout);

            var victim = cluster.SecondarySilos
                .OrderByDescending(s => Hosted(cluster, s, "endpoint", _endpoints).Count)
                .First();
            var hosted = string.Create(CultureInfo.InvariantCulture,
                $"{victim.SiloAddress}, hosting endpoints [{string.Join(", ", Hosted(cluster, victim, "endpoint", _endpoints).Select(e => Array.IndexOf(_endpoints, e)))}], " +
                $"object types [{string.Join(", ", Hosted(cluster, victim, "object-type", [_deviceType, _addressType]))}]");
            var acceptedBefore = Volatile.Read(ref _acceptedCount);
            var killClock = Stopwatch.StartNew();
            _killing.TrySetResult();
            await cluster.KillSiloAsync(victim);
            Mark(string.Create(CultureInfo.InvariantCulture,
                $"killed {hosted} at {acceptedBefore} accepted events (the kill took {killClock.ElapsedMilliseconds} ms; {Volatile.Read(ref _acceptedCount)} accepted by then)"));
            return hosted;
        }
        catch (Exception ex)
        {
            _killing.TrySetException(ex);
            throw;
        }
    }

    private async Task PublishAllAsync(IClusterClient client)
    {
        try
        {
            var batches = EventCount / BatchSize;
            var next = -1;
            var deadline = DateTime.UtcNow + PublishTimeout;
            await Task.WhenAll(Enumerable.Range(0, Publishers).Select(_ => Task.Run(async () =>
            {
                int batch;
                while ((batch = Interlocked.Increment(ref next)) < batches)
                {
                    var first = batch * BatchSize;
                    if (first >= KillGate)
                    {
                        await _killing.Task;
                    }

                    ImmutableArray<ObjectEvent> events = [.. Enumerable.Range(first, BatchSize).Select(Event)];
                    if (await PublishAsync(client, events, deadline))
                    {
                        Array.Fill(_accepted, true, first, BatchSize);
                        if (Interlocked.Add(ref _acceptedCount, BatchSize) >= KillAt)
                        {
                            _killPoint.TrySetResult();
                        }
                    }
                }
            })));
        }
        catch (Exception ex)
        {
            _killPoint.TrySetException(ex);
            await _stop.CancelAsync();
            throw;
        }
    }

    /// <summary>Publishes the batch (one object type) until a call returns; false when the deadline passes first.</summary>
    private async Task<bool> PublishAsync(IClusterClient client, ImmutableArray<ObjectEvent> events, DateTime deadline)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(CallTimeout);
                await client.GetGrain<IObjectTypeGrain>(events[0].ObjectType).PublishAsync(events, timeout.Token);
                return true;
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                _publishFailures.AddOrUpdate(ex.GetType().Name, 1, (_, n) => n + 1);
                Interlocked.Increment(ref _publishRetries);
            }

            if (DateTime.UtcNow > deadline || _stop.IsCancellationRequested)
            {
                return false;
            }

            // A short, growing back-off: the cluster needs a few seconds to declare the killed silo dead.
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 20 * attempt)));
        }
    }

    private List<(int Endpoint, string EventId)> ExpectedDeliveries()
    {
        var expected = new List<(int Endpoint, string EventId)>();
        for (var i = 0; i < EventCount; i++)
        {
            if (_accepted[i])
            {
                expected.AddRange((IsDevice(i) ? DeviceEndpoints : AddressEndpoints).Select(k => (k, EventId(i))));
            }
        }

        return expected;
    }

    // One object type per batch, alternating.
    private static bool IsDevice(int i) => i / BatchSize % 2 == 0;

    private ObjectEvent Event(int i) => new()
    {
        EventId = EventId(i),
        ObjectType = IsDevice(i) ? _deviceType : _addressType,
        Event = "created",
        ObjectId = i.ToString(CultureInfo.InvariantCulture),
        Timestamp = DateTimeOffset.UtcNow,
        Data = string.Create(CultureInfo.InvariantCulture, $$"""{"n":{{i}}}"""),
    };

    private string EventId(int i) => string.Create(CultureInfo.InvariantCulture, $"{_run}-{i:D5}");

    /// <summary>Keys of the given grains whose activation lives on <paramref name="silo"/>.</summary>
    private static List<string> Hosted(TestCluster cluster, SiloHandle silo, string grainType, IEnumerable<string> keys) =>
        [.. keys.Where(key => cluster.TryGetGrainContext(GrainId.Create(grainType, key), out var context)
            && context.Address.SiloAddress is { } address && address.Equals(silo.SiloAddress))];

    private static string Placement(TestCluster cluster, string grainType, string[] keys) =>
        string.Join("; ", cluster.Silos.Select(s => $"{s.SiloAddress}: {Hosted(cluster, s, grainType, keys).Count}"));

    private void Mark(string what) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {_clock.Elapsed.TotalSeconds,6:0.0} s  {what}"));
}
