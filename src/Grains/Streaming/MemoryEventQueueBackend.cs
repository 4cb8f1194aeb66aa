using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Webhooks.Streaming;

/// <summary>The embedded default: each queue is a bounded <see cref="MemoryEventQueueGrain"/>.</summary>
internal sealed class MemoryEventQueueBackend(IGrainFactory grains, IOptions<EventQueueOptions> options) : IEventQueueBackend
{
    private readonly TimeSpan _publishWait = options.Value.PublishWait;

    public Task EnqueueAsync(string provider, QueueId queueId, EventBatch batch, CancellationToken cancellationToken) =>
        QueueGrain(provider, queueId).EnqueueAsync(batch, _publishWait, cancellationToken);

    public IQueueAdapterReceiver CreateReceiver(string provider, QueueId queueId, Func<int> room) => new MemoryEventQueueReceiver(QueueGrain(provider, queueId), room);

    // Every stream write asks for its queue's grain: its key is built once per queue, not per write.
    private readonly ConcurrentDictionary<(string Provider, QueueId Queue), IMemoryEventQueueGrain> _queues = new();

    private IMemoryEventQueueGrain QueueGrain(string provider, QueueId queueId) =>
        _queues.GetOrAdd((provider, queueId), static (key, grains) => grains.GetGrain<IMemoryEventQueueGrain>($"{key.Provider}/{key.Queue}"), grains);
}
