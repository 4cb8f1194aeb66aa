using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace Webhooks.Streaming;

/// <summary>Hands one <see cref="EventBatch"/> to the pulling agent; each event gets its own token.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.EventBatchContainer")]
public sealed class EventBatchContainer(EventBatch batch) : IBatchContainer
{
    [Id(0)] public EventBatch Batch { get; } = batch;

    public StreamId StreamId => Batch.StreamId;

    public StreamSequenceToken SequenceToken => new EventSequenceToken(Batch.SequenceNumber);

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>()
    {
        var events = Batch.Events;
        for (var i = 0; i < events.Length; i++)
        {
            if (events[i] is T item)
            {
                yield return Tuple.Create<T, StreamSequenceToken>(item, new EventSequenceToken(Batch.SequenceNumber, i));
            }
        }
    }

    // Events carry everything they need; no request context crosses the queue.
    public bool ImportRequestContext() => false;
}
