namespace Webhooks.Endpoints;

[GenerateSerializer, Alias("webhooks.EnqueueOutcome")]
public enum EnqueueOutcome
{
    /// <summary>Queued as a new delivery.</summary>
    Accepted = 0,
    /// <summary>Already queued or sent earlier for the same event and webhook; nothing added.</summary>
    Duplicate = 1,
    /// <summary>The request was addressed with an outdated URL: render again with <see cref="EnqueueResult.Route"/>.</summary>
    StaleRoute = 2,
}

[GenerateSerializer, Immutable, Alias("webhooks.EnqueueResult")]
public sealed record EnqueueResult
{
    [Id(0)] public required EnqueueOutcome Outcome { get; init; }
    [Id(1)] public string? DeliveryId { get; init; }
    [Id(2)] public EndpointRoute? Route { get; init; }
}
