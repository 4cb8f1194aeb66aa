namespace Webhooks.Endpoints;

[GenerateSerializer, Alias("webhooks.EnqueueOutcome")]
public enum EnqueueOutcome
{
    /// <summary>Queued (new requests) or recognized as already queued (duplicates).</summary>
    Accepted = 0,
    /// <summary>Nothing queued: the requests were addressed with an outdated URL; render again with
    /// <see cref="EnqueueResult.Route"/>.</summary>
    StaleRoute = 1,
}

[GenerateSerializer, Immutable, Alias("webhooks.EnqueueResult")]
public sealed record EnqueueResult
{
    [Id(0)] public required EnqueueOutcome Outcome { get; init; }
    [Id(2)] public EndpointRoute? Route { get; init; }
    /// <summary>New deliveries created (the rest were queued or sent earlier for the same event and webhook).</summary>
    [Id(3)] public int Created { get; init; }
}
