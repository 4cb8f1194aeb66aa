using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Webhooks.Endpoints;
using Webhooks.Events;
using Webhooks.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Webhooks.Tests.Durability;

/// <summary>Storage:Provider=postgres: an endpoint that answers 503 for as long as events are published accumulates
/// its whole backlog in the database while the endpoint grain holds at most Delivery:QueueCapacity of it in memory;
/// once the endpoint recovers, the backlog is read back and delivered in order.</summary>
[Trait("Category", "Durability")]
public sealed class EndpointBacklogTests(ITestOutputHelper output) : DurableTest
{
    private const int EventCount = 100_000;
    private const int BatchSize = 500;
    private const int QueueCapacity = 500;
    private const string Path = "/backlog";

    // How much the managed heap (this process: silo, client, receiver) may grow while 100 000 deliveries accumulate.
    // Keeping them in memory would cost at least 100 000 x one delivery's record and own strings, ~330 bytes here
    // (InMemoryCost, computed from a stored record and printed), so over 31 MB; the test checks that this bound is at
    // most half of that. Measured on the 2-core development machine with the window bounded at 500: +4 MB once
    // the backlog is stored (the bound leaves 3x headroom).
    private const long BacklogGrowthBound = 12L * 1024 * 1024;

    // Right after the last publish the stream still buffers events the webhook has not turned into deliveries yet:
    // the pulling agent caches up to Streams:CacheSize (512) batches per queue, which with 500-event batches is more
    // than the whole run. Measured: +24 MB. This looser bound only catches gross leaks; the one above is the test
    // of the endpoint's bounded window.
    private const long PublishingGrowthBound = 64L * 1024 * 1024;

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan BacklogTimeout = TimeSpan.FromMinutes(1);
    // With max_in_flight 1 each delivery waits for its own recorded outcome (one commit) before the next is sent:
    // 435-500 deliveries/s measured on the 2-core development machine (200-230 s for 100 000), and about half that
    // while the machine is busy with a build, hence the generous deadline.
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromMinutes(8);
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(50);

    private readonly string _run = $"b{Guid.NewGuid():N}"[..9];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _arrivalsLock = new();
    private readonly List<int> _succeeded = [];
    private readonly HashSet<int> _distinct = [];

