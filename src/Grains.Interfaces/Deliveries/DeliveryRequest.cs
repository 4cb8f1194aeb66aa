using System.Collections.Immutable;
using Webhooks.Endpoints;

namespace Webhooks.Deliveries;

/// <summary>A rendered request a webhook hands to an endpoint for one event.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.DeliveryRequest")]
public sealed record DeliveryRequest
{
    [Id(0)] public required string WebhookId { get; init; }
    [Id(1)] public required string EventId { get; init; }
    [Id(2)] public required string ObjectType { get; init; }
    [Id(3)] public required string Event { get; init; }
    [Id(4)] public required string HttpMethod { get; init; }
    /// <summary>The rendered URL, or null to use the endpoint's URL as it is.</summary>
    [Id(5)] public string? Url { get; init; }
    /// <summary>The <see cref="EndpointRoute.UrlVersion"/> the request was addressed with.</summary>
    [Id(6)] public long UrlVersion { get; init; }
    [Id(7)] public required string ContentType { get; init; }
    /// <summary>Headers rendered by the webhook; the endpoint adds its own and the signature.</summary>
    [Id(8)] public ImmutableArray<HttpHeader> Headers { get; init; } = [];
    [Id(9)] public required string Body { get; init; }
    /// <summary>When the cluster accepted the event (the start of the delivery latency).</summary>
    [Id(10)] public DateTimeOffset EventAcceptedAt { get; init; }
    /// <summary>W3C traceparent of the webhook's evaluation of the event, which the attempts continue; null when
    /// tracing is off.</summary>
    [Id(11)] public string? TraceParent { get; init; }
}
