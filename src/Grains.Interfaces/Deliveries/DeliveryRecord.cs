using System.Collections.Immutable;
using Webhooks.Endpoints;

namespace Webhooks.Deliveries;

/// <summary>One request for one event to one endpoint, with every attempt made.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.DeliveryRecord")]
public sealed record DeliveryRecord
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string EndpointId { get; init; }
    /// <summary>Position in the endpoint's queue (FIFO order).</summary>
    [Id(2)] public required long Sequence { get; init; }
    [Id(3)] public required string WebhookId { get; init; }
    [Id(4)] public required string EventId { get; init; }
    [Id(5)] public required string ObjectType { get; init; }
    [Id(6)] public required string Event { get; init; }
    [Id(7)] public required DeliveryStatus Status { get; init; }
    [Id(8)] public required string HttpMethod { get; init; }
    [Id(9)] public required string Url { get; init; }
    [Id(10)] public required string ContentType { get; init; }
    [Id(11)] public ImmutableArray<HttpHeader> Headers { get; init; } = [];
    [Id(12)] public required string Body { get; init; }
    [Id(13)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(14)] public DateTimeOffset? NextAttemptAt { get; init; }
    [Id(15)] public ImmutableArray<DeliveryAttempt> Attempts { get; init; } = [];
    /// <summary>When the cluster accepted the event; null for a delivery made without one (a test event).</summary>
    [Id(16)] public DateTimeOffset? EventAcceptedAt { get; init; }
    /// <summary>W3C traceparent the attempts continue (see <see cref="DeliveryRequest.TraceParent"/>).</summary>
    [Id(17)] public string? TraceParent { get; init; }
}
