using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace Webhooks.Streaming;

/// <summary>Orleans' <see cref="SimpleQueueCache"/> per queue, plus how many more messages each can take.</summary>
/// <remarks>The pulling agent asks a receiver for up to GetMaxAddCount() messages whenever the cache is not "under
/// pressure" (a count of buckets, not of messages), and SimpleQueueCache throws CacheFullException when the messages
/// do not fit. Messages a receiver handed out that the cache then refused are lost to the agent but still held
/// by the receiver — never delivered, never acknowledged. Receivers ask <see cref="Room"/> first and read no more
/// than fits; the agent reads and adds on one thread, so the answer still holds when the batch is added.</remarks>
internal sealed class QueueCacheRoom(int cacheSize, ILoggerFactory loggerFactory) : IQueueAdapterCache
{
    private readonly ConcurrentDictionary<QueueId, SimpleQueueCache> _caches = new();
    private readonly ILogger _logger = loggerFactory.CreateLogger<SimpleQueueCache>();

    public IQueueCache CreateQueueCache(QueueId queueId) =>
        _caches[queueId] = new SimpleQueueCache(cacheSize, _logger);

    /// <summary>Messages the queue's cache can still take (the whole size before the agent has created it).</summary>
    public int Room(QueueId queueId) =>
        _caches.TryGetValue(queueId, out var cache) ? Math.Max(0, cacheSize - cache.Size) : cacheSize;
}
