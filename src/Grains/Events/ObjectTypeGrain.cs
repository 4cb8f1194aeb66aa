using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Webhooks.Events;

/// <summary>Publishes each event twice: on the stream of its type, for webhooks that name the type, and on the
/// all-types stream, for "*" and prefix webhooks, so those also see types that were never seen before.</summary>
/// <remarks>Non-reentrant on purpose: one publish at a time keeps the per-type order that endpoints with
/// max_in_flight = 1 promise, and a full queue holds every publisher of the type back (backpressure).</remarks>
[GrainType("object-type")]
internal sealed partial class ObjectTypeGrain(TimeProvider time, ILogger<ObjectTypeGrain> logger) : Grain, IObjectTypeGrain
{
    // Client retries arrive soon after the original; a few batches back is enough and keeps each type cheap.
    private const int DuplicateWindow = 10_000;

    private readonly RecentIdSet _accepted = new(DuplicateWindow);
    private IAsyncStream<ObjectEvent> _typeStream = null!;
    private IAsyncStream<ObjectEvent> _allTypesStream = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var provider = this.GetStreamProvider(EventStreams.Provider);
        _typeStream = provider.GetStream<ObjectEvent>(StreamId.Create(EventStreams.Namespace, this.GetPrimaryKeyString()));
        _allTypesStream = provider.GetStream<ObjectEvent>(StreamId.Create(EventStreams.Namespace, EventStreams.AllTypesKey));
        return Task.CompletedTask;
    }

    public async Task PublishAsync(ImmutableArray<ObjectEvent> events, CancellationToken cancellationToken)
    {
        var fresh = ImmutableArray.CreateBuilder<ObjectEvent>(events.Length);
        var seenInCall = new HashSet<string>(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        foreach (var e in events)
        {
            if (!_accepted.Contains(e.EventId) && seenInCall.Add(e.EventId))
            {
                fresh.Add(e with { AcceptedAt = now });
            }
        }

        if (fresh.Count == 0)
        {
            return;
        }

        var batch = fresh.DrainToImmutable();
        // Together, so that on PostgreSQL both go in one group commit.
        await Task.WhenAll(_typeStream.OnNextBatchAsync(batch), _allTypesStream.OnNextBatchAsync(batch));

        // Remembered only once both streams hold the events: a publisher that retries after a failure
        // publishes again, and subscribers drop what they already processed.
        foreach (var e in batch)
        {
            _accepted.Add(e.EventId);
        }

        if (batch.Length != events.Length)
        {
            LogDuplicatesIgnored(logger, this.GetPrimaryKeyString(), events.Length - batch.Length);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignored {Count} already accepted events of type {ObjectType}")]
    private static partial void LogDuplicatesIgnored(ILogger logger, string objectType, int count);
}
