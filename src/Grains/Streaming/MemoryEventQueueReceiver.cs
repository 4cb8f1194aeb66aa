using System.Collections.Immutable;
using Orleans.Streams;

namespace Webhooks.Streaming;

/// <summary>The pulling agent's view of one queue grain.</summary>
internal sealed class MemoryEventQueueReceiver(IMemoryEventQueueGrain queue, Func<int> room) : IQueueAdapterReceiver
{
    // Tokens in hand-out order: see EventBatchContainer.
    private long _handedOut;

    public Task Initialize(TimeSpan timeout) => queue.RewindAsync();

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        // The agent passes -1 for "no limit"; keep each read bounded anyway, and within what its cache can take.
        var limit = Math.Min(maxCount < 0 ? 256 : maxCount, room());
        if (limit <= 0)
        {
            return [];
        }

        var batches = await queue.DequeueAsync(limit, cancellationToken);
        var containers = new List<IBatchContainer>(batches.Length);
        foreach (var batch in batches)
        {
            containers.Add(new EventBatchContainer(batch, ++_handedOut));
        }

        return containers;
    }

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => MessagesDeliveredAsync(messages, CancellationToken.None);

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return Task.CompletedTask;
        }

        var sequences = ImmutableArray.CreateBuilder<long>(messages.Count);
        foreach (var message in messages)
        {
            sequences.Add(((EventBatchContainer)message).Batch.SequenceNumber);
        }

        return queue.AckAsync(sequences.MoveToImmutable(), cancellationToken);
    }

    public Task Shutdown(TimeSpan timeout) => Task.CompletedTask;
}
