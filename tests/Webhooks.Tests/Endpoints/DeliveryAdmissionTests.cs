using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Webhooks.Deliveries;
using Webhooks.DeliveryLog;
using Webhooks.Endpoints;
using Webhooks.Errors;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Endpoints;

public sealed class DeliveryAdmissionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Durable_CallsCommittingOutOfOrder_AreQueuedInTheOrderTheyWereNumbered()
    {
        var options = new DeliveryOptions { QueueCapacity = 100 };
        var store = new HeldAddStore(new InMemoryDeliveryStore(Options.Create(options)));
        using var parts = new EndpointParts(store, options, new FakeTimeProvider(), durable: true);

        store.HoldNext();
        var first = parts.Admission.EnqueueAsync(Requests("a", "b"), CancellationToken.None);
        await store.Holding.WaitAsync(Deadline);
        Assert.Equal(0, parts.Admission.ReadBefore); // a backlog read must stop below the uncommitted write

        var second = await parts.Admission.EnqueueAsync(Requests("c"), CancellationToken.None).WaitAsync(Deadline);
        Assert.Equal(1, second.Created);
        Assert.Empty(parts.Held()); // committed, but numbered after a write still in flight

        store.Release();
        Assert.Equal(2, (await first.WaitAsync(Deadline)).Created);
        Assert.Equal([0, 1, 2], parts.Held());
        Assert.Equal(long.MaxValue, parts.Admission.ReadBefore);
    }

    [Fact]
    public async Task Durable_AWriteStillCommitting_KeepsTheEndpointFromCountingAsIdle()
    {
        // Idle is when durable mode saves its settled mark (recovery reads from there on): a mark saved while a write
        // was in flight passed rows that then committed as the silo died, and they stayed pending for ever.
        var options = new DeliveryOptions { QueueCapacity = 100 };
        var store = new HeldAddStore(new InMemoryDeliveryStore(Options.Create(options)));
        var recovery = new IdleCount();
        using var parts = new EndpointParts(store, options, new FakeTimeProvider(), durable: true, recovery);
        parts.Queue.Pump();
        await Poll.UntilAsync(() => !parts.Window.BacklogInStore && !parts.Window.Reading, "the activation's first read found the store empty");
        Assert.True(recovery.Count > 0);
        recovery.Count = 0;

        store.HoldNext();
        var write = parts.Admission.EnqueueAsync(Requests("a"), CancellationToken.None);
        await store.Holding.WaitAsync(Deadline);
        parts.Queue.Pump();

        Assert.Equal(0, recovery.Count);
        Assert.True(parts.Queue.HasWork);
        store.Release();
        Assert.Equal(1, (await write.WaitAsync(Deadline)).Created);
        Assert.Equal([0], parts.Held());
    }

    [Fact]
    public async Task Durable_BeyondTheWindow_LeavesDeliveriesToTheStore()
    {
        var options = new DeliveryOptions { QueueCapacity = 2 };
        var store = new InMemoryDeliveryStore(Options.Create(options));
        using var parts = new EndpointParts(store, options, new FakeTimeProvider(), durable: true);

        await parts.Admission.EnqueueAsync(Requests("a", "b", "c"), CancellationToken.None);

        Assert.Equal([0, 1], parts.Held());
        Assert.True(parts.Window.BacklogInStore);
        Assert.True(parts.Admission.KeepsBacklogInStore);
        Assert.Equal(3, (await store.LoadPendingAsync(EndpointParts.EndpointId, -1, long.MaxValue, 10, long.MaxValue, CancellationToken.None)).Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Admission_SkipsRequestsItAdmittedBefore_AndRefusesAnOutdatedUrlVersionWithTheRoute(bool durable)
    {
        var options = new DeliveryOptions();
        using var parts = new EndpointParts(new InMemoryDeliveryStore(Options.Create(options)), options, new FakeTimeProvider(), durable);

        Assert.Equal(2, (await parts.Admission.EnqueueAsync(Requests("a", "b"), CancellationToken.None)).Created);
        Assert.Equal(1, (await parts.Admission.EnqueueAsync(Requests("b", "c"), CancellationToken.None)).Created);
        Assert.Equal([0, 1, 2], parts.Held());

        var stale = await parts.Admission.EnqueueAsync([Request("d") with { UrlVersion = 0 }], CancellationToken.None);
        Assert.Equal(EnqueueOutcome.StaleRoute, stale.Outcome);
        // The parts' definition names no template language, as one stored before the choice existed: Liquid.
        Assert.Equal(new EndpointRoute { Url = "http://127.0.0.1:9/hooks", UrlVersion = 1, TemplateLanguage = global::Webhooks.Templates.TemplateLanguage.Liquid }, stale.Route);

        parts.State.State.Definition = null;
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => parts.Admission.EnqueueAsync(Requests("e"), CancellationToken.None));
    }

    [Fact]
    public async Task Memory_AFullQueue_MakesCallersWait_UntilThereIsRoom_OrTheWaitRunsOut()
    {
        var options = new DeliveryOptions { QueueCapacity = 2, MaxFailingBacklog = 2, EnqueueWait = TimeSpan.FromSeconds(5) };
        var clock = new FakeTimeProvider();
        using var parts = new EndpointParts(new InMemoryDeliveryStore(Options.Create(options)), options, clock, durable: false);
        await parts.Admission.EnqueueAsync(Requests("a", "b"), CancellationToken.None);

        var waiting = parts.Admission.EnqueueAsync(Requests("c"), CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, parts.Admission.Waiting);

        // A send ends: room for one.
        Assert.True(parts.Lanes.TryTake(out _));
        parts.Admission.ReleaseWaiters();
        Assert.Equal(1, (await waiting.WaitAsync(Deadline)).Created);
        Assert.Equal(0, parts.Admission.Waiting);

        var refused = parts.Admission.EnqueueAsync(Requests("d"), CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(5));
        var busy = await Assert.ThrowsAsync<EndpointBusyException>(() => refused.WaitAsync(Deadline));
        Assert.Contains("has 2 deliveries waiting (capacity 2)", busy.Message, StringComparison.Ordinal);
        Assert.False(parts.Admission.KeepsBacklogInStore);
    }

    [Fact]
    public async Task Memory_LargeDeliveries_FillTheQueueByBytes_BeforeItsCount()
    {
        var options = new DeliveryOptions { QueueCapacity = 100, MaxFailingBacklog = 100, MaxHeldBytes = 1024 * 1024, EnqueueWait = TimeSpan.FromSeconds(5) };
        var clock = new FakeTimeProvider();
        using var parts = new EndpointParts(new InMemoryDeliveryStore(Options.Create(options)), options, clock, durable: false);

        // Each carries 300,000 characters: 600 KB in memory. Two pass the 1 MiB bound; the third waits.
        await parts.Admission.EnqueueAsync(Large("a", "b"), CancellationToken.None);
        var waiting = parts.Admission.EnqueueAsync(Large("c"), CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        Assert.InRange(parts.Lanes.HeldBytes, 1_200_000, 1_300_000);

        // The first is finished: its bytes are released and the third gets in.
        Assert.True(parts.Lanes.TryTake(out var sent));
        parts.Lanes.Release(sent.Sequence);
        parts.Admission.ReleaseWaiters();
        Assert.Equal(1, (await waiting.WaitAsync(Deadline)).Created);
        Assert.Equal([1, 2], parts.Held());

        var refused = parts.Admission.EnqueueAsync(Large("d"), CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(5));
        var busy = await Assert.ThrowsAsync<EndpointBusyException>(() => refused.WaitAsync(Deadline));
        Assert.Contains("(at most 1024 KiB)", busy.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Memory_OneDeliveryLargerThanTheBound_IsStillAdmitted()
    {
        var options = new DeliveryOptions { MaxHeldBytes = 1024 * 1024 };
        using var parts = new EndpointParts(new InMemoryDeliveryStore(Options.Create(options)), options, new FakeTimeProvider(), durable: false);

        var huge = Request("huge") with { Body = new string('x', 1_000_000) };
        Assert.Equal(1, (await parts.Admission.EnqueueAsync([huge], CancellationToken.None).WaitAsync(Deadline)).Created);
    }

    [Fact]
    public async Task Durable_LargeDeliveriesBeyondTheBytesBound_WaitInTheStore_AndAreReadBackAsRoomFrees()
    {
        var options = new DeliveryOptions { QueueCapacity = 100, MaxHeldBytes = 1024 * 1024 };
        var store = new InMemoryDeliveryStore(Options.Create(options));
        using var parts = new EndpointParts(store, options, new FakeTimeProvider(), durable: true);

        await parts.Admission.EnqueueAsync(Large("a", "b", "c", "d"), CancellationToken.None);

        Assert.Equal([0, 1], parts.Held());
        Assert.True(parts.Window.BacklogInStore);
        Assert.Equal(4, (await store.LoadPendingAsync(EndpointParts.EndpointId, -1, long.MaxValue, 10, long.MaxValue, CancellationToken.None)).Count);

        // Both finished: a read takes the next two, and stops at the bound again.
        foreach (var sequence in new long[] { 0, 1 })
        {
            Assert.True(parts.Lanes.TryTake(out _));
            parts.Lanes.Release(sequence);
            await store.UpdateAsync((await store.LoadPendingAsync(EndpointParts.EndpointId, sequence - 1, long.MaxValue, 1, long.MaxValue, CancellationToken.None))[0] with { Status = DeliveryStatus.Succeeded }, CancellationToken.None);
        }

        Assert.True(parts.Window.NeedsRead);
        Assert.True(await parts.Window.ReadAsync(long.MaxValue, CancellationToken.None));
        Assert.Equal([2, 3], parts.Held());
    }

    [Fact]
    public void Lanes_CountADeliverysBytesOnce_AndReleaseThemOnce()
    {
        var lanes = new Webhooks.Endpoints.Queue.DeliveryLanes();
        var record = DeliveryRecords.FromRequest("ep", 7, Request("a") with { Body = new string('x', 1000) }, "http://h/", DateTimeOffset.UnixEpoch);

        lanes.Enqueue(record);
        var held = lanes.HeldBytes;
        Assert.True(held >= 2000);
        Assert.True(lanes.TryTake(out _));
        lanes.AddManual(record);
        Assert.Equal(held, lanes.HeldBytes);

        lanes.Release(7);
        lanes.Release(7);
        Assert.Equal(0, lanes.HeldBytes);
    }

    private static ImmutableArray<DeliveryRequest> Large(params string[] eventIds) =>
        [.. eventIds.Select(id => Request(id) with { Body = new string('x', 300_000) })];

    private static ImmutableArray<DeliveryRequest> Requests(params string[] eventIds) => [.. eventIds.Select(Request)];

    private static DeliveryRequest Request(string eventId) => new()
    {
        WebhookId = "wh",
        EventId = eventId,
        ObjectType = "dcim.device",
        Event = "created",
        HttpMethod = "POST",
        ContentType = "application/json",
        Body = "{}",
        UrlVersion = 1,
    };

    private sealed class IdleCount : EndpointRecovery
    {
        public int Count { get; set; }

        public override void OnIdle() => Count++;
    }

    /// <summary>Holds the next write until released: a commit that takes longer than the ones after it.</summary>
    private sealed class HeldAddStore(IDeliveryStore inner) : IDeliveryStore
    {
        private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _hold;

        public Task Holding => _holding.Task;

        public void HoldNext() => _hold = 1;

        public void Release() => _release.TrySetResult();

        public async Task<IReadOnlyList<DeliveryRecord>> AddAsync(IReadOnlyList<DeliveryRecord> records, CancellationToken cancellationToken = default)
        {
            var added = await inner.AddAsync(records, cancellationToken);
            if (Interlocked.Exchange(ref _hold, 0) == 1)
            {
                _holding.TrySetResult();
                await _release.Task;
            }

            return added;
        }

        public Task UpdateAsync(DeliveryRecord record, CancellationToken cancellationToken = default) => inner.UpdateAsync(record, cancellationToken);

        public Task<IReadOnlyList<DeliveryRecord>> LoadPendingAsync(string endpointId, long afterSequence, long beforeSequence, int limit, long maxBytes, CancellationToken cancellationToken = default) =>
            inner.LoadPendingAsync(endpointId, afterSequence, beforeSequence, limit, maxBytes, cancellationToken);

        public Task<DeliveryRecord?> GetAsync(string endpointId, long sequence, CancellationToken cancellationToken = default) => inner.GetAsync(endpointId, sequence, cancellationToken);

        public Task<int> FailPendingAsync(string endpointId, int limit, CancellationToken cancellationToken = default) => inner.FailPendingAsync(endpointId, limit, cancellationToken);

        public Task<DeliveryPage> QueryAsync(DeliveryQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);
    }
}
