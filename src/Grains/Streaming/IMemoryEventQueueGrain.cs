using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Webhooks.Streaming;

/// <summary>One in-memory stream queue (key: "{provider}/{queue}"), bounded: enqueuers wait while it is full.</summary>
/// <remarks>Events count against the bound until the pulling agent takes them; the agent stops taking while a
/// slow consumer pins its cache, so publishers wait instead of memory growing.</remarks>
[Alias("webhooks.IEventQueueGrain")]
public interface IMemoryEventQueueGrain : IGrainWithStringKey
{
    /// <summary>Waits for room up to <paramref name="maxWait"/>, then throws <see cref="Errors.BacklogFullException"/>.</summary>
    [Alias("EnqueueAsync")]
    Task EnqueueAsync(EventBatch batch, TimeSpan maxWait, CancellationToken cancellationToken = default);

    /// <summary>Batches not yet handed out, oldest first.</summary>
    [Alias("DequeueAsync")]
    Task<ImmutableArray<EventBatch>> DequeueAsync(int maxCount, CancellationToken cancellationToken = default);

    [Alias("AckAsync"), AlwaysInterleave]
    Task AckAsync(ImmutableArray<long> sequenceNumbers, CancellationToken cancellationToken = default);

    /// <summary>A new reader took over: hand out every unacknowledged batch again.</summary>
    [Alias("RewindAsync")]
    Task RewindAsync(CancellationToken cancellationToken = default);
}
