using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Webhooks.Deliveries;
using Webhooks.DeliveryLog;
using Webhooks.Endpoints;
using Webhooks.Endpoints.Queue;
using static Webhooks.Tests.Endpoints.DeliveryLanesTests;

namespace Webhooks.Tests.Endpoints;

public sealed class BacklogWindowTests
{
    private const string EndpointId = "ep";

    private readonly InMemoryDeliveryStore _store = new(Options.Create(new DeliveryOptions()));
    private readonly DeliveryLanes _lanes = new();
    private readonly RecentDeliveryKeys _keys = new(100);

    [Fact]
    public async Task Read_OfAnEmptyStore_EndsTheBacklog_SoThatNewDeliveriesQueueInMemory()
    {
        var window = Window(capacity: 10);
        Assert.True(window.BacklogInStore);
        Assert.True(window.NeedsRead);

        Assert.True(await window.ReadAsync(long.MaxValue, CancellationToken.None));
        Assert.False(window.BacklogInStore);
        Assert.False(window.NeedsRead);

        window.Offer(Record(0), fits: true);
        Assert.Equal([0], Queued());
        Assert.Equal(0, window.LoadedUpTo);
    }

    [Fact]
    public async Task Offer_WhileOlderDeliveriesWaitInTheStore_LeavesItThere_AndTheReadQueuesEverythingInOrder()
    {
        var window = Window(capacity: 10);
        await AddAsync(0, 1, 2, 3);
        window.Offer(Record(3), fits: true);
        Assert.Empty(Queued());

        Assert.True(await window.ReadAsync(long.MaxValue, CancellationToken.None));
        Assert.Equal([0, 1, 2, 3], Queued());
        Assert.False(window.BacklogInStore);
        Assert.True(_keys.Contains("e2", "wh"));
    }

    [Fact]
    public async Task Offer_WhenMemoryIsFull_LeavesItAndEveryLaterOneToTheStore()
    {
        var window = Window(capacity: 10);
        await window.ReadAsync(long.MaxValue, CancellationToken.None);
        window.Offer(Record(0), fits: true);
        window.Offer(Record(1), fits: false);
        window.Offer(Record(2), fits: true);

        Assert.Equal([0], Queued());
        Assert.True(window.BacklogInStore);
    }

    [Fact]
    public async Task Read_UnderConcurrentWrites_QueuesWhatWasAdmittedWhileItRan_AfterWhatItRead()
    {
        var held = new HeldStore(_store);
        var window = Window(capacity: 10, held);
        await AddAsync(0, 1, 2);

        var read = window.ReadAsync(long.MaxValue, CancellationToken.None);
        await held.Reading;
        Assert.True(window.Reading);
        // Committed after the read's snapshot: the read cannot see them.
        await AddAsync(3, 4);
        window.Offer(Record(3), fits: true);
        window.Offer(Record(4), fits: true);
        Assert.Empty(Queued());

        held.Release();
        Assert.True(await read);
        Assert.Equal([0, 1, 2, 3, 4], Queued());
        Assert.False(window.BacklogInStore);
        Assert.False(window.Reading);
    }

    [Fact]
    public async Task Read_WhenWritesWhileItRanOverflowTheWindow_KeepsTheBacklog_AndTheNextReadsCatchUpInOrder()
    {
        var held = new HeldStore(_store);
        var window = Window(capacity: 2, held);

        var read = window.ReadAsync(long.MaxValue, CancellationToken.None);
        await held.Reading;
        await AddAsync(0, 1, 2);
        window.Offer(Record(0), fits: true);
        window.Offer(Record(1), fits: true);
        window.Offer(Record(2), fits: true);
        held.Release();
        await read;

        Assert.Empty(Queued());
        Assert.True(window.BacklogInStore);

        Assert.True(await window.ReadAsync(long.MaxValue, CancellationToken.None));
        Assert.Equal([0, 1], Queued());
        Assert.True(window.BacklogInStore);
        Assert.False(window.NeedsRead); // the window is full

        Take(2);
        Assert.True(await window.ReadAsync(long.MaxValue, CancellationToken.None));
        Assert.Equal([2], Queued());
        Assert.False(window.BacklogInStore);
    }

    [Fact]
    public async Task Read_StopsBelowAWriteStillBeingAdmitted_WhichThenQueuesBehindIt()
    {
        var window = Window(capacity: 10);
        await AddAsync(0, 1, 2, 3, 4);

        Assert.True(await window.ReadAsync(before: 3, CancellationToken.None));
        Assert.Equal([0, 1, 2], Queued());

        window.Offer(Record(3), fits: true);
        window.Offer(Record(4), fits: true);
        Assert.Equal([0, 1, 2, 3, 4], Queued());
    }

