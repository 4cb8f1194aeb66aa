using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Streams;
using Webhooks.Events;
using Webhooks.Postgres;
using Webhooks.Streaming;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Postgres;

/// <summary>The PostgreSQL event queue's contract: order, visibility timeout, acknowledgement only by the reader
/// that holds the message, dead letters after too many reads, and requeueing them.</summary>
public sealed class PostgresEventQueueTests : IAsyncLifetime
{
    private const string Provider = "test-events";

    private static readonly TimeSpan Visibility = TimeSpan.FromSeconds(1);

    private PostgresServer.Database _database = null!;
    private PostgresDatabase _pool = null!;
    private PostgresEventQueue _queue = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresServer.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(_database.ConnectionString);
        _pool = new PostgresDatabase(_database.ConnectionString);
        _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var options = Options.Create(new EventQueueOptions
        {
            VisibilityTimeout = Visibility,
            MaxDequeueCount = 2,
            IdleReadInterval = TimeSpan.FromMilliseconds(1),
        });
        var signals = new PostgresQueueSignals(_pool, options, TimeProvider.System, NullLogger<PostgresQueueSignals>.Instance);
        _queue = new PostgresEventQueue(
            _pool, signals, _services.GetRequiredService<Serializer<EventBatch>>(), options,
            Options.Create(new ClusterOptions { ServiceId = "queue-tests" }), TimeProvider.System, NullLogger<PostgresEventQueue>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _queue.DisposeAsync();
        await _services.DisposeAsync();
        await _pool.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Dequeue_AfterEnqueues_ReturnsBatchesInOrder_AndHidesThemUntilAcknowledged()
    {
        await EnqueueAsync("a", "b", "c");

        var read = await _queue.DequeueAsync(Provider, 0, 10, default);

        Assert.Equal(["a", "b", "c"], read.Select(m => m.Batch.Events[0].EventId));
        Assert.All(read, m => Assert.Equal(1, m.DequeueCount));
        Assert.Equal(read.Select(m => m.MessageId).Order(), read.Select(m => m.MessageId));
        Assert.Empty(await _queue.DequeueAsync(Provider, 0, 10, default));

        await _queue.AckAsync(Provider, 0, [.. read.Take(2).Select(m => (m.MessageId, m.DequeueCount))], default);
        Assert.Equal(1L, await RowsAsync("webhooks_event_queue"));
    }

    [Fact]
    public async Task Ack_FromAReaderWhoseMessageWasReadAgain_DeletesNothing()
    {
        await EnqueueAsync("a");
        var first = Assert.Single(await _queue.DequeueAsync(Provider, 0, 10, default));

        // The first reader stalls past the visibility timeout; someone else reads the message again.
        var second = await Poll.ForAsync(() => _queue.DequeueAsync(Provider, 0, 10, default), r => r.Count == 1, "the message is visible again");
        Assert.Equal(2, second[0].DequeueCount);

        await _queue.AckAsync(Provider, 0, [(first.MessageId, first.DequeueCount)], default);
        Assert.Equal(1L, await RowsAsync("webhooks_event_queue"));
        await _queue.AckAsync(Provider, 0, [(second[0].MessageId, second[0].DequeueCount)], default);
        Assert.Equal(0L, await RowsAsync("webhooks_event_queue"));
    }

    [Fact]
    public async Task Message_ReadMoreThanMaxDequeueCountTimes_MovesToDeadLetters_AndRequeueBringsItBack()
    {
        await EnqueueAsync("poison");
        Assert.Equal(1, Assert.Single(await _queue.DequeueAsync(Provider, 0, 10, default)).DequeueCount);
        await Poll.UntilAsync(async () => await _queue.DequeueAsync(Provider, 0, 10, default) is [{ DequeueCount: 2 }], "the second read");

        // The third read exceeds MaxDequeueCount = 2: the message goes to the dead letters instead of the reader.
        await Poll.UntilAsync(
            async () =>
            {
                Assert.Empty(await _queue.DequeueAsync(Provider, 0, 10, default));
                return await RowsAsync("webhooks_event_dead_letters") == 1;
            },
            "the message is dead-lettered");
        Assert.Equal(0L, await RowsAsync("webhooks_event_queue"));
        Assert.Equal(2, await ScalarAsync<int>("SELECT dequeue_count FROM webhooks_event_dead_letters"));

        Assert.Equal(1, await ScalarAsync<int>("SELECT webhooks_requeue_dead_letters()"));
        var requeued = Assert.Single(await _queue.DequeueAsync(Provider, 0, 10, default));
        Assert.Equal("poison", requeued.Batch.Events[0].EventId);
        Assert.Equal(1, requeued.DequeueCount);
        Assert.Equal(0L, await RowsAsync("webhooks_event_dead_letters"));
    }

    [Fact]
    public async Task Receiver_HoldingMessagesPastTheVisibilityTimeout_KeepsThemHidden_AndReleasesThemOnShutdown()
    {
        await EnqueueAsync("held");
        var holder = _queue.CreateReceiver(Provider, QueueId.GetQueueId(Provider, 0, 0), () => 100);
        var other = _queue.CreateReceiver(Provider, QueueId.GetQueueId(Provider, 0, 0), () => 100);
        Assert.Single(await holder.GetQueueMessagesAsync(10, default));

        // Three visibility timeouts in which the holder keeps polling (which extends what it holds).
        var until = DateTime.UtcNow + 3 * Visibility;
        while (DateTime.UtcNow < until)
        {
            Assert.Empty(await holder.GetQueueMessagesAsync(10, default));
            Assert.Empty(await other.GetQueueMessagesAsync(10, default));
            await Task.Delay(50);
        }

        await holder.Shutdown(TimeSpan.FromSeconds(5));
        var released = await other.GetQueueMessagesAsync(10, default);
        Assert.Single(released);
        Assert.Equal(1, await ScalarAsync<int>("SELECT dequeue_count FROM webhooks_event_queue"));
    }

    [Fact]
    public async Task Receiver_ReadsNoMoreThanTheAgentsCacheCanTake()
    {
        await EnqueueAsync("a", "b", "c", "d");
        var room = 0;
        var receiver = _queue.CreateReceiver(Provider, QueueId.GetQueueId(Provider, 0, 0), () => room);

        Assert.Empty(await receiver.GetQueueMessagesAsync(10, default));
        room = 3;
        Assert.Equal(3, (await receiver.GetQueueMessagesAsync(10, default)).Count);
        // What it did not read stays visible for whoever reads next.
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM webhooks_event_queue WHERE dequeue_count = 0"));
    }

    private async Task EnqueueAsync(params string[] eventIds)
    {
        foreach (var id in eventIds)
        {
            var e = new ObjectEvent { EventId = id, ObjectType = "dcim.device", Event = "created" };
            await _queue.EnqueueAsync(Provider, QueueId.GetQueueId(Provider, 0, 0), new EventBatch
            {
                StreamId = StreamId.Create("object-type", "dcim.device"),
                Events = ImmutableArray.Create(e),
            }, default);
        }
    }

    private Task<long> RowsAsync(string table) => ScalarAsync<long>($"SELECT count(*) FROM {table}");

    private async Task<T> ScalarAsync<T>(string sql) => (await _database.ScalarAsync<T>(sql))!;
}
