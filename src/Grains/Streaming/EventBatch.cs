using System.Collections.Immutable;
using Webhooks.Events;

namespace Webhooks.Streaming;

/// <summary>The events of one publish call for one stream, as stored in a queue.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.EventBatch")]
public sealed record EventBatch
{
    [Id(0)] public required StreamId StreamId { get; init; }
    [Id(1)] public required ImmutableArray<ObjectEvent> Events { get; init; }
    /// <summary>Assigned by the queue; increases in enqueue order.</summary>
    [Id(2)] public long SequenceNumber { get; init; }
}
