using Orleans.Streams;
using Webhooks.Streaming;

namespace Webhooks.Postgres;

/// <summary>A pulling agent's reader of one PostgreSQL queue. It remembers what it read and has not acknowledged,
/// keeps those messages hidden while it holds them, and hands them back when it stops.</summary>
/// <remarks>The agent's cache acknowledges a message only once every consumer is past its bucket, and in a quiet
/// system the newest bucket stays put: extending visibility (instead of letting it lapse) keeps those messages
/// from being read again — and from counting towards the dead-letter limit — while this reader is alive.
/// Called by one agent, one call at a time.</remarks>
internal sealed class PostgresEventQueueReceiver(PostgresEventQueue queue, string provider, int queueId, Func<int> room, TimeProvider time) : IQueueAdapterReceiver
{
    private const int MaxReadBatches = 256;

    private readonly string _key = PostgresQueueSignals.Key(provider, queueId);
    private readonly Dictionary<long, int> _outstanding = [];
    private DateTimeOffset _nextExtension = DateTimeOffset.MinValue;
    // Tokens in hand-out order, not message ids: see EventBatchContainer.
    private long _handedOut;

    public Task Initialize(TimeSpan timeout) => Task.CompletedTask;

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        await ExtendIfDueAsync(cancellationToken);
        var limit = Math.Min(maxCount is < 0 or > MaxReadBatches ? MaxReadBatches : maxCount, room());
        if (limit <= 0 || !queue.Signals.ShouldRead(_key))
        {
            return [];
        }

        var messages = await queue.DequeueAsync(provider, queueId, limit, cancellationToken);
        if (messages.Count >= limit)
        {
            // There is probably more: read again on the agent's next tick without waiting for a notification.
            queue.Signals.Signal(_key);
        }

        var containers = new List<IBatchContainer>(messages.Count);
        foreach (var message in messages)
        {
            _outstanding[message.MessageId] = message.DequeueCount;
            containers.Add(new EventBatchContainer(message.Batch, ++_handedOut));
        }

        return containers;
    }

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => MessagesDeliveredAsync(messages, CancellationToken.None);

    public async Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken)
    {
        var delivered = new List<(long, int)>(messages.Count);
        foreach (var message in messages)
        {
            var id = ((EventBatchContainer)message).Batch.SequenceNumber;
            if (_outstanding.Remove(id, out var count))
            {
                delivered.Add((id, count));
            }
        }

        await queue.AckAsync(provider, queueId, delivered, cancellationToken);
    }

    public async Task Shutdown(TimeSpan timeout)
    {
        if (_outstanding.Count == 0)
        {
            return;
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await queue.ReleaseAsync(provider, queueId, Outstanding(), deadline.Token);
            _outstanding.Clear();
        }
        catch (Exception)
        {
            // They become visible again after the visibility timeout anyway.
        }
    }

    private async Task ExtendIfDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now < _nextExtension)
        {
            return;
        }

        _nextExtension = now + queue.VisibilityTimeout / 3;
        if (_outstanding.Count > 0)
        {
            await queue.ExtendAsync(provider, queueId, Outstanding(), cancellationToken);
        }
    }

    private List<(long, int)> Outstanding() => _outstanding.Select(p => (p.Key, p.Value)).ToList();
}
