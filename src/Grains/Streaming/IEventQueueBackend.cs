using Orleans.Streams;

namespace Webhooks.Streaming;

/// <summary>Where the event queues live: grains in memory (the embedded default) or PostgreSQL tables.</summary>
internal interface IEventQueueBackend
{
    /// <summary>Stores one batch at the end of a queue; returns once it is stored (committed, when durable).</summary>
    Task EnqueueAsync(string provider, QueueId queueId, EventBatch batch, CancellationToken cancellationToken);

    /// <param name="room">How many messages the agent's cache can take now: a receiver never reads more.</param>
    IQueueAdapterReceiver CreateReceiver(string provider, QueueId queueId, Func<int> room);
}
