using Microsoft.Extensions.Options;
using Webhooks.Deliveries;
using Webhooks.DeliveryLog;
using Webhooks.Endpoints;

namespace Webhooks.Tests.DeliveryLog;

/// <summary>The memory-mode log keeps finished deliveries within a count and a bytes bound per endpoint, oldest out
/// first, never a pending one; pending reads stop at a bytes budget.</summary>
public sealed class InMemoryDeliveryStoreTests
{
    private const int Body = 100_000;

    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task FinishedDeliveries_AreKeptWithinTheBytesBound_NewestKept_PendingNeverDropped()
    {
        // A little over 200 KB each as held (two bytes per character): 1.1 MB keeps five.
        var store = new InMemoryDeliveryStore(Options.Create(new DeliveryOptions { LogCapacityPerEndpoint = 1000, LogMaxBytesPerEndpoint = 1_100_000 }));
        await store.AddAsync([.. Enumerable.Range(1, 12).Select(i => Record(i))], None);
        for (var i = 1; i <= 10; i++)
        {
            await store.UpdateAsync(Record(i) with { Status = DeliveryStatus.Succeeded }, None);
        }

        var kept = new List<long>();
        for (var i = 1; i <= 12; i++)
        {
            if (await store.GetAsync("ep", i, None) is { } record)
            {
                kept.Add(record.Sequence);
            }
        }

        // 6..10 finished (the newest that fit), 11 and 12 still pending.
        Assert.Equal([6L, 7L, 8L, 9L, 10L, 11L, 12L], kept);
    }

    [Fact]
    public async Task FinishedDeliveries_AreKeptWithinTheCount()
    {
        var store = new InMemoryDeliveryStore(Options.Create(new DeliveryOptions { LogCapacityPerEndpoint = 2, LogMaxBytesPerEndpoint = long.MaxValue }));
        await store.AddAsync([.. Enumerable.Range(1, 4).Select(i => Record(i))], None);
        for (var i = 1; i <= 4; i++)
        {
            await store.UpdateAsync(Record(i) with { Status = DeliveryStatus.Failed }, None);
        }

        Assert.Null(await store.GetAsync("ep", 2, None));
        Assert.NotNull(await store.GetAsync("ep", 3, None));
    }

    [Fact]
    public async Task Query_FiltersByObjectTypeAndTimeRange()
    {
        var store = new InMemoryDeliveryStore(Options.Create(new DeliveryOptions()));
        await store.AddAsync([.. Enumerable.Range(1, 6).Select(i => Record(i) with { ObjectType = i <= 3 ? "dcim.device" : "ipam.prefix" })], None);
        var noon = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

        var prefixes = await store.QueryAsync(new DeliveryQuery { ObjectType = "ipam.prefix" }, None);
        Assert.Equal([6L, 5L, 4L], prefixes.Items.Select(r => r.Sequence));
        var window = await store.QueryAsync(new DeliveryQuery { EndpointId = "ep", CreatedAfter = noon.AddSeconds(2), CreatedBefore = noon.AddSeconds(5) }, None);
        Assert.Equal([4L, 3L, 2L], window.Items.Select(r => r.Sequence));
    }

    [Fact]
    public async Task LoadPending_StopsAtTheBytesBudget_TakingTheDeliveryThatReachesIt()
    {
        var store = new InMemoryDeliveryStore(Options.Create(new DeliveryOptions()));
        await store.AddAsync([.. Enumerable.Range(1, 5).Select(i => Record(i))], None);
        var one = DeliverySize.Request(Record(1));

        Assert.Equal([1L, 2L, 3L], (await store.LoadPendingAsync("ep", 0, long.MaxValue, 10, (2 * one) + 1, None)).Select(r => r.Sequence));
        Assert.Equal([1L, 2L], (await store.LoadPendingAsync("ep", 0, long.MaxValue, 10, 2 * one, None)).Select(r => r.Sequence));
        Assert.Equal([1L], (await store.LoadPendingAsync("ep", 0, long.MaxValue, 10, 1, None)).Select(r => r.Sequence));
    }

    private static DeliveryRecord Record(long sequence) => Endpoints.DeliveryLanesTests.Record(sequence) with
    {
        Body = new string('x', Body),
        CreatedAt = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero).AddSeconds(sequence),
    };
}
