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

    private readonly AcceptedEventsLoad _load = new($"k{Guid.NewGuid():N}"[..9], EventCount, BatchSize, Publishers);
    private readonly Timeline _timeline = new();
    private readonly TaskCompletionSource _killing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string[] _endpoints = new string[EndpointCount];
    private string _deviceType = "";
    private string _addressType = "";

    public override async Task DisposeAsync()
    {
        _load.Stop();
        await base.DisposeAsync();
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

        _load.HoldFrom(KillGate, _killing.Task);
        var publishing = _load.RunAsync(PublishTimeout, first =>
        {
            ImmutableArray<ObjectEvent> events = [.. Enumerable.Range(first, BatchSize).Select(Event)];
            return () => PublishAsync(cluster.Client, events);
        });
        var killing = KillBusiestSecondaryAsync(cluster);
        await Task.WhenAll(publishing, killing);
        var victim = await killing;
        Mark($"publishing done: {_load.AcceptedCount} of {EventCount} events accepted, {_load.Retries} publish retries");

        var check = await DeliveryCheck.WaitAsync(Receiver, PathPrefix,
            _load.ExpectedPairs(i => IsDevice(i) ? DeviceEndpoints : AddressEndpoints), DeliveryTimeout);
        Mark(check.Missing.Count == 0 ? "every expected delivery arrived" : $"gave up waiting after {DeliveryTimeout.TotalMinutes:0} min");

        // The last successes may reach the receiver a moment before they are recorded.
        long pending = -1;
        try
        {
            await Poll.UntilAsync(
                async () => (pending = await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE status = 1")) == 0,
                "no delivery is left pending in the database", check.Missing.Count == 0 ? SettleTimeout : TimeSpan.FromSeconds(1));
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
            $"killed {victim}; accepted {_load.AcceptedCount} of {EventCount} events; {check}; publish retries {_load.Retries}; " +
            $"database rows {rows} (pending {pending}, succeeded {succeeded}, failed {failed}); " +
            $"events left in the stream queues {queued}, dead-lettered {deadLetters}");
        output.WriteLine(summary);
        output.WriteLine("publish failures: " + _load.Failures);
        output.WriteLine("missing by endpoint: " + check.MissingByEndpoint(EndpointCount));
        output.WriteLine("duplicates by endpoint: " + check.DuplicatesByEndpoint(EndpointCount));
        Assert.Equal(EventCount, _load.AcceptedCount);
        Assert.True(check.Missing.Count == 0, $"{check.MissingExamples}. {summary}");
        Assert.True(check.Duplicates < check.Expected.Count * 0.05, $"{check.Duplicates} duplicate deliveries, 5 % of {check.Expected.Count} or more. {summary}");
        Assert.True(pending == 0, $"{pending} deliveries are still pending (status 1) in the database. {summary}");
        Assert.Equal(check.Expected.Count, succeeded);
    }

    /// <summary>Once <see cref="KillAt"/> events are accepted, kills the secondary silo that hosts the most endpoint
    /// grains; returns a description of it and what it hosted. (With ADO.NET membership a TestCluster has no primary
    /// silo: every silo is a secondary, and the client has a gateway connection to each.)</summary>
    private async Task<string> KillBusiestSecondaryAsync(TestCluster cluster)
    {
        try
        {
            await _load.WhenAcceptedAsync(KillAt).WaitAsync(PublishTimeout);

            var victim = cluster.SecondarySilos
                .OrderByDescending(s => Hosted(cluster, s, "endpoint", _endpoints).Count)
                .First();
            var hosted = string.Create(CultureInfo.InvariantCulture,
                $"{victim.SiloAddress}, hosting endpoints [{string.Join(", ", Hosted(cluster, victim, "endpoint", _endpoints).Select(e => Array.IndexOf(_endpoints, e)))}], " +
                $"object types [{string.Join(", ", Hosted(cluster, victim, "object-type", [_deviceType, _addressType]))}]");
            var acceptedBefore = _load.AcceptedCount;
            var killClock = Stopwatch.StartNew();
            _killing.TrySetResult();
            await cluster.KillSiloAsync(victim);
            Mark(string.Create(CultureInfo.InvariantCulture,
                $"killed {hosted} at {acceptedBefore} accepted events (the kill took {killClock.ElapsedMilliseconds} ms; {_load.AcceptedCount} accepted by then)"));
            return hosted;
        }
        catch (Exception ex)
        {
            _killing.TrySetException(ex);
            throw;
        }
    }

    /// <summary>One attempt at a batch (one object type): null when the grain call returned, else the exception's
    /// type. A failed assertion is not a publish failure: it ends the test.</summary>
    private static async Task<string?> PublishAsync(IClusterClient client, ImmutableArray<ObjectEvent> events)
    {
        try
        {
            using var timeout = new CancellationTokenSource(CallTimeout);
            await client.GetGrain<IObjectTypeGrain>(events[0].ObjectType).PublishAsync(events, timeout.Token);
            return null;
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            return ex.GetType().Name;
        }
    }

    // One object type per batch, alternating.
    private static bool IsDevice(int i) => i / BatchSize % 2 == 0;

    private ObjectEvent Event(int i) => new()
    {
        EventId = _load.EventId(i),
        ObjectType = IsDevice(i) ? _deviceType : _addressType,
        Event = "created",
        ObjectId = i.ToString(CultureInfo.InvariantCulture),
        Timestamp = DateTimeOffset.UtcNow,
        Data = string.Create(CultureInfo.InvariantCulture, $$"""{"n":{{i}}}"""),
    };

    /// <summary>Keys of the given grains whose activation lives on <paramref name="silo"/>.</summary>
    private static List<string> Hosted(TestCluster cluster, SiloHandle silo, string grainType, IEnumerable<string> keys) =>
        [.. keys.Where(key => cluster.TryGetGrainContext(GrainId.Create(grainType, key), out var context)
            && context.Address.SiloAddress is { } address && address.Equals(silo.SiloAddress))];

    private static string Placement(TestCluster cluster, string grainType, string[] keys) =>
        string.Join("; ", cluster.Silos.Select(s => $"{s.SiloAddress}: {Hosted(cluster, s, grainType, keys).Count}"));

    private void Mark(string what) => output.WriteLine(_timeline.Mark(what));
}
