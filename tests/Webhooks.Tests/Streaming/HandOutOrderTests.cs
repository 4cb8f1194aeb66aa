using System.Collections.Immutable;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;
using Webhooks.Events;
using Webhooks.Streaming;

namespace Webhooks.Tests.Streaming;

/// <summary>A receiver hands its agent's cache tokens that only grow, whatever order the queue's own numbers come in.
/// Orleans' queue cache, given a token older than one it holds, misses and later acknowledges that batch undelivered.</summary>
public sealed class HandOutOrderTests
{
    private static readonly StreamId X = StreamId.Create(EventStreams.Namespace, "dcim.device");
    private static readonly StreamId Y = StreamId.Create(EventStreams.Namespace, "ipam.ipaddress");

    [Fact]
    public async Task ABatchNumberedBelowOneAlreadyCached_IsStillPlacedAndDeliveredByTheCache()
    {
        // The queue hands out 12, then 10: a batch released late, or a queue numbering afresh.
        var receiver = new MemoryEventQueueReceiver(new ScriptedQueue([Batch(X, 12)], [Batch(Y, 10)]), () => 100);
        var cache = new SimpleQueueCache(100, NullLogger.Instance);

        var first = await receiver.GetQueueMessagesAsync(10, CancellationToken.None);
        cache.AddToCache(first);
        // X's consumer is being handed its batch: its cursor pins the cache.
        using var x = Cursor(cache, X, first[0].SequenceToken);
        Assert.Equal(QueueCacheCursorMoveResultKind.Success, x.MoveNextWithResult().Kind);

        var second = await receiver.GetQueueMessagesAsync(10, CancellationToken.None);
        cache.AddToCache(second);

        // Y's consumer had caught up; the agent places it at the batch that just came in.
        using var y = Cursor(cache, Y, second[0].SequenceToken);
        Assert.Equal(QueueCacheCursorMoveResultKind.Success, y.MoveNextWithResult().Kind);
        var delivered = Assert.IsType<EventBatchContainer>(y.GetCurrent(out _));
        Assert.Equal(10, delivered.Batch.SequenceNumber); // still acknowledged by its place in the queue
        Assert.True(StreamSequenceTokenUtilities.Newer(second[0].SequenceToken, first[0].SequenceToken));
    }

    [Fact]
    public async Task Tokens_FollowHandOutOrder_ForEveryEventOfABatch()
    {
        var receiver = new MemoryEventQueueReceiver(new ScriptedQueue([Batch(X, 7, events: 3)], [Batch(X, 3)]), () => 100);
        var first = (await receiver.GetQueueMessagesAsync(10, CancellationToken.None)).Single();
        var second = (await receiver.GetQueueMessagesAsync(10, CancellationToken.None)).Single();

        var tokens = first.GetEvents<ObjectEvent>().Concat(second.GetEvents<ObjectEvent>()).Select(e => e.Item2).ToList();
        for (var i = 1; i < tokens.Count; i++)
        {
            Assert.True(StreamSequenceTokenUtilities.Newer(tokens[i], tokens[i - 1]), $"token {i} ({tokens[i]}) comes after token {i - 1} ({tokens[i - 1]})");
        }
    }

    private static IQueueCacheCursor Cursor(IQueueCache cache, StreamId stream, StreamSequenceToken token)
    {
        var result = cache.TryGetCacheCursor(stream, token);
        Assert.True(result.Kind == QueueCacheCursorResultKind.Success, $"a cursor at {token}: {result.Kind} {result.CacheMiss}");
        return result.Cursor!;
    }

    private static EventBatch Batch(StreamId stream, long sequence, int events = 1) => new()
    {
        StreamId = stream,
        SequenceNumber = sequence,
        Events = [.. Enumerable.Range(0, events).Select(i => new ObjectEvent { EventId = $"e{sequence}-{i}", ObjectType = "t", Event = "created" })],
    };

    /// <summary>A queue that answers each read with the next scripted batches.</summary>
    private sealed class ScriptedQueue(params ImmutableArray<EventBatch>[] reads) : IMemoryEventQueueGrain
    {
        private int _read;

        public Task<ImmutableArray<EventBatch>> DequeueAsync(int maxCount, CancellationToken cancellationToken) =>
            Task.FromResult(_read < reads.Length ? reads[_read++] : []);

        public Task EnqueueAsync(EventBatch batch, TimeSpan maxWait, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task AckAsync(ImmutableArray<long> sequenceNumbers, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task RewindAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