    [Fact]
    public async Task EndpointDownForWholeTest_AccumulatesHundredThousandDeliveries_InBoundedMemory_ThenDeliversAllInOrder()
    {
        var settings = new Dictionary<string, string>
        {
            ["Delivery:QueueCapacity"] = QueueCapacity.ToString(CultureInfo.InvariantCulture),
            ["Delivery:MaxAttempts"] = "100",
            ["Delivery:RetryDelays:0"] = "00:00:01",
        };
        await using var cluster = await Durable.StartAsync(1, settings);
        var scenario = new Scenario(cluster.Client);
        var type = scenario.Type();
        Receiver.Respond = _ => 503;
        var endpointId = await scenario.EndpointAsync($"{Receiver.Url}{Path}", d => d with { MaxInFlight = 1 });
        await scenario.WebhookAsync(type, endpointId, d => d with { BodyTemplate = "{{ data.n }}" });
        var endpoint = cluster.Client.GetGrain<IEndpointGrain>(endpointId);

        // Warm the publishing path (object-type grain, both streams, pulling agents) with a type no webhook takes,
        // so the baseline already holds what any publishing needs.
        await scenario.PublishAsync([.. Enumerable.Range(0, BatchSize).Select(n => Scenario.Event(scenario.Type("warmup"), "created", new { n }))]);
        var heapAtStart = GC.GetTotalMemory(forceFullCollection: true);
        Mark($"cluster up, endpoint and webhook created; managed heap {Mb(heapAtStart)}");

        // Publish in order from one publisher (one object-type grain). The endpoint's window is sampled until the
        // whole backlog is stored: the webhook goes on creating deliveries from the stream after the last publish.
        using var sampling = new CancellationTokenSource();
        var window = SampleWindowAsync(endpoint, sampling.Token);
        var publishClock = Stopwatch.StartNew();
        await PublishAllAsync(cluster.Client, type);
        publishClock.Stop();
        var heapAfterPublishing = GC.GetTotalMemory(forceFullCollection: true);
        Mark(string.Create(CultureInfo.InvariantCulture,
            $"published {EventCount} events in {publishClock.Elapsed.TotalSeconds:0.0} s ({EventCount / publishClock.Elapsed.TotalSeconds:0} events/s); managed heap {Mb(heapAfterPublishing)}"));

        var stored = await Poll.ForAsync(
            () => Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE endpoint_id = @e", ("e", endpointId)),
            count => count == EventCount, $"the database holds {EventCount} deliveries for the endpoint", BacklogTimeout);
        await sampling.CancelAsync();
        var (samples, largestWindow, violations) = await window;
        var backlogStatus = await endpoint.GetStatusAsync();
        var heapWithBacklog = GC.GetTotalMemory(forceFullCollection: true);
        var sample = (await cluster.Client.GetGrain<Deliveries.IDeliveryLogGrain>(Deliveries.IDeliveryLogGrain.DefaultKey).ListAsync(new Deliveries.DeliveryQuery { EndpointId = endpointId, PageSize = 1 })).Items.Single();
        var perDelivery = InMemoryCost(sample);
        Mark(string.Create(CultureInfo.InvariantCulture,
            $"database holds {stored} deliveries for the endpoint after {publishClock.Elapsed.TotalSeconds:0.0} s of publishing; status: queued {backlogStatus.Queued}, " +
            $"in flight {backlogStatus.InFlight}, backlog in store {backlogStatus.BacklogInStore}, attempts {backlogStatus.Attempts}, failed {backlogStatus.Failed}; " +
            $"managed heap {Mb(heapWithBacklog)}"));

        var growthWithBacklog = heapWithBacklog - heapAtStart;
        var growthAfterPublishing = heapAfterPublishing - heapAtStart;
        var unboundedLowerBound = EventCount * perDelivery;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"window: {samples} samples, largest queued + in flight {largestWindow} (capacity {QueueCapacity}); managed heap: start {Mb(heapAtStart)}, " +
            $"end of publishing {Mb(heapAfterPublishing)} (+{Mb(growthAfterPublishing)}, bound {Mb(PublishingGrowthBound)}), " +
            $"backlog stored {Mb(heapWithBacklog)} (+{Mb(growthWithBacklog)}, bound {Mb(BacklogGrowthBound)}); one delivery held in memory takes at least " +
            $"{perDelivery} bytes (its record and its own id, event id and body strings), so holding all {EventCount} would add at least {Mb(unboundedLowerBound)}"));

        Assert.True(violations.Count == 0, "the endpoint held more than its capacity in memory: " + string.Join("; ", violations));
        Assert.True(backlogStatus.BacklogInStore, "the endpoint does not report its backlog in the store");
        Assert.True(backlogStatus.Queued + backlogStatus.InFlight <= QueueCapacity, $"queued {backlogStatus.Queued} + in flight {backlogStatus.InFlight}");
        Assert.True(backlogStatus.Failed == 0,
            $"{backlogStatus.Failed} deliveries ran out of attempts while the endpoint was down (the 503 phase outlasted 100 attempts at 1 s)");
        Assert.True(BacklogGrowthBound * 2 <= unboundedLowerBound,
            $"the bound {Mb(BacklogGrowthBound)} would not clearly catch an unbounded design ({Mb(unboundedLowerBound)})");
        Assert.True(growthWithBacklog < BacklogGrowthBound,
            $"with the backlog stored the managed heap is {Mb(growthWithBacklog)} larger than at the start, more than {Mb(BacklogGrowthBound)}");
        Assert.True(growthAfterPublishing < PublishingGrowthBound,
            $"at the end of publishing the managed heap is {Mb(growthAfterPublishing)} larger than at the start, more than {Mb(PublishingGrowthBound)}");

        // The endpoint recovers: record each request answered 2xx, in arrival order.
        var deliveryClock = Stopwatch.StartNew();
        Receiver.Respond = request =>
        {
            var n = int.Parse(request.BodyText, CultureInfo.InvariantCulture);
            lock (_arrivalsLock)
            {
                _succeeded.Add(n);
                _distinct.Add(n);
            }

            return 204;
        };

        var lastReport = TimeSpan.Zero;
        await Poll.UntilAsync(() =>
        {
            int distinct;
            lock (_arrivalsLock)
            {
                distinct = _distinct.Count;
            }

            if (deliveryClock.Elapsed - lastReport >= TimeSpan.FromSeconds(10))
            {
                lastReport = deliveryClock.Elapsed;
                Mark(string.Create(CultureInfo.InvariantCulture, $"{distinct} delivered after {deliveryClock.Elapsed.TotalSeconds:0} s"));
            }

            return distinct == EventCount;
        }, $"{EventCount} distinct bodies arrived with 2xx", DeliveryTimeout);
        deliveryClock.Stop();

        List<int> arrivals;
        lock (_arrivalsLock)
        {
            arrivals = [.. _succeeded];
        }

        Mark(string.Create(CultureInfo.InvariantCulture,
            $"delivered {EventCount} in {deliveryClock.Elapsed.TotalSeconds:0.0} s ({EventCount / deliveryClock.Elapsed.TotalSeconds:0} deliveries/s), {arrivals.Count - EventCount} duplicates"));
        var firstArrivals = arrivals.Distinct().ToList();
        var outOfOrder = Enumerable.Range(1, firstArrivals.Count - 1).FirstOrDefault(i => firstArrivals[i] <= firstArrivals[i - 1]);
        Assert.True(outOfOrder == 0,
            $"first arrivals out of order at position {outOfOrder}: ... {string.Join(", ", firstArrivals.Skip(Math.Max(0, outOfOrder - 5)).Take(10))} ...");
        Assert.Equal(Enumerable.Range(1, EventCount), firstArrivals);
        await Poll.UntilAsync(
            async () => await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE endpoint_id = @e AND status = 2", ("e", endpointId)) == EventCount,
            $"all {EventCount} deliveries are recorded as succeeded");
    }

    /// <summary>Samples the endpoint's in-memory window until cancelled: how often, the largest, and the first few
    /// samples over capacity.</summary>
    private static async Task<(int Samples, long Largest, List<string> Violations)> SampleWindowAsync(IEndpointGrain endpoint, CancellationToken cancellationToken)
    {
        var samples = 0;
        var largest = 0L;
        var violations = new List<string>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var status = await endpoint.GetStatusAsync(CancellationToken.None);
            samples++;
            largest = Math.Max(largest, status.Queued + status.InFlight);
            if (status.Queued + status.InFlight > status.QueueCapacity && violations.Count < 10)
            {
                violations.Add($"queued {status.Queued} + in flight {status.InFlight} > capacity {status.QueueCapacity}");
            }

            try
            {
                await Task.Delay(SampleInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return (samples, largest, violations);
    }

    /// <summary>Events n = 1..EventCount of one type, in batches, one batch at a time (so n is also stream order).</summary>
    private async Task PublishAllAsync(IClusterClient client, string type)
    {
        var grain = client.GetGrain<IObjectTypeGrain>(type);
        var deadline = DateTime.UtcNow + PublishTimeout;
        for (var first = 1; first <= EventCount; first += BatchSize)
        {
            ImmutableArray<ObjectEvent> batch = [.. Enumerable.Range(first, BatchSize).Select(n => Event(type, n))];
            await grain.PublishAsync(batch);
            if ((first + BatchSize - 1) % 20_000 == 0)
            {
                Mark(string.Create(CultureInfo.InvariantCulture, $"published up to n = {first + BatchSize - 1}"));
            }

            Assert.True(DateTime.UtcNow < deadline, $"publishing took more than {PublishTimeout.TotalMinutes:0} min (reached n = {first + BatchSize - 1})");
        }
    }

    private ObjectEvent Event(string type, int n) => new()
    {
        EventId = string.Create(CultureInfo.InvariantCulture, $"{_run}-{n:D6}"),
        ObjectType = type,
        Event = "created",
        ObjectId = n.ToString(CultureInfo.InvariantCulture),
        Timestamp = DateTimeOffset.UtcNow,
        Data = string.Create(CultureInfo.InvariantCulture, $$"""{"n":{{n}}}"""),
    };

    /// <summary>A lower bound of what keeping one more delivery in memory costs: the record object itself (measured
    /// by copying it) and the strings no other delivery shares. Shared strings (endpoint, URL, type) are left out.</summary>
    private static long InMemoryCost(Deliveries.DeliveryRecord record)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var copy = record with { };
        var shallow = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(copy);
        return shallow + StringSize(record.Id) + StringSize(record.EventId) + StringSize(record.Body);
    }

    // 64-bit: object header and method table (16 bytes), length (4), UTF-16 characters and a terminator, 8-aligned.
    private static long StringSize(string value) => (20 + (2L * (value.Length + 1)) + 7) / 8 * 8;

    private void Mark(string what) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {_clock.Elapsed.TotalSeconds,6:0.0} s  {what}"));

    private static string Mb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MB");
}
