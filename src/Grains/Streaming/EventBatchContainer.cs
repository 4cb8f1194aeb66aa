using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace Webhooks.Streaming;

/// <summary>Hands one <see cref="EventBatch"/> to the pulling agent; each event gets its own token.</summary>
/// <remarks>The tokens are the order in which the queue's receiver handed batches to its agent
/// (<paramref name="handOutOrder"/>), not the batch's place in the queue (<see cref="EventBatch.SequenceNumber"/>,
/// which acknowledges it). Orleans' <see cref="SimpleQueueCache"/> assumes tokens only grow: it places a consumer's
/// cursor by comparing tokens with its oldest and newest items, and given an older token than it holds it throws a
/// QueueCacheMissException and later acknowledges that batch without delivering it. Queue order does not always
/// arrive in order: ids are assigned when a PostgreSQL enqueue starts, not when it commits, so concurrent enqueues
/// commit out of order; a queue's previous owner releases what it held after the new owner has read newer batches;
/// a batch whose visibility lapsed is read again after newer ones; the in-memory queue numbers from 1 again in a new
/// activation. Tokens in hand-out order never go back within a receiver, and each receiver has a cache of its own.
/// Consumers store no tokens (the adapter is not rewindable), so nothing outlives the receiver that made them.</remarks>
[GenerateSerializer, Immutable, Alias("webhooks.EventBatchContainer")]
public sealed class EventBatchContainer(EventBatch batch, long handOutOrder) : IBatchContainer
{
    [Id(0)] public EventBatch Batch { get; } = batch;

    [Id(1)] public long HandOutOrder { get; } = handOutOrder;

    public StreamId StreamId => Batch.StreamId;

    public StreamSequenceToken SequenceToken => new EventSequenceToken(HandOutOrder);

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>()
    {
        var events = Batch.Events;
        for (var i = 0; i < events.Length; i++)
        {
            if (events[i] is T item)
            {
                yield return Tuple.Create<T, StreamSequenceToken>(item, new EventSequenceToken(HandOutOrder, i));
            }
        }
    }

    // Events carry everything they need; no request context crosses the queue.
    public bool ImportRequestContext() => false;
}
