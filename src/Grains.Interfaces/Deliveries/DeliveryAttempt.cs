using System.Collections.Immutable;
using Webhooks.Endpoints;

namespace Webhooks.Deliveries;

/// <summary>One HTTP request of a delivery and what came back.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.DeliveryAttempt")]
public sealed record DeliveryAttempt
{
    [Id(0)] public required DateTimeOffset Time { get; init; }
    [Id(1)] public required TimeSpan Duration { get; init; }
    /// <summary>0 when no response was received.</summary>
    [Id(2)] public int StatusCode { get; init; }
    /// <summary>Network failure or timeout; empty when a response was received.</summary>
    [Id(3)] public string Error { get; init; } = "";
    [Id(4)] public ImmutableArray<HttpHeader> ResponseHeaders { get; init; } = [];
    /// <summary>The start of the response body (at most Delivery:MaxResponseBodyBytes, decoded as UTF-8).</summary>
    [Id(5)] public string ResponseBody { get; init; } = "";
    /// <summary>The response's Retry-After, as a delay from when it arrived.</summary>
    [Id(6)] public TimeSpan? RetryAfter { get; init; }
    [Id(7)] public bool TimedOut { get; init; }
    /// <summary>Made because an operator asked (RedeliverDelivery, ReplayDeliveries, SendTestEvent), not by the
    /// retry schedule.</summary>
    [Id(8)] public bool Manual { get; init; }
    /// <summary>The outbound address policy refused the destination: nothing was sent, and no retry follows.</summary>
    [Id(9)] public bool Refused { get; init; }
    /// <summary>The request's headers as sent, the endpoint's own header values shown as <c>***</c> (they are
    /// secrets, write-only over the API). Empty for attempts recorded before they were kept.</summary>
    [Id(10)] public ImmutableArray<HttpHeader> RequestHeaders { get; init; } = [];
}