    [Fact]
    public async Task Read_SkipsFinishedSequences_AndDeliveriesAnOperatorRequeued()
    {
        var window = Window(capacity: 10);
        await AddAsync(0, 1, 2, 3, 4);
        window.SkipBelow(2);
        _lanes.AddManual(Record(3));

        await window.ReadAsync(long.MaxValue, CancellationToken.None);

        var started = new List<long>();
        while (_lanes.TryStartNext(out var record))
        {
            started.Add(record.Sequence);
        }

        Assert.Equal([3, 2, 4], started);
    }

    [Fact]
    public async Task Read_ThatFails_ReportsIt_AndKeepsTheBacklogForTheNextRead()
    {
        var window = Window(capacity: 10, new FailingStore(_store));

        Assert.False(await window.ReadAsync(long.MaxValue, CancellationToken.None));
        Assert.True(window.BacklogInStore);
        Assert.False(window.Reading);
        Assert.True(window.NeedsRead);
    }

    [Fact]
    public void NeedsRead_OnlyOnceMemoryIsDownToHalfTheWindow()
    {
        var window = Window(capacity: 4);
        _lanes.Enqueue(Record(0));
        _lanes.Enqueue(Record(1));
        _lanes.Enqueue(Record(2));
        Assert.False(window.NeedsRead);
        Take(1);
        Assert.True(window.NeedsRead);
    }

    private BacklogWindow Window(int capacity, IDeliveryStore? store = null) =>
        new(EndpointId, capacity, store ?? _store, _lanes, _keys, NullLogger.Instance, maxBytes: long.MaxValue);

    private async Task AddAsync(params long[] sequences) => await _store.AddAsync([.. sequences.Select(s => Record(s, EndpointId))], CancellationToken.None);

    private List<long> Queued()
    {
        // Reads the queue lane without disturbing it: take everything, then put it back in order.
        var taken = new List<DeliveryRecord>();
        while (_lanes.TryTake(out var record))
        {
            taken.Add(record);
        }

        foreach (var record in taken)
        {
            _lanes.Enqueue(record);
        }

        return [.. taken.Select(r => r.Sequence)];
    }

    private void Take(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(_lanes.TryTake(out _));
        }
    }

    /// <summary>Runs each read's query at once, and answers only when released: a slow answer.</summary>
    private sealed class HeldStore(IDeliveryStore inner) : DelegatingStore(inner)
    {
        private readonly TaskCompletionSource _reading = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reading => _reading.Task;

        public void Release() => _release.TrySetResult();

        public override async Task<IReadOnlyList<DeliveryRecord>> LoadPendingAsync(string endpointId, long afterSequence, long beforeSequence, int limit, long maxBytes, CancellationToken cancellationToken = default)
        {
            var loaded = await base.LoadPendingAsync(endpointId, afterSequence, beforeSequence, limit, maxBytes, cancellationToken);
            if (_reading.TrySetResult())
            {
                await _release.Task;
            }

            return loaded;
        }
    }

    private sealed class FailingStore(IDeliveryStore inner) : DelegatingStore(inner)
    {
        public override Task<IReadOnlyList<DeliveryRecord>> LoadPendingAsync(string endpointId, long afterSequence, long beforeSequence, int limit, long maxBytes, CancellationToken cancellationToken = default) =>
            Task.FromException<IReadOnlyList<DeliveryRecord>>(new Errors.StoreUnavailableException("the database is unavailable"));
    }

    private abstract class DelegatingStore(IDeliveryStore inner) : IDeliveryStore
    {
        public Task<IReadOnlyList<DeliveryRecord>> AddAsync(IReadOnlyList<DeliveryRecord> records, CancellationToken cancellationToken = default) => inner.AddAsync(records, cancellationToken);

        public Task UpdateAsync(DeliveryRecord record, CancellationToken cancellationToken = default) => inner.UpdateAsync(record, cancellationToken);

        public virtual Task<IReadOnlyList<DeliveryRecord>> LoadPendingAsync(string endpointId, long afterSequence, long beforeSequence, int limit, long maxBytes, CancellationToken cancellationToken = default) =>
            inner.LoadPendingAsync(endpointId, afterSequence, beforeSequence, limit, maxBytes, cancellationToken);

        public Task<DeliveryRecord?> GetAsync(string endpointId, long sequence, CancellationToken cancellationToken = default) => inner.GetAsync(endpointId, sequence, cancellationToken);

        public Task<int> FailPendingAsync(string endpointId, int limit, CancellationToken cancellationToken = default) => inner.FailPendingAsync(endpointId, limit, cancellationToken);

        public Task<DeliveryPage> QueryAsync(DeliveryQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);
    }
}
