using System.Collections.Immutable;
using Orleans.Streams;
using Webhooks.Events;

namespace Webhooks.Streaming;

/// <summary>A pulling agent's reader of one PostgreSQL queue. It remembers what it read and has not acknowledged,
/// keeps those messages hidden while it holds them, and hands them back when it stops.</summary>
/// <remarks>The agent's cache acknowledges a message only once every consumer is past its bucket, and in a quiet
/// system the newest bucket stays put: extending visibility (instead of letting it lapse) keeps those messages
/// from being read again — and from counting towards the dead-letter limit — while this reader is alive.
/// Called by one agent, one call at a time.
/// <para>The messages of one stream in a read go to the agent as one container: the agent hands a subscriber one
/// container at a time and each hand-off waits for the subscriber (a webhook: its endpoints' commit), so a backlog of
/// small publishes would otherwise drain one commit per publish. A merged container is acknowledged as a whole, each
/// of its messages with the dequeue count it was read with. (Orleans' own <c>BatchContainerBatchSize</c> does this in
/// the agent, but lost messages when a silo was killed in our tests: the agent moves its cursor past a batch before
/// delivering it.)</para></remarks>
internal sealed class PostgresEventQueueReceiver(PostgresEventQueue queue, string provider, int queueId, Func<int> room) : IQueueAdapterReceiver
{
    private const int MaxReadBatches = 256;

    // Bounds what one subscriber call (and one endpoint commit) carries.
    private const int MaxEventsPerContainer = 1000;

    private readonly string _key = PostgresQueueSignals.Key(provider, queueId);
    private readonly Dictionary<long, int> _outstanding = [];

    // Container sequence number (its first message's id) -> the ids of every message merged into it.
    private readonly Dictionary<long, long[]> _merged = [];
    private DateTime _nextExtension = DateTime.MinValue;

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

        foreach (var message in messages)
        {
            _outstanding[message.MessageId] = message.DequeueCount;
        }

        return Merge(messages);
    }

    /// <summary>Per stream, in read order, as few containers as <see cref="MaxEventsPerContainer"/> allows; each
    /// container sits where its first message was read and carries that message's id.</summary>
    private List<IBatchContainer> Merge(List<PostgresEventQueue.QueueMessage> messages)
    {
        var groups = new List<List<PostgresEventQueue.QueueMessage>>(messages.Count);
        var open = new Dictionary<StreamId, (List<PostgresEventQueue.QueueMessage> Parts, int Events)>();
        foreach (var message in messages)
        {
            var stream = message.Batch.StreamId;
            var events = message.Batch.Events.Length;
            if (open.TryGetValue(stream, out var group) && group.Events + events <= MaxEventsPerContainer)
            {
                group.Parts.Add(message);
                open[stream] = (group.Parts, group.Events + events);
            }
            else
            {
                List<PostgresEventQueue.QueueMessage> parts = [message];
                groups.Add(parts);
                open[stream] = (parts, events);
            }
        }

        var containers = new List<IBatchContainer>(groups.Count);
        foreach (var parts in groups)
        {
            var first = parts[0].Batch;
            if (parts.Count == 1)
            {
                _merged.Remove(first.SequenceNumber);
                containers.Add(new EventBatchContainer(first));
                continue;
            }

            var events = ImmutableArray.CreateBuilder<ObjectEvent>(parts.Sum(p => p.Batch.Events.Length));
            var ids = new long[parts.Count];
            for (var i = 0; i < parts.Count; i++)
            {
                events.AddRange(parts[i].Batch.Events);
                ids[i] = parts[i].MessageId;
            }

            _merged[first.SequenceNumber] = ids;
            containers.Add(new EventBatchContainer(first with { Events = events.MoveToImmutable() }));
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
            if (_merged.Remove(id, out var ids))
            {
                foreach (var part in ids)
                {
                    if (_outstanding.Remove(part, out var partCount))
                    {
                        delivered.Add((part, partCount));
                    }
                }
            }
            else if (_outstanding.Remove(id, out var count))
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
            _merged.Clear();
        }
        catch (Exception)
        {
            // They become visible again after the visibility timeout anyway.
        }
    }

    private async Task ExtendIfDueAsync(CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
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
